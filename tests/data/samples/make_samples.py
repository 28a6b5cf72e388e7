#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes the bundled sample queues byte by byte from the readable description below (.vqdump format of virtioctl-decode(8)).
"""Usage: make_samples.py [OUTDIR]   (default: the directory of this script)

Writes:
  blk-queue0.vqdump       split virtio-blk queue 0, 4 requests in flight, one anomaly
  blk-queue0.vqdump.xxd   the same bytes as `xxd` prints them (its hexdump-text twin)
  blk-packed.vqdump       packed virtio-blk queue, 3 requests in flight, 1 completed
                          but not yet reclaimed, no anomaly

Everything here is written from the virtio spec's layouts (split: 2.7,
packed: 2.8) without using virtioctl, so the samples can check it."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from hexdump_text import xxd  # noqa: E402

# ---- virtio facts ------------------------------------------------------------
VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE = 1, 2
VIRTQ_DESC_F_AVAIL, VIRTQ_DESC_F_USED = 1 << 7, 1 << 15
VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT = 0, 1
VIRTIO_ID_BLOCK = 2


def bit(*bits):
    return sum(1 << b for b in bits)


# block: SEG_MAX 2, GEOMETRY 4, BLK_SIZE 6, FLUSH 9, TOPOLOGY 10, MQ 12;
# transport: EVENT_IDX 29, VERSION_1 32; INDIRECT_DESC off (QEMU indirect_desc=off),
# so every request is a plain 3-descriptor chain.
BLK_SPLIT_FEATURES = bit(2, 4, 6, 9, 10, 12, 29, 32)
# the packed queue: the same without EVENT_IDX, plus RING_PACKED 34
BLK_PACKED_FEATURES = bit(2, 4, 6, 9, 10, 12, 32, 34)


# ---- the .vqdump container -----------------------------------------------------
F_LAST_AVAIL_IDX, F_LAST_USED_IDX = 1 << 1, 1 << 2
F_DRIVER_POS, F_DRIVER_WRAP, F_DEVICE_POS, F_DEVICE_WRAP = 1 << 3, 1 << 4, 1 << 5, 1 << 6
F_DRIVER_USED_POS, F_DRIVER_USED_WRAP = 1 << 7, 1 << 8


def vqdump(ring_type, size, queue, device_id, features, desc, driver, device, segments, flags=0,
           last_avail_idx=0, last_used_idx=0, driver_next=0, device_next=0, driver_used_next=0):
    hdr = b'VQDUMP\0\0'
    hdr += struct.pack('<HHBBH', 1, 88, ring_type, 0, flags)
    hdr += struct.pack('<IIII', size, queue, device_id, len(segments))
    hdr += struct.pack('<QQ', features & (2**64 - 1), features >> 64)
    hdr += struct.pack('<QQQ', desc, driver, device)
    hdr += struct.pack('<HHHHH', last_avail_idx, last_used_idx, driver_next, device_next, driver_used_next)
    hdr += bytes(6)
    assert len(hdr) == 88
    out = hdr
    for addr, data in segments:
        out += struct.pack('<QQ', addr, len(data)) + data
    return out


# ---- split: virtio-blk queue 0 ---------------------------------------------------
# A Linux guest's queue of 256 as QEMU's `info virtio-queue-status` would show it:
# descriptor table, avail ring right after it, used ring 64-byte aligned after that
# (vring_create_virtqueue with SMP_CACHE_BYTES alignment).
SPLIT_SIZE = 256
SPLIT_DESC = 0x10a3c0000
SPLIT_AVAIL = SPLIT_DESC + 16 * SPLIT_SIZE                              # 0x10a3c1000
SPLIT_USED = (SPLIT_AVAIL + 2 * (3 + SPLIT_SIZE) + 63) // 64 * 64     # 0x10a3c1240

# The driver rotates through 8 request slots; slot k uses descriptors 3k, 3k+1, 3k+2:
#   3k   16-byte virtio_blk_outhdr, device-readable, at HDR(k)
#   3k+1 4096-byte data page, device-writable for reads, readable for writes
#   3k+2 1-byte status, device-writable (right after the header, as in struct virtblk_req)
# Request number i (free-running, i = 0 .. 1233) went into slot i % 8.
N_SLOTS = 8
AVAIL_IDX = 1234           # requests published
USED_IDX = 1230            # requests completed: 1230..1233 are in flight
USED_EVENT = 1230          # driver: interrupt me after the next completion
AVAIL_EVENT = 1234         # device: kick me after the next request
LAST_AVAIL_IDX = 1234      # QEMU has popped all four in-flight requests


def hdr_addr(slot):
    return 0x10b2f4000 + 0x80 * slot


def data_addr(i):
    return 0x1a3b20000 + 0x1000 * (i % 64)


def is_write(i):
    return i % 3 == 1      # every third request a write, the rest reads


def sector(i):
    return 0x2d000 + 8 * i


def slot_descs(i, status_writable=True):
    """The three descriptors of request i as the driver wrote them."""
    k = i % N_SLOTS
    data_flags = VIRTQ_DESC_F_NEXT | (0 if is_write(i) else VIRTQ_DESC_F_WRITE)
    status_flags = VIRTQ_DESC_F_WRITE if status_writable else 0
    return [
        (hdr_addr(k), 16, VIRTQ_DESC_F_NEXT, 3 * k + 1),
        (data_addr(i), 4096, data_flags, 3 * k + 2),
        (hdr_addr(k) + 16, 1, status_flags, 0),
    ]


# THE ANOMALY: request 1233's status descriptor lacks VIRTQ_DESC_F_WRITE, so a
# device-readable descriptor follows the writable data page (readable_after_writable).
BROKEN_REQUEST = 1233


def blk_split():
    desc = bytearray(16 * SPLIT_SIZE)            # descriptors 24..255 were never used: zero
    # Each slot's descriptors hold the last request that used it: 1226..1233.
    for i in range(AVAIL_IDX - N_SLOTS, AVAIL_IDX):
        for n, (addr, ln, flags, nxt) in enumerate(slot_descs(i, i != BROKEN_REQUEST)):
            struct.pack_into('<QIHH', desc, 16 * (3 * (i % N_SLOTS) + n), addr, ln, flags, nxt)

    avail = bytearray(4 + 2 * SPLIT_SIZE + 2)
    struct.pack_into('<HH', avail, 0, 0, AVAIL_IDX)
    for i in range(AVAIL_IDX - SPLIT_SIZE, AVAIL_IDX):   # the last 256 publications
        struct.pack_into('<H', avail, 4 + 2 * (i % SPLIT_SIZE), 3 * (i % N_SLOTS))
    struct.pack_into('<H', avail, 4 + 2 * SPLIT_SIZE, USED_EVENT)

    used = bytearray(4 + 8 * SPLIT_SIZE + 2)
    struct.pack_into('<HH', used, 0, 0, USED_IDX)
    for i in range(USED_IDX - SPLIT_SIZE, USED_IDX):     # completed in order: id = head, len = bytes written
        written = 1 if is_write(i) else 4096 + 1
        struct.pack_into('<II', used, 4 + 8 * (i % SPLIT_SIZE), 3 * (i % N_SLOTS), written)
    struct.pack_into('<H', used, 4 + 8 * SPLIT_SIZE, AVAIL_EVENT)

    # The in-flight requests' headers (struct virtio_blk_outhdr: type, ioprio, sector), for context.
    headers = []
    for i in range(USED_IDX, AVAIL_IDX):
        t = VIRTIO_BLK_T_OUT if is_write(i) else VIRTIO_BLK_T_IN
        headers.append((hdr_addr(i % N_SLOTS), struct.pack('<IIQ', t, 0, sector(i))))

    segments = [(SPLIT_DESC, bytes(desc)), (SPLIT_AVAIL, bytes(avail)), (SPLIT_USED, bytes(used))]
    return vqdump(0, SPLIT_SIZE, 0, VIRTIO_ID_BLOCK, BLK_SPLIT_FEATURES, SPLIT_DESC, SPLIT_AVAIL,
                  SPLIT_USED, segments + sorted(headers), flags=F_LAST_AVAIL_IDX,
                  last_avail_idx=LAST_AVAIL_IDX)


# ---- packed: virtio-blk, first lap of the ring --------------------------------------
# Buffer ids 0..4 were made available as 3-descriptor chains at ring positions
# 3*id .. 3*id+2 (driver wrap counter 1: AVAIL=1, USED=0).  The device completed
# ids 0 (a read: 4097 bytes written) and 1 (a write: 1 status byte) in order: it
# wrote one used descriptor per buffer at its own position (0, then 3), flags
# AVAIL=USED=1, and is now at position 6.  The
# driver has reclaimed id 0 (its used position is 3), not yet id 1.
PACKED_SIZE = 128
PACKED_DESC = 0x10c400000
PACKED_DRIVER = PACKED_DESC + 16 * PACKED_SIZE                      # driver event suppression
PACKED_DEVICE = PACKED_DRIVER + 4                                    # device event suppression
N_BUFFERS = 5
DRIVER_NEXT, DEVICE_NEXT, DRIVER_USED_NEXT = 3 * N_BUFFERS, 6, 3


def blk_packed():
    ring = bytearray(16 * PACKED_SIZE)           # positions 15..127 never written: flags 0
    avail = VIRTQ_DESC_F_AVAIL                   # wrap counter 1
    for bid in range(N_BUFFERS):
        k = 8 + bid
        descs = [
            (hdr_addr(k), 16, VIRTQ_DESC_F_NEXT),
            (data_addr(bid), 4096, VIRTQ_DESC_F_NEXT | (0 if is_write(bid) else VIRTQ_DESC_F_WRITE)),
            (hdr_addr(k) + 16, 1, VIRTQ_DESC_F_WRITE),
        ]
        for n, (addr, ln, flags) in enumerate(descs):
            struct.pack_into('<QIHH', ring, 16 * (3 * bid + n), addr, ln, bid, flags | avail)
    # Used descriptors: id, bytes written, AVAIL|USED, and WRITE because the length is valid (the spec
    # reserves it without WRITE); the address is left as the driver wrote it.
    for bid in (0, 1):
        pos = 3 * bid
        written = 1 if is_write(bid) else 4096 + 1
        struct.pack_into('<IHH', ring, 16 * pos + 8, written, bid,
                         VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED)
    # Event suppression: both sides want every notification (flags ENABLE, off_wrap 0).
    driver_area = struct.pack('<HH', 0, 0)
    device_area = struct.pack('<HH', 0, 0)
    segments = [(PACKED_DESC, bytes(ring)), (PACKED_DRIVER, driver_area), (PACKED_DEVICE, device_area)]
    flags = (F_DRIVER_POS | F_DRIVER_WRAP | F_DEVICE_POS | F_DEVICE_WRAP | F_DRIVER_USED_POS |
             F_DRIVER_USED_WRAP)
    return vqdump(1, PACKED_SIZE, 0, VIRTIO_ID_BLOCK, BLK_PACKED_FEATURES, PACKED_DESC, PACKED_DRIVER,
                  PACKED_DEVICE, segments, flags=flags, driver_next=DRIVER_NEXT, device_next=DEVICE_NEXT,
                  driver_used_next=DRIVER_USED_NEXT)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    split = blk_split()
    files = {
        'blk-queue0.vqdump': split,
        'blk-queue0.vqdump.xxd': xxd(split).encode(),
        'blk-packed.vqdump': blk_packed(),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    return 0


if __name__ == '__main__':
    sys.exit(main())
