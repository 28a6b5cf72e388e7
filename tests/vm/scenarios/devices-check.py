# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side check of the devices-* scenarios: the guest's `virtioctl list/info --json` against QEMU's own view (QMP).
"""Hook for tests/vm/scenarios/devices-*.toml (run-scenario.py calls check(ctx)).

The guest saved `virtioctl list --json` and `info --json` of every device
twice: while the kernel drove them ("bound" sync point, QMP snapshot
qmp-bound.json) and after some devices were handed to vfio-pci or left
without a driver (the runner's final snapshot virtio-devices.json).  QEMU is
the oracle: x-query-virtio-status gives device id, status and the guest's
and host's feature names, query-pci and `info qtree` say where each device
sits.  Feature and status names become bit numbers through the Linux UAPI
headers of this host, which share nothing with virtioctl's tables.
"""

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import json_schema  # noqa: E402  (tests/json_schema.py)

# QEMU-only name of bit 30 (hw/virtio/vhost-user.h); the kernel headers do not define it.
QEMU_ONLY_BITS = {"VHOST_USER_F_PROTOCOL_FEATURES": 30}
# QEMU's modern transports hide these host feature bits from the driver (VIRTIO_LEGACY_FEATURES in
# include/hw/virtio/virtio.h, plus VIRTIO_NET_F_GSO for net): legacy-only per the virtio spec.
QEMU_LEGACY_ONLY = {0: {24, 27, 30}, 1: {6}}
# Device types whose QEMU model refuses the legacy interface (plugged as modern in transitional runs).
MODERN_ONLY_TYPES = {16, 18, 19, 20}


def uapi_numbers():
    defs = {}
    for h in glob.glob("/usr/include/linux/*.h"):
        with open(h, errors="replace") as f:
            for m in re.finditer(r"^#define\s+(VIRTIO_\w+|VHOST_\w+)\s+(\d+)\b", f.read(), re.M):
                defs.setdefault(m.group(1), int(m.group(2)))
    defs.update(QEMU_ONLY_BITS)
    return defs


class Mismatch(Exception):
    pass


def feature_bits(fs, defs):
    """QMP VirtioDeviceFeatures -> int."""
    bits = fs.get("unknown-dev-features", 0)
    for entry in fs.get("transports", []) + fs.get("dev-features", []):
        name = entry.split(":")[0].strip()
        if name not in defs:
            raise Mismatch(f"QEMU feature {name!r} has no number in /usr/include/linux (install linux-libc-dev)")
        bits |= 1 << defs[name]
    return bits


def status_bits(st, defs):
    bits = 0
    for entry in st["status"].get("statuses", []):
        name = entry.split(":")[0].strip()
        if name not in defs:
            raise Mismatch(f"QEMU status {name!r} has no number in /usr/include/linux")
        bits |= defs[name]
    return bits | st["status"].get("unknown-statuses", 0)


def qtree_mmio_bases(text):
    """QEMU device id -> base address of the virtio-mmio transport it is plugged into."""
    bases, base = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*mmio ([0-9a-f]+)/([0-9a-f]+)", line)
        if m:
            base = int(m.group(1), 16)
            continue
        m = re.match(r'\s*dev: [\w-]+-device, id "([^"]+)"', line)
        if m and base is not None:
            bases[m.group(1)] = base
        if re.match(r"\s*dev: virtio-mmio,", line):
            base = None
    return bases


def guest_address_map(ctx, sc_transport, list_json):
    """QEMU device id -> the guest's address for it (PCI address or platform device name)."""
    out = {}
    if sc_transport.startswith("pci"):
        with open(ctx.outpath("query-pci.json")) as f:
            buses = json.load(f)
        for bus in buses:
            for d in bus["devices"]:
                if d.get("qdev_id"):
                    out[d["qdev_id"]] = f"0000:{bus['bus']:02x}:{d['slot']:02x}.{d['function']}"
    else:
        with open(ctx.outpath("qtree.txt")) as f:
            bases = qtree_mmio_bases(f.read())
        by_base = {int(e["mmio_base"], 16): e["address"] for e in list_json if e.get("mmio_base")}
        for qid, base in bases.items():
            if base in by_base:
                out[qid] = by_base[base]
    return out


