# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side checks of bpf-observe: the BPF source's and trace's counts against the traffic the script made; live dumps decoded; QMP's view.
#
# Tolerances (stated once, here): blk reads are synchronous O_DIRECT, one request
# each, so adds, completions and latency samples equal N exactly and kicks and
# interrupts may not exceed N (an interrupt can cover two completions, a kick
# can be suppressed: neither happens with one request in flight, so they are
# required to be at least N-2). Pings: one transmit per ping plus at most two
# (an ARP request and its reply's trigger); the receive queue completes one
# buffer per reply plus at most two (ARP). hwrng: N requests plus at most two
# that the kernel's own hwrng thread may make meanwhile. trace sees the blk
# reads exactly. The net receive queue's dump is compared with QMP after the
# guest went quiet; one ping reply may land between the two, so QMP's used
# index may be ahead by up to 2 (the reply, and an ARP).

import json
import os
import re
import subprocess
import sys

BLK_N, PING_N, RNG_N = 64, 10, 16
MAX_RX_AHEAD = 8  # see check_dump


def parse(lines):
    """{mode: {"source": name, "status": n, "queues": {queue name: {key: int}}}}"""
    runs, cur = {}, None
    for ln in lines:
        m = re.match(r"== (\w+)$", ln.strip())
        if m:
            cur = runs.setdefault(m.group(1), {"queues": {}})
            continue
        if cur is None:
            continue
        if ln.startswith("source "):
            cur["source"] = ln.split()[1]
        elif ln.startswith("open_error="):
            cur["error"] = ln.strip()
        elif ln.startswith("workload_status="):
            cur["status"] = int(ln.split("=")[1])
        elif ln.startswith("queue "):
            parts = ln.split()
            q = {"device": parts[1], "queue": int(parts[2]), "type": parts[4], "size": int(parts[5])}
            for kv in parts[6:]:
                k, _, v = kv.partition("=")
                q[k] = int(v)
            cur["queues"][parts[3]] = q
    return runs


def between(fails, label, v, lo, hi):
    if v is None or not lo <= v <= hi:
        want = f"{lo}" if lo == hi else f"{lo}..{hi}"
        fails.append(f"{label}: expected {want}, saw {v}")


def check_latency_sum(label, q):
    """The latency sum (Prometheus _sum, mean latency) against its own histogram: bucket i holds [2^i, 2^(i+1)) ns,
    so the sum of the same samples lies between the buckets' lower bounds and their upper bounds."""
    s, lo, hi = q.get("latency_sum_ns"), q.get("latency_hist_lo_ns"), q.get("latency_hist_hi_ns")
    if s is None or lo is None or hi is None:
        return [f"{label}: expected latency_sum_ns and the histogram's bounds, saw {s}, {lo}, {hi}"]
    if not (q.get("latency_samples") and lo <= s < hi):
        return [f"{label}: expected latency sum in the histogram's range [{lo}, {hi}) ns over "
                f"{q.get('latency_samples')} samples, saw {s}"]
    return []


