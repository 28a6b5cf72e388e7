/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top's model on hand-built samples: stall verdicts, deltas over resets and churn, percentiles, sort/filter, Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "top_model.h"
#include "top_prom.h"
#include "top_view.h"

#define S 1000000000ull
#define ALL_BPF (VQ_OBS_KICKS | VQ_OBS_KICKS_SUPPRESSED | VQ_OBS_INTERRUPTS | VQ_OBS_ADDS | VQ_OBS_COMPLETIONS | \
		 VQ_OBS_INDICES | VQ_OBS_RING | VQ_OBS_NUM_FREE | VQ_OBS_LATENCY)

static struct vq_obs_queue split_q(uint16_t avail, uint16_t used, uint16_t last_used)
{
	struct vq_obs_queue q = {
		.device = "virtio1", .device_id = 2, .queue = 0, .name = "req.0", .have = ALL_BPF,
		.ring_type = VQ_RING_SPLIT, .size = 256, .avail_idx = avail, .used_idx = used,
		.last_used_idx = last_used, .num_free = 200,
	};
	return q;
}

static void test_in_flight(void **state)
{
	(void)state;
	struct vq_obs_queue q = split_q(5, 65533, 65533);
	uint32_t n;

	assert_true(top_in_flight(&q, &n));
	assert_int_equal(n, 8);    /* free-running 16-bit indices wrap */
	q.ring_type = VQ_RING_PACKED;
	q.size = 64;
	q.avail_idx = 0x8000 | 3;  /* wrap counter in bit 15 */
	q.used_idx = 60;
	assert_true(top_in_flight(&q, &n));
	assert_int_equal(n, 7);
	q.used_idx = 64;           /* a position past the ring: hostile, not a count */
	assert_false(top_in_flight(&q, &n));
	q.have &= ~VQ_OBS_INDICES;
	assert_false(top_in_flight(&q, &n));
}

static void test_stall_none(void **state)
{
	(void)state;
	struct vq_obs_queue ref = split_q(10, 10, 10), cur = ref;

	/* Nothing outstanding: never a stall, however long. */
	assert_int_equal(top_stall_check(&ref, &cur, 100 * S, 5 * S), TOP_STALL_NONE);
	/* Outstanding but not for long enough. */
	cur.avail_idx = 12;
	cur.kicks = 1;
	assert_int_equal(top_stall_check(&ref, &cur, 4 * S, 5 * S), TOP_STALL_NONE);
	/* Progress (the driver reclaimed) restarts the clock. */
	cur.last_used_idx = 11;
	cur.used_idx = 11;
	assert_true(top_progressed(&ref, &cur));
	assert_int_equal(top_stall_check(&ref, &cur, 10 * S, 5 * S), TOP_STALL_NONE);
}

static void test_stall_sides(void **state)
{
	(void)state;
	struct vq_obs_queue ref = split_q(10, 10, 10), cur;

	/* Driver added two buffers, never kicked, nothing suppressed. */
	cur = ref;
	cur.avail_idx = 12;
	cur.adds = 2;
	assert_int_equal(top_stall_check(&ref, &cur, 6 * S, 5 * S), TOP_STALL_NOT_NOTIFIED);
	/* ... and kick_prepare said the device asked not to be notified. */
	cur.kicks_suppressed = 1;
	assert_int_equal(top_stall_check(&ref, &cur, 6 * S, 5 * S), TOP_STALL_SUPPRESSED);
	/* ... the kick went out, the device used nothing. */
	cur.kicks = 1;
	assert_int_equal(top_stall_check(&ref, &cur, 6 * S, 5 * S), TOP_STALL_DEVICE);
	/* The device used both (used idx moved in memory); the driver never reclaimed: no interrupt. */
	cur.used_idx = 12;
	assert_int_equal(top_stall_check(&ref, &cur, 6 * S, 5 * S), TOP_STALL_NO_INTERRUPT);
	/* Buffers were there at the last progress and nothing new came: the device stopped. */
	ref = split_q(20, 18, 18);
	cur = ref;
	assert_int_equal(top_stall_check(&ref, &cur, 6 * S, 5 * S), TOP_STALL_DEVICE);
	/* Without kick counters the side of a fresh stall cannot be told. */
	ref.have &= ~(VQ_OBS_KICKS | VQ_OBS_KICKS_SUPPRESSED);
	cur = ref;
	cur.avail_idx = 21;
	assert_int_equal(top_stall_check(&ref, &cur, 6 * S, 5 * S), TOP_STALL_UNCLEAR);
	/* Without indices nothing can be said. */
	cur.have = VQ_OBS_INTERRUPTS;
	assert_int_equal(top_stall_check(&ref, &cur, 60 * S, 5 * S), TOP_STALL_UNKNOWN);
	assert_string_equal(top_stall_name(TOP_STALL_NO_INTERRUPT), "no_interrupt");
	assert_null(top_stall_name(TOP_STALL_NONE));
}

