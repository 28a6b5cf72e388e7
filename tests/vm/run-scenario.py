#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Boots one VM test scenario under QEMU/TCG, serves its sync points over QMP, then runs its checks.
"""Run a virtioctl VM scenario.

    run-scenario.py --virtioctl build/virtioctl pci-modern
    run-scenario.py --virtioctl /bin/true tests/vm/scenarios/mmio.toml -v

Exit status: 0 pass, 1 fail (any check, timeout, missing kernel package...).
There is deliberately no "skip": a VM test that cannot run is a failure.
"""

import argparse
import base64
import binascii
import json
import os
import queue
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import vm_guest  # noqa: E402
from vm_qmp import QMP, QMPError  # noqa: E402

QEMU = os.environ.get("VIRTIOCTL_VM_QEMU", "qemu-system-x86_64")

# Machine presets: QEMU args, extra kernel args, default transport.
MACHINES = {
    "q35": {"args": ["-M", "q35"], "kargs": [], "transport": "pci-modern"},
    # intel-iommu has to be created before the PCI devices it translates for. iommu=pt
    # gives kernel drivers identity mappings, so ring addresses QMP reports stay
    # guest-physical (pmemsave works) while vfio still gets real groups and domains.
    # no_timer_check: on a loaded host TCG misses the kernel's IO-APIC timer test, and with
    # interrupt remapping on the kernel panics ("timer doesn't work through Interrupt-remapped IO-APIC").
    "q35-iommu": {"args": ["-M", "q35", "-device", "intel-iommu,intremap=on,caching-mode=on"],
                  "kargs": ["intel_iommu=on", "iommu=pt", "no_timer_check"], "transport": "pci-modern"},
    # force-legacy=false: virtio-mmio transports default to the legacy (v1) register layout,
    # and modern-only devices (gpu, input) refuse to plug into those.
    "microvm": {"args": ["-M", "microvm,acpi=on", "-global", "virtio-mmio.force-legacy=false"],
                "kargs": ["@tsc"], "transport": "mmio"},
    "microvm-legacy": {"args": ["-M", "microvm,acpi=on"], "kargs": ["@tsc"], "transport": "mmio"},
}


def host_tsc_khz():
    """TSC frequency to hand to a microvm guest.

    microvm has no HPET or ACPI PM timer, so the guest can only calibrate its TSC
    against the PIT, which under TCG fails in about half the boots; the kernel
    then spins forever in calibrate_delay(). TCG's RDTSC returns the host TSC,
    so the host's frequency is the right answer; a slightly wrong value only
    makes the guest's clocksource watchdog fall back to jiffies later.
    """
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^cpu MHz\s*:\s*([\d.]+)", f.read(), re.M)
        if m:
            return int(float(m.group(1)) * 1000)
    except OSError:
        pass
    return 2000000


# How a library device becomes a QEMU model for each transport.
TRANSPORTS = {
    "pci-modern": ("-pci", "disable-legacy=on,disable-modern=off"),
    "pci-transitional": ("-pci", "disable-legacy=off,disable-modern=off"),
    "pci-legacy": ("-pci", "disable-legacy=off,disable-modern=on"),
    "mmio": ("-device", ""),
}

BASE_MODULES = {"pci-modern": ["virtio_pci"], "pci-transitional": ["virtio_pci"],
                "pci-legacy": ["virtio_pci"], "mmio": ["virtio_mmio"]}


class Fail(Exception):
    """One-line reason a scenario failed."""


