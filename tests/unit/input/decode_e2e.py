#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Every decode input (areas, hexdump text, legacy ring, ELF core, QEMU core, stdin) must decode like the sample .vqdump.
"""Usage: decode_e2e.py VIRTIOCTL SAMPLES_DIR

The sample .vqdump is taken apart here with Python's struct module (from
the format in virtioctl-decode(8), not with virtioctl) and fed back in every
other input form; each must give JSON identical to decoding the .vqdump.
Hexdump text comes from the real xxd, hexdump and od; one core comes from
QEMU's dump-guest-memory when qemu-system-x86_64 is installed.  One line
per failure; exit 1 if any."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data'))
from elf_core import elf_core as elf_core_bytes  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import json_schema  # noqa: E402

EXE = None
FAILS = []
CHECKS = [0]
ENV = dict(os.environ, NO_COLOR='1', LC_ALL='C')


def run(args, stdin=None):
    p = subprocess.run([EXE, 'decode'] + args, input=stdin, capture_output=True, env=ENV, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check(what, cond, detail=''):
    CHECKS[0] += 1
    if not cond:
        FAILS.append(f'{what}: {detail}')
    return cond


def same_json(what, args, want, want_exit, stdin=None, source=None):
    """Same JSON as the .vqdump decode, except where the ring type came from (checked against `source`)."""
    code, out, err = run(['--json'] + args, stdin)
    if not check(what, code == want_exit, f'exit {code}, expected {want_exit}; stderr {err.strip()[:300]}'):
        return err
    try:
        got = json_schema.check('decode', out)
    except json_schema.Invalid as e:
        check(what, False, str(e))
        return err
    got_source = got.pop('ring_type_from', None)
    check(what, got == {k: v for k, v in want.items() if k != 'ring_type_from'},
          'JSON differs from the .vqdump decode')
    want_source = source or ('vqdump' if len(args) == 1 else
                             'option' if '--packed' in args else 'features')
    check(what, got_source == want_source, f'ring_type_from {got_source}, expected {want_source}')
    return err


class Dump:
    """A .vqdump read with struct, per the byte layout in the man page."""

    def __init__(self, path):
        b = open(path, 'rb').read()
        assert b[:8] == b'VQDUMP\0\0'
        _, hlen, self.ring_type, _, self.flags = struct.unpack_from('<HHBBH', b, 8)
        self.size, self.queue, self.device_id, nseg = struct.unpack_from('<IIII', b, 16)
        lo, hi = struct.unpack_from('<QQ', b, 32)
        self.features = lo | hi << 64
        self.desc, self.driver, self.device = struct.unpack_from('<QQQ', b, 48)
        self.last_avail, self.last_used, self.drv_next, self.dev_next, self.drv_used = \
            struct.unpack_from('<HHHHH', b, 72)
        self.segs, off = [], hlen
        for _ in range(nseg):
            addr, ln = struct.unpack_from('<QQ', b, off)
            self.segs.append((addr, b[off + 16:off + 16 + ln]))
            off += 16 + ln
        self.raw = b

    def read(self, addr, ln):
        for a, d in self.segs:
            if a <= addr and addr + ln <= a + len(d):
                return d[addr - a:addr - a + ln]
        raise KeyError(hex(addr))

    def area_sizes(self):
        if self.ring_type == 1:
            return 16 * self.size, 4, 4
        ev = 2 if self.features >> 29 & 1 else 0
        return 16 * self.size, 4 + 2 * self.size + ev, 4 + 8 * self.size + ev


def write(d, name, data):
    p = os.path.join(d, name)
    with open(p, 'wb') as f:
        f.write(data)
    return p


def split_options(dump, tmp, areas=None, fmt=lambda p: p):
    """Options giving the split sample as area files (optionally converted by fmt) plus its other memory."""
    sizes = dump.area_sizes()
    addrs = (dump.desc, dump.driver, dump.device)
    opts = ['--size', str(dump.size), '--features', hex(dump.features), '--queue', str(dump.queue),
            '--device', str(dump.device_id), '--last-avail-idx', str(dump.last_avail)]
    for i, name in enumerate(('desc', 'avail', 'used')):
        data = areas[i] if areas else dump.read(addrs[i], sizes[i])
        opts += [f'--{name}', f'{fmt(write(tmp, name + ".bin", data))}@{hex(addrs[i])}']
    for a, data in dump.segs:
        if not any(x == a for x in addrs):
            opts += ['--mem', f'{fmt(write(tmp, f"mem{a:x}.bin", data))}@{hex(a)}']
    return opts


def to_text(tool, tmp):
    def conv(path):
        out = subprocess.run(tool.split() + [path], capture_output=True, check=True).stdout
        return write(tmp, os.path.basename(path) + '.txt', out)
    return conv


def elf_core(loads, note=True):
    """A core with an optional PT_NOTE, then PT_LOAD (paddr, data, extra memsz) entries."""
    notes = [(4, 0, b'\0' * 20, 0)] if note else []
    return elf_core_bytes(notes + [(1, a, d, extra) for a, d, extra in loads])


def test_split(samples, tmp):
    path = os.path.join(samples, 'blk-queue0.vqdump')
    dump = Dump(path)
    code, out, err = run(['--json', path])
    want = json.loads(out)
    check('sample', code == 1 and want['anomaly_count'] == 1, f'exit {code}, {err.strip()}')

    opts = split_options(dump, tmp)
    same_json('area files', opts, want, 1)

    # --write-vqdump of area files gives back the sample byte for byte (segments sorted by address).
    out_path = os.path.join(tmp, 'written.vqdump')
    same_json('area files --write-vqdump', opts + ['--write-vqdump', out_path], want, 1)
    check('--write-vqdump bytes', open(out_path, 'rb').read() == dump.raw,
          'the written .vqdump differs from the sample')
    same_json('written .vqdump', [out_path], want, 1, source='vqdump')

    for tool in ('xxd', 'xxd -g1', 'xxd -g4', 'xxd -p', 'xxd -i', 'hexdump -C', 'od -Ax -tx1', 'od -Ax -tx1z'):
        if shutil.which(tool.split()[0]):
            same_json(f'area files as `{tool}` text', split_options(dump, tmp, fmt=to_text(tool, tmp)), want, 1)
    same_json('hexdump twin of the sample', [path + '.xxd'], want, 1)

    # Without @ADDR: synthetic addresses (area addresses are not in the output), and nothing on stderr.
    no_addr = [o.split('@')[0] if o.endswith(('@' + hex(dump.desc), '@' + hex(dump.driver), '@' + hex(dump.device)))
               else o for o in opts]
    err = same_json('area files without @ADDR', no_addr, want, 1)
    check('no stderr without @ADDR', err == '', err.strip())

    # Pasted into a mail and quoted, with the prompt line kept: still the same bytes.
    def pasted(path):
        out = subprocess.run(['xxd', path], capture_output=True, check=True).stdout.decode()
        text = f'$ xxd {os.path.basename(path)}\n' + out + '$\n'
        return write(tmp, os.path.basename(path) + '.mail', ''.join('> ' + ln + '\n' for ln in text.splitlines()).encode())
    same_json('area files as quoted xxd pastes with prompts', split_options(dump, tmp, fmt=pasted), want, 1)

    # stdin
    desc_txt = subprocess.run(['xxd', os.path.join(tmp, 'desc.bin')], capture_output=True).stdout
    stdin_opts = [('-@' + o.split('@')[1]) if o.startswith(os.path.join(tmp, 'desc.bin')) else o for o in opts]
    same_json('--desc - (xxd text on stdin)', stdin_opts, want, 1, stdin=desc_txt)

    # One contiguous ring: the sample's areas are laid out as Linux does with 64-byte alignment.
    sizes = dump.area_sizes()
    ring = bytearray(dump.device + sizes[2] - dump.desc)
    for a, s in zip((dump.desc, dump.driver, dump.device), sizes):
        ring[a - dump.desc:a - dump.desc + s] = dump.read(a, s)
    base = ['--size', '256', '--features', hex(dump.features), '--queue', '0', '--last-avail-idx', '1234']
    same_json('--ring --align 64', base + ['--ring', write(tmp, 'ring64', ring) + '@' + hex(dump.desc),
                                           '--align', '64'], want, 1)
    # The legacy PCI layout: used ring at the next 4096 boundary after avail (4096 + 6 + 2 * 256 -> 8192).
    legacy = bytearray(8192 + sizes[2])
    legacy[0:4096 + sizes[1]] = ring[0:4096 + sizes[1]]
    legacy[8192:] = dump.read(dump.device, sizes[2])
    same_json('--ring (align 4096)', base + ['--ring', write(tmp, 'ring4k', legacy)], want, 1)

    # An ELF core: ring pages in one PT_LOAD (with a p_memsz tail not in the file), headers in another.
    core = elf_core([(dump.desc, bytes(ring), 0x1000)] +
                    [(a, d, 0) for a, d in dump.segs if a > dump.device])
    core_opts = base[:6] + ['--core', write(tmp, 'x.core', core), '--desc-addr', hex(dump.desc),
                            '--avail-addr', hex(dump.driver), '--used-addr', hex(dump.device)]
    same_json('--core', core_opts + ['--last-avail-idx', '1234'], want, 1)
    core_out = os.path.join(tmp, 'core.vqdump')
    same_json('--core --write-vqdump', core_opts + ['--last-avail-idx', '1234', '--write-vqdump', core_out],
              want, 1)
    same_json('.vqdump extracted from a core', [core_out], want, 1, source='vqdump')
    check('extracted .vqdump size', os.path.getsize(core_out) < 8192, f'{os.path.getsize(core_out)} bytes')

    # A legacy big-endian guest's ring: every field byte-swapped, VERSION_1 not negotiated.
    legacy_features = dump.features & ~(1 << 32)
    n = dump.size
    desc_be = b''.join(struct.pack('>QIHH', *struct.unpack_from('<QIHH', dump.read(dump.desc, 16 * n), 16 * i))
                       for i in range(n))
    avail_le = dump.read(dump.driver, sizes[1])
    avail_be = struct.pack(f'>{sizes[1] // 2}H', *struct.unpack(f'<{sizes[1] // 2}H', avail_le))
    used_le = dump.read(dump.device, sizes[2])
    used_be = struct.pack('>HH', *struct.unpack_from('<HH', used_le))
    used_be += b''.join(struct.pack('>II', *struct.unpack_from('<II', used_le, 4 + 8 * i)) for i in range(n))
    used_be += struct.pack('>H', *struct.unpack_from('<H', used_le, 4 + 8 * n))
    code, out, err = run(['--json', '--features', hex(legacy_features), path])
    want_le = json.loads(out)
    be = split_options(dump, tmp, areas=(desc_be, avail_be, used_be))
    be[be.index('--features') + 1] = hex(legacy_features)
    same_json('legacy big-endian area files', be + ['--legacy-big-endian'], want_le, 1)

    # An avail ring cut short: decoded as far as present, memory_missing reported, not an input error.
    short = split_options(dump, tmp, areas=(dump.read(dump.desc, 4096), dump.read(dump.driver, 100),
                                            dump.read(dump.device, sizes[2])))
    code, out, err = run(['--json'] + short)
    check('short avail file', code == 1 and any(a['code'] == 'memory_missing' for a in json.loads(out)['anomalies']),
          f'exit {code}, {err.strip()}')
    return dump, want


def test_packed(samples, tmp):
    path = os.path.join(samples, 'blk-packed.vqdump')
    dump = Dump(path)
    code, out, err = run(['--json', path])
    want = json.loads(out)
    check('packed sample', code == 0, f'exit {code}, {err.strip()}')
    sizes = dump.area_sizes()
    opts = ['--size', str(dump.size), '--features', hex(dump.features), '--queue', '0', '--device', 'blk',
            '--driver-pos', f'{dump.drv_next}:1', '--device-pos', f'{dump.dev_next}:1',
            '--driver-used-pos', f'{dump.drv_used}:1']
    for name, a, s in zip(('desc', 'driver-area', 'device-area'), (dump.desc, dump.driver, dump.device), sizes):
        opts += [f'--{name}', write(tmp, name, dump.read(a, s)) + '@' + hex(a)]
    # RING_PACKED in --features implies --packed.
    same_json('packed area files', opts, want, 0)
    same_json('packed area files, --packed', opts + ['--packed'], want, 0)


def test_qemu_core(dump, want, tmp):
    """QEMU itself writes the core: the areas are loaded into guest RAM at low addresses, then dumped."""
    qemu = shutil.which('qemu-system-x86_64')
    if not qemu:
        print('qemu-system-x86_64 not installed: QEMU core check skipped')
        return
    sizes = dump.area_sizes()
    base = 0x200000
    addrs = (base, base + 0x1000, base + 0x1240)
    loaders = []
    for i, (a, s) in enumerate(zip((dump.desc, dump.driver, dump.device), sizes)):
        f = write(tmp, f'q{i}.bin', dump.read(a, s))
        loaders += ['-device', f'loader,file={f},addr={hex(addrs[i])},force-raw=on']
    core = os.path.join(tmp, 'qemu.core')
    cmds = f'dump-guest-memory {core}\nquit\n'
    p = subprocess.run([qemu, '-S', '-nodefaults', '-display', 'none', '-machine', 'pc', '-m', '16M',
                        '-monitor', 'stdio', '-serial', 'none'] + loaders,
                       input=cmds.encode(), capture_output=True, timeout=120)
    if not check('qemu dump-guest-memory', p.returncode == 0 and os.path.exists(core),
                 p.stderr.decode().strip()[:300]):
        return
    same_json('QEMU core', ['--size', '256', '--features', hex(dump.features), '--queue', '0',
                            '--last-avail-idx', '1234', '--core', core, '--desc-addr', hex(addrs[0]),
                            '--avail-addr', hex(addrs[1]), '--used-addr', hex(addrs[2])], want, 1)


def test_errors(tmp):
    big = os.path.join(tmp, 'big.bin')
    with open(big, 'wb') as f:
        f.truncate((1 << 30) + 1)     # sparse: costs no disk
    code, _, err = run(['--size', '256', '--desc', big, '--avail', big, '--used', big])
    check('1 GiB area file', code == 2 and 'more than the 1 GiB' in err and err.count('\n') == 1, err.strip())


def main():
    global EXE
    EXE, samples = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        dump, want = test_split(samples, tmp)
        test_packed(samples, tmp)
        test_errors(tmp)
        test_qemu_core(dump, want, tmp)
    for f in FAILS:
        print(f)
    print(f'{CHECKS[0]} checks, {len(FAILS)} failed')
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
