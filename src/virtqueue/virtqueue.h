/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver side of a virtqueue, split or packed: add scatter lists, kick, reap used buffers, never trust the device. */
#ifndef VIRTIOCTL_VIRTQUEUE_H
#define VIRTIOCTL_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "violation.h"
#include "virtio_features.h"
#include "vq_dma.h"
#include "vq_snapshot.h"

/* Most elements one request may have (also the size of each indirect table). */
#define VQ_MAX_SG 16u

/* One element of a request: bus address and length.  Device-readable elements come first. */
struct vq_sg {
	uint64_t bus;
	uint32_t len;
};

/*
 * How the transport notifies the device of new buffers.  data is the
 * notification value: the queue index, or with NOTIFICATION_DATA the 32-bit
 * value of spec 2.9 (next avail index or offset and wrap in bits 16..31).
 */
typedef int (*vq_notify_fn)(void *opaque, uint16_t queue, uint32_t data);

struct vq_config {
	uint16_t index;
	uint32_t size;           /* split: a power of two; both: 1..32768 */
	enum vq_ring_type ring_type;
	struct virtio_features features;   /* negotiated: EVENT_IDX, INDIRECT_DESC, IN_ORDER, NOTIFICATION_DATA */
	bool use_indirect;       /* put multi-element requests in an indirect table when negotiated */
	const struct vq_dma_allocator *dma;
	vq_notify_fn notify;
	void *notify_opaque;
	struct violation_log *violations;  /* where device misbehaviour is recorded; required */
};

struct virtqueue;

/*
 * Allocates and lays out the rings (split in the legacy contiguous layout,
 * 4096-aligned, so one queue setup serves modern and legacy transports).
 * Returns 0 or a negative errno with one sentence in why.
 */
int vq_create(const struct vq_config *c, struct virtqueue **out, char *why, size_t why_len);
/* Frees the rings; call only after the device was reset.  Accepts NULL. */
void vq_destroy(struct virtqueue *vq);

/* Bus addresses of the three areas, for the transport's queue setup. */
void vq_area_addrs(const struct virtqueue *vq, uint64_t *desc, uint64_t *driver, uint64_t *device);
uint32_t vq_size(const struct virtqueue *vq);
uint16_t vq_index(const struct virtqueue *vq);
enum vq_ring_type vq_ring_type_of(const struct virtqueue *vq);
unsigned vq_in_flight(const struct virtqueue *vq);
/*
 * The driver's own positions: split, the next avail index and the next used
 * index to read (wraps false); packed, the next descriptor position to fill
 * and to read as used, with their wrap counters.
 */
void vq_driver_positions(const struct virtqueue *vq, uint16_t *next_avail, bool *avail_wrap, uint16_t *next_used,
			 bool *used_wrap);
/* Whether the device broke the ring protocol; every later operation then returns -EPROTO. */
bool vq_broken(const struct virtqueue *vq);

/*
 * Makes a request available: n_out device-readable elements, then n_in
 * device-writable ones (1 <= n_out + n_in <= VQ_MAX_SG, no zero lengths).
 * cookie comes back from vq_reap().  -ENOSPC when the ring is full,
 * -EINVAL for a bad request, -EPROTO when the queue is broken.
 */
int vq_add(struct virtqueue *vq, const struct vq_sg *sg, unsigned n_out, unsigned n_in, void *cookie);

/*
 * Notifies the device of what vq_add() published since the last kick,
 * unless the device suppressed notifications (flags or event index).
 * Returns 1 notified, 0 suppressed, or the notify callback's error.
 */
int vq_kick(struct virtqueue *vq);

/*
 * Takes one used buffer: returns 1 with *cookie and *len (bytes the device
 * wrote), 0 when none is used, -EPROTO when the device wrote something the
 * spec forbids (recorded in the violation log; the queue is then broken).
 * len is validated against the request's writable bytes before it is
 * returned.  With IN_ORDER a batch the device returned as one used entry
 * comes back one request at a time, the earlier ones with len 0.
 */
int vq_reap(struct virtqueue *vq, void **cookie, uint32_t *len);

/* Whether the device should interrupt on used buffers (off when polling). */
void vq_set_interrupts(struct virtqueue *vq, bool on);

/*
 * One line for timeout and error messages: ring type, the driver's and
 * device's indices as read now, and the outstanding requests.
 */
void vq_describe(const struct virtqueue *vq, char *buf, size_t len);

/*
 * The queue as a vq_snapshot (ring memory copied, bus addresses, the
 * driver's own positions), for ring_decode's decoder and .vqdump files.
 */
int vq_take_snapshot(const struct virtqueue *vq, uint32_t device_id, struct vq_snapshot *out);

#endif
