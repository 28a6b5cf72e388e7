/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The split ring, driver side: descriptor table, avail ring, used ring (spec 2.7), every used entry checked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq_decode.h"
#include "vq_input.h"
#include "vq_internal.h"

/* Byte offsets inside the areas (spec 2.7.5, 2.7.6, 2.7.8). */
enum {
	DESC_ADDR = 0,
	DESC_LEN = 8,
	DESC_FLAGS = 12,
	DESC_NEXT = 14,
	DESC_BYTES = 16,
	AVAIL_FLAGS = 0,
	AVAIL_IDX = 2,
	AVAIL_RING = 4,
	USED_FLAGS = 0,
	USED_IDX = 2,
	USED_RING = 4,
	USED_ELEM_BYTES = 8,
	AVAIL_F_NO_INTERRUPT = 1,
	USED_F_NO_NOTIFY = 1,
};

static uint8_t *desc_at(const struct virtqueue *vq, uint32_t i)
{
	return (uint8_t *)vq->ring.vaddr + (size_t)i * DESC_BYTES;
}
static uint8_t *avail_area(const struct virtqueue *vq) { return (uint8_t *)vq->ring.vaddr + vq->driver_off; }
static uint8_t *used_area(const struct virtqueue *vq) { return (uint8_t *)vq->ring.vaddr + vq->device_off; }
static uint8_t *used_event_field(const struct virtqueue *vq) { return avail_area(vq) + AVAIL_RING + 2 * vq->size; }
static uint8_t *avail_event_field(const struct virtqueue *vq)
{
	return used_area(vq) + USED_RING + USED_ELEM_BYTES * vq->size;
}

static void write_desc(uint8_t *d, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	vq_store64(d + DESC_ADDR, addr);
	vq_store32(d + DESC_LEN, len);
	vq_store16(d + DESC_FLAGS, flags);
	vq_store16(d + DESC_NEXT, next);
}

static int split_init(struct virtqueue *vq, char *why, size_t why_len)
{
	uint64_t avail_off, used_off, total;

	/*
	 * The legacy layout (used ring on the next 4096 boundary) satisfies the
	 * modern alignment rules too, so one ring serves both transports.
	 */
	if (vq_legacy_layout(vq->size, 4096, &avail_off, &used_off, &total) < 0) {
		snprintf(why, why_len, "queue %u: no split layout for size %u", vq->index, vq->size);
		return -EINVAL;
	}
	vq->shadow = calloc(vq->size, sizeof(*vq->shadow));
	vq->free_next = calloc(vq->size, sizeof(*vq->free_next));
	if (!vq->shadow || !vq->free_next) {
		snprintf(why, why_len, "queue %u: out of memory", vq->index);
		return -ENOMEM;
	}
	int r = vq->dma->alloc(vq->dma->opaque, total, 4096, &vq->ring);

	if (r < 0) {
		snprintf(why, why_len, "queue %u: no DMA memory for a %llu-byte split ring (%s)", vq->index,
			 (unsigned long long)total, strerror(-r));
		return r;
	}
	vq->driver_off = avail_off;
	vq->device_off = used_off;
	for (uint32_t i = 0; i < vq->size; i++)
		vq->free_next[i] = (uint16_t)(i + 1 < vq->size ? i + 1 : 0);
	vq->free_head = 0;
	vq->num_free = vq->size;
	return 0;
}

/* Writes the indirect table of a request and returns the one ring descriptor that points at it. */
static struct vq_shadow_desc fill_indirect(struct virtqueue *vq, uint16_t head, const struct vq_sg *sg, unsigned n,
					   unsigned n_out)
{
	size_t off = (size_t)head * VQ_MAX_SG * DESC_BYTES;
	uint8_t *table = (uint8_t *)vq->indirect_tables.vaddr + off;

	for (unsigned i = 0; i < n; i++) {
		uint16_t flags = (uint16_t)((i + 1 < n ? VQ_DESC_F_NEXT : 0) | (i >= n_out ? VQ_DESC_F_WRITE : 0));

		write_desc(table + (size_t)i * DESC_BYTES, sg[i].bus, sg[i].len, flags, (uint16_t)(i + 1 < n ? i + 1 : 0));
	}
	return (struct vq_shadow_desc){
		.addr = vq->indirect_tables.bus + off,
		.len = n * DESC_BYTES,
		.flags = VQ_DESC_F_INDIRECT,
	};
}