static struct vq_obs_sample sample_of(uint64_t t, const struct vq_obs_queue *qs, size_t n)
{
	struct vq_obs_sample s = { .time_ns = t, .n = n, .q = calloc(n ? n : 1, sizeof(*qs)) };

	memcpy(s.q, qs, n * sizeof(*qs));
	return s;
}

static const struct top_row *row(const struct top_state *st, const char *dev, const char *name)
{
	for (size_t i = 0; i < st->n_rows; i++)
		if (!strcmp(st->rows[i].q.device, dev) && !strcmp(st->rows[i].q.name, name))
			return &st->rows[i];
	return NULL;
}

/* Deltas: from zero on a queue's first tick after the baseline; unknown after a reset (counter backwards), and for counters the source lacks. */
static void test_deltas_and_churn(void **state)
{
	(void)state;
	struct top_state st = { .stall_ns = 5 * S };
	struct vq_obs_queue a = split_q(0, 0, 0), b = split_q(0, 0, 0);
	struct vq_obs_sample s;
	const struct top_row *r;

	strcpy(b.device, "virtio2");
	strcpy(b.name, "input.0");
	b.have = VQ_OBS_INTERRUPTS;
	a.kicks = 100;
	a.interrupts = 50;
	s = sample_of(1 * S, &a, 1);
	assert_int_equal(top_state_update(&st, &s), 0);
	assert_null(s.q);
	r = row(&st, "virtio1", "req.0");
	assert_false(r->kicks.known);
	assert_true(r->stall_known);

	/* One second later: a grew, b appeared. */
	a.kicks = 130;
	a.interrupts = 70;
	b.interrupts = 7;
	struct vq_obs_queue two[2] = { a, b };
	s = sample_of(2 * S, two, 2);
	assert_int_equal(top_state_update(&st, &s), 0);
	r = row(&st, "virtio1", "req.0");
	assert_true(r->kicks.known);
	assert_int_equal(r->kicks.n, 30);
	assert_int_equal(r->interrupts.n, 20);
	assert_true(r->interval_s > 0.99 && r->interval_s < 1.01);
	assert_true(st.interval_s > 0.99 && st.interval_s < 1.01);   /* the tick's, for ticks without rows too */
	r = row(&st, "virtio2", "input.0");
	assert_true(r->interrupts.known);    /* new queue: counted from zero, as the source's counters are */
	assert_int_equal(r->interrupts.n, 7);
	assert_false(r->kicks.known);        /* the source does not count kicks */
	assert_false(r->stall_known);

	/* a was torn down and set up again (its counters restarted); b went on; a third one vanished. */
	a.kicks = 3;
	a.interrupts = 1;
	b.interrupts = 9;
	two[0] = a;
	two[1] = b;
	s = sample_of(3 * S, two, 2);
	assert_int_equal(top_state_update(&st, &s), 0);
	r = row(&st, "virtio1", "req.0");
	assert_false(r->kicks.known);
	assert_false(r->interrupts.known);
	r = row(&st, "virtio2", "input.0");
	assert_true(r->interrupts.known);
	assert_int_equal(r->interrupts.n, 2);

	/* b disappears; a stays. */
	s = sample_of(4 * S, &a, 1);
	assert_int_equal(top_state_update(&st, &s), 0);
	assert_int_equal(st.n_rows, 1);
	assert_null(row(&st, "virtio2", "input.0"));
	assert_int_equal(row(&st, "virtio1", "req.0")->kicks.n, 0);
	top_state_free(&st);
	top_state_free(NULL);
}

