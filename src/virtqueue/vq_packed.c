/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The packed ring, driver side: one descriptor ring with wrap counters and event suppression (spec 2.8). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq_decode.h"
#include "vq_internal.h"

/* Byte offsets (spec 2.8.13 struct pvirtq_desc, 2.8.14 struct pvirtq_event_suppress). */
enum {
	PDESC_ADDR = 0,
	PDESC_LEN = 8,
	PDESC_ID = 12,
	PDESC_FLAGS = 14,
	PDESC_BYTES = 16,
	EVENT_OFF_WRAP = 0,
	EVENT_FLAGS = 2,
	EVENT_BYTES = 4,
};

static uint8_t *pdesc_at(const struct virtqueue *vq, uint32_t pos)
{
	return (uint8_t *)vq->ring.vaddr + (size_t)pos * PDESC_BYTES;
}
static uint8_t *driver_event(const struct virtqueue *vq) { return (uint8_t *)vq->ring.vaddr + vq->driver_off; }
static uint8_t *device_event(const struct virtqueue *vq) { return (uint8_t *)vq->ring.vaddr + vq->device_off; }

static int packed_init(struct virtqueue *vq, char *why, size_t why_len)
{
	size_t ring_bytes = (size_t)vq->size * PDESC_BYTES;

	vq->shadow_flags = calloc(vq->size, sizeof(*vq->shadow_flags));
	vq->free_ids = calloc(vq->size, sizeof(*vq->free_ids));
	if (!vq->shadow_flags || !vq->free_ids) {
		snprintf(why, why_len, "queue %u: out of memory", vq->index);
		return -ENOMEM;
	}
	int r = vq->dma->alloc(vq->dma->opaque, ring_bytes + 2 * EVENT_BYTES, 4096, &vq->ring);

	if (r < 0) {
		snprintf(why, why_len, "queue %u: no DMA memory for a packed ring of %u (%s)", vq->index, vq->size,
			 strerror(-r));
		return r;
	}
	vq->driver_off = ring_bytes;
	vq->device_off = ring_bytes + EVENT_BYTES;
	/* Popped from the top: ids come out 0, 1, 2, ... on a fresh queue. */
	for (uint32_t i = 0; i < vq->size; i++)
		vq->free_ids[i] = (uint16_t)(vq->size - 1 - i);
	vq->n_free_ids = vq->size;
	vq->free_descs = vq->size;
	vq->avail_wrap = true;
	vq->used_wrap = true;
	return 0;
}

static void write_pdesc(uint8_t *d, uint64_t addr, uint32_t len, uint16_t id)
{
	vq_store64(d + PDESC_ADDR, addr);
	vq_store32(d + PDESC_LEN, len);
	vq_store16(d + PDESC_ID, id);
}

/* AVAIL equal to the driver's wrap counter and USED its inverse: "available" in this pass (2.8.1). */
static uint16_t avail_bits(bool wrap) { return wrap ? VQ_DESC_F_AVAIL : VQ_DESC_F_USED; }

