#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# virtioctl-decode(8) must list exactly the anomaly codes of ring_decode/vq_anomaly.def.
"""Usage: man_anomalies.py SOURCE_ROOT"""
import os
import re
import sys


def main():
    root = sys.argv[1]
    codes = re.findall(r'^VQ_ANOMALY\(\w+, "(\w+)"', open(os.path.join(root, 'ring_decode/vq_anomaly.def')).read(),
                       re.M)
    page = open(os.path.join(root, 'man/virtioctl-decode.8')).read()
    m = re.search(r'^\.SH ANOMALIES\n(.*?)(?=^\.SH )', page, re.S | re.M)
    listed = re.findall(r'^\.TP\n\.B (\w+)$', m.group(1) if m else '', re.M)
    fails = [f'{c}: in vq_anomaly.def, not in virtioctl-decode.8' for c in codes if c not in listed]
    fails += [f'{c}: in virtioctl-decode.8, not in vq_anomaly.def' for c in listed if c not in codes]
    for f in fails:
        print(f)
    print(f'{len(codes)} codes, {len(fails)} disagreements')
    return 1 if fails or not codes else 0


if __name__ == '__main__':
    sys.exit(main())