/* The stall clock across ticks: flagged after --stall seconds without progress, counted once, cleared by progress. */
static void test_stall_over_ticks(void **state)
{
	(void)state;
	struct top_state st = { .stall_ns = 2 * S };
	struct vq_obs_queue q = split_q(10, 10, 10);
	struct vq_obs_sample s;

	s = sample_of(0, &q, 1);
	assert_int_equal(top_state_update(&st, &s), 0);
	q.avail_idx = 11;
	q.kicks = 1;
	for (uint64_t t = 1; t <= 4; t++) {
		s = sample_of(t * S, &q, 1);
		assert_int_equal(top_state_update(&st, &s), 0);
	}
	assert_int_equal(st.rows[0].stall, TOP_STALL_DEVICE);
	assert_int_equal(st.rows[0].stalls_total, 1);
	assert_int_equal(st.rows[0].stalled_for_ns, 4 * S);
	q.used_idx = q.last_used_idx = 11;
	q.completions = 1;
	s = sample_of(5 * S, &q, 1);
	assert_int_equal(top_state_update(&st, &s), 0);
	assert_int_equal(st.rows[0].stall, TOP_STALL_NONE);
	/* A second stall counts again. */
	q.avail_idx = 12;
	for (uint64_t t = 6; t <= 8; t++) {
		s = sample_of(t * S, &q, 1);
		assert_int_equal(top_state_update(&st, &s), 0);
	}
	assert_int_equal(st.rows[0].stall, TOP_STALL_NOT_NOTIFIED);
	assert_int_equal(st.rows[0].stalls_total, 2);
	top_state_free(&st);
}

static void test_percentiles(void **state)
{
	(void)state;
	uint64_t h[VQ_OBS_LAT_BUCKETS] = { 0 }, ns;

	assert_false(top_latency_percentile(h, 0.5, &ns));
	h[10] = 98;   /* [1024, 2048) ns */
	h[20] = 2;    /* [1 Mi, 2 Mi) ns */
	assert_true(top_latency_percentile(h, 0.5, &ns));
	assert_int_equal(ns, 2048);
	assert_true(top_latency_percentile(h, 0.98, &ns));
	assert_int_equal(ns, 2048);
	assert_true(top_latency_percentile(h, 0.99, &ns));
	assert_int_equal(ns, 1u << 21);
}

static void test_sort_filter(void **state)
{
	(void)state;
	struct top_state st = { .stall_ns = 5 * S };
	struct vq_obs_queue q[3] = { split_q(0, 0, 0), split_q(0, 0, 0), split_q(0, 0, 0) };
	struct vq_obs_sample s;
	size_t order[3], n;

	strcpy(q[0].device, "virtio10");
	strcpy(q[1].device, "virtio2");
	q[1].device_id = 1;
	strcpy(q[1].name, "input.0");
	q[2].have = VQ_OBS_INTERRUPTS;
	strcpy(q[2].device, "virtio3");
	strcpy(q[2].name, "rx");
	q[2].device_id = 19;
	s = sample_of(0, q, 3);
	assert_int_equal(top_state_update(&st, &s), 0);
	q[0].kicks = 5;
	q[1].kicks = 50;
	s = sample_of(S, q, 3);
	assert_int_equal(top_state_update(&st, &s), 0);

	struct top_filter all = { 0 };
	n = top_select(&st, &all, TOP_SORT_DEVICE, order);
	assert_int_equal(n, 3);
	assert_string_equal(st.rows[order[0]].q.device, "virtio2");    /* natural order, not strcmp */
	assert_string_equal(st.rows[order[2]].q.device, "virtio10");
	n = top_select(&st, &all, TOP_SORT_KICKS, order);
	assert_string_equal(st.rows[order[0]].q.device, "virtio2");
	assert_string_equal(st.rows[order[2]].q.device, "virtio3");    /* unknown kicks last */

	struct top_filter by_type = { .device = "net" };
	assert_int_equal(top_select(&st, &by_type, TOP_SORT_DEVICE, order), 1);
	struct top_filter by_queue = { .queue = "0" };
	assert_int_equal(top_select(&st, &by_queue, TOP_SORT_DEVICE, order), 3);
	struct top_filter by_name = { .queue = "rx" };
	assert_int_equal(top_select(&st, &by_name, TOP_SORT_DEVICE, order), 1);
	struct top_filter text = { .text = "vsock" };
	assert_int_equal(top_select(&st, &text, TOP_SORT_DEVICE, order), 1);
	enum top_sort so;
	assert_int_equal(top_sort_parse("in-flight", &so), 0);
	assert_int_equal(so, TOP_SORT_IN_FLIGHT);
	assert_int_not_equal(top_sort_parse("bogus", &so), 0);
	top_state_free(&st);
}