def load_guest(ctx, name, verb):
    """A document the guest saved, validated against docs/schema/VERB.json; `info` gives its one device."""
    p = ctx.outpath(os.path.join("guest", name))
    if not os.path.exists(p):
        return None
    with open(p) as f:
        text = f.read()
    if not text.strip():
        return None
    try:
        doc = json_schema.check(verb, text)
    except json_schema.Invalid as e:
        raise Mismatch(f"guest/{name}: {e}") from None
    if verb == "info":
        if len(doc) != 1:
            raise Mismatch(f"guest/{name}: {len(doc)} devices for one DEVICE")
        return doc[0]
    return doc


def expected_transport(sc_transport, device_id, bound):
    if sc_transport == "pci-transitional":
        return "pci-modern" if device_id in MODERN_ONLY_TYPES else "pci-transitional"
    if sc_transport == "mmio":
        # The register version is only visible through a driver (or an unbound window).
        return {"mmio-v2"} if bound else {"mmio-v2", "mmio"}
    return sc_transport


def check_driven(tag, e, st, defs, fails, key="features"):
    """A device a kernel driver holds: what the kernel negotiated is what QEMU saw the guest accept."""
    if e["device_id"] != st["device-id"]:
        fails.append(f"{tag}: device_id {e['device_id']}, QEMU says {st['device-id']}")
    want = feature_bits(st["guest-features"], defs)
    got = int(e[key], 16) if e[key] else None
    if got != want:
        fails.append(f"{tag}: negotiated features {e[key]}, QEMU guest-features {want:#x}")
    want = status_bits(st, defs)
    if e["status"] is None or int(e["status"], 16) != want:
        fails.append(f"{tag}: status {e['status']}, QEMU {want:#x}")


def check_released(tag, info, st, defs, fails, sc_transport, mac):
    """A device no driver holds: virtioctl read its registers; QEMU knows what they contain."""
    if info["registers"]["access"] is None:
        fails.append(f"{tag}: registers not read: {info['not_read']}")
        return
    want = feature_bits(st["host-features"], defs)
    if sc_transport == "pci-legacy":
        want &= 0xffffffff
    else:
        for key in (0, st["device-id"]):
            for b in QEMU_LEGACY_ONLY.get(key, ()):
                want &= ~(1 << b)
    got = int(info["features_offered"], 16) if info["features_offered"] else None
    if got is not None and sc_transport == "mmio":
        # QEMU keeps 64 feature bits; its virtio-mmio DeviceFeatures shifts them by 32 * DeviceFeaturesSel
        # without bounding the selector, so selectors 2 and 3 show junk rather than 0.  Compare what QEMU has.
        got &= (1 << 64) - 1
    if got != want:
        fails.append(f"{tag}: offered features {info['features_offered']}, QEMU host-features {want:#x}")
    want = status_bits(st, defs)
    if int(info["status"], 16) != want or info["status_source"] != "device":
        fails.append(f"{tag}: status {info['status']} ({info['status_source']}), QEMU {want:#x}")
    if info["num_queues"] != st["num-vqs"]:
        fails.append(f"{tag}: num_queues {info['num_queues']}, QEMU num-vqs {st['num-vqs']}")
    if mac and st["device-id"] == 1:
        got = (info["config"] or {}).get("mac")
        if got != mac:
            fails.append(f"{tag}: config.mac {got}, QEMU was given {mac}")


def pci_ids_names(vendor, device):
    """(vendor, device) names from this host's pci.ids (the guest's copy comes from it), parsed here."""
    for path in ("/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"):
        if not os.path.exists(path):
            continue
        vname = dname = None
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                if not line.startswith("\t"):
                    if vname is not None:
                        break
                    if line[:4].lower() == f"{vendor:04x}" and line[4] == " ":
                        vname = line[4:].strip()
                elif vname is not None and not line.startswith("\t\t") and line[1:5].lower() == f"{device:04x}":
                    dname = line[5:].strip()
        return vname, dname
    return None, None


