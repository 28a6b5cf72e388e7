#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks `virtioctl features` against this host's own /sys/bus/virtio/devices/*/features strings.
"""Usage: sysfs_features_check.py VIRTIOCTL

The kernel's `features` file has one '0'/'1' character per bit, bit 0
first.  For every virtio device on the host, the bits virtioctl reports
must be exactly the '1' positions, its hex must be the same number, and
VERSION_1 (bit 32) must be named when set.  Exits 77 (skip) when the host
has no virtio devices."""
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import json_schema  # noqa: E402  (tests/json_schema.py)


def run(exe, *args):
    p = subprocess.run([exe, '--json', 'features', *args], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise SystemExit(f'virtioctl features {" ".join(args)}: exit {p.returncode}: {p.stderr.strip()}')
    return json_schema.check('features', p.stdout)


def main():
    exe = sys.argv[1]
    devs = sorted(glob.glob('/sys/bus/virtio/devices/*'))
    if not devs:
        print('no virtio devices on this host; skipping')
        return 77
    fails = []
    for d in devs:
        try:
            bits_s = open(os.path.join(d, 'features')).read().strip()
            dev_id = open(os.path.join(d, 'device')).read().strip()
        except OSError as e:
            fails.append(f'{d}: cannot read: {e}')
            continue
        want = {i for i, c in enumerate(bits_s) if c == '1'}
        want_hex = hex(sum(1 << i for i in want))
        # Ids the spec leaves unassigned have no type: decode without one then.
        typed = int(dev_id, 16) not in (0, 14, 15, 37) and int(dev_id, 16) <= 49
        extra = ['--device', dev_id] if typed else []
        for arg in (bits_s, os.path.join(d, 'features')):
            out = run(exe, *extra, arg)
            got = {b['bit'] for b in out['feature_bits']}
            if got != want:
                fails.append(f'{d}: bits {sorted(got)}, sysfs says {sorted(want)}')
            if out['features'] != want_hex:
                fails.append(f'{d}: features {out["features"]}, sysfs says {want_hex}')
            if typed and out['device_id'] != int(dev_id, 16):
                fails.append(f'{d}: device_id {out["device_id"]}, sysfs says {dev_id}')
            for b in out['feature_bits']:
                if b['bit'] == 32 and b['spec_name'] != 'VIRTIO_F_VERSION_1':
                    fails.append(f'{d}: bit 32 named {b["spec_name"]}')
                if b['kind'] == 'transport' and not 24 <= b['bit'] < 50:
                    fails.append(f'{d}: bit {b["bit"]} called transport')
                if b['kind'] == 'device' and 24 <= b['bit'] < 50 and b['bit'] not in (41, 42):
                    fails.append(f'{d}: bit {b["bit"]} called device')
        print(f'{os.path.basename(d)}: device {dev_id}, {len(want)} bits agree')
    for f in fails:
        print(f)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
