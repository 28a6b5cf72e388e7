/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* vq_render(): one walk over a decode result that produces both the text report and the JSON document. */
#include <stdio.h>
#include <string.h>

#include "vq_decode.h"

/* A number that may be unknown: JSON null, and in text `absent` ("?", or "not given" for what the input may carry). */
static void opt_number(struct emit *e, const char *key, const char *text_prefix, bool has, unsigned long long v,
		       const char *absent)
{
	emit_text(e, "%s", text_prefix);
	if (has) {
		emit_uint(e, key, "%llu", v);
	} else {
		emit_null(e, key);
		emit_text(e, "%s", absent);
	}
}

static void opt_uint(struct emit *e, const char *key, const char *text_prefix, bool has, unsigned long long v)
{
	opt_number(e, key, text_prefix, has, v, "?");
}

static void opt_bool(struct emit *e, const char *key, const char *text_prefix, bool has, bool v)
{
	emit_text(e, "%s", text_prefix);
	if (has) {
		emit_bool(e, key, "%s", v);
	} else {
		emit_null(e, key);
		emit_text(e, "?");
	}
}

/* "NEXT|WRITE" style names of descriptor flags; unknown bits as hex. */
static const char *flag_names(uint16_t flags, bool packed, char *buf, size_t len)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} names[] = {
		{ VQ_DESC_F_NEXT, "NEXT" },   { VQ_DESC_F_WRITE, "WRITE" }, { VQ_DESC_F_INDIRECT, "INDIRECT" },
		{ VQ_DESC_F_AVAIL, "AVAIL" }, { VQ_DESC_F_USED, "USED" },
	};
	size_t n = 0;
	uint16_t rest = flags;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit) || (!packed && names[i].bit > VQ_DESC_F_INDIRECT))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "|" : "", names[i].name);
		rest &= (uint16_t)~names[i].bit;
	}
	if (rest)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s0x%x", n ? "|" : "", rest);
	if (!n)
		snprintf(buf, len, "-");
	return buf;
}

/*
 * The flags field: a hex string and a flag_names array in JSON (unnamed bits
 * one by one as "0x100", like status_names); names joined by '|' in text.
 */
static void render_flags(struct emit *e, uint16_t flags, bool packed, const char *hex_tfmt)
{
	static const char *const names[16] = {
		[0] = "NEXT", [1] = "WRITE", [2] = "INDIRECT", [7] = "AVAIL", [15] = "USED",
	};
	char buf[64];

	emit_hex(e, "flags", hex_tfmt, flags);
	if (!emit_is_json(e)) {
		emit_text(e, " %s", flag_names(flags, packed, buf, sizeof(buf)));
		return;
	}
	emit_array_begin(e, "flag_names");
	for (unsigned bit = 0; bit < 16; bit++)
		if ((flags & (1u << bit)) && names[bit] && (packed || bit <= 2))
			emit_str(e, NULL, NULL, names[bit]);
	for (unsigned bit = 0; bit < 16; bit++)
		if ((flags & (1u << bit)) && !(names[bit] && (packed || bit <= 2))) {
			snprintf(buf, sizeof(buf), "0x%x", 1u << bit);
			emit_str(e, NULL, NULL, buf);
		}
	emit_array_end(e);
}

static const char *event_mode_name(uint16_t flags)
{
	static const char *const names[] = { "enable", "disable", "desc", "reserved" };

	return names[flags & 3];
}

