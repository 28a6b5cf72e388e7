/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split ring anomalies: one hand-built ring per anomaly code, each failing if the code were not reported. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ring_builder.h"

#define BUF(i) (0x200000ull + 0x1000ull * (i))

/* ---------- one test per anomaly code ---------- */

static void test_chain_loop(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 8, D_NEXT, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "chain_loop");
	assert_int_equal(code_index(t.r, "chain_loop"), 0);
	assert_true(t.r->chains[0].truncated);
	assert_int_equal(t.r->chains[0].n_elems, 2);
	tring_free(&t);
}

static void test_chain_loop_indirect(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 5, ind_addr(&t, 0), 32, D_INDIRECT, 0);
	ind_sdesc(&t, 0, 0, BUF(0), 8, D_NEXT, 1);
	ind_sdesc(&t, 0, 1, BUF(1), 8, D_NEXT, 0);
	publish_one(&t, 5);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "chain_loop");
	assert_int_equal(code_index(t.r, "chain_loop"), 5);
	tring_free(&t);
}

static void test_next_out_of_range(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, D_NEXT, 8);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "next_out_of_range");
	assert_int_equal(code_index(t.r, "next_out_of_range"), 0);
	tring_free(&t);
}

static void test_chain_too_long(void **state)
{
	struct tring t;
	(void)state;
	/* 1 direct descriptor + a 4-entry table = 5 descriptors in a 4-entry queue */
	tring_init(&t, 4, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 0, BUF(0), 8, D_NEXT, 1);
	sdesc(&t, 1, ind_addr(&t, 0), 64, D_INDIRECT, 0);
	for (unsigned i = 0; i < 4; i++)
		ind_sdesc(&t, 0, i, BUF(10 + i), 8, (uint16_t)(i < 3 ? D_NEXT : 0), (uint16_t)(i + 1));
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "chain_too_long");
	assert_int_equal(code_index(t.r, "chain_too_long"), 0);
	tring_free(&t);
}

static void test_indirect_in_indirect(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 2, ind_addr(&t, 0), 32, D_INDIRECT, 0);
	ind_sdesc(&t, 0, 0, BUF(0), 8, D_NEXT, 1);
	ind_sdesc(&t, 0, 1, ind_addr(&t, 256), 16, D_INDIRECT, 0);
	publish_one(&t, 2);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "indirect_in_indirect");
	assert_int_equal(code_index(t.r, "indirect_in_indirect"), 2);
	tring_free(&t);
}

static void test_indirect_with_next(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 0, ind_addr(&t, 0), 16, D_INDIRECT | D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 8, 0, 0);
	ind_sdesc(&t, 0, 0, BUF(0), 8, 0, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "indirect_with_next");
	assert_int_equal(code_index(t.r, "indirect_with_next"), 0);
	tring_free(&t);
}

static void test_zero_length(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 4, BUF(0), 0, D_WRITE, 0);
	publish_one(&t, 4);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "zero_length");
	assert_int_equal(code_index(t.r, "zero_length"), 4);
	tring_free(&t);
}

static void test_used_id_not_head(void **state)
{
	struct tring t;
	(void)state;
	/*
	 * Buffers: head 0 (avail[0]) and chain 2 -> 3 (avail[1]); the device
	 * returns descriptor 3, the second descriptor of the in-flight chain.
	 */
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, 0, 0);
	sdesc(&t, 2, BUF(2), 8, D_NEXT, 3);
	sdesc(&t, 3, BUF(3), 8, D_WRITE, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 2);
	avail_hdr(&t, 0, 2);
	used_ent(&t, 0, 3, 0);
	used_hdr(&t, 0, 1);
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 0;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "used_id_not_head");
	assert_int_equal(code_index(t.r, "used_id_not_head"), 0);
	assert_non_null(strstr(t.r->anomalies[0].message, "inside the in-flight chain of head 2"));
	tring_free(&t);

	/* a descriptor no available entry names */
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, 0, 0);
	sdesc(&t, 6, BUF(6), 8, 0, 0);
	avail_ent(&t, 0, 0);
	avail_hdr(&t, 0, 1);
	used_ent(&t, 0, 6, 0);
	used_hdr(&t, 0, 1);
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 0;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "used_id_not_head");
	assert_int_equal(code_index(t.r, "used_id_not_head"), 0);
	tring_free(&t);
}

static void test_used_len_too_large(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 50, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 100, D_WRITE, 0);
	avail_ent(&t, 0, 0);
	avail_hdr(&t, 0, 1);
	used_ent(&t, 0, 0, 101); /* 101 > 100 writable; the 50 readable bytes do not count */
	used_hdr(&t, 0, 1);
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 0;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "used_len_too_large");
	assert_int_equal(code_index(t.r, "used_len_too_large"), 0);
	tring_free(&t);
}

