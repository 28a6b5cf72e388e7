#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# decode never guesses in silence, refuses text that is no hexdump, and stays bounded on hostile inputs (issue 8).
"""Usage: decode_trust.py VIRTIOCTL [SHRINK_ON_MAP.so]

Rings are built here byte by byte with struct, from the virtio spec's
layouts: those bytes are the oracle.  Each check runs the real binary; one
line per failure, exit 1 if any."""
import json
import os
import stat
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data'))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
from elf_core import elf_core  # noqa: E402
import json_schema  # noqa: E402

EXE = None
SHIM = None
FAILS = []
CHECKS = [0]
ENV = dict(os.environ, NO_COLOR='1', LC_ALL='C')
F_INDIRECT, F_EVENT_IDX, F_VERSION_1 = 1 << 28, 1 << 29, 1 << 32
NEXT, WRITE, INDIRECT = 1, 2, 4


def run(args, stdin=None, timeout=60):
    p = subprocess.run([EXE, 'decode'] + args, input=stdin, capture_output=True, env=ENV, timeout=timeout)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def check(what, cond, detail=''):
    CHECKS[0] += 1
    if not cond:
        FAILS.append(f'{what}: {detail}')
    return cond


def write(d, name, data):
    p = os.path.join(d, name)
    with open(p, 'wb') as f:
        f.write(data)
    return p


def desc(addr, ln, flags, nxt):
    return struct.pack('<QIHH', addr, ln, flags, nxt)


def indirect_ring(tmp, head_flags=INDIRECT, table_flags=(NEXT, WRITE)):
    """Split ring of 4: head 0 in flight, INDIRECT to a 2-entry table (readable then writable) at 0x5000."""
    d = desc(0x5000, 32, head_flags, 0) + bytes(16 * 3)
    avail = struct.pack('<HH4HH', 0, 1, 0, 0, 0, 0, 0)          # flags, idx 1, ring[0] = head 0, used_event
    used = struct.pack('<HH', 0, 0) + bytes(8 * 4) + bytes(2)    # nothing used yet, avail_event 0
    table = desc(0x6000, 16, table_flags[0], 1) + desc(0x7000, 512, table_flags[1], 0)
    return ['--size', '4', '--desc', write(tmp, 'd.bin', d), '--avail', write(tmp, 'a.bin', avail),
            '--used', write(tmp, 'u.bin', used), '--mem', write(tmp, 't.bin', table) + '@0x5000']


def decode_json(args):
    """Runs decode --json; the output must follow docs/schema/decode.json (or the error schema)."""
    code, out, err = run(['--json'] + args)
    try:
        doc = json_schema.check('decode', out)
    except json_schema.Invalid as e:
        check('JSON schema', False, f'{args}: {e}')
        return code, {}, err
    return code, doc, err


def codes(doc):
    return [a['code'] for a in doc.get('anomalies', [])]


