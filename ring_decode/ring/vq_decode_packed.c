/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Packed virtqueue decoding (virtio spec 2.8): positions and wrap counters from flags, buffers, event suppression. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vq_decode_internal.h"

/*
 * Positions are handled as offsets into the window of the last `size`
 * descriptors the driver wrote: offset o is ring slot (D + o) % size, and
 * was written in the driver's previous pass (wrap !Wd) when D + o < size,
 * in the current one (Wd) otherwise.  The device's used position is an
 * offset Uo in [0, size]: [Uo, size) is in flight, [Ro, Uo) used and not
 * reclaimed when the driver's used position Ro is known.
 */
struct packed_ctx {
	uint8_t *present;
	uint32_t D;
	bool Wd;
	uint32_t Uo;
	bool has_R;
	uint32_t Ro;
	int32_t *id_chain;          /* buffer id -> chain index, while building */
};

static uint32_t slot_at(const struct vq_dec *d, const struct packed_ctx *pc, uint32_t o)
{
	return (pc->D + o) % d->n;
}

static bool lap_wrap(const struct vq_dec *d, const struct packed_ctx *pc, uint32_t o)
{
	return pc->D + o >= d->n ? pc->Wd : !pc->Wd;
}

static bool avail_bit(const struct vq_desc *desc)
{
	return desc->flags & VQ_DESC_F_AVAIL;
}

static bool used_bit(const struct vq_desc *desc)
{
	return desc->flags & VQ_DESC_F_USED;
}

/* Position (pos, wrap) on a circle of 2 * size: one lap with wrap 1, then one with wrap 0. */
static uint32_t lin(const struct vq_dec *d, uint32_t pos, bool wrap)
{
	return pos + (wrap ? 0 : d->n);
}

/* How far (pos, wrap) is behind the driver's position; > size means not in the window. */
static uint32_t behind_driver(const struct vq_dec *d, const struct packed_ctx *pc, uint32_t pos, bool wrap)
{
	return (lin(d, pc->D, pc->Wd) + 2 * d->n - lin(d, pos, wrap)) % (2 * d->n);
}

/* ---------- reading ---------- */

static void packed_read(struct vq_dec *d, struct packed_ctx *pc)
{
	const struct vq_snapshot *s = d->s;
	struct vq_decode_result *r = d->r;
	uint8_t *scratch, ev[4];
	const uint8_t *tbl = vq_area_map(d, "descriptor ring", s->desc_addr, d->n, 16, &scratch, pc->present);

	if (tbl) {
		for (uint32_t i = 0; i < d->n; i++) {
			const uint8_t *p = tbl + 16 * (size_t)i;
			struct vq_desc *desc = &r->descs[i];
			desc->addr = vq_le64(p);
			desc->len = vq_le32(p + 8);
			desc->next = vq_le16(p + 12);
			desc->flags = vq_le16(p + 14);
			desc->present = pc->present[i];
		}
	}
	free(scratch);
	if (vq_read_field(d, "driver event suppression area", s->driver_addr, ev, 4)) {
		r->has_driver_event = true;
		r->driver_event_off_wrap = vq_le16(ev);
		r->driver_event_flags = vq_le16(ev + 2);
	}
	if (vq_read_field(d, "device event suppression area", s->device_addr, ev, 4)) {
		r->has_device_event = true;
		r->device_event_off_wrap = vq_le16(ev);
		r->device_event_flags = vq_le16(ev + 2);
	}
}

static void packed_check_event(struct vq_dec *d, const char *who, uint16_t off_wrap, uint16_t flags)
{
	uint16_t mode = flags & 3;

	if (mode == 3)
		vq_anomaly_add(d, VQ_ANOM_EVENT_FLAGS_INVALID, VQ_ANOMALY_NO_INDEX,
			       "%s event suppression flags 0x%x use the reserved value 3", who, flags);
	if (flags & ~3u)
		vq_anomaly_add(d, VQ_ANOM_EVENT_FLAGS_INVALID, VQ_ANOMALY_NO_INDEX,
			       "%s event suppression flags 0x%x set reserved bits", who, flags);
	if (mode == VQ_EVENT_FLAGS_DESC && !d->f_event_idx && d->features_known)
		vq_anomaly_add(d, VQ_ANOM_EVENT_FLAGS_INVALID, VQ_ANOMALY_NO_INDEX,
			       "%s event suppression uses DESC, which needs VIRTIO_F_EVENT_IDX", who);
	if (mode == VQ_EVENT_FLAGS_DESC && (off_wrap & 0x7fff) >= d->n)
		vq_anomaly_add(d, VQ_ANOM_EVENT_FLAGS_INVALID, VQ_ANOMALY_NO_INDEX,
			       "%s event suppression names descriptor %u, past the ring's %u descriptors", who,
			       off_wrap & 0x7fff, d->n);
}