def note(msg):
    print(f"[vm] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Scenario loading and QEMU command line


def find_scenario(name):
    for cand in (name, os.path.join(HERE, "scenarios", name + ".toml"),
                 os.path.join(HERE, "scenarios", name)):
        if os.path.isfile(cand):
            return os.path.abspath(cand)
    raise Fail(f"scenario {name!r} not found (looked in {os.path.join(HERE, 'scenarios')})")


def load_scenario(path):
    try:
        with open(path, "rb") as f:
            sc = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise Fail(f"{path}: {e}") from e
    known = {"description", "machine", "transport", "timeout", "memory", "smp", "modules",
             "helpers", "kernel_args", "qemu_args", "devices", "script", "sync", "post",
             "check", "hook", "expect_exit", "disk_size", "files", "kernel", "host_files"}
    unknown = set(sc) - known
    if unknown:
        raise Fail(f"{path}: unknown keys {sorted(unknown)} (known: {sorted(known)})")
    sc.setdefault("machine", "q35")
    sc.setdefault("kernel", "default")
    if sc["kernel"] not in vm_guest.KERNELS:
        raise Fail(f"{path}: kernel {sc['kernel']!r} not one of {sorted(vm_guest.KERNELS)}")
    if sc["machine"] not in MACHINES:
        raise Fail(f"{path}: machine {sc['machine']!r} not one of {sorted(MACHINES)}")
    sc.setdefault("transport", MACHINES[sc["machine"]]["transport"])
    if sc["transport"] not in TRANSPORTS:
        raise Fail(f"{path}: transport {sc['transport']!r} not one of {sorted(TRANSPORTS)}")
    sc.setdefault("timeout", 90)
    sc.setdefault("memory", 512)
    sc.setdefault("smp", 1)
    sc.setdefault("expect_exit", 0)
    sc.setdefault("disk_size", "16M")
    # A sync with no "vm_sync NAME" in the script never runs: usually a typo, or a
    # key such as post= written below the [sync] header where TOML files it as a sync.
    for name in sc.get("sync", {}):
        if name != "end" and not re.search(rf"vm_sync\s+['\"]?{re.escape(name)}\b", sc.get("script", "")):
            raise Fail(f"{path}: [sync] {name!r} has no 'vm_sync {name}' in the script "
                       "(keys after a [table] header belong to that table)")
    sc["path"] = path
    sc["name"] = os.path.splitext(os.path.basename(path))[0]
    return sc


def load_library():
    with open(os.path.join(HERE, "devices.toml"), "rb") as f:
        return tomllib.load(f)


def expand_devices(sc, lib, tmpdir):
    """Turn the scenario's device lines into QEMU args, guest modules and an id -> kind map."""
    args, modules, ids, notes = [], [], {}, []
    counters = {}
    transport = sc["transport"]
    for line in sc.get("devices", []):
        line = line.strip()
        if line.startswith("-"):
            args += shlex.split(line)
            continue
        head, _, props = line.partition(",")
        kind, _, dev_id = head.partition(":")
        if kind not in lib:
            raise Fail(f"device {kind!r} not in devices.toml (known: {', '.join(sorted(lib))})")
        ent = lib[kind]
        req = ent.get("requires")
        if req and not os.path.exists(req):
            notes.append(f"device {kind} left out: {req} does not exist on this host")
            continue
        if not dev_id:
            n = counters.get(kind, 0)
            counters[kind] = n + 1
            dev_id = f"{kind}{n}"
        suffix, tprops = TRANSPORTS[transport]
        if ent.get("modern_only") and transport.startswith("pci") and transport != "pci-modern":
            tprops = TRANSPORTS["pci-modern"][1]
            notes.append(f"device {dev_id} ({ent['qemu']}) is modern-only: plugged as modern")
        if ent.get("modern_only") and transport == "mmio" and sc["machine"] == "microvm-legacy":
            notes.append(f"device {dev_id} ({ent['qemu']}) is modern-only: left out on legacy mmio")
            continue
        model = ent["qemu"] + suffix
        dev = ",".join(p for p in (model, f"id={dev_id}", tprops, props) if p)
        subst = {"dev": dev, "id": dev_id, "tmp": tmpdir}
        for a in ent["args"]:
            if "{disk}" in a:
                disk = os.path.join(tmpdir, f"{dev_id}.raw")
                with open(disk, "wb") as f:
                    f.truncate(parse_size(sc["disk_size"]))
                subst["disk"] = disk
            opt, _, val = a.partition(" ")
            args += [opt, val.format(**subst)]
        modules += ent.get("modules", [])
        ids[dev_id] = kind
    return args, modules, ids, notes


def parse_size(s):
    m = re.fullmatch(r"(\d+)([KMG]?)", str(s))
    if not m:
        raise Fail(f"bad disk_size {s!r}")
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]


# --------------------------------------------------------------------------
# Templates and actions


