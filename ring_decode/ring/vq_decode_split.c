/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Split virtqueue decoding (virtio spec 2.7): rings, in-flight selection, chain walks, notification state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vq_decode_internal.h"

#define NO_EVENT INT32_MIN

struct split_ctx {
	uint16_t A, B;              /* avail.idx, used.idx */
	uint32_t f;                 /* A - B: buffers in flight according to the indices */
	bool idx_ok;                /* both indices were in the snapshot */
	uint8_t *avail_present, *used_present;
	bool *in_avail;             /* head appears somewhere in the avail ring */
	bool *pending;              /* head returned in a used entry the driver has not reclaimed */
	int32_t *sel;               /* chosen publications, as offsets from A (-size..-1), ascending */
	uint32_t n_sel;
	int32_t *tmp_a, *tmp_b, *tmp_c; /* per-head scratch */
	uint32_t *use_off;          /* per-head lists of used offsets, for head_in_flight_twice */
	int32_t *use_list;
};

static uint32_t slot_of(const struct vq_dec *d, uint16_t idx)
{
	return idx & (d->n - 1);
}

/* ---------- reading ---------- */

static void split_read_descs(struct vq_dec *d)
{
	struct vq_decode_result *r = d->r;
	uint8_t *scratch, *present = malloc(d->n);
	if (!present) {
		d->err = -ENOMEM;
		return;
	}
	const uint8_t *tbl = vq_area_map(d, "descriptor table", d->s->desc_addr, d->n, 16, &scratch, present);
	if (tbl) {
		for (uint32_t i = 0; i < d->n; i++) {
			const uint8_t *p = tbl + 16 * (size_t)i;
			struct vq_desc *desc = &r->descs[i];
			desc->addr = vq_dec64(d, p);
			desc->len = vq_dec32(d, p + 8);
			desc->flags = vq_dec16(d, p + 12);
			desc->next = vq_dec16(d, p + 14);
			desc->present = present[i];
		}
	}
	free(scratch);
	free(present);
}

static void split_read_rings(struct vq_dec *d, struct split_ctx *sc)
{
	const struct vq_snapshot *s = d->s;
	struct vq_decode_result *r = d->r;
	uint8_t hdr[4], ev[2], *scratch;
	const uint8_t *p;

	if (vq_read_field(d, "available ring header (flags, idx)", s->driver_addr, hdr, 4)) {
		r->has_avail_idx = true;
		r->avail_flags = vq_dec16(d, hdr);
		r->avail_idx = vq_dec16(d, hdr + 2);
	}
	p = vq_area_map(d, "available ring", s->driver_addr + 4, d->n, 2, &scratch, sc->avail_present);
	if (p)
		for (uint32_t i = 0; i < d->n; i++)
			r->avail_ring[i] = vq_dec16(d, p + 2 * (size_t)i);
	free(scratch);
	/* with the features unknown the field may or may not exist: read it quietly */
	if ((d->f_event_idx &&
	     vq_read_field(d, "used_event (end of the available ring)", s->driver_addr + 4 + 2ull * d->n, ev, 2)) ||
	    (!d->features_known && !vq_mem_read(&s->mem, s->driver_addr + 4 + 2ull * d->n, ev, 2, NULL))) {
		r->has_used_event = true;
		r->used_event = vq_dec16(d, ev);
	}

	if (vq_read_field(d, "used ring header (flags, idx)", s->device_addr, hdr, 4)) {
		r->has_used_idx = true;
		r->used_flags = vq_dec16(d, hdr);
		r->used_idx = vq_dec16(d, hdr + 2);
	}
	p = vq_area_map(d, "used ring", s->device_addr + 4, d->n, 8, &scratch, sc->used_present);
	if (p)
		for (uint32_t i = 0; i < d->n; i++) {
			r->used_ring[i].id = vq_dec32(d, p + 8 * (size_t)i);
			r->used_ring[i].len = vq_dec32(d, p + 8 * (size_t)i + 4);
		}
	free(scratch);
	if ((d->f_event_idx &&
	     vq_read_field(d, "avail_event (end of the used ring)", s->device_addr + 4 + 8ull * d->n, ev, 2)) ||
	    (!d->features_known && !vq_mem_read(&s->mem, s->device_addr + 4 + 8ull * d->n, ev, 2, NULL))) {
		r->has_avail_event = true;
		r->avail_event = vq_dec16(d, ev);
	}
}

