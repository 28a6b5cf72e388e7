/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl top`: live per-virtqueue activity of kernel-driven devices, on screen, in batch, JSON or Prometheus. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "observe_bpf.h"
#include "observe_procfs.h"
#include "top_prom.h"
#include "top_run.h"

enum {
	OPT_BATCH = 'b',
	OPT_ITERATIONS = 'n',
	OPT_DELAY = 'd',
	OPT_SORT = 's',
	OPT_STALL = 0x100,
	OPT_DEVICE,
	OPT_QUEUE,
	OPT_TEXTFILE,
	OPT_SOURCE,
	OPT_ATTACH,
};

static const struct cli_opt top_opts_table[] = {
	{ "batch", OPT_BATCH, no_argument, NULL, "print plain text ticks instead of the screen (as top -b)" },
	{ "iterations", OPT_ITERATIONS, required_argument, "N", "stop after N ticks (default: until interrupted)" },
	{ "delay", OPT_DELAY, required_argument, "SECS", "seconds between ticks, 0.1 to 3600 (default 1)" },
	{ "stall", OPT_STALL, required_argument, "SECS",
	  "flag a queue with requests in flight and no progress for SECS (default 5)" },
	{ "sort", OPT_SORT, required_argument, "KEY", "device, kicks, interrupts, in-flight, latency or stall" },
	{ "device", OPT_DEVICE, required_argument, "DEV", "only queues of this device (virtioN) or type (blk)" },
	{ "queue", OPT_QUEUE, required_argument, "Q", "only queues with this name (req.0) or index" },
	{ "textfile", OPT_TEXTFILE, required_argument, "PATH",
	  "rewrite PATH each tick with Prometheus metrics (node_exporter textfile collector)" },
	{ "source", OPT_SOURCE, required_argument, "SRC", "auto (default), bpf or procfs" },
	{ "attach", OPT_ATTACH, required_argument, "MODE",
	  "how BPF attaches: auto (default: fentry where possible), fentry or kprobe" },
	{ 0 },
};

volatile sig_atomic_t top_stop;

static void on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

uint64_t top_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double top_wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds as a plain decimal ("1", "0.5"); no exponents, no inf/nan. */
static int parse_secs(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!*s || strspn(s, "0123456789.") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_opt(struct cli_ctx *ctx, int c, const char *arg, struct top_opts *o)
{
	unsigned long long n;

	switch (c) {
	case OPT_BATCH:
		o->batch = true;
		return 0;
	case OPT_ITERATIONS:
		if (cli_parse_u64(arg, &n) < 0 || n == 0 || n > (1ull << 40))
			return cli_usage_error(ctx, "--iterations takes a count of at least 1, not '%s'", arg);
		o->iterations = (long long)n;
		return 0;
	case OPT_DELAY:
		if (parse_secs(arg, 0.1, 3600, &o->delay_s) < 0)
			return cli_usage_error(ctx, "--delay takes seconds from 0.1 to 3600, not '%s'", arg);
		return 0;
	case OPT_STALL:
		if (parse_secs(arg, 0.1, 86400, &o->stall_s) < 0)
			return cli_usage_error(ctx, "--stall takes seconds from 0.1 to 86400, not '%s'", arg);
		return 0;
	case OPT_SORT:
		if (top_sort_parse(arg, &o->sort) < 0)
			return cli_usage_error(ctx, "--sort takes device, kicks, interrupts, in-flight, latency or stall, "
						    "not '%s'", arg);
		return 0;
	case OPT_DEVICE:
		o->filter.device = arg;
		return 0;
	case OPT_QUEUE:
		o->filter.queue = arg;
		return 0;
	case OPT_TEXTFILE:
		if (!*arg)
			return cli_usage_error(ctx, "--textfile needs a path");
		o->textfile = arg;
		return 0;
	case OPT_SOURCE:
		if (!strcmp(arg, "auto"))
			o->source = TOP_SOURCE_AUTO;
		else if (!strcmp(arg, "bpf"))
			o->source = TOP_SOURCE_BPF;
		else if (!strcmp(arg, "procfs"))
			o->source = TOP_SOURCE_PROCFS;
		else
			return cli_usage_error(ctx, "--source takes auto, bpf or procfs, not '%s'", arg);
		return 0;
	case OPT_ATTACH:
		if (vq_obs_attach_parse(arg, &o->attach) < 0)
			return cli_usage_error(ctx, "--attach takes auto, fentry or kprobe, not '%s'", arg);
		return 0;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct cli_ctx *ctx, struct top_opts *o)
{
	struct cli_parser p;
	const char *arg;
	int c, r = 0;

	cli_parser_init(&p, &verb_top, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			r = p.exit_code ? p.exit_code : -1;
			goto out;
		}
		r = parse_opt(ctx, c, arg, o);
		if (r)
			goto out;
	}
	if (p.optind < argc)
		r = cli_usage_error(ctx, "unexpected argument '%s': top takes no operands (use --device or --queue)",
				    argv[p.optind]);
out:
	cli_parser_done(&p);
	return r;
}

/*
 * The complete (BPF) source when it can be had, otherwise the /proc one with
 * the reason.  Returns 0 or an exit code after printing one line.
 */
static int open_source(struct top_run *r)
{
	char why[200] = "--source procfs";
	int e;

	if (r->o->source != TOP_SOURCE_PROCFS) {
		e = vq_obs_open_bpf(&r->src, r->o->attach, why, sizeof(why));
		if (e == 0)
			return 0;
		if (r->o->source == TOP_SOURCE_BPF)
			return cli_error(r->ctx, EXIT_USAGE, "cannot use the BPF source: %s", why);
		if (!why[0])
			snprintf(why, sizeof(why), "no BPF: %s", strerror(-e));
	}
	e = vq_obs_open_procfs(NULL, NULL, why, &r->src);
	if (e < 0)
		return cli_error(r->ctx, EXIT_USAGE, "cannot read /proc/interrupts: %s", strerror(-e));
	return 0;
}

int top_run_tick(struct top_run *r)
{
	struct vq_obs_sample s;
	int e = r->src->ops->sample(r->src, &s);

	if (e < 0)
		return cli_error(r->ctx, EXIT_FAILURE, "%s source: cannot sample: %s", r->src->ops->name, strerror(-e));
	e = top_state_update(&r->st, &s);
	vq_obs_sample_free(&s);
	if (e < 0)
		return cli_error(r->ctx, EXIT_FAILURE, "out of memory");
	for (size_t i = 0; i < r->st.n_rows; i++)
		if (r->st.rows[i].stall != TOP_STALL_NONE && r->st.rows[i].stall != TOP_STALL_UNKNOWN)
			r->any_stall = true;
	if (r->o->textfile) {
		e = top_prom_write(r->o->textfile, &r->st);
		if (e < 0)
			return cli_error(r->ctx, EXIT_USAGE, "cannot write --textfile %s: %s", r->o->textfile,
					 strerror(-e));
	}
	r->next_tick_ns += (uint64_t)(r->o->delay_s * 1e9);
	r->ticks++;
	return 0;
}

/* Sleeps until the next tick (absolute, so ticks do not drift); false when interrupted by a stop signal. */
static bool wait_tick(const struct top_run *r)
{
	struct timespec ts = {
		.tv_sec = (time_t)(r->next_tick_ns / 1000000000u),
		.tv_nsec = (long)(r->next_tick_ns % 1000000000u),
	};

	while (!top_stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return !top_stop;
}

static int print_tick(struct top_run *r)
{
	size_t *order = calloc(r->st.n_rows + 1, sizeof(*order));
	struct top_tick_info info = {
		.source = r->src->ops->name,
		.degraded_why = r->src->degraded_why,
		.wall_time = top_wall_time(),
	};
	struct emit e;
	size_t n;

	if (!order)
		return cli_error(r->ctx, EXIT_FAILURE, "out of memory");
	n = top_select(&r->st, &r->o->filter, r->o->sort, order);
	cli_emit_init(r->ctx, &e);
	top_render_tick(&e, &r->st, order, n, &info);
	if (emit_is_json(&e))
		emit_text(&e, "\n");
	free(order);
	return cli_emit_flush(r->ctx, &e);
}

/* Batch text, JSON lines, or (when nothing is printed) only the textfile. */
static int run_batch(struct top_run *r, bool print)
{
	int e = 0;

	for (long long i = 0; r->o->iterations < 0 || i < r->o->iterations; i++) {
		if (!wait_tick(r))
			break;
		e = top_run_tick(r);
		if (!e && print)
			e = print_tick(r);
		if (e)
			return e;
	}
	return r->any_stall ? EXIT_ANOMALY : 0;
}

static int run_top(int argc, char **argv, struct cli_ctx *ctx)
{
	struct top_opts o = { .iterations = -1, .delay_s = 1, .stall_s = 5 };
	struct top_run r = { .o = &o, .ctx = ctx };
	struct sigaction sa = { .sa_handler = on_signal };
	bool interactive;
	int e = parse_args(argc, argv, ctx, &o);

	if (e)
		return e < 0 ? 0 : e;
	interactive = !o.batch && ctx->mode != EMIT_JSON && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	if (interactive && !top_tui_available() && !o.textfile)
		return cli_usage_error(ctx, "this build has no screen (built without ncursesw): use --batch, --json or "
					    "--textfile");
	e = open_source(&r);
	if (e)
		return e;
	r.st.stall_ns = (uint64_t)(o.stall_s * 1e9);
	/* Say once what is missing; the screen keeps it in its status line. */
	if (r.src->degraded_why[0] && !interactive)
		fprintf(stderr, "virtioctl top: degraded: %s\n", r.src->degraded_why);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* The baseline sample: every printed tick then has rates. */
	r.next_tick_ns = top_now_ns();
	e = top_run_tick(&r);
	r.ticks = 0;
	if (!e) {
		if (interactive && top_tui_available())
			e = top_tui_run(&r);
		else
			e = run_batch(&r, o.batch || ctx->mode == EMIT_JSON || !o.textfile || interactive);
	}
	top_state_free(&r.st);
	vq_obs_source_close(r.src);
	return e;
}

const struct cli_verb verb_top = {
	.name = "top",
	.run = run_top,
	.summary = "watch the kernel's virtqueues live: kicks, interrupts, indices, latency, stalls",
	.usage = "[OPTIONS]",
	.opts = top_opts_table,
	.complete = "none",
};
