# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side checks of bpf-observe: the BPF source's per-queue counts against the traffic the script made, and QMP's indices.
#
# Tolerances (stated once, here): blk reads are synchronous O_DIRECT, one request
# each, so adds, completions and latency samples equal N exactly and kicks and
# interrupts may not exceed N (an interrupt can cover two completions, a kick
# can be suppressed: neither happens with one request in flight, so they are
# required to be at least N-2). Pings: one transmit per ping plus at most two
# (an ARP request and its reply's trigger); the receive queue completes one
# buffer per reply plus at most two (ARP). hwrng: N requests exactly.

import json
import re

BLK_N, PING_N, RNG_N = 64, 10, 16


def parse(lines):
    """{(mode, workload): {"source": name, "status": n, "queues": {queue name: {key: int}}}}"""
    runs, cur = {}, None
    for ln in lines:
        m = re.match(r"== (\w+) (\w+)$", ln.strip())
        if m:
            cur = runs.setdefault((m.group(1), m.group(2)), {"queues": {}})
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


def check(ctx):
    runs = parse(ctx.script_lines)
    fails = []
    for mode in ("fentry", "kprobe"):
        for wl in ("blk", "net", "rng"):
            r = runs.get((mode, wl))
            if not r or "error" in r:
                fails.append(f"{mode} {wl}: expected the BPF source to open, saw {r and r.get('error')}")
                continue
            if r.get("source") != f"bpf-{mode}":
                fails.append(f"{mode} {wl}: expected source bpf-{mode}, saw {r.get('source')}")
            if r.get("status") != 0:
                fails.append(f"{mode} {wl}: workload failed with status {r.get('status')}")
            qs = r["queues"]
            label = f"{mode} {wl}"
            if wl == "blk":
                q = qs.get("req.0", {})
                for k in ("adds", "completions", "latency_samples"):
                    between(fails, f"{label} req.0 {k}", q.get(k), BLK_N, BLK_N)
                for k in ("kicks", "interrupts"):
                    between(fails, f"{label} req.0 {k}", q.get(k), BLK_N - 2, BLK_N)
                between(fails, f"{label} req.0 spurious interrupts", q.get("spurious"), 0, 0)
                # Idle after the synchronous reads: everything published was used and reclaimed.
                if q and not q.get("avail_idx") == q.get("used_idx") == q.get("last_used_idx"):
                    fails.append(f"{label} req.0: expected avail_idx == used_idx == last_used_idx when idle, "
                                 f"saw {q.get('avail_idx')}, {q.get('used_idx')}, {q.get('last_used_idx')}")
                if q and q.get("num_free") != q.get("size"):
                    fails.append(f"{label} req.0: expected num_free == size {q.get('size')} when idle, "
                                 f"saw {q.get('num_free')}")
            elif wl == "net":
                tx, rx = qs.get("output.0", {}), qs.get("input.0", {})
                between(fails, f"{label} output.0 adds", tx.get("adds"), PING_N, PING_N + 2)
                between(fails, f"{label} output.0 kicks", tx.get("kicks"), PING_N, PING_N + 2)
                between(fails, f"{label} input.0 completions", rx.get("completions"), PING_N, PING_N + 2)
            else:
                q = qs.get("input", {})
                for k in ("adds", "completions", "kicks", "latency_samples"):
                    between(fails, f"{label} hwrng input {k}", q.get(k), RNG_N, RNG_N)
    # blk's indices after its last run against QEMU's view of the same queue, taken once the guest went idle.
    q = runs.get(("kprobe", "blk"), {}).get("queues", {}).get("req.0")
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
