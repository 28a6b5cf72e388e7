# SPDX-License-Identifier: GPL-2.0-or-later
# Guest image pieces for the VM tests: Debian kernel fetch/cache, module closure, newc initramfs parts.
"""Builds what a test VM boots: a cached Debian cloud kernel and a layered initramfs.

The initramfs is a concatenation of newc archives (the kernel unpacks them in
order), so the expensive and stable parts (busybox + init, kernel modules) are
cached on disk and only the small per-run part (virtioctl, its libraries, the
scenario script) is written for every run.
"""

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KERNEL_META_PKG = "linux-image-cloud-amd64"
BUSYBOX = "/bin/busybox"
PCI_IDS = "/usr/share/misc/pci.ids"


class GuestError(Exception):
    """Raised when the guest cannot be prepared; callers turn it into a test FAILURE, never a skip."""


def cache_dir():
    d = os.environ.get("VIRTIOCTL_VM_CACHE") or os.path.join(REPO, ".cache", "vm")
    os.makedirs(d, exist_ok=True)
    return d


def log(msg):
    print(f"[vm] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Kernel package


def _apt(args):
    try:
        p = subprocess.run(args, capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        raise GuestError(f"{args[0]} not found ({e}); the VM tests need a Debian host with apt") from e
    return p


def _apt_lists_stamp():
    d = "/var/lib/apt/lists"
    try:
        return max((os.path.getmtime(os.path.join(d, f)) for f in os.listdir(d)), default=0)
    except OSError:
        return 0


def resolve_kernel_package(flavour="default"):
    try:
        return _resolve_kernel_package(flavour)
    except GuestError as e:
        # Debian container images ship without apt lists; root can fix that here
        # instead of failing a CI run whose packages were all preinstalled.
        if os.geteuid() != 0 or os.environ.get("VIRTIOCTL_VM_NO_APT_UPDATE"):
            raise
        log(f"{e}; running apt-get update once")
        p = _apt(["apt-get", "update", "-q"])
        if p.returncode != 0:
            raise GuestError(f"{e}; apt-get update failed too: {p.stderr.strip()[-300:]}") from e
        return _resolve_kernel_package(flavour)


# Guest kernels a scenario can ask for with `kernel = NAME`. "default" is the cloud
# kernel the machine's own apt sources offer (Debian 12: 6.1); "trixie" is Debian 13's
# (6.12), resolved and downloaded through a private apt configuration in the cache
# so the machine's sources are never touched.
KERNELS = {"default": None, "trixie": "trixie"}


def _host_archive():
    """(URI, keyring) of the Debian archive the machine's apt sources name."""
    stanzas = []
    d = "/etc/apt/sources.list.d"
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if fn.endswith(".sources"):
            with open(os.path.join(d, fn)) as f:
                for block in re.split(r"\n\s*\n", f.read()):
                    fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", block, re.M))
                    stanzas.append((fields.get("URIs", "").split(), fields.get("Suites", "").split(),
                                    fields.get("Signed-By")))
    for fn in ("/etc/apt/sources.list",):
        if os.path.exists(fn):
            with open(fn) as f:
                for line in f:
                    m = re.match(r"\s*deb\s+(?:\[([^]]*)\]\s+)?(\S+)\s+(\S+)", line)
                    if m:
                        sb = re.search(r"signed-by=(\S+)", m.group(1) or "")
                        stanzas.append(([m.group(2)], [m.group(3)], sb.group(1) if sb else None))
    for uris, suites, keyring in stanzas:
        # The main archive: a plain codename, not -security/-updates.
        if uris and any("-" not in s for s in suites) and "security" not in uris[0]:
            return uris[0], keyring or "/usr/share/keyrings/debian-archive-keyring.gpg"
    raise GuestError("no Debian archive in the machine's apt sources to fetch a trixie kernel from")


def _private_apt(suite):
    """apt options pointing at a private sources list, lists and cache for SUITE."""
    d = os.path.join(cache_dir(), f"apt-{suite}")
    for sub in ("lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    uri, keyring = _host_archive()
    src = os.path.join(d, "sources.list")
    line = f"deb [signed-by={keyring}] {uri} {suite} main\n"
    if not os.path.exists(src) or open(src).read() != line:
        with open(src, "w") as f:
            f.write(line)
    return ["-o", f"Dir::Etc::sourcelist={src}", "-o", "Dir::Etc::sourceparts=-",
            "-o", f"Dir::State::Lists={d}/lists", "-o", f"Dir::Cache={d}/cache"], d


def _private_apt_update(opts):
    p = _apt(["apt-get", *opts, "-q", "update"])
    if p.returncode != 0:
        raise GuestError(f"apt-get update of the private apt configuration failed: "
                         f"{(p.stderr or p.stdout).strip()[-300:]}")


def _resolve_kernel_package(flavour="default"):
    """Return (package, version, apt options) of the cloud kernel apt would install now.

    Resolution is local (apt lists), so a cached kernel needs no network. The
    answer is memoised against the apt lists' mtime because apt-cache takes
    seconds on images that keep no pkgcache.bin. The env var pins the package
    of the default kernel for reproducing an old failure.
    """
    suite = KERNELS[flavour]
    opts = []
    pinned = os.environ.get("VIRTIOCTL_VM_KERNEL_PKG") if suite is None else None
    if suite is None:
        stamp = _apt_lists_stamp()
    else:
        opts, d = _private_apt(suite)
        lists = os.path.join(d, "lists")
        if not any(f.endswith("_Packages") or "_Packages." in f for f in os.listdir(lists)):
            log(f"apt-get update of the private {suite} lists in {d}")
            _private_apt_update(opts)
        stamp = max((os.path.getmtime(os.path.join(lists, f)) for f in os.listdir(lists)), default=0)
    memo = os.path.join(cache_dir(), f"kernel-resolve{'' if suite is None else '-' + suite}.json")
    try:
        with open(memo) as f:
            m = json.load(f)
        if m["stamp"] == stamp and m["pinned"] == pinned:
            return m["package"], m["version"], opts
    except (OSError, ValueError, KeyError):
        pass
    if pinned:
        pkg = pinned
        p = _apt(["apt-cache", "show", "--no-all-versions", pkg])
        m = re.search(r"^Version:\s*(\S+)", p.stdout, re.M)
        if not m:
            raise GuestError(f"apt-cache knows no {pkg} (run 'apt-get update' first): "
                             f"{p.stderr.strip() or p.stdout.strip()}")
        ver = m.group(1)
    else:
        p = _apt(["apt-cache", *opts, "show", "--no-all-versions", KERNEL_META_PKG])
        m = re.search(r"^Depends:.*?\b(linux-image-[^\s,(]+)\s*\(=\s*([^)\s]+)\)", p.stdout, re.M)
        if not m:
            raise GuestError(f"cannot resolve {KERNEL_META_PKG} via apt-cache show "
                             f"(run 'apt-get update' first): {p.stderr.strip() or p.stdout.strip()[:200]}")
        pkg, ver = m.group(1), m.group(2)
    with open(memo, "w") as f:
        json.dump({"stamp": stamp, "pinned": pinned, "package": pkg, "version": ver}, f)
    return pkg, ver, opts


def _kernel_root(flavour):
    return os.path.join(cache_dir(), "kernel" if flavour == "default" else f"kernel-{flavour}")


def _newest_cached_kernel(flavour="default"):
    kdir = _kernel_root(flavour)
    if not os.path.isdir(kdir):
        return None
    done = [d for d in os.listdir(kdir) if os.path.exists(os.path.join(kdir, d, ".complete"))]
    if not done:
        return None
    done.sort(key=lambda d: os.path.getmtime(os.path.join(kdir, d, ".complete")))
    return os.path.join(kdir, done[-1])


def fetch_kernel(flavour="default"):
    """Ensure the kernel is unpacked in the cache; return a dict describing it."""
    if flavour not in KERNELS:
        raise GuestError(f"kernel {flavour!r} is not one of {sorted(KERNELS)}")
    try:
        pkg, ver, opts = resolve_kernel_package(flavour)
    except GuestError as e:
        # apt lists missing (e.g. a cleaned CI image) is not a reason to fail
        # when a kernel was already unpacked by an earlier run.
        old = _newest_cached_kernel(flavour)
        if old is None:
            raise
        log(f"warning: {e}; using cached {os.path.basename(old)}")
        return _kernel_info(old)
    safe_ver = re.sub(r"[^A-Za-z0-9.+~-]", "_", ver)
    dest = os.path.join(_kernel_root(flavour), f"{pkg}_{safe_ver}")
    if os.path.exists(os.path.join(dest, ".complete")):
        return _kernel_info(dest)
    log(f"fetching {pkg} {ver} into {dest}")
    tmp = tempfile.mkdtemp(prefix="kernel-", dir=cache_dir())
    try:
        p = subprocess.run(["apt-get", *opts, "download", f"{pkg}={ver}"], cwd=tmp,
                           capture_output=True, text=True)
        if p.returncode != 0 and opts:
            # Private lists older than the archive name a version that is gone: refresh once.
            _private_apt_update(opts)
            pkg, ver, opts = _resolve_kernel_package(flavour)
            safe_ver = re.sub(r"[^A-Za-z0-9.+~-]", "_", ver)
            dest = os.path.join(_kernel_root(flavour), f"{pkg}_{safe_ver}")
            p = subprocess.run(["apt-get", *opts, "download", f"{pkg}={ver}"], cwd=tmp,
                               capture_output=True, text=True)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if p.returncode != 0 or not debs:
            raise GuestError(f"apt-get download {pkg}={ver} failed (rc={p.returncode}): "
                             f"{(p.stderr or p.stdout).strip()[-400:]}")
        root = os.path.join(tmp, "root")
        p = subprocess.run(["dpkg-deb", "-x", os.path.join(tmp, debs[0]), root],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise GuestError(f"dpkg-deb -x {debs[0]} failed: {p.stderr.strip()}")
        vmlinuz = [f for f in os.listdir(os.path.join(root, "boot")) if f.startswith("vmlinuz-")]
        if len(vmlinuz) != 1:
            raise GuestError(f"{debs[0]} has no single /boot/vmlinuz-*: {vmlinuz}")
        kver = vmlinuz[0][len("vmlinuz-"):]
        os.makedirs(dest, exist_ok=True)
        shutil.move(os.path.join(root, "boot", vmlinuz[0]), os.path.join(dest, "vmlinuz"))
        for base in ("lib", "usr/lib"):  # merged-/usr packages put modules under usr/lib
            src = os.path.join(root, base, "modules", kver)
            if os.path.isdir(src):
                shutil.rmtree(os.path.join(dest, "modules"), ignore_errors=True)
                shutil.move(src, os.path.join(dest, "modules"))
                break
        else:
            raise GuestError(f"{debs[0]} contains no modules directory for {kver}")
        with open(os.path.join(dest, "kernel.json"), "w") as f:
            json.dump({"package": pkg, "version": ver, "kver": kver, "flavour": flavour}, f)
        open(os.path.join(dest, ".complete"), "w").close()
        # ~100 MB each: older kernels only cost disk once apt moved on.
        kroot = os.path.dirname(dest)
        for old in os.listdir(kroot):
            if os.path.join(kroot, old) != dest:
                shutil.rmtree(os.path.join(kroot, old), ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _kernel_info(dest)


def _kernel_info(dest):
    with open(os.path.join(dest, "kernel.json")) as f:
        info = json.load(f)
    info["dir"] = dest
    info["vmlinuz"] = os.path.join(dest, "vmlinuz")
    info["modules"] = os.path.join(dest, "modules")
    return info


# --------------------------------------------------------------------------
# Kernel modules: the package ships no modules.dep (depmod runs in postinst),
# and depmod may not be installed on CI, so dependencies come from .modinfo.


def _modinfo(path):
    data = _read_module(path)
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise GuestError(f"{path}: not an ELF64 module")
    shoff = int.from_bytes(data[0x28:0x30], "little")
    shentsize = int.from_bytes(data[0x3A:0x3C], "little")
    shnum = int.from_bytes(data[0x3C:0x3E], "little")
    shstrndx = int.from_bytes(data[0x3E:0x40], "little")

    def sh(i):
        b = shoff + i * shentsize
        name = int.from_bytes(data[b:b + 4], "little")
        off = int.from_bytes(data[b + 0x18:b + 0x20], "little")
        size = int.from_bytes(data[b + 0x20:b + 0x28], "little")
        return name, off, size

    _, stroff, _ = sh(shstrndx)
    for i in range(shnum):
        name, off, size = sh(i)
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] == b".modinfo":
            info = {}
            for item in data[off:off + size].split(b"\0"):
                if b"=" in item:
                    k, v = item.decode(errors="replace").split("=", 1)
                    info.setdefault(k, []).append(v)
            return info
    return {}


def _read_module(path):
    if path.endswith(".xz"):
        import lzma
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path) as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def _norm(name):
    return name.replace("-", "_")


def module_index(moddir):
    idx = {}
    for dirpath, _, files in os.walk(os.path.join(moddir, "kernel")):
        for fn in files:
            m = re.match(r"(.+)\.ko(\.xz|\.zst|\.gz)?$", fn)
            if m:
                idx[_norm(m.group(1))] = os.path.join(dirpath, fn)
    return idx


def builtin_modules(moddir):
    names = set()
    p = os.path.join(moddir, "modules.builtin")
    if os.path.exists(p):
        with open(p) as f:
            for line in f:
                names.add(_norm(os.path.basename(line.strip()).split(".ko")[0]))
    return names


def module_closure(moddir, wanted):
    """Return module files in a load order where every dependency comes first."""
    idx = module_index(moddir)
    builtin = builtin_modules(moddir)
    order, state = [], {}

    def visit(name, chain, optional=False):
        name = _norm(name)
        if name in builtin or state.get(name) == "done":
            return
        if name not in idx:
            if optional:
                return
            raise GuestError(f"kernel module {name!r} not found in {moddir} (needed by {' -> '.join(chain) or 'scenario'})")
        if state.get(name) == "visiting":
            return  # a cycle can only come from softdeps; load order then does not matter
        state[name] = "visiting"
        info = _modinfo(idx[name])
        post = []
        for sd in info.get("softdep", []):
            for part in re.findall(r"(pre|post):\s*([^:]*?)(?=\s+(?:pre|post):|$)", sd):
                for dep in part[1].split():
                    if part[0] == "pre":
                        visit(dep, chain + [name], optional=True)
                    else:
                        post.append(dep)
        for dep in ",".join(info.get("depends", [])).split(","):
            if dep:
                visit(dep, chain + [name])
        state[name] = "done"
        order.append((name, idx[name]))
        for dep in post:
            visit(dep, chain + [name], optional=True)

    for w in wanted:
        visit(w, [])
    return order


# --------------------------------------------------------------------------
# newc cpio writer: written in Python so entries get root ownership and fixed
# mtimes without needing root or a staging tree full of symlinks.


class Cpio:
    def __init__(self):
        self.entries = {}  # path -> (mode, data)

    def add_dir(self, path):
        path = path.strip("/")
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if p and p not in self.entries:
                self.entries[p] = (stat.S_IFDIR | 0o755, b"")

    def add_file(self, path, data, mode=0o644):
        path = path.strip("/")
        self.add_dir(os.path.dirname(path))
        self.entries[path] = (stat.S_IFREG | mode, data)

    def add_host_file(self, path, src, mode=None):
        with open(src, "rb") as f:
            data = f.read()
        if mode is None:
            mode = 0o755 if os.access(src, os.X_OK) else 0o644
        self.add_file(path, data, mode)

    def add_symlink(self, path, target):
        path = path.strip("/")
        self.add_dir(os.path.dirname(path))
        self.entries[path] = (stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, path, major, minor, mode=0o600):
        path = path.strip("/")
        self.add_dir(os.path.dirname(path))
        self.entries[path] = (stat.S_IFCHR | mode, (major, minor))

    def bytes(self):
        out = bytearray()
        ino = 1000

        def hdr(name, mode, size, nlink, rdev=(0, 0)):
            nonlocal ino
            ino += 1
            fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
            return b"070701" + b"".join(b"%08X" % v for v in fields)

        def pad(buf):
            while len(buf) % 4:
                buf += b"\0"

        # Parents sort before children because "a" < "a/b".
        for name in sorted(self.entries):
            mode, data = self.entries[name]
            bname = name.encode()
            rdev = (0, 0)
            if stat.S_ISCHR(mode):
                rdev, data = data, b""
            out += hdr(bname, mode, len(data), 2 if stat.S_ISDIR(mode) else 1, rdev) + bname + b"\0"
            pad(out)
            out += data
            pad(out)
        out += hdr(b"TRAILER!!!", 0, 0, 1) + b"TRAILER!!!\0"
        pad(out)
        return bytes(out)


def _digest(*parts):
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, str) and os.path.isfile(p):
            with open(p, "rb") as f:
                h.update(f.read())
        else:
            h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _cached(kind, key, build):
    d = os.path.join(cache_dir(), "initramfs")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"{kind}-{key}.cpio")
    if not os.path.exists(path):
        tmp = path + f".tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(build().bytes())
        os.replace(tmp, path)
    return path


def base_cpio():
    """busybox, /init, guest helper library and pci.ids; changes only with those files."""
    if not os.path.exists(BUSYBOX):
        raise GuestError(f"{BUSYBOX} missing: install busybox-static")
    init = os.path.join(HERE, "guest", "init")
    vmlib = os.path.join(HERE, "guest", "vmlib.sh")
    pci_ids = PCI_IDS if os.path.exists(PCI_IDS) else None

    def build():
        c = Cpio()
        for d in ("dev", "proc", "sys", "tmp", "run", "root", "etc", "mnt", "var/log",
                  "bin", "sbin", "usr/bin", "usr/sbin", "lib", "lib64"):
            c.add_dir(d)
        # The kernel opens /dev/console for /init before devtmpfs is mounted.
        c.add_chardev("dev/console", 5, 1)
        c.add_chardev("dev/null", 1, 3, 0o666)
        c.add_host_file("bin/busybox", BUSYBOX, 0o755)
        applets = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True,
                                 check=True).stdout.split()
        for a in applets:
            if a not in ("bin/busybox", "linuxrc"):
                c.add_symlink(a, "/bin/busybox")
        c.add_host_file("init", init, 0o755)
        c.add_host_file("etc/vmlib.sh", vmlib, 0o644)
        c.add_file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        c.add_file("etc/group", b"root:x:0:\n")
        if pci_ids:
            c.add_host_file("usr/share/misc/pci.ids", pci_ids, 0o644)
        return c

    return _cached("base", _digest(BUSYBOX, init, vmlib, pci_ids or "-", "v1"), build)