static void packed_check_areas(struct vq_dec *d)
{
	const struct vq_snapshot *s = d->s;
	const struct vq_decode_result *r = d->r;

	if (s->desc_addr % 16)
		vq_anomaly_add(d, VQ_ANOM_AREA_MISALIGNED, VQ_ANOMALY_NO_INDEX,
			       "descriptor ring at 0x%llx is not 16-byte aligned", (unsigned long long)s->desc_addr);
	if (s->driver_addr % 4)
		vq_anomaly_add(d, VQ_ANOM_AREA_MISALIGNED, VQ_ANOMALY_NO_INDEX,
			       "driver event suppression area at 0x%llx is not 4-byte aligned",
			       (unsigned long long)s->driver_addr);
	if (s->device_addr % 4)
		vq_anomaly_add(d, VQ_ANOM_AREA_MISALIGNED, VQ_ANOMALY_NO_INDEX,
			       "device event suppression area at 0x%llx is not 4-byte aligned",
			       (unsigned long long)s->device_addr);
	if (r->has_driver_event)
		packed_check_event(d, "driver", r->driver_event_off_wrap, r->driver_event_flags);
	if (r->has_device_event)
		packed_check_event(d, "device", r->device_event_off_wrap, r->device_event_flags);
}

/* ---------- the driver's position, from the AVAIL bits ---------- */

/* Descriptors whose AVAIL bit disagrees with the driver being at (D, W). */
static uint32_t avail_mismatches(const struct vq_dec *d, const struct packed_ctx *pc, uint32_t D, bool W)
{
	uint32_t m = 0;

	for (uint32_t i = 0; i < d->n; i++)
		if (pc->present[i] && avail_bit(&d->r->descs[i]) != (i < D ? W : !W))
			m++;
	return m;
}

/*
 * Slots [0, D) were written in the driver's current pass and carry AVAIL ==
 * Wd, slots [D, size) in the previous one with !Wd; the fresh ring (all
 * zero) is D = 0, Wd = 1.  The (D, Wd) with fewest disagreeing slots wins.
 */
static void packed_infer_driver(const struct vq_dec *d, uint32_t *bestD, bool *bestW, uint32_t *best)
{
	uint32_t ones = 0, zeros = 0, ones_pre = 0, zeros_pre = 0;

	for (uint32_t i = 0; i < d->n; i++)
		if (d->r->descs[i].present) {
			if (avail_bit(&d->r->descs[i]))
				ones++;
			else
				zeros++;
		}
	*best = UINT32_MAX;
	*bestD = 0;
	*bestW = true;
	for (uint32_t D = 0; D < d->n; D++) {
		uint32_t m1 = zeros_pre + (ones - ones_pre), m0 = ones_pre + (zeros - zeros_pre);
		if (m1 < *best) {
			*best = m1;
			*bestD = D;
			*bestW = true;
		}
		if (m0 < *best) {
			*best = m0;
			*bestD = D;
			*bestW = false;
		}
		if (d->r->descs[D].present) {
			if (avail_bit(&d->r->descs[D]))
				ones_pre++;
			else
				zeros_pre++;
		}
	}
}

