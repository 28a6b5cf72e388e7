/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What both ring types do the same way: creation, request bookkeeping, IN_ORDER batches, kick, snapshot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq_internal.h"

/* Legacy rings are guest-native and modern ones little-endian: one byte order serves both only here. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtqueue rings are written for little-endian hosts");

int vq_create(const struct vq_config *c, struct virtqueue **out, char *why, size_t why_len)
{
	*out = NULL;
	if (!c->size || c->size > VQ_MAX_SIZE) {
		snprintf(why, why_len, "queue %u: size %u is outside 1..%u", c->index, c->size, VQ_MAX_SIZE);
		return -EINVAL;
	}
	if (c->ring_type == VQ_RING_SPLIT && (c->size & (c->size - 1))) {
		snprintf(why, why_len, "queue %u: split queue size %u is not a power of two", c->index, c->size);
		return -EINVAL;
	}
	if (!c->dma || !c->violations) {
		snprintf(why, why_len, "queue %u: no DMA allocator or violation log", c->index);
		return -EINVAL;
	}
	struct virtqueue *vq = calloc(1, sizeof(*vq));

	if (!vq) {
		snprintf(why, why_len, "queue %u: out of memory", c->index);
		return -ENOMEM;
	}
	vq->ops = c->ring_type == VQ_RING_PACKED ? &vq_packed_ops : &vq_split_ops;
	vq->ring_type = c->ring_type;
	vq->index = c->index;
	vq->size = c->size;
	vq->features = c->features;
	vq->event_idx = virtio_features_test(&c->features, VIRTIO_RING_F_EVENT_IDX_BIT);
	vq->indirect = c->use_indirect && virtio_features_test(&c->features, VIRTIO_RING_F_INDIRECT_DESC_BIT);
	vq->in_order = virtio_features_test(&c->features, VIRTIO_F_IN_ORDER_BIT);
	vq->notification_data = virtio_features_test(&c->features, VIRTIO_F_NOTIFICATION_DATA_BIT);
	vq->interrupts = true;
	vq->dma = c->dma;
	vq->notify = c->notify;
	vq->notify_opaque = c->notify_opaque;
	vq->violations = c->violations;
	vq->req = calloc(c->size, sizeof(*vq->req));
	if (!vq->req) {
		vq_destroy(vq);
		snprintf(why, why_len, "queue %u: out of memory", c->index);
		return -ENOMEM;
	}
	if (vq->indirect) {
		int r = c->dma->alloc(c->dma->opaque, (size_t)c->size * VQ_MAX_SG * 16, 16, &vq->indirect_tables);

		if (r < 0) {
			vq_destroy(vq);
			snprintf(why, why_len, "queue %u: no DMA memory for indirect tables (%s)", c->index, strerror(-r));
			return r;
		}
	}
	int r = vq->ops->init(vq, why, why_len);

	if (r < 0) {
		vq_destroy(vq);
		return r;
	}
	*out = vq;
	return 0;
}

void vq_destroy(struct virtqueue *vq)
{
	if (!vq)
		return;
	vq_dma_release(vq->dma, &vq->ring);
	vq_dma_release(vq->dma, &vq->indirect_tables);
	free(vq->req);
	free(vq->shadow);
	free(vq->shadow_flags);
	free(vq->free_ids);
	free(vq->free_next);
	free(vq);
}

void vq_area_addrs(const struct virtqueue *vq, uint64_t *desc, uint64_t *driver, uint64_t *device)
{
	*desc = vq->ring.bus;
	*driver = vq->ring.bus + vq->driver_off;
	*device = vq->ring.bus + vq->device_off;
}

uint32_t vq_size(const struct virtqueue *vq) { return vq->size; }
uint16_t vq_index(const struct virtqueue *vq) { return vq->index; }
enum vq_ring_type vq_ring_type_of(const struct virtqueue *vq) { return vq->ring_type; }
unsigned vq_in_flight(const struct virtqueue *vq) { return vq->in_flight; }
bool vq_broken(const struct virtqueue *vq) { return vq->broken; }

void vq_driver_positions(const struct virtqueue *vq, uint16_t *next_avail, bool *avail_wrap, uint16_t *next_used,
			 bool *used_wrap)
{
	bool split = vq->ring_type == VQ_RING_SPLIT;

	*next_avail = split ? vq->avail_idx : vq->next_avail;
	*avail_wrap = !split && vq->avail_wrap;
	*next_used = split ? vq->last_used_idx : vq->last_used;
	*used_wrap = !split && vq->used_wrap;
}

int vq_fail(struct virtqueue *vq)
{
	vq->broken = true;
	return -EPROTO;
}

int vq_add(struct virtqueue *vq, const struct vq_sg *sg, unsigned n_out, unsigned n_in, void *cookie)
{
	if (vq->broken)
		return -EPROTO;
	unsigned n = n_out + n_in;

	if (n == 0 || n > VQ_MAX_SG)
		return -EINVAL;
	uint64_t writable = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!sg[i].len)
			return -EINVAL;
		if (i >= n_out)
			writable += sg[i].len;
	}
	if (writable > UINT32_MAX)
		return -EINVAL;
	return vq->ops->add(vq, sg, n_out, n_in, cookie);
}

int vq_kick(struct virtqueue *vq)
{
	if (vq->broken)
		return -EPROTO;
	if (!vq->num_added)
		return 0;
	/* The device's suppression state must be read after our index/flags are visible to it. */
	vq_mb();
	bool kick = vq->ops->need_kick(vq);
	uint32_t data = vq->notification_data ? vq->ops->notify_data(vq) : vq->index;

	vq->num_added = 0;
	if (!kick)
		return 0;
	if (vq->notify) {
		int r = vq->notify(vq->notify_opaque, vq->index, data);

		if (r < 0)
			return r;
	}
	return 1;
}

