#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every libFuzzer target of BUILD_DIR for SECONDS each from its seed corpus; non-zero exit on any crash.
#
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS
#   BUILD_DIR was set up with: CC=clang meson setup BUILD_DIR -Dfuzz=true
# New corpus entries go to a scratch directory, never into the committed seeds;
# a crash leaves its input as BUILD_DIR/fuzz-artifacts/<target>/crash-* to reproduce with
#   BUILD_DIR/tests/fuzz/fuzz_<target> FILE
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
case $secs in
''|*[!0-9]*) echo "$0: SECONDS must be a number, not '$secs'" >&2; exit 2 ;;
esac

targets="vqdump raw_areas hexdump features elfcore"
for t in $targets; do
	if [ ! -x "$build/tests/fuzz/fuzz_$t" ]; then
		echo "$0: $build/tests/fuzz/fuzz_$t missing: set up with CC=clang meson setup $build -Dfuzz=true and build" >&2
		exit 2
	fi
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
failed=""
for t in $targets; do
	art="$build/fuzz-artifacts/$t"
	mkdir -p "$scratch/$t" "$art"
	echo "== fuzz_$t for ${secs}s"
	# -rss_limit_mb and -timeout turn runaway memory or time into reported crashes too.
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$art/" -print_final_stats=1 \
		"$scratch/$t" "$here/corpus/$t" >"$scratch/$t.log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)' "$scratch/$t.log" | sed 's/^/   /'
	if [ $rc -ne 0 ]; then
		echo "   FAILED (exit $rc); last lines of its log:"
		tail -n 40 "$scratch/$t.log" | sed 's/^/   | /'
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "crashed:$failed (inputs in $build/fuzz-artifacts/)"
	exit 1
fi
echo "all targets ran ${secs}s without a crash"