static void packed_driver_pos(struct vq_dec *d, struct packed_ctx *pc)
{
	const struct vq_snapshot *s = d->s;
	struct vq_decode_result *r = d->r;
	uint32_t D, best;
	bool W;

	packed_infer_driver(d, &D, &W, &best);
	pc->D = D;
	pc->Wd = W;
	r->driver_pos_inferred = true;
	if (s->has_driver_pos) {
		if (s->driver_next >= d->n) {
			vq_anomaly_add(d, VQ_ANOM_PACKED_POSITION_MISMATCH, VQ_ANOMALY_NO_INDEX,
				       "the snapshot's driver position %u is past the ring's %u descriptors; using %u/w%u from the flags",
				       s->driver_next, d->n, D, W);
		} else {
			uint32_t m = avail_mismatches(d, pc, s->driver_next, s->driver_wrap);
			if (m > best)
				vq_anomaly_add(d, VQ_ANOM_PACKED_POSITION_MISMATCH, VQ_ANOMALY_NO_INDEX,
					       "the snapshot puts the driver at %u/w%u, but the descriptors' AVAIL bits fit %u/w%u (%u against %u disagreeing)",
					       s->driver_next, s->driver_wrap, D, W, m, best);
			pc->D = s->driver_next;
			pc->Wd = s->driver_wrap;
			r->driver_pos_inferred = false;
		}
	}
	r->driver_next = (uint16_t)pc->D;
	r->driver_wrap = pc->Wd;

	for (uint32_t o = 0; o < d->n; o++) {
		uint32_t i = slot_at(d, pc, o);
		const struct vq_desc *desc = &r->descs[i];
		if (desc->present && avail_bit(desc) != lap_wrap(d, pc, o))
			vq_anomaly_add(d, VQ_ANOM_PACKED_WRAP_INCONSISTENT, i,
				       "descriptor %u has AVAIL=%u, but with the driver at %u/w%u it was last written with wrap counter %u",
				       i, avail_bit(desc), pc->D, pc->Wd, lap_wrap(d, pc, o));
	}
}

/* ---------- the device's position ---------- */

/*
 * All 16 bytes zero: never written.  The driver always sets AVAIL or USED,
 * and a device writing a used descriptor leaves addr as the driver wrote
 * it, so only slots the driver has not reached yet (a fresh ring) look so.
 */
static bool pristine(const struct vq_desc *desc)
{
	return desc->present && !desc->addr && !desc->len && !desc->flags && !desc->next;
}

static bool is_used_at(const struct vq_dec *d, const struct packed_ctx *pc, uint32_t o)
{
	const struct vq_desc *desc = &d->r->descs[slot_at(d, pc, o)];

	return desc->present && avail_bit(desc) == used_bit(desc) && avail_bit(desc) == lap_wrap(d, pc, o);
}

/*
 * Offset just after the buffer whose used descriptor (id X) sits at
 * o_used: a used descriptor overwrites the list's first descriptor, so the
 * rest of the list follows, its last descriptor carrying X.  With IN_ORDER
 * one used descriptor may stand for a batch ending in buffer X.  Without a
 * match the buffer had one descriptor.
 */
static uint32_t packed_skip(const struct vq_dec *d, const struct packed_ctx *pc, uint32_t o_used,
			    uint16_t X, uint32_t limit)
{
	uint32_t o = o_used + 1;

	while (o < limit) {
		uint32_t p = o;
		const struct vq_desc *desc = NULL;
		for (; p < limit; p++) {
			desc = &d->r->descs[slot_at(d, pc, p)];
			if (!desc->present || avail_bit(desc) == used_bit(desc) || !(desc->flags & VQ_DESC_F_NEXT))
				break;
		}
		if (p >= limit || !desc->present || avail_bit(desc) == used_bit(desc))
			break;
		if (desc->next == X)
			return p + 1;
		if (!d->f_in_order)
			break;
		o = p + 1;
	}
	return o_used + 1;
}

