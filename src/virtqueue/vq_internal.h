/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the split and packed ring drivers share: the queue object, per-request state, the ring-type ops. */
#ifndef VIRTIOCTL_VQ_INTERNAL_H
#define VIRTIOCTL_VQ_INTERNAL_H

#include "virtqueue.h"

/* One request the driver made available; split: indexed by head, packed: by buffer id. */
struct vq_request {
	bool busy;
	uint16_t n_desc;         /* descriptors it occupies in the ring (1 when indirect) */
	uint32_t writable;       /* device-writable bytes: the most a used length may say */
	uint32_t seq;            /* order of submission, for IN_ORDER batches and messages */
	void *cookie;
	int indirect_slot;       /* index of its indirect table, -1 when none */
};

/* Shadow of a split descriptor as the driver wrote it: the device must not change it. */
struct vq_shadow_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_ring_ops;

struct virtqueue {
	const struct vq_ring_ops *ops;
	enum vq_ring_type ring_type;
	uint16_t index;
	uint32_t size;
	struct virtio_features features;
	bool event_idx, indirect, in_order, notification_data;
	bool interrupts;
	bool broken;

	const struct vq_dma_allocator *dma;
	struct vq_dma_chunk ring;        /* all ring areas */
	struct vq_dma_chunk indirect_tables;   /* size tables of VQ_MAX_SG descriptors, or empty */
	size_t driver_off, device_off;   /* area offsets inside ring */

	vq_notify_fn notify;
	void *notify_opaque;
	struct violation_log *violations;

	struct vq_request *req;          /* size entries */
	uint32_t next_seq;
	unsigned in_flight;
	unsigned num_added;              /* since the last kick: split avail entries, packed descriptors */

	/* IN_ORDER: a used entry naming a later request completes the earlier ones first */
	bool batch_active;
	uint16_t batch_id;
	uint32_t batch_len;

	/* split */
	struct vq_shadow_desc *shadow;   /* size entries */
	uint16_t free_head;
	unsigned num_free;
	uint16_t avail_idx;              /* next free-running avail index */
	uint16_t last_used_idx;
	uint16_t *free_next;             /* free-list links, kept apart from the descriptors the device sees */

	/* packed */
	uint16_t *shadow_flags;          /* flags the driver wrote at each ring position */
	uint16_t *free_ids;              /* stack of free buffer ids */
	unsigned n_free_ids;
	unsigned free_descs;
	uint16_t next_avail;
	bool avail_wrap;
	uint16_t last_used;
	bool used_wrap;
};

struct vq_ring_ops {
	int (*init)(struct virtqueue *vq, char *why, size_t why_len);
	int (*add)(struct virtqueue *vq, const struct vq_sg *sg, unsigned n_out, unsigned n_in, void *cookie);
	bool (*need_kick)(struct virtqueue *vq);
	uint32_t (*notify_data)(const struct virtqueue *vq);
	/* 1 with the used entry's id and len (validated id, not yet len), 0 none, -EPROTO */
	int (*next_used)(struct virtqueue *vq, uint16_t *id, uint32_t *len);
	/* Returns the request's descriptors to the free pool (after it left flight). */
	void (*release)(struct virtqueue *vq, uint16_t id);
	void (*set_interrupts)(struct virtqueue *vq, bool on);
	void (*describe)(const struct virtqueue *vq, char *buf, size_t len);
	void (*fill_snapshot)(const struct virtqueue *vq, struct vq_snapshot *s);
};

extern const struct vq_ring_ops vq_split_ops;
extern const struct vq_ring_ops vq_packed_ops;

/*
 * Ring memory is shared with the device: every access goes through these,
 * single-copy atomic so a racing device write is seen whole or not at all.
 * Rings are little-endian (VERSION_1, packed) or guest-native (legacy); the
 * tool builds only for little-endian hosts (asserted in virtqueue.c).
 */
static inline uint16_t vq_load16(const void *p)
{
	uint16_t v;

	__atomic_load((const volatile uint16_t *)p, &v, __ATOMIC_RELAXED);
	return v;
}
static inline uint32_t vq_load32(const void *p)
{
	uint32_t v;

	__atomic_load((const volatile uint32_t *)p, &v, __ATOMIC_RELAXED);
	return v;
}
static inline uint64_t vq_load64(const void *p)
{
	uint64_t v;

	__atomic_load((const volatile uint64_t *)p, &v, __ATOMIC_RELAXED);
	return v;
}
static inline void vq_store16(void *p, uint16_t v) { __atomic_store((volatile uint16_t *)p, &v, __ATOMIC_RELAXED); }
static inline void vq_store32(void *p, uint32_t v) { __atomic_store((volatile uint32_t *)p, &v, __ATOMIC_RELAXED); }
static inline void vq_store64(void *p, uint64_t v) { __atomic_store((volatile uint64_t *)p, &v, __ATOMIC_RELAXED); }

/* Orders ring writes before the index or flag that publishes them, and reads after the one that announces them. */
static inline void vq_wmb(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
static inline void vq_rmb(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
static inline void vq_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* vring_need_event of the spec (2.7.10): whether moving from old to new_idx passes event. */
static inline bool vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* The busy request submitted first, or -1. */
int vq_oldest_request(const struct virtqueue *vq);
/* Appends " (ids 3, 7, ...)" of the outstanding requests in submission order to buf. */
void vq_describe_outstanding(const struct virtqueue *vq, char *buf, size_t len);
/* Marks the queue broken (after a violation) and returns -EPROTO. */
int vq_fail(struct virtqueue *vq);

#endif
