/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Area sizes of split and packed rings, from the spec's layouts. */
#include "vq_snapshot.h"

static bool event_idx(const struct vq_snapshot *s)
{
	return s->features_unknown || virtio_features_test(&s->features, VIRTIO_RING_F_EVENT_IDX_BIT);
}

uint64_t vq_desc_area_size(const struct vq_snapshot *s)
{
	return 16ull * s->size; /* split and packed descriptors are both 16 bytes */
}

uint64_t vq_driver_area_size(const struct vq_snapshot *s)
{
	if (s->ring_type == VQ_RING_PACKED)
		return 4; /* struct pvirtq_event_suppress */
	return 4 + 2ull * s->size + (event_idx(s) ? 2 : 0); /* flags, idx, ring[], used_event */
}

uint64_t vq_device_area_size(const struct vq_snapshot *s)
{
	if (s->ring_type == VQ_RING_PACKED)
		return 4;
	return 4 + 8ull * s->size + (event_idx(s) ? 2 : 0); /* flags, idx, ring[], avail_event */
}

void vq_snapshot_free(struct vq_snapshot *s)
{
	if (!s)
		return;
	vq_mem_free(&s->mem);
}