static void packed_device_pos(struct vq_dec *d, struct packed_ctx *pc)
{
	const struct vq_snapshot *s = d->s;
	struct vq_decode_result *r = d->r;
	bool have = false;

	if (s->has_device_pos) {
		uint32_t dist = s->device_next < d->n ? behind_driver(d, pc, s->device_next, s->device_wrap) : UINT32_MAX;
		if (dist > d->n) {
			vq_anomaly_add(d, VQ_ANOM_PACKED_POSITION_MISMATCH, VQ_ANOMALY_NO_INDEX,
				       "the snapshot's device position %u/w%u is not within one ring of the driver's %u/w%u; inferring it from the flags",
				       s->device_next, s->device_wrap, pc->D, pc->Wd);
		} else {
			have = true;
			pc->Uo = d->n - dist;
			for (uint32_t o = pc->Uo; o < d->n; o++)
				if (is_used_at(d, pc, o)) {
					vq_anomaly_add(d, VQ_ANOM_PACKED_POSITION_MISMATCH, slot_at(d, pc, o),
						       "descriptor %u is marked used, but the snapshot's device position %u/w%u says the device has not reached it",
						       slot_at(d, pc, o), s->device_next, s->device_wrap);
					break;
				}
		}
	}
	if (!have) {
		/* after the most recent used descriptor, or after the never-written slots */
		uint32_t o = d->n;
		const struct vq_desc *desc = NULL;
		while (o > 0) {
			desc = &d->r->descs[slot_at(d, pc, o - 1)];
			if (pristine(desc) || is_used_at(d, pc, o - 1))
				break;
			o--;
		}
		if (o == 0)
			pc->Uo = 0;
		else if (pristine(desc))
			pc->Uo = o;
		else
			pc->Uo = packed_skip(d, pc, o - 1, desc->next, d->n);
		r->device_pos_inferred = true;
	}
	r->device_next = (uint16_t)((pc->D + pc->Uo) % d->n);
	r->device_wrap = lap_wrap(d, pc, pc->Uo);

	if (s->has_driver_used_pos) {
		uint32_t dist = s->driver_used_next < d->n ? behind_driver(d, pc, s->driver_used_next, s->driver_used_wrap)
							   : UINT32_MAX;
		if (dist > d->n || d->n - dist > pc->Uo)
			vq_anomaly_add(d, VQ_ANOM_PACKED_POSITION_MISMATCH, VQ_ANOMALY_NO_INDEX,
				       "the snapshot's driver used position %u/w%u is not between the device's %u/w%u and one ring before it",
				       s->driver_used_next, s->driver_used_wrap, r->device_next, r->device_wrap);
		else {
			pc->has_R = true;
			pc->Ro = d->n - dist;
		}
	}
}

/* ---------- buffers ---------- */

static void packed_walk_indirect(struct vq_dec *d, size_t ci, uint32_t parent, bool *seen_write,
				 uint32_t *chain_len)
{
	struct vq_chain *c = &d->r->chains[ci];
	const struct vq_desc *pd = &d->r->descs[parent];
	uint32_t entries = pd->len / 16, limit = entries;

	if (!d->f_indirect && d->features_known)
		vq_anomaly_add(d, VQ_ANOM_INDIRECT_NOT_NEGOTIATED, parent,
			       "descriptor %u sets INDIRECT but VIRTIO_F_INDIRECT_DESC was not negotiated", parent);
	if (pd->len % 16)
		vq_anomaly_add(d, VQ_ANOM_INDIRECT_LEN_UNALIGNED, parent,
			       "descriptor %u points at an indirect table of %u bytes, not a multiple of 16", parent,
			       pd->len);
	if (entries == 0) {
		if (pd->len == 0)
			vq_anomaly_add(d, VQ_ANOM_ZERO_LENGTH, parent,
				       "descriptor %u points at an indirect table of length 0", parent);
		c->truncated = true;
		return;
	}
	if (entries > d->n) {
		vq_anomaly_add(d, VQ_ANOM_INDIRECT_TOO_LONG, parent,
			       "descriptor %u points at an indirect table of %u descriptors, more than the queue size %u",
			       parent, entries, d->n);
		limit = d->n;
		c->truncated = true;
	}
	if (!vq_indirect_claim(d, pd->addr, parent)) {
		c->truncated = true;
		return;
	}
	for (uint32_t i = 0; i < limit; i++) {
		uint8_t raw[16];
		if (!vq_indirect_entry_read(d, c, parent, pd->addr, i, raw))
			break;
		struct vq_chain_elem el = {
			.table_index = i, .indirect = true, .addr = vq_le64(raw), .len = vq_le32(raw + 8),
			.flags = vq_le16(raw + 14),
		};
		el.write = (el.flags & (VQ_DESC_F_WRITE | VQ_DESC_F_INDIRECT)) == VQ_DESC_F_WRITE;
		if (!vq_chain_push(d, ci, &el))
			break;
		if (el.flags & VQ_DESC_F_INDIRECT) {
			vq_anomaly_add(d, VQ_ANOM_INDIRECT_IN_INDIRECT, parent,
				       "entry %u of the indirect table of descriptor %u sets INDIRECT", i, parent);
			continue;
		}
		if (el.flags & ~(uint16_t)VQ_DESC_F_WRITE)
			vq_anomaly_add(d, VQ_ANOM_PACKED_INDIRECT_FLAGS, parent,
				       "entry %u of the indirect table of descriptor %u has flags 0x%x; only WRITE is allowed",
				       i, parent, el.flags);
		vq_chain_account(d, c, &el, parent, seen_write);
		if (++*chain_len == d->n + 1)
			vq_anomaly_add(d, VQ_ANOM_CHAIN_TOO_LONG, c->head,
				       "the buffer at descriptor %u holds more than %u descriptors, the queue size", c->head,
				       d->n);
	}
}

