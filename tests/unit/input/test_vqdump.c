/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vqdump_parse/vqdump_write against a .vqdump written out byte by byte here, and every corruption's byte offset. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vq_input.h"

/*
 * A split queue of size 4, queue 1 of a block device (id 2), features
 * VERSION_1 | EVENT_IDX | INDIRECT_DESC (0x1_3000_0000), last_avail_idx 3,
 * areas at 0x1000/0x1040/0x1080, two segments: 4 bytes at 0x1000, 2 bytes
 * at 0x2000.  Layout from man/virtioctl-decode.8, typed by hand.
 */
static const uint8_t golden[] = {
	/* 0 magic */ 'V', 'Q', 'D', 'U', 'M', 'P', 0, 0,
	/* 8 version */ 0x01, 0x00,
	/* 10 header length 88 */ 0x58, 0x00,
	/* 12 ring type split */ 0x00,
	/* 13 reserved */ 0x00,
	/* 14 flags: LAST_AVAIL_IDX */ 0x02, 0x00,
	/* 16 size 4 */ 0x04, 0x00, 0x00, 0x00,
	/* 20 queue 1 */ 0x01, 0x00, 0x00, 0x00,
	/* 24 device id 2 */ 0x02, 0x00, 0x00, 0x00,
	/* 28 two segments */ 0x02, 0x00, 0x00, 0x00,
	/* 32 features bits 0..63 */ 0x00, 0x00, 0x00, 0x30, 0x01, 0x00, 0x00, 0x00,
	/* 40 features bits 64..127 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* 48 desc 0x1000 */ 0x00, 0x10, 0, 0, 0, 0, 0, 0,
	/* 56 driver 0x1040 */ 0x40, 0x10, 0, 0, 0, 0, 0, 0,
	/* 64 device 0x1080 */ 0x80, 0x10, 0, 0, 0, 0, 0, 0,
	/* 72 last_avail_idx 3 */ 0x03, 0x00,
	/* 74 last_used_idx */ 0x00, 0x00,
	/* 76 driver next */ 0x00, 0x00,
	/* 78 device next */ 0x00, 0x00,
	/* 80 driver used next */ 0x00, 0x00,
	/* 82 reserved */ 0, 0, 0, 0, 0, 0,
	/* 88 segment 0: 0x1000, 4 bytes */ 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0, 0, 0,
	/* 104 */ 0x01, 0x02, 0x03, 0x04,
	/* 108 segment 1: 0x2000, 2 bytes */ 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
	/* 124 */ 0xaa, 0xbb,
	/* 126: end */
};

static uint8_t *copy_golden(size_t extra)
{
	uint8_t *b = malloc(sizeof(golden) + extra);

	assert_non_null(b);
	memcpy(b, golden, sizeof(golden));
	memset(b + sizeof(golden), 0, extra);
	return b;
}

static void test_parse_golden(void **state)
{
	struct vq_snapshot s;
	struct rd_error err = { 0 };
	uint8_t got[4];

	(void)state;
	assert_int_equal(vqdump_parse(golden, sizeof(golden), "g.vqdump", &s, &err), 0);
	assert_int_equal(s.ring_type, VQ_RING_SPLIT);
	assert_int_equal(s.size, 4);
	assert_int_equal(s.queue_index, 1);
	assert_int_equal(s.device_id, 2);
	assert_int_equal(s.features.w[0], 0x130000000ull);
	assert_int_equal(s.features.w[1], 0);
	assert_int_equal(s.desc_addr, 0x1000);
	assert_int_equal(s.driver_addr, 0x1040);
	assert_int_equal(s.device_addr, 0x1080);
	assert_true(s.has_last_avail_idx);
	assert_int_equal(s.last_avail_idx, 3);
	assert_false(s.has_last_used_idx);
	assert_false(s.has_driver_pos);
	assert_false(s.has_device_pos);
	assert_false(s.legacy_endian_big);
	assert_int_equal(s.mem.n, 2);
	assert_int_equal(vq_mem_read(&s.mem, 0x1000, got, 4, NULL), 0);
	assert_memory_equal(got, "\x01\x02\x03\x04", 4);
	assert_int_equal(vq_mem_read(&s.mem, 0x2000, got, 2, NULL), 0);
	assert_memory_equal(got, "\xaa\xbb", 2);
	assert_false(vq_mem_present(&s.mem, 0x1004, 1));
	/* The data is copied: the file buffer may go away. */
	assert_true(s.mem.segs[0].data < golden || s.mem.segs[0].data >= golden + sizeof(golden));
	vq_snapshot_free(&s);
}