static int split_add(struct virtqueue *vq, const struct vq_sg *sg, unsigned n_out, unsigned n_in, void *cookie)
{
	unsigned n = n_out + n_in;
	bool indirect = vq->indirect && n > 1;
	unsigned need = indirect ? 1 : n;

	if (vq->num_free < need)
		return -ENOSPC;
	uint16_t head = vq->free_head, i = head;
	uint32_t writable = 0;

	for (unsigned k = 0; k < n; k++)
		if (k >= n_out)
			writable += sg[k].len;
	if (indirect) {
		vq->shadow[head] = fill_indirect(vq, head, sg, n, n_out);
		write_desc(desc_at(vq, head), vq->shadow[head].addr, vq->shadow[head].len, vq->shadow[head].flags, 0);
		i = vq->free_next[head];
	} else {
		for (unsigned k = 0; k < n; k++) {
			struct vq_shadow_desc *d = &vq->shadow[i];

			d->addr = sg[k].bus;
			d->len = sg[k].len;
			d->flags = (uint16_t)((k + 1 < n ? VQ_DESC_F_NEXT : 0) | (k >= n_out ? VQ_DESC_F_WRITE : 0));
			d->next = k + 1 < n ? vq->free_next[i] : 0;
			write_desc(desc_at(vq, i), d->addr, d->len, d->flags, d->next);
			i = vq->free_next[i];
		}
	}
	vq->free_head = i;
	vq->num_free -= need;
	vq->req[head] = (struct vq_request){
		.busy = true,
		.n_desc = (uint16_t)need,
		.writable = writable,
		.seq = vq->next_seq++,
		.cookie = cookie,
		.indirect_slot = indirect ? head : -1,
	};
	vq->in_flight++;

	uint8_t *avail = avail_area(vq);

	vq_store16(avail + AVAIL_RING + 2 * (vq->avail_idx % vq->size), head);
	/* The ring entry must be visible before the index that publishes it (2.7.13). */
	vq_wmb();
	vq->avail_idx++;
	vq_store16(avail + AVAIL_IDX, vq->avail_idx);
	vq->num_added++;
	return 0;
}

static bool split_need_kick(struct virtqueue *vq)
{
	uint16_t old = (uint16_t)(vq->avail_idx - vq->num_added);

	if (vq->event_idx)
		return vq_need_event(vq_load16(avail_event_field(vq)), vq->avail_idx, old);
	return !(vq_load16(used_area(vq) + USED_FLAGS) & USED_F_NO_NOTIFY);
}

static uint32_t split_notify_data(const struct virtqueue *vq)
{
	/* 2.9: the queue index, then the next avail index in bits 16..31 */
	return (uint32_t)vq->index | ((uint32_t)vq->avail_idx << 16);
}

static int split_next_used(struct virtqueue *vq, uint16_t *id_out, uint32_t *len_out)
{
	uint8_t *used = used_area(vq);
	uint16_t used_idx = vq_load16(used + USED_IDX);

	if (used_idx == vq->last_used_idx)
		return 0;
	/* Entries must not be read before the index that announced them. */
	vq_rmb();
	uint16_t pending = (uint16_t)(used_idx - vq->last_used_idx);

	if (pending > vq->in_flight) {
		violation_add(vq->violations, "used_idx_jump", "2.7.8",
			      "queue %u: used.idx moved from %u to %u, %u entries, but only %u buffers were in flight",
			      vq->index, vq->last_used_idx, used_idx, pending, vq->in_flight);
		return vq_fail(vq);
	}
	const uint8_t *elem = used + USED_RING + USED_ELEM_BYTES * (vq->last_used_idx % vq->size);
	uint32_t id = vq_load32(elem), len = vq_load32(elem + 4);

	if (id >= vq->size) {
		violation_add(vq->violations, "used_id_out_of_range", "2.7.8",
			      "queue %u: used ring entry %u names descriptor %u, but the queue has %u",
			      vq->index, vq->last_used_idx, id, vq->size);
		return vq_fail(vq);
	}
	if (!vq->req[id].busy) {
		violation_add(vq->violations, "used_id_not_head", "2.7.8",
			      "queue %u: used ring entry %u names descriptor %u, which is not the head of an in-flight buffer",
			      vq->index, vq->last_used_idx, id);
		return vq_fail(vq);
	}
	/*
	 * IN_ORDER (2.7.9): one entry may stand for a batch, the requests up to
	 * this one, and used.idx then moves by the batch's size.
	 */
	unsigned batch = 1;

	if (vq->in_order) {
		batch = 0;
		for (uint32_t i = 0; i < vq->size; i++)
			if (vq->req[i].busy && (int32_t)(vq->req[i].seq - vq->req[id].seq) <= 0)
				batch++;
	}
	if (batch > pending) {
		violation_add(vq->violations, "in_order_batch_short", "2.7.9",
			      "queue %u: used entry %u for head %u completes a batch of %u buffers, but used.idx moved by only %u",
			      vq->index, vq->last_used_idx, id, batch, pending);
		return vq_fail(vq);
	}
	vq->last_used_idx = (uint16_t)(vq->last_used_idx + batch);
	/* Ask for an interrupt at the next used entry (2.7.7). */
	if (vq->event_idx && vq->interrupts)
		vq_store16(used_event_field(vq), vq->last_used_idx);
	*id_out = (uint16_t)id;
	*len_out = len;
	return 1;
}

