#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes the seed corpora under corpus/<target>/ from the samples and a few hand-made inputs.
"""Usage: make_corpus.py   (writes next to this script; rerun after changing the samples)"""
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data'))
from elf_core import elf_core as elf  # noqa: E402
from hexdump_text import xxd  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')


def put(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read(*path):
    return open(os.path.join(DATA, *path), 'rb').read()


def repeat_compressed(data, line, offset_width):
    """16-byte lines as hexdump and od print them: '*' for repeats, then the final offset."""
    lines, prev, star = [], None, False
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        if chunk == prev and len(chunk) == 16:
            if not star:
                lines.append('*\n')
            star = True
            continue
        star, prev = False, chunk
        lines.append(line(off, chunk))
    lines.append(f'{len(data):0{offset_width}x}\n')
    return ''.join(lines)


def canonical_line(off, chunk):
    hx = ' '.join(f'{b:02x}' for b in chunk[:8])
    if len(chunk) > 8:
        hx += '  ' + ' '.join(f'{b:02x}' for b in chunk[8:])
    text = ''.join(chr(b) if 0x20 <= b < 0x7f else '.' for b in chunk)
    return f'{off:08x}  {hx:<48}  |{text}|\n'


def canonical(data):
    """hexdump -C."""
    return repeat_compressed(data, canonical_line, 8)


def od(data):
    """od -Ax -tx1."""
    return repeat_compressed(data, lambda off, chunk: f'{off:06x} ' + ' '.join(f'{b:02x}' for b in chunk) + '\n', 6)


def vqdump_small(ring_type, size, features, segs, flags=0, state=(0, 0, 0, 0, 0)):
    h = b'VQDUMP\0\0' + struct.pack('<HHBBH', 1, 88, ring_type, 0, flags)
    h += struct.pack('<IIII', size, 0, 1, len(segs)) + struct.pack('<QQ', features, 0)
    h += struct.pack('<QQQ', 0x1000, 0x2000, 0x3000) + struct.pack('<HHHHH', *state) + bytes(6)
    return h + b''.join(struct.pack('<QQ', a, len(d)) + d for a, d in segs)


def small_split_ring():
    """Size 4: chain 0 -> 1 (R, W) in flight, chain 2 used with len 8, indirect at 3."""
    desc = struct.pack('<QIHH', 0x5000, 16, 1, 1) + struct.pack('<QIHH', 0x6000, 64, 2, 0)
    desc += struct.pack('<QIHH', 0x7000, 8, 2, 0) + struct.pack('<QIHH', 0x4000, 32, 4, 0)
    avail = struct.pack('<HH4HH', 0, 3, 2, 0, 3, 0, 1)
    used = struct.pack('<HH', 0, 1) + struct.pack('<II', 2, 8) + bytes(24) + struct.pack('<H', 2)
    ind = struct.pack('<QIHH', 0x8000, 16, 1, 1) + struct.pack('<QIHH', 0x9000, 16, 2, 0)
    return desc, avail, used, ind


def main():
    shutil.rmtree(os.path.join(HERE, 'corpus'), ignore_errors=True)
    blk, packed = read('samples', 'blk-queue0.vqdump'), read('samples', 'blk-packed.vqdump')
    desc, avail, used, ind = small_split_ring()
    features = 1 << 32 | 1 << 29 | 1 << 28
    small = vqdump_small(0, 4, features, [(0x1000, desc), (0x2000, avail), (0x3000, used), (0x4000, ind)],
                         flags=2, state=(3, 0, 0, 0, 0))

    # vqdump: the samples, a small ring with an indirect table, and the corrupt inputs of the CLI tests
    put('vqdump', 'blk-queue0', blk)
    put('vqdump', 'blk-packed', packed)
    put('vqdump', 'small-indirect', small)
    for name in sorted(os.listdir(os.path.join(DATA, 'input'))):
        if name.endswith('.vqdump'):
            put('vqdump', name, read('input', name))

    # raw_areas: 10 header bytes (see fuzz_raw_areas.c), then the areas
    put('raw_areas', 'split-4-indirect', bytes([0x16, 2, 0, 3, 0, 0, 0, 0, 0, 0]) + desc + avail + used + ind)
    put('raw_areas', 'split-4-legacy-block', bytes([0x86, 2, 0, 3, 0, 0, 0, 16, 0, 2]) + desc + avail + used)
    ring = bytearray(16 * 8)
    for pos in range(3):
        struct.pack_into('<QIHH', ring, 16 * pos, 0x5000 + 0x100 * pos, 16, 0, (1 if pos < 2 else 0) | 0x80)
    struct.pack_into('<IHH', ring, 8, 16, 0, 0x8082)
    put('raw_areas', 'packed-8', bytes([0x31, 7, 0, 3, 0, 1, 0, 0, 0, 3]) + bytes(ring) + bytes(8))

    # hexdump: each text format of small inputs, and text that must be refused
    put('hexdump', 'xxd-small-vqdump', xxd(small))
    put('hexdump', 'canonical-ring', canonical(desc + avail + used + bytes(64)))
    put('hexdump', 'od-ring', od(desc + avail + bytes(48) + used))
    put('hexdump', 'plain', (desc + avail).hex() + '\n')
    put('hexdump', 'xxd-g1', '00000000: 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10  ................\n'
                             '00000010: 11 12                                            ..\n')
    put('hexdump', 'od-z', '000000 41 42 43 0a  >ABC.<\n000004\n')
    put('hexdump', 'bad-odd-digit', read('input', 'odd-hex-digit.xxd'))

    # features: the forms virtio_features_parse accepts, and near misses
    for i, s in enumerate(['0x130000000', '130000000', '  0x0000000500001654\n', '0x' + 'f' * 32,
                           '1' * 64, '0' * 127 + '1', '0x', 'x1', '0x1 2', '1' * 129]):
        put('features', f'seed{i}', s)

    # elfcore: a core holding the small ring, one with p_filesz < p_memsz, one with PN_XNUM
    body = desc + avail.ljust(0x40, b'\0') + used
    put('elfcore', 'ring', elf([(1, 0x1000, body, 0)]))
    put('elfcore', 'note-and-short', elf([(4, 0, b'CORE' + bytes(16), 0), (1, 0x1000, body, 0x1000)]))
    xnum = bytearray(elf([(1, 0x2000, body, 0)]))
    struct.pack_into('<H', xnum, 56, 0xffff)
    shoff = len(xnum)
    struct.pack_into('<QHH', xnum, 40, shoff, 0, 0)
    struct.pack_into('<HH', xnum, 58, 64, 1)
    xnum += bytes(44) + struct.pack('<I', 1) + bytes(16)
    put('elfcore', 'pn-xnum', bytes(xnum))
    put('elfcore', 'phoff-past-eof', read('input', 'phoff-past-eof.core'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