/* ---------- whole-ring checks ---------- */

static void split_check_ring(struct vq_dec *d, struct split_ctx *sc)
{
	const struct vq_snapshot *s = d->s;
	struct vq_decode_result *r = d->r;

	if (s->desc_addr % 16)
		vq_anomaly_add(d, VQ_ANOM_AREA_MISALIGNED, VQ_ANOMALY_NO_INDEX,
			       "descriptor table at 0x%llx is not 16-byte aligned", (unsigned long long)s->desc_addr);
	if (s->driver_addr % 2)
		vq_anomaly_add(d, VQ_ANOM_AREA_MISALIGNED, VQ_ANOMALY_NO_INDEX,
			       "available ring at 0x%llx is not 2-byte aligned", (unsigned long long)s->driver_addr);
	if (s->device_addr % 4)
		vq_anomaly_add(d, VQ_ANOM_AREA_MISALIGNED, VQ_ANOMALY_NO_INDEX,
			       "used ring at 0x%llx is not 4-byte aligned", (unsigned long long)s->device_addr);

	if (r->has_avail_idx && ((r->avail_flags & ~1u) || (d->f_event_idx && r->avail_flags)))
		vq_anomaly_add(d, VQ_ANOM_AVAIL_FLAGS_INVALID, VQ_ANOMALY_NO_INDEX,
			       "available ring flags is 0x%x; the driver must set %s", r->avail_flags,
			       d->f_event_idx ? "0 with EVENT_IDX" : "0 or 1");
	if (r->has_used_idx && ((r->used_flags & ~1u) || (d->f_event_idx && r->used_flags)))
		vq_anomaly_add(d, VQ_ANOM_USED_FLAGS_INVALID, VQ_ANOMALY_NO_INDEX,
			       "used ring flags is 0x%x; the device must set %s", r->used_flags,
			       d->f_event_idx ? "0 with EVENT_IDX" : "0 or 1");

	sc->idx_ok = r->has_avail_idx && r->has_used_idx;
	if (!sc->idx_ok)
		return;
	sc->A = r->avail_idx;
	sc->B = r->used_idx;
	sc->f = (uint16_t)(sc->A - sc->B);
	r->in_flight = sc->f;
	if (sc->f > d->n)
		vq_anomaly_add(d, VQ_ANOM_TOO_MANY_IN_FLIGHT, VQ_ANOMALY_NO_INDEX,
			       "avail.idx %u minus used.idx %u is %u, more than the queue size %u", sc->A, sc->B,
			       sc->f, d->n);

	if (s->has_last_avail_idx) {
		if ((uint16_t)(s->last_avail_idx - sc->B) > sc->f) {
			vq_anomaly_add(d, VQ_ANOM_LAST_AVAIL_IDX_INVALID, VQ_ANOMALY_NO_INDEX,
				       "the device's last_avail_idx %u is not between used.idx %u and avail.idx %u",
				       s->last_avail_idx, sc->B, sc->A);
		} else {
			r->has_last_avail_idx = true;
			r->last_avail_idx = s->last_avail_idx;
		}
	}
	if (s->has_last_used_idx) {
		if ((uint16_t)(sc->B - s->last_used_idx) > d->n) {
			vq_anomaly_add(d, VQ_ANOM_LAST_USED_IDX_INVALID, VQ_ANOMALY_NO_INDEX,
				       "the driver's last_used_idx %u is not between used.idx %u minus the queue size and used.idx",
				       s->last_used_idx, sc->B);
		} else {
			r->has_last_used_idx = true;
			r->last_used_idx = s->last_used_idx;
		}
	}

	/* Every entry in the windows is a real publication or use (or still zero), so any value is checkable. */
	for (uint32_t i = 0; i < d->n; i++) {
		if (sc->avail_present[i] && r->avail_ring[i] >= d->n)
			vq_anomaly_add(d, VQ_ANOM_HEAD_OUT_OF_RANGE, i,
				       "available ring slot %u holds head %u, past the end of the %u-entry table", i,
				       r->avail_ring[i], d->n);
		if (sc->used_present[i] && r->used_ring[i].id >= d->n)
			vq_anomaly_add(d, VQ_ANOM_USED_ID_OUT_OF_RANGE, i,
				       "used ring slot %u holds id %u, past the end of the %u-entry table", i,
				       r->used_ring[i].id, d->n);
		if (sc->avail_present[i] && r->avail_ring[i] < d->n)
			sc->in_avail[r->avail_ring[i]] = true;
	}
}

