/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device model on the far side of a driver virtqueue in plain memory: pops requests, writes used entries. */
#ifndef VIRTIOCTL_TEST_FAKE_VQ_DEVICE_H
#define VIRTIOCTL_TEST_FAKE_VQ_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "virtqueue.h"

struct fake_vq_device {
	enum vq_ring_type ring_type;
	uint32_t size;
	uint8_t *desc, *driver, *device;   /* the three areas (bus address == host address) */
	/* split */
	uint16_t last_avail, used_idx;
	/* packed: where the device reads next and writes its next used descriptor */
	uint16_t avail_pos, used_pos;
	bool avail_wrap, used_wrap;
};

/* One request as the device sees it. */
struct fake_vq_request {
	uint16_t id;                 /* split: head; packed: buffer id */
	unsigned n_ring_desc;        /* ring descriptors it occupies */
	bool indirect;
	unsigned n;
	struct vq_sg elems[VQ_MAX_SG];
	bool writable[VQ_MAX_SG];
	uint32_t writable_bytes;
};

void fake_vq_attach(struct fake_vq_device *d, const struct virtqueue *vq);
/* The same from what a transport was told at queue setup. */
void fake_vq_attach_addrs(struct fake_vq_device *d, enum vq_ring_type type, uint32_t size, uint64_t desc,
			  uint64_t driver, uint64_t device);
/* Takes the next available request: 1, or 0 when none (asserts on a malformed chain). */
int fake_vq_pop(struct fake_vq_device *d, struct fake_vq_request *r);
/*
 * Writes a used entry.  split: at used.idx, which then moves by skip (1, or
 * an IN_ORDER batch's size); packed: at the device's used position, which
 * then moves by skip descriptors (the buffer's, or the whole batch's).
 */
void fake_vq_push(struct fake_vq_device *d, uint32_t id, uint32_t len, unsigned skip);

#endif