class Ctx:
    def __init__(self, sc, out, virtioctl, helpers):
        self.sc = sc
        self.out = out
        self.virtioctl = virtioctl
        self.helpers = helpers
        self.qmp = None
        self.console = []       # every console line, \r stripped
        self.script_lines = []  # lines between @@READY and @@EXIT
        self.exit_status = None
        self.ready_time = None
        self.modfail = []
        self.files = {}
        self.sync_done = []
        self._paths = None

    def outpath(self, name):
        p = os.path.normpath(os.path.join(self.out, name))
        if not p.startswith(os.path.normpath(self.out) + os.sep):
            raise Fail(f"file name {name!r} escapes the output directory")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def load_json(self, name):
        """The JSON in output file name, or None when the run did not produce it."""
        path = self.outpath(name)
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def guest_value(self, key):
        """The value of the first `key=VALUE` line the guest script printed, as a string, or None."""
        for ln in self.script_lines:
            m = re.match(rf"{re.escape(key)}=(\S+)$", ln.strip())
            if m:
                return m.group(1)
        return None

    def qom_path(self, dev_id):
        """QOM path of the VirtIODevice behind a QEMU device id (PCI proxies wrap it)."""
        if self._paths is None:
            self._paths = [d["path"] for d in self.qmp.cmd("x-query-virtio")]
        for p in self._paths:
            if p.rstrip("/") == f"/machine/peripheral/{dev_id}" or \
               p.startswith(f"/machine/peripheral/{dev_id}/"):
                return p.rstrip("/")
        raise Fail(f"no virtio device with id {dev_id!r} in x-query-virtio ({self._paths})")

    def json_field(self, fname, key):
        with open(self.outpath(fname)) as f:
            v = json.load(f)
        for k in key.split(".") if key else []:
            if isinstance(v, list):
                v = v[int(k)]
            elif k in v:
                v = v[k]
            else:
                raise Fail(f"{fname}: no field {key!r} (have {sorted(v)})")
        return v

    def expand(self, text):
        def rep(m):
            kind, arg = m.group(1), m.group(2)
            if kind == "out":
                return self.out
            if kind == "virtioctl":
                return self.virtioctl
            if kind == "helper":
                return self.helpers[arg]
            if kind == "path":
                return self.qom_path(arg)
            if kind == "json":
                fname, _, key = arg.partition(":")
                v = self.json_field(fname, key)
                return v if isinstance(v, str) else json.dumps(v)
            if kind == "file":
                with open(self.outpath(arg), errors="replace") as f:
                    return f.read().strip()
            return m.group(0)
        return re.sub(r"\{(out|virtioctl|helper|path|json|file)(?::([^{}]*))?\}", rep, text)

    def save(self, fname, data):
        p = self.outpath(fname)
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(p, mode) as f:
            if isinstance(data, (bytes, str)):
                f.write(data)
            else:
                json.dump(data, f, indent=2)
                f.write("\n")
        return p


def split_redirect(action):
    m = re.match(r"^(.*?)\s+>\s*(\S+)\s*$", action)
    return (m.group(1), m.group(2)) if m else (action, None)


def parse_kv(words):
    args = {}
    for w in words:
        k, eq, v = w.partition("=")
        if not eq:
            raise Fail(f"QMP argument {w!r} is not key=value")
        try:
            args[k] = json.loads(v)
        except ValueError:
            args[k] = v
    return args


def is_packed(status):
    feats = status.get("guest-features", {})
    return any("RING_PACKED" in f for f in feats.get("transports", []))


def dump_vring(ctx, dev_id, qidx, prefix):
    """pmemsave one queue's three areas; sizes follow the split or packed layout."""
    path = ctx.qom_path(dev_id)
    q = ctx.qmp.cmd("x-query-virtio-queue-status", path=path, queue=int(qidx))
    st = ctx.qmp.cmd("x-query-virtio-status", path=path)
    n = q["vring-num"]
    packed = is_packed(st)
    if packed:
        sizes = {"desc": 16 * n, "avail": 4, "used": 4}
    else:
        sizes = {"desc": 16 * n, "avail": 6 + 2 * n, "used": 6 + 8 * n}
    addr = {"desc": q["vring-desc"], "avail": q["vring-avail"], "used": q["vring-used"]}
    meta = {"device": dev_id, "path": path, "queue": int(qidx), "size": n,
            "layout": "packed" if packed else "split", "queue_status": q, "areas": {}}
    for area in ("desc", "avail", "used"):
        fname = f"{prefix}-{area}.bin"
        p = ctx.outpath(fname)
        if os.path.exists(p):
            os.unlink(p)
        # QMP's pmemsave is HMP's without the expression parser, which reads a
        # '/' in an unquoted file name as a division.
        ctx.qmp.cmd("pmemsave", val=addr[area], size=sizes[area], filename=p)
        if not os.path.exists(p) or os.path.getsize(p) != sizes[area]:
            raise Fail(f"pmemsave of {area} ring at {addr[area]:#x} did not produce {sizes[area]} bytes in {p}")
        meta["areas"][area] = {"file": fname, "addr": addr[area], "addr_hex": f"{addr[area]:#x}",
                               "size": sizes[area]}
    ctx.save(f"{prefix}-queue.json", q)
    ctx.save(f"{prefix}.json", meta)


