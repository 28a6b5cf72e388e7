/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Sparse address space: segments kept sorted by address so reads are a binary search. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq_mem.h"

/* Index of the first segment whose end is above addr (it may start above addr too). */
static size_t first_ending_after(const struct vq_mem *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vq_mem_seg *s = &m->segs[mid];

		if (s->addr + s->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vq_mem_add(struct vq_mem *m, uint64_t addr, const void *data, uint64_t len, bool copy,
	       const char *origin, uint64_t origin_offset)
{
	if (len == 0)
		return 0;
	if (addr + len < addr)
		return -EINVAL;
	size_t pos = first_ending_after(m, addr);
	if (pos < m->n && m->segs[pos].addr < addr + len)
		return -EEXIST;
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 8;
		struct vq_mem_seg *p = realloc(m->segs, ncap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		m->segs = p;
		m->cap = ncap;
	}
	const uint8_t *bytes = data;
	if (copy) {
		if (len > SIZE_MAX)
			return -ENOMEM;
		uint8_t *dup = malloc((size_t)len);
		if (!dup)
			return -ENOMEM;
		memcpy(dup, data, (size_t)len);
		bytes = dup;
	}
	memmove(&m->segs[pos + 1], &m->segs[pos], (m->n - pos) * sizeof(*m->segs));
	struct vq_mem_seg *s = &m->segs[pos];
	*s = (struct vq_mem_seg){ .addr = addr, .len = len, .data = bytes, .origin_offset = origin_offset,
				  .owned = copy };
	snprintf(s->origin, sizeof(s->origin), "%s", origin ? origin : "");
	m->n++;
	return 0;
}

const struct vq_mem_seg *vq_mem_find(const struct vq_mem *m, uint64_t addr)
{
	size_t pos = first_ending_after(m, addr);

	if (pos < m->n && m->segs[pos].addr <= addr)
		return &m->segs[pos];
	return NULL;
}

const uint8_t *vq_mem_ptr(const struct vq_mem *m, uint64_t addr, uint64_t len)
{
	const struct vq_mem_seg *s = vq_mem_find(m, addr);

	if (!s || addr + len < addr || len > s->len - (addr - s->addr))
		return NULL;
	return s->data + (addr - s->addr);
}

int vq_mem_read(const struct vq_mem *m, uint64_t addr, void *dst, size_t len, uint64_t *gap)
{
	uint8_t *out = dst;

	if (addr + len < addr) {
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
	if (addr + len < addr)
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
	for (size_t i = 0; i < m->n; i++)
		if (m->segs[i].owned)
			free((void *)m->segs[i].data);
	free(m->segs);
	*m = (struct vq_mem){ 0 };
}
