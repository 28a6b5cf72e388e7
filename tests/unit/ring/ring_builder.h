/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test rings written byte by byte at the spec's offsets, independent of the decoder's own structs and helpers. */
#ifndef TESTS_RING_BUILDER_H
#define TESTS_RING_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vq_decode.h"

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Feature bit numbers as the spec gives them (section 6), spelled out here on purpose. */
#define F_NOTIFY_ON_EMPTY 24
#define F_INDIRECT_DESC 28
#define F_EVENT_IDX 29
#define F_VERSION_1 32
#define F_RING_PACKED 34
#define F_IN_ORDER 35

/* Descriptor flags (spec 2.7.5 and 2.8.1). */
#define D_NEXT 0x1
#define D_WRITE 0x2
#define D_INDIRECT 0x4
#define D_AVAIL 0x0080
#define D_USED 0x8000

#define GUEST_BASE 0x100000ull
#define IND_AREA 0x1000u /* bytes reserved for indirect tables after the rings */

struct tring {
	uint32_t n;
	bool packed;
	bool big;                /* write multi-byte fields big-endian (legacy BE guest) */
	uint8_t *mem;
	size_t mem_len;
	size_t desc_off, avail_off, used_off, ind_off;
	struct vq_snapshot s;
	struct vq_decode_result *r;
};

static inline void put_bytes(struct tring *t, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		t->mem[off + i] = (uint8_t)(v >> (8 * (t->big ? n - 1 - i : i)));
}

static inline void put16(struct tring *t, size_t off, uint16_t v) { put_bytes(t, off, v, 2); }
static inline void put32(struct tring *t, size_t off, uint32_t v) { put_bytes(t, off, v, 4); }
static inline void put64(struct tring *t, size_t off, uint64_t v) { put_bytes(t, off, v, 8); }

static inline size_t round16(size_t v) { return (v + 15) & ~(size_t)15; }

/*
 * Layout: descriptor table (16 * n) | avail (or driver event, 4) | used (or
 * device event, 4) | indirect tables.  Split areas include the event fields.
 */
static inline void tring_init(struct tring *t, uint32_t n, bool packed)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->packed = packed;
	t->desc_off = 0;
	t->avail_off = round16(16 * (size_t)n);
	t->used_off = round16(t->avail_off + (packed ? 4 : 6 + 2 * (size_t)n));
	t->ind_off = round16(t->used_off + (packed ? 4 : 6 + 8 * (size_t)n));
	t->mem_len = t->ind_off + IND_AREA;
	t->mem = calloc(1, t->mem_len);
	t->s.ring_type = packed ? VQ_RING_PACKED : VQ_RING_SPLIT;
	t->s.size = n;
	t->s.queue_index = 0;
	t->s.desc_addr = GUEST_BASE + t->desc_off;
	t->s.driver_addr = GUEST_BASE + t->avail_off;
	t->s.device_addr = GUEST_BASE + t->used_off;
	t->s.features.w[0] = 1ull << F_VERSION_1;
	if (packed)
		t->s.features.w[0] |= 1ull << F_RING_PACKED;
}

static inline void tring_feature(struct tring *t, unsigned bit)
{
	t->s.features.w[bit / 64] |= 1ull << (bit % 64);
}

static inline void tring_free(struct tring *t)
{
	vq_decode_result_free(t->r);
	vq_mem_free(&t->s.mem);
	free(t->mem);
	t->r = NULL;
	t->mem = NULL;
}

/* ---- split (spec 2.7.5, 2.7.6, 2.7.8) ---- */
static inline void sdesc(struct tring *t, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	size_t o = t->desc_off + 16 * (size_t)i;
	put64(t, o, addr);
	put32(t, o + 8, len);
	put16(t, o + 12, flags);
	put16(t, o + 14, next);
}

static inline void avail_hdr(struct tring *t, uint16_t flags, uint16_t idx)
{
	put16(t, t->avail_off, flags);
	put16(t, t->avail_off + 2, idx);
}

static inline void avail_ent(struct tring *t, unsigned slot, uint16_t head) { put16(t, t->avail_off + 4 + 2 * slot, head); }
static inline void used_event_set(struct tring *t, uint16_t v) { put16(t, t->avail_off + 4 + 2 * (size_t)t->n, v); }

static inline void used_hdr(struct tring *t, uint16_t flags, uint16_t idx)
{
	put16(t, t->used_off, flags);
	put16(t, t->used_off + 2, idx);
}

