# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side check of vfio.toml: `info` of the vfio-bound rng (registers through vfio) against QMP x-query-virtio-status.
"""Hook for tests/vm/scenarios/vfio.toml.

QEMU's host-features of rng0 (named bits, numbered through this host's Linux
UAPI headers, as devices-check.py does) must equal the features_offered that
`virtioctl info` read through the vfio layer and the pci-modern transport;
its num_queues must equal QEMU's num-vqs, and `bind --json` must validate
against docs/schema/bind.json."""

import json
import os

_here = os.path.dirname(os.path.abspath(__file__))
_dc = {"__file__": os.path.join(_here, "devices-check.py"), "__name__": "devices_check"}
with open(_dc["__file__"]) as _f:
    exec(compile(_f.read(), _dc["__file__"], "exec"), _dc)


def check(ctx):
    fails = []
    defs = _dc["uapi_numbers"]()
    # QEMU's name of bit 33; the UAPI header defines it as an alias, which the number scan does not see.
    defs.setdefault("VIRTIO_F_IOMMU_PLATFORM", defs.get("VIRTIO_F_ACCESS_PLATFORM", 33))
    with open(ctx.outpath("virtio-devices.json")) as f:
        st = {d["id"]: d["status"] for d in json.load(f) if d["id"]}["rng0"]
    try:
        info = _dc["load_guest"](ctx, "info-vfio.json", "info")
        for name in ("bind-vfio.json", "bind-kernel.json", "bind-vfio-again.json", "bind-forced-dry.json"):
            if _dc["load_guest"](ctx, name, "bind") is None:
                fails.append(f"guest/{name} missing")
    except _dc["Mismatch"] as e:
        return [str(e)]
    if info is None:
        return ["guest/info-vfio.json missing"]
    if info["registers"]["access"] != "vfio":
        fails.append(f"info on the vfio-bound rng read registers through {info['registers']['access']}: "
                     f"{info['not_read']}")
        return fails
    try:
        want = _dc["feature_bits"](st["host-features"], defs)
    except _dc["Mismatch"] as e:
        return fails + [str(e)]
    for b in _dc["QEMU_LEGACY_ONLY"][0]:
        want &= ~(1 << b)
    got = int(info["features_offered"], 16) if info["features_offered"] else None
    if got != want:
        fails.append(f"rng0 info through vfio: features_offered {info['features_offered']}, "
                     f"QEMU host-features {want:#x}")
    if info["num_queues"] != st["num-vqs"]:
        fails.append(f"rng0 info through vfio: num_queues {info['num_queues']}, QEMU num-vqs {st['num-vqs']}")
    return fails