int vq_oldest_request(const struct virtqueue *vq)
{
	int best = -1;

	for (uint32_t i = 0; i < vq->size; i++)
		if (vq->req[i].busy && (best < 0 || (int32_t)(vq->req[i].seq - vq->req[best].seq) < 0))
			best = (int)i;
	return best;
}

/* Leaves flight: the request's state is cleared and its descriptors freed. */
static void *complete_request(struct virtqueue *vq, uint16_t id)
{
	void *cookie = vq->req[id].cookie;

	vq->ops->release(vq, id);
	vq->req[id].busy = false;
	vq->req[id].cookie = NULL;
	vq->in_flight--;
	return cookie;
}

int vq_reap(struct virtqueue *vq, void **cookie, uint32_t *len)
{
	if (vq->broken)
		return -EPROTO;
	/* IN_ORDER batch: the device returned only the last request's id; earlier ones complete first. */
	if (vq->batch_active) {
		int oldest = vq_oldest_request(vq);

		if (oldest < 0 || oldest == vq->batch_id) {
			vq->batch_active = false;
			*len = vq->batch_len;
			*cookie = complete_request(vq, vq->batch_id);
			return 1;
		}
		*len = 0;
		*cookie = complete_request(vq, (uint16_t)oldest);
		return 1;
	}
	uint16_t id;
	uint32_t used_len;
	int r = vq->ops->next_used(vq, &id, &used_len);

	if (r <= 0)
		return r;
	struct vq_request *q = &vq->req[id];

	if (used_len > q->writable) {
		violation_add(vq->violations, "used_len_too_large", vq->ring_type == VQ_RING_SPLIT ? "2.7.8.1" : "2.8.4",
			      "queue %u: used length %u for id %u exceeds the %u device-writable bytes it was given",
			      vq->index, used_len, id, q->writable);
		return vq_fail(vq);
	}
	int oldest = vq_oldest_request(vq);

	if (oldest >= 0 && oldest != id) {
		if (vq->in_order) {
			/* A batch: the next calls hand out the earlier requests, then this one. */
			vq->batch_active = true;
			vq->batch_id = id;
			vq->batch_len = used_len;
			*len = 0;
			*cookie = complete_request(vq, (uint16_t)oldest);
			return 1;
		}
	}
	*len = used_len;
	*cookie = complete_request(vq, id);
	return 1;
}

void vq_set_interrupts(struct virtqueue *vq, bool on)
{
	vq->interrupts = on;
	vq->ops->set_interrupts(vq, on);
}

void vq_describe_outstanding(const struct virtqueue *vq, char *buf, size_t len)
{
	size_t used = strlen(buf);
	unsigned shown = 0;
	uint32_t seq_floor = 0;
	bool first = true;

	if (!vq->in_flight)
		return;
	/* In submission order, at most 8. */
	int oldest = vq_oldest_request(vq);

	if (oldest >= 0)
		seq_floor = vq->req[oldest].seq;
	snprintf(buf + used, len > used ? len - used : 0, " (%s", vq->ring_type == VQ_RING_SPLIT ? "heads" : "ids");
	for (uint32_t s = seq_floor; s != vq->next_seq && shown < 8; s++) {
		for (uint32_t i = 0; i < vq->size; i++) {
			if (!vq->req[i].busy || vq->req[i].seq != s)
				continue;
			used = strlen(buf);
			snprintf(buf + used, len > used ? len - used : 0, "%s %u", first ? "" : ",", i);
			first = false;
			shown++;
		}
	}
	used = strlen(buf);
	snprintf(buf + used, len > used ? len - used : 0, "%s)", shown < vq->in_flight ? ", ..." : "");
}

void vq_describe(const struct virtqueue *vq, char *buf, size_t len)
{
	vq->ops->describe(vq, buf, len);
	vq_describe_outstanding(vq, buf, len);
}

int vq_take_snapshot(const struct virtqueue *vq, uint32_t device_id, struct vq_snapshot *s)
{
	*s = (struct vq_snapshot){
		.ring_type = vq->ring_type,
		.size = vq->size,
		.queue_index = vq->index,
		.device_id = device_id,
		.features = vq->features,
	};
	vq_area_addrs(vq, &s->desc_addr, &s->driver_addr, &s->device_addr);
	vq->ops->fill_snapshot(vq, s);
	char name[32];

	snprintf(name, sizeof(name), "queue %u rings", vq->index);
	int r = vq_mem_add(&s->mem, vq->ring.bus, vq->ring.vaddr, vq->ring.len, true, name, 0);

	if (!r && vq->indirect_tables.vaddr) {
		snprintf(name, sizeof(name), "queue %u indirect", vq->index);
		r = vq_mem_add(&s->mem, vq->indirect_tables.bus, vq->indirect_tables.vaddr, vq->indirect_tables.len,
			       true, name, 0);
	}
	if (r < 0)
		vq_snapshot_free(s);
	return r;
}