def virtio_devices(ctx):
    """x-query-virtio plus each device's status; also one virtio-status/<qemu id>.json each."""
    devs = []
    for d in ctx.qmp.cmd("x-query-virtio"):
        st = ctx.qmp.cmd("x-query-virtio-status", path=d["path"])
        m = re.match(r"/machine/peripheral/([^/]+)", d["path"])
        qid = m.group(1) if m else None
        devs.append({"id": qid, "path": d["path"], "name": d["name"],
                     "device-id": st["device-id"], "status": st})
        if qid:
            ctx.save(f"virtio-status/{qid}.json", st)
    return devs


def run_action(ctx, action):
    """Execute one sync/post action line; returns a reply payload for 'reply' actions."""
    action = action.strip()
    if not action or action.startswith("#"):
        return None
    body, redirect = split_redirect(action)
    words = body.split(None, 1)
    verb, rest = words[0], (words[1] if len(words) > 1 else "")
    needs_vm = verb in ("qmp", "hmp", "dump-vring", "virtio-devices", "wait-event")
    if needs_vm and ctx.qmp is None:
        raise Fail(f"action {action!r} needs the running VM (only host/reply work in 'post')")
    rest = ctx.expand(rest)
    result = None
    if verb == "qmp":
        parts = shlex.split(rest)
        result = ctx.qmp.cmd(parts[0], **parse_kv(parts[1:]))
    elif verb == "hmp":
        result = ctx.qmp.hmp(rest)
        # HMP reports errors as text, not as a QMP error.
        if re.match(r"^(Error|unknown command|Invalid parameter)", result or "", re.I):
            raise Fail(f"hmp {rest!r}: {result.strip()}")
    elif verb == "dump-vring":
        parts = rest.split()
        if len(parts) != 3:
            raise Fail(f"dump-vring wants DEVICE_ID QUEUE PREFIX, got {rest!r}")
        dump_vring(ctx, *parts)
    elif verb == "virtio-devices":
        result = virtio_devices(ctx)
    elif verb == "wait-event":
        # wait-event NAME [data-key=value ...] [timeout=SECONDS]
        parts = rest.split()
        want = parse_kv(parts[1:])
        tmo = float(want.pop("timeout", 30))
        result = ctx.qmp.wait_event(
            parts[0], tmo, match=lambda d: all(d.get(k) == v for k, v in want.items()))
    elif verb in ("host", "host-try"):
        # host-try is for commands that may legitimately be unimplemented yet (exit 2).
        p = subprocess.run(rest, shell=True, cwd=ctx.out, capture_output=True, text=True,
                           timeout=60)
        if p.stderr:
            sys.stderr.write(p.stderr)
        if redirect is None:
            sys.stdout.write(p.stdout)
            sys.stdout.flush()
        else:
            ctx.save(redirect, p.stdout)
            ctx.save(redirect + ".status", f"{p.returncode}\n")
        if p.returncode != 0 and verb == "host":
            raise Fail(f"host command {rest!r} exited {p.returncode}: {p.stderr.strip()[-200:]}")
        return None
    elif verb == "sleep":
        time.sleep(float(rest))
    elif verb == "reply":
        return rest
    else:
        raise Fail(f"unknown action verb {verb!r} in {action!r} "
                   "(qmp, hmp, dump-vring, virtio-devices, wait-event, host, host-try, sleep, reply)")
    if redirect is not None and result is not None:
        ctx.save(redirect, result)
    return None


def run_sync(ctx, name):
    actions = list(ctx.sc.get("sync", {}).get(name, []))
    ctx._paths = None  # devices may have come or gone since the last sync
    if name == "end":
        # Every run ends with a device snapshot so checks need no sync point of their own.
        actions = ["virtio-devices > virtio-devices.json"] + actions
    reply = []
    for a in actions:
        r = run_action(ctx, a)
        if r is not None:
            reply.append(r)
    ctx.sync_done.append(name)
    return " ".join(reply)


# --------------------------------------------------------------------------
# Checks


