/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split ring decoding against hand-built rings: clean rings, indirect chains, completion order, notifications. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ring_builder.h"

#define BUF(i) (0x200000ull + 0x1000ull * (i))

static void test_clean_ring(void **state)
{
	struct tring t;
	(void)state;

	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 512, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 4096, D_WRITE, 0);
	sdesc(&t, 2, BUF(2), 64, 0, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 2);
	avail_hdr(&t, 0, 2);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	const struct vq_decode_result *r = t.r;
	expect_clean(r);
	assert_int_equal(r->n_anomalies_total, 0);
	assert_int_equal(r->avail_idx, 2);
	assert_int_equal(r->used_idx, 0);
	assert_int_equal(r->in_flight, 2);
	assert_int_equal(r->n_chains, 2);
	assert_int_equal(r->chains[0].head, 0);
	assert_int_equal(r->chains[0].ring_index, 0);
	assert_int_equal(r->chains[0].n_elems, 2);
	assert_int_equal(r->chains[0].elems[0].table_index, 0);
	assert_int_equal(r->chains[0].elems[0].addr, BUF(0));
	assert_false(r->chains[0].elems[0].write);
	assert_int_equal(r->chains[0].elems[1].table_index, 1);
	assert_true(r->chains[0].elems[1].write);
	assert_int_equal(r->chains[0].readable_bytes, 512);
	assert_int_equal(r->chains[0].writable_bytes, 4096);
	assert_false(r->chains[0].truncated);
	assert_int_equal(r->chains[1].head, 2);
	assert_int_equal(r->chains[1].ring_index, 1);
	assert_int_equal(r->chains[1].readable_bytes, 64);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(r->descs[i].state, i < 3 ? VQ_DESC_AVAIL : VQ_DESC_FREE);
	assert_true(r->has_kick_suppressed);
	assert_false(r->kick_suppressed);
	assert_false(r->interrupt_suppressed);
	tring_free(&t);
}

static void test_big_endian_legacy(void **state)
{
	struct tring t;
	(void)state;

	tring_init(&t, 8, false);
	t.big = true;
	t.s.features.w[0] = 0;  /* legacy: no VERSION_1 */
	t.s.legacy_endian_big = true;
	sdesc(&t, 3, 0x1122334455667788ull, 0x01020304, D_WRITE, 0);
	publish_one(&t, 3);
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_int_equal(t.r->avail_idx, 1);
	assert_int_equal(t.r->n_chains, 1);
	assert_int_equal(t.r->chains[0].head, 3);
	assert_int_equal(t.r->descs[3].addr, 0x1122334455667788ull);
	assert_int_equal(t.r->chains[0].writable_bytes, 0x01020304);
	tring_free(&t);
}

static void test_indirect_chain(void **state)
{
	struct tring t;
	(void)state;

	tring_init(&t, 8, false);
	tring_feature(&t, F_INDIRECT_DESC);
	sdesc(&t, 0, BUF(0), 16, D_NEXT, 1);
	sdesc(&t, 1, ind_addr(&t, 0), 48, D_INDIRECT, 0);
	/* the table chains 0 -> 2 -> 1: next is followed, not the table order */
	ind_sdesc(&t, 0, 0, BUF(10), 100, D_NEXT, 2);
	ind_sdesc(&t, 0, 2, BUF(12), 200, D_NEXT | D_WRITE, 1);
	ind_sdesc(&t, 0, 1, BUF(11), 1, D_WRITE, 0);
	publish_one(&t, 0);
	assert_int_equal(tring_decode(&t), 0);
	const struct vq_decode_result *r = t.r;
	expect_clean(r);
	assert_int_equal(r->n_chains, 1);
	const struct vq_chain *c = &r->chains[0];
	assert_int_equal(c->n_elems, 5);
	assert_false(c->elems[1].indirect);
	assert_true(c->elems[1].flags & D_INDIRECT);
	assert_false(c->elems[1].write);
	assert_true(c->elems[2].indirect);
	assert_int_equal(c->elems[2].table_index, 0);
	assert_int_equal(c->elems[3].table_index, 2);
	assert_int_equal(c->elems[3].addr, BUF(12));
	assert_int_equal(c->elems[4].table_index, 1);
	assert_int_equal(c->readable_bytes, 16 + 100);
	assert_int_equal(c->writable_bytes, 200 + 1);
	assert_int_equal(r->descs[0].state, VQ_DESC_AVAIL);
	assert_int_equal(r->descs[1].state, VQ_DESC_AVAIL);
	assert_int_equal(r->descs[2].state, VQ_DESC_FREE);
	tring_free(&t);
}

/* Head 0 published, then head 1; the device returned head 1 first. */
static void test_out_of_order_completion(void **state)
{
	struct tring t;
	(void)state;

	/*
	 * History on a 4-entry ring: heads 0,1,2,3 published (avail 0..3) and
	 * used in order (used 0..3), then 0 and 1 published again (avail 4, 5)
	 * and 1 used (used 4).  Head 0 of avail[4] is the one in flight: its
	 * use would have a used index >= 4 + 1 - 4 = 1, and used[1..4] hold
	 * none of head 0.
	 */
	tring_init(&t, 4, false);
	for (unsigned i = 0; i < 4; i++)
		sdesc(&t, i, BUF(i), 100, D_WRITE, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 1);
	avail_ent(&t, 2, 2);
	avail_ent(&t, 3, 3);
	avail_hdr(&t, 0, 6);
	used_ent(&t, 0, 1, 10); /* used[4] */
	used_ent(&t, 1, 1, 10);
	used_ent(&t, 2, 2, 10);
	used_ent(&t, 3, 3, 10);
	used_hdr(&t, 0, 5);
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_int_equal(t.r->in_flight, 1);
	assert_int_equal(t.r->n_chains, 1);
	assert_int_equal(t.r->chains[0].head, 0);
	assert_int_equal(t.r->chains[0].ring_index, 4);
	tring_free(&t);
}

