/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rendering pieces `list` and `info` share: feature names, status names, interrupts. */
#include "vdev_render.h"

#include <stdio.h>
#include <string.h>

#include "virtio_spec.h"

const char *vdev_feature_name(uint32_t device_id, const struct virtio_features *set, unsigned bit, char *buf,
			      size_t len)
{
	bool modern = virtio_features_test(set, VIRTIO_F_VERSION_1_BIT);
	const struct virtio_feature_bit *f = virtio_feature_lookup_for(device_id, bit, VIRTIO_SPEC_CURRENT, modern);

	if (f && f->short_name)
		return f->short_name;
	snprintf(buf, len, "bit%u", bit);
	return buf;
}

unsigned vdev_feature_count(const struct virtio_features *f)
{
	return (unsigned)(__builtin_popcountll(f->w[0]) + __builtin_popcountll(f->w[1]));
}

void vdev_emit_feature_names(struct emit *e, const char *key, uint32_t device_id, const struct virtio_features *f,
			     const char *sep, size_t max_chars)
{
	unsigned total = vdev_feature_count(f), shown = 0;
	size_t used = 0;

	emit_array_begin(e, key);
	for (unsigned bit = 0; bit < VIRTIO_FEATURES_BITS; bit++) {
		char buf[16];
		const char *name;

		if (!virtio_features_test(f, bit))
			continue;
		name = vdev_feature_name(device_id, f, bit, buf, sizeof(buf));
		/* Text stops early; JSON always gets every name. */
		if (!emit_is_json(e) && max_chars && shown && used + strlen(sep) + strlen(name) > max_chars) {
			emit_text(e, "%s+%u", sep, total - shown);
			break;
		}
		if (shown)
			emit_text(e, "%s", sep);
		emit_str(e, NULL, "%s", name);
		used += (shown ? strlen(sep) : 0) + strlen(name);
		shown++;
	}
	emit_array_end(e);
}

const char *vdev_status_summary(uint32_t status)
{
	const char *last = NULL;

	if (!status)
		return "RESET";
	for (size_t i = 0; virtio_status_bit_at(i); i++)
		if (status & virtio_status_bit_at(i)->mask)
			last = virtio_status_bit_at(i)->name;
	return last ? last : "?";
}

void vdev_emit_status_names(struct emit *e, const char *key, uint32_t status, bool text)
{
	uint32_t named = 0;
	bool first = true;

	emit_array_begin(e, key);
	for (size_t i = 0; virtio_status_bit_at(i); i++) {
		const struct virtio_status_bit *b = virtio_status_bit_at(i);

		named |= b->mask;
		if (!(status & b->mask))
			continue;
		emit_str(e, NULL, !text ? NULL : first ? "%s" : " %s", b->name);
		first = false;
	}
	for (unsigned bit = 0; bit < 32; bit++) {
		char buf[16];

		if (!(status & ~named & (1u << bit)))
			continue;
		snprintf(buf, sizeof(buf), "0x%x", 1u << bit);
		emit_str(e, NULL, !text ? NULL : first ? "%s" : " %s", buf);
		first = false;
	}
	emit_array_end(e);
}
