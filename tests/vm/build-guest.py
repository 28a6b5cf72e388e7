#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetches/caches the guest kernel and builds the initramfs layers for the VM tests (also usable to pre-warm CI).
"""Prepare the test VM's kernel and initramfs.

    build-guest.py                         # fetch + cache the kernel and the base layer, print paths
    build-guest.py --kernel trixie               # the same for Debian 13's 6.12 kernel
    build-guest.py --modules virtio_pci,virtio_blk --virtioctl build/virtioctl -o /tmp/initrd.cpio

The cache lives in $VIRTIOCTL_VM_CACHE (default <repo>/.cache/vm): kernel/<package>_<version>/
holds the unpacked kernel package, initramfs/ the cached base and module layers.
Exit status 1 with one line on stderr when the kernel cannot be fetched.
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vm_guest  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default="default", choices=sorted(vm_guest.KERNELS),
                    help="guest kernel: the machine's apt cloud kernel (default) or Debian 13's (trixie)")
    ap.add_argument("--modules", default="", help="comma-separated kernel modules (dependencies are added)")
    ap.add_argument("--virtioctl", help="binary to put at /usr/bin/virtioctl (with its ldd libraries)")
    ap.add_argument("--script", help="guest script to install as /etc/scenario.sh")
    ap.add_argument("-o", "--output", help="write the complete initramfs here")
    args = ap.parse_args()
    try:
        kernel = vm_guest.fetch_kernel(args.kernel)
        base = vm_guest.base_cpio()
        mods, loaded = vm_guest.modules_cpio(kernel, [m for m in args.modules.split(",") if m])
        result = {"kernel": kernel, "base": base, "modules": mods, "module_order": loaded}
        if args.output:
            files = {}
            if args.script:
                with open(args.script, "rb") as f:
                    files["etc/scenario.sh"] = f.read()
            bins = {"usr/bin/virtioctl": args.virtioctl} if args.virtioctl else {}
            run = args.output + ".run"
            vm_guest.run_cpio(run, files, bins)
            vm_guest.build_initrd(args.output, [base, mods, run])
            os.unlink(run)
            result["initrd"] = os.path.abspath(args.output)
    except vm_guest.GuestError as e:
        print(f"build-guest: {e}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
