/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DMA memory the rings need: a chunk is host-visible bytes plus the bus address the device uses. */
#ifndef VIRTIOCTL_VQ_DMA_H
#define VIRTIOCTL_VQ_DMA_H

#include <stddef.h>
#include <stdint.h>

/*
 * vaddr is where this process reads and writes; bus is what the device is
 * told (an IOVA behind an IOMMU, a physical address without one).  The
 * virtqueue layer never derives one from the other: it only ever writes
 * bus addresses into rings and only ever touches vaddr.
 */
struct vq_dma_chunk {
	void *vaddr;
	uint64_t bus;
	size_t len;
};

/*
 * Where chunks come from: the vfio layer's pinned, mapped pool in a probe,
 * plain heap memory in unit tests.  alloc returns zeroed memory aligned to
 * `align` (a power of two) on the bus side and the host side, or a
 * negative errno.  free may be NULL when chunks live until the pool goes.
 */
struct vq_dma_allocator {
	int (*alloc)(void *opaque, size_t len, size_t align, struct vq_dma_chunk *out);
	void (*free)(void *opaque, struct vq_dma_chunk *chunk);
	void *opaque;
};

/* Heap memory whose bus address is its host address: for unit tests and device models in memory. */
extern const struct vq_dma_allocator vq_dma_plain;

/* Frees a chunk through its allocator; accepts NULL and empty chunks. */
void vq_dma_release(const struct vq_dma_allocator *a, struct vq_dma_chunk *c);

#endif