/* ---------- chain walks ---------- */

/*
 * Checks an indirect descriptor's table size; returns how many entries to
 * walk (0: none) and sets *entries to the table's entry count.
 */
static uint32_t split_indirect_limit(struct vq_dec *d, struct vq_chain *c, uint32_t parent, uint32_t len,
				     uint32_t *entries)
{
	*entries = len / 16;
	if (!d->f_indirect && d->features_known)
		vq_anomaly_add(d, VQ_ANOM_INDIRECT_NOT_NEGOTIATED, parent,
			       "descriptor %u sets INDIRECT but VIRTIO_F_INDIRECT_DESC was not negotiated", parent);
	if (len % 16)
		vq_anomaly_add(d, VQ_ANOM_INDIRECT_LEN_UNALIGNED, parent,
			       "descriptor %u points at an indirect table of %u bytes, not a multiple of 16", parent, len);
	if (*entries == 0) {
		if (len == 0)
			vq_anomaly_add(d, VQ_ANOM_ZERO_LENGTH, parent,
				       "descriptor %u points at an indirect table of length 0", parent);
		c->truncated = true;
		return 0;
	}
	if (*entries > d->n) {
		vq_anomaly_add(d, VQ_ANOM_INDIRECT_TOO_LONG, parent,
			       "descriptor %u points at an indirect table of %u descriptors, more than the queue size %u",
			       parent, *entries, d->n);
		return d->n;
	}
	return *entries;
}

static void split_walk_indirect(struct vq_dec *d, size_t ci, uint32_t parent, uint64_t addr, uint32_t len,
				bool *seen_write, uint32_t *chain_len)
{
	struct vq_chain *c = &d->r->chains[ci];
	uint32_t entries, limit = split_indirect_limit(d, c, parent, len, &entries);

	if (!limit || !vq_indirect_claim(d, addr, parent)) {
		c->truncated = c->truncated || limit;
		return;
	}
	/* a fresh stamp marks this table's visited entries without clearing the array */
	if (++d->ind_stamp == 0) {
		memset(d->ind_seen, 0, d->n * sizeof(*d->ind_seen));
		d->ind_stamp = 1;
	}
	uint32_t i = 0;
	for (;;) {
		uint8_t raw[16];

		if (d->ind_seen[i] == d->ind_stamp) {
			vq_anomaly_add(d, VQ_ANOM_CHAIN_LOOP, parent,
				       "the indirect table of descriptor %u comes back to its entry %u", parent, i);
			c->truncated = true;
			break;
		}
		d->ind_seen[i] = d->ind_stamp;
		if (!vq_indirect_entry_read(d, c, parent, addr, i, raw))
			break;
		struct vq_chain_elem el = {
			.table_index = i, .indirect = true, .addr = vq_dec64(d, raw), .len = vq_dec32(d, raw + 8),
			.flags = vq_dec16(d, raw + 12),
		};
		uint16_t next = vq_dec16(d, raw + 14);
		el.write = (el.flags & (VQ_DESC_F_WRITE | VQ_DESC_F_INDIRECT)) == VQ_DESC_F_WRITE;
		if (!vq_chain_push(d, ci, &el))
			break;
		vq_check_desc_flags(d, c, &el, parent);
		if (el.flags & VQ_DESC_F_INDIRECT) {
			vq_anomaly_add(d, VQ_ANOM_INDIRECT_IN_INDIRECT, parent,
				       "entry %u of the indirect table of descriptor %u sets INDIRECT", i, parent);
		} else {
			vq_chain_account(d, c, &el, parent, seen_write);
			if (++*chain_len == d->n + 1)
				vq_anomaly_add(d, VQ_ANOM_CHAIN_TOO_LONG, c->head,
					       "the chain of head %u holds more than %u descriptors, the queue size",
					       c->head, d->n);
		}
		if (!(el.flags & VQ_DESC_F_NEXT))
			break;
		if (next >= entries) {
			vq_anomaly_add(d, VQ_ANOM_NEXT_OUT_OF_RANGE, parent,
				       "entry %u of the indirect table of descriptor %u has next %u, past the table's %u entries",
				       i, parent, next, entries);
			c->truncated = true;
			break;
		}
		if (next >= limit) {
			c->truncated = true;
			break;
		}
		if (d->f_in_order && next != i + 1)
			vq_anomaly_add(d, VQ_ANOM_IN_ORDER_VIOLATION, parent,
				       "entry %u of the indirect table of descriptor %u chains to %u, but IN_ORDER requires %u",
				       i, parent, next, i + 1);
		i = next;
	}
}