/* One in-flight buffer starting at offset o; returns the offset after it. */
static uint32_t packed_walk_buffer(struct vq_dec *d, struct packed_ctx *pc, uint32_t o)
{
	struct vq_decode_result *r = d->r;
	uint32_t head = slot_at(d, pc, o), last = head, chain_len = 0, ndirect = 0;
	size_t ci = vq_chain_begin(d, head, 0, VQ_DESC_AVAIL, (uint16_t)head);
	struct vq_chain *c = &r->chains[ci];
	bool seen_write = false;

	for (;;) {
		uint32_t i = slot_at(d, pc, o);
		struct vq_desc *desc = &r->descs[i];
		if (!desc->present) {
			c->truncated = true;
			break;
		}
		desc->state = VQ_DESC_AVAIL;
		last = i;
		ndirect++;
		struct vq_chain_elem el = {
			.table_index = i, .addr = desc->addr, .len = desc->len, .flags = desc->flags,
			.write = (desc->flags & (VQ_DESC_F_WRITE | VQ_DESC_F_INDIRECT)) == VQ_DESC_F_WRITE,
		};
		vq_chain_push(d, ci, &el);
		vq_check_desc_flags(d, c, &el, i);
		if (desc->flags & VQ_DESC_F_INDIRECT) {
			if (desc->flags & VQ_DESC_F_NEXT)
				vq_anomaly_add(d, VQ_ANOM_INDIRECT_WITH_NEXT, i,
					       "descriptor %u sets both INDIRECT and NEXT", i);
			else if (ndirect > 1)
				vq_anomaly_add(d, VQ_ANOM_INDIRECT_WITH_NEXT, i,
					       "descriptor %u sets INDIRECT inside a list chained by NEXT", i);
			packed_walk_indirect(d, ci, i, &seen_write, &chain_len);
		} else {
			vq_chain_account(d, c, &el, i, &seen_write);
			chain_len++;
		}
		o++;
		if (!(desc->flags & VQ_DESC_F_NEXT))
			break;
		if (o >= d->n) {
			vq_anomaly_add(d, VQ_ANOM_PACKED_CHAIN_INCOMPLETE, i,
				       "descriptor %u sets NEXT, but the next descriptor is at the driver's next position %u",
				       i, pc->D);
			c->truncated = true;
			break;
		}
	}
	uint16_t id = r->descs[last].next;
	c->id = id;
	if (r->descs[last].flags & VQ_DESC_F_NEXT) {
		/* list cut short: the id is carried by a descriptor not seen */
	} else if (id >= d->n) {
		vq_anomaly_add(d, VQ_ANOM_PACKED_ID_OUT_OF_RANGE, last,
			       "descriptor %u carries buffer id %u, not below the queue size %u", last, id, d->n);
	} else if (pc->id_chain[id] != VQ_NO_OWNER) {
		vq_anomaly_add(d, VQ_ANOM_HEAD_IN_FLIGHT_TWICE, head,
			       "buffer id %u is in flight at descriptor %u and again at descriptor %u", id,
			       r->chains[pc->id_chain[id]].head, head);
	} else {
		pc->id_chain[id] = (int32_t)ci;
	}
	vq_chain_end(d, c);
	return o;
}

