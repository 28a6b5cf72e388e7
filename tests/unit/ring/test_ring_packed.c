/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packed ring decoding against hand-built rings: wrap counter inference, buffers, anomalies, event suppression. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ring_builder.h"

#define BUF(i) (0x200000ull + 0x1000ull * (i))

/* Flags as the driver writes an available descriptor with wrap counter w, and the device a used one. */
#define AV(w) ((w) ? D_AVAIL : D_USED)
#define US(w) ((w) ? (D_AVAIL | D_USED) : 0)

static void test_fresh_ring(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	/* both wrap counters start at 1 (spec 2.8.1) */
	assert_int_equal(t.r->driver_next, 0);
	assert_true(t.r->driver_wrap);
	assert_int_equal(t.r->device_next, 0);
	assert_true(t.r->device_wrap);
	assert_true(t.r->driver_pos_inferred);
	assert_true(t.r->device_pos_inferred);
	assert_int_equal(t.r->in_flight, 0);
	assert_int_equal(t.r->n_chains, 0);
	assert_false(t.r->kick_suppressed);
	assert_false(t.r->interrupt_suppressed);
	tring_free(&t);
}

/* First pass: a two-descriptor buffer (id 0) and a one-descriptor buffer (id 1), nothing used. */
static void test_in_flight_first_pass(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 8, true);
	pdesc(&t, 0, BUF(0), 64, 0, AV(1) | D_NEXT);
	pdesc(&t, 1, BUF(1), 4096, 0, AV(1) | D_WRITE);
	pdesc(&t, 2, BUF(2), 512, 1, AV(1) | D_WRITE);
	assert_int_equal(tring_decode(&t), 0);
	const struct vq_decode_result *r = t.r;
	expect_clean(r);
	assert_int_equal(r->driver_next, 3);
	assert_true(r->driver_wrap);
	assert_int_equal(r->device_next, 0);
	assert_true(r->device_wrap);
	assert_int_equal(r->in_flight, 2);
	assert_int_equal(r->n_chains, 2);
	assert_int_equal(r->chains[0].head, 0);
	assert_int_equal(r->chains[0].id, 0);
	assert_int_equal(r->chains[0].n_elems, 2);
	assert_int_equal(r->chains[0].readable_bytes, 64);
	assert_int_equal(r->chains[0].writable_bytes, 4096);
	assert_int_equal(r->chains[1].head, 2);
	assert_int_equal(r->chains[1].id, 1);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(r->descs[i].state, i < 3 ? VQ_DESC_AVAIL : VQ_DESC_FREE);
	tring_free(&t);
}

/*
 * Wrap-around, worked by hand on a 4-descriptor ring with one-descriptor buffers:
 *   pass 1 (wrap 1): driver makes ids 0..3 available in slots 0..3, device uses all four;
 *   pass 2 (wrap 0): driver makes id 0 (slot 0) and id 1 (slot 1) available, device uses slot 0.
 * Memory: slot 0 used with wrap 0 (flags 0), slot 1 available with wrap 0 (USED bit only),
 * slots 2 and 3 used with wrap 1 (AVAIL|USED).  Driver next 2/w0, device next 1/w0, id 1 in flight.
 */
static void test_wrap_inference(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 0, 0, US(0));
	pdesc(&t, 1, BUF(1), 100, 1, AV(0) | D_WRITE);
	pdesc(&t, 2, BUF(2), 0, 2, US(1));
	pdesc(&t, 3, BUF(3), 0, 3, US(1));
	assert_int_equal(tring_decode(&t), 0);
	const struct vq_decode_result *r = t.r;
	expect_clean(r);
	assert_int_equal(r->driver_next, 2);
	assert_false(r->driver_wrap);
	assert_int_equal(r->device_next, 1);
	assert_false(r->device_wrap);
	assert_int_equal(r->in_flight, 1);
	assert_int_equal(r->n_chains, 1);
	assert_int_equal(r->chains[0].head, 1);
	assert_int_equal(r->chains[0].id, 1);
	assert_int_equal(r->descs[1].state, VQ_DESC_AVAIL);
	assert_int_equal(r->descs[0].state, VQ_DESC_FREE);

	/* the same positions given by the snapshot agree: no anomaly */
	t.s.has_driver_pos = true;
	t.s.driver_next = 2;
	t.s.driver_wrap = false;
	t.s.has_device_pos = true;
	t.s.device_next = 1;
	t.s.device_wrap = false;
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_false(t.r->driver_pos_inferred);
	assert_false(t.r->device_pos_inferred);
	assert_int_equal(t.r->in_flight, 1);
	tring_free(&t);
}