/* Walks the chain at chains[ci].head, claiming each descriptor for it. */
static void split_walk_chain(struct vq_dec *d, size_t ci)
{
	struct vq_decode_result *r = d->r;
	struct vq_chain *c = &r->chains[ci];
	uint32_t i = c->head, chain_len = 0;
	bool seen_write = false;

	for (;;) {
		struct vq_desc *desc = &r->descs[i];

		if (!desc->present) {
			c->truncated = true; /* the missing table range is already reported */
			break;
		}
		if (d->owner[i] == (int32_t)ci) {
			vq_anomaly_add(d, VQ_ANOM_CHAIN_LOOP, i, "the chain of head %u comes back to descriptor %u",
				       c->head, i);
			c->truncated = true;
			break;
		}
		if (d->owner[i] != VQ_NO_OWNER) {
			const struct vq_chain *o = &r->chains[d->owner[i]];
			vq_anomaly_add(d, VQ_ANOM_DESC_SHARED, i,
				       "descriptor %u is in the %s chain of head %u and in the %s chain of head %u", i,
				       o->state == VQ_DESC_USED ? "used" : "in-flight", o->head,
				       c->state == VQ_DESC_USED ? "used" : "in-flight", c->head);
			c->truncated = true;
			break;
		}
		d->owner[i] = (int32_t)ci;
		desc->state = c->state;
		struct vq_chain_elem el = {
			.table_index = i, .addr = desc->addr, .len = desc->len, .flags = desc->flags,
			.write = (desc->flags & (VQ_DESC_F_WRITE | VQ_DESC_F_INDIRECT)) == VQ_DESC_F_WRITE,
		};
		if (!vq_chain_push(d, ci, &el))
			break;
		vq_check_desc_flags(d, c, &el, i);
		if (desc->flags & VQ_DESC_F_INDIRECT) {
			if (desc->flags & VQ_DESC_F_NEXT)
				vq_anomaly_add(d, VQ_ANOM_INDIRECT_WITH_NEXT, i,
					       "descriptor %u sets both INDIRECT and NEXT", i);
			/* the table ends the chain: a device ignores NEXT here */
			split_walk_indirect(d, ci, i, desc->addr, desc->len, &seen_write, &chain_len);
			break;
		}
		vq_chain_account(d, c, &el, i, &seen_write);
		chain_len++;
		if (!(desc->flags & VQ_DESC_F_NEXT))
			break;
		if (desc->next >= d->n) {
			vq_anomaly_add(d, VQ_ANOM_NEXT_OUT_OF_RANGE, i,
				       "descriptor %u in the chain of head %u has next %u, past the end of the %u-entry table",
				       i, c->head, desc->next, d->n);
			c->truncated = true;
			break;
		}
		if (d->f_in_order && desc->next != (i + 1) % d->n)
			vq_anomaly_add(d, VQ_ANOM_IN_ORDER_VIOLATION, i,
				       "descriptor %u chains to %u, but IN_ORDER requires %u", i, desc->next,
				       (i + 1) % d->n);
		i = desc->next;
	}
	vq_chain_end(d, c);
}

/* ---------- which publications are still in flight ---------- */

/* Unreclaimed used entries' heads cannot have been made available again. */
static void split_mark_pending(struct vq_dec *d, struct split_ctx *sc)
{
	struct vq_decode_result *r = d->r;

	if (!r->has_last_used_idx)
		return;
	for (uint16_t k = r->last_used_idx; k != sc->B; k++) {
		uint32_t slot = slot_of(d, k);
		if (sc->used_present[slot] && r->used_ring[slot].id < d->n)
			sc->pending[r->used_ring[slot].id] = true;
	}
}