static int packed_add(struct virtqueue *vq, const struct vq_sg *sg, unsigned n_out, unsigned n_in, void *cookie)
{
	unsigned n = n_out + n_in;
	bool indirect = vq->indirect && n > 1;
	unsigned need = indirect ? 1 : n;

	if (vq->free_descs < need || !vq->n_free_ids)
		return -ENOSPC;
	uint16_t id = vq->free_ids[--vq->n_free_ids];
	uint16_t head = vq->next_avail, pos = head, head_flags = 0;
	bool wrap = vq->avail_wrap;
	uint32_t writable = 0;

	for (unsigned k = n_out; k < n; k++)
		writable += sg[k].len;
	for (unsigned k = 0; k < need; k++) {
		uint8_t *d = pdesc_at(vq, pos);
		uint16_t flags;

		if (indirect) {
			size_t off = (size_t)id * VQ_MAX_SG * PDESC_BYTES;
			uint8_t *table = (uint8_t *)vq->indirect_tables.vaddr + off;

			/* Table entries carry only WRITE; their order is the chain (2.8.8). */
			for (unsigned i = 0; i < n; i++) {
				write_pdesc(table + (size_t)i * PDESC_BYTES, sg[i].bus, sg[i].len, 0);
				vq_store16(table + (size_t)i * PDESC_BYTES + PDESC_FLAGS,
					   i >= n_out ? VQ_DESC_F_WRITE : 0);
			}
			write_pdesc(d, vq->indirect_tables.bus + off, n * PDESC_BYTES, id);
			flags = VQ_DESC_F_INDIRECT;
		} else {
			write_pdesc(d, sg[k].bus, sg[k].len, id);
			flags = (uint16_t)((k + 1 < need ? VQ_DESC_F_NEXT : 0) | (k >= n_out ? VQ_DESC_F_WRITE : 0));
		}
		flags |= avail_bits(wrap);
		vq->shadow_flags[pos] = flags;
		if (k == 0)
			head_flags = flags;
		else
			vq_store16(d + PDESC_FLAGS, flags);
		if (++pos == vq->size) {
			pos = 0;
			wrap = !wrap;
		}
	}
	/* The head's flags publish the whole chain: written last, after everything else is visible (2.8.21). */
	vq_wmb();
	vq_store16(pdesc_at(vq, head) + PDESC_FLAGS, head_flags);
	vq->next_avail = pos;
	vq->avail_wrap = wrap;
	vq->free_descs -= need;
	vq->req[id] = (struct vq_request){
		.busy = true,
		.n_desc = (uint16_t)need,
		.writable = writable,
		.seq = vq->next_seq++,
		.cookie = cookie,
		.indirect_slot = indirect ? id : -1,
	};
	vq->in_flight++;
	vq->num_added += need;
	return 0;
}

static bool packed_need_kick(struct virtqueue *vq)
{
	uint16_t off_wrap = vq_load16(device_event(vq) + EVENT_OFF_WRAP);
	uint16_t flags = vq_load16(device_event(vq) + EVENT_FLAGS);

	switch (flags) {
	case VQ_EVENT_FLAGS_DISABLE:
		return false;
	case VQ_EVENT_FLAGS_ENABLE:
		return true;
	case VQ_EVENT_FLAGS_DESC:
		if (vq->event_idx)
			break;
		violation_add(vq->violations, "event_flags_invalid", "2.8.10",
			      "queue %u: device event suppression asks for DESC mode, but EVENT_IDX was not negotiated",
			      vq->index);
		return true;
	default:
		violation_add(vq->violations, "event_flags_invalid", "2.8.10",
			      "queue %u: device event suppression flags 0x%x are reserved; notifying anyway", vq->index,
			      flags);
		return true;
	}
	/* DESC: notify when the descriptors just made available pass the device's event offset. */
	uint16_t event = off_wrap & 0x7fff;
	bool event_wrap = off_wrap >> 15;
	uint16_t old = (uint16_t)(vq->next_avail - vq->num_added);

	if (event_wrap != vq->avail_wrap)
		event = (uint16_t)(event - vq->size);
	return vq_need_event(event, vq->next_avail, old);
}

static uint32_t packed_notify_data(const struct virtqueue *vq)
{
	/* 2.9: queue index, next offset in bits 16..30, the driver's wrap counter in bit 31 */
	return (uint32_t)vq->index | ((uint32_t)vq->next_avail << 16) | ((uint32_t)vq->avail_wrap << 31);
}

/* Descriptors the used entry for id covers: with IN_ORDER, every earlier request's too (one entry per batch). */
static unsigned used_span(const struct virtqueue *vq, uint16_t id)
{
	if (!vq->in_order)
		return vq->req[id].n_desc;
	unsigned span = 0;

	for (uint32_t i = 0; i < vq->size; i++)
		if (vq->req[i].busy && (int32_t)(vq->req[i].seq - vq->req[id].seq) <= 0)
			span += vq->req[i].n_desc;
	return span;
}

/* The slot at the driver's used position is neither what the driver wrote nor a used descriptor of this pass. */
static int bad_slot(struct virtqueue *vq, uint16_t flags)
{
	bool a = flags & VQ_DESC_F_AVAIL, u = flags & VQ_DESC_F_USED;

	if (a == u)
		violation_add(vq->violations, "packed_wrap_wrong", "2.8.1",
			      "queue %u: descriptor %u marked used with wrap counter %d, but the device's wrap counter is %d there",
			      vq->index, vq->last_used, a, vq->used_wrap);
	else
		violation_add(vq->violations, "desc_rewritten", "2.8.1",
			      "queue %u: flags of available descriptor %u changed from 0x%04x to 0x%04x without marking it used",
			      vq->index, vq->last_used, vq->shadow_flags[vq->last_used], flags);
	return vq_fail(vq);
}

