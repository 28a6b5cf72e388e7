# SPDX-License-Identifier: GPL-2.0-or-later
# The text `xxd FILE` prints, shared by the scripts that generate samples, bad inputs and fuzz seeds.


def xxd(data):
    """16 bytes a line, 2-byte groups, as xxd's defaults print them."""
    lines = []
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        groups = ' '.join(chunk[i:i + 2].hex() for i in range(0, len(chunk), 2))
        text = ''.join(chr(b) if 0x20 <= b < 0x7f else '.' for b in chunk)
        lines.append(f'{off:08x}: {groups:<39}  {text}\n')
    return ''.join(lines)
