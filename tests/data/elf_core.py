# SPDX-License-Identifier: GPL-2.0-or-later
# ELF64 core files written byte by byte, shared by the decode end-to-end test and the fuzz seed generator.
import struct


def elf_core(phdrs):
    """ELF64 little-endian ET_CORE for x86-64; phdrs are (p_type, p_paddr, data, extra p_memsz) tuples."""
    off = 64 + 56 * len(phdrs)
    eh = bytearray(64)
    eh[0:7] = b'\x7fELF\x02\x01\x01'
    struct.pack_into('<HHIQQQIHHHHHH', eh, 16, 4, 62, 1, 0, 64, 0, 0, 64, 56, len(phdrs), 0, 0, 0)
    ph, body = b'', b''
    for ptype, paddr, data, extra in phdrs:
        ph += struct.pack('<IIQQQQQQ', ptype, 0, off + len(body), 0, paddr, len(data), len(data) + extra, 0)
        body += data
    return bytes(eh) + ph + body