/*
 * Builds per-head lists of used offsets (relative to A, ascending) and
 * reports a head published twice in flight: a second publication at x2 of a
 * head published at x1 needs a use in between, whose used index lies in
 * [x1 + 1 - size, min(x2, B - A)); checked only where the used ring still
 * covers that whole range (x1 >= B - A - 1), so the finding is certain.
 */
static bool has_use_between(const struct split_ctx *sc, uint16_t h, int32_t lo, int32_t hi)
{
	uint32_t a = sc->use_off[h], b = sc->use_off[h + 1];

	while (a < b) { /* first use >= lo; the list is ascending */
		uint32_t mid = a + (b - a) / 2;
		if (sc->use_list[mid] < lo)
			a = mid + 1;
		else
			b = mid;
	}
	return a < sc->use_off[h + 1] && sc->use_list[a] < hi;
}

static void split_check_twice(struct vq_dec *d, struct split_ctx *sc)
{
	const struct vq_decode_result *r = d->r;
	int32_t n = (int32_t)d->n, f = (int32_t)sc->f;
	int32_t *prev = sc->tmp_b, *fill = sc->tmp_a;
	int32_t first = -f - 1 < -n ? -n : -f - 1;
	bool any = false;

	/* cheap pass first: most rings publish no head twice in the range */
	for (uint32_t h = 0; h < d->n; h++)
		prev[h] = NO_EVENT;
	for (int32_t x = first; x < 0 && !any; x++) {
		uint32_t slot = slot_of(d, (uint16_t)(sc->A + x));
		uint16_t h = r->avail_ring[slot];
		if (!sc->avail_present[slot] || h >= d->n)
			continue;
		any = prev[h] != NO_EVENT;
		prev[h] = x;
	}
	if (!any)
		return;

	memset(sc->use_off, 0, (d->n + 1) * sizeof(*sc->use_off));
	for (int32_t t = 0; t < n; t++) {
		uint32_t slot = slot_of(d, (uint16_t)(sc->B - n + t));
		if (sc->used_present[slot] && r->used_ring[slot].id < d->n)
			sc->use_off[r->used_ring[slot].id + 1]++;
	}
	for (uint32_t h = 0; h < d->n; h++) {
		sc->use_off[h + 1] += sc->use_off[h];
		fill[h] = (int32_t)sc->use_off[h];
	}
	for (int32_t t = 0; t < n; t++) {
		uint32_t slot = slot_of(d, (uint16_t)(sc->B - n + t));
		if (sc->used_present[slot] && r->used_ring[slot].id < d->n)
			sc->use_list[fill[r->used_ring[slot].id]++] = -f - n + t;
	}
	for (uint32_t h = 0; h < d->n; h++)
		prev[h] = NO_EVENT;
	for (int32_t x = first; x < 0; x++) {
		uint16_t j = (uint16_t)(sc->A + x);
		uint32_t slot = slot_of(d, j);
		uint16_t h = r->avail_ring[slot];
		if (!sc->avail_present[slot] || h >= d->n)
			continue;
		int32_t x1 = prev[h];
		prev[h] = x;
		if (x1 != NO_EVENT && !has_use_between(sc, h, x1 + 1 - n, x < -f ? x : -f))
			vq_anomaly_add(d, VQ_ANOM_HEAD_IN_FLIGHT_TWICE, slot,
				       "head %u is made available at avail[%u] and again at avail[%u] without being used in between",
				       h, (uint16_t)(sc->A + x1), j);
	}
}

/*
 * Chooses the f publications still in flight from each head's latest
 * publication x and latest use y (offsets from A).  The use that consumes
 * publication x has a used index of at least x + 1 - size (at most size
 * buffers are outstanding), so:
 *  - y >= x: used after x was published, not in flight;
 *  - y < x + 1 - size, or no use while the used ring covers every index
 *    from x + 1 - size on (x >= B - A - 1): certainly in flight;
 *  - otherwise ambiguous.  Ambiguous heads whose previous publication came
 *    at or before y (so y most likely consumed that one) are taken first,
 *    then the most recent others, until f are chosen.
 * Exact for in-order completion; for out-of-order, exact whenever the
 * indices decide it.
 */