def test_features_not_given(tmp):
    ring = indirect_ring(tmp)
    code, doc, err = decode_json(ring)
    check('healthy indirect ring without --features exits 0', code == 0, f'exit {code}, {err.strip()} {codes(doc)}')
    check('... no indirect_not_negotiated', 'indirect_not_negotiated' not in codes(doc), str(codes(doc)))
    check('... features null', 'features' in doc and doc['features'] is None, str(doc.get('features')))
    check('... suppression unknown', doc.get('kick_suppressed', 0) is None and doc.get('interrupt_suppressed', 0) is None,
          f"{doc.get('kick_suppressed')} {doc.get('interrupt_suppressed')}")
    check('... ring type default, stated', doc.get('ring_type_from') == 'default', str(doc.get('ring_type_from')))
    joined = ' '.join(doc.get('assumptions', []))
    check('... assumptions name the skipped checks', 'INDIRECT_DESC' in joined and 'EVENT_IDX' in joined
          and 'split assumed' in joined, joined)
    check('... no stderr', err == '', err)
    code, out, err = run(ring)
    check('text says not given', 'features not given' in out and 'next kick suppressed: ?' in out
          and 'assumptions:' in out, out)

    # the same ring with features that lack INDIRECT_DESC: now it is an anomaly
    code, doc, _ = decode_json(ring + ['--features', hex(F_VERSION_1)])
    check('with --features lacking INDIRECT_DESC', code == 1 and 'indirect_not_negotiated' in codes(doc)
          and doc.get('features') == '0x100000000' and doc.get('ring_type_from') == 'features',
          f'exit {code}, {codes(doc)}')
    check('... suppression decided', doc.get('kick_suppressed') is False, str(doc.get('kick_suppressed')))
    code, doc, _ = decode_json(ring + ['--ring-type', 'split', '--features', hex(F_VERSION_1 | F_INDIRECT)])
    check('with --ring-type and full features', code == 0 and doc.get('ring_type_from') == 'option'
          and doc.get('assumptions') == ["driver's last_used_idx not given: every used entry is taken as reclaimed, "
                                         "so none is listed or checked"], f'exit {code}, {doc.get("assumptions")}')

    # --write-vqdump keeps "not given": the features are unknown in the .vqdump too (flag 0x0200)
    vq = os.path.join(tmp, 'nf.vqdump')
    run(ring + ['--write-vqdump', vq])
    flags = struct.unpack_from('<H', open(vq, 'rb').read(), 14)[0]
    check('.vqdump records unknown features', flags & 0x200, hex(flags))
    code, doc, _ = decode_json([vq])
    check('... and decodes the same', code == 0 and doc.get('features') is None
          and doc.get('ring_type_from') == 'vqdump', f'exit {code}')


def test_reserved_flags(tmp):
    code, doc, _ = decode_json(indirect_ring(tmp, head_flags=INDIRECT | 0x10) + ['--features', hex(F_VERSION_1 | F_INDIRECT)])
    check('reserved flag bit on a ring descriptor', code == 1 and codes(doc) == ['desc_flags_reserved'], str(codes(doc)))
    code, doc, _ = decode_json(indirect_ring(tmp, table_flags=(NEXT | 0x100, WRITE)) +
                               ['--features', hex(F_VERSION_1 | F_INDIRECT)])
    check('reserved flag bit in an indirect table', code == 1 and codes(doc) == ['desc_flags_reserved']
          and doc['anomalies'][0]['index'] == 0, str(doc.get('anomalies')))


def test_shared_indirect_table(tmp):
    """All four heads in flight, all pointing at one huge indirect table: walked once, reported."""
    d = b''.join(desc(0x5000, 0xfffffff0, INDIRECT, 0) for _ in range(4))
    avail = struct.pack('<HH4HH', 0, 4, 0, 1, 2, 3, 0)
    used = bytes(4 + 32 + 2)
    table = b''.join(desc(0x6000 + 16 * i, 16, NEXT, i + 1) for i in range(8))
    args = ['--size', '4', '--features', hex(F_VERSION_1 | F_INDIRECT), '--desc', write(tmp, 'sd', d),
            '--avail', write(tmp, 'sa', avail), '--used', write(tmp, 'su', used),
            '--mem', write(tmp, 'st', table) + '@0x5000']
    code, doc, _ = decode_json(args)
    c = codes(doc)
    check('shared indirect table', code == 1 and c.count('indirect_shared') == 3, str(c))


def test_packed_needs_desc(tmp):
    code, _, err = run(['--size', '4', '--packed', '--driver-area', write(tmp, 'pd', bytes(4))])
    check('packed without --desc exits 2', code == 2 and '--desc' in err, f'exit {code}, {err.strip()}')


def test_summary(tmp):
    ring = indirect_ring(tmp) + ['--features', hex(F_VERSION_1 | F_INDIRECT)]
    code, doc, _ = decode_json(ring + ['--summary'])
    check('--summary JSON has no chains', code == 0 and 'chains' not in doc and 'in_flight' in doc
          and 'anomalies' in doc, str(sorted(doc)))
    code, out, _ = run(ring + ['--summary', '-v'])
    check('--summary text has no chains', 'in flight:' not in out and 'descriptors:' not in out
          and out.startswith('queue ?: split, size 4'), out)


