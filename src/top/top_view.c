/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which rows top shows and in what order, and the one renderer of a tick for batch text, JSON and the screen. */
#include "top_view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vdev_render.h"
#include "virtio_spec.h"

static const char *const sort_names[TOP_SORT__COUNT] = {
	[TOP_SORT_DEVICE] = "device",
	[TOP_SORT_KICKS] = "kicks",
	[TOP_SORT_INTERRUPTS] = "interrupts",
	[TOP_SORT_IN_FLIGHT] = "in-flight",
	[TOP_SORT_LATENCY] = "latency",
	[TOP_SORT_STALL] = "stall",
};

const char *top_sort_name(enum top_sort s)
{
	return s < TOP_SORT__COUNT ? sort_names[s] : "?";
}

int top_sort_parse(const char *name, enum top_sort *out)
{
	for (int i = 0; i < TOP_SORT__COUNT; i++) {
		if (!strcmp(name, sort_names[i])) {
			*out = (enum top_sort)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *top_type_name(const struct vq_obs_queue *q)
{
	const struct virtio_device_type *t = q->device_id ? virtio_device_type_by_id(q->device_id) : NULL;

	return t ? t->name : NULL;
}

static bool keep(const struct top_row *r, const struct top_filter *f)
{
	const char *type = top_type_name(&r->q);

	if (f->device && strcmp(f->device, r->q.device) && !(type && !strcmp(f->device, type)))
		return false;
	if (f->queue) {
		char idx[16];

		snprintf(idx, sizeof(idx), "%u", r->q.queue);
		if (strcmp(f->queue, r->q.name) &&
		    (r->q.queue == VQ_QUEUE_INDEX_UNKNOWN || strcmp(f->queue, idx)))
			return false;
	}
	if (f->text[0] && !strstr(r->q.device, f->text) && !strstr(r->q.name, f->text) &&
	    !(type && strstr(type, f->text)))
		return false;
	return true;
}

/* "virtio2" < "virtio10": by length, then bytes. */
static int device_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static int natural_cmp(const struct top_row *a, const struct top_row *b)
{
	int c = device_cmp(a->q.device, b->q.device);

	if (c)
		return c;
	if (a->q.queue != b->q.queue)
		return a->q.queue < b->q.queue ? -1 : 1;
	return strcmp(a->q.name, b->q.name);
}

/* Larger first; unknown values last. */
static int desc_cmp(bool ka, uint64_t a, bool kb, uint64_t b)
{
	if (ka != kb)
		return ka ? -1 : 1;
	if (!ka || a == b)
		return 0;
	return a > b ? -1 : 1;
}

struct sort_ctx {
	const struct top_row *rows;
	enum top_sort sort;
};

static int row_cmp(const struct top_row *a, const struct top_row *b, enum top_sort sort)
{
	int c = 0;

	switch (sort) {
	case TOP_SORT_KICKS:
		c = desc_cmp(a->kicks.known, a->kicks.n, b->kicks.known, b->kicks.n);
		break;
	case TOP_SORT_INTERRUPTS:
		c = desc_cmp(a->interrupts.known, a->interrupts.n, b->interrupts.known, b->interrupts.n);
		break;
	case TOP_SORT_IN_FLIGHT:
		c = desc_cmp(a->has_in_flight, a->in_flight, b->has_in_flight, b->in_flight);
		break;
	case TOP_SORT_LATENCY:
		c = desc_cmp(a->has_latency, a->latency_p99_ns, b->has_latency, b->latency_p99_ns);
		break;
	case TOP_SORT_STALL: {
		bool sa = a->stall != TOP_STALL_NONE && a->stall != TOP_STALL_UNKNOWN;
		bool sb = b->stall != TOP_STALL_NONE && b->stall != TOP_STALL_UNKNOWN;

		c = desc_cmp(sa, a->stalled_for_ns, sb, b->stalled_for_ns);
		break;
	}
	case TOP_SORT_DEVICE:
	case TOP_SORT__COUNT:
		break;
	}
	return c ? c : natural_cmp(a, b);
}

size_t top_select(const struct top_state *st, const struct top_filter *f, enum top_sort sort, size_t *order)
{
	size_t n = 0;

	for (size_t i = 0; i < st->n_rows; i++)
		if (keep(&st->rows[i], f))
			order[n++] = i;
	/* Insertion sort: a few hundred queues at most, and stable. */
	for (size_t i = 1; i < n; i++) {
		size_t v = order[i], j = i;

		while (j > 0 && row_cmp(&st->rows[order[j - 1]], &st->rows[v], sort) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = v;
	}
	return n;
}

/* "850ns", "12us", "3.2ms", "1.5s": latencies are log2 bucket bounds, two digits are all they carry. */
static void format_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 10000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000));
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
}

/* JSON: the count within the tick (null when unknown); text: the rate per second ("-" when unknown). */
static void emit_tick_count(struct emit *e, const char *key, int width, struct top_delta d, double dt)
{
	if (emit_is_json(e)) {
		if (d.known)
			emit_uint(e, key, NULL, d.n);
		else
			emit_null(e, key);
		return;
	}
	if (!width)
		return;
	if (d.known && dt > 0)
		emit_text(e, "%*.1f ", width, (double)d.n / dt);
	else
		emit_text(e, "%*s ", width, "-");
}

static void emit_latency(struct emit *e, const char *key, bool known, uint64_t ns)
{
	char buf[16];

	if (emit_is_json(e)) {
		emit_opt_uint(e, key, NULL, known, ns);
		return;
	}
	format_ns(buf, sizeof(buf), ns);
	emit_text(e, "%7s ", known ? buf : "-");
}

void top_render_header(struct emit *e)
{
	emit_text(e, "%-9s %-8s %5s %-16s %-6s %5s %8s %8s %6s %6s %6s %5s %5s %7s %7s %8s %s", "DEVICE", "TYPE",
		  "QUEUE", "NAME", "RING", "SIZE", "KICKS/s", "IRQS/s", "AVAIL", "USED", "LAST", "INFL", "FREE", "P50",
		  "P99", "SUPPR/s", "STALL");
}

static void render_stall(struct emit *e, const struct top_row *r)
{
	bool stalled = r->stall != TOP_STALL_NONE && r->stall != TOP_STALL_UNKNOWN;

	if (!r->stall_known) {
		emit_null(e, "stalled");
		emit_null(e, "stall");
		emit_null(e, "stalled_for_ms");
		emit_text(e, "-");
		return;
	}
	emit_bool(e, "stalled", NULL, stalled);
	if (!stalled) {
		emit_null(e, "stall");
		emit_null(e, "stalled_for_ms");
		emit_text(e, "no");
		return;
	}
	emit_style(e, EMIT_STYLE_ERROR);
	emit_str(e, "stall", "%s", top_stall_name(r->stall));
	emit_uint(e, "stalled_for_ms", " %llums", r->stalled_for_ns / 1000000);
	emit_style(e, EMIT_STYLE_NONE);
}

void top_render_row(struct emit *e, const struct top_row *r)
{
	const struct vq_obs_queue *q = &r->q;
	bool idx = q->have & VQ_OBS_INDICES, ring = q->have & VQ_OBS_RING;
	const char *type = top_type_name(q);

	emit_object_begin(e, NULL);
	emit_str(e, "device", "%-9s ", q->device);
	emit_opt_uint(e, "device_id", NULL, q->device_id != 0, q->device_id);
	emit_opt_str(e, "type", "%-8s ", type);
	emit_opt_uint(e, "queue", "%5llu ", q->queue != VQ_QUEUE_INDEX_UNKNOWN, q->queue);
	emit_opt_str(e, "name", "%-16s ", q->name[0] ? q->name : NULL);
	emit_opt_str(e, "ring_type", "%-6s ", ring ? (q->ring_type == VQ_RING_PACKED ? "packed" : "split") : NULL);
	emit_opt_uint(e, "size", "%5llu ", ring, q->size);
	emit_tick_count(e, "kicks", 8, r->kicks, r->interval_s);
	emit_tick_count(e, "interrupts", 8, r->interrupts, r->interval_s);
	emit_opt_uint(e, "avail_idx", "%6llu ", idx, q->avail_idx);
	emit_opt_uint(e, "used_idx", "%6llu ", idx, q->used_idx);
	emit_opt_uint(e, "last_used_idx", "%6llu ", idx, q->last_used_idx);
	emit_opt_uint(e, "in_flight", "%5llu ", r->has_in_flight, r->in_flight);
	emit_opt_uint(e, "num_free", "%5llu ", q->have & VQ_OBS_NUM_FREE, q->num_free);
	emit_latency(e, "latency_p50_ns", r->has_latency, r->latency_p50_ns);
	emit_latency(e, "latency_p99_ns", r->has_latency, r->latency_p99_ns);
	emit_tick_count(e, "kicks_suppressed", 8, r->kicks_suppressed, r->interval_s);
	render_stall(e, r);
	/* JSON only: the rest of what the source counted within the tick, and since it opened. */
	emit_tick_count(e, "interrupts_spurious", 0, r->interrupts_spurious, r->interval_s);
	emit_tick_count(e, "adds", 0, r->adds, r->interval_s);
	emit_tick_count(e, "completions", 0, r->completions, r->interval_s);
	emit_opt_uint(e, "stalls_total", NULL, r->stall_known, r->stalls_total);
	emit_object_end(e);
}

void top_render_tick(struct emit *e, const struct top_state *st, const size_t *order, size_t n,
		     const struct top_tick_info *info)
{
	time_t secs = (time_t)info->wall_time;
	struct tm tm;
	char when[40];
	double dt = st->interval_s;

	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03dZ",
		 (int)((info->wall_time - (double)secs) * 1000));
	emit_object_begin(e, NULL);
	emit_str(e, "time", "virtioctl top - %s", when);
	emit_str(e, "source", ", source %s", info->source);
	emit_opt_str(e, "degraded", NULL, info->degraded_why[0] ? info->degraded_why : NULL);
	emit_opt_uint(e, "interval_ms", NULL, dt > 0, (unsigned long long)(dt * 1000 + 0.5));
	if (dt > 0)
		emit_text(e, ", interval %.2f s", dt);
	emit_uint(e, "queue_count", ", %llu queues\n", n);
	top_render_header(e);
	emit_text(e, "\n");
	emit_array_begin(e, "queues");
	for (size_t i = 0; i < n; i++) {
		top_render_row(e, &st->rows[order[i]]);
		emit_text(e, "\n");
	}
	emit_array_end(e);
	emit_text(e, "\n");
	emit_object_end(e);
}