def resolve(ctx, spec):
    """Value of a check operand: a source expression or a literal."""
    if not isinstance(spec, str):
        return spec
    if spec == "exit":
        return ctx.exit_status
    if spec == "output":
        return "\n".join(ctx.script_lines)
    if spec == "console":
        return "\n".join(ctx.console)
    kind, sep, arg = spec.partition(":")
    if not sep:
        return spec
    if kind == "guest":
        m = re.search(arg, "\n".join(ctx.script_lines), re.M)
        if not m:
            raise Fail(f"guest output has no match for /{arg}/")
        return m.group(1) if m.groups() else m.group(0)
    if kind == "count":
        return len(re.findall(arg, "\n".join(ctx.script_lines), re.M))
    if kind == "file":
        p = ctx.outpath(arg)
        if not os.path.exists(p):
            raise Fail(f"file {arg} was not produced")
        with open(p, errors="replace") as f:
            return f.read()
    if kind == "json":
        fname, _, key = arg.partition(":")
        if not os.path.exists(ctx.outpath(fname)):
            raise Fail(f"file {fname} was not produced")
        return ctx.json_field(fname, key)
    if kind in ("le16", "le32", "le64"):
        fname, _, off = arg.partition("@")
        width = {"le16": 2, "le32": 4, "le64": 8}[kind]
        p = ctx.outpath(fname)
        if not os.path.exists(p):
            raise Fail(f"file {fname} was not produced")
        with open(p, "rb") as f:
            data = f.read()
        o = int(off or 0, 0)
        if len(data) < o + width:
            raise Fail(f"{fname} has {len(data)} bytes, need {o + width}")
        return int.from_bytes(data[o:o + width], "little")
    if kind == "expand":
        return ctx.expand(arg)
    return spec


