#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: install, build, boot the demo VM and show list, info and a decoded live queue.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build=$root/.cache/demo-build
if [ ! -d "$build" ]; then
	meson setup "$build" "$root" >/dev/null
fi
meson compile -C "$build" >/dev/null
exec "$root/tests/vm/demo.sh" "$build/virtioctl"
