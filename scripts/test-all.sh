#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The one test command: installs dependencies, builds from scratch, runs every suite, prints "N passed, N failed".
#
# Stages: unit and VM suites on a -Werror build; both again under ASan+UBSan
# (the VM guests run the sanitized binary; that pass skips the @kernel
# variants of the BPF scenarios); every libFuzzer target for a
# bounded time; the benchmarks once (ring decoding, and blk IOPS of the
# guest kernel against probe's embedded driver in one VM; their numbers
# are printed, not judged).  FUZZ_SECONDS (default 20) bounds
# each fuzzer; SKIP_VM=1 leaves out the VM suite for a quick local run
# (never in CI).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${BUILD_ROOT:-$root/.cache/test-all}
fuzz_seconds=${FUZZ_SECONDS:-20}

"$root/scripts/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
failures=()

# Adds a meson test log's results to the totals.
count_meson() {
	local log=$1 stage=$2 res
	res=$(python3 - "$log" "$stage" <<'PY'
import json, sys
ok = bad = 0
names = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t['result'] in ('OK', 'EXPECTEDFAIL'):
        ok += 1
    elif t['result'] != 'SKIP':
        bad += 1
        names.append(f"{sys.argv[2]}:{t['name']}")
print(ok, bad, *names)
PY
) || res="0 1 $stage:unreadable-log"
	read -r p f rest <<<"$res"
	passed=$((passed + p))
	failed=$((failed + f))
	[ -n "${rest:-}" ] && failures+=($rest)
}

step_fail() {
	failed=$((failed + 1))
	failures+=("$1")
}

rm -rf "$out"
mkdir -p "$out"

echo "== build (-Werror)"
if meson setup "$out/build" --werror >"$out/setup.log" 2>&1 && meson compile -C "$out/build" >"$out/compile.log" 2>&1; then
	echo "== unit suite"
	meson test -C "$out/build" --suite unit --print-errorlogs --num-processes 2
	count_meson "$out/build/meson-logs/testlog.json" unit
	if [ "${SKIP_VM:-0}" != 1 ]; then
		echo "== vm suite"
		meson test -C "$out/build" --suite vm --print-errorlogs --num-processes 1
		count_meson "$out/build/meson-logs/testlog.json" vm
	fi
	echo "== benchmark"
	# bench-blk boots a VM (guest virtio_blk against probe's embedded driver): not with SKIP_VM=1.
	bench_only=()
	[ "${SKIP_VM:-0}" = 1 ] && bench_only=(ring_decode_32768)
	meson test -C "$out/build" --benchmark --verbose "${bench_only[@]}" >"$out/bench.log" 2>&1 || step_fail benchmark
	grep -E 'ns/descriptor|^bench-blk:|^  (depth|qd[0-9])' "$out/bench.log" || true
else
	cat "$out/setup.log" "$out/compile.log" 2>/dev/null | tail -40
	step_fail build
fi

echo "== unit and vm suites under ASan+UBSan"
# -fno-sanitize-recover makes UBSan findings fatal inside the test guests too, where no environment reaches.
if CC=clang meson setup "$out/asan" --werror -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fno-sanitize-recover=all \
	>"$out/asan-setup.log" 2>&1 && meson compile -C "$out/asan" >"$out/asan-compile.log" 2>&1; then
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
		meson test -C "$out/asan" --suite unit --print-errorlogs --num-processes 2
	count_meson "$out/asan/meson-logs/testlog.json" asan
	if [ "${SKIP_VM:-0}" != 1 ]; then
		# Every scenario on the default kernel only: the @kernel variants run the
		# same userspace code, and differ in what the BPF programs meet in the
		# kernel, which the plain pass covers; this keeps CI under 30 minutes.
		mapfile -t asan_vm < <(meson test -C "$out/asan" --list --suite vm 2>/dev/null |
			sed -n 's/^virtioctl:vm \/ //p' | grep -v '@')
		meson test -C "$out/asan" --print-errorlogs --num-processes 1 "${asan_vm[@]}"
		count_meson "$out/asan/meson-logs/testlog.json" asan-vm
	fi
else
	tail -40 "$out/asan-compile.log" 2>/dev/null || tail -40 "$out/asan-setup.log"
	step_fail asan-build
fi

echo "== fuzzers (${fuzz_seconds}s each)"
if CC=clang meson setup "$out/fuzz" -Dfuzz=true -Dtests=enabled >"$out/fuzz-setup.log" 2>&1 &&
	meson compile -C "$out/fuzz" >"$out/fuzz-compile.log" 2>&1; then
	"$root/tests/fuzz/run.sh" "$out/fuzz" "$fuzz_seconds" | tee "$out/fuzz.log"
	fuzz_rc=${PIPESTATUS[0]}
	ran=$(grep -c '^== fuzz_' "$out/fuzz.log")
	crashed=$(grep -c 'FAILED (exit' "$out/fuzz.log")
	passed=$((passed + ran - crashed))
	failed=$((failed + crashed))
	((crashed)) && failures+=("fuzzers:$(grep -o '^crashed:.*' "$out/fuzz.log")")
	# run.sh refusing to start (missing target) counts as a failure too.
	((fuzz_rc != 0 && crashed == 0)) && step_fail fuzz-run
	((ran == 0)) && step_fail fuzz-none-ran
else
	tail -40 "$out/fuzz-compile.log" 2>/dev/null || tail -40 "$out/fuzz-setup.log"
	step_fail fuzz-build
fi

if ((${#failures[@]})); then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
