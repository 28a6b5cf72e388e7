/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What top shows per queue, computed from two samples: deltas, in-flight, latency percentiles, stalls. */
#ifndef VIRTIOCTL_TOP_MODEL_H
#define VIRTIOCTL_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vq_observe.h"

/* A counter's change within one tick; unknown when the source lacks it, the queue is new, or it went backwards. */
struct top_delta {
	bool known;
	uint64_t n;
};

/* Which side of a stalled queue looks stuck. */
enum top_stall {
	TOP_STALL_NONE,
	TOP_STALL_UNKNOWN,          /* the source cannot tell (no indices) */
	TOP_STALL_NOT_NOTIFIED,     /* driver added buffers but sent no notification */
	TOP_STALL_SUPPRESSED,       /* driver added buffers; the notification was suppressed (event index / NO_NOTIFY) */
	TOP_STALL_DEVICE,           /* device was notified but used nothing (used idx unchanged in memory) */
	TOP_STALL_NO_INTERRUPT,     /* device used buffers (used idx moved) but the driver was not interrupted */
	TOP_STALL_UNCLEAR,          /* stalled; the source cannot tell which side (no kick counts) */
};

/* "driver_not_notified", ...; NULL for NONE and UNKNOWN. */
const char *top_stall_name(enum top_stall s);
/* One sentence naming the stuck side. */
const char *top_stall_summary(enum top_stall s);

/* Buffers exposed to the device and not yet used by it; false when the source has no indices. */
bool top_in_flight(const struct vq_obs_queue *q, uint32_t *out);
/* Buffers the driver made available and has not reclaimed yet (in flight plus used-but-not-reclaimed). */
bool top_outstanding(const struct vq_obs_queue *q, uint32_t *out);

/* Whether the driver reclaimed anything between ref and cur (or the queue drained): the stall clock restarts. */
bool top_progressed(const struct vq_obs_queue *ref, const struct vq_obs_queue *cur);

/*
 * The stall verdict over two samples of one queue: ref, taken when progress
 * was last seen, and cur, elapsed_ns later.  NONE unless requests are in
 * flight and nothing was reclaimed for at least stall_ns; UNKNOWN when the
 * source has no indices.  Pure: no clock, no state.
 */
enum top_stall top_stall_check(const struct vq_obs_queue *ref, const struct vq_obs_queue *cur, uint64_t elapsed_ns,
			       uint64_t stall_ns);

/*
 * The latency below which a fraction p (0..1) of the histogram's requests
 * completed: the upper bound of the log2 bucket holding that rank, in ns.
 * false when the histogram is empty.
 */
bool top_latency_percentile(const uint64_t hist[VQ_OBS_LAT_BUCKETS], double p, uint64_t *ns);

/* One queue as shown in one tick. */
struct top_row {
	struct vq_obs_queue q;      /* the latest sample */
	double interval_s;          /* since the previous sample; 0 on the first tick */
	struct top_delta kicks, kicks_suppressed, interrupts, interrupts_spurious, adds, completions;
	bool has_in_flight;
	uint32_t in_flight;
	bool has_latency;           /* requests completed within the tick */
	uint64_t latency_p50_ns, latency_p99_ns;
	uint64_t latency_tick[VQ_OBS_LAT_BUCKETS];
	bool stall_known;           /* false: the source cannot detect stalls (JSON null) */
	enum top_stall stall;
	uint64_t stalled_for_ns;
	uint64_t stalls_total;      /* times the queue entered a stall since top started */
};

/* What persists per queue between ticks: the sample at the last progress, for the stall clock. */
struct top_track {
	struct vq_obs_queue ref;
	uint64_t ref_ns;
	bool stalled;
	uint64_t stalls_total;
	bool seen;
};

struct top_state {
	uint64_t stall_ns;
	struct vq_obs_sample prev;  /* owned */
	bool has_prev;
	double interval_s;          /* between the last two samples; 0 after the first (also when no queue has a row) */
	struct top_row *rows;
	size_t n_rows;
	struct top_track *track;
	size_t n_track;
};

/*
 * Turns a new sample into rows (taking ownership of *cur, which is left
 * empty).  0 or -ENOMEM.
 */
int top_state_update(struct top_state *st, struct vq_obs_sample *cur);
/* Accepts NULL. */
void top_state_free(struct top_state *st);

/* The change of a cumulative counter between two samples (have bit `bit` in both; never backwards). */
struct top_delta top_counter_delta(const struct vq_obs_queue *prev, const struct vq_obs_queue *cur, uint32_t bit,
				   uint64_t prev_v, uint64_t cur_v);

#endif
