/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DMA memory for a userspace driver: pinned once, at bus address == physical address, sub-allocated in chunks. */
#include "dma_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio.h"

#define PAGE_4K 4096u
#define HUGE_2M (2u << 20)
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_PFN_MASK ((1ULL << 55) - 1)
#define MAX_CHUNKS 4096u

/* A physically contiguous run of the pool: [vaddr, vaddr+len) is [pa, pa+len). */
struct dma_segment {
	uint8_t *vaddr;
	uint64_t bus;
	size_t len;
	size_t used;                 /* bump allocation inside the run */
	bool mapped;                 /* through the IOMMU */
};

struct dma_pool {
	enum dma_pool_backing backing;
	struct vfio_iommu *iommu;
	uint8_t *mem;
	size_t mem_len;
	size_t page;                 /* 4096 or 2 MiB */
	bool hugetlb;
	size_t n_segments;
	struct dma_segment *segments;
	size_t n_chunks;
	struct dma_chunk chunks[MAX_CHUNKS];
};

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * Memory for the pool.  hugetlb 2 MiB pages are physically contiguous by
 * construction; otherwise 2 MiB-aligned anonymous memory asked to be
 * transparent huge pages, which in practice gives long contiguous runs.
 * Either way MAP_LOCKED|MAP_POPULATE: every page present and unswappable
 * before its physical address is read.
 */