static void split_select_ooo(struct vq_dec *d, struct split_ctx *sc)
{
	const struct vq_decode_result *r = d->r;
	int32_t n = (int32_t)d->n, f = (int32_t)sc->f;
	int32_t *last_pub = sc->tmp_a, *last_use = sc->tmp_b, *prev_pub = sc->tmp_c;
	uint8_t *chosen = (uint8_t *)sc->use_list; /* n bytes of scratch, indexed x + n */
	uint32_t count = 0;

	for (uint32_t h = 0; h < d->n; h++)
		last_pub[h] = last_use[h] = prev_pub[h] = NO_EVENT;
	for (int32_t x = -n; x < 0; x++) {
		uint32_t slot = slot_of(d, (uint16_t)(sc->A + x));
		uint16_t h = r->avail_ring[slot];
		if (sc->avail_present[slot] && h < d->n) {
			prev_pub[h] = last_pub[h];
			last_pub[h] = x;
		}
	}
	for (int32_t t = 0; t < n; t++) {
		uint32_t slot = slot_of(d, (uint16_t)(sc->B - n + t));
		if (sc->used_present[slot] && r->used_ring[slot].id < d->n)
			last_use[r->used_ring[slot].id] = -f - n + t;
	}
	memset(chosen, 0, d->n);
	for (int pass = 0; pass < 3; pass++) {
		for (int32_t x = -1; x >= -n && count < sc->f; x--) {
			uint32_t slot = slot_of(d, (uint16_t)(sc->A + x));
			uint16_t h = r->avail_ring[slot];
			if (!sc->avail_present[slot] || h >= d->n || last_pub[h] != x || chosen[x + n])
				continue;
			int32_t y = last_use[h];
			if (sc->pending[h] || (y != NO_EVENT && y >= x))
				continue;
			bool take;
			if (pass == 0)
				take = y == NO_EVENT ? x >= -f - 1 : y < x + 1 - n;
			else if (pass == 1)
				take = y != NO_EVENT && prev_pub[h] != NO_EVENT && prev_pub[h] <= y;
			else
				take = true;
			if (take) {
				chosen[x + n] = 1;
				count++;
			}
		}
	}
	for (int32_t x = -n; x < 0; x++)
		if (chosen[x + n])
			sc->sel[sc->n_sel++] = x;
}

static void split_select(struct vq_dec *d, struct split_ctx *sc)
{
	const struct vq_decode_result *r = d->r;

	sc->n_sel = 0;
	if (!sc->idx_ok || sc->f == 0)
		return;
	if (d->f_in_order || sc->f > d->n) {
		/* IN_ORDER: used in publication order, so exactly the newest f (or, for garbage, size) */
		int32_t k = (int32_t)(sc->f > d->n ? d->n : sc->f);
		int32_t *prev_x = sc->tmp_b;
		for (uint32_t h = 0; h < d->n; h++)
			prev_x[h] = NO_EVENT;
		for (int32_t x = -k; x < 0; x++) {
			uint32_t slot = slot_of(d, (uint16_t)(sc->A + x));
			uint16_t h = r->avail_ring[slot];
			if (!sc->avail_present[slot] || h >= d->n)
				continue;
			if (prev_x[h] != NO_EVENT) {
				vq_anomaly_add(d, VQ_ANOM_HEAD_IN_FLIGHT_TWICE, slot,
					       "head %u is in flight at avail[%u] and again at avail[%u]", h,
					       (uint16_t)(sc->A + prev_x[h]), (uint16_t)(sc->A + x));
				continue;
			}
			prev_x[h] = x;
			sc->sel[sc->n_sel++] = x;
		}
		return;
	}
	split_check_twice(d, sc);
	split_select_ooo(d, sc);
}

/* IN_ORDER: each buffer starts where the previous one's direct descriptors end. */
static void split_check_in_order_heads(struct vq_dec *d, size_t first, size_t end)
{
	const struct vq_decode_result *r = d->r;

	for (size_t i = first + 1; i < end; i++) {
		const struct vq_chain *p = &r->chains[i - 1], *c = &r->chains[i];
		if (p->truncated || (uint16_t)(p->ring_index + 1) != c->ring_index)
			continue;
		uint32_t direct = 0;
		for (size_t e = 0; e < p->n_elems; e++)
			direct += !d->pool[d->chain_first[i - 1] + e].indirect;
		uint32_t want = (p->head + direct) % d->n;
		if (c->head != want)
			vq_anomaly_add(d, VQ_ANOM_IN_ORDER_VIOLATION, slot_of(d, c->ring_index),
				       "the buffer at avail[%u] starts at descriptor %u, but IN_ORDER requires %u (after the %u descriptors of head %u)",
				       c->ring_index, c->head, want, direct, p->head);
	}
}

