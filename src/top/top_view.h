/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which rows top shows and in what order, and the one renderer of a tick for batch text, JSON and the screen. */
#ifndef VIRTIOCTL_TOP_VIEW_H
#define VIRTIOCTL_TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "emit.h"
#include "top_model.h"

enum top_sort {
	TOP_SORT_DEVICE,        /* device, then queue index */
	TOP_SORT_KICKS,
	TOP_SORT_INTERRUPTS,
	TOP_SORT_IN_FLIGHT,
	TOP_SORT_LATENCY,       /* p99 */
	TOP_SORT_STALL,         /* stalled first, longest first */
	TOP_SORT__COUNT,
};

/* "device", "kicks", ...; parse returns -EINVAL for an unknown name. */
const char *top_sort_name(enum top_sort s);
int top_sort_parse(const char *name, enum top_sort *out);

struct top_filter {
	const char *device;     /* virtioN or a type name ("blk"); NULL: all */
	const char *queue;      /* queue name or index; NULL: all */
	char text[64];          /* interactive: substring of device, type or name; "" all */
};

/* The short type name of a queue's device ("blk"), or NULL when unknown. */
const char *top_type_name(const struct vq_obs_queue *q);

/*
 * Fills order[] (st->n_rows entries) with the indices of the rows the
 * filter keeps, sorted; returns how many.
 */
size_t top_select(const struct top_state *st, const struct top_filter *f, enum top_sort sort, size_t *order);

struct top_tick_info {
	const char *source;          /* the source's ops name */
	const char *degraded_why;    /* "" when complete */
	double wall_time;            /* seconds since the epoch */
};

/* Text: the column header line; the screen draws it apart from the rows. */
void top_render_header(struct emit *e);
/* One row: text one line (no newline), JSON one object. */
void top_render_row(struct emit *e, const struct top_row *r);
/* A whole tick: text "top -b" style (summary, header, rows, blank line); JSON one object. */
void top_render_tick(struct emit *e, const struct top_state *st, const size_t *order, size_t n,
		     const struct top_tick_info *info);

#endif
