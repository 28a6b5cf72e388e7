/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* A queue's memory plus its metadata: the one model that probe, top and decode all produce. */
#ifndef RING_DECODE_VQ_SNAPSHOT_H
#define RING_DECODE_VQ_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio_features.h"
#include "vq_mem.h"

enum vq_ring_type {
	VQ_RING_SPLIT,
	VQ_RING_PACKED,
};

/* Where the ring type came from, for the output (decode states it; other producers know it). */
enum vq_ring_type_from {
	VQ_RING_FROM_SNAPSHOT,      /* whoever made the snapshot knew it (a device, a .vqdump) */
	VQ_RING_FROM_OPTION,        /* the user said so (--ring-type, --packed) */
	VQ_RING_FROM_FEATURES,      /* RING_PACKED in the given features */
	VQ_RING_FROM_DEFAULT,       /* nothing said: split assumed */
	VQ_RING_FROM_VQDUMP,        /* the header of a .vqdump */
};

#define VQ_MAX_SIZE 32768u
#define VQ_QUEUE_INDEX_UNKNOWN 0xffffffffu

struct vq_snapshot {
	enum vq_ring_type ring_type;
	uint32_t size;              /* queue size: split a power of 2, both <= 32768 */
	uint32_t queue_index;       /* VQ_QUEUE_INDEX_UNKNOWN when not known */
	uint32_t device_id;         /* virtio device id, 0 when unknown */
	enum vq_ring_type_from ring_type_from;
	struct virtio_features features; /* negotiated */
	/*
	 * The negotiated features are not known (decode without --features):
	 * features is 0 but means nothing, and every check that depends on a
	 * feature bit is skipped and listed as an assumption instead.
	 */
	bool features_unknown;
	bool legacy_endian_big;     /* legacy (pre-VERSION_1) ring of a big-endian guest; default false */

	/* split: descriptor table, avail ring, used ring; packed: descriptor ring, driver and device event areas */
	uint64_t desc_addr;
	uint64_t driver_addr;
	uint64_t device_addr;

	/* Optional state known from the other side (QEMU, the kernel, a probe): cross-checked, never trusted. */
	bool has_last_avail_idx;    /* split: device's next avail index to process */
	uint16_t last_avail_idx;
	bool has_last_used_idx;     /* split: driver's next used index to process (used entries from here to used.idx are not reclaimed) */
	uint16_t last_used_idx;
	bool has_driver_pos;        /* packed: driver's next descriptor and wrap counter */
	uint16_t driver_next;
	bool driver_wrap;
	bool has_device_pos;        /* packed: where the device writes its next used descriptor, and wrap counter */
	uint16_t device_next;
	bool device_wrap;
	bool has_driver_used_pos;   /* packed: where the driver reads its next used descriptor, and wrap counter */
	uint16_t driver_used_next;
	bool driver_used_wrap;

	struct vq_mem mem;
};

/* Frees the memory segments; accepts NULL. */
void vq_snapshot_free(struct vq_snapshot *s);

/* Byte sizes of each area, as the spec lays them out (event fields included with EVENT_IDX or unknown features). */
uint64_t vq_desc_area_size(const struct vq_snapshot *s);
uint64_t vq_driver_area_size(const struct vq_snapshot *s);
uint64_t vq_device_area_size(const struct vq_snapshot *s);

#endif