static void split_walk_in_flight(struct vq_dec *d, struct split_ctx *sc)
{
	struct vq_decode_result *r = d->r;

	for (uint32_t k = 0; k < sc->n_sel; k++) {
		uint16_t j = (uint16_t)(sc->A + sc->sel[k]);
		uint16_t h = r->avail_ring[slot_of(d, j)];
		size_t ci = vq_chain_begin(d, h, h, VQ_DESC_AVAIL, j);
		split_walk_chain(d, ci);
	}
	if (d->f_in_order)
		split_check_in_order_heads(d, 0, r->n_chains);
}

/* ---------- used entries the driver has not reclaimed ---------- */

static void split_used_chain(struct vq_dec *d, uint16_t head, uint16_t used_index, bool has_len, uint32_t len)
{
	struct vq_decode_result *r = d->r;
	size_t ci = vq_chain_begin(d, head, head, VQ_DESC_USED, used_index);
	struct vq_chain *c = &r->chains[ci];

	c->has_used_len = has_len;
	c->used_len = len;
	split_walk_chain(d, ci);
	if (has_len && !c->truncated && len > c->writable_bytes)
		vq_anomaly_add(d, VQ_ANOM_USED_LEN_TOO_LARGE, slot_of(d, used_index),
			       "used[%u] reports %u bytes written, but the chain of head %u has only %llu device-writable bytes",
			       used_index, len, head, (unsigned long long)c->writable_bytes);
}

/* A used id must name the head of a buffer the driver made available. */
static bool split_used_id_is_head(struct vq_dec *d, struct split_ctx *sc, uint16_t k, uint32_t id)
{
	const struct vq_decode_result *r = d->r;
	int32_t o = d->owner[id];

	if (o != VQ_NO_OWNER && r->chains[o].head != id) {
		vq_anomaly_add(d, VQ_ANOM_USED_ID_NOT_HEAD, slot_of(d, k),
			       "used[%u] names descriptor %u, which is inside the %s chain of head %u", k, id,
			       r->chains[o].state == VQ_DESC_USED ? "used" : "in-flight", r->chains[o].head);
		return false;
	}
	if (o == VQ_NO_OWNER && !sc->in_avail[id]) {
		vq_anomaly_add(d, VQ_ANOM_USED_ID_NOT_HEAD, slot_of(d, k),
			       "used[%u] names descriptor %u, which is not the head of any buffer in the available ring",
			       k, id);
		return false;
	}
	return o == VQ_NO_OWNER;
}

static void split_walk_used(struct vq_dec *d, struct split_ctx *sc)
{
	struct vq_decode_result *r = d->r;
	int32_t *seen = sc->tmp_a;

	if (!r->has_last_used_idx || !sc->idx_ok)
		return;
	for (uint32_t h = 0; h < d->n; h++)
		seen[h] = NO_EVENT;
	for (uint16_t k = r->last_used_idx; k != sc->B;) {
		uint32_t slot = slot_of(d, k);
		const struct vq_used_elem *u = &r->used_ring[slot];
		if (!sc->used_present[slot] || u->id >= d->n) {
			k++;
			continue;
		}
		if (seen[u->id] != NO_EVENT) {
			vq_anomaly_add(d, VQ_ANOM_USED_ID_TWICE, slot,
				       "buffer %u is returned at used[%u] and again at used[%u] before the driver reclaimed it",
				       u->id, (uint16_t)seen[u->id], k);
			k++;
			continue;
		}
		seen[u->id] = k;
		if (!d->f_in_order) {
			if (split_used_id_is_head(d, sc, k, u->id))
				split_used_chain(d, (uint16_t)u->id, k, true, u->len);
			k++;
			continue;
		}
		/* IN_ORDER: one entry at the batch's first slot names the batch's last buffer */
		uint16_t m = k;
		bool found = false;
		for (; m != sc->B; m++) {
			uint32_t as = slot_of(d, m);
			if ((uint16_t)(sc->A - m) > d->n || !sc->avail_present[as])
				break;
			if (r->avail_ring[as] == u->id) {
				found = true;
				break;
			}
		}
		if (!found) {
			vq_anomaly_add(d, VQ_ANOM_IN_ORDER_VIOLATION, slot,
				       "used[%u] names buffer %u, which is not among the buffers made available at avail[%u..%u]",
				       k, u->id, k, (uint16_t)(sc->B - 1));
			break;
		}
		for (uint16_t t = k; t != (uint16_t)(m + 1); t++) {
			uint16_t h = r->avail_ring[slot_of(d, t)];
			if (h < d->n)
				split_used_chain(d, h, t, t == m, u->len);
		}
		k = (uint16_t)(m + 1);
	}
}

