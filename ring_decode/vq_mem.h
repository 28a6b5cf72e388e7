/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Sparse guest-physical address space: the only way the decoder reads ring memory. */
#ifndef RING_DECODE_VQ_MEM_H
#define RING_DECODE_VQ_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A list of segments (guest address, bytes).  Every read is bounds-checked
 * against them, so memory that a dump lacks becomes a reported gap rather
 * than an out-of-bounds read.  Each segment remembers where its bytes came
 * from (file name and offset) so errors can name a file and byte offset.
 */
struct vq_mem_seg {
	uint64_t addr;           /* guest address of data[0] */
	uint64_t len;            /* >= 1; addr + len may be exactly 2^64 */
	const uint8_t *data;
	const char *origin;      /* file or area name, owned by the vq_mem */
	uint64_t origin_offset;  /* offset of data[0] inside origin */
};

/*
 * Segments are kept sorted by address; adding in ascending order (as dumps
 * and cores usually are) is an append.  Bulk loaders add any order with
 * vq_mem_append() and sort once with vq_mem_sort(): loading n segments is
 * O(n log n) and costs a fixed number of bytes per segment.
 */
struct vq_mem {
	struct vq_mem_seg *segs;
	size_t n;
	size_t cap;
	bool unsorted;           /* vq_mem_append() added out of order; vq_mem_sort() pending */
	char **names;            /* distinct origin names (consecutive adds share one) */
	size_t n_names;
	void **blocks;           /* data buffers freed with the vq_mem */
	size_t n_blocks;
};

/*
 * Adds a segment.  With copy=false the caller keeps data alive as long as
 * the vq_mem; with copy=true it is duplicated.  Overlapping an existing
 * segment is refused with -EEXIST (a dump with two different values for one
 * address is ambiguous); a segment past 2^64 is -EINVAL (one ending exactly
 * at 2^64 is fine).
 * Zero-length segments are ignored.
 */
int vq_mem_add(struct vq_mem *m, uint64_t addr, const void *data, uint64_t len, bool copy,
	       const char *origin, uint64_t origin_offset);

/*
 * Adds a segment without checking order or overlap (data is referenced, not
 * copied); call vq_mem_sort() before any read.  For loaders of many segments.
 */
int vq_mem_append(struct vq_mem *m, uint64_t addr, const void *data, uint64_t len, const char *origin,
		  uint64_t origin_offset);

/*
 * Sorts segments added with vq_mem_append().  Returns 0, -EEXIST when two
 * overlap (*a and *b, if non-NULL, then point at the two, in address order),
 * or -EINVAL for a segment past 2^64.
 */
int vq_mem_sort(struct vq_mem *m, const struct vq_mem_seg **a, const struct vq_mem_seg **b);

/* Hands a malloc'd buffer to the vq_mem, to be freed with it.  Returns 0 or -ENOMEM (buffer then freed). */
int vq_mem_adopt(struct vq_mem *m, void *block);

/* Index of the first segment whose last byte is at or above addr (segments from there on may start later). */
size_t vq_mem_lower_bound(const struct vq_mem *m, uint64_t addr);

/* Last byte of a segment (addr + len - 1 never overflows, unlike the end). */
static inline uint64_t vq_mem_seg_last(const struct vq_mem_seg *s) { return s->addr + s->len - 1; }

/*
 * Reads len bytes at addr, possibly spanning adjacent segments.  Returns 0,
 * or -EFAULT with *gap (if non-NULL) set to the first address not present.
 */
int vq_mem_read(const struct vq_mem *m, uint64_t addr, void *dst, size_t len, uint64_t *gap);

/* True when all of [addr, addr+len) is present. */
bool vq_mem_present(const struct vq_mem *m, uint64_t addr, uint64_t len);

/*
 * Direct pointer to [addr, addr+len) when one segment holds all of it, else
 * NULL (the caller then falls back to vq_mem_read): lets the decoder scan a
 * whole descriptor table without copying it.
 */
const uint8_t *vq_mem_ptr(const struct vq_mem *m, uint64_t addr, uint64_t len);

/* The segment holding addr, or NULL. */
const struct vq_mem_seg *vq_mem_find(const struct vq_mem *m, uint64_t addr);

/* Frees adopted and copied data, names and the segment array; accepts NULL. */
void vq_mem_free(struct vq_mem *m);

/* Little-endian accessors: ring memory is little-endian for VERSION_1 and packed rings. */
static inline uint16_t vq_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t vq_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t vq_le64(const uint8_t *p) { return vq_le32(p) | ((uint64_t)vq_le32(p + 4) << 32); }
static inline void vq_put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void vq_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void vq_put_le64(uint8_t *p, uint64_t v)
{
	vq_put_le32(p, (uint32_t)v);
	vq_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
