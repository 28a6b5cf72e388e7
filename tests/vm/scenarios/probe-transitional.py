# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side hook for probe-transitional: each probe's report against QEMU's view (QMP) taken while it paused.
#
# The modern probes compare as probe-pci does (its hook's helpers are reused).
# A legacy driver sees the low 32 feature bits, legacy-only ones included
# (ANY_LAYOUT, NOTIFY_ON_EMPTY), and has no FEATURES_OK status bit.

import importlib.util
import os

_spec = importlib.util.spec_from_file_location("probe_pci_hook", os.path.join(os.path.dirname(__file__), "probe-pci.py"))
pci = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pci)

# Transport feature bits at 32 and above: a legacy device cannot offer them.
HIGH_BITS = {"VERSION_1", "ACCESS_PLATFORM", "RING_PACKED", "IN_ORDER", "ORDER_PLATFORM", "SR_IOV",
             "NOTIFICATION_DATA", "NOTIF_CONFIG_DATA", "RING_RESET", "ADMIN_VQ"}


def compare_legacy(ctx, name):
    fails = []
    report = ctx.load_json(f"guest/{name}.json")
    qmp = ctx.load_json(f"qmp-{name}.json")
    qs = ctx.load_json(f"qmp-{name}-q0.json")
    if report is None or qmp is None or qs is None:
        return [f"hook {name}: missing guest/{name}.json, qmp-{name}.json or qmp-{name}-q0.json"]
    if report["transport"] != "pci-legacy":
        fails.append(f"hook {name}: transport {report['transport']!r}, expected 'pci-legacy'")
    statuses = {s.split(":")[0] for s in qmp["status"]["statuses"]}
    want = {f"VIRTIO_CONFIG_S_{b}" for b in ("ACKNOWLEDGE", "DRIVER", "DRIVER_OK")}
    if statuses != want:
        fails.append(f"hook {name}: QMP status {sorted(statuses)} while the legacy probe paused, expected {sorted(want)}")
    if int(report["features_offered"], 16) >> 32:
        fails.append(f"hook {name}: a legacy device offered bits above 31: {report['features_offered']}")
    # Bit 30: QEMU names it after vhost-user (PROTOCOL_FEATURES), the spec tables call the legacy bit UNUSED.
    dev = {"UNUSED" if n == "PROTOCOL_FEATURES" else n for n in pci.qemu_names(qmp["host-features"])} - HIGH_BITS
    offered = {n for n in report["features_offered_names"] if not n.startswith("bit")}
    if offered != dev:
        fails.append(f"hook {name}: legacy offered features differ: QMP (low 32 bits) {sorted(dev)}, probe {sorted(offered)}")
    drv = pci.qemu_names(qmp["guest-features"])
    if drv != set(report["features_negotiated_names"]):
        fails.append(f"hook {name}: negotiated features differ: QMP {sorted(drv)}, probe {report['features_negotiated_names']}")
    pq = next((q for q in report["queues"] if q["queue"] == 0), None)
    if pq is None or pq["ring_type"] != "split":
        fails.append(f"hook {name}: queue 0 missing or not split in the report")
    elif qs["last-avail-idx"] != pq["avail_idx"] or qs["used-idx"] != pq["used_idx"] or not pq["requests"]:
        fails.append(f"hook {name}: queue 0: QMP last-avail-idx {qs['last-avail-idx']} used-idx {qs['used-idx']}, "
                     f"probe avail {pq['avail_idx']} used {pq['used_idx']} after {pq['requests']} requests")
    return fails


def expect(fails, name, what, got, want):
    if got != want:
        fails.append(f"hook {name}: {what}: expected {want!r}, saw {got!r}")


def check(ctx):
    fails = []
    for name in ("modern", "packed", "intx"):
        fails += pci.compare(ctx, name, f"qmp-{name}-q0.json", 0)
    fails += compare_legacy(ctx, "legacy")
    reports = {n: ctx.load_json(f"guest/{n}.json") for n in ("modern", "packed", "intx")}
    if all(reports.values()):
        # Without iommu_platform the transitional device bypasses intel-iommu: IOVA == physical address is what works.
        expect(fails, "modern", "transport", reports["modern"]["transport"], "pci-modern")
        expect(fails, "modern", "ACCESS_PLATFORM offered", "ACCESS_PLATFORM" in reports["modern"]["features_offered_names"], False)
        expect(fails, "packed", "ACCESS_PLATFORM negotiated", "ACCESS_PLATFORM" in reports["packed"]["features_negotiated_names"], True)
        expect(fails, "packed", "queue 0 ring type", reports["packed"]["queues"][0]["ring_type"], "packed")
        expect(fails, "intx", "interrupts", reports["intx"].get("interrupts"), "intx")
        expect(fails, "intx", "queue 0 vector", reports["intx"]["queues"][0]["vector"], None)
        expect(fails, "modern", "interrupts", reports["modern"].get("interrupts"), "msix")
    return fails