def check_pci_kernel_view(tag, info, qpci, fails):
    """A driven PCI function: names of QEMU's ids in pci.ids; Linux's virtio-pci enabled bus mastering and,
    with MSI-X on, disabled INTx (pci_enable_device + pci_set_master; MSI-X enable sets Interrupt Disable)."""
    pci = info["pci"]
    if qpci:
        vname, dname = pci_ids_names(qpci["id"]["vendor"], qpci["id"]["device"])
        if (pci["pci_vendor_name"], pci["pci_device_name"]) != (vname, dname):
            fails.append(f"{tag}: pci names {pci['pci_vendor_name']!r} {pci['pci_device_name']!r}, pci.ids has "
                         f"{vname!r} {dname!r} for QEMU's {qpci['id']['vendor']:04x}:{qpci['id']['device']:04x}")
    names = pci["pci_command_names"] or []
    if "BUS_MASTER" not in names:
        fails.append(f"{tag}: a device its driver runs has no BUS_MASTER in {pci['pci_command']} {names}")
    if info["msix"] and info["msix"]["enabled"] and "INTX_DISABLE" not in names:
        fails.append(f"{tag}: MSI-X on but INTX_DISABLE clear in {pci['pci_command']} {names}")
    if "CAP_LIST" not in (pci["pci_status_names"] or []) and info["pci_capabilities"]:
        fails.append(f"{tag}: capabilities listed but CAP_LIST clear in status {pci['pci_status']}")


def check_sysfs_config(tag, info, qid, mac, blocks, fails):
    """The kernel's view of net and blk configuration against what QEMU was given and reports."""
    c = info["sysfs_config"]
    kinds = {k["class"] for k in info["kernel_devices"]}
    if "net" in kinds:
        if not c or c["class"] != "net":
            fails.append(f"{tag}: a net device but sysfs_config {c}")
        elif mac and c["mac"] != mac:
            fails.append(f"{tag}: sysfs_config.mac {c['mac']}, QEMU was given {mac}")
    elif "block" in kinds:
        size = blocks.get(qid)
        if not c or c["class"] != "block":
            fails.append(f"{tag}: a block device but sysfs_config {c}")
        elif size is not None and (c["capacity"] is None or c["capacity"] * 512 != size):
            fails.append(f"{tag}: sysfs_config.capacity {c['capacity']} sectors, QEMU query-block {size} bytes")
        elif c["hw_queues"] is None or c["hw_queues"] < 1:
            fails.append(f"{tag}: sysfs_config.hw_queues {c['hw_queues']}")
    elif c is not None:
        fails.append(f"{tag}: sysfs_config {c} without a net or block device")


def guest_kernel_devices(ctx):
    """virtioN -> sorted (class, name) from guest/sysfs-map.txt: class devices right below virtioN, and
    misc/hwrng for the one virtio_rng device when hw_random lists one virtio source.  None without the map."""
    p = ctx.outpath(os.path.join("guest", "sysfs-map.txt"))
    if not os.path.exists(p):
        return None
    virtio, classes, sources = {}, [], []
    with open(p) as f:
        for line in f:
            w = line.split()
            if w[:1] == ["virtio"] and len(w) >= 3:
                virtio[w[1]] = (w[2], w[3] if len(w) > 3 else "")
            elif w[:1] == ["class"] and len(w) == 4:
                classes.append((w[1], w[2], w[3]))
            elif w[:1] == ["rng_available"]:
                sources = [x for x in w[1:] if x.startswith("virtio_rng.")]
    rngs = [n for n, (_, drv) in virtio.items() if drv == "virtio_rng"]
    out = {}
    for n, (real, drv) in virtio.items():
        devs = [(c, name) for c, name, r in classes if os.path.dirname(os.path.dirname(r)) == real]
        if drv == "virtio_rng" and len(rngs) == 1 and len(sources) == 1:
            devs.append(("misc", "hwrng"))
        out[n] = sorted(devs)
    return out


def query_block_sizes(ctx):
    """QEMU device id -> virtual size of the disk behind it (query-block, when the scenario saved it)."""
    p = ctx.outpath("query-block.json")
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        out = {}
        for b in json.load(f):
            m = re.match(r"(?:/machine/peripheral/)?([^/]+)", b.get("qdev") or "")
            if m and b.get("inserted"):
                out[m.group(1)] = b["inserted"]["image"]["virtual-size"]
        return out


def query_pci_by_addr(ctx):
    p = ctx.outpath("query-pci.json")
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        return {f"0000:{bus['bus']:02x}:{d['slot']:02x}.{d['function']}": d for bus in json.load(f)
                for d in bus["devices"]}


def scenario_mac(ctx):
    for line in ctx.sc.get("devices", []):
        m = re.search(r"\bmac=([0-9a-f:]{17})", line)
        if m and line.startswith("net"):
            return m.group(1)
    return None