/*
 * A chain crossing the end of the ring: pass 1 used ids 0..2 in slots 0..2;
 * then id 3 is a two-descriptor buffer in slot 3 (wrap 1) and slot 0 (wrap 0).
 * Driver next 1/w0; device next 3/w1.
 */
static void test_chain_across_wrap(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	pdesc(&t, 3, BUF(13), 20, 0, AV(1) | D_NEXT);
	pdesc(&t, 0, BUF(10), 100, 3, AV(0) | D_WRITE);
	pdesc(&t, 1, BUF(1), 0, 1, US(1));
	pdesc(&t, 2, BUF(2), 0, 2, US(1));
	assert_int_equal(tring_decode(&t), 0);
	const struct vq_decode_result *r = t.r;
	expect_clean(r);
	assert_int_equal(r->driver_next, 1);
	assert_false(r->driver_wrap);
	assert_int_equal(r->device_next, 3);
	assert_true(r->device_wrap);
	assert_int_equal(r->in_flight, 1);
	assert_int_equal(r->chains[0].head, 3);
	assert_int_equal(r->chains[0].id, 3);
	assert_int_equal(r->chains[0].n_elems, 2);
	assert_int_equal(r->chains[0].elems[0].table_index, 3);
	assert_int_equal(r->chains[0].elems[1].table_index, 0);
	assert_int_equal(r->chains[0].readable_bytes, 20);
	assert_int_equal(r->chains[0].writable_bytes, 100);
	tring_free(&t);
}

static void test_indirect_packed(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	tring_feature(&t, F_INDIRECT_DESC);
	pdesc(&t, 0, ind_addr(&t, 0), 48, 2, AV(1) | D_INDIRECT);
	ind_pdesc(&t, 0, 0, BUF(0), 10, 0);
	ind_pdesc(&t, 0, 1, BUF(1), 20, D_WRITE);
	ind_pdesc(&t, 0, 2, BUF(2), 30, D_WRITE);
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_int_equal(t.r->n_chains, 1);
	assert_int_equal(t.r->chains[0].id, 2);
	assert_int_equal(t.r->chains[0].n_elems, 4);
	assert_true(t.r->chains[0].elems[3].indirect);
	assert_int_equal(t.r->chains[0].readable_bytes, 10);
	assert_int_equal(t.r->chains[0].writable_bytes, 50);
	tring_free(&t);
}

/* Used descriptors the driver has not reclaimed, listed when its used position is known. */
static void test_used_unreclaimed_packed(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 300, 1, US(1) | D_WRITE);  /* id 1 returned with 300 bytes */
	pdesc(&t, 1, BUF(1), 0, 0, US(1));              /* id 0 returned, nothing written */
	pdesc(&t, 2, BUF(2), 64, 2, AV(1));
	t.s.has_driver_used_pos = true;
	t.s.driver_used_next = 0;
	t.s.driver_used_wrap = true;
	assert_int_equal(tring_decode(&t), 0);
	const struct vq_decode_result *r = t.r;
	expect_clean(r);
	assert_int_equal(r->device_next, 2);
	assert_int_equal(r->in_flight, 1);
	assert_int_equal(r->n_chains, 3);
	assert_int_equal(r->chains[0].state, VQ_DESC_AVAIL);
	assert_int_equal(r->chains[1].state, VQ_DESC_USED);
	assert_int_equal(r->chains[1].id, 1);
	assert_true(r->chains[1].has_used_len);
	assert_int_equal(r->chains[1].used_len, 300);
	assert_int_equal(r->chains[2].id, 0);
	assert_false(r->chains[2].has_used_len);
	assert_int_equal(r->descs[0].state, VQ_DESC_USED);
	assert_int_equal(r->descs[3].state, VQ_DESC_FREE);
	tring_free(&t);
}