def as_number(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return int(v.strip(), 0)
        except ValueError:
            return None
    return None


def short(v, n=120):
    s = v if isinstance(v, str) else json.dumps(v)
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


def check_one(ctx, c):
    label = c.get("name") or json.dumps(c)
    try:
        _check_one(ctx, c, label)
    except Fail as e:
        msg = str(e)
        raise Fail(msg if msg.startswith(label + ":") else f"{label}: {msg}") from None


def _check_one(ctx, c, label):
    if c.get("kind") == "virtio-match":
        return check_virtio_match(ctx, c, label)
    value = resolve(ctx, c["value"])
    for op in ("equals", "not_equals", "greater", "less", "matches", "not_matches", "contains"):
        if op not in c:
            continue
        want = resolve(ctx, c[op]) if op not in ("matches", "not_matches") else c[op]
        if op in ("equals", "not_equals"):
            a, b = as_number(value), as_number(want)
            same = (a == b) if a is not None and b is not None else (value == want)
            if same != (op == "equals"):
                raise Fail(f"{label}: expected {c['value']} {'==' if op == 'equals' else '!='} "
                           f"{short(want)}, saw {short(value)}")
        elif op in ("greater", "less"):
            a, b = as_number(value), as_number(want)
            if a is None or b is None or (a > b if op == "greater" else a < b) is False:
                raise Fail(f"{label}: expected {c['value']} {'>' if op == 'greater' else '<'} "
                           f"{short(want)}, saw {short(value)}")
        elif op == "matches":
            if not re.search(want, str(value), re.M):
                text = str(value)
                seen = (f"no match in {text.count(chr(10)) + 1} lines (first: {short(text.splitlines()[0], 80)})"
                        if "\n" in text else short(text))
                raise Fail(f"{label}: expected /{want}/ in {c['value']}, saw {seen}")
        elif op == "not_matches":
            m = re.search(want, str(value), re.M)
            if m:
                raise Fail(f"{label}: expected no /{want}/ in {c['value']}, saw {short(m.group(0))}")
        elif op == "contains":
            if str(want) not in str(value):
                raise Fail(f"{label}: expected {short(want)} in {c['value']}, saw {short(value)}")
        return
    raise Fail(f"{label}: check has no operator (equals, not_equals, greater, less, matches, "
               "not_matches, contains)")


def guest_virtio_ids(ctx):
    return sorted(int(m.group(1), 16) for m in
                  (re.match(r"@@VIRTIO \S+ (0x[0-9a-fA-F]+)", ln) for ln in ctx.console) if m)


def check_virtio_match(ctx, c, label):
    """Device types the guest sees on its virtio bus == device types QEMU reports."""
    fname = c.get("json", "virtio-devices.json")
    if not os.path.exists(ctx.outpath(fname)):
        raise Fail(f"{label}: {fname} was not produced (the final sync did not happen)")
    with open(ctx.outpath(fname)) as f:
        host = sorted(d["device-id"] for d in json.load(f))
    guest = guest_virtio_ids(ctx)
    if not guest:
        raise Fail(f"{label}: guest printed no @@VIRTIO lines (did the script call vm_list_virtio?)")
    if c.get("set_only"):
        host, guest = sorted(set(host)), sorted(set(guest))
    if host != guest:
        raise Fail(f"{label}: expected guest virtio device ids {host} (QMP x-query-virtio), "
                   f"saw {guest}")
    if "min" in c and len(set(host)) < c["min"]:
        raise Fail(f"{label}: expected at least {c['min']} device types, saw {len(set(host))}: {host}")


def run_checks(ctx):
    sc = ctx.sc
    fails = []
    if ctx.modfail:
        fails.append(f"module load: expected all modules to load, saw failures: {'; '.join(ctx.modfail)}")
    if ctx.exit_status is None:
        fails.append("guest: expected an @@EXIT marker from /init, saw none")
    elif ctx.exit_status != sc["expect_exit"]:
        last = [ln for ln in ctx.script_lines if not ln.startswith("@@")][-3:]
        fails.append(f"guest script exit status: expected {sc['expect_exit']}, saw {ctx.exit_status} "
                     f"(last output: {short(' | '.join(last), 200)})")
    for c in sc.get("check", []):
        try:
            check_one(ctx, c)
        except Fail as e:
            fails.append(str(e))
        except (KeyError, ValueError, TypeError, re.error) as e:
            fails.append(f"{c.get('name', c)}: malformed check or data: {e!r}")
    hook = sc.get("hook")
    if hook:
        hp = os.path.join(os.path.dirname(sc["path"]), hook)
        ns = {"__file__": hp, "__name__": "scenario_hook"}
        with open(hp) as f:
            exec(compile(f.read(), hp, "exec"), ns)
        try:
            res = ns["check"](ctx)
            res = [res] if isinstance(res, str) else list(res or [])
            fails.extend(res[:5])
            if len(res) > 5:
                fails.append(f"{hook}: ... and {len(res) - 5} more failures like these")
        except (AssertionError, Fail) as e:
            fails.append(f"{hook}: {e}")
        except Exception as e:  # noqa: BLE001 - a crashing hook is a failed check, not a runner bug
            fails.append(f"{hook}: crashed: {e!r}")
    return fails


# --------------------------------------------------------------------------
# Helpers (extra guest binaries)


# --------------------------------------------------------------------------
# The run


def reader(stream, q):
    buf = b""
    while True:
        chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(1)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            q.put(line.decode("utf-8", "replace").replace("\r", ""))
    if buf:
        q.put(buf.decode("utf-8", "replace").replace("\r", ""))
    q.put(None)


def run(args):
    t0 = time.monotonic()
    sc = load_scenario(find_scenario(args.scenario))
    if args.kernel:
        sc["kernel"] = args.kernel
    timeout = args.timeout or sc["timeout"]
    out = os.path.abspath(args.out or os.path.join(vm_guest.cache_dir(), "runs", sc["name"]))
    # Only a directory this runner made (marker file) or an empty one is wiped:
    # --out pointing at something precious must not cost it.
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.exists(os.path.join(out, ".vm-run")):
            raise Fail(f"--out {out} exists, is not empty and is not a previous run's directory")
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, ".vm-run"), "w").close()
    virtioctl = os.path.abspath(args.virtioctl)
    if not os.path.isfile(virtioctl):
        raise Fail(f"--virtioctl {virtioctl}: no such file")

    helpers = {}
    if any("=" not in h for h in args.helper):
        raise Fail(f"--helper wants NAME=PATH, got {args.helper}")
    given = dict(h.split("=", 1) for h in args.helper)
    for h in sc.get("helpers", []):
        if h not in given:
            raise Fail(f"scenario needs helper {h!r}: pass --helper {h}=PATH (meson does: build/tests/vm/{h})")
        helpers[h] = os.path.abspath(given[h])

    tmpdir = tempfile.mkdtemp(prefix=f"vm-{sc['name']}-")
    proc = None
    ctx = Ctx(sc, out, virtioctl, helpers)
    args.ctx = ctx  # main() shows its console tail when run() raises
    try:
        lib = load_library()
        dev_args, dev_modules, ids, notes = expand_devices(sc, lib, tmpdir)
        for n in notes:
            note(n)
        ctx.save("device-ids.json", ids)

        try:
            kernel = vm_guest.fetch_kernel(sc["kernel"])
            modules = BASE_MODULES[sc["transport"]] + dev_modules + sc.get("modules", [])
            base = vm_guest.base_cpio()
            mods, loaded = vm_guest.modules_cpio(kernel, list(dict.fromkeys(modules)))
            files = {"etc/scenario.sh": sc.get("script", "").encode()}
            for gpath, content in sc.get("files", {}).items():
                files[gpath] = ctx.expand(content).encode()
            binaries = {"usr/bin/virtioctl": virtioctl}
            for h, p in helpers.items():
                binaries[f"usr/bin/{h}"] = p
            # Host programs (with their ldd libraries) and data files, at the same path in the guest.
            for hp in sc.get("host_files", []):
                if not os.path.isfile(hp):
                    raise vm_guest.GuestError(f"host file {hp} missing (scripts/install-deps.sh installs it)")
                if os.access(hp, os.X_OK):
                    binaries[hp.lstrip("/")] = hp
                else:
                    with open(hp, "rb") as f:
                        files[hp.lstrip("/")] = f.read()
            runcpio = os.path.join(tmpdir, "run.cpio")
            vm_guest.run_cpio(runcpio, files, binaries)
            initrd = os.path.join(tmpdir, "initrd.cpio")
            vm_guest.build_initrd(initrd, [base, mods, runcpio])
        except vm_guest.GuestError as e:
            raise Fail(f"guest image: {e}") from e
        prep = time.monotonic() - t0

        nonce = secrets.token_hex(6)
        machine = MACHINES[sc["machine"]]
        kargs = ["console=ttyS0", "quiet", "loglevel=3", "panic=-1", "oops=panic",
                 f"vmtest.nonce={nonce}"] + \
            [f"tsc_early_khz={host_tsc_khz()}" if k == "@tsc" else k for k in machine["kargs"]] + \
            shlex.split(sc.get("kernel_args", ""))
        qmp_path = os.path.join(tmpdir, "qmp.sock")
        cmd = [QEMU, "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
               "-no-reboot", "-m", str(sc["memory"]), "-smp", str(sc["smp"]),
               *machine["args"],
               "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
               "-qmp", f"unix:{qmp_path},server=on,wait=on",
               "-kernel", kernel["vmlinuz"], "-initrd", initrd, "-append", " ".join(kargs),
               *dev_args, *[ctx.expand(a) for a in sc.get("qemu_args", [])]]
        with open(os.path.join(out, "qemu-cmdline.txt"), "w") as f:
            f.write(shlex.join(cmd) + "\n")
        note(f"{sc['name']}: kernel {kernel['package']} {kernel['version']}, "
             f"modules {len(loaded)}, prep {prep:.1f}s, output in {out}")

        qemu_err = open(os.path.join(out, "qemu-stderr.txt"), "wb")
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=qemu_err,
                                cwd=out, start_new_session=True)
        try:
            ctx.qmp = QMP(qmp_path, proc=proc)
        except QMPError as e:
            proc.wait(timeout=10)
            raise Fail(f"QEMU did not start: {e}: {read_tail(os.path.join(out, 'qemu-stderr.txt'))}")
        boot_t0 = time.monotonic()
        q = queue.Queue()
        threading.Thread(target=reader, args=(proc.stdout, q), daemon=True).start()
        deadline = boot_t0 + timeout
        consolelog = open(os.path.join(out, "console.log"), "w")
        in_file = None
        file_buf = []
        in_script = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail(f"timeout: guest did not finish within {timeout}s "
                           f"(last console line: {short(ctx.console[-1] if ctx.console else '<none>')})")
            try:
                line = q.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                break
            consolelog.write(line + "\n")
            consolelog.flush()
            ctx.console.append(line)
            if args.verbose:
                print(f"  | {line}", file=sys.stderr, flush=True)
            # Markers are matched anywhere in the line: a stray kernel message can precede them.
            if in_file is not None:
                m = re.search(r"@@EOF (\S+) (-?\d+)", line)
                if m and m.group(1) == in_file:
                    try:
                        data = base64.b64decode("".join(file_buf))
                    except binascii.Error as e:
                        raise Fail(f"guest file {in_file}: corrupt base64 on the console: {e}")
                    ctx.save(os.path.join("guest", in_file), data)
                    ctx.save(os.path.join("guest", in_file + ".status"), f"{m.group(2)}\n")
                    ctx.files[in_file] = int(m.group(2))
                    in_file = None
                else:
                    file_buf.append(line.strip())
                continue
            m = re.search(r"@@(READY|EXIT|SYNC|FILE|MODFAIL)(?: (.*))?$", line)
            if not m:
                if in_script:
                    ctx.script_lines.append(line)
                continue
            tag, rest = m.group(1), (m.group(2) or "")
            if tag == "READY":
                ctx.ready_time = time.monotonic() - boot_t0
                in_script = True
            elif tag == "MODFAIL":
                ctx.modfail.append(rest)
            elif tag == "FILE":
                in_file, file_buf = rest.strip(), []
            elif tag == "EXIT":
                parts = rest.split()
                if len(parts) == 2 and parts[0] == nonce:
                    ctx.exit_status = int(parts[1])
                    in_script = False
                else:
                    ctx.script_lines.append(line)
            elif tag == "SYNC":
                name = rest.strip()
                if in_script:
                    ctx.script_lines.append(line)
                t = time.monotonic()
                try:
                    payload = run_sync(ctx, name)
                    reply = f"@@GO {name} {payload}".rstrip()
                except (Fail, QMPError, OSError, subprocess.SubprocessError) as e:
                    raise Fail(f"sync '{name}': {e}")
                try:
                    proc.stdin.write((reply + "\n").encode())
                    proc.stdin.flush()
                except OSError as e:
                    raise Fail(f"sync '{name}': cannot answer the guest, QEMU gone? ({e})")
                if args.verbose:
                    note(f"sync {name}: actions took {time.monotonic() - t:.2f}s")
        proc.wait(timeout=15)
        boot_total = time.monotonic() - boot_t0
        ctx.qmp.close()
        ctx.qmp = None
        if ctx.exit_status is None and proc.returncode != 0:
            raise Fail(f"QEMU exited with status {proc.returncode} before the guest finished: "
                       f"{read_tail(os.path.join(out, 'qemu-stderr.txt'))}")
        for a in sc.get("post", []):
            try:
                run_action(ctx, a)
            except (Fail, OSError, subprocess.SubprocessError) as e:
                raise Fail(f"post action {a!r}: {e}")
        fails = run_checks(ctx)
        ready = f"{ctx.ready_time:.1f}s" if ctx.ready_time is not None else "never"
        note(f"{sc['name']}: boot to /init script {ready}, VM total {boot_total:.1f}s, "
             f"wall {time.monotonic() - t0:.1f}s")
        return ctx, fails
    finally:
        if proc is not None and proc.poll() is None:
            # Only our own QEMU, by its process group (started with start_new_session).
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
            proc.wait()
        if not args.keep:
            shutil.rmtree(tmpdir, ignore_errors=True)


