#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes the corrupt inputs the decode error tests feed to virtioctl, each broken in one known byte.
"""Usage: make_bad_inputs.py [OUTDIR]   (default: the directory of this script)

The byte offsets in comments are the ones `virtioctl decode` must name."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from hexdump_text import xxd  # noqa: E402


def header(ring_type=0, size=4, n_segments=1, hlen=88):
    h = b'VQDUMP\0\0' + struct.pack('<HHBBH', 1, hlen, ring_type, 0, 0)
    h += struct.pack('<IIII', size, 0, 2, n_segments)
    h += struct.pack('<QQ', 1 << 32, 0) + struct.pack('<QQQ', 0x1000, 0x1040, 0x1080)
    return h + bytes(16)


def segment(addr, data, claimed_len=None):
    return struct.pack('<QQ', addr, len(data) if claimed_len is None else claimed_len) + data


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    good = header() + segment(0x1000, bytes(64))
    files = {
        # byte 0: magic "VQDUNP"
        'bad-magic.vqdump': good[:4] + b'N' + good[5:],
        # byte 40: the file ends inside the 88-byte header
        'truncated-header.vqdump': good[:40],
        # byte 12: ring type 7
        'ring-type-7.vqdump': good[:12] + b'\x07' + good[13:],
        # byte 96: segment 0's length field says 4096, 64 bytes follow
        'segment-past-eof.vqdump': header() + segment(0x1000, bytes(64), claimed_len=4096),
        # byte 88 + 16 + 16 = 120: segment 1 [0x1008, 0x1018) overlaps segment 0 [0x1000, 0x1010)
        'overlapping-segments.vqdump': header(n_segments=2) + segment(0x1000, bytes(16)) +
        segment(0x1008, bytes(16)),
        # byte 15 of the text: the group "abc" on line 1 has three digits
        'odd-hex-digit.xxd': b'00000000: 0102 abc  ...\n',
        # byte 32: e_phoff 0x10000 in a 64 + 56 byte file
        'phoff-past-eof.core': elf_header(phoff=0x10000, phnum=1) + bytes(56),
    }
    # byte 12 of the data the text encodes: the ring type 7 file as `xxd` prints it
    files['ring-type-7.vqdump.xxd'] = xxd(files['ring-type-7.vqdump']).encode()
    for name, data in files.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    return 0


def elf_header(phoff, phnum):
    e = bytearray(64)
    e[0:4] = b'\x7fELF'
    e[4], e[5], e[6] = 2, 1, 1                        # ELFCLASS64, little-endian, EV_CURRENT
    struct.pack_into('<HHI', e, 16, 4, 62, 1)        # ET_CORE, EM_X86_64, version
    struct.pack_into('<Q', e, 32, phoff)
    struct.pack_into('<HHH', e, 52, 64, 56, phnum)   # e_ehsize, e_phentsize, e_phnum
    return bytes(e)


if __name__ == '__main__':
    sys.exit(main())