/* The device must leave the descriptor table alone; a rewrite is reported, the shadow stays authoritative. */
static void check_desc_unchanged(struct virtqueue *vq, uint16_t i)
{
	const uint8_t *d = desc_at(vq, i);
	const struct vq_shadow_desc *s = &vq->shadow[i];
	uint64_t addr = vq_load64(d + DESC_ADDR);
	uint32_t len = vq_load32(d + DESC_LEN);
	uint16_t flags = vq_load16(d + DESC_FLAGS);

	if (addr != s->addr || len != s->len || flags != s->flags ||
	    ((s->flags & VQ_DESC_F_NEXT) && vq_load16(d + DESC_NEXT) != s->next))
		violation_add(vq->violations, "desc_rewritten", "2.7.5",
			      "queue %u: descriptor %u was changed by the device (addr 0x%llx len %u flags 0x%x, driver wrote addr 0x%llx len %u flags 0x%x)",
			      vq->index, i, (unsigned long long)addr, len, flags, (unsigned long long)s->addr, s->len,
			      s->flags);
}

static void split_release(struct virtqueue *vq, uint16_t head)
{
	uint16_t i = head, last = head;

	for (unsigned k = 0; k < vq->req[head].n_desc; k++) {
		check_desc_unchanged(vq, i);
		last = i;
		i = vq->free_next[i];
	}
	vq->free_next[last] = vq->free_head;
	vq->free_head = head;
	vq->num_free += vq->req[head].n_desc;
}

static void split_set_interrupts(struct virtqueue *vq, bool on)
{
	if (vq->event_idx) {
		/* flags must stay 0 with EVENT_IDX; an event index just behind ours suppresses 65535 entries */
		vq_store16(used_event_field(vq), on ? vq->last_used_idx : (uint16_t)(vq->last_used_idx - 1));
		return;
	}
	vq_store16(avail_area(vq) + AVAIL_FLAGS, on ? 0 : AVAIL_F_NO_INTERRUPT);
}

static void split_describe(const struct virtqueue *vq, char *buf, size_t len)
{
	snprintf(buf, len, "queue %u (split, size %u): avail.idx %u, used.idx %u, driver's last used %u, %u in flight",
		 vq->index, vq->size, vq->avail_idx, vq_load16(used_area(vq) + USED_IDX), vq->last_used_idx,
		 vq->in_flight);
}

static void split_fill_snapshot(const struct virtqueue *vq, struct vq_snapshot *s)
{
	s->has_last_used_idx = true;
	s->last_used_idx = vq->last_used_idx;
	/* Nothing in flight: the device consumed every available entry, so its position is ours. */
	if (!vq->in_flight) {
		s->has_last_avail_idx = true;
		s->last_avail_idx = vq->avail_idx;
	}
}

const struct vq_ring_ops vq_split_ops = {
	.init = split_init,
	.add = split_add,
	.need_kick = split_need_kick,
	.notify_data = split_notify_data,
	.next_used = split_next_used,
	.release = split_release,
	.set_interrupts = split_set_interrupts,
	.describe = split_describe,
	.fill_snapshot = split_fill_snapshot,
};