static int allocate(struct dma_pool *p, size_t size)
{
	void *m;

	p->mem_len = round_up(size, HUGE_2M);
	m = mmap(NULL, p->mem_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (m != MAP_FAILED) {
		p->mem = m;
		p->page = HUGE_2M;
		p->hugetlb = true;
		return 0;
	}
	/* Over-allocate to align to 2 MiB by hand, then give back the slack. */
	m = mmap(NULL, p->mem_len + HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	{
		uintptr_t start = ((uintptr_t)m + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
		size_t head = start - (uintptr_t)m;

		if (head)
			munmap(m, head);
		munmap((uint8_t *)start + p->mem_len, HUGE_2M - head);
		p->mem = (uint8_t *)start;
	}
	p->page = PAGE_4K;
	(void)madvise(p->mem, p->mem_len, MADV_HUGEPAGE);
	if (mlock(p->mem, p->mem_len) < 0) {
		int e = -errno;

		munmap(p->mem, p->mem_len);
		p->mem = NULL;
		return e;
	}
	/* Touch every page so it exists (mlock populated it; the write makes it private, not the zero page). */
	for (size_t off = 0; off < p->mem_len; off += PAGE_4K)
		p->mem[off] = 0;
	return 0;
}

/* Physical address of each 4 KiB page of the pool, from /proc/self/pagemap. */
static int physical_addresses(const struct dma_pool *p, uint64_t *pa, char *why, size_t why_len)
{
	size_t n = p->mem_len / PAGE_4K;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0) {
		r = -errno;
		snprintf(why, why_len, "cannot open /proc/self/pagemap: %s", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t e;
		off_t at = (off_t)(((uintptr_t)p->mem / PAGE_4K + i) * sizeof(e));

		if (pread(fd, &e, sizeof(e), at) != (ssize_t)sizeof(e)) {
			r = -EIO;
			snprintf(why, why_len, "reading /proc/self/pagemap failed");
			break;
		}
		if (!(e & PAGEMAP_PRESENT)) {
			r = -EFAULT;
			snprintf(why, why_len, "a locked DMA page is not present in /proc/self/pagemap");
			break;
		}
		/* Without CAP_SYS_ADMIN the kernel reports every PFN as 0. */
		if (!(e & PAGEMAP_PFN_MASK)) {
			r = -EPERM;
			snprintf(why, why_len, "/proc/self/pagemap hides physical addresses: DMA memory needs "
				 "CAP_SYS_ADMIN (run as root)");
			break;
		}
		pa[i] = (e & PAGEMAP_PFN_MASK) * PAGE_4K;
	}
	close(fd);
	return r;
}

/* Groups pages into physically contiguous runs (never crossing a 2 MiB hugetlb page boundary wrongly). */
static int build_segments(struct dma_pool *p, const uint64_t *pa)
{
	size_t n = p->mem_len / PAGE_4K;

	p->segments = calloc(n, sizeof(*p->segments));
	if (!p->segments)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct dma_segment *s = p->n_segments ? &p->segments[p->n_segments - 1] : NULL;

		if (s && s->bus + s->len == pa[i] && s->vaddr + s->len == p->mem + i * PAGE_4K) {
			s->len += PAGE_4K;
			continue;
		}
		p->segments[p->n_segments++] = (struct dma_segment){ .vaddr = p->mem + i * PAGE_4K, .bus = pa[i],
								       .len = PAGE_4K };
	}
	return 0;
}

/* Maps every run at IOVA = PA, refusing a run the IOMMU cannot address there. */
static int map_segments(struct dma_pool *p, char *why, size_t why_len)
{
	for (size_t i = 0; i < p->n_segments; i++) {
		struct dma_segment *s = &p->segments[i];
		int r;

		if (!vfio_iova_allowed(p->iommu, s->bus, s->len)) {
			snprintf(why, why_len, "DMA memory at physical 0x%llx-0x%llx lies outside the IOVA ranges the "
				 "IOMMU reports, so it cannot be mapped at IOVA == physical address",
				 (unsigned long long)s->bus, (unsigned long long)(s->bus + s->len - 1));
			return -ERANGE;
		}
		if ((r = p->iommu->ops->map(p->iommu, s->vaddr, s->bus, s->len)) < 0) {
			snprintf(why, why_len, "VFIO_IOMMU_MAP_DMA of %zu bytes at IOVA 0x%llx failed: %s", s->len,
				 (unsigned long long)s->bus, strerror(-r));
			return r;
		}
		s->mapped = true;
	}
	return 0;
}

/*
 * Pinning (VFIO_IOMMU_MAP_DMA) may migrate pages out of movable memory
 * before it pins them; physical addresses read before the map would then
 * be stale.  Reading them again after the map catches it.
 */
static int verify_unmoved(struct dma_pool *p, char *why, size_t why_len)
{
	size_t n = p->mem_len / PAGE_4K;
	uint64_t *pa = calloc(n, sizeof(*pa));
	int r;

	if (!pa)
		return -ENOMEM;
	r = physical_addresses(p, pa, why, why_len);
	for (size_t i = 0, seg = 0, off = 0; r == 0 && i < n; i++) {
		if (pa[i] != p->segments[seg].bus + off) {
			snprintf(why, why_len, "the kernel moved DMA memory while pinning it (physical 0x%llx became "
				 "0x%llx): retry, or reserve hugepages (vm.nr_hugepages)",
				 (unsigned long long)(p->segments[seg].bus + off), (unsigned long long)pa[i]);
			r = -EAGAIN;
			break;
		}
		off += PAGE_4K;
		if (off == p->segments[seg].len)
			seg++, off = 0;
	}
	free(pa);
	return r;
}

static int create_physical(struct dma_pool *p, const struct dma_pool_opts *o, char *why, size_t why_len)
{
	uint64_t *pa;
	int r = allocate(p, o->size);

	if (r < 0) {
		snprintf(why, why_len, "cannot allocate %zu bytes of locked DMA memory: %s", o->size, strerror(-r));
		return r;
	}
	pa = calloc(p->mem_len / PAGE_4K, sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	r = physical_addresses(p, pa, why, why_len);
	if (r == 0)
		r = build_segments(p, pa);
	free(pa);
	if (r == 0 && p->backing == DMA_POOL_IOMMU && !p->iommu->noiommu)
		r = map_segments(p, why, why_len);
	if (r == 0)
		r = verify_unmoved(p, why, why_len);
	return r;
}

int dma_pool_create(const struct dma_pool_opts *o, struct dma_pool **out, char *why, size_t why_len)
{
	struct dma_pool *p;
	int r;

	if (!o->size || (o->backing == DMA_POOL_IOMMU && !o->iommu))
		return -EINVAL;
	if (!(p = calloc(1, sizeof(*p))))
		return -ENOMEM;
	p->backing = o->backing;
	p->iommu = o->iommu;
	if (o->backing == DMA_POOL_FAKE) {
		p->page = PAGE_4K;
		p->mem_len = round_up(o->size, PAGE_4K);
		p->mem = aligned_alloc(PAGE_4K, p->mem_len);
		p->segments = calloc(1, sizeof(*p->segments));
		if (!p->mem || !p->segments) {
			dma_pool_destroy(p);
			return -ENOMEM;
		}
		p->segments[0] = (struct dma_segment){ .vaddr = p->mem, .bus = (uint64_t)(uintptr_t)p->mem,
						       .len = p->mem_len };
		p->n_segments = 1;
		*out = p;
		return 0;
	}
	r = create_physical(p, o, why, why_len);
	if (r < 0) {
		dma_pool_destroy(p);
		return r;
	}
	*out = p;
	return 0;
}

int dma_alloc(struct dma_pool *p, size_t len, size_t align, struct dma_chunk *out)
{
	if (!len || !align || (align & (align - 1)) || align > PAGE_4K)
		return -EINVAL;
	if (p->n_chunks >= MAX_CHUNKS)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_segments; i++) {
		struct dma_segment *s = &p->segments[i];
		size_t start = round_up(s->used, align);

		if (start > s->len || len > s->len - start)
			continue;
		s->used = start + len;
		*out = (struct dma_chunk){ .vaddr = s->vaddr + start, .bus_addr = s->bus + start, .len = len };
		memset(out->vaddr, 0, len);
		p->chunks[p->n_chunks++] = *out;
		return 0;
	}
	return -ENOMEM;
}

void *dma_bus_to_virt(const struct dma_pool *p, uint64_t bus_addr, size_t len)
{
	for (size_t i = 0; p && i < p->n_chunks; i++) {
		const struct dma_chunk *c = &p->chunks[i];

		if (bus_addr >= c->bus_addr && bus_addr - c->bus_addr <= c->len && len <= c->len - (bus_addr - c->bus_addr))
			return (uint8_t *)c->vaddr + (bus_addr - c->bus_addr);
	}
	return NULL;
}

enum dma_pool_backing dma_pool_backing(const struct dma_pool *p)
{
	return p->backing;
}

size_t dma_pool_page_size(const struct dma_pool *p)
{
	return p->page;
}

void dma_pool_destroy(struct dma_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_segments; i++)
		if (p->segments[i].mapped)
			(void)p->iommu->ops->unmap(p->iommu, p->segments[i].bus, p->segments[i].len);
	if (p->backing == DMA_POOL_FAKE)
		free(p->mem);
	else if (p->mem)
		munmap(p->mem, p->mem_len);
	free(p->segments);
	free(p);
}
