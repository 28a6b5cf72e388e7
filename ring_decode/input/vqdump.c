/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The .vqdump container: a little-endian header with its own length, then (address, length, bytes) segments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vq_input.h"

/*
 * Byte layout (also in man/virtioctl-decode.8; keep both in step):
 *
 *   0  8  magic "VQDUMP\0\0"
 *   8  2  version (1; a reader refuses versions it does not know)
 *  10  2  header length: segments start here (>= 88; later minor additions
 *         grow it and older readers skip the bytes they do not know)
 *  12  1  ring type: 0 split, 1 packed
 *  13  1  reserved, 0
 *  14  2  flags (VQDUMP_F_*)
 *  16  4  queue size
 *  20  4  queue index (0xffffffff: unknown)
 *  24  4  virtio device id (0: unknown)
 *  28  4  number of segments
 *  32 16  negotiated features, bits 0..63 then 64..127
 *  48  8  descriptor area address
 *  56  8  driver area address
 *  64  8  device area address
 *  72  2  last_avail_idx     (valid with VQDUMP_F_LAST_AVAIL_IDX)
 *  74  2  last_used_idx      (valid with VQDUMP_F_LAST_USED_IDX)
 *  76  2  driver next index  (valid with VQDUMP_F_DRIVER_POS)
 *  78  2  device next index  (valid with VQDUMP_F_DEVICE_POS)
 *  80  2  driver's next used index (packed; valid with VQDUMP_F_DRIVER_USED_POS)
 *  82  6  reserved, 0
 *
 * Each segment: 8 bytes guest address, 8 bytes length, then the bytes.
 * Segments may come in any order but must not overlap, and the last one
 * ends exactly at the end of the file.
 */

/* Offsets of the header fields, named so error messages and code agree. */
enum {
	HDR_MAGIC = 0,
	HDR_VERSION = 8,
	HDR_HEADER_LEN = 10,
	HDR_RING_TYPE = 12,
	HDR_RESERVED = 13,
	HDR_FLAGS = 14,
	HDR_SIZE = 16,
	HDR_QUEUE_INDEX = 20,
	HDR_DEVICE_ID = 24,
	HDR_N_SEGMENTS = 28,
	HDR_FEATURES = 32,
	HDR_DESC_ADDR = 48,
	HDR_DRIVER_ADDR = 56,
	HDR_DEVICE_ADDR = 64,
	HDR_LAST_AVAIL_IDX = 72,
	HDR_LAST_USED_IDX = 74,
	HDR_DRIVER_NEXT = 76,
	HDR_DEVICE_NEXT = 78,
	HDR_DRIVER_USED_NEXT = 80,
};

static int check_size(const char *name, uint32_t ring_type, uint32_t size, struct rd_error *err)
{
	if (size == 0 || size > VQ_MAX_SIZE)
		return rd_fail(err, -EINVAL, name, true, HDR_SIZE,
			       "queue size %u is out of range (1 to %u)", size, VQ_MAX_SIZE);
	if (ring_type == VQ_RING_SPLIT && (size & (size - 1)))
		return rd_fail(err, -EINVAL, name, true, HDR_SIZE,
			       "queue size %u is not a power of two, which a split ring requires", size);
	return 0;
}