static void render_summary(struct emit *e, const struct vq_decode_result *r)
{
	bool packed = r->ring_type == VQ_RING_PACKED;

	emit_style(e, EMIT_STYLE_BOLD);
	opt_uint(e, "queue", "queue ", r->queue_index != VQ_QUEUE_INDEX_UNKNOWN, r->queue_index);
	emit_str(e, "ring_type", ": %s", packed ? "packed" : "split");
	emit_uint(e, "size", ", size %llu", r->size);
	if (packed) {
		emit_uint(e, "avail_idx", ", driver %llu", r->driver_next);
		emit_uint(e, "avail_wrap_counter", "/w%llu", r->driver_wrap);
		emit_uint(e, "used_idx", ", device %llu", r->device_next);
		emit_uint(e, "used_wrap_counter", "/w%llu", r->device_wrap);
	} else {
		opt_uint(e, "avail_idx", ", avail.idx ", r->has_avail_idx, r->avail_idx);
		opt_uint(e, "used_idx", ", used.idx ", r->has_used_idx, r->used_idx);
	}
	emit_uint(e, "in_flight", ", %llu in flight", r->in_flight);
	emit_uint(e, "anomaly_count", ", %llu ", r->n_anomalies_total);
	emit_text(e, "%s", r->n_anomalies_total == 1 ? "anomaly" : "anomalies");
	emit_style(e, EMIT_STYLE_NONE);
	emit_text(e, "\n");
}

static void render_event(struct emit *e, const char *key, const char *who, bool has, uint16_t off_wrap,
			 uint16_t flags)
{
	emit_text(e, "%s event: ", who);
	if (!has) {
		emit_null(e, key);
		emit_text(e, "?");
		return;
	}
	emit_object_begin(e, key);
	emit_str(e, "mode", "%s", event_mode_name(flags));
	emit_hex(e, "flags", NULL, flags);
	emit_uint(e, "off", " %llu", off_wrap & 0x7fff);
	emit_uint(e, "wrap", "/w%llu", off_wrap >> 15);
	emit_object_end(e);
}

static const char *ring_type_from_name(enum vq_ring_type_from f)
{
	switch (f) {
	case VQ_RING_FROM_OPTION: return "option";
	case VQ_RING_FROM_FEATURES: return "features";
	case VQ_RING_FROM_DEFAULT: return "default";
	case VQ_RING_FROM_VQDUMP: return "vqdump";
	case VQ_RING_FROM_SNAPSHOT: break;
	}
	return "snapshot";
}

static const char *const ring_type_from_text[] = {
	[VQ_RING_FROM_SNAPSHOT] = "",   /* its producer read it from the device: nothing to say */
	[VQ_RING_FROM_OPTION] = ", ring type from --ring-type",
	[VQ_RING_FROM_FEATURES] = ", ring type from RING_PACKED in --features",
	[VQ_RING_FROM_DEFAULT] = ", ring type not given (split assumed)",
	[VQ_RING_FROM_VQDUMP] = ", ring type from the .vqdump",
};

