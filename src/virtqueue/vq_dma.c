/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plain-memory DMA allocator (bus address == host address) and the release helper. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vq_dma.h"

static int plain_alloc(void *opaque, size_t len, size_t align, struct vq_dma_chunk *out)
{
	(void)opaque;
	if (!len || !align || (align & (align - 1)))
		return -EINVAL;
	if (align < sizeof(void *))
		align = sizeof(void *);
	size_t rounded = (len + align - 1) & ~(align - 1);
	void *p = aligned_alloc(align, rounded);

	if (!p)
		return -ENOMEM;
	memset(p, 0, rounded);
	*out = (struct vq_dma_chunk){ .vaddr = p, .bus = (uint64_t)(uintptr_t)p, .len = len };
	return 0;
}

static void plain_free(void *opaque, struct vq_dma_chunk *c)
{
	(void)opaque;
	free(c->vaddr);
}

const struct vq_dma_allocator vq_dma_plain = {
	.alloc = plain_alloc,
	.free = plain_free,
};

void vq_dma_release(const struct vq_dma_allocator *a, struct vq_dma_chunk *c)
{
	if (!c || !c->vaddr)
		return;
	if (a && a->free)
		a->free(a->opaque, c);
	*c = (struct vq_dma_chunk){ 0 };
}