/* Same head made available, used, reclaimed and made available again: no anomaly. */
static void test_head_reused_after_use(void **state)
{
	struct tring t;
	(void)state;

	tring_init(&t, 8, false);
	sdesc(&t, 3, BUF(3), 64, 0, 0);
	avail_ent(&t, 0, 3);
	avail_ent(&t, 1, 3);
	avail_hdr(&t, 0, 2);
	used_ent(&t, 0, 3, 0);
	used_hdr(&t, 0, 1);
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_int_equal(t.r->n_chains, 1);
	assert_int_equal(t.r->chains[0].head, 3);
	assert_int_equal(t.r->chains[0].ring_index, 1);
	tring_free(&t);
}

static void test_used_unreclaimed(void **state)
{
	struct tring t;
	(void)state;

	tring_init(&t, 8, false);
	sdesc(&t, 0, BUF(0), 10, D_NEXT, 1);
	sdesc(&t, 1, BUF(1), 300, D_WRITE, 0);
	sdesc(&t, 2, BUF(2), 500, D_WRITE, 0);
	avail_ent(&t, 0, 0);
	avail_ent(&t, 1, 2);
	avail_hdr(&t, 0, 2);
	used_ent(&t, 0, 0, 300);
	used_hdr(&t, 0, 1);
	t.s.has_last_used_idx = true;
	t.s.last_used_idx = 0;
	assert_int_equal(tring_decode(&t), 0);
	const struct vq_decode_result *r = t.r;
	expect_clean(r);
	assert_int_equal(r->in_flight, 1);
	assert_int_equal(r->n_chains, 2);
	assert_int_equal(r->chains[0].state, VQ_DESC_AVAIL);
	assert_int_equal(r->chains[0].head, 2);
	assert_int_equal(r->chains[1].state, VQ_DESC_USED);
	assert_int_equal(r->chains[1].head, 0);
	assert_int_equal(r->chains[1].ring_index, 0);
	assert_true(r->chains[1].has_used_len);
	assert_int_equal(r->chains[1].used_len, 300);
	assert_int_equal(r->descs[0].state, VQ_DESC_USED);
	assert_int_equal(r->descs[1].state, VQ_DESC_USED);
	assert_int_equal(r->descs[2].state, VQ_DESC_AVAIL);
	tring_free(&t);
}

/* ---------- notification suppression, computed by hand from vring_need_event ---------- */

static void test_event_idx_split(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	tring_feature(&t, F_EVENT_IDX);
	avail_hdr(&t, 0, 5);
	used_hdr(&t, 0, 5);
	/*
	 * Next kick: the driver puts its next buffer at avail index 5;
	 * vring_need_event(avail_event=5, new=6, old=5) = (u16)(6-5-1)=0 < (u16)(6-5)=1: kick.
	 * Next interrupt: vring_need_event(used_event=4, 6, 5) = (u16)(6-4-1)=1 < 1 is false: suppressed.
	 */
	avail_event_set(&t, 5);
	used_event_set(&t, 4);
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_true(t.r->has_avail_event && t.r->avail_event == 5);
	assert_true(t.r->has_used_event && t.r->used_event == 4);
	assert_true(t.r->has_kick_suppressed);
	assert_false(t.r->kick_suppressed);
	assert_true(t.r->interrupt_suppressed);

	/* across the 16-bit wrap: idx 0, avail_event 65535: (u16)(1-65535-1)=1 < 1 false: suppressed */
	avail_hdr(&t, 0, 0);
	used_hdr(&t, 0, 0);
	avail_event_set(&t, 65535);
	used_event_set(&t, 0); /* (u16)(1-0-1)=0 < 1: interrupt */
	assert_int_equal(tring_decode(&t), 0);
	assert_true(t.r->kick_suppressed);
	assert_false(t.r->interrupt_suppressed);
	tring_free(&t);
}

static void test_flags_notification_split(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, false);
	avail_hdr(&t, 1, 0);   /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	used_hdr(&t, 1, 0);    /* VIRTQ_USED_F_NO_NOTIFY */
	avail_event_set(&t, 0); /* ignored without EVENT_IDX */
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_true(t.r->kick_suppressed);
	assert_true(t.r->interrupt_suppressed);
	assert_false(t.r->has_avail_event);
	tring_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_ring),
		cmocka_unit_test(test_big_endian_legacy),
		cmocka_unit_test(test_indirect_chain),
		cmocka_unit_test(test_out_of_order_completion),
		cmocka_unit_test(test_head_reused_after_use),
		cmocka_unit_test(test_used_unreclaimed),
		cmocka_unit_test(test_event_idx_split),
		cmocka_unit_test(test_flags_notification_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
