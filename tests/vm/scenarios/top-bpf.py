# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side checks of top-bpf: top's --json and -b counts against the traffic the guest made, its screen against QMP.
"""Hook for tests/vm/scenarios/top-bpf.toml.

Tolerances (the same as bpf-observe's, for the same traffic): the 64 blk
reads are synchronous O_DIRECT, one request each, so the per-tick adds and
completions summed over the run equal 64 exactly and kicks and interrupts
lie in 62..64; in kprobe mode up to 2 completions may be lost (the known
kprobe defect bpf-observe states for trace). Pings: 10 transmits plus at
most 2 (ARP), 10 receive completions plus at most 2. hwrng: 16 requests
plus at most 2 from the kernel's hwrng thread. top runs from before the
traffic until two ticks after it, so every event falls in a printed tick.

The screen: the rows are queues the --json runs reported; sorted by
interrupts while the disk reads, the disk's queue is first; sorted by
device, rows are in device/queue order; the filter keeps only the disk; the
detail shows QMP's status byte, QMP's negotiated features by the names
`virtioctl features` gives those bits, and the decoded ring with QMP's
avail and used index (the disk is idle); help opens and closes; after
resizing to 90x20 the screen fits; q quits with exit 0."""

import json
import os
import re
import subprocess
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_here, "..", ".."))
import json_schema  # noqa: E402  (tests/json_schema.py)

_dc = {"__file__": os.path.join(_here, "devices-check.py"), "__name__": "devices_check"}
with open(_dc["__file__"]) as _f:
    exec(compile(_f.read(), _dc["__file__"], "exec"), _dc)

BLK_N, PING_N, RNG_N = 64, 10, 16
COUNTERS = ("kicks", "interrupts", "adds", "completions", "interrupts_spurious", "kicks_suppressed")
ROW = re.compile(r"^(virtio\d+)\s+(\S+)\s+(\d+|-)\s+(\S+)\s")


def read_guest(ctx, name):
    try:
        with open(ctx.outpath(os.path.join("guest", name)), errors="replace") as f:
            return f.read()
    except OSError:
        return None


def between(fails, label, v, lo, hi):
    if v is None or not lo <= v <= hi:
        fails.append(f"{label}: expected {lo if lo == hi else f'{lo}..{hi}'}, saw {v}")


def load_ticks(ctx, mode, fails):
    text = read_guest(ctx, f"top-{mode}.jsonl")
    if text is None:
        fails.append(f"top --json --attach={mode}: no output sent")
        return []
    ticks = []
    for i, ln in enumerate(text.splitlines()):
        try:
            ticks.append(json_schema.check("top", ln))
        except json_schema.Invalid as e:
            fails.append(f"top --json --attach={mode} line {i + 1}: not valid for docs/schema/top.json: {e}")
            return []
    return ticks


