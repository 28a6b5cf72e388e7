/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The legacy contiguous split-ring layout (the spec's legacy note on virtqueue layout): where avail and used start. */
#include <errno.h>

#include "vq_input.h"

int vq_legacy_layout(uint32_t size, uint32_t align, uint64_t *avail_off, uint64_t *used_off,
		     uint64_t *total_len)
{
	if (size == 0 || size > VQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	if (align == 0 || (align & (align - 1)))
		return -EINVAL;
	uint64_t avail = 16ull * size;
	/* The avail ring always reserves used_event, whether or not EVENT_IDX is negotiated. */
	uint64_t avail_end = avail + 2ull * (3 + size);
	uint64_t used = (avail_end + align - 1) & ~((uint64_t)align - 1);

	*avail_off = avail;
	*used_off = used;
	/* Likewise the used ring reserves avail_event. */
	*total_len = used + 2ull * 3 + 8ull * size;
	return 0;
}