def test_text_inputs(tmp):
    ring = indirect_ring(tmp) + ['--features', hex(F_VERSION_1 | F_INDIRECT)]
    base_code, base, _ = decode_json(ring)
    dpath = ring[ring.index('--desc') + 1]
    raw = open(dpath, 'rb').read()

    xxd = subprocess.run(['xxd', '-i', dpath], capture_output=True, check=True).stdout
    alt = list(ring)
    alt[alt.index('--desc') + 1] = write(tmp, 'd.xxdi', xxd)
    code, doc, err = decode_json(alt)
    check('xxd -i descriptor table', code == base_code and doc == base, err.strip())

    prompt = b'$ xxd -p d.bin\n' + raw.hex().encode() + b'\n$\n'
    alt[alt.index('--desc') + 1] = write(tmp, 'd.plain', b''.join(b'> ' + ln + b'\n' for ln in prompt.splitlines()))
    code, doc, err = decode_json(alt)
    check('quoted xxd -p with prompts', code == base_code and doc == base, err.strip())

    alt[alt.index('--desc') + 1] = write(tmp, 'notes.txt', b'the descriptor table was lost, sorry\n')
    code, _, err = run(alt)
    check('other text is refused', code == 2 and 'is text, but not a hexdump' in err and '--raw' in err
          and err.count('\n') == 1, f'exit {code}, {err.strip()}')
    code, _, err = run(alt + ['--raw'])
    check('--raw reads it as bytes', code in (0, 1) and err == '', f'exit {code}, {err.strip()}')

    alt[alt.index('--desc') + 1] = write(tmp, 'star.txt', b'*\n00000000  00 00  |..|\n00000002\n')
    code, _, err = run(alt)
    check("a hexdump starting with '*' is refused", code == 2 and "'*' (repeat) before any data line" in err,
          f'exit {code}, {err.strip()}')

    # 28 bytes of text describing 1 GiB: an area keeps what it needs; --mem stops at the total budget
    big = b'00000000: 00\n*\n3fffffff: 00\n'
    alt[alt.index('--desc') + 1] = write(tmp, 'big.txt', big)
    code, doc, err = decode_json(alt)
    check('a `*` expanding to 1 GiB costs an area only its size', code in (0, 1) and err == '', f'exit {code}, {err}')
    mems = []
    for i in range(2):    # 160 MiB each: the second crosses the 256 MiB budget
        mems += ['--mem', write(tmp, f'bigmem{i}.txt', b'00000000: 00\n*\n09ffffff: 00\n') + f'@{hex(0x100000000 * (i + 1))}']
    code, _, err = run(ring + mems)
    check('two 160 MiB `*` expansions exceed the budget', code == 2 and 'at most 256 MiB' in err
          and 'bigmem1.txt: byte 15: line 3' in err, f'exit {code}, {err.strip()}')


def test_addresses(tmp):
    ring = write(tmp, 'ring', bytes(16 * 4 + 6 + 2 + 4096))
    code, _, err = run(['--size', '4', '--ring', ring + '@0xfffffffffffff000'])
    check('--ring near 2^64 is refused', code == 2 and 'runs past the end of the 64-bit address space' in err,
          f'exit {code}, {err.strip()}')
    code, _, err = run(['--size', '4', '--desc', ring + '@0xffffffffffffffc8', '--avail', ring, '--used', ring])
    check('--desc near 2^64 is refused', code == 2 and 'runs past the end' in err, f'exit {code}, {err.strip()}')
    # memory ending exactly at 2^64 is fine
    args = indirect_ring(tmp) + ['--mem', write(tmp, 'top', bytes(16)) + '@0xfffffffffffffff0']
    code, _, err = run(args)
    check('a segment ending exactly at 2^64', code == 0, f'exit {code}, {err.strip()}')

    # .vqdump header: an area past 2^64 names the file and the field's byte
    hdr = bytearray(88)
    hdr[0:8] = b'VQDUMP\0\0'
    struct.pack_into('<HHBBHIIII', hdr, 8, 1, 88, 0, 0, 0, 4, 0, 0, 0)
    struct.pack_into('<QQQ', hdr, 48, 0x1000, 0xfffffffffffffffa, 0x3000)
    code, _, err = run([write(tmp, 'wrap.vqdump', bytes(hdr))])
    check('.vqdump area past 2^64 names file and byte', code == 2 and 'wrap.vqdump: byte 56: the driver area' in err,
          f'exit {code}, {err.strip()}')