def check(ctx):
    fails = []
    defs = uapi_numbers()
    sc_transport = ctx.sc["transport"]
    listing = load_guest(ctx, "list-bound.json", "list")
    if listing is None:
        return ["guest/list-bound.json missing: the guest did not run virtioctl list --json"]
    with open(ctx.outpath("qmp-bound.json")) as f:
        bound = {d["id"]: d["status"] for d in json.load(f) if d["id"]}
    with open(ctx.outpath("virtio-devices.json")) as f:
        final = {d["id"]: d["status"] for d in json.load(f) if d["id"]}
    addr = guest_address_map(ctx, sc_transport, listing)
    by_addr = {e["address"]: e for e in listing}
    # "ADDRESS:ACCESS" per device the guest took from its driver, ACCESS the register path expected.
    rel = ctx.outpath(os.path.join("guest", "released.txt"))
    with open(rel) if os.path.exists(rel) else open(os.devnull) as f:
        released = dict(tok.rsplit(":", 1) for tok in f.read().split())
    if not released:
        fails.append("guest/released.txt missing or empty: the guest released no device from its driver")
    blocks = query_block_sizes(ctx)
    kdevs = guest_kernel_devices(ctx)
    if kdevs is None:
        fails.append("guest/sysfs-map.txt missing: kernel devices not checked")
    for e in listing:
        if kdevs is not None and e["device"]:
            got = sorted((k["class"], k["name"]) for k in e["kernel_devices"])
            if got != kdevs.get(e["device"], []):
                fails.append(f"{e['address']} list: kernel_devices {got}, the guest's sysfs has "
                             f"{kdevs.get(e['device'])}")
    qpci = query_pci_by_addr(ctx)
    try:
        for qid, st in sorted(bound.items()):
            a = addr.get(qid)
            if a is None or a not in by_addr:
                fails.append(f"{qid}: QEMU device not in the guest's list (address {a}); list has {sorted(by_addr)}")
                continue
            e = by_addr[a]
            tag = f"{qid} ({a}) list"
            want_t = expected_transport(sc_transport, st["device-id"], bool(e["driver"]))
            if e["transport"] not in (want_t if isinstance(want_t, set) else {want_t}):
                fails.append(f"{tag}: transport {e['transport']}, expected {want_t}")
            check_driven(tag, e, st, defs, fails)
            info = load_guest(ctx, f"info-bound-{a}.json", "info")
            if info is None:
                fails.append(f"{qid} ({a}): no info --json output")
                continue
            check_driven(f"{qid} ({a}) info", info, st, defs, fails)
            check_sysfs_config(f"{qid} ({a}) info", info, qid, scenario_mac(ctx), blocks, fails)
            if sc_transport.startswith("pci"):
                check_pci_kernel_view(f"{qid} ({a}) info", info, qpci.get(a), fails)
            if sc_transport.startswith("pci") and sc_transport != "pci-legacy" and not info["capabilities"]:
                fails.append(f"{qid} ({a}) info: no virtio capabilities on a {sc_transport} device")
            if info["problem_count"]:
                fails.append(f"{qid} ({a}) info: QEMU's device has spec problems: {info['problems']} "
                             f"{[c['problems'] for c in info['capabilities'] or []]}")
            if a in released:
                rinfo = load_guest(ctx, f"info-released-{a}.json", "info")
                if rinfo is None:
                    fails.append(f"{qid} ({a}): released but no info-released output")
                else:
                    if rinfo["registers"]["access"] != released[a]:
                        fails.append(f"{qid} ({a}) released: registers read through "
                                     f"{rinfo['registers']['access']}, expected {released[a]} ({rinfo['not_read']})")
                    check_released(f"{qid} ({a}) released", rinfo, final[qid], defs, fails, sc_transport,
                                   scenario_mac(ctx))
                    # virtio-pci's remove disables the function: with no driver, nothing may master DMA.
                    if released[a] == "sysfs" and "BUS_MASTER" in (rinfo["pci"]["pci_command_names"] or []):
                        fails.append(f"{qid} ({a}) released: BUS_MASTER still set with no driver "
                                     f"({rinfo['pci']['pci_command']})")
        if len(listing) != len(bound):
            fails.append(f"guest lists {len(listing)} devices, QEMU has {len(bound)}")
    except Mismatch as ex:
        fails.append(str(ex))
    return fails
