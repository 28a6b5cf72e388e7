# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side hook for qmp-sync: the pmemsave'd split ring of blk0 queue 0 must be structurally sound.
#
# The runner calls check(ctx) after the VM exited; ctx.outpath(name) is a file in
# the run's output directory. Return a list of one-line failures (empty: pass).
# This is independent of virtioctl's decoder on purpose: it is the oracle the
# decoder's output can later be compared with.

import json
import struct

VRING_DESC_F_NEXT = 1
VRING_DESC_F_INDIRECT = 4


def check(ctx):
    with open(ctx.outpath("blk0-q0.json")) as f:
        meta = json.load(f)
    if meta["layout"] != "split":
        return [f"hook: expected a split ring for blk0 queue 0, saw {meta['layout']}"]
    n = meta["size"]
    q = meta["queue_status"]
    with open(ctx.outpath("blk0-q0-desc.bin"), "rb") as f:
        raw = f.read()
    desc = [struct.unpack_from("<QIHH", raw, 16 * i) for i in range(n)]
    with open(ctx.outpath("blk0-q0-avail.bin"), "rb") as f:
        avail = f.read()
    with open(ctx.outpath("blk0-q0-used.bin"), "rb") as f:
        used = f.read()
    fails = []
    avail_idx = struct.unpack_from("<H", avail, 2)[0]
    used_idx = struct.unpack_from("<H", used, 2)[0]
    if (avail_idx - used_idx) & 0xFFFF != q["inuse"]:
        fails.append(f"hook: expected avail.idx - used.idx == QMP inuse {q['inuse']}, "
                     f"saw {avail_idx} - {used_idx}")
    # Every head the driver published must start a chain that ends within n descriptors.
    for k in range(min(avail_idx, n)):
        head = struct.unpack_from("<H", avail, 4 + 2 * ((avail_idx - 1 - k) % n))[0]
        if head >= n:
            fails.append(f"hook: avail ring slot {(avail_idx - 1 - k) % n}: expected head < {n}, saw {head}")
            continue
        i, steps = head, 0
        while True:
            addr, length, flags, nxt = desc[i]
            if addr == 0 or (length == 0 and not flags & VRING_DESC_F_INDIRECT):
                fails.append(f"hook: descriptor {i} (chain from head {head}): expected a buffer, "
                             f"saw addr {addr:#x} len {length}")
                break
            steps += 1
            if not flags & VRING_DESC_F_NEXT:
                break
            if nxt >= n or steps >= n:
                fails.append(f"hook: chain from head {head}: expected to end within {n} "
                             f"descriptors, saw next={nxt} after {steps}")
                break
            i = nxt
    for k in range(min(used_idx, n)):
        slot = (used_idx - 1 - k) % n
        uid, ulen = struct.unpack_from("<II", used, 4 + 8 * slot)
        if uid >= n:
            fails.append(f"hook: used ring slot {slot}: expected id < {n}, saw {uid}")
    return fails
