#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The committed samples and corrupt inputs must be exactly what their generator scripts write.
"""Usage: samples_reproducible.py SAMPLES_DIR BAD_INPUTS_DIR

Also checks the sample's hexdump twin against the real xxd when installed."""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    fails = []
    for d, script in ((sys.argv[1], 'make_samples.py'), (sys.argv[2], 'make_bad_inputs.py')):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, os.path.join(d, script), tmp], check=True)
            for name in sorted(os.listdir(tmp)):
                if not os.path.exists(os.path.join(d, name)):
                    fails.append(f'{name}: written by {script} but not committed')
                elif not filecmp.cmp(os.path.join(tmp, name), os.path.join(d, name), shallow=False):
                    fails.append(f'{name}: differs from what {script} writes; rerun it')
    if shutil.which('xxd'):
        sample = os.path.join(sys.argv[1], 'blk-queue0.vqdump')
        real = subprocess.run(['xxd', sample], capture_output=True, check=True).stdout
        if real != open(sample + '.xxd', 'rb').read():
            fails.append('blk-queue0.vqdump.xxd: differs from `xxd blk-queue0.vqdump`')
    for f in fails:
        print(f)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
