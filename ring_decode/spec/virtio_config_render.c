/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Rendering a device configuration space through its layout table: named fields, then uncovered bytes as hex. */
#include <stdio.h>
#include <string.h>

#include "virtio_spec.h"

#define RAW_CHUNK 16            /* bytes per "raw" entry, one text line each */
#define VALUE_MAX 256           /* longest STRING/BYTES field rendered (input's u is 128) */

static uint64_t read_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Text format for a field: indent, name, the value's conversion, unit.  Names and units are ours, never '%'. */
static const char *field_fmt(char *buf, size_t len, const struct virtio_cfg_field *f, const char *conv, bool nl)
{
	snprintf(buf, len, "  %s: %s%s%s%s", f->name, conv, f->unit ? " " : "", f->unit ? f->unit : "",
		 nl ? "\n" : "");
	return buf;
}

/* Device strings may hold anything: keep printable ASCII, escape the rest, so terminals and JSON stay sane. */
static void sanitize(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && p[i]; i++) {
		char tmp[5];
		bool plain = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\';
		int w = plain ? snprintf(tmp, sizeof(tmp), "%c", p[i]) : snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);

		if (o + (size_t)w >= outlen)
			break;
		memcpy(out + o, tmp, (size_t)w);
		o += (size_t)w;
	}
	out[o] = '\0';
}

static void hex_string(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 <= outlen; i++, o += 2)
		snprintf(out + o, 3, "%02x", p[i]);
	out[o < outlen ? o : 0] = '\0';
}

static void render_flags(struct emit *e, const struct virtio_cfg_field *f, uint64_t v)
{
	char fmt[96], key[96], unnamed[16];

	emit_uint(e, f->name, field_fmt(fmt, sizeof(fmt), f, "0x%llx", false), v);
	snprintf(key, sizeof(key), "%s_bits", f->name);
	emit_array_begin(e, key);
	for (unsigned b = 0; b < f->size * 8u; b++) {
		if (!(v >> b & 1))
			continue;
		if (b < f->n_names && f->names[b]) {
			emit_str(e, NULL, " %s", f->names[b]);
		} else {
			snprintf(unnamed, sizeof(unnamed), "bit%u", b);
			emit_str(e, NULL, " %s", unnamed);
		}
	}
	emit_array_end(e);
	emit_text(e, "\n");
}

static void render_field(struct emit *e, const struct virtio_cfg_field *f, const uint8_t *p)
{
	char fmt[96], val[4 * VALUE_MAX + 1];
	size_t n = f->size < VALUE_MAX ? f->size : VALUE_MAX;
	uint64_t v = f->size <= 8 ? read_le(p, f->size) : 0;

	switch (f->kind) {
	case VIRTIO_CFG_U8:
	case VIRTIO_CFG_LE16:
	case VIRTIO_CFG_LE32:
	case VIRTIO_CFG_LE64:
		emit_uint(e, f->name, field_fmt(fmt, sizeof(fmt), f, "%llu", true), v);
		break;
	case VIRTIO_CFG_MAC:
		snprintf(val, sizeof(val), "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5]);
		emit_str(e, f->name, field_fmt(fmt, sizeof(fmt), f, "%s", true), val);
		break;
	case VIRTIO_CFG_STRING:
		sanitize(val, sizeof(val), p, n);
		emit_str(e, f->name, field_fmt(fmt, sizeof(fmt), f, "%s", true), val);
		break;
	case VIRTIO_CFG_BYTES:
		hex_string(val, sizeof(val), p, n);
		emit_str(e, f->name, field_fmt(fmt, sizeof(fmt), f, "%s", true), val);
		break;
	case VIRTIO_CFG_FLAGS:
		render_flags(e, f, v);
		break;
	case VIRTIO_CFG_ENUM:
		if (v < f->n_names && f->names[v])
			snprintf(val, sizeof(val), "%s", f->names[v]);
		else
			snprintf(val, sizeof(val), "unknown (0x%llx)", (unsigned long long)v);
		emit_str(e, f->name, field_fmt(fmt, sizeof(fmt), f, "%s", true), val);
		break;
	case VIRTIO_CFG_SPEED:
		/* Above 0x7fffffff (0xffffffff in practice) the device does not know its speed. */
		if (v <= 0x7fffffff) {
			emit_uint(e, f->name, field_fmt(fmt, sizeof(fmt), f, "%llu", true), v);
		} else {
			emit_null(e, f->name);
			emit_text(e, "  %s: unknown (0x%llx)\n", f->name, (unsigned long long)v);
		}
		break;
	case VIRTIO_CFG_PAD:
		break;
	}
}

/*
 * Whether a field that fits in len covers pos; if so *next is its end, if
 * not *next is where the next such field starts (or len).
 */
static bool covered(const struct virtio_cfg_field *lay, size_t n, size_t len, size_t pos, size_t *next)
{
	size_t start = len;

	for (size_t i = 0; i < n; i++) {
		size_t off = lay[i].offset, end = off + lay[i].size;

		if (end > len)
			continue;
		if (pos >= off && pos < end) {
			*next = end;
			return true;
		}
		if (off > pos && off < start)
			start = off;
	}
	*next = start;
	return false;
}

static void render_raw(struct emit *e, const struct virtio_cfg_field *lay, size_t n, const uint8_t *cfg,
		       size_t len)
{
	char hex[2 * RAW_CHUNK + 1];
	size_t pos = 0, next;

	emit_array_begin(e, "raw");
	while (pos < len) {
		if (covered(lay, n, len, pos, &next)) {
			pos = next;
			continue;
		}
		for (; pos < next; pos += RAW_CHUNK) {
			size_t chunk = next - pos < RAW_CHUNK ? next - pos : RAW_CHUNK;

			hex_string(hex, sizeof(hex), cfg + pos, chunk);
			emit_object_begin(e, NULL);
			emit_uint(e, "offset", "  raw +0x%02llx:", pos);
			emit_str(e, "hex", " %s\n", hex);
			emit_object_end(e);
		}
		pos = next;
	}
	emit_array_end(e);
}

void virtio_config_render(struct emit *e, const char *key, uint32_t device_id, const uint8_t *cfg,
			  size_t len, const struct virtio_features *features)
{
	struct virtio_features all = virtio_features_all();
	size_t n;
	const struct virtio_cfg_field *lay = virtio_config_layout(device_id, &n);

	if (!features)
		features = &all;
	if (!cfg)
		len = 0;
	emit_object_begin(e, key);
	emit_uint(e, "length", NULL, len);
	if (key)
		emit_text(e, "%s (%zu bytes):\n", key, len);
	for (size_t i = 0; i < n; i++) {
		const struct virtio_cfg_field *f = &lay[i];

		if ((size_t)f->offset + f->size <= len && virtio_config_field_present(f, features))
			render_field(e, f, cfg + f->offset);
	}
	render_raw(e, lay, n, cfg, len);
	emit_object_end(e);
}