def read_tail(path, n=400):
    try:
        with open(path, errors="replace") as f:
            # The QMP wait notice is printed on every start and explains nothing.
            s = "\n".join(ln for ln in f.read().strip().splitlines()
                          if "QEMU waiting for connection" not in ln)
    except OSError:
        return ""
    return s[-n:].replace("\n", " | ")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--virtioctl", required=True, help="virtioctl binary to put into the guest")
    ap.add_argument("--helper", action="append", default=[], metavar="NAME=PATH",
                    help="prebuilt helper named in the scenario's 'helpers' (meson builds them)")
    ap.add_argument("--kernel", choices=sorted(vm_guest.KERNELS),
                    help="boot this guest kernel instead of the scenario's (e.g. trixie: Debian 13's 6.12)")
    ap.add_argument("--out", help="output directory (default: <cache>/runs/<scenario>)")
    ap.add_argument("--timeout", type=float, help="override the scenario's timeout (seconds)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (initrd, disks)")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the guest console")
    ap.add_argument("scenario", help="scenario name (tests/vm/scenarios/NAME.toml) or path")
    args = ap.parse_args()
    args.verbose = args.verbose or bool(os.environ.get("VIRTIOCTL_VM_VERBOSE"))
    args.ctx = None
    try:
        _, fails = run(args)
    except Fail as e:
        fails = [str(e)]
    except Exception as e:  # a harness bug must still read as a failure, with its trace
        import traceback
        traceback.print_exc()
        fails = [f"internal error in the runner: {e!r}"]
    ctx = args.ctx
    name = os.path.splitext(os.path.basename(args.scenario))[0]
    if fails:
        if ctx is not None and ctx.console and not args.verbose:
            print(f"--- last console lines of {name} ---", file=sys.stderr)
            for ln in ctx.console[-25:]:
                print(f"  | {ln}", file=sys.stderr)
        for f in fails:
            print(f"FAIL {name}: {f}")
        return 1
    print(f"PASS {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