static void test_write_matches_golden(void **state)
{
	struct vq_snapshot s;
	struct rd_error err = { 0 };
	struct emit_buf out = { 0 };

	(void)state;
	assert_int_equal(vqdump_parse(golden, sizeof(golden), "g.vqdump", &s, &err), 0);
	assert_int_equal(vqdump_write(&s, &out, &err), 0);
	assert_int_equal(out.len, sizeof(golden));
	assert_memory_equal(out.data, golden, sizeof(golden));
	emit_buf_free(&out);
	vq_snapshot_free(&s);
}

/* Every optional field set, packed, 128-bit features: write then parse gives the same snapshot back. */
static void test_round_trip_packed(void **state)
{
	struct vq_snapshot s = {
		.ring_type = VQ_RING_PACKED,
		.size = 10,
		.queue_index = VQ_QUEUE_INDEX_UNKNOWN,
		.device_id = 1,
		.features = { { 0x0000000700000001ull, 0x8000000000000040ull } },
		.legacy_endian_big = true,
		.desc_addr = 0xfedcba9876543210ull,
		.driver_addr = 0x10,
		.device_addr = 0x20,
		.has_driver_pos = true,
		.driver_next = 9,
		.driver_wrap = true,
		.has_device_pos = true,
		.device_next = 2,
		.device_wrap = false,
		.has_driver_used_pos = true,
		.driver_used_next = 7,
		.driver_used_wrap = true,
	};
	struct vq_snapshot back;
	struct rd_error err = { 0 };
	struct emit_buf out = { 0 };
	static const uint8_t a[] = { 1, 2, 3 }, b[] = { 4 };

	(void)state;
	assert_int_equal(vq_mem_add(&s.mem, 0x9000, a, sizeof(a), false, "a", 0), 0);
	assert_int_equal(vq_mem_add(&s.mem, 0x100, b, sizeof(b), false, "b", 0), 0);
	assert_int_equal(vqdump_write(&s, &out, &err), 0);
	assert_int_equal(out.len, 88 + 16 + 1 + 16 + 3);
	/* Flags at byte 14: big endian 0x01, driver pos 0x08 + wrap 0x10, device pos 0x20, driver used pos 0x80 + wrap 0x100. */
	assert_int_equal(((uint8_t *)out.data)[14], 0xb9);
	assert_int_equal(((uint8_t *)out.data)[15], 0x01);
	assert_int_equal(((uint8_t *)out.data)[80], 7);
	assert_int_equal(vqdump_parse((uint8_t *)out.data, out.len, "rt", &back, &err), 0);
	assert_int_equal(back.ring_type, VQ_RING_PACKED);
	assert_int_equal(back.size, 10);
	assert_int_equal(back.queue_index, VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(back.device_id, 1);
	assert_int_equal(back.features.w[0], s.features.w[0]);
	assert_int_equal(back.features.w[1], s.features.w[1]);
	assert_true(back.legacy_endian_big);
	assert_int_equal(back.desc_addr, s.desc_addr);
	assert_int_equal(back.driver_addr, 0x10);
	assert_int_equal(back.device_addr, 0x20);
	assert_false(back.has_last_avail_idx);
	assert_true(back.has_driver_pos);
	assert_int_equal(back.driver_next, 9);
	assert_true(back.driver_wrap);
	assert_true(back.has_device_pos);
	assert_int_equal(back.device_next, 2);
	assert_false(back.device_wrap);
	assert_true(back.has_driver_used_pos);
	assert_int_equal(back.driver_used_next, 7);
	assert_true(back.driver_used_wrap);
	assert_int_equal(back.mem.n, 2);
	assert_int_equal(back.mem.segs[0].addr, 0x100);
	assert_int_equal(back.mem.segs[1].addr, 0x9000);
	assert_memory_equal(back.mem.segs[1].data, a, 3);
	emit_buf_free(&out);
	vq_snapshot_free(&back);
	vq_mem_free(&s.mem);
}

/* A later minor version may grow the header: bytes past what version 1 knows are skipped. */
static void test_longer_header_is_skipped(void **state)
{
	uint8_t *b = malloc(sizeof(golden) + 8);
	struct vq_snapshot s;
	struct rd_error err = { 0 };

	(void)state;
	memcpy(b, golden, 88);
	memset(b + 88, 0xee, 8);
	memcpy(b + 96, golden + 88, sizeof(golden) - 88);
	b[10] = 96;
	assert_int_equal(vqdump_parse(b, sizeof(golden) + 8, "x", &s, &err), 0);
	assert_int_equal(s.mem.n, 2);
	assert_int_equal(s.mem.segs[1].data[0], 0xaa);
	vq_snapshot_free(&s);
	free(b);
}

static void expect_error(const uint8_t *b, size_t len, uint64_t offset, const char *msg_part)
{
	struct vq_snapshot s;
	struct rd_error err = { 0 };

	assert_int_equal(vqdump_parse(b, len, "bad.vqdump", &s, &err), -EINVAL);
	assert_true(err.has_offset);
	if (err.offset != offset)
		fail_msg("offset %llu, expected %llu (%s)", (unsigned long long)err.offset,
			 (unsigned long long)offset, err.msg);
	assert_string_equal(err.input, "bad.vqdump");
	if (!strstr(err.msg, msg_part))
		fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
	/* A failed parse leaves nothing to free behind. */
	assert_int_equal(s.mem.n, 0);
	assert_null(s.mem.segs);
}

static void test_errors(void **state)
{
	uint8_t *b = copy_golden(1);

	(void)state;
	b[1] = 'x';
	expect_error(b, sizeof(golden), 0, "not a .vqdump");
	b[1] = 'Q';
	expect_error(b, 40, 40, "ends inside the header");
	expect_error(b, 11, 11, "ends inside the header");
	b[8] = 2;
	expect_error(b, sizeof(golden), 8, "unsupported .vqdump version 2");
	b[8] = 1;
	b[10] = 87;
	expect_error(b, sizeof(golden), 10, "header length 87");
	b[10] = 200;
	expect_error(b, sizeof(golden), sizeof(golden), "ends inside the header");
	b[10] = 88;
	b[12] = 7;
	expect_error(b, sizeof(golden), 12, "unknown ring type 7 (expected 0 split or 1 packed)");
	b[12] = 0;
	b[16] = 3;
	expect_error(b, sizeof(golden), 16, "not a power of two");
	b[16] = 0;
	expect_error(b, sizeof(golden), 16, "out of range");
	b[16] = 0x01, b[18] = 0x01; /* 65537 */
	expect_error(b, sizeof(golden), 16, "out of range");
	b[16] = 4, b[18] = 0;
	b[28] = 3; /* the 38 bytes after the header cannot hold three 16-byte segment headers */
	expect_error(b, sizeof(golden), 28, "segment count 3");
	b[28] = 0xff, b[31] = 0xff;
	expect_error(b, sizeof(golden), 28, "segment count");
	b[28] = 2, b[31] = 0;
	b[96] = 5; /* segment 0 claims 5 bytes: segment 1's header shifts, and its length runs past the file */
	expect_error(b, sizeof(golden), 108 + 1 + 8, "only");
	b[96] = 0xff, b[103] = 0x7f;
	expect_error(b, sizeof(golden), 96, "segment 0 is");
	b[96] = 4, b[103] = 0;
	b[109] = 0x10, b[108] = 0x02; /* segment 1 at 0x1002 overlaps [0x1000, 0x1004) */
	expect_error(b, sizeof(golden), 108, "overlaps");
	memset(b + 108, 0xff, 8); /* 0xffff...ffff + 2 bytes wraps */
	expect_error(b, sizeof(golden), 108, "end of the address space");
	memcpy(b + 108, golden + 108, 8);
	expect_error(b, sizeof(golden) + 1, sizeof(golden), "1 byte after the last of the 2 segments");
	expect_error(b, 120, 120, "header of segment 1");
	b[14] = 0x08; /* driver position valid, next index 9 >= size 4 */
	b[76] = 9;
	expect_error(b, sizeof(golden), 76, "outside the queue");
	free(b);
}

/* Every prefix of a valid file fails cleanly (ASan catches any read past the prefix). */
static void test_every_truncation(void **state)
{
	(void)state;
	for (size_t n = 0; n < sizeof(golden); n++) {
		uint8_t *b = malloc(n ? n : 1);
		struct vq_snapshot s;
		struct rd_error err = { 0 };

		memcpy(b, golden, n);
		assert_int_equal(vqdump_parse(b, n, "t", &s, &err), -EINVAL);
		assert_true(err.has_offset);
		assert_true(err.offset <= n);
		free(b);
	}
}

/*
 * 300000 one-byte segments at descending addresses: the order that made
 * loading quadratic (minutes).  Loading must stay O(n log n) (the test's
 * timeout is the bound) and keep a fixed cost per segment: the data in one
 * block, one segment record each.  The last one ends exactly at 2^64.
 */
static void test_many_segments_descending(void **state)
{
	const uint32_t n = 300000;
	size_t len = sizeof(golden) - 38 + (size_t)n * 17;
	uint8_t *b = malloc(len);
	struct vq_snapshot s;
	struct rd_error err = { 0 };
	uint8_t got;

	(void)state;
	assert_non_null(b);
	memcpy(b, golden, 88);
	b[28] = (uint8_t)n, b[29] = (uint8_t)(n >> 8), b[30] = (uint8_t)(n >> 16), b[31] = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = b + 88 + (size_t)i * 17;
		uint64_t addr = 0xffffffffffffffffull - 2ull * i;
		for (int k = 0; k < 8; k++)
			p[k] = (uint8_t)(addr >> (8 * k));
		memset(p + 8, 0, 8);
		p[8] = 1;
		p[16] = (uint8_t)i;
	}
	assert_int_equal(vqdump_parse(b, len, "many.vqdump", &s, &err), 0);
	assert_int_equal(s.mem.n, n);
	assert_true(s.mem.cap <= 2 * (size_t)n);
	assert_true(s.mem.n_blocks == 1 && s.mem.n_names == 1);
	assert_true(sizeof(struct vq_mem_seg) <= 40);
	assert_int_equal(vq_mem_read(&s.mem, 0xffffffffffffffffull, &got, 1, NULL), 0);
	assert_int_equal(got, 0);
	assert_int_equal(vq_mem_read(&s.mem, 0xffffffffffffffffull - 2ull * 1000, &got, 1, NULL), 0);
	assert_int_equal(got, (uint8_t)1000);
	assert_false(vq_mem_present(&s.mem, 0xfffffffffffffffeull, 1));
	vq_snapshot_free(&s);

	/* the same segments with one byte overlapping an earlier one: named by its header's byte offset */
	b[88 + 17 * 5] = 0xfd;   /* segment 5 now at ...fffd, which segment 1 holds */
	for (int k = 1; k < 8; k++)
		b[88 + 17 * 5 + k] = 0xff;
	assert_int_equal(vqdump_parse(b, len, "many.vqdump", &s, &err), -EINVAL);
	assert_int_equal(err.offset, 88 + 17 * 5);
	assert_non_null(strstr(err.msg, "segment 5 [0xfffffffffffffffd"));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_golden),
		cmocka_unit_test(test_write_matches_golden),
		cmocka_unit_test(test_round_trip_packed),
		cmocka_unit_test(test_longer_header_is_skipped),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_many_segments_descending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
