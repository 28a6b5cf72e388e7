# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side hook for probe scenarios: each probe's report against QEMU's own view (QMP) taken while the probe paused.
#
# QEMU names features "VIRTIO_BLK_F_FLUSH: description" and statuses
# "VIRTIO_CONFIG_S_DRIVER_OK: ..."; the probe reports short spec names. The
# short name is what follows the last "_F_"; QEMU still says IOMMU_PLATFORM
# for ACCESS_PLATFORM.

import json
import subprocess

QEMU_ALIASES = {"IOMMU_PLATFORM": "ACCESS_PLATFORM"}
# Legacy-only bits QEMU keeps in host-features but masks from a modern driver's device_feature.
LEGACY_ONLY = {"ANY_LAYOUT", "NOTIFY_ON_EMPTY", "PROTOCOL_FEATURES", "UNUSED", "GSO"}


def unknown_names(ctx, device_id, mask):
    """Names of the bits QEMU cannot name (unknown-dev-features), from `virtioctl features` on the host."""
    if not mask:
        return set()
    out = subprocess.run([ctx.virtioctl, "features", "--json", "--device", str(device_id), hex(mask)],
                         capture_output=True, text=True, timeout=30).stdout
    return {b["name"] or f"bit{b['bit']}" for b in json.loads(out)["feature_bits"]}


def qemu_names(block):
    names = set()
    for key, val in block.items():
        if not isinstance(val, list):
            continue
        for item in val:
            name = item.split(":")[0].strip()
            short = name.rsplit("_F_", 1)[-1]
            names.add(QEMU_ALIASES.get(short, short))
    return names


def compare(ctx, name, queue_file, queue):
    fails = []
    report = ctx.load_json(f"guest/{name}.json")
    qmp = ctx.load_json(f"qmp-{name}.json")
    if report is None or qmp is None:
        return [f"hook {name}: missing guest/{name}.json or qmp-{name}.json"]
    statuses = {s.split(":")[0] for s in qmp["status"]["statuses"]}
    for bit in ("ACKNOWLEDGE", "DRIVER", "FEATURES_OK", "DRIVER_OK"):
        if f"VIRTIO_CONFIG_S_{bit}" not in statuses:
            fails.append(f"hook {name}: QMP status lacks {bit} while the probe paused: {sorted(statuses)}")
    drv = qemu_names(qmp["guest-features"]) | unknown_names(ctx, report["device_id"],
                                                            qmp["guest-features"].get("unknown-dev-features", 0))
    ours = set(report["features_negotiated_names"])
    if drv != ours:
        fails.append(f"hook {name}: negotiated features differ: QMP only {sorted(drv - ours)}, probe only {sorted(ours - drv)}")
    dev = (qemu_names(qmp["host-features"]) | unknown_names(
        ctx, report["device_id"], qmp["host-features"].get("unknown-dev-features", 0))) - LEGACY_ONLY
    offered = set(report["features_offered_names"])
    # Bits the spec tables cannot name are "bitN" in the report; QEMU counts the ones it cannot name apart.
    known = {n for n in offered if not n.startswith("bit")}
    if known != dev:
        fails.append(f"hook {name}: offered features differ: QMP {sorted(dev)}, probe {sorted(offered)}")
    if queue_file:
        qs = ctx.load_json(queue_file)
        pq = next((q for q in report["queues"] if q["queue"] == queue), None)
        if qs is None or pq is None:
            fails.append(f"hook {name}: no queue {queue} in {queue_file} or in the report")
        else:
            mask = 0x7fff if pq["ring_type"] == "packed" else 0xffff
            if qs["last-avail-idx"] & mask != pq["avail_idx"]:
                fails.append(f"hook {name}: queue {queue}: QMP last-avail-idx {qs['last-avail-idx']}, probe avail_idx {pq['avail_idx']}")
            if qs["used-idx"] & mask != pq["used_idx"]:
                fails.append(f"hook {name}: queue {queue}: QMP used-idx {qs['used-idx']}, probe used_idx {pq['used_idx']}")
            if not pq["requests"]:
                fails.append(f"hook {name}: queue {queue} moved no requests")
    return fails


def check(ctx):
    fails = []
    for name, qfile, q in (("blk", "qmp-blk-q0.json", 0), ("rng", "qmp-rng-q0.json", 0),
                           ("net", "qmp-net-q1.json", 1), ("con", None, None)):
        fails += compare(ctx, name, qfile, q)
    return fails