def modules_cpio(kernel, wanted):
    """The requested modules and their dependencies, plus the load order /init follows."""
    moddir = kernel["modules"]
    order = module_closure(moddir, wanted)
    kver = kernel["kver"]

    def build():
        c = Cpio()
        names = []
        deps = []
        for name, path in order:
            rel = os.path.relpath(path, moddir)
            rel = re.sub(r"\.ko\.(xz|zst|gz)$", ".ko", rel)
            c.add_file(f"lib/modules/{kver}/{rel}", _read_module(path))
            names.append(f"/lib/modules/{kver}/{rel}")
            deps.append(rel)
        c.add_file("etc/modules.load", ("\n".join(names) + "\n").encode())
        # A modules.dep lets busybox modprobe serve the kernel's request_module()
        # calls for modules we shipped (e.g. vfio's softdep on vfio_iommu_type1).
        dep_lines = []
        for name, path in order:
            rel = re.sub(r"\.ko\.(xz|zst|gz)$", ".ko", os.path.relpath(path, moddir))
            info = _modinfo(path)
            d = [re.sub(r"\.ko\.(xz|zst|gz)$", ".ko", os.path.relpath(p, moddir))
                 for n, p in order
                 if n in {_norm(x) for x in ",".join(info.get("depends", [])).split(",") if x}]
            dep_lines.append(f"{rel}: {' '.join(d)}".rstrip())
        c.add_file(f"lib/modules/{kver}/modules.dep", ("\n".join(dep_lines) + "\n").encode())
        return c

    key = _digest(kernel["package"], kernel["version"], [n for n, _ in order], "v1")
    return _cached("modules", key, build), [n for n, _ in order]


