# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side hook for probe-mmio: each virtio-mmio probe's report against QEMU's view (QMP) taken while it paused.

import importlib.util
import os

_spec = importlib.util.spec_from_file_location("probe_pci_hook", os.path.join(os.path.dirname(__file__), "probe-pci.py"))
pci = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pci)


def check(ctx):
    fails = []
    for name in ("blk", "rng", "packed"):
        fails += pci.compare(ctx, name, f"qmp-{name}-q0.json", 0)
        report = ctx.load_json(f"guest/{name}.json")
        if report is None:
            continue
        for key, want in (("transport", "mmio-v2"), ("interrupts", "poll"), ("dma", "physical addresses, no IOMMU")):
            if report.get(key) != want:
                fails.append(f"hook {name}: {key}: expected {want!r}, saw {report.get(key)!r}")
        ring = report["queues"][0]["ring_type"] if report["queues"] else None
        if ring != ("packed" if name == "packed" else "split"):
            fails.append(f"hook {name}: queue 0 ring type {ring!r}")
    return fails
