# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side checks of bpf-stall: top's stall flag and side against QEMU's own view of the held request, and the flag clearing.
#
# Oracle: QMP x-query-virtio-queue-status taken while the drive was throttled.
# The device took one request off the ring (last-avail-idx) and used nothing
# for it (used-idx one behind): the device side is stuck, which is what top
# must name. top's indices in the stalled tick must equal QMP's (nothing moved
# in between: the read is held and the guest is otherwise idle). After the
# drive is unthrottled the read finishes: a later tick has nothing in flight
# and no stall.

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import json_schema  # noqa: E402  (tests/json_schema.py)


def check(ctx):
    fails = []
    # top exits 1 when it flagged a stall during the run (virtioctl-top(8), EXIT STATUS).
    for k, want in (("dd_status", "0"), ("top_status", "1")):
        if ctx.guest_value(k) != want:
            fails.append(f"{k}: expected {want}, saw {ctx.guest_value(k)}")
    blk = ctx.guest_value("blk")
    try:
        with open(ctx.outpath(os.path.join("guest", "top.jsonl"))) as f:
            lines = f.read().splitlines()
        with open(ctx.outpath("blk0-q0-stalled.json")) as f:
            qmp = json.load(f)
    except OSError as e:
        return fails + [f"missing output: {e}"]
    ticks = []
    for i, ln in enumerate(lines):
        try:
            json_schema.check("top", ln)
        except json_schema.Invalid as e:
            return fails + [f"top --json line {i + 1}: not valid for docs/schema/top.json: {e}"]
        ticks.append(json.loads(ln))
    if not ticks or not ticks[0]["source"].startswith("bpf"):
        return fails + [f"top: expected the BPF source, saw {ticks[0]['source'] if ticks else 'no ticks'}"]

    def blk_q(t):
        return next((q for q in t["queues"] if q["device"] == blk and q["queue"] == 0), None)

    held = (qmp["last-avail-idx"] - qmp["used-idx"]) & 0xFFFF
    if held != 1:
        fails.append(f"QMP while throttled: expected the device to hold 1 request (last-avail-idx - used-idx), "
                     f"saw {held}")
    stalled = [i for i, t in enumerate(ticks) if (blk_q(t) or {}).get("stalled")]
    if not stalled:
        return fails + [f"top: expected a tick with {blk} q0 stalled, saw {[blk_q(t) for t in ticks]}"]
    q = blk_q(ticks[stalled[0]])
    if q["stall"] != "device_not_completing":
        fails.append(f"top: expected stall device_not_completing (QMP: the device holds the request), "
                     f"saw {q['stall']}")
    if q["in_flight"] != held:
        fails.append(f"top stalled tick: expected in_flight {held} as QMP, saw {q['in_flight']}")
    if q["used_idx"] != qmp["used-idx"] or q["avail_idx"] != qmp["last-avail-idx"]:
        fails.append(f"top stalled tick: expected avail/used {qmp['last-avail-idx']}/{qmp['used-idx']} as QMP, "
                     f"saw {q['avail_idx']}/{q['used_idx']}")
    if not q.get("stalled_for_ms") or q["stalled_for_ms"] < 2000:
        fails.append(f"top stalled tick: expected stalled_for_ms >= 2000 (--stall 2), saw {q.get('stalled_for_ms')}")
    last = blk_q(ticks[-1])
    if stalled[-1] == len(ticks) - 1 or not last or last["stalled"] or last["in_flight"] != 0:
        fails.append(f"top: expected the stall to clear once unthrottled (last tick: nothing in flight, not "
                     f"stalled), saw {last}")
    if last and last.get("stalls_total") != 1:
        fails.append(f"top: expected stalls_total 1 after one stall, saw {last.get('stalls_total')}")
    return fails
