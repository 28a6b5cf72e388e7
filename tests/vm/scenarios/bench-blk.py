# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side hook for bench-blk: prints the IOPS table and the driver/kernel ratio (numbers, not a verdict).
"""Fails only when a side printed no numbers; the ratio is reported, never judged."""

import re


def check(ctx):
    out = "\n".join(ctx.script_lines)
    kernel = {int(d): int(i) for d, i in re.findall(r"^kernel: qd(\d+) (\d+) IOPS", out, re.M)}
    line = re.search(r"^driver: .*", out, re.M)
    driver = {int(d): int(i) for d, i in re.findall(r"qd(\d+) (\d+) IOPS", line.group(0))} if line else {}
    fails = []
    rows = []
    for qd in (1, 32):
        k, d = kernel.get(qd), driver.get(qd)
        if not k or not d:
            fails.append(f"bench: no IOPS at qd{qd} (kernel {k}, embedded driver {d})")
            continue
        rows.append(f"  qd{qd:<3} {k:>10} {d:>12} {d / k:>8.2f}")
    print("bench-blk: 4 KiB random reads, one disk, one VM (QEMU TCG), 3 s per run")
    print(f"  {'depth':<5} {'kernel IOPS':>10} {'driver IOPS':>12} {'ratio':>8}   (kernel: virtio_blk O_DIRECT; driver: virtioctl probe --poll)")
    for r in rows:
        print(r)
    return fails