static void test_too_many_in_flight(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	for (unsigned i = 0; i < 8; i++) {
		sdesc(&t, i, BUF(i), 8, 0, 0);
		avail_ent(&t, i, (uint16_t)i);
	}
	avail_hdr(&t, 0, 9);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "too_many_in_flight");
	assert_int_equal(code_index(t.r, "too_many_in_flight"), -2);
	assert_int_equal(t.r->in_flight, 9);
	tring_free(&t);
}

static void test_head_in_flight_twice(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 3, BUF(3), 8, 0, 0);
	avail_ent(&t, 0, 3);
	avail_ent(&t, 1, 3);
	avail_hdr(&t, 0, 2);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "head_in_flight_twice");
	assert_int_equal(code_index(t.r, "head_in_flight_twice"), 1);
	tring_free(&t);

	/* the same with IN_ORDER */
	tring_init(&t, 8, false);
	tring_feature(&t, F_IN_ORDER);
	sdesc(&t, 0, BUF(0), 8, 0, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 0);
	avail_hdr(&t, 0, 2);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	assert_int_equal(code_index(t.r, "head_in_flight_twice"), 1);
	tring_free(&t);
}

static void test_memory_missing(void **state)
{
	struct tring t;
	(void)state;
	/* descriptor table entries 4..7 absent from the dump; the chain 2 -> 5 runs into them */
	tring_init(&t, 8, false);
	sdesc(&t, 2, BUF(2), 8, D_NEXT, 5);
	publish_one(&t, 2);
	assert_int_equal(tring_map(&t, 0, 64), 0);
	assert_int_equal(tring_map(&t, t.avail_off, t.mem_len), 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "memory_missing");
	assert_int_equal(count_code(t.r, "memory_missing"), 1);
	assert_int_equal(code_index(t.r, "memory_missing"), 4);
	assert_false(t.r->descs[4].present);
	assert_true(t.r->descs[3].present);
	assert_true(t.r->chains[0].truncated);
	assert_int_equal(t.r->chains[0].n_elems, 1);
	tring_free(&t);

	/* an indirect table outside the dump */
	tring_init(&t, 8, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 0, 0x7000000, 32, D_INDIRECT, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "memory_missing");
	assert_int_equal(code_index(t.r, "memory_missing"), 0);
	tring_free(&t);

	/* the used ring header missing: used.idx unknown, nothing assumed in flight */
	tring_init(&t, 8, false);
	publish_one(&t, 0);
	assert_int_equal(tring_map(&t, 0, t.used_off), 0);
	assert_int_equal(tring_decode(&t), 0);
	assert_true(count_code(t.r, "memory_missing") >= 1);
	assert_false(t.r->has_used_idx);
	assert_true(t.r->has_avail_idx);
	assert_int_equal(t.r->n_chains, 0);
	tring_free(&t);
}

static void test_nothing_present_is_an_error(void **state)
{
	struct tring t;
	struct rd_error err = { 0 };
	struct vq_decode_result *r = (void *)1;
	uint8_t other[16] = { 0 };
	(void)state;
	tring_init(&t, 8, false);
	assert_int_equal(vq_mem_add(&t.s.mem, 0x9000000, other, sizeof(other), false, "x", 0), 0);
	assert_int_equal(vq_decode(&t.s, &r, &err), -ENODATA);
	assert_null(r);
	assert_true(strlen(err.msg) > 0);
	t.s.driver_addr = 0xfffffffffffffff0ull; /* the 8-entry avail ring would wrap to address 0 */
	assert_int_equal(vq_decode(&t.s, &r, &err), -EINVAL);
	t.s.size = 6; /* split sizes are powers of 2 */
	assert_int_equal(vq_decode(&t.s, &r, &err), -EINVAL);
	t.s.size = 0;
	assert_int_equal(vq_decode(&t.s, &r, &err), -EINVAL);
	t.s.size = 65536;
	assert_int_equal(vq_decode(&t.s, &r, &err), -EINVAL);
	tring_free(&t);
}

static void test_head_out_of_range(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	publish_one(&t, 9);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "head_out_of_range");
	assert_int_equal(code_index(t.r, "head_out_of_range"), 0);
	tring_free(&t);
}

static void test_desc_shared(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 8, 0, 0);
	sdesc(&t, 2, BUF(2), 8, D_NEXT, 1);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 2);
	avail_hdr(&t, 0, 2);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "desc_shared");
	assert_int_equal(code_index(t.r, "desc_shared"), 1);
	tring_free(&t);
}