/* ---------- anomalies ---------- */

static void test_wrap_inconsistent(void **state)
{
	struct tring t;
	(void)state;
	/* driver at 2/w1: slot 3 belongs to the previous pass (wrap 0) but carries AVAIL=1 */
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 8, 0, AV(1));
	pdesc(&t, 1, BUF(1), 8, 1, AV(1));
	pdesc(&t, 3, BUF(3), 8, 3, AV(1));
	t.s.has_driver_pos = true;
	t.s.driver_next = 2;
	t.s.driver_wrap = true;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "packed_wrap_inconsistent");
	assert_int_equal(code_index(t.r, "packed_wrap_inconsistent"), 3);
	tring_free(&t);
}

static void test_event_flags_invalid(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	driver_event_set(&t, 0, false, 3);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "event_flags_invalid");
	tring_free(&t);

	/* DESC without EVENT_IDX */
	tring_init(&t, 4, true);
	device_event_set(&t, 1, true, 2);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "event_flags_invalid");
	tring_free(&t);
}

static void test_packed_id_out_of_range(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 8, 9, AV(1));
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "packed_id_out_of_range");
	assert_int_equal(code_index(t.r, "packed_id_out_of_range"), 0);
	tring_free(&t);
}

static void test_packed_indirect_flags(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	tring_feature(&t, F_INDIRECT_DESC);
	pdesc(&t, 0, ind_addr(&t, 0), 32, 0, AV(1) | D_INDIRECT);
	ind_pdesc(&t, 0, 0, BUF(0), 8, D_NEXT);
	ind_pdesc(&t, 0, 1, BUF(1), 8, D_WRITE);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "packed_indirect_flags");
	assert_int_equal(code_index(t.r, "packed_indirect_flags"), 0);
	tring_free(&t);
}

static void test_packed_chain_incomplete(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 8, 0, AV(1) | D_NEXT);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "packed_chain_incomplete");
	assert_int_equal(code_index(t.r, "packed_chain_incomplete"), 0);
	tring_free(&t);
}

static void test_packed_position_mismatch(void **state)
{
	struct tring t;
	(void)state;
	/* slot 0 used, slot 1 available; the snapshot claims the device is still at slot 0 */
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 8, 0, US(1));
	pdesc(&t, 1, BUF(1), 8, 1, AV(1));
	t.s.has_device_pos = true;
	t.s.device_next = 0;
	t.s.device_wrap = true;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "packed_position_mismatch");
	assert_int_equal(code_index(t.r, "packed_position_mismatch"), 0);
	assert_false(t.r->device_pos_inferred);
	tring_free(&t);

	/* the driver position: flags say 2/w1, the snapshot says 3/w1 */
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 8, 0, AV(1));
	pdesc(&t, 1, BUF(1), 8, 1, AV(1));
	t.s.has_driver_pos = true;
	t.s.driver_next = 3;
	t.s.driver_wrap = true;
	assert_int_equal(tring_decode(&t), 0);
	assert_int_equal(count_code(t.r, "packed_position_mismatch"), 1);
	assert_int_equal(t.r->driver_next, 3);
	tring_free(&t);
}

static void test_packed_in_flight_twice(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 8, 2, AV(1));
	pdesc(&t, 1, BUF(1), 8, 2, AV(1));
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "head_in_flight_twice");
	assert_int_equal(code_index(t.r, "head_in_flight_twice"), 1);
	tring_free(&t);
}

static void test_packed_indirect_in_list(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	tring_feature(&t, F_INDIRECT_DESC);
	pdesc(&t, 0, BUF(0), 8, 0, AV(1) | D_NEXT);
	pdesc(&t, 1, ind_addr(&t, 0), 16, 0, AV(1) | D_INDIRECT);
	ind_pdesc(&t, 0, 0, BUF(1), 8, D_WRITE);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "indirect_with_next");
	assert_int_equal(code_index(t.r, "indirect_with_next"), 1);
	tring_free(&t);
}