static int parse_header(const uint8_t *buf, size_t len, const char *name, struct vq_snapshot *s,
			size_t *header_len, uint32_t *n_segments, struct rd_error *err)
{
	if (len < 8 || memcmp(buf, VQDUMP_MAGIC, 8))
		return rd_fail(err, -EINVAL, name, true, HDR_MAGIC,
			       "not a .vqdump file (the magic \"VQDUMP\" is missing)");
	if (len < HDR_HEADER_LEN + 2)
		return rd_fail(err, -EINVAL, name, true, len,
			       "file ends inside the header (a version %u header is %u bytes)",
			       VQDUMP_VERSION, VQDUMP_HEADER_LEN);
	uint16_t version = vq_le16(buf + HDR_VERSION);
	if (version != VQDUMP_VERSION)
		return rd_fail(err, -EINVAL, name, true, HDR_VERSION,
			       "unsupported .vqdump version %u (this virtioctl reads version %u)", version,
			       VQDUMP_VERSION);
	uint16_t hlen = vq_le16(buf + HDR_HEADER_LEN);
	if (hlen < VQDUMP_HEADER_LEN)
		return rd_fail(err, -EINVAL, name, true, HDR_HEADER_LEN,
			       "header length %u is shorter than the %u bytes of version %u", hlen,
			       VQDUMP_HEADER_LEN, VQDUMP_VERSION);
	if (len < hlen)
		return rd_fail(err, -EINVAL, name, true, len,
			       "file ends inside the header (its header length is %u bytes)", hlen);

	uint8_t ring_type = buf[HDR_RING_TYPE];
	if (ring_type > VQ_RING_PACKED)
		return rd_fail(err, -EINVAL, name, true, HDR_RING_TYPE,
			       "unknown ring type %u (expected 0 split or 1 packed)", ring_type);
	s->ring_type = ring_type;
	s->size = vq_le32(buf + HDR_SIZE);
	int r = check_size(name, ring_type, s->size, err);
	if (r < 0)
		return r;
	s->queue_index = vq_le32(buf + HDR_QUEUE_INDEX);
	s->device_id = vq_le32(buf + HDR_DEVICE_ID);
	s->features.w[0] = vq_le64(buf + HDR_FEATURES);
	s->features.w[1] = vq_le64(buf + HDR_FEATURES + 8);
	s->desc_addr = vq_le64(buf + HDR_DESC_ADDR);
	s->driver_addr = vq_le64(buf + HDR_DRIVER_ADDR);
	s->device_addr = vq_le64(buf + HDR_DEVICE_ADDR);

	/* Unknown flag bits are reserved for header fields a later writer adds: ignore them. */
	uint16_t flags = vq_le16(buf + HDR_FLAGS);
	s->legacy_endian_big = flags & VQDUMP_F_LEGACY_BIG_ENDIAN;
	s->features_unknown = flags & VQDUMP_F_FEATURES_UNKNOWN;
	s->ring_type_from = VQ_RING_FROM_VQDUMP;
	s->has_last_avail_idx = flags & VQDUMP_F_LAST_AVAIL_IDX;
	s->last_avail_idx = s->has_last_avail_idx ? vq_le16(buf + HDR_LAST_AVAIL_IDX) : 0;
	s->has_last_used_idx = flags & VQDUMP_F_LAST_USED_IDX;
	s->last_used_idx = s->has_last_used_idx ? vq_le16(buf + HDR_LAST_USED_IDX) : 0;
	s->has_driver_pos = flags & VQDUMP_F_DRIVER_POS;
	s->driver_next = s->has_driver_pos ? vq_le16(buf + HDR_DRIVER_NEXT) : 0;
	s->driver_wrap = s->has_driver_pos && (flags & VQDUMP_F_DRIVER_WRAP);
	s->has_device_pos = flags & VQDUMP_F_DEVICE_POS;
	s->device_next = s->has_device_pos ? vq_le16(buf + HDR_DEVICE_NEXT) : 0;
	s->device_wrap = s->has_device_pos && (flags & VQDUMP_F_DEVICE_WRAP);
	s->has_driver_used_pos = flags & VQDUMP_F_DRIVER_USED_POS;
	s->driver_used_next = s->has_driver_used_pos ? vq_le16(buf + HDR_DRIVER_USED_NEXT) : 0;
	s->driver_used_wrap = s->has_driver_used_pos && (flags & VQDUMP_F_DRIVER_USED_WRAP);
	if (s->has_driver_pos && s->driver_next >= s->size)
		return rd_fail(err, -EINVAL, name, true, HDR_DRIVER_NEXT,
			       "driver next index %u is outside the queue (size %u)", s->driver_next, s->size);
	if (s->has_device_pos && s->device_next >= s->size)
		return rd_fail(err, -EINVAL, name, true, HDR_DEVICE_NEXT,
			       "device next index %u is outside the queue (size %u)", s->device_next, s->size);
	if (s->has_driver_used_pos && s->driver_used_next >= s->size)
		return rd_fail(err, -EINVAL, name, true, HDR_DRIVER_USED_NEXT,
			       "driver's next used index %u is outside the queue (size %u)", s->driver_used_next,
			       s->size);

	const struct {
		const char *name;
		uint64_t addr, size;
		unsigned at;
	} areas[] = {
		{ "descriptor", s->desc_addr, vq_desc_area_size(s), HDR_DESC_ADDR },
		{ "driver", s->driver_addr, vq_driver_area_size(s), HDR_DRIVER_ADDR },
		{ "device", s->device_addr, vq_device_area_size(s), HDR_DEVICE_ADDR },
	};
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		if (areas[i].addr + (areas[i].size - 1) < areas[i].addr)
			return rd_fail(err, -EINVAL, name, true, areas[i].at,
				       "the %s area at 0x%llx (%llu bytes) runs past the end of the 64-bit address space",
				       areas[i].name, (unsigned long long)areas[i].addr,
				       (unsigned long long)areas[i].size);

	*n_segments = vq_le32(buf + HDR_N_SEGMENTS);
	/* Every segment needs at least its 16-byte header: a larger count cannot be real. */
	if (*n_segments > (len - hlen) / VQDUMP_SEGMENT_HEADER_LEN)
		return rd_fail(err, -EINVAL, name, true, HDR_N_SEGMENTS,
			       "segment count %u does not fit in the %zu bytes after the header",
			       *n_segments, len - hlen);
	*header_len = hlen;
	return 0;
}

