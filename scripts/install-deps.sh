#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what building and testing virtioctl needs on Debian 12 (idempotent; apt-get update only when something is missing).
set -euo pipefail

packages=(
	# build
	meson ninja-build pkg-config gcc clang libpci-dev libbpf-dev libncurses-dev libelf-dev zlib1g-dev
	# tests: cmocka, oracles (lspci, xxd, hexdump, od), sanitizer and libFuzzer runtimes
	libcmocka-dev python3 python3-jsonschema pciutils xxd bsdextrautils coreutils libclang-rt-14-dev bash-completion zsh fish groff-base
	# tests of top: its screen driven through tmux, its metrics read by a real node_exporter
	tmux prometheus-node-exporter
	# test VM: QEMU (TCG), busybox initramfs, BPF tooling
	qemu-system-x86 busybox-static cpio zstd bpftool
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]}; run this as root" >&2
		exit 1
	fi
	# apt's own output goes to a log, so the reader of the demo sees one line, not a screenful.
	log="${TMPDIR:-/tmp}/virtioctl-install-deps.log"
	echo "install-deps: installing ${#missing[@]} Debian packages (log: $log) ..."
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
		echo "install-deps: apt-get failed; the last lines of $log:" >&2
		tail -n 15 "$log" >&2
		exit 1
	fi
	echo "install-deps: done"
fi
