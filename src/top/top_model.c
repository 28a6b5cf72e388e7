/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What top shows per queue, computed from two samples: deltas, in-flight, latency percentiles, stalls. */
#include "top_model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *top_stall_name(enum top_stall s)
{
	switch (s) {
	case TOP_STALL_NOT_NOTIFIED:
		return "driver_not_notified";
	case TOP_STALL_SUPPRESSED:
		return "notification_suppressed";
	case TOP_STALL_DEVICE:
		return "device_not_completing";
	case TOP_STALL_NO_INTERRUPT:
		return "no_interrupt";
	case TOP_STALL_UNCLEAR:
		return "unclear";
	case TOP_STALL_NONE:
	case TOP_STALL_UNKNOWN:
		break;
	}
	return NULL;
}

const char *top_stall_summary(enum top_stall s)
{
	switch (s) {
	case TOP_STALL_NOT_NOTIFIED:
		return "the driver added buffers but never notified the device";
	case TOP_STALL_SUPPRESSED:
		return "the driver added buffers but its notification was suppressed (event index or NO_NOTIFY)";
	case TOP_STALL_DEVICE:
		return "the device was notified but used nothing (used idx unchanged in memory)";
	case TOP_STALL_NO_INTERRUPT:
		return "the device used buffers (used idx moved in memory) but no interrupt made the driver reclaim them";
	case TOP_STALL_UNCLEAR:
		return "requests in flight and no progress; the source cannot tell which side is stuck";
	case TOP_STALL_NONE:
		return "no stall";
	case TOP_STALL_UNKNOWN:
		break;
	}
	return "the source cannot detect stalls";
}

/* Distance from b to a on the ring: split indices are free-running 16-bit, packed positions wrap at size. */
static bool ring_distance(const struct vq_obs_queue *q, uint16_t a, uint16_t b, uint32_t *out)
{
	if (!(q->have & VQ_OBS_INDICES) || !(q->have & VQ_OBS_RING))
		return false;
	if (q->ring_type == VQ_RING_SPLIT) {
		*out = (uint16_t)(a - b);
		return true;
	}
	/* Packed: bit 15 may carry a wrap counter; positions are below size. */
	uint32_t pa = a & 0x7fffu, pb = b & 0x7fffu;

	if (!q->size || pa >= q->size || pb >= q->size)
		return false;
	*out = (pa + q->size - pb) % q->size;
	return true;
}

bool top_in_flight(const struct vq_obs_queue *q, uint32_t *out)
{
	return ring_distance(q, q->avail_idx, q->used_idx, out);
}

bool top_outstanding(const struct vq_obs_queue *q, uint32_t *out)
{
	return ring_distance(q, q->avail_idx, q->last_used_idx, out);
}

bool top_progressed(const struct vq_obs_queue *ref, const struct vq_obs_queue *cur)
{
	uint32_t outstanding;

	if (!top_outstanding(cur, &outstanding) || outstanding == 0)
		return true;
	if (ref->last_used_idx != cur->last_used_idx)
		return true;
	return (ref->have & cur->have & VQ_OBS_COMPLETIONS) && ref->completions != cur->completions;
}

static bool grew(const struct vq_obs_queue *ref, const struct vq_obs_queue *cur, uint32_t bit, uint64_t a, uint64_t b)
{
	return (ref->have & cur->have & bit) && b > a;
}

enum top_stall top_stall_check(const struct vq_obs_queue *ref, const struct vq_obs_queue *cur, uint64_t elapsed_ns,
			       uint64_t stall_ns)
{
	uint32_t outstanding;

	if (!(cur->have & VQ_OBS_INDICES) || !(ref->have & VQ_OBS_INDICES) || !top_outstanding(cur, &outstanding))
		return TOP_STALL_UNKNOWN;
	if (outstanding == 0 || elapsed_ns < stall_ns || top_progressed(ref, cur))
		return TOP_STALL_NONE;
	/* Used entries the driver has not reclaimed: the device did its part. */
	if (cur->used_idx != cur->last_used_idx)
		return TOP_STALL_NO_INTERRUPT;
	/* Buffers made available since the last progress: was the device told? */
	if (cur->avail_idx != ref->avail_idx) {
		if (grew(ref, cur, VQ_OBS_KICKS, ref->kicks, cur->kicks))
			return TOP_STALL_DEVICE;
		if (grew(ref, cur, VQ_OBS_KICKS_SUPPRESSED, ref->kicks_suppressed, cur->kicks_suppressed))
			return TOP_STALL_SUPPRESSED;
		if (ref->have & cur->have & VQ_OBS_KICKS)
			return TOP_STALL_NOT_NOTIFIED;
		return TOP_STALL_UNCLEAR;
	}
	/* The buffers were there when the device last made progress: it knew of them and stopped. */
	return TOP_STALL_DEVICE;
}

bool top_latency_percentile(const uint64_t hist[VQ_OBS_LAT_BUCKETS], double p, uint64_t *ns)
{
	uint64_t total = 0, seen = 0, rank;

	for (unsigned i = 0; i < VQ_OBS_LAT_BUCKETS; i++)
		total += hist[i];
	if (!total)
		return false;
	rank = (uint64_t)ceil(p * (double)total);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < VQ_OBS_LAT_BUCKETS; i++) {
		seen += hist[i];
		if (seen >= rank) {
			*ns = 1ull << (i + 1);
			return true;
		}
	}
	*ns = 1ull << VQ_OBS_LAT_BUCKETS;
	return true;
}