static void render_state(struct emit *e, const struct vq_decode_result *r)
{
	bool packed = r->ring_type == VQ_RING_PACKED;
	/* with the features unknown the event fields may exist: show what memory holds */
	bool event_idx = !r->features_known || virtio_features_test(&r->features, VIRTIO_RING_F_EVENT_IDX_BIT);

	if (r->features_known) {
		emit_hex128(e, "features", "features %s", r->features.w[0], r->features.w[1]);
	} else {
		emit_null(e, "features");
		emit_text(e, "features not given");
	}
	emit_str(e, "ring_type_from", NULL, ring_type_from_name(r->ring_type_from));
	emit_text(e, "%s", ring_type_from_text[r->ring_type_from]);
	if (packed) {
		emit_text(e, "\n");
		emit_bool(e, "driver_pos_inferred", NULL, r->driver_pos_inferred);
		emit_bool(e, "device_pos_inferred", NULL, r->device_pos_inferred);
		emit_text(e, "positions: driver %s, device %s\n",
			  r->driver_pos_inferred ? "inferred from descriptor flags" : "from snapshot",
			  r->device_pos_inferred ? "inferred from descriptor flags" : "from snapshot");
		render_event(e, "driver_event", "driver", r->has_driver_event, r->driver_event_off_wrap,
			     r->driver_event_flags);
		emit_text(e, ", ");
		render_event(e, "device_event", "device", r->has_device_event, r->device_event_off_wrap,
			     r->device_event_flags);
		emit_text(e, "\n");
	} else {
		if (r->has_avail_idx)
			emit_hex(e, "avail_flags", ", avail.flags 0x%llx", r->avail_flags);
		else
			emit_null(e, "avail_flags");
		if (r->has_used_idx)
			emit_hex(e, "used_flags", ", used.flags 0x%llx", r->used_flags);
		else
			emit_null(e, "used_flags");
		emit_text(e, "\n");
	}
	/* packed: the DESC offsets of the event structures; split: the EVENT_IDX fields */
	if (!packed && !event_idx) {
		emit_null(e, "used_event");
		emit_null(e, "avail_event");
	} else if (!packed && !r->features_known && !r->has_used_event && !r->has_avail_event) {
		emit_null(e, "used_event");
		emit_null(e, "avail_event");
	} else if (!packed) {
		opt_uint(e, "used_event", "used_event ", r->has_used_event, r->used_event);
		opt_uint(e, "avail_event", ", avail_event ", r->has_avail_event, r->avail_event);
		emit_text(e, "\n");
	} else {
		if (r->has_used_event)
			emit_uint(e, "used_event", NULL, r->used_event);
		else
			emit_null(e, "used_event");
		if (r->has_avail_event)
			emit_uint(e, "avail_event", NULL, r->avail_event);
		else
			emit_null(e, "avail_event");
	}
	if (!packed) {
		if (r->has_last_avail_idx || r->has_last_used_idx) {
			opt_number(e, "last_avail_idx", "device last_avail_idx ", r->has_last_avail_idx,
				   r->last_avail_idx, "not given");
			opt_number(e, "last_used_idx", ", driver last_used_idx ", r->has_last_used_idx,
				   r->last_used_idx, "not given");
			emit_text(e, "\n");
		} else {
			emit_null(e, "last_avail_idx");
			emit_null(e, "last_used_idx");
		}
	}
	opt_bool(e, "kick_suppressed", "next kick suppressed: ", r->has_kick_suppressed, r->kick_suppressed);
	opt_bool(e, "interrupt_suppressed", ", next interrupt suppressed: ", r->has_interrupt_suppressed,
		 r->interrupt_suppressed);
	emit_text(e, "\n");
}

static void render_elem(struct emit *e, const struct vq_chain_elem *el, bool packed)
{
	emit_object_begin(e, NULL);
	emit_text(e, el->indirect ? "      ind" : "    desc");
	emit_uint(e, "index", " %llu", el->table_index);
	emit_hex(e, "addr", " addr 0x%016llx", el->addr);
	emit_uint(e, "len", " len %llu", el->len);
	emit_text(e, " %s", (el->flags & VQ_DESC_F_INDIRECT) ? "-" : el->write ? "W" : "R");
	render_flags(e, el->flags, packed, NULL);
	emit_text(e, "\n");
	emit_bool(e, "write", NULL, el->write);
	emit_bool(e, "indirect", NULL, el->indirect);
	emit_object_end(e);
}

static void render_chain(struct emit *e, const struct vq_decode_result *r, const struct vq_chain *c)
{
	bool packed = r->ring_type == VQ_RING_PACKED;

	emit_object_begin(e, NULL);
	if (packed) {
		emit_uint(e, "head", "  desc %llu", c->head);
		emit_uint(e, "id", " id %llu", c->id);
		emit_uint(e, "ring_index", NULL, c->ring_index);
	} else {
		emit_uint(e, "ring_index", c->state == VQ_DESC_USED ? "  used[%llu]" : "  avail[%llu]", c->ring_index);
		emit_uint(e, "head", " head %llu", c->head);
		emit_uint(e, "id", NULL, c->id);
	}
	emit_str(e, "state", NULL, vq_desc_state_name(c->state));
	emit_text(e, ":");
	if (c->has_used_len)
		emit_uint(e, "used_len", " used len %llu,", c->used_len);
	else
		emit_null(e, "used_len");
	if (packed && c->state == VQ_DESC_USED) {
		/* the used descriptor replaced the buffer's first one: its elements are gone */
		emit_null(e, "readable_bytes");
		emit_null(e, "writable_bytes");
		emit_text(e, " descriptors overwritten by the device\n");
	} else {
		emit_text(e, " %zu descriptor%s", c->n_elems, c->n_elems == 1 ? "" : "s");
		emit_uint(e, "readable_bytes", ", %llu readable", c->readable_bytes);
		emit_uint(e, "writable_bytes", ", %llu writable bytes", c->writable_bytes);
		emit_text(e, "%s\n", c->truncated ? " (walk stopped early)" : "");
	}
	emit_bool(e, "truncated", NULL, c->truncated);
	emit_array_begin(e, "descriptors");
	for (size_t i = 0; i < c->n_elems; i++)
		render_elem(e, &c->elems[i], packed);
	emit_array_end(e);
	emit_object_end(e);
}