def ldd_libs(binary):
    """Shared objects (including the ELF interpreter) a binary needs, as host paths."""
    p = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if p.returncode != 0:
        # Static binaries and scripts: nothing to add (busybox sh runs scripts).
        return []
    libs = []
    for line in p.stdout.splitlines():
        m = re.search(r"=>\s*(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
        if m:
            libs.append(m.group(1))
        elif "=> not found" in line:
            raise GuestError(f"ldd {binary}: {line.strip()}")
    return libs


def run_cpio(path, files, binaries):
    """Per-run layer: files is {guest_path: bytes}, binaries is {guest_path: host_path}."""
    c = Cpio()
    for gpath, host in binaries.items():
        if not os.path.isfile(host):
            raise GuestError(f"binary {host} (for {gpath}) does not exist")
        c.add_host_file(gpath, host, 0o755)
        for lib in ldd_libs(host):
            # Keep the path ldd printed: glibc's default search list covers it,
            # and the interpreter path is baked into the binary.
            c.add_host_file(lib, os.path.realpath(lib), 0o755)
    for gpath, data in files.items():
        c.add_file(gpath, data, 0o755 if gpath.endswith(".sh") else 0o644)
    with open(path, "wb") as f:
        f.write(c.bytes())


def build_initrd(out_path, parts):
    with open(out_path, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out)