static void test_indirect_not_negotiated(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, ind_addr(&t, 0), 16, D_INDIRECT, 0);
	ind_sdesc(&t, 0, 0, BUF(0), 8, 0, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "indirect_not_negotiated");
	tring_free(&t);
}

static void test_indirect_len_unaligned(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 0, ind_addr(&t, 0), 24, D_INDIRECT, 0);
	ind_sdesc(&t, 0, 0, BUF(0), 8, 0, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "indirect_len_unaligned");
	tring_free(&t);
}

static void test_indirect_too_long(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 0, ind_addr(&t, 0), 16 * 5, D_INDIRECT, 0);
	ind_sdesc(&t, 0, 0, BUF(0), 8, 0, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "indirect_too_long");
	tring_free(&t);
}

static void test_readable_after_writable(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, D_WRITE | D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 8, 0, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "readable_after_writable");
	assert_int_equal(code_index(t.r, "readable_after_writable"), 1);
	tring_free(&t);
}

static void test_chain_bytes_overflow(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	/* 0xffffffff + 2 = 2^32 + 1 bytes; exactly 2^32 would be allowed */
	sdesc(&t, 0, BUF(0), 0xffffffffu, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 2, D_WRITE, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "chain_bytes_overflow");
	tring_free(&t);
}

static void test_used_id_out_of_range(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, 0, 0);
	avail_ent(&t, 0, 0);
	avail_hdr(&t, 0, 1);
	used_ent(&t, 0, 100, 0);
	used_hdr(&t, 0, 1);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "used_id_out_of_range");
	assert_int_equal(code_index(t.r, "used_id_out_of_range"), 0);
	tring_free(&t);
}

static void test_avail_used_flags_invalid(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	avail_hdr(&t, 2, 0);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "avail_flags_invalid");
	tring_free(&t);

	/* with EVENT_IDX even NO_INTERRUPT (1) is not allowed */
	tring_init(&t, 8, false);
	tring_feature(&t, F_EVENT_IDX);
	avail_hdr(&t, 1, 0);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "avail_flags_invalid");
	tring_free(&t);

	tring_init(&t, 8, false);
	avail_hdr(&t, 0, 0);
	used_hdr(&t, 4, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "used_flags_invalid");
	tring_free(&t);
}

static void test_in_order_violation(void **state)
{
	struct tring t;
	(void)state;
	/* IN_ORDER: next must be the following table entry */
	tring_init(&t, 8, false);
	tring_feature(&t, F_IN_ORDER);
	sdesc(&t, 0, BUF(0), 8, D_NEXT, 2);
	sdesc(&t, 2, BUF(2), 8, 0, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "in_order_violation");
	assert_int_equal(code_index(t.r, "in_order_violation"), 0);
	tring_free(&t);

	/* IN_ORDER: buffers take descriptors in ring order; head 0 (2 descriptors) then head 3, not 2 */
	tring_init(&t, 8, false);
	tring_feature(&t, F_IN_ORDER);
	sdesc(&t, 0, BUF(0), 8, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 8, 0, 0);
	sdesc(&t, 3, BUF(3), 8, 0, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 3);
	avail_hdr(&t, 0, 2);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "in_order_violation");
	assert_int_equal(code_index(t.r, "in_order_violation"), 1);
	tring_free(&t);

	/* and the clean IN_ORDER counterpart: head 2 follows head 0's two descriptors */
	tring_init(&t, 8, false);
	tring_feature(&t, F_IN_ORDER);
	sdesc(&t, 0, BUF(0), 8, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 8, 0, 0);
	sdesc(&t, 2, BUF(2), 8, 0, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 2);
	avail_hdr(&t, 0, 2);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_int_equal(t.r->n_chains, 2);
	tring_free(&t);
}

/* IN_ORDER batch: one used entry at the batch's first slot names its last buffer. */
static void test_in_order_batch(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	tring_feature(&t, F_IN_ORDER);
	sdesc(&t, 0, BUF(0), 8, D_WRITE, 0);
	sdesc(&t, 1, BUF(1), 8, D_WRITE, 0);
	sdesc(&t, 2, BUF(2), 8, D_WRITE, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 1);
	avail_ent(&t, 2, 2);
	avail_hdr(&t, 0, 3);
	used_ent(&t, 0, 1, 4); /* batch of buffers 0 and 1; used[1] is not written */
	used_hdr(&t, 0, 2);
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 0;
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_int_equal(t.r->n_chains, 3);
	assert_int_equal(t.r->chains[0].head, 2);
	assert_int_equal(t.r->chains[0].state, VQ_DESC_AVAIL);
	assert_int_equal(t.r->chains[1].head, 0);
	assert_int_equal(t.r->chains[1].state, VQ_DESC_USED);
	assert_false(t.r->chains[1].has_used_len);
	assert_int_equal(t.r->chains[2].head, 1);
	assert_true(t.r->chains[2].has_used_len);
	assert_int_equal(t.r->chains[2].used_len, 4);
	tring_free(&t);

	/* the entry names a buffer outside the batch window */
	tring_init(&t, 8, false);
	tring_feature(&t, F_IN_ORDER);
	sdesc(&t, 0, BUF(0), 8, D_WRITE, 0);
	sdesc(&t, 1, BUF(1), 8, D_WRITE, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 1);
	avail_hdr(&t, 0, 2);
	used_ent(&t, 0, 5, 4);
	used_hdr(&t, 0, 1);
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 0;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "in_order_violation");
	tring_free(&t);
}