struct top_delta top_counter_delta(const struct vq_obs_queue *prev, const struct vq_obs_queue *cur, uint32_t bit,
				   uint64_t prev_v, uint64_t cur_v)
{
	/* A counter that went backwards belongs to a queue that was torn down and set up again: no delta. */
	if (!prev || !(prev->have & cur->have & bit) || cur_v < prev_v)
		return (struct top_delta){ 0 };
	return (struct top_delta){ .known = true, .n = cur_v - prev_v };
}

static void latency_of_tick(struct top_row *r, const struct vq_obs_queue *prev)
{
	const struct vq_obs_queue *q = &r->q;

	if (!prev || !(prev->have & q->have & VQ_OBS_LATENCY))
		return;
	for (unsigned i = 0; i < VQ_OBS_LAT_BUCKETS; i++) {
		if (q->latency_log2_ns[i] < prev->latency_log2_ns[i])
			return;
		r->latency_tick[i] = q->latency_log2_ns[i] - prev->latency_log2_ns[i];
	}
	r->has_latency = top_latency_percentile(r->latency_tick, 0.5, &r->latency_p50_ns) &&
			 top_latency_percentile(r->latency_tick, 0.99, &r->latency_p99_ns);
}

static struct top_track *track_of(struct top_state *st, const struct vq_obs_queue *q, uint64_t now)
{
	struct top_track *t;

	for (size_t i = 0; i < st->n_track; i++)
		if (vq_obs_same_queue(&st->track[i].ref, q))
			return &st->track[i];
	t = realloc(st->track, (st->n_track + 1) * sizeof(*t));
	if (!t)
		return NULL;
	st->track = t;
	t = &st->track[st->n_track++];
	*t = (struct top_track){ .ref = *q, .ref_ns = now };
	return t;
}

static void stall_of_tick(struct top_row *r, struct top_track *t, uint64_t now, uint64_t stall_ns)
{
	enum top_stall s;

	t->seen = true;
	if (top_progressed(&t->ref, &r->q)) {
		t->ref = r->q;
		t->ref_ns = now;
		t->stalled = false;
	}
	s = top_stall_check(&t->ref, &r->q, now - t->ref_ns, stall_ns);
	r->stall_known = s != TOP_STALL_UNKNOWN;
	r->stall = s;
	if (s != TOP_STALL_NONE && s != TOP_STALL_UNKNOWN) {
		if (!t->stalled)
			t->stalls_total++;
		t->stalled = true;
		r->stalled_for_ns = now - t->ref_ns;
	}
	r->stalls_total = t->stalls_total;
}

static void drop_unseen_tracks(struct top_state *st)
{
	size_t w = 0;

	for (size_t i = 0; i < st->n_track; i++)
		if (st->track[i].seen)
			st->track[w++] = st->track[i];
	st->n_track = w;
}

int top_state_update(struct top_state *st, struct vq_obs_sample *cur)
{
	struct top_row *rows = cur->n ? calloc(cur->n, sizeof(*rows)) : NULL;
	const struct vq_obs_sample *prev = st->has_prev ? &st->prev : NULL;
	double dt = prev && cur->time_ns > prev->time_ns ? (double)(cur->time_ns - prev->time_ns) / 1e9 : 0;

	if (cur->n && !rows)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_track; i++)
		st->track[i].seen = false;
	for (size_t i = 0; i < cur->n; i++) {
		struct top_row *r = &rows[i];
		const struct vq_obs_queue *q = &cur->q[i], *p = prev ? vq_obs_find(prev, q) : NULL;
		struct top_track *t = track_of(st, q, cur->time_ns);
		struct vq_obs_queue appeared;

		/*
		 * Counters are cumulative since the source opened (or the queue
		 * appeared): a queue missing from the previous sample had counted
		 * nothing then.  The BPF source lists a queue only after its first
		 * event, so without this its first tick's events would be lost.
		 */
		if (prev && !p) {
			appeared = (struct vq_obs_queue){ .have = q->have };
			p = &appeared;
		}

		if (!t) {
			free(rows);
			return -ENOMEM;
		}
		r->q = *q;
		r->interval_s = dt;
		r->kicks = top_counter_delta(p, q, VQ_OBS_KICKS, p ? p->kicks : 0, q->kicks);
		r->kicks_suppressed = top_counter_delta(p, q, VQ_OBS_KICKS_SUPPRESSED, p ? p->kicks_suppressed : 0,
							q->kicks_suppressed);
		r->interrupts = top_counter_delta(p, q, VQ_OBS_INTERRUPTS, p ? p->interrupts : 0, q->interrupts);
		r->interrupts_spurious = top_counter_delta(p, q, VQ_OBS_INTERRUPTS_SPURIOUS,
							   p ? p->interrupts_spurious : 0, q->interrupts_spurious);
		r->adds = top_counter_delta(p, q, VQ_OBS_ADDS, p ? p->adds : 0, q->adds);
		r->completions = top_counter_delta(p, q, VQ_OBS_COMPLETIONS, p ? p->completions : 0, q->completions);
		r->has_in_flight = top_in_flight(q, &r->in_flight);
		latency_of_tick(r, p);
		stall_of_tick(r, t, cur->time_ns, st->stall_ns);
	}
	drop_unseen_tracks(st);
	free(st->rows);
	st->rows = rows;
	st->n_rows = cur->n;
	st->interval_s = dt;
	vq_obs_sample_free(&st->prev);
	st->prev = *cur;
	st->has_prev = true;
	*cur = (struct vq_obs_sample){ 0 };
	return 0;
}

void top_state_free(struct top_state *st)
{
	if (!st)
		return;
	vq_obs_sample_free(&st->prev);
	free(st->rows);
	free(st->track);
	st->rows = NULL;
	st->track = NULL;
	st->n_rows = st->n_track = 0;
	st->has_prev = false;
}