def check_json(ctx, mode):
    fails = []
    if ctx.guest_value(f"top_{mode}_status") != "0":
        fails.append(f"top --json --attach={mode}: expected exit 0, saw {ctx.guest_value(f'top_{mode}_status')}")
    err = read_guest(ctx, f"top-{mode}.err")
    if err:
        fails.append(f"top --json --attach={mode}: expected nothing on stderr, saw {err.strip()[:200]!r}")
    ticks = load_ticks(ctx, mode, fails)
    if len(ticks) < 3:
        return fails + [f"top --json --attach={mode}: expected at least 3 ticks, saw {len(ticks)}"], None
    sums = {}
    for t in ticks:
        if t["source"] != f"bpf-{mode}" or t["degraded"] is not None:
            fails.append(f"tick {t['time']}: expected source bpf-{mode}, not degraded; saw {t['source']}, "
                         f"{t['degraded']!r}")
            break
        if not t["interval_ms"] or t["queue_count"] != len(t["queues"]):
            fails.append(f"tick {t['time']}: interval_ms {t['interval_ms']}, queue_count {t['queue_count']} "
                         f"for {len(t['queues'])} queues")
        for q in t["queues"]:
            s = sums.setdefault(q["name"], {k: 0 for k in COUNTERS})
            for k in COUNTERS:
                # The BPF source counts all of these: a null would drop events from the sum.
                if q[k] is None:
                    fails.append(f"{mode} tick {t['time']} {q['device']} {q['name']}: {k} is null")
                else:
                    s[k] += q[k]
            # Only the disk's requests were all added after the source opened (net receive buffers were not).
            if q["name"] == "req.0" and q["completions"] and (q["latency_p50_ns"] is None or q["latency_p99_ns"] is None
                                     or q["latency_p50_ns"] > q["latency_p99_ns"]):
                fails.append(f"{mode} tick {t['time']} {q['name']}: {q['completions']} completions but latency "
                             f"p50 {q['latency_p50_ns']} p99 {q['latency_p99_ns']}")
            if q["completions"] == 0 and q["latency_p99_ns"] is not None:
                fails.append(f"{mode} tick {t['time']} {q['name']}: no completion but latency p99 "
                             f"{q['latency_p99_ns']}")
    blk, tx, rx, rng = (sums.get(n, {}) for n in ("req.0", "output.0", "input.0", "input"))
    lost_ok = 2 if mode == "kprobe" else 0
    between(fails, f"{mode} blk req.0 adds", blk.get("adds"), BLK_N, BLK_N)
    between(fails, f"{mode} blk req.0 completions", blk.get("completions"), BLK_N - lost_ok, BLK_N)
    for k in ("kicks", "interrupts"):
        between(fails, f"{mode} blk req.0 {k}", blk.get(k), BLK_N - 2, BLK_N)
    between(fails, f"{mode} blk req.0 interrupts_spurious", blk.get("interrupts_spurious"), 0, 0)
    for k in ("adds", "kicks"):
        between(fails, f"{mode} net output.0 {k}", tx.get(k), PING_N, PING_N + 2)
    for k in ("completions", "interrupts"):
        between(fails, f"{mode} net input.0 {k}", rx.get(k), PING_N, PING_N + 2)
    for k in ("adds", "completions", "kicks"):
        between(fails, f"{mode} hwrng input {k}", rng.get(k), RNG_N, RNG_N + 2)
    last = {q["name"]: q for q in ticks[-1]["queues"]}.get("req.0")
    if not last or last["in_flight"] != 0 or not last["avail_idx"] == last["used_idx"] == last["last_used_idx"]:
        fails.append(f"{mode}: last tick, idle disk: expected in_flight 0 and avail == used == last_used, saw "
                     f"{last and (last['in_flight'], last['avail_idx'], last['used_idx'], last['last_used_idx'])}")
    return fails, last


def check_idle_indices(ctx, last):
    """The kprobe run's last tick against QEMU's view, taken after top stopped and the disk stayed idle."""
    with open(ctx.outpath("blk0-q0.json")) as f:
        qmp = json.load(f)
    fails = []
    for ours, theirs in (("used_idx", "used-idx"), ("avail_idx", "last-avail-idx"), ("size", "vring-num")):
        if last.get(ours) != qmp[theirs]:
            fails.append(f"top --json blk req.0 {ours}: expected QMP {theirs} {qmp[theirs]}, saw {last.get(ours)}")
    return fails


def check_batch(ctx, blk):
    fails = []
    if ctx.guest_value("top_batch_status") != "0":
        fails.append(f"top -b: expected exit 0, saw {ctx.guest_value('top_batch_status')}")
    text = read_guest(ctx, "top-batch.txt") or ""
    ticks = [b for b in text.split("\n\n") if b.strip()]
    if len(ticks) != 3:
        return fails + [f"top -b -n 3: expected 3 ticks, saw {len(ticks)}:\n{text[:600]}"]
    for b in ticks:
        lines = b.splitlines()
        if not re.match(r"virtioctl top - \S+, source bpf-\w+, interval 0\.\d+ s, 1 queues$", lines[0]) or \
                not lines[1].startswith("DEVICE") or len(lines) != 3:
            fails.append(f"top -b --device blk: expected a summary, the header and one row, saw:\n{b}")
            continue
        cols = lines[2].split()
        # The disk reads throughout: every tick has kicks and interrupts.
        if cols[:5] != [blk, "blk", "0", "req.0", "split"] or float(cols[6]) <= 0 or float(cols[7]) <= 0:
            fails.append(f"top -b: expected a busy row of {blk} blk 0 req.0, saw {lines[2]!r}")
    return fails


def rows(text):
    return [ROW.match(ln).groups() for ln in (text or "").splitlines() if ROW.match(ln)]


