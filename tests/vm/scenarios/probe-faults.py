# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side hook for probe-faults: the timeout's in-flight count and QEMU's status around the stuck probe and the unplug.
"""What the [[check]] lines cannot say: arithmetic between QMP fields and the probe's message."""

import re


def statuses(st):
    return {s.split(":")[0] for s in st["status"]["statuses"]}


def check(ctx):
    fails = []
    out = "\n".join(ctx.script_lines)
    m = re.search(r"stuck_err=.*, (\d+) in flight", out)
    q0 = ctx.load_json("qmp-stuck-q0.json")
    if not m or q0 is None:
        return [f"hook: no timeout message or qmp-stuck-q0.json (message found: {bool(m)})"]
    # QEMU popped every request the driver made available; the ones it has not marked used are in flight.
    qemu_in_flight = (q0["last-avail-idx"] - q0["used-idx"]) & 0xffff
    if int(m.group(1)) != qemu_in_flight:
        fails.append(f"hook: the probe says {m.group(1)} in flight, QMP last-avail-idx - used-idx = {qemu_in_flight}")
    if int(m.group(1)) != q0["inuse"]:
        fails.append(f"hook: the probe says {m.group(1)} in flight, QMP inuse = {q0['inuse']}")
    if q0["shadow-avail-idx"] != q0["last-avail-idx"]:
        fails.append(f"hook: QEMU has not read every avail entry: shadow {q0['shadow-avail-idx']}, last {q0['last-avail-idx']}")
    stuck = ctx.load_json("qmp-stuck.json")
    if stuck is None or "VIRTIO_CONFIG_S_DRIVER_OK" not in statuses(stuck):
        fails.append("hook: the stuck device was not DRIVER_OK while the probe paused after its timeout")
    after = ctx.load_json("qmp-stuck-after.json")
    if after is None or statuses(after):
        fails.append(f"hook: after the timed-out probe exited the device status is {sorted(statuses(after)) if after else None}, not reset (0)")
    for name in ("hot0", "hot1"):
        hot = ctx.load_json(f"qmp-{name}-q0.json")
        if hot is None or hot["inuse"] != 1:
            fails.append(f"hook: {name} was not unplugged with exactly one request in QEMU's hands: {hot}")
    return fails
