/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DMA memory for a userspace driver: pinned once, at bus address == physical address, sub-allocated in chunks. */
#ifndef VIRTIOCTL_DMA_POOL_H
#define VIRTIOCTL_DMA_POOL_H

#include <stddef.h>
#include <stdint.h>

struct vfio_iommu;

/*
 * Why bus address == physical address: a virtio device that negotiated
 * VIRTIO_F_ACCESS_PLATFORM sends its DMA through the IOMMU (it needs
 * IOVAs we mapped); one that did not (QEMU without iommu_platform=on,
 * every legacy device) bypasses the IOMMU and uses guest-physical
 * addresses.  Mapping every page at IOVA = its physical address makes
 * one address right for both, so the driver above never needs to know
 * which kind of device it drives, and the same pool (with no IOMMU)
 * serves virtio-mmio devices and vfio's no-IOMMU mode.  Physical
 * addresses come from /proc/self/pagemap on locked memory (2 MiB hugetlb
 * pages when the system has some free, else 4 KiB pages grouped into
 * physically contiguous runs); a chunk never straddles a physical
 * discontinuity, and creation refuses, in one sentence, memory whose
 * physical addresses fall outside the IOVA ranges the kernel reports.
 */

struct dma_chunk {
	void *vaddr;                 /* zeroed, `align`-aligned both in vaddr and bus_addr */
	uint64_t bus_addr;           /* what the device is given (IOVA == PA; the vaddr itself for a fake pool) */
	size_t len;
};

enum dma_pool_backing {
	DMA_POOL_IOMMU,              /* vfio type1: pages mapped with VFIO_IOMMU_MAP_DMA at IOVA = PA */
	DMA_POOL_PHYSICAL,           /* no IOMMU (virtio-mmio, vfio no-IOMMU): physical addresses only */
	DMA_POOL_FAKE,               /* plain memory, bus_addr = vaddr: unit tests with the fake transport */
};

struct dma_pool_opts {
	enum dma_pool_backing backing;
	size_t size;                 /* total bytes; rounded up to the page size in use */
	struct vfio_iommu *iommu;    /* DMA_POOL_IOMMU only; borrowed, must outlive the pool */
};

struct dma_pool;

int dma_pool_create(const struct dma_pool_opts *o, struct dma_pool **out, char *why, size_t why_len);
/*
 * A zeroed chunk of len bytes, aligned to align (a power of two, at most
 * 4096), physically contiguous.  -ENOMEM when the pool has
 * no such run left.
 */
int dma_alloc(struct dma_pool *p, size_t len, size_t align, struct dma_chunk *out);
/*
 * The host pointer behind [bus_addr, bus_addr+len) when it lies inside ONE
 * allocated chunk, else NULL: how a device model (tests) and the validation
 * of device-written addresses translate.
 */
void *dma_bus_to_virt(const struct dma_pool *p, uint64_t bus_addr, size_t len);
/* Which backing the pool ended up with, and its page size (for the report). */
enum dma_pool_backing dma_pool_backing(const struct dma_pool *p);
size_t dma_pool_page_size(const struct dma_pool *p);
/* Unmaps, unlocks and frees every chunk at once; accepts NULL. */
void dma_pool_destroy(struct dma_pool *p);

#endif
