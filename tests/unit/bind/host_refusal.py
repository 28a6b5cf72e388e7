#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# On this machine: `bind --vfio` refuses the virtio disk behind / and any configured virtio interface, touching nothing.
"""Usage: host_refusal.py VIRTIOCTL

The oracle is the kernel's own view: /proc/self/mountinfo and sysfs name the
device behind the root filesystem, /sys/class/net the interfaces with
addresses.  Every invocation uses --dry-run as a second guard, so even a
broken refusal could not move a host device; the driver links are compared
before and after all the same.  Exits 77 (skipped) when no virtio PCI device
backs / or a configured interface."""
import json
import os
import re
import subprocess
import sys


def pci_ancestor(sysfs_path):
    """The PCI function a sysfs object sits below, if it is a virtio one (vendor 0x1af4)."""
    real = os.path.realpath(sysfs_path)
    for part in reversed(real.split('/')):
        if re.fullmatch(r'[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]', part):
            vendor = open(f'/sys/bus/pci/devices/{part}/vendor').read().strip()
            return part if vendor == '0x1af4' else None
    return None


def root_device():
    for line in open('/proc/self/mountinfo'):
        f = line.split()
        if f[4] == '/':
            return pci_ancestor(f'/sys/dev/block/{f[2]}')
    return None


def configured_netdevs():
    out = subprocess.run(['ip', '-j', 'addr'], capture_output=True, text=True).stdout if os.path.exists('/usr/sbin/ip') or os.path.exists('/sbin/ip') else '[]'
    found = []
    for iface in json.loads(out or '[]'):
        if iface.get('addr_info') and iface['ifname'] != 'lo':
            dev = pci_ancestor(f"/sys/class/net/{iface['ifname']}")
            if dev:
                found.append((dev, iface['ifname']))
    return found


def driver(addr):
    link = f'/sys/bus/pci/devices/{addr}/driver'
    return os.path.basename(os.readlink(link)) if os.path.islink(link) else None


def refused(exe, addr, expect_re):
    before = driver(addr)
    p = subprocess.run([exe, 'bind', '--dry-run', '--vfio', addr, '--json'], capture_output=True, text=True,
                       timeout=30)
    problems = []
    if p.returncode != 2:
        problems.append(f'{addr}: exit {p.returncode}, want 2 (refused)')
    try:
        doc = json.loads(p.stdout)
        if not re.search(expect_re, doc.get('error', '')):
            problems.append(f'{addr}: error {doc.get("error")!r} does not match {expect_re!r}')
    except json.JSONDecodeError:
        problems.append(f'{addr}: stdout is not JSON: {p.stdout!r}')
    if len(p.stderr.splitlines()) != 1:
        problems.append(f'{addr}: want one line on stderr, got {p.stderr!r}')
    if driver(addr) != before:
        problems.append(f'{addr}: driver changed from {before} to {driver(addr)}')
    return problems


def main(argv):
    exe = argv[1]
    cases = []
    root = root_device()
    if root:
        cases.append((root, r'mounted filesystem /dev/\S+ on / \(the root filesystem\); --force'))
    for dev, ifname in configured_netdevs():
        cases.append((dev, rf'network interface {re.escape(ifname)} has addresses'))
    if not cases:
        print('no virtio device backs / or a configured interface here: skipped')
        return 77
    problems = [p for dev, want in cases for p in refused(exe, dev, want)]
    for p in problems:
        print(p)
    print(f'{len(cases)} refusals checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
