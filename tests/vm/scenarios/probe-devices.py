# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side hook for probe-devices: each self-test's detail line against the guest kernel's view and QEMU's (QMP, QOM).
#
# The kernel lines come from the script before the devices moved to vfio:
# "kernel_lun=N vendor=[...] model=[...]", "kinput pci=ADDR name=[...] ...",
# "kcap pci=ADDR TYPE=[sysfs bitmap]". Negotiated features, status and queue
# indices are compared with x-query-virtio-status by probe-pci.py's compare().

import os
import re

_probe_pci = {}
with open(os.path.join(os.path.dirname(__file__), "probe-pci.py")) as _f:
    exec(compile(_f.read(), "probe-pci.py", "exec"), _probe_pci)  # noqa: S102 - the sibling hook, for compare()

# evdev event type numbers (linux/input-event-codes.h) for the capability files sysfs shows.
EV_TYPES = {"key": 1, "rel": 2, "abs": 3, "msc": 4, "sw": 5, "led": 0x11, "snd": 0x12, "ff": 0x15}
KEY_A = 30   # the evdev code QEMU's virtio keyboard sends for qcode "a"


def text(ctx, name):
    """A saved QMP answer that is a plain string (qom-get of a string property) is stored as text."""
    path = ctx.outpath(name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read().strip()


def tests_of(report):
    return {t["name"]: t for t in report.get("tests", [])} if report else {}


def sysfs_bits(text):
    """Set bit numbers of a sysfs input bitmap: hex longs, most significant first."""
    bits = set()
    words = text.split()
    for i, w in enumerate(reversed(words)):
        v = int(w, 16)
        bits |= {i * 64 + b for b in range(64) if v >> b & 1}
    return bits


def script(ctx):
    return "\n".join(ctx.script_lines)


def check_scsi(ctx, fails):
    out = script(ctx)
    t = tests_of(ctx.load_json("guest/scsi.json"))
    for name in ("scsi.config", "scsi.report_luns", "scsi.inquiry", "scsi.capacity", "scsi.read"):
        if t.get(name, {}).get("result") != "pass":
            fails.append(f"scsi: {name} did not pass: {t.get(name)}")
    klun = {int(m.group(1)): (m.group(2).strip(), m.group(3).strip())
            for m in re.finditer(r"^kernel_lun=(\d+) vendor=\[(.*?)\] model=\[(.*?)\]", out, re.M)}
    m = re.search(r"\[([\d ]*)\]", t.get("scsi.report_luns", {}).get("detail", ""))
    luns = sorted(int(x) for x in m.group(1).split()) if m else None
    if luns != sorted(klun):
        fails.append(f"scsi.report_luns: probe {luns}, the kernel found LUNs {sorted(klun)}")
    m = re.search(r'vendor "(.*?)" product "(.*?)"', t.get("scsi.inquiry", {}).get("detail", ""))
    inq = (m.group(1), m.group(2)) if m else None
    if inq != klun.get(0):
        fails.append(f"scsi.inquiry: probe {inq}, the kernel's sd saw {klun.get(0)} on LUN 0")
    qv, qp = text(ctx, "qom-lun2-vendor.txt"), text(ctx, "qom-lun2-product.txt")
    if inq != (qv, qp):
        fails.append(f"scsi.inquiry: probe {inq}, QEMU was given vendor/product {(qv, qp)}")
    m = re.search(r"\((\d+) bytes\)", t.get("scsi.capacity", {}).get("detail", ""))
    cap = int(m.group(1)) if m else None
    blocks = ctx.load_json("qmp-block.json") or []
    vsize = next((b["inserted"]["image"]["virtual-size"] for b in blocks
                  if b.get("device") == "scsi0d" and "inserted" in b), None)
    ksize = re.search(r"^kernel_scsi_bytes=(\d+)", out, re.M)
    if cap is None or cap != vsize or cap != int(ksize.group(1) if ksize else -1):
        fails.append(f"scsi.capacity: probe {cap} bytes, QMP query-block virtual-size {vsize}, "
                     f"kernel {ksize.group(1) if ksize else None}")


def kernel_input(ctx, pci):
    out = script(ctx)
    m = re.search(rf"^kinput pci={re.escape(pci)} name=\[(.*?)\] uniq=\[(.*?)\] bus=(\w+) vendor=(\w+) "
                  rf"product=(\w+) version=(\w+) prop=\[(.*?)\]", out, re.M)
    caps = {c: sysfs_bits(v) for c, v in re.findall(rf"^kcap pci={re.escape(pci)} (\w+)=\[(.*?)\]", out, re.M)}
    return m, caps


def check_input(ctx, name, pci, serial_file, fails):
    report = ctx.load_json(f"guest/{name}.json")
    t = tests_of(report)
    km, caps = kernel_input(ctx, pci)
    if not km:
        return fails.append(f"{name}: no kernel view of {pci} in the script output")
    detail = t.get("input.config", {}).get("detail", "")
    m = re.match(r'name "(.*?)", serial "(.*?)", bustype 0x(\w+) vendor 0x(\w+) product 0x(\w+) version 0x(\w+)', detail)
    if not m:
        return fails.append(f"{name}: input.config detail not as expected: {detail!r}")
    probe = (m.group(1), m.group(2)) + tuple(int(x, 16) for x in m.group(3, 4, 5, 6))
    kernel = (km.group(1), km.group(2)) + tuple(int(x, 16) for x in km.group(3, 4, 5, 6))
    if probe != kernel:
        fails.append(f"{name}: input.config {probe}, the kernel's evdev device {kernel}")
    if m.group(2) != text(ctx, serial_file):
        fails.append(f"{name}: serial {m.group(2)!r}, QEMU's serial property {text(ctx, serial_file)!r}")
    ev = t.get("input.ev_bits", {})
    if ev.get("result") != "pass":
        fails.append(f"{name}: input.ev_bits did not pass: {ev}")
    seen = {n: (int(c), int(s)) for n, c, s in re.findall(r"(\w+) (\d+) (?:codes|bits) sum (\d+)", ev.get("detail", ""))}
    # sysfs adds EV_SYN to every device; EV_REP has no capability file of its own.
    want_types = caps.get("ev", set()) - {0}
    probe_types = {EV_TYPES[n] for n in seen if n in EV_TYPES} | ({0x14} if "rep" in seen else set())
    if probe_types != want_types:
        fails.append(f"{name}: EV_BITS types {sorted(probe_types)}, the kernel's capabilities/ev {sorted(want_types)}")
    for cname, bits in caps.items():
        if cname == "ev" or cname not in EV_TYPES or not bits and cname not in seen:
            continue
        if seen.get(cname) != (len(bits), sum(bits)):
            fails.append(f"{name}: {cname} bits (count, sum) {seen.get(cname)}, the kernel's {(len(bits), sum(bits))}")
    prop = sysfs_bits(km.group(7))
    if prop and seen.get("prop") != (len(prop), sum(prop)):
        fails.append(f"{name}: prop bits {seen.get('prop')}, the kernel's {(len(prop), sum(prop))}")
    return caps


def read_ppm(path):
    """A binary PPM (P6, maxval 255) as (width, height, rows of (r, g, b))."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not a P6 PPM with maxval 255")
    w, h = int(fields[1]), int(fields[2])
    return w, h, lambda x, y: tuple(data[pos + 3 * (y * w + x):pos + 3 * (y * w + x) + 3])


def check_gpu(ctx, fails):
    t = tests_of(ctx.load_json("guest/gpu.json"))
    for name in ("gpu.config", "gpu.display_info", "gpu.edid", "gpu.scanout"):
        if t.get(name, {}).get("result") != "pass":
            fails.append(f"gpu: {name} did not pass: {t.get(name)}")
    xres, yres = ctx.load_json("qom-gpu-xres.json"), ctx.load_json("qom-gpu-yres.json")
    m = re.search(r"scanout 0 (\d+)x(\d+)\+0\+0", t.get("gpu.display_info", {}).get("detail", ""))
    if not m or (int(m.group(1)), int(m.group(2))) != (xres, yres):
        fails.append(f"gpu.display_info: scanout 0 {m and m.group(0)}, QEMU's xres x yres {xres}x{yres}")
    m = re.search(r"preferred mode (\d+)x(\d+)", t.get("gpu.edid", {}).get("detail", ""))
    if not m or (int(m.group(1)), int(m.group(2))) != (xres, yres):
        fails.append(f"gpu.edid: {m and m.group(0)}, QEMU's xres x yres {xres}x{yres}")
    try:
        w, h, px = read_ppm(ctx.outpath("gpu-screen.ppm"))
    except (OSError, ValueError, IndexError) as e:
        return fails.append(f"gpu.scanout: QEMU's screendump unreadable: {e}")
    want = {(16, 16): (255, 0, 0), (48, 16): (0, 255, 0), (16, 48): (0, 0, 255), (48, 48): (255, 255, 255)}
    if (w, h) != (64, 64):
        return fails.append(f"gpu.scanout: QEMU's screendump is {w}x{h}, not the 64x64 scanout the probe set")
    for (x, y), rgb in want.items():
        if px(x, y) != rgb:
            fails.append(f"gpu.scanout: screendump pixel ({x},{y}) is {px(x, y)}, the probe drew {rgb}")


def check_balloon(ctx, fails):
    t = tests_of(ctx.load_json("guest/balloon.json"))
    for name in ("balloon.config", "balloon.inflate", "balloon.deflate", "balloon.stats"):
        if t.get(name, {}).get("result") != "pass":
            fails.append(f"balloon: {name} did not pass: {t.get(name)}")
    m = re.search(r"value=(\d+)", " ".join(ctx.sc["sync"]["pre-balloon"]))
    target = int(m.group(1))
    ram = (ctx.load_json("qmp-balloon.json") or {}).get("actual")
    m = re.search(r"inflated (\d+) pages \(the host asked for (\d+)\).*?(\d+) of \d+ pages discarded",
                  t.get("balloon.inflate", {}).get("detail", ""))
    if not m or ram is None:
        return fails.append(f"balloon: no inflate detail or no query-balloon answer ({ram})")
    n, asked, discarded = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if asked != (ram - target) // 4096 or n != asked:
        fails.append(f"balloon.inflate: {n} pages for a request of {asked}, QMP target {target} of {ram} bytes")
    if discarded != n:
        fails.append(f"balloon.inflate: QEMU discarded {discarded} of {n} inflated pages")
    ev1, ev2 = ctx.load_json("ev-balloon-1.json"), ctx.load_json("ev-balloon-2.json")
    got = [e and e.get("data", {}).get("actual") for e in (ev1, ev2)]
    if got != [ram - n * 4096, ram]:
        fails.append(f"balloon: BALLOON_CHANGE actual {got}, expected [{ram - n * 4096}, {ram}] for {n} pages in and out")
    m = re.search(r"sent majflt=(\d+) minflt=(\d+) free=(\d+) total=(\d+)", t.get("balloon.stats", {}).get("detail", ""))
    stats = (ctx.load_json("qom-balloon-stats.json") or {}).get("stats", {})
    keys = ("stat-major-faults", "stat-minor-faults", "stat-free-memory", "stat-total-memory")
    if not m or tuple(int(x) for x in m.groups()) != tuple(stats.get(k) for k in keys):
        fails.append(f"balloon.stats: probe sent {m and m.groups()}, QEMU's guest-stats {[stats.get(k) for k in keys]}")


def check(ctx):
    fails = []
    for name, qfile, q in (("scsi", "qmp-scsi-q2.json", 2), ("kbd", None, None), ("tab", None, None),
                           ("gpu", "qmp-gpu-q0.json", 0)):
        fails += _probe_pci["compare"](ctx, name, qfile, q)
    check_scsi(ctx, fails)
    check_gpu(ctx, fails)
    check_balloon(ctx, fails)
    m = re.search(r"^addr scsi=(\S+) kbd=(\S+) tab=(\S+)", script(ctx), re.M)
    if not m:
        return fails + ["no 'addr' line in the script output"]
    caps = check_input(ctx, "kbd", m.group(2), "qom-kbd-serial.txt", fails)
    check_input(ctx, "tab", m.group(3), "qom-tab-serial.txt", fails)
    events = tests_of(ctx.load_json("guest/kbd.json")).get("input.events", {})
    d = events.get("detail", "")
    if events.get("result") != "pass" or f"1 {KEY_A} 1" not in d or f"1 {KEY_A} 0" not in d:
        fails.append(f"kbd: input.events did not see KEY_A ({KEY_A}) pressed and released after QMP sendkey: {events}")
    if caps is not None and KEY_A not in caps.get("key", set()):
        fails.append(f"kbd: the kernel's key capabilities lack KEY_A ({KEY_A})")
    return fails
