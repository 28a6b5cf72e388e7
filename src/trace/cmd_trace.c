/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl trace`: the kernel's virtqueue events as they happen (add, kick, notify, interrupt, complete), from BPF. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "observe_bpf.h"
#include "trace_names.h"
#include "trace_perfetto.h"
#include "virtio_spec.h"

enum {
	OPT_ATTACH = 256,
	OPT_DURATION = 'd',
	OPT_COUNT = 'c',
	OPT_DEVICE = 257,
	OPT_QUEUE = 'q',
	OPT_EVENT = 'e',
	OPT_FORMAT = 'f',
	OPT_OUTPUT = 'o',
};

static const struct cli_opt trace_opts[] = {
	{ "duration", OPT_DURATION, required_argument, "SECS", "stop after SECS seconds" },
	{ "count", OPT_COUNT, required_argument, "N", "stop after N events (after filtering)" },
	{ "device", OPT_DEVICE, required_argument, "NAME", "only this kernel virtio device (virtioN; repeatable)" },
	{ "queue", OPT_QUEUE, required_argument, "N", "only queue N" },
	{ "event", OPT_EVENT, required_argument, "LIST",
	  "only these events: add,kick,kick_suppressed,notify,interrupt,interrupt_spurious,complete" },
	{ "format", OPT_FORMAT, required_argument, "FORMAT", "text (default), json (one object per line), perfetto" },
	{ "output", OPT_OUTPUT, required_argument, "FILE", "write to FILE instead of stdout" },
	{ "attach", OPT_ATTACH, required_argument, "MODE", "auto (default), fentry or kprobe" },
	{ 0 },
};

enum trace_format { FMT_TEXT, FMT_JSON, FMT_PERFETTO };

#define MAX_DEVICE_FILTERS 32

struct trace_args {
	enum vq_obs_attach attach;
	unsigned long long duration_s, count;
	bool has_duration, has_count;
	uint32_t devices[MAX_DEVICE_FILTERS];
	size_t n_devices;
	bool has_queue;
	unsigned queue;
	uint32_t event_mask;         /* bit per enum vq_obs_event_type; 0 = all */
	enum trace_format format;
	const char *output;
};

struct trace_run {
	struct cli_ctx *ctx;
	const struct trace_args *a;
	struct vq_obs_source *src;
	struct trace_names names;
	struct emit e;
	FILE *out;
	uint64_t t0_ns;
	unsigned long long printed;
	bool seen_dev[4096], seen_queue_named[TRACE_NAMES_MAX];
	int write_error;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int parse_events(const char *list, uint32_t *mask)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t;

		for (t = VQ_OBS_EV_ADD; t <= VQ_OBS_EV_COMPLETE; t++)
			if (!strcmp(tok, vq_obs_event_name((enum vq_obs_event_type)t)))
				break;
		if (t > VQ_OBS_EV_COMPLETE)
			return -EINVAL;
		*mask |= 1u << t;
	}
	return *mask ? 0 : -EINVAL;
}

static int parse_args(int argc, char **argv, struct cli_ctx *ctx, struct trace_args *a, int *first)
{
	struct cli_parser p;
	const char *arg;
	int c, r = 0;

	cli_parser_init(&p, &verb_trace, ctx, argc, argv);
	while (!r && (c = cli_next(&p, &arg)) != CLI_END) {
		unsigned v;

		switch (c) {
		case CLI_EXIT:
			r = p.exit_code ? p.exit_code : -1;
			break;
		case OPT_ATTACH:
			if (vq_obs_attach_parse(arg, &a->attach) < 0)
				r = cli_usage_error(ctx, "--attach takes auto, fentry or kprobe, not '%s'", arg);
			break;
		case OPT_DURATION:
			if (cli_parse_u64(arg, &a->duration_s) < 0 || !a->duration_s)
				r = cli_usage_error(ctx, "--duration takes a number of seconds > 0, not '%s'", arg);
			a->has_duration = true;
			break;
		case OPT_COUNT:
			if (cli_parse_u64(arg, &a->count) < 0 || !a->count)
				r = cli_usage_error(ctx, "--count takes a number > 0, not '%s'", arg);
			a->has_count = true;
			break;
		case OPT_DEVICE:
			if (strncmp(arg, "virtio", 6) || cli_parse_u32(arg + 6, &v) < 0)
				r = cli_usage_error(ctx, "--device takes a kernel virtio device name such as virtio0, not '%s'",
						    arg);
			else if (a->n_devices == MAX_DEVICE_FILTERS)
				r = cli_usage_error(ctx, "at most %d --device filters", MAX_DEVICE_FILTERS);
			else
				a->devices[a->n_devices++] = v;
			break;
		case OPT_QUEUE:
			if (cli_parse_u32(arg, &a->queue) < 0 || a->queue > 0xffff)
				r = cli_usage_error(ctx, "--queue takes a queue index 0-65535, not '%s'", arg);
			a->has_queue = true;
			break;
		case OPT_EVENT:
			if (parse_events(arg, &a->event_mask) < 0)
				r = cli_usage_error(ctx, "--event takes a comma-separated list of add, kick, kick_suppressed, "
						    "notify, interrupt, interrupt_spurious, complete; not '%s'", arg);
			break;
		case OPT_FORMAT:
			if (!strcmp(arg, "text"))
				a->format = FMT_TEXT;
			else if (!strcmp(arg, "json"))
				a->format = FMT_JSON;
			else if (!strcmp(arg, "perfetto"))
				a->format = FMT_PERFETTO;
			else
				r = cli_usage_error(ctx, "--format takes text, json or perfetto, not '%s'", arg);
			break;
		case OPT_OUTPUT:
			a->output = arg;
			break;
		}
	}
	*first = p.optind;
	cli_parser_done(&p);
	if (r)
		return r < 0 ? 0 : r;
	if (*first < argc)
		return cli_usage_error(ctx, "trace takes no arguments, got '%s'", argv[*first]);
	if (ctx->mode == EMIT_JSON && a->format == FMT_TEXT)
		a->format = FMT_JSON;
	return -1;
}

static bool wanted(const struct trace_args *a, const struct vq_obs_event *ev)
{
	bool dev_ok = !a->n_devices;

	for (size_t i = 0; i < a->n_devices; i++)
		dev_ok |= a->devices[i] == ev->dev_index;
	return dev_ok && (!a->has_queue || a->queue == ev->queue) &&
	       (!a->event_mask || (a->event_mask & (1u << ev->type)));
}

static void flush_line(struct trace_run *t)
{
	size_t len;
	const char *s = emit_result(&t->e, &len);

	if (!s || fwrite(s, 1, len, t->out) != len || fflush(t->out))
		t->write_error = errno ? errno : ENOMEM;
	emit_reset(&t->e);
}

/* One event: a text line or a JSON object on its own line (one walk for both). */
static void render_event(struct trace_run *t, const struct vq_obs_event *ev, const struct trace_queue_name *qn)
{
	struct emit *e = &t->e;
	char dev[24];
	uint64_t rel = ev->time_ns > t->t0_ns ? ev->time_ns - t->t0_ns : 0;

	snprintf(dev, sizeof(dev), "virtio%u", ev->dev_index);
	emit_object_begin(e, NULL);
	emit_text(e, "%llu.%06llu ", (unsigned long long)(rel / 1000000000u),
		  (unsigned long long)(rel % 1000000000u / 1000));
	emit_uint(e, "time_ns", NULL, ev->time_ns);
	emit_uint(e, "cpu", "cpu%-3llu ", ev->cpu);
	emit_str(e, "device", "%s ", dev);
	emit_uint(e, "queue", "q%llu ", ev->queue);
	if (qn->name[0])
		emit_str(e, "name", "%-10s ", qn->name);
	else {
		emit_null(e, "name");
		emit_text(e, "%-10s ", "?");
	}
	emit_str(e, "event", "%-18s", vq_obs_event_name(ev->type));
	emit_str(e, "ring_type", NULL, ev->packed ? "packed" : "split");
	emit_uint(e, "avail_idx", " avail=%llu", ev->avail_idx);
	emit_uint(e, "last_used_idx", " last_used=%llu", ev->last_used_idx);
	if (ev->head != VQ_OBS_HEAD_UNKNOWN)
		emit_uint(e, "head", " head=%llu", ev->head);
	else
		emit_null(e, "head");
	if (ev->type == VQ_OBS_EV_COMPLETE)
		emit_uint(e, "len", " len=%llu", ev->len);
	else
		emit_null(e, "len");
	if (ev->request)
		emit_uint(e, "request", " req=%llu", ev->request);
	else
		emit_null(e, "request");
	if (ev->type == VQ_OBS_EV_COMPLETE && ev->latency_ns)
		emit_uint(e, "latency_ns", " latency_ns=%llu", ev->latency_ns);
	else
		emit_null(e, "latency_ns");
	emit_object_end(e);
	emit_text(e, "\n");   /* JSON mode ends each top-level object with its own newline */
	flush_line(t);
}

static int on_event(const struct vq_obs_event *ev, void *arg)
{
	struct trace_run *t = arg;
	const struct trace_queue_name *qn;

	if (!wanted(t->a, ev))
		return 0;
	if (!t->t0_ns)
		t->t0_ns = ev->time_ns;
	qn = trace_name(&t->names, t->src, ev->dev_index, ev->queue);
	if (t->a->format == FMT_PERFETTO) {
		size_t qi = (size_t)(qn - t->names.q);
		if (qi < TRACE_NAMES_MAX && !t->seen_queue_named[qi]) {
			const struct virtio_device_type *dt = virtio_device_type_by_id(qn->device_id);
			char label[48];
			bool first = ev->dev_index >= 4096 || !t->seen_dev[ev->dev_index];

			snprintf(label, sizeof(label), "virtio%u %s", ev->dev_index, dt ? dt->name : "");
			perfetto_queue(&t->e, ev->dev_index, ev->queue, label, qn->name, first);
			if (ev->dev_index < 4096)
				t->seen_dev[ev->dev_index] = true;
			t->seen_queue_named[qi] = true;
		}
		perfetto_event(&t->e, ev, qn->name, t->t0_ns);
	} else {
		render_event(t, ev, qn);
	}
	t->printed++;
	return t->a->has_count && t->printed >= t->a->count;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int run_loop(struct trace_run *t)
{
	uint64_t deadline = t->a->has_duration ? mono_ms() + t->a->duration_s * 1000u : 0;

	while (!stop_requested && !t->write_error) {
		int timeout = 200;

		if (deadline) {
			uint64_t now = mono_ms();
			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)timeout)
				timeout = (int)(deadline - now);
		}
		int r = vq_obs_bpf_trace_poll(t->src, timeout, on_event, t);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return cli_error(t->ctx, EXIT_FAILURE, "reading the BPF ring buffer: %s", strerror(-r));
		if (t->a->has_count && t->printed >= t->a->count)
			return 0;
	}
	/* Events committed before the end whose wakeup had not come yet still belong to the trace. */
	if (!t->write_error && !(t->a->has_count && t->printed >= t->a->count)) {
		int r = vq_obs_bpf_trace_poll(t->src, 0, on_event, t);
		if (r < 0 && r != -EINTR)
			return cli_error(t->ctx, EXIT_FAILURE, "reading the BPF ring buffer: %s", strerror(-r));
	}
	return 0;
}

static int run_trace(int argc, char **argv, struct cli_ctx *ctx)
{
	struct trace_args a = { .attach = VQ_OBS_ATTACH_AUTO };
	struct trace_run *t;
	char why[256] = "";
	int first, r;

	r = parse_args(argc, argv, ctx, &a, &first);
	if (r >= 0)
		return r;
	t = calloc(1, sizeof(*t));
	if (!t)
		return cli_error(ctx, EXIT_FAILURE, "out of memory");
	t->ctx = ctx;
	t->a = &a;
	r = vq_obs_open_bpf(&t->src, a.attach, why, sizeof(why));
	if (r < 0) {
		free(t);
		return cli_error(ctx, r == -EOPNOTSUPP || r == -EPERM || r == -ENOENT ? EXIT_USAGE : EXIT_FAILURE,
				 "cannot watch the kernel's virtqueues: %s", why);
	}
	t->out = stdout;
	if (a.output && !(t->out = fopen(a.output, "w"))) {
		r = cli_error(ctx, EXIT_FAILURE, "%s: cannot create: %s", a.output, strerror(errno));
		t->src->ops->close(t->src);
		free(t);
		return r;
	}
	emit_init(&t->e, a.format == FMT_TEXT ? EMIT_TEXT : EMIT_JSON, a.format == FMT_PERFETTO && ctx->pretty,
		  a.format == FMT_TEXT && ctx->color && !a.output);
	if (a.format == FMT_PERFETTO)
		perfetto_begin(&t->e);

	/* Reporting is on before the banner says so: a workload started on seeing it is traced from its first event. */
	r = vq_obs_bpf_trace_poll(t->src, 0, on_event, t);
	if (r < 0) {
		r = cli_error(ctx, EXIT_FAILURE, "reading the BPF ring buffer: %s", strerror(-r));
		if (t->out != stdout)
			fclose(t->out);
		emit_free(&t->e);
		t->src->ops->close(t->src);
		free(t);
		return r;
	}
	/* On stderr, so scripts can wait for it and stdout stays the events alone (as bpftrace's "Attaching"). */
	fprintf(stderr, "Tracing virtqueue events through %s... Ctrl-C to stop.\n", t->src->ops->name);

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = run_loop(t);
	if (!r && a.format == FMT_PERFETTO) {
		perfetto_end(&t->e);
		emit_buf_append(&t->e.buf, "\n", 1);
		flush_line(t);
	}
	if (!r && t->write_error)
		r = cli_error(ctx, EXIT_FAILURE, "cannot write the trace: %s", strerror(t->write_error));
	uint64_t lost = vq_obs_bpf_trace_lost(t->src);
	if (!r && lost)
		fprintf(stderr, "virtioctl trace: %llu events were lost (the ring buffer was full); filter with "
			"--device/--queue/--event or trace for less time\n", (unsigned long long)lost);
	if (t->out != stdout && fclose(t->out) && !r)
		r = cli_error(ctx, EXIT_FAILURE, "%s: cannot write: %s", a.output, strerror(errno));
	emit_free(&t->e);
	t->src->ops->close(t->src);
	free(t);
	return r;
}

const struct cli_verb verb_trace = {
	.name = "trace",
	.run = run_trace,
	.summary = "stream the kernel's virtqueue events (add, kick, interrupt, complete) with BPF",
	.usage = "[-d SECS] [-c N] [--device virtioN] [-q N] [-e LIST] [--format FORMAT] [-o FILE]",
	.opts = trace_opts,
	.complete = "none",
};