static void test_last_idx_invalid(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, 0, 0);
	sdesc(&t, 1, BUF(1), 8, 0, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 1);
	avail_hdr(&t, 0, 2);
	used_hdr(&t, 0, 0);
	t.s.has_last_avail_idx = true;
	t.s.last_avail_idx = 5; /* ahead of avail.idx 2 */
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "last_avail_idx_invalid");
	assert_false(t.r->has_last_avail_idx);
	t.s.last_avail_idx = 1; /* fine: the device has taken one of two */
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_true(t.r->has_last_avail_idx);
	t.s.has_last_avail_idx = false;
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 20; /* used.idx 0 - 20 wraps to 65516, more than the queue size */
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "last_used_idx_invalid");
	assert_false(t.r->has_last_used_idx);
	tring_free(&t);
}

static void test_area_misaligned(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	avail_hdr(&t, 0, 0);
	used_hdr(&t, 0, 0);
	tring_map(&t, 0, t.mem_len);
	t.s.desc_addr += 8;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "area_misaligned");
	tring_free(&t);
}

static void test_used_id_twice(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 8, 0, 0);
	sdesc(&t, 1, BUF(1), 8, 0, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 1);
	avail_hdr(&t, 0, 2);
	used_ent(&t, 0, 0, 0);
	used_ent(&t, 1, 0, 0);
	used_hdr(&t, 0, 2);
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 0;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "used_id_twice");
	assert_int_equal(code_index(t.r, "used_id_twice"), 1);
	tring_free(&t);
}

static void test_too_many_anomalies(void **state)
{
	struct tring t;
	(void)state;
	/* 2048 one-descriptor buffers of length 0: 2048 zero_length findings, 1000 kept */
	tring_init(&t, 2048, false);
	for (unsigned i = 0; i < 2048; i++) {
		sdesc(&t, i, BUF(i), 0, 0, 0);
		avail_ent(&t, i, (uint16_t)i);
	}
	avail_hdr(&t, 0, 2048);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	assert_int_equal(t.r->n_anomalies, VQ_MAX_ANOMALIES + 1);
	assert_int_equal(count_code(t.r, "zero_length"), VQ_MAX_ANOMALIES);
	assert_string_equal(vq_anomaly_code_name(t.r->anomalies[VQ_MAX_ANOMALIES].code), "too_many_anomalies");
	assert_int_equal(t.r->n_anomalies_total, 2048);
	assert_int_equal(t.r->n_chains, 2048);
	tring_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_loop),
		cmocka_unit_test(test_chain_loop_indirect),
		cmocka_unit_test(test_next_out_of_range),
		cmocka_unit_test(test_chain_too_long),
		cmocka_unit_test(test_indirect_in_indirect),
		cmocka_unit_test(test_indirect_with_next),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_used_id_not_head),
		cmocka_unit_test(test_used_len_too_large),
		cmocka_unit_test(test_too_many_in_flight),
		cmocka_unit_test(test_head_in_flight_twice),
		cmocka_unit_test(test_memory_missing),
		cmocka_unit_test(test_nothing_present_is_an_error),
		cmocka_unit_test(test_head_out_of_range),
		cmocka_unit_test(test_desc_shared),
		cmocka_unit_test(test_indirect_not_negotiated),
		cmocka_unit_test(test_indirect_len_unaligned),
		cmocka_unit_test(test_indirect_too_long),
		cmocka_unit_test(test_readable_after_writable),
		cmocka_unit_test(test_chain_bytes_overflow),
		cmocka_unit_test(test_used_id_out_of_range),
		cmocka_unit_test(test_avail_used_flags_invalid),
		cmocka_unit_test(test_in_order_violation),
		cmocka_unit_test(test_in_order_batch),
		cmocka_unit_test(test_last_idx_invalid),
		cmocka_unit_test(test_area_misaligned),
		cmocka_unit_test(test_used_id_twice),
		cmocka_unit_test(test_too_many_anomalies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
