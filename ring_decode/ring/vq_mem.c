/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Sparse address space: segments kept sorted by address so reads are a binary search. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq_mem.h"

/* True when [addr, addr+len) with len >= 1 runs past 2^64 (ending exactly at 2^64 is fine). */
static bool past_end(uint64_t addr, uint64_t len)
{
	return addr + (len - 1) < addr;
}

size_t vq_mem_lower_bound(const struct vq_mem *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vq_mem_seg_last(&m->segs[mid]) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The origin name shared by consecutive segments of one input, owned by m. */
static const char *intern_name(struct vq_mem *m, const char *origin)
{
	if (!origin)
		origin = "";
	if (m->n_names && !strcmp(m->names[m->n_names - 1], origin))
		return m->names[m->n_names - 1];
	for (size_t i = 0; i + 1 < m->n_names && i < 8; i++)
		if (!strcmp(m->names[i], origin))
			return m->names[i];
	char **v = realloc(m->names, (m->n_names + 1) * sizeof(*v));
	if (!v)
		return NULL;
	m->names = v;
	if (!(v[m->n_names] = strdup(origin)))
		return NULL;
	return v[m->n_names++];
}

static int grow(struct vq_mem *m)
{
	if (m->n < m->cap)
		return 0;
	size_t ncap = m->cap ? m->cap * 2 : 8;
	struct vq_mem_seg *p = realloc(m->segs, ncap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	m->segs = p;
	m->cap = ncap;
	return 0;
}

int vq_mem_adopt(struct vq_mem *m, void *block)
{
	void **v = realloc(m->blocks, (m->n_blocks + 1) * sizeof(*v));

	if (!v) {
		free(block);
		return -ENOMEM;
	}
	m->blocks = v;
	v[m->n_blocks++] = block;
	return 0;
}

int vq_mem_append(struct vq_mem *m, uint64_t addr, const void *data, uint64_t len, const char *origin,
		  uint64_t origin_offset)
{
	if (len == 0)
		return 0;
	if (past_end(addr, len))
		return -EINVAL;
	const char *name = intern_name(m, origin);
	if (!name || grow(m) < 0)
		return -ENOMEM;
	if (m->n && vq_mem_seg_last(&m->segs[m->n - 1]) >= addr)
		m->unsorted = true;
	m->segs[m->n++] = (struct vq_mem_seg){ .addr = addr, .len = len, .data = data, .origin = name,
					       .origin_offset = origin_offset };
	return 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct vq_mem_seg *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int vq_mem_sort(struct vq_mem *m, const struct vq_mem_seg **a, const struct vq_mem_seg **b)
{
	if (m->unsorted)
		qsort(m->segs, m->n, sizeof(*m->segs), seg_cmp);
	m->unsorted = false;
	for (size_t i = 1; i < m->n; i++) {
		if (vq_mem_seg_last(&m->segs[i - 1]) >= m->segs[i].addr) {
			if (a)
				*a = &m->segs[i - 1];
			if (b)
				*b = &m->segs[i];
			return -EEXIST;
		}
	}
	return 0;
}

int vq_mem_add(struct vq_mem *m, uint64_t addr, const void *data, uint64_t len, bool copy,
	       const char *origin, uint64_t origin_offset)
{
	if (len == 0)
		return 0;
	if (past_end(addr, len))
		return -EINVAL;
	if (m->unsorted && vq_mem_sort(m, NULL, NULL) < 0)
		return -EEXIST;
	size_t pos = vq_mem_lower_bound(m, addr);
	if (pos < m->n && m->segs[pos].addr <= addr + (len - 1))
		return -EEXIST;
	const char *name = intern_name(m, origin);
	if (!name || grow(m) < 0)
		return -ENOMEM;
	const uint8_t *bytes = data;
	if (copy) {
		if (len > SIZE_MAX)
			return -ENOMEM;
		uint8_t *dup = malloc((size_t)len);
		if (!dup)
			return -ENOMEM;
		memcpy(dup, data, (size_t)len);
		if (vq_mem_adopt(m, dup) < 0)
			return -ENOMEM;
		bytes = dup;
	}
	/* an insert before the end moves the tail; loaders of many segments use vq_mem_append() */
	memmove(&m->segs[pos + 1], &m->segs[pos], (m->n - pos) * sizeof(*m->segs));
	m->segs[pos] = (struct vq_mem_seg){ .addr = addr, .len = len, .data = bytes, .origin = name,
					    .origin_offset = origin_offset };
	m->n++;
	return 0;
}

const struct vq_mem_seg *vq_mem_find(const struct vq_mem *m, uint64_t addr)
{
	if (m->unsorted) {
		/* misuse (read before vq_mem_sort): stay correct, if slow */
		for (size_t i = 0; i < m->n; i++)
			if (m->segs[i].addr <= addr && addr <= vq_mem_seg_last(&m->segs[i]))
				return &m->segs[i];
		return NULL;
	}
	size_t pos = vq_mem_lower_bound(m, addr);

	if (pos < m->n && m->segs[pos].addr <= addr)
		return &m->segs[pos];
	return NULL;
}

const uint8_t *vq_mem_ptr(const struct vq_mem *m, uint64_t addr, uint64_t len)
{
	const struct vq_mem_seg *s = vq_mem_find(m, addr);

	if (!s || len > s->len - (addr - s->addr))
		return NULL;
	return s->data + (addr - s->addr);
}

int vq_mem_read(const struct vq_mem *m, uint64_t addr, void *dst, size_t len, uint64_t *gap)
{
	uint8_t *out = dst;

	if (len && past_end(addr, len)) {
		if (gap)
			*gap = addr;
		return -EFAULT;
	}
	while (len > 0) {
		const struct vq_mem_seg *s = vq_mem_find(m, addr);
		if (!s) {
			if (gap)
				*gap = addr;
			return -EFAULT;
		}
		uint64_t off = addr - s->addr;
		uint64_t avail = s->len - off;
		size_t n = avail < len ? (size_t)avail : len;
		memcpy(out, s->data + off, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

bool vq_mem_present(const struct vq_mem *m, uint64_t addr, uint64_t len)
{
	if (len && past_end(addr, len))
		return false;
	while (len > 0) {
		const struct vq_mem_seg *s = vq_mem_find(m, addr);
		if (!s)
			return false;
		uint64_t avail = s->len - (addr - s->addr);
		if (avail >= len)
			return true;
		addr += avail;
		len -= avail;
	}
	return true;
}

void vq_mem_free(struct vq_mem *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_blocks; i++)
		free(m->blocks[i]);
	for (size_t i = 0; i < m->n_names; i++)
		free(m->names[i]);
	free(m->blocks);
	free(m->names);
	free(m->segs);
	*m = (struct vq_mem){ 0 };
}
