/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prometheus text format for node_exporter's textfile collector, rewritten atomically each tick. */
#include "top_prom.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "top_view.h"

/* Label values are kernel-provided strings: escape backslash, quote and newline as the format requires. */
static void append_label_value(struct emit_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			emit_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			emit_buf_append(b, "\\n", 2);
		else
			emit_buf_append(b, s, 1);
	}
}

static void append_labels(struct emit_buf *b, const struct vq_obs_queue *q, const char *le)
{
	const char *type = top_type_name(q);

	emit_buf_append(b, "{device=\"", 9);
	append_label_value(b, q->device);
	emit_buf_printf(b, "\",type=\"%s\",queue=\"", type ? type : "");
	if (q->queue != VQ_QUEUE_INDEX_UNKNOWN)
		emit_buf_printf(b, "%u", q->queue);
	emit_buf_append(b, "\",name=\"", 8);
	append_label_value(b, q->name);
	emit_buf_append(b, "\"", 1);
	if (le)
		emit_buf_printf(b, ",le=\"%s\"", le);
	emit_buf_append(b, "}", 1);
}

enum value_kind { V_KICKS, V_SUPPRESSED, V_INTERRUPTS, V_SPURIOUS, V_COMPLETIONS, V_STALLS, V_IN_FLIGHT, V_FREE };

struct metric {
	const char *name;
	const char *type;
	const char *help;
	enum value_kind kind;
};

static const struct metric metrics[] = {
	{ "virtioctl_vq_kicks_total", "counter", "Notifications the driver sent to the device.", V_KICKS },
	{ "virtioctl_vq_kicks_suppressed_total", "counter",
	  "Notifications the driver did not send because the device asked not to be notified (event index or NO_NOTIFY).",
	  V_SUPPRESSED },
	{ "virtioctl_vq_interrupts_total", "counter",
	  "Interrupts that reached the queue's handler (per vector from /proc/interrupts when BPF is unavailable).",
	  V_INTERRUPTS },
	{ "virtioctl_vq_interrupts_spurious_total", "counter", "Interrupts that found nothing used.", V_SPURIOUS },
	{ "virtioctl_vq_completed_requests_total", "counter", "Buffers the device used and the driver reclaimed.",
	  V_COMPLETIONS },
	{ "virtioctl_vq_stalls_total", "counter",
	  "Times the queue had requests in flight and made no progress for the --stall time.", V_STALLS },
	{ "virtioctl_vq_in_flight", "gauge", "Buffers available to the device and not yet used.", V_IN_FLIGHT },
	{ "virtioctl_vq_free_descriptors", "gauge", "Descriptors the driver has free.", V_FREE },
};

static bool value_of(const struct top_row *r, enum value_kind k, unsigned long long *v)
{
	const struct vq_obs_queue *q = &r->q;

	switch (k) {
	case V_KICKS:
		*v = q->kicks;
		return q->have & VQ_OBS_KICKS;
	case V_SUPPRESSED:
		*v = q->kicks_suppressed;
		return q->have & VQ_OBS_KICKS_SUPPRESSED;
	case V_INTERRUPTS:
		*v = q->interrupts;
		return q->have & VQ_OBS_INTERRUPTS;
	case V_SPURIOUS:
		*v = q->interrupts_spurious;
		return q->have & VQ_OBS_INTERRUPTS_SPURIOUS;
	case V_COMPLETIONS:
		*v = q->completions;
		return q->have & VQ_OBS_COMPLETIONS;
	case V_STALLS:
		*v = r->stalls_total;
		return r->stall_known;
	case V_IN_FLIGHT:
		*v = r->in_flight;
		return r->has_in_flight;
	case V_FREE:
		*v = q->num_free;
		return q->have & VQ_OBS_NUM_FREE;
	}
	return false;
}

static void format_metric(struct emit_buf *b, const struct top_state *st, const struct metric *m)
{
	bool any = false;

	for (size_t i = 0; i < st->n_rows; i++) {
		unsigned long long v;

		if (!value_of(&st->rows[i], m->kind, &v))
			continue;
		if (!any)
			emit_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
		any = true;
		emit_buf_append(b, m->name, strlen(m->name));
		append_labels(b, &st->rows[i].q, NULL);
		emit_buf_printf(b, " %llu\n", v);
	}
}

/* Bucket i of the kernel-side histogram holds [2^i, 2^(i+1)) ns: its upper bound is le in seconds. */
static void format_latency(struct emit_buf *b, const struct top_state *st)
{
	static const char name[] = "virtioctl_vq_latency_seconds";
	bool any = false;

	for (size_t i = 0; i < st->n_rows; i++) {
		const struct vq_obs_queue *q = &st->rows[i].q;
		uint64_t cum = 0;

		if (!(q->have & VQ_OBS_LATENCY))
			continue;
		if (!any)
			emit_buf_printf(b, "# HELP %s Time from adding a request to the driver reclaiming it.\n"
					   "# TYPE %s histogram\n", name, name);
		any = true;
		for (unsigned k = 0; k < VQ_OBS_LAT_BUCKETS; k++) {
			char le[32];

			cum += q->latency_log2_ns[k];
			if (k == VQ_OBS_LAT_BUCKETS - 1)
				snprintf(le, sizeof(le), "+Inf");
			else
				snprintf(le, sizeof(le), "%.9g", (double)(1ull << (k + 1)) / 1e9);
			emit_buf_printf(b, "%s_bucket", name);
			append_labels(b, q, le);
			emit_buf_printf(b, " %llu\n", (unsigned long long)cum);
		}
		if (q->have & VQ_OBS_LATENCY_SUM) {
			emit_buf_printf(b, "%s_sum", name);
			append_labels(b, q, NULL);
			emit_buf_printf(b, " %.9f\n", (double)q->latency_sum_ns / 1e9);
		}
		emit_buf_printf(b, "%s_count", name);
		append_labels(b, q, NULL);
		emit_buf_printf(b, " %llu\n", (unsigned long long)cum);
	}
}

void top_prom_format(struct emit_buf *b, const struct top_state *st)
{
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		format_metric(b, st, &metrics[i]);
	format_latency(b, st);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int top_prom_write(const char *path, const struct top_state *st)
{
	struct emit_buf b = { 0 };
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	/* Hidden and not ending in .prom: the collector never reads the half-written file. */
	if (slash)
		r = snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		r = snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return -ENAMETOOLONG;
	top_prom_format(&b, st);
	if (b.oom) {
		emit_buf_free(&b);
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		emit_buf_free(&b);
		return -errno;
	}
	r = write_all(fd, b.data ? b.data : "", b.len);
	emit_buf_free(&b);
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}