def check_detail(ctx, blk, text):
    fails = []
    defs = _dc["uapi_numbers"]()
    with open(ctx.outpath("blk0-status.json")) as f:
        st = json.load(f)
    with open(ctx.outpath("blk0-q0-detail.json")) as f:
        qs = json.load(f)
    if not re.search(rf"^{blk} \(blk\) queue 0 req\.0$", text, re.M):
        fails.append(f"detail: expected the title '{blk} (blk) queue 0 req.0'")
    status = _dc["status_bits"](st, defs)
    if not re.search(rf"^status: 0x{status:02x} .*\(driver virtio_blk\)$", text, re.M):
        fails.append(f"detail: expected 'status: 0x{status:02x}' (QMP) and the driver virtio_blk")
    mask = _dc["feature_bits"](st["guest-features"], defs)
    p = subprocess.run([ctx.virtioctl, "features", "--json", "--device", "blk", hex(mask)],
                       capture_output=True, text=True, timeout=30)
    want = {b["name"] for b in json.loads(p.stdout)["feature_bits"]}
    shown = set()
    for ln in text.splitlines():
        if ln.startswith("features: ") or (shown and ln.startswith(" " * 10)):
            shown |= set(ln[len("features: "):].split())
        elif shown:
            break
    if shown != want:
        fails.append(f"detail features: expected QMP's {hex(mask)} as {sorted(want)}, saw {sorted(shown)}")
    m = re.search(r"^queue 0: (\w+), size (\d+), avail\.idx (\d+), used\.idx (\d+), (\d+) in flight, (\d+) anomal",
                  text, re.M)
    if not m:
        return fails + [f"detail: no decoded ring header:\n{text}"]
    ring, size, avail, used, infl, anomalies = m.group(1), *map(int, m.groups()[1:])
    seen = (ring, size, avail, used, infl, anomalies)
    want = ("split", qs["vring-num"], qs["last-avail-idx"], qs["used-idx"], 0, 0)
    if seen != want:
        fails.append(f"detail ring (type, size, avail.idx, used.idx, in flight, anomalies): expected QMP's {want}, "
                     f"saw {seen}")
    return fails


def check_screen(ctx, blk, known):
    fails = []
    if ctx.guest_value("screen_status") != "0":
        fails.append(f"screen: stopped at a step (screen_status {ctx.guest_value('screen_status')}, "
                     f"timeout at {ctx.guest_value('screen_timeout')})")
    scr = {n: read_guest(ctx, f"screen-{n}.txt") for n in
           ("start", "table", "busy", "sort-d", "filter", "detail", "help", "help-closed", "resized", "quit")}
    if scr["start"] and "degraded:" in scr["start"]:
        fails.append("screen: a degraded line with the BPF source")
    shown = {(d, n) for d, _, _, n in rows(scr["table"])}
    if not shown or not shown <= known:
        fails.append(f"screen rows {sorted(shown)}: expected queues --json reported {sorted(known)}")
    busy = rows(scr["busy"])
    if not busy or busy[0][0] != blk:
        fails.append(f"screen sorted by interrupts while the disk reads: expected {blk} first, saw {busy[:1]}")
    d = rows(scr["sort-d"])
    if [(x[0], x[2]) for x in d] != sorted(((x[0], x[2]) for x in d), key=lambda k: (int(k[0][6:]), k[1])):
        fails.append(f"screen sorted by device: rows out of order: {d}")
    f = rows(scr["filter"])
    if not f or any(x[0] != blk for x in f):
        fails.append(f"screen filter {blk}: expected only its rows, saw {f}")
    if scr["detail"]:
        fails += check_detail(ctx, blk, scr["detail"])
    else:
        fails.append("screen: no detail view")
    if "virtioctl top keys" not in (scr["help"] or "") or "virtioctl top keys" in (scr["help-closed"] or "x"):
        fails.append("screen: help overlay did not open on h and close on the next key")
    lines = (scr["resized"] or "").rstrip("\n").split("\n")
    if max(len(ln) for ln in lines) > 90 or len(lines) > 20 or "q quit" not in lines[-1]:
        fails.append(f"screen after resizing to 90x20: {len(lines)} lines, last {lines[-1]!r}")
    if not re.search(r"^EXIT=0$", scr["quit"] or "", re.M):
        fails.append(f"screen: q should quit with exit 0, saw {(scr['quit'] or '').strip()[:80]!r}")
    return fails


def check(ctx):
    fails = []
    blk = ctx.guest_value("blk")
    known = set()
    last = None
    for mode in ("fentry", "kprobe"):
        f, last = check_json(ctx, mode)
        fails += f
        for ln in (read_guest(ctx, f"top-{mode}.jsonl") or "").splitlines():
            try:
                known |= {(q["device"], q["name"]) for q in json.loads(ln)["queues"]}
            except (ValueError, KeyError, TypeError):
                break
    if last:
        fails += check_idle_indices(ctx, last)
    fails += check_batch(ctx, blk)
    fails += check_screen(ctx, blk, known)
    return fails