static int packed_next_used(struct virtqueue *vq, uint16_t *id_out, uint32_t *len_out)
{
	uint8_t *d = pdesc_at(vq, vq->last_used);
	uint16_t flags = vq_load16(d + PDESC_FLAGS);
	bool a = flags & VQ_DESC_F_AVAIL, u = flags & VQ_DESC_F_USED;
	bool used = a == u && u == vq->used_wrap;

	if (!used) {
		/* Nothing in flight: the slot holds an old pass's state; in flight: exactly what the driver wrote. */
		if (!vq->in_flight || flags == vq->shadow_flags[vq->last_used])
			return 0;
		return bad_slot(vq, flags);
	}
	if (!vq->in_flight) {
		violation_add(vq->violations, "used_without_request", "2.8.1",
			      "queue %u: descriptor %u marked used in this pass, but no buffer was in flight", vq->index,
			      vq->last_used);
		return vq_fail(vq);
	}
	/* id and len must not be read before the flags that announce them. */
	vq_rmb();
	uint16_t id = vq_load16(d + PDESC_ID);
	uint32_t len = vq_load32(d + PDESC_LEN);

	if (id >= vq->size) {
		violation_add(vq->violations, "used_id_out_of_range", "2.8.1",
			      "queue %u: used descriptor %u names buffer id %u, but the queue has %u", vq->index,
			      vq->last_used, id, vq->size);
		return vq_fail(vq);
	}
	if (!vq->req[id].busy) {
		violation_add(vq->violations, "used_id_not_head", "2.8.1",
			      "queue %u: used descriptor %u names buffer id %u, which is not in flight", vq->index,
			      vq->last_used, id);
		return vq_fail(vq);
	}
	unsigned next = vq->last_used + used_span(vq, id);

	if (next >= vq->size) {
		next -= vq->size;
		vq->used_wrap = !vq->used_wrap;
	}
	vq->last_used = (uint16_t)next;
	*id_out = id;
	*len_out = len;
	return 1;
}

static void packed_release(struct virtqueue *vq, uint16_t id)
{
	vq->free_ids[vq->n_free_ids++] = id;
	vq->free_descs += vq->req[id].n_desc;
}

static void packed_set_interrupts(struct virtqueue *vq, bool on)
{
	vq_store16(driver_event(vq) + EVENT_FLAGS, on ? VQ_EVENT_FLAGS_ENABLE : VQ_EVENT_FLAGS_DISABLE);
}

static void packed_describe(const struct virtqueue *vq, char *buf, size_t len)
{
	snprintf(buf, len,
		 "queue %u (packed, size %u): driver next %u/w%d, driver's next used %u/w%d, device event flags 0x%x, %u in flight",
		 vq->index, vq->size, vq->next_avail, vq->avail_wrap, vq->last_used, vq->used_wrap,
		 vq_load16(device_event(vq) + EVENT_FLAGS), vq->in_flight);
}

static void packed_fill_snapshot(const struct virtqueue *vq, struct vq_snapshot *s)
{
	s->has_driver_pos = true;
	s->driver_next = vq->next_avail;
	s->driver_wrap = vq->avail_wrap;
	s->has_driver_used_pos = true;
	s->driver_used_next = vq->last_used;
	s->driver_used_wrap = vq->used_wrap;
	/* Nothing in flight: every used descriptor the device wrote was reaped, so its next one is ours. */
	if (!vq->in_flight) {
		s->has_device_pos = true;
		s->device_next = vq->last_used;
		s->device_wrap = vq->used_wrap;
	}
}

const struct vq_ring_ops vq_packed_ops = {
	.init = packed_init,
	.add = packed_add,
	.need_kick = packed_need_kick,
	.notify_data = packed_notify_data,
	.next_used = packed_next_used,
	.release = packed_release,
	.set_interrupts = packed_set_interrupts,
	.describe = packed_describe,
	.fill_snapshot = packed_fill_snapshot,
};