static inline void used_ent(struct tring *t, unsigned slot, uint32_t id, uint32_t len)
{
	put32(t, t->used_off + 4 + 8 * slot, id);
	put32(t, t->used_off + 8 + 8 * slot, len);
}

static inline void avail_event_set(struct tring *t, uint16_t v) { put16(t, t->used_off + 4 + 8 * (size_t)t->n, v); }

/* An indirect table entry (split layout) at byte offset `table` inside the indirect area. */
static inline void ind_sdesc(struct tring *t, size_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
			     uint16_t next)
{
	size_t o = t->ind_off + table + 16 * (size_t)i;
	put64(t, o, addr);
	put32(t, o + 8, len);
	put16(t, o + 12, flags);
	put16(t, o + 14, next);
}

static inline uint64_t ind_addr(const struct tring *t, size_t table) { return GUEST_BASE + t->ind_off + table; }

/* One in-flight buffer: head 0, the given descriptors already written by the test. */
static inline void publish_one(struct tring *t, uint16_t head)
{
	avail_ent(t, 0, head);
	avail_hdr(t, 0, 1);
	used_hdr(t, 0, 0);
}

/* ---- packed (spec 2.8.13, 2.8.14) ---- */
static inline void pdesc(struct tring *t, unsigned i, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	size_t o = t->desc_off + 16 * (size_t)i;
	put64(t, o, addr);
	put32(t, o + 8, len);
	put16(t, o + 12, id);
	put16(t, o + 14, flags);
}

static inline void ind_pdesc(struct tring *t, size_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags)
{
	size_t o = t->ind_off + table + 16 * (size_t)i;
	put64(t, o, addr);
	put32(t, o + 8, len);
	put16(t, o + 12, 0);
	put16(t, o + 14, flags);
}

static inline void driver_event_set(struct tring *t, uint16_t off, bool wrap, uint16_t flags)
{
	put16(t, t->avail_off, (uint16_t)(off | (wrap ? 0x8000 : 0)));
	put16(t, t->avail_off + 2, flags);
}

static inline void device_event_set(struct tring *t, uint16_t off, bool wrap, uint16_t flags)
{
	put16(t, t->used_off, (uint16_t)(off | (wrap ? 0x8000 : 0)));
	put16(t, t->used_off + 2, flags);
}

/* Hands the bytes [from, to) of the test memory to the snapshot (default: all of it). */
static inline int tring_map(struct tring *t, size_t from, size_t to)
{
	return vq_mem_add(&t->s.mem, GUEST_BASE + from, t->mem + from, to - from, false, "test", from);
}

/* Maps all memory (unless the test mapped some already) and decodes. */
static inline int tring_decode(struct tring *t)
{
	struct rd_error err;

	if (t->s.mem.n == 0)
		tring_map(t, 0, t->mem_len);
	vq_decode_result_free(t->r);
	t->r = NULL;
	return vq_decode(&t->s, &t->r, &err);
}

static inline size_t count_code(const struct vq_decode_result *r, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_anomalies; i++)
		if (!strcmp(vq_anomaly_code_name(r->anomalies[i].code), code))
			n++;
	return n;
}

/* Index of the first anomaly with this code, or -1. */
static inline long code_index(const struct vq_decode_result *r, const char *code)
{
	for (size_t i = 0; i < r->n_anomalies; i++)
		if (!strcmp(vq_anomaly_code_name(r->anomalies[i].code), code))
			return r->anomalies[i].index == VQ_ANOMALY_NO_INDEX ? -2 : (long)r->anomalies[i].index;
	return -1;
}

static inline void expect_only(const struct vq_decode_result *r, const char *code)
{
	for (size_t i = 0; i < r->n_anomalies; i++)
		if (strcmp(vq_anomaly_code_name(r->anomalies[i].code), code))
			fail_msg("unexpected anomaly %s at %u: %s", vq_anomaly_code_name(r->anomalies[i].code),
				 r->anomalies[i].index, r->anomalies[i].message);
	assert_true(count_code(r, code) > 0);
}

static inline void expect_clean(const struct vq_decode_result *r)
{
	for (size_t i = 0; i < r->n_anomalies; i++)
		fail_msg("unexpected anomaly %s at %u: %s", vq_anomaly_code_name(r->anomalies[i].code),
			 r->anomalies[i].index, r->anomalies[i].message);
}

#endif
