/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One top session: its options, its source, and the tick that samples, updates rows and writes the textfile. */
#ifndef VIRTIOCTL_TOP_RUN_H
#define VIRTIOCTL_TOP_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "cli.h"
#include "observe_bpf.h"
#include "top_model.h"
#include "top_view.h"
#include "vq_observe.h"

enum top_source_choice { TOP_SOURCE_AUTO, TOP_SOURCE_BPF, TOP_SOURCE_PROCFS };

struct top_opts {
	bool batch;
	long long iterations;       /* -1: until interrupted */
	double delay_s;
	double stall_s;
	enum top_sort sort;
	struct top_filter filter;
	const char *textfile;
	enum top_source_choice source;
	enum vq_obs_attach attach;
};

struct top_run {
	const struct top_opts *o;
	const struct cli_ctx *ctx;
	struct vq_obs_source *src;
	struct top_state st;
	long long ticks;            /* samples taken after the baseline */
	bool any_stall;             /* some queue was flagged during the run: exit 1 */
	uint64_t next_tick_ns;      /* CLOCK_MONOTONIC deadline of the next sample */
};

/* Set by SIGINT/SIGTERM: loops finish the tick and leave. */
extern volatile sig_atomic_t top_stop;

uint64_t top_now_ns(void);
double top_wall_time(void);

/*
 * Samples the source, updates the rows and rewrites the textfile; sets the
 * next deadline.  0, or an exit code after printing one line.
 */
int top_run_tick(struct top_run *r);

/* The interactive screen; returns the exit code. */
int top_tui_run(struct top_run *r);
/* Whether this build has the interactive screen (ncursesw). */
bool top_tui_available(void);

#endif