static void test_packed_used_id_twice(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 0, 1, US(1));
	pdesc(&t, 1, BUF(1), 0, 1, US(1));
	pdesc(&t, 2, BUF(2), 8, 2, AV(1));
	t.s.has_driver_used_pos = true;
	t.s.driver_used_next = 0;
	t.s.driver_used_wrap = true;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "used_id_twice");
	assert_int_equal(code_index(t.r, "used_id_twice"), 1);
	tring_free(&t);
}

static void test_packed_misaligned_and_missing(void **state)
{
	struct tring t;
	(void)state;
	tring_init(&t, 4, true);
	tring_map(&t, 0, t.mem_len);
	t.s.driver_addr += 2;
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "area_misaligned");
	tring_free(&t);

	/* descriptors 2..3 and the device area absent */
	tring_init(&t, 4, true);
	pdesc(&t, 0, BUF(0), 8, 0, AV(1));
	tring_map(&t, 0, 32);
	tring_map(&t, t.avail_off, t.avail_off + 4);
	assert_int_equal(tring_decode(&t), 0);
	expect_only(t.r, "memory_missing");
	assert_int_equal(count_code(t.r, "memory_missing"), 2);
	assert_int_equal(t.r->in_flight, 1);
	assert_false(t.r->has_kick_suppressed);
	assert_true(t.r->has_interrupt_suppressed);
	tring_free(&t);
}

/* ---------- event suppression ---------- */

static void test_event_suppression_packed(void **state)
{
	struct tring t;
	(void)state;
	/* driver at 3/w1 (three one-descriptor buffers made available), device at 0/w1 */
	tring_init(&t, 8, true);
	tring_feature(&t, F_EVENT_IDX);
	for (unsigned i = 0; i < 3; i++)
		pdesc(&t, i, BUF(i), 8, (uint16_t)i, AV(1));
	device_event_set(&t, 3, true, 2);  /* kick when the descriptor at 3/w1 is made available: the next one */
	driver_event_set(&t, 0, true, 1); /* DISABLE */
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_int_equal(t.r->driver_next, 3);
	assert_false(t.r->kick_suppressed);
	assert_true(t.r->interrupt_suppressed);
	assert_true(t.r->has_avail_event);
	assert_int_equal(t.r->avail_event, 3);

	device_event_set(&t, 3, false, 2); /* 3/w0 is a pass later: suppressed */
	driver_event_set(&t, 0, true, 2);  /* the device's next used slot is 0/w1: interrupt */
	assert_int_equal(tring_decode(&t), 0);
	expect_clean(t.r);
	assert_true(t.r->kick_suppressed);
	assert_false(t.r->interrupt_suppressed);

	device_event_set(&t, 0, false, 0); /* ENABLE */
	driver_event_set(&t, 1, true, 2);  /* interrupt only when slot 1 is used */
	assert_int_equal(tring_decode(&t), 0);
	assert_false(t.r->kick_suppressed);
	assert_true(t.r->interrupt_suppressed);
	tring_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_ring),
		cmocka_unit_test(test_in_flight_first_pass),
		cmocka_unit_test(test_wrap_inference),
		cmocka_unit_test(test_chain_across_wrap),
		cmocka_unit_test(test_indirect_packed),
		cmocka_unit_test(test_used_unreclaimed_packed),
		cmocka_unit_test(test_wrap_inconsistent),
		cmocka_unit_test(test_event_flags_invalid),
		cmocka_unit_test(test_packed_id_out_of_range),
		cmocka_unit_test(test_packed_indirect_flags),
		cmocka_unit_test(test_packed_chain_incomplete),
		cmocka_unit_test(test_packed_position_mismatch),
		cmocka_unit_test(test_packed_in_flight_twice),
		cmocka_unit_test(test_packed_indirect_in_list),
		cmocka_unit_test(test_packed_used_id_twice),
		cmocka_unit_test(test_packed_misaligned_and_missing),
		cmocka_unit_test(test_event_suppression_packed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