/* The number of the segment whose header starts at byte seg_off, for messages (walks the headers again). */
static uint32_t segment_number(const uint8_t *buf, size_t off, size_t seg_off)
{
	uint32_t i = 0;

	while (off < seg_off) {
		off += VQDUMP_SEGMENT_HEADER_LEN + (size_t)vq_le64(buf + off + 8);
		i++;
	}
	return i;
}

/* Segment data is copied once, as one block: memory stays proportional to the file. */
static int parse_segments(const uint8_t *buf, size_t len, const char *name, struct vq_snapshot *s,
			  size_t off, uint32_t n_segments, struct rd_error *err)
{
	size_t first = off;
	uint8_t *block = malloc(len - off ? len - off : 1);

	if (!block || vq_mem_adopt(&s->mem, block) < 0)
		return rd_fail(err, -ENOMEM, name, false, 0, "out of memory");
	memcpy(block, buf + off, len - off);
	for (uint32_t i = 0; i < n_segments; i++) {
		size_t seg = off;

		if (len - off < VQDUMP_SEGMENT_HEADER_LEN)
			return rd_fail(err, -EINVAL, name, true, len,
				       "file ends inside the header of segment %u", i);
		uint64_t addr = vq_le64(buf + off);
		uint64_t seg_len = vq_le64(buf + off + 8);
		off += VQDUMP_SEGMENT_HEADER_LEN;
		if (seg_len > len - off)
			return rd_fail(err, -EINVAL, name, true, seg + 8,
				       "segment %u is %llu bytes long but only %zu bytes are left in the file",
				       i, (unsigned long long)seg_len, len - off);
		if (seg_len && addr + seg_len - 1 < addr)
			return rd_fail(err, -EINVAL, name, true, seg,
				       "segment %u at 0x%llx with %llu bytes runs past the end of the address space",
				       i, (unsigned long long)addr, (unsigned long long)seg_len);
		int r = vq_mem_append(&s->mem, addr, block + (off - first), seg_len, name, off);
		if (r < 0)
			return rd_fail(err, r, name, true, seg, "cannot store segment %u: out of memory", i);
		off += (size_t)seg_len;
	}
	if (off != len)
		return rd_fail(err, -EINVAL, name, true, off,
			       "%zu byte%s after the last of the %u segments (corrupt segment count?)",
			       len - off, len - off == 1 ? "" : "s", n_segments);
	const struct vq_mem_seg *a, *b;
	if (vq_mem_sort(&s->mem, &a, &b) == -EEXIST) {
		/* name the later of the two in the file, as a reader scanning it would meet them */
		const struct vq_mem_seg *later = a->origin_offset > b->origin_offset ? a : b;
		size_t seg = (size_t)later->origin_offset - VQDUMP_SEGMENT_HEADER_LEN;
		return rd_fail(err, -EINVAL, name, true, seg, "segment %u [0x%llx, 0x%llx) overlaps an earlier segment",
			       segment_number(buf, first, seg), (unsigned long long)later->addr,
			       (unsigned long long)(later->addr + later->len));
	}
	return 0;
}

int vqdump_parse(const uint8_t *buf, size_t len, const char *name, struct vq_snapshot *s,
		 struct rd_error *err)
{
	size_t header_len = 0;
	uint32_t n_segments = 0;

