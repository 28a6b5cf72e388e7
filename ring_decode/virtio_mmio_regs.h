/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Register layout of virtio over MMIO, versions 1 (legacy) and 2 (spec 4.2.2, 4.2.4). */
#ifndef RING_DECODE_VIRTIO_MMIO_REGS_H
#define RING_DECODE_VIRTIO_MMIO_REGS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every register is 32 bits wide, little-endian, accessed with 32-bit
 * accesses only (configuration space excepted).  Used for offsets only.
 */
struct virtio_mmio_layout {
	uint32_t magic_value;            /* 0x000 "virt" */
	uint32_t version;                /* 1: legacy, 2: virtio 1.x */
	uint32_t device_id;              /* 0: placeholder window, no device */
	uint32_t vendor_id;
	uint32_t device_features;        /* 0x010 */
	uint32_t device_features_sel;
	uint32_t reserved_018[2];
	uint32_t driver_features;        /* 0x020 */
	uint32_t driver_features_sel;
	uint32_t guest_page_size;        /* 0x028, version 1 only */
	uint32_t reserved_02c;
	uint32_t queue_sel;              /* 0x030 */
	uint32_t queue_num_max;
	uint32_t queue_num;
	uint32_t queue_align;            /* 0x03c, version 1 only */
	uint32_t queue_pfn;              /* 0x040, version 1 only */
	uint32_t queue_ready;            /* 0x044, version 2 only */
	uint32_t reserved_048[2];
	uint32_t queue_notify;           /* 0x050 */
	uint32_t reserved_054[3];
	uint32_t interrupt_status;       /* 0x060 */
	uint32_t interrupt_ack;
	uint32_t reserved_068[2];
	uint32_t status;                 /* 0x070 */
	uint32_t reserved_074[3];
	uint32_t queue_desc_low;         /* 0x080, version 2: descriptor area */
	uint32_t queue_desc_high;
	uint32_t reserved_088[2];
	uint32_t queue_driver_low;       /* 0x090: driver area */
	uint32_t queue_driver_high;
	uint32_t reserved_098[2];
	uint32_t queue_device_low;       /* 0x0a0: device area */
	uint32_t queue_device_high;
	uint32_t reserved_0a8;
	uint32_t shm_sel;                /* 0x0ac */
	uint32_t shm_len_low;
	uint32_t shm_len_high;
	uint32_t shm_base_low;
	uint32_t shm_base_high;
	uint32_t queue_reset;            /* 0x0c0, VIRTIO_F_RING_RESET */
	uint32_t reserved_0c4[14];
	uint32_t config_generation;      /* 0x0fc, version 2 only */
	uint8_t config[];                /* 0x100: device configuration */
};

_Static_assert(offsetof(struct virtio_mmio_layout, magic_value) == 0x000, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, version) == 0x004, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, device_id) == 0x008, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, vendor_id) == 0x00c, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, device_features) == 0x010, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, device_features_sel) == 0x014, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, driver_features) == 0x020, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, driver_features_sel) == 0x024, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, guest_page_size) == 0x028, "spec 4.2.4");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_sel) == 0x030, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_num_max) == 0x034, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_num) == 0x038, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_align) == 0x03c, "spec 4.2.4");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_pfn) == 0x040, "spec 4.2.4");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_ready) == 0x044, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_notify) == 0x050, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, interrupt_status) == 0x060, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, interrupt_ack) == 0x064, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, status) == 0x070, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_desc_low) == 0x080, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_driver_low) == 0x090, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_device_low) == 0x0a0, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, shm_sel) == 0x0ac, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, shm_base_high) == 0x0bc, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, queue_reset) == 0x0c0, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, config_generation) == 0x0fc, "spec 4.2.2");
_Static_assert(offsetof(struct virtio_mmio_layout, config) == 0x100, "spec 4.2.2");

#define VIRTIO_MMIO_OFF(field) ((unsigned)offsetof(struct virtio_mmio_layout, field))
#define VIRTIO_MMIO_MAGIC 0x74726976u    /* "virt" little-endian */
#define VIRTIO_MMIO_CONFIG 0x100u
/* Version 1 queue addresses: QueuePFN in units of GuestPageSize; this tool always writes 4096. */
#define VIRTIO_MMIO_V1_PAGE_SIZE 4096u
/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING 0x1u
#define VIRTIO_MMIO_INT_CONFIG 0x2u

#endif