def check_counts(ctx):
    runs = parse(ctx.script_lines)
    fails = []
    for mode in ("fentry", "kprobe"):
        r = runs.get(mode)
        if not r or "error" in r:
            fails.append(f"{mode}: expected the BPF source to open, saw {r and r.get('error')}")
            continue
        if r.get("source") != f"bpf-{mode}":
            fails.append(f"{mode}: expected source bpf-{mode}, saw {r.get('source')}")
        if r.get("status") != 0:
            fails.append(f"{mode}: workload failed with status {r.get('status')}")
        qs = r["queues"]
        q = qs.get("req.0", {})
        for k in ("adds", "completions", "latency_samples"):
            between(fails, f"{mode} blk req.0 {k}", q.get(k), BLK_N, BLK_N)
        for k in ("kicks", "interrupts"):
            between(fails, f"{mode} blk req.0 {k}", q.get(k), BLK_N - 2, BLK_N)
        # Each request was offered to the device once: a notification sent or one suppressed, never both.
        if q:
            between(fails, f"{mode} blk req.0 kicks + suppressed", q.get("kicks", 0) + q.get("suppressed", 0),
                    BLK_N - 2, BLK_N)
        between(fails, f"{mode} blk req.0 spurious interrupts", q.get("spurious"), 0, 0)
        # Idle after the synchronous reads: everything published was used and reclaimed.
        if q and not q.get("avail_idx") == q.get("used_idx") == q.get("last_used_idx"):
            fails.append(f"{mode} blk req.0: expected avail_idx == used_idx == last_used_idx when idle, "
                         f"saw {q.get('avail_idx')}, {q.get('used_idx')}, {q.get('last_used_idx')}")
        if q and q.get("num_free") != q.get("size"):
            fails.append(f"{mode} blk req.0: expected num_free == size {q.get('size')} when idle, "
                         f"saw {q.get('num_free')}")
        tx, rx = qs.get("output.0", {}), qs.get("input.0", {})
        between(fails, f"{mode} net output.0 adds", tx.get("adds"), PING_N, PING_N + 2)
        between(fails, f"{mode} net output.0 kicks", tx.get("kicks"), PING_N, PING_N + 2)
        between(fails, f"{mode} net input.0 completions", rx.get("completions"), PING_N, PING_N + 2)
        q = qs.get("input", {})
        # virtio-rng kicks through virtqueue_kick, which inlines the notify on 6.1: counted at its exit.
        for k in ("adds", "completions", "kicks", "latency_samples"):
            between(fails, f"{mode} hwrng input {k}", q.get(k), RNG_N, RNG_N + 2)
        for name in ("req.0", "input"):
            fails += check_latency_sum(f"{mode} {name}", qs.get(name, {}))
    # blk's indices after its last run against QEMU's view of the same queue, taken once the guest went idle.
    q = runs.get("kprobe", {}).get("queues", {}).get("req.0")
    try:
        with open(ctx.outpath("blk0-q0.json")) as f:
            qmp = json.load(f)
    except OSError as e:
        return fails + [f"QMP queue status missing: {e}"]
    if q:
        if q.get("used_idx") != qmp["used-idx"]:
            fails.append(f"blk req.0 used_idx: expected QMP used-idx {qmp['used-idx']}, saw {q.get('used_idx')}")
        if q.get("avail_idx") != qmp["last-avail-idx"]:
            fails.append(f"blk req.0 avail_idx: expected QMP last-avail-idx {qmp['last-avail-idx']}, "
                         f"saw {q.get('avail_idx')}")
        if q.get("size") != qmp["vring-num"]:
            fails.append(f"blk req.0 size: expected QMP vring-num {qmp['vring-num']}, saw {q.get('size')}")
    return fails


# ---- trace, perfetto and dump (the second half of the script) ----

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import json_schema  # noqa: E402  (tests/json_schema.py)


def guest_value(ctx, key):
    for ln in ctx.script_lines:
        m = re.match(rf"{key}=(-?\d+)$", ln.strip())
        if m:
            return int(m.group(1))
    return None


def read_guest(ctx, name, mode="r"):
    with open(ctx.outpath(os.path.join("guest", name)), mode) as f:
        return f.read()


def check_trace(ctx, mode):
    fails = []
    if guest_value(ctx, f"trace_{mode}_status") != 0:
        return [f"trace --attach={mode}: expected exit 0, saw {guest_value(ctx, f'trace_{mode}_status')}"]
    events = []
    for i, ln in enumerate(read_guest(ctx, f"trace-{mode}.jsonl").splitlines()):
        try:
            json_schema.check("trace", ln)
        except json_schema.Invalid as e:
            return [f"trace --attach={mode} line {i + 1}: not valid for docs/schema/trace.json: {e}"]
        events.append(json.loads(ln))
    adds = [e for e in events if e["event"] == "add"]
    done = [e for e in events if e["event"] == "complete"]
    between(fails, f"trace {mode}: add events", len(adds), BLK_N, BLK_N)
    between(fails, f"trace {mode}: complete events", len(done), BLK_N, BLK_N)
    by_req = {e["request"]: e for e in adds}
    for e in done:
        a = by_req.get(e["request"])
        if a is None:
            fails.append(f"trace {mode}: a completion (request {e['request']}) matches no add of this trace")
            break
        if a["head"] is None or a["head"] != e["head"]:
            fails.append(f"trace {mode}: request {e['request']} added at head {a['head']}, completed at {e['head']}")
            break
        if e["latency_ns"] != e["time_ns"] - a["time_ns"]:
            fails.append(f"trace {mode}: request {e['request']}: latency {e['latency_ns']} ns does not fit "
                         f"add->complete {e['time_ns'] - a['time_ns']} ns")
            break
        if e["len"] is None or e["len"] < 4096:
            fails.append(f"trace {mode}: a 4 KiB read completed with len {e['len']}")
            break
    return fails