def test_names(tmp):
    long_name = os.path.join(tmp, 'n' * 120 + '\x1b[31mred')
    code, _, err = run([long_name])
    check('long file name with an escape: one line, whole, escaped', code == 2 and err.count('\n') == 1
          and 'n' * 120 + '\\x1b[31mred' in err and '\x1b' not in err, repr(err))


def test_cores(tmp):
    code, _, err = run(['--size', '4', '--core', '/dev/zero', '--desc-addr', '0', '--avail-addr', '0x1000',
                        '--used-addr', '0x2000'], timeout=60)
    check('--core /dev/zero is capped', code == 2 and 'from a pipe or device' in err, f'exit {code}, {err.strip()}')
    fifo = os.path.join(tmp, 'fifo')
    os.mkfifo(fifo)
    p = subprocess.Popen([EXE, 'decode', '--size', '4', '--core', fifo, '--desc-addr', '0', '--avail-addr', '0x1000',
                          '--used-addr', '0x2000'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    with open(fifo, 'wb') as w:
        try:
            for _ in range(80):
                w.write(bytes(1 << 20))
        except BrokenPipeError:
            pass
    _, err = p.communicate(timeout=60)
    check('--core FIFO is capped', p.returncode == 2 and 'from a pipe or device' in err.decode(), err.decode().strip())

    # descending one-byte PT_LOADs, then a ring: loads fast, --write-vqdump keeps only what the ring uses
    loads = [(1, 0x100000 - 2 * i, bytes([i & 0xff]), 0) for i in range(20000)]
    d = desc(0x200000, 64, 0, 0) + bytes(48)
    loads += [(1, 0x10000000, d, 0), (1, 0x10001000, struct.pack('<HH4HH', 0, 1, 0, 0, 0, 0, 0), 0),
              (1, 0x10002000, bytes(4 + 32 + 2), 0)]
    core = write(tmp, 'many.core', elf_core(loads))
    out = os.path.join(tmp, 'many.vqdump')
    code, _, err = run(['--size', '4', '--features', hex(F_VERSION_1), '--core', core, '--desc-addr', '0x10000000',
                        '--avail-addr', '0x10001000', '--used-addr', '0x10002000', '--write-vqdump', out])
    check('core of many descending PT_LOADs, --write-vqdump', code == 0 and os.path.getsize(out) < 1024,
          f'exit {code}, {err.strip()}')

    # a core truncated while mapped (QEMU rewriting it): one line and exit 2, not SIGBUS
    if SHIM:
        env = dict(ENV, LD_PRELOAD=SHIM, SHRINK_ON_MAP_MIN='1000000',
                   ASAN_OPTIONS='verify_asan_link_order=0:allow_user_segv_handler=1:handle_sigbus=1')
        big = write(tmp, 'shrinks.core', elf_core([(1, 0x10000000, d + bytes(2 << 20), 0)]))
        p = subprocess.run([EXE, 'decode', '--size', '4', '--core', big, '--desc-addr', '0x10000000', '--avail-addr',
                            '0x10001000', '--used-addr', '0x10002000'], capture_output=True, env=env, timeout=60)
        err = p.stderr.decode(errors='replace')
        check('core shrinking while mapped', p.returncode == 2 and err.count('\n') == 1
              and 'shrinks.core: the file shrank while it was being read' in err, f'exit {p.returncode}, {err!r}')


def main():
    global EXE, SHIM
    EXE = sys.argv[1]
    SHIM = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    with tempfile.TemporaryDirectory() as tmp:
        for t in (test_features_not_given, test_reserved_flags, test_shared_indirect_table, test_packed_needs_desc,
                  test_summary, test_text_inputs, test_addresses, test_names, test_cores):
            t(tmp)
    for f in FAILS:
        print(f)
    print(f'{CHECKS[0]} checks, {len(FAILS)} failed')
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