/* ---------- notifications ---------- */

static void split_notify(struct vq_dec *d, struct split_ctx *sc)
{
	struct vq_decode_result *r = d->r;

	if (!d->features_known) {
		/* flags or event index: which one the other side obeys is unknown */
		r->has_kick_suppressed = r->has_interrupt_suppressed = false;
	} else if (d->f_event_idx) {
		/* vring_need_event(event, idx + 1, idx) is true exactly when event == idx */
		r->has_kick_suppressed = r->has_avail_event && r->has_avail_idx;
		r->kick_suppressed = r->avail_event != r->avail_idx;
		r->has_interrupt_suppressed = r->has_used_event && r->has_used_idx;
		r->interrupt_suppressed = r->used_event != r->used_idx;
	} else {
		r->has_kick_suppressed = r->has_used_idx;
		r->kick_suppressed = r->used_flags & 1;
		r->has_interrupt_suppressed = r->has_avail_idx;
		r->interrupt_suppressed = r->avail_flags & 1;
	}
	/* NOTIFY_ON_EMPTY: the use that empties the ring always interrupts */
	if (d->f_notify_on_empty && sc->idx_ok && sc->f == 1)
		r->interrupt_suppressed = false;
	if (!r->has_kick_suppressed)
		r->kick_suppressed = false;
	if (!r->has_interrupt_suppressed)
		r->interrupt_suppressed = false;
}

int vq_decode_split(struct vq_dec *d)
{
	struct vq_decode_result *r = d->r;
	struct split_ctx sc = { 0 };
	size_t n = d->n;

	r->avail_ring = calloc(n, sizeof(*r->avail_ring));
	r->used_ring = calloc(n, sizeof(*r->used_ring));
	sc.avail_present = calloc(n, 1);
	sc.used_present = calloc(n, 1);
	sc.in_avail = calloc(n, sizeof(bool));
	sc.pending = calloc(n, sizeof(bool));
	sc.sel = malloc(n * sizeof(*sc.sel));
	sc.tmp_a = malloc(n * sizeof(*sc.tmp_a));
	sc.tmp_b = malloc(n * sizeof(*sc.tmp_b));
	sc.tmp_c = malloc(n * sizeof(*sc.tmp_c));
	sc.use_off = malloc((n + 1) * sizeof(*sc.use_off));
	sc.use_list = malloc(n * sizeof(*sc.use_list));
	if (!r->avail_ring || !r->used_ring || !sc.avail_present || !sc.used_present || !sc.in_avail ||
	    !sc.pending || !sc.sel || !sc.tmp_a || !sc.tmp_b || !sc.tmp_c || !sc.use_off || !sc.use_list) {
		d->err = -ENOMEM;
		goto out;
	}

	split_read_descs(d);
	split_read_rings(d, &sc);
	if (d->err)
		goto out;
	if (!d->s->has_last_used_idx)
		vq_assume(d, "driver's last_used_idx not given: every used entry is taken as reclaimed, so none is listed or checked");
	split_check_ring(d, &sc);
	split_mark_pending(d, &sc);
	split_select(d, &sc);
	split_walk_in_flight(d, &sc);
	split_walk_used(d, &sc);
	split_notify(d, &sc);
out:
	free(sc.avail_present);
	free(sc.used_present);
	free(sc.in_avail);
	free(sc.pending);
	free(sc.sel);
	free(sc.tmp_a);
	free(sc.tmp_b);
	free(sc.tmp_c);
	free(sc.use_off);
	free(sc.use_list);
	return d->err;
}