/* The text exposition: HELP/TYPE once per metric, labels escaped, unknown metrics absent, histogram cumulative. */
static void test_prometheus(void **state)
{
	(void)state;
	struct top_state st = { .stall_ns = 5 * S };
	struct vq_obs_queue q[2] = { split_q(7, 5, 5), split_q(0, 0, 0) };
	struct vq_obs_sample s;
	struct emit_buf b = { 0 };

	q[0].kicks = 12;
	q[0].interrupts = 34;
	q[0].completions = 56;
	q[0].latency_log2_ns[10] = 3;
	q[0].latency_log2_ns[12] = 1;
	q[1].have = VQ_OBS_INTERRUPTS;
	q[1].interrupts = 9;
	q[1].queue = VQ_QUEUE_INDEX_UNKNOWN;
	strcpy(q[1].device, "virtio9");
	strcpy(q[1].name, "we\"ird\\name");
	q[1].device_id = 0;
	s = sample_of(0, q, 2);
	assert_int_equal(top_state_update(&st, &s), 0);
	top_prom_format(&b, &st);
	assert_false(b.oom);
	const char *t = b.data;

	assert_non_null(strstr(t, "# TYPE virtioctl_vq_kicks_total counter\n"
				  "virtioctl_vq_kicks_total{device=\"virtio1\",type=\"blk\",queue=\"0\",name=\"req.0\"} 12\n"
				  "# HELP")); /* the procfs-like queue has no kicks line */
	assert_non_null(strstr(t, "virtioctl_vq_interrupts_total{device=\"virtio9\",type=\"\",queue=\"\","
				  "name=\"we\\\"ird\\\\name\"} 9\n"));
	assert_non_null(strstr(t, "virtioctl_vq_completed_requests_total{device=\"virtio1\",type=\"blk\",queue=\"0\","
				  "name=\"req.0\"} 56\n"));
	assert_non_null(strstr(t, "virtioctl_vq_in_flight{device=\"virtio1\",type=\"blk\",queue=\"0\",name=\"req.0\"} 2\n"));
	assert_null(strstr(t, "virtioctl_vq_in_flight{device=\"virtio9\""));
	assert_null(strstr(t, "virtioctl_vq_stalls_total{device=\"virtio9\""));
	assert_non_null(strstr(t, "virtioctl_vq_stalls_total{device=\"virtio1\",type=\"blk\",queue=\"0\",name=\"req.0\"} 0\n"));
	assert_non_null(strstr(t, "virtioctl_vq_latency_seconds_bucket{device=\"virtio1\",type=\"blk\",queue=\"0\","
				  "name=\"req.0\",le=\"2.048e-06\"} 3\n"));
	assert_non_null(strstr(t, ",le=\"8.192e-06\"} 4\n"));
	assert_non_null(strstr(t, ",le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(t, "virtioctl_vq_latency_seconds_count{device=\"virtio1\",type=\"blk\",queue=\"0\","
				  "name=\"req.0\"} 4\n"));
	assert_null(strstr(t, "_sum"));           /* no sum from this source: left out, not 0 */
	/* Each HELP line once. */
	const char *first = strstr(t, "# HELP virtioctl_vq_interrupts_total");
	assert_non_null(first);
	assert_null(strstr(first + 1, "# HELP virtioctl_vq_interrupts_total"));
	emit_buf_free(&b);
	top_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_flight),
		cmocka_unit_test(test_stall_none),
		cmocka_unit_test(test_stall_sides),
		cmocka_unit_test(test_deltas_and_churn),
		cmocka_unit_test(test_stall_over_ticks),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_sort_filter),
		cmocka_unit_test(test_prometheus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