	*s = (struct vq_snapshot){ .queue_index = VQ_QUEUE_INDEX_UNKNOWN };
	int r = parse_header(buf, len, name, s, &header_len, &n_segments, err);
	if (r == 0)
		r = parse_segments(buf, len, name, s, header_len, n_segments, err);
	if (r < 0)
		vq_snapshot_free(s);
	return r;
}

int vqdump_write(const struct vq_snapshot *s, struct emit_buf *out, struct rd_error *err)
{
	uint8_t h[VQDUMP_HEADER_LEN] = { 0 };
	uint16_t flags = 0;

	if (s->mem.n > UINT32_MAX)
		return rd_fail(err, -E2BIG, "vqdump", false, 0, "too many memory segments (%zu)", s->mem.n);
	memcpy(h + HDR_MAGIC, VQDUMP_MAGIC, 8);
	vq_put_le16(h + HDR_VERSION, VQDUMP_VERSION);
	vq_put_le16(h + HDR_HEADER_LEN, VQDUMP_HEADER_LEN);
	h[HDR_RING_TYPE] = (uint8_t)s->ring_type;
	if (s->legacy_endian_big)
		flags |= VQDUMP_F_LEGACY_BIG_ENDIAN;
	if (s->features_unknown)
		flags |= VQDUMP_F_FEATURES_UNKNOWN;
	if (s->has_last_avail_idx) {
		flags |= VQDUMP_F_LAST_AVAIL_IDX;
		vq_put_le16(h + HDR_LAST_AVAIL_IDX, s->last_avail_idx);
	}
	if (s->has_last_used_idx) {
		flags |= VQDUMP_F_LAST_USED_IDX;
		vq_put_le16(h + HDR_LAST_USED_IDX, s->last_used_idx);
	}
	if (s->has_driver_pos) {
		flags |= VQDUMP_F_DRIVER_POS | (s->driver_wrap ? VQDUMP_F_DRIVER_WRAP : 0);
		vq_put_le16(h + HDR_DRIVER_NEXT, s->driver_next);
	}
	if (s->has_device_pos) {
		flags |= VQDUMP_F_DEVICE_POS | (s->device_wrap ? VQDUMP_F_DEVICE_WRAP : 0);
		vq_put_le16(h + HDR_DEVICE_NEXT, s->device_next);
	}
	if (s->has_driver_used_pos) {
		flags |= VQDUMP_F_DRIVER_USED_POS | (s->driver_used_wrap ? VQDUMP_F_DRIVER_USED_WRAP : 0);
		vq_put_le16(h + HDR_DRIVER_USED_NEXT, s->driver_used_next);
	}
	vq_put_le16(h + HDR_FLAGS, flags);
	vq_put_le32(h + HDR_SIZE, s->size);
	vq_put_le32(h + HDR_QUEUE_INDEX, s->queue_index);
	vq_put_le32(h + HDR_DEVICE_ID, s->device_id);
	vq_put_le32(h + HDR_N_SEGMENTS, (uint32_t)s->mem.n);
	vq_put_le64(h + HDR_FEATURES, s->features.w[0]);
	vq_put_le64(h + HDR_FEATURES + 8, s->features.w[1]);
	vq_put_le64(h + HDR_DESC_ADDR, s->desc_addr);
	vq_put_le64(h + HDR_DRIVER_ADDR, s->driver_addr);
	vq_put_le64(h + HDR_DEVICE_ADDR, s->device_addr);
	emit_buf_append(out, (const char *)h, sizeof(h));

	for (size_t i = 0; i < s->mem.n; i++) {
		const struct vq_mem_seg *seg = &s->mem.segs[i];
		uint8_t sh[VQDUMP_SEGMENT_HEADER_LEN];

		if (seg->len > SIZE_MAX)
			return rd_fail(err, -E2BIG, "vqdump", false, 0, "segment %zu is too large", i);
		vq_put_le64(sh, seg->addr);
		vq_put_le64(sh + 8, seg->len);
		emit_buf_append(out, (const char *)sh, sizeof(sh));
		emit_buf_append(out, (const char *)seg->data, (size_t)seg->len);
	}
	if (out->oom)
		return rd_fail(err, -ENOMEM, "vqdump", false, 0, "out of memory while writing the .vqdump");
	return 0;
}