def check_perfetto(ctx):
    if guest_value(ctx, "perfetto_status") != 0:
        return [f"trace --format=perfetto: expected exit 0, saw {guest_value(ctx, 'perfetto_status')}"]
    try:
        doc = json.loads(read_guest(ctx, "perfetto.json"))
    except ValueError as e:
        return [f"perfetto trace is not JSON: {e}"]
    evs = doc.get("traceEvents", [])
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in evs if e.get("ph") == "M" and "tid" in e}
    fails = []
    if not any(n.startswith("output.0") for n in names.values()):
        fails.append(f"perfetto: expected a track named after output.0, saw {sorted(names.values())}")
    begins = {(e["pid"], e["tid"], e["id"]) for e in evs if e.get("ph") == "b"}
    ends = {(e["pid"], e["tid"], e["id"]) for e in evs if e.get("ph") == "e"}
    tx_slices = [k for k in begins & ends if names.get(k[:2], "").startswith("output.0")]
    between(fails, "perfetto: transmit requests drawn add->complete", len(tx_slices), PING_N // 2, PING_N // 2 + 2)
    if ends - begins:
        fails.append(f"perfetto: {len(ends - begins)} slice ends without a begin")
    for e in evs:
        if e.get("ph") != "M" and not all(k in e for k in ("pid", "tid", "ts", "name")):
            fails.append(f"perfetto: event without pid/tid/ts/name: {e}")
            break
    return fails


def check_dump(ctx, which, qmp_file):
    fails = []
    if guest_value(ctx, f"dump_{which}_status") != 0:
        return [f"dump of the {which} queue: expected exit 0, saw {guest_value(ctx, f'dump_{which}_status')}"]
    meta_text = read_guest(ctx, f"dump-{which}.json")
    try:
        json_schema.check("dump", meta_text)
    except json_schema.Invalid as e:
        fails.append(f"dump --json ({which}): not valid for docs/schema/dump.json: {e}")
    meta = json.loads(meta_text)
    p = subprocess.run([ctx.virtioctl, "decode", "--json", ctx.outpath(os.path.join("guest", f"{which}.vqdump"))],
                       capture_output=True, text=True, timeout=60)
    try:
        dec = json.loads(p.stdout)
    except ValueError:
        return fails + [f"decode of the {which} dump: no JSON (exit {p.returncode}): {p.stderr.strip()[:200]}"]
    if p.returncode != 0 or dec.get("anomalies"):
        fails.append(f"decode of the live {which} dump: expected exit 0 and no anomaly, saw exit {p.returncode}, "
                     f"{[a.get('code') for a in dec.get('anomalies', [])]} {dec.get('error', '')}")
    if dec.get("last_used_idx") is None:
        fails.append(f"decode of the {which} dump: expected the driver's last_used_idx from the dump, saw null")
    max_ahead = MAX_RX_AHEAD if which == "rx" else 2
    if qmp_file:
        with open(ctx.outpath(qmp_file)) as f:
            q = json.load(f)
        for ours, theirs in (("desc_addr", "vring-desc"), ("driver_addr", "vring-avail"), ("device_addr", "vring-used")):
            if int(meta[ours], 16) != q[theirs]:
                fails.append(f"dump {which} {ours}: expected QMP {theirs} {q[theirs]:#x}, saw {meta[ours]}")
        # The script's ping loop runs until the dump file exists, so replies keep
        # arriving between the dump's read of the ring and the loop's stop, and
        # slirp's ARP traffic lands on the same queue: QMP may be ahead, never behind.
        # Seen in CI: 4 and 5 ahead; allowed: MAX_RX_AHEAD.
        ahead = (q["used-idx"] - (dec.get("used_idx") or 0)) & 0xFFFF
        if dec.get("used_idx") is None or ahead > max_ahead:
            fails.append(f"dump {which} used_idx: expected QMP used-idx {q['used-idx']} (or up to {max_ahead} less), "
                         f"saw {dec.get('used_idx')}")
        if which == "rx" and not dec.get("in_flight"):
            fails.append("dump rx: expected receive buffers in flight, saw none")
    return fails


def check(ctx):
    fails = check_counts(ctx)
    for mode in ("fentry", "kprobe"):
        fails += check_trace(ctx, mode)
    fails += check_perfetto(ctx)
    fails += check_dump(ctx, "blk", None)
    fails += check_dump(ctx, "rx", "net0-q0.json")
    return fails