static void render_chains(struct emit *e, const struct vq_decode_result *r)
{
	enum vq_desc_state shown = VQ_DESC_FREE;

	emit_array_begin(e, "chains");
	for (size_t i = 0; i < r->n_chains; i++) {
		const struct vq_chain *c = &r->chains[i];
		if (c->state != shown) {
			emit_text(e, "%s", c->state == VQ_DESC_USED ? "used, not reclaimed by the driver:\n" : "in flight:\n");
			shown = c->state;
		}
		render_chain(e, r, c);
	}
	emit_array_end(e);
}

static void render_descriptors(struct emit *e, const struct vq_decode_result *r)
{
	bool packed = r->ring_type == VQ_RING_PACKED;

	emit_text(e, "descriptors:\n");
	emit_array_begin(e, "descriptors");
	for (uint32_t i = 0; i < r->size; i++) {
		const struct vq_desc *d = &r->descs[i];
		emit_object_begin(e, NULL);
		emit_uint(e, "index", "  %llu:", i);
		emit_bool(e, "present", NULL, d->present);
		if (!d->present) {
			emit_absent(e, "addr", "len", "flags", "flag_names", packed ? "id" : "next", "state", NULL);
			emit_text(e, " not in the snapshot\n");
			emit_object_end(e);
			continue;
		}
		emit_hex(e, "addr", " addr 0x%016llx", d->addr);
		emit_uint(e, "len", " len %llu", d->len);
		render_flags(e, d->flags, packed, " flags 0x%04llx");
		emit_uint(e, packed ? "id" : "next", packed ? " id %llu" : " next %llu", d->next);
		emit_str(e, "state", " %s\n", vq_desc_state_name(d->state));
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_assumptions(struct emit *e, const struct vq_decode_result *r)
{
	if (r->n_assumptions)
		emit_text(e, "assumptions:\n");
	emit_array_begin(e, "assumptions");
	for (size_t i = 0; i < r->n_assumptions; i++)
		emit_str(e, NULL, "  %s\n", r->assumptions[i]);
	emit_array_end(e);
}

static void render_anomalies(struct emit *e, const struct vq_decode_result *r)
{
	if (r->n_anomalies)
		emit_text(e, "anomalies:\n");
	emit_array_begin(e, "anomalies");
	for (size_t i = 0; i < r->n_anomalies; i++) {
		const struct vq_anomaly *a = &r->anomalies[i];
		emit_object_begin(e, NULL);
		emit_text(e, "  ");
		emit_style(e, EMIT_STYLE_WARN);
		emit_str(e, "code", "%s", vq_anomaly_code_name(a->code));
		emit_style(e, EMIT_STYLE_NONE);
		if (a->index != VQ_ANOMALY_NO_INDEX)
			emit_uint(e, "index", " at index %llu", a->index);
		else
			emit_null(e, "index");
		emit_str(e, "message", ": %s\n", a->message);
		emit_object_end(e);
	}
	emit_array_end(e);
}

void vq_render(struct emit *e, const struct vq_snapshot *s, const struct vq_decode_result *r, unsigned flags)
{
	(void)s;
	emit_object_begin(e, NULL);
	render_summary(e, r);
	render_state(e, r);
	render_assumptions(e, r);
	if (!(flags & VQ_RENDER_SUMMARY)) {
		render_chains(e, r);
		if (flags & VQ_RENDER_VERBOSE)
			render_descriptors(e, r);
	}
	render_anomalies(e, r);
	emit_object_end(e);
}
