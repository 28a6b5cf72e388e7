/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* State shared by the split and packed decoders while one vq_decode() runs. */
#ifndef RING_DECODE_VQ_DECODE_INTERNAL_H
#define RING_DECODE_VQ_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vq_decode.h"

/*
 * Direct descriptors are bounded by the queue size (each belongs to at most
 * one chain), but indirect tables are not: cap the elements all chains may
 * hold together so a dump full of huge tables cannot exhaust memory.
 */
#define VQ_MAX_CHAIN_ELEMS (1u << 20)

#define VQ_NO_OWNER (-1)

struct vq_dec {
	const struct vq_snapshot *s;
	struct vq_decode_result *r;
	uint32_t n;                 /* queue size */
	bool big_endian;            /* legacy ring of a big-endian guest */
	bool f_indirect, f_event_idx, f_in_order, f_notify_on_empty;
	bool features_known;        /* false: the f_ flags are all false and checks needing them are skipped */

	int32_t *owner;             /* chain owning each descriptor, or VQ_NO_OWNER */
	uint32_t *ind_seen;         /* loop detection in indirect tables: entry -> stamp */
	uint32_t ind_stamp;

	/* Elements of all chains; chains hold offsets until vq_chains_fixup(). */
	struct vq_chain_elem *pool;
	size_t pool_len, pool_cap;
	size_t *chain_first;
	bool budget_reported;

	uint64_t *ind_addr;         /* indirect tables walked: open-addressing set of addresses (0: empty slot) */
	uint32_t *ind_owner;
	size_t ind_cap;
	bool ind_zero_claimed;      /* a table at address 0 (cannot be a set key) */
	uint32_t ind_zero_owner;

	size_t anomaly_cap;
	int err;                    /* sticky -ENOMEM */
};

static inline uint16_t vq_dec16(const struct vq_dec *d, const uint8_t *p)
{
	return d->big_endian ? (uint16_t)((p[0] << 8) | p[1]) : vq_le16(p);
}

static inline uint32_t vq_dec32(const struct vq_dec *d, const uint8_t *p)
{
	if (d->big_endian)
		return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	return vq_le32(p);
}

static inline uint64_t vq_dec64(const struct vq_dec *d, const uint8_t *p)
{
	if (d->big_endian)
		return ((uint64_t)vq_dec32(d, p) << 32) | vq_dec32(d, p + 4);
	return vq_le64(p);
}

void vq_anomaly_add(struct vq_dec *d, enum vq_anomaly_code code, uint32_t index, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Maps count entries of esize bytes at addr: a direct pointer when one
 * segment holds them, else a calloc'd copy in *scratch with missing entries
 * zeroed.  present[i] (if non-NULL) says whether entry i was there; each
 * run of missing entries is one memory_missing anomaly naming `what`.
 * Returns NULL only on allocation failure (d->err set).
 */
const uint8_t *vq_area_map(struct vq_dec *d, const char *what, uint64_t addr, uint32_t count,
			   uint32_t esize, uint8_t **scratch, uint8_t *present);

/* Reads a small field; on a gap reports memory_missing (whole ring) and returns false. */
bool vq_read_field(struct vq_dec *d, const char *what, uint64_t addr, void *dst, size_t len);

/* Starts chain r->chains[r->n_chains]; returns its index. */
static inline size_t vq_chain_begin(struct vq_dec *d, uint32_t head, uint16_t id, enum vq_desc_state state,
				    uint16_t ring_index)
{
	size_t ci = d->r->n_chains++;

	d->r->chains[ci] = (struct vq_chain){ .head = head, .id = id, .state = state, .ring_index = ring_index };
	d->chain_first[ci] = d->pool_len;
	return ci;
}

/* Grows the element pool or reports the budget spent; false when the element cannot be added. */
bool vq_chain_pool_grow(struct vq_dec *d, size_t ci);

/* Appends an element to the chain being built; false when the element budget is spent. */
static inline bool vq_chain_push(struct vq_dec *d, size_t ci, const struct vq_chain_elem *el)
{
	if (d->pool_len == d->pool_cap && !vq_chain_pool_grow(d, ci))
		return false;
	d->pool[d->pool_len++] = *el;
	d->r->chains[ci].n_elems++;
	return true;
}

/* Records what the decode takes for granted (a static string; each once). */
void vq_assume(struct vq_dec *d, const char *what);

/* Flags bits the spec reserves (split: above INDIRECT; packed: besides NEXT, WRITE, INDIRECT, AVAIL, USED). */
static inline bool vq_desc_flags_reserved(const struct vq_dec *d, uint16_t flags)
{
	return flags & (d->s->ring_type == VQ_RING_PACKED ? (uint16_t)~0x8087u : (uint16_t)~0x7u);
}

void vq_report_desc_flags(struct vq_dec *d, const struct vq_chain *c, const struct vq_chain_elem *el,
			  uint32_t anomaly_index);

/*
 * Reports reserved flag bits of a chain element (anomaly_index: the
 * descriptor, or the one pointing at its table).  Inline, like the two
 * below: they run once per descriptor, and only an anomaly leaves the fast path.
 */
static inline void vq_check_desc_flags(struct vq_dec *d, const struct vq_chain *c, const struct vq_chain_elem *el,
				       uint32_t anomaly_index)
{
	if (vq_desc_flags_reserved(d, el->flags))
		vq_report_desc_flags(d, c, el, anomaly_index);
}

/*
 * Claims the indirect table at addr for descriptor `parent`; false when an
 * outstanding descriptor already claimed it (reported as indirect_shared,
 * and the table is not walked twice: the work per dump stays bounded).
 */
bool vq_indirect_claim(struct vq_dec *d, uint64_t addr, uint32_t parent);

void vq_report_chain_elem(struct vq_dec *d, const struct vq_chain *c, const struct vq_chain_elem *el,
			  uint32_t anomaly_index, bool seen_write);
void vq_report_chain_bytes(struct vq_dec *d, const struct vq_chain *c);

/* Reads entry i of the indirect table at `table` into raw; when it is missing, reports it and marks c truncated. */
bool vq_indirect_entry_read(struct vq_dec *d, struct vq_chain *c, uint32_t parent, uint64_t table, uint32_t i,
			    uint8_t raw[16]);

/* Accounts an element's bytes and the readable-before-writable rule. */
static inline void vq_chain_account(struct vq_dec *d, struct vq_chain *c, const struct vq_chain_elem *el,
				    uint32_t anomaly_index, bool *seen_write)
{
	if (el->len == 0 || (!el->write && *seen_write))
		vq_report_chain_elem(d, c, el, anomaly_index, *seen_write);
	if (el->write) {
		*seen_write = true;
		c->writable_bytes += el->len;
	} else {
		c->readable_bytes += el->len;
	}
}

/* Checks the rules shared by all chains once walked (byte total). */
static inline void vq_chain_end(struct vq_dec *d, struct vq_chain *c)
{
	if (c->readable_bytes + c->writable_bytes > 0x100000000ull)
		vq_report_chain_bytes(d, c);
}

int vq_decode_split(struct vq_dec *d);
int vq_decode_packed(struct vq_dec *d);

#endif