static void packed_walk_used(struct vq_dec *d, struct packed_ctx *pc)
{
	struct vq_decode_result *r = d->r;
	int32_t *seen = pc->id_chain;

	if (!pc->has_R)
		return;
	for (uint32_t i = 0; i < d->n; i++)
		seen[i] = VQ_NO_OWNER;
	for (uint32_t o = pc->Ro; o < pc->Uo;) {
		uint32_t i = slot_at(d, pc, o);
		struct vq_desc *desc = &r->descs[i];
		if (!desc->present) {
			o++;
			continue;
		}
		if (!is_used_at(d, pc, o)) {
			vq_anomaly_add(d, VQ_ANOM_PACKED_POSITION_MISMATCH, i,
				       "descriptor %u lies between the driver's and the device's used positions but its flags 0x%x do not mark it used",
				       i, desc->flags);
			break;
		}
		size_t ci = vq_chain_begin(d, i, desc->next, VQ_DESC_USED, (uint16_t)i);
		struct vq_chain *c = &r->chains[ci];
		c->has_used_len = desc->flags & VQ_DESC_F_WRITE;
		c->used_len = c->has_used_len ? desc->len : 0;
		if (desc->next >= d->n) {
			vq_anomaly_add(d, VQ_ANOM_PACKED_ID_OUT_OF_RANGE, i,
				       "used descriptor %u carries buffer id %u, not below the queue size %u", i, desc->next,
				       d->n);
		} else if (seen[desc->next] != VQ_NO_OWNER) {
			vq_anomaly_add(d, VQ_ANOM_USED_ID_TWICE, i,
				       "buffer %u is returned at descriptor %u and again at descriptor %u before the driver reclaimed it",
				       desc->next, (uint32_t)seen[desc->next], i);
		} else {
			seen[desc->next] = (int32_t)i;
		}
		uint32_t next = packed_skip(d, pc, o, desc->next, pc->Uo);
		for (; o < next; o++)
			r->descs[slot_at(d, pc, o)].state = VQ_DESC_USED;
	}
}

/* ---------- notifications ---------- */

static bool packed_suppressed(const struct vq_dec *d, uint16_t flags, uint16_t off_wrap, uint32_t pos, bool wrap)
{
	switch (flags & 3) {
	case VQ_EVENT_FLAGS_DISABLE:
		return true;
	case VQ_EVENT_FLAGS_DESC:
		/* the notification fires when the descriptor at off_wrap is made available / used */
		return d->f_event_idx && !((off_wrap & 0x7fff) == pos && (bool)(off_wrap >> 15) == wrap);
	default:
		return false; /* ENABLE; reserved 3 is not DISABLE, so drivers notify */
	}
}

static void packed_notify(struct vq_dec *d)
{
	struct vq_decode_result *r = d->r;

	/* DESC obeys EVENT_IDX; with the features unknown, so is the answer */
	bool desc_unknown_dev = !d->features_known && (r->device_event_flags & 3) == VQ_EVENT_FLAGS_DESC;
	bool desc_unknown_drv = !d->features_known && (r->driver_event_flags & 3) == VQ_EVENT_FLAGS_DESC;

	if ((r->has_device_event && desc_unknown_dev) || (r->has_driver_event && desc_unknown_drv))
		vq_assume(d, "features not given: DESC event suppression obeys EVENT_IDX, so whether it suppresses the next notification is unknown");
	if (r->has_device_event) {
		r->has_kick_suppressed = !desc_unknown_dev;
		r->kick_suppressed = packed_suppressed(d, r->device_event_flags, r->device_event_off_wrap,
						       r->driver_next, r->driver_wrap);
		r->has_avail_event = (r->device_event_flags & 3) == VQ_EVENT_FLAGS_DESC;
		r->avail_event = r->device_event_off_wrap & 0x7fff;
	}
	if (r->has_driver_event) {
		r->has_interrupt_suppressed = !desc_unknown_drv;
		r->interrupt_suppressed = packed_suppressed(d, r->driver_event_flags, r->driver_event_off_wrap,
							    r->device_next, r->device_wrap);
		r->has_used_event = (r->driver_event_flags & 3) == VQ_EVENT_FLAGS_DESC;
		r->used_event = r->driver_event_off_wrap & 0x7fff;
	}
}

int vq_decode_packed(struct vq_dec *d)
{
	struct vq_decode_result *r = d->r;
	struct packed_ctx pc = { 0 };

	pc.present = calloc(d->n, 1);
	pc.id_chain = malloc(d->n * sizeof(*pc.id_chain));
	if (!pc.present || !pc.id_chain) {
		d->err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < d->n; i++)
		pc.id_chain[i] = VQ_NO_OWNER;

	packed_read(d, &pc);
	if (d->err)
		goto out;
	packed_check_areas(d);
	packed_driver_pos(d, &pc);
	packed_device_pos(d, &pc);
	for (uint32_t o = pc.Uo; o < d->n;) {
		if (!r->descs[slot_at(d, &pc, o)].present) {
			o++; /* reported as memory_missing; no buffer can be told apart here */
			continue;
		}
		o = packed_walk_buffer(d, &pc, o);
		r->in_flight++;
	}
	packed_walk_used(d, &pc);
	packed_notify(d);
out:
	free(pc.present);
	free(pc.id_chain);
	return d->err;
}
