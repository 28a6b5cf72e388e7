/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text table of `virtioctl list`: columns sized to their content, fitted to a terminal's width when there is one. */
#include "list_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const headers[LIST_NCOLS] = {
	[LIST_COL_ADDRESS] = "ADDRESS", [LIST_COL_TYPE] = "TYPE",     [LIST_COL_DRIVER] = "DRIVER",
	[LIST_COL_KERNEL] = "KERNEL",   [LIST_COL_VIRTIO] = "VIRTIO", [LIST_COL_TRANSPORT] = "TRANSPORT",
	[LIST_COL_STATUS] = "STATUS",   [LIST_COL_QUEUES] = "QUEUES", [LIST_COL_IRQ] = "IRQ",
	[LIST_COL_FEATURES] = "FEATURES",
};

/* What a narrow terminal loses first: the columns `info` repeats in detail. */
static const enum list_col drop_order[] = {
	LIST_COL_QUEUES, LIST_COL_IRQ, LIST_COL_TRANSPORT, LIST_COL_VIRTIO, LIST_COL_STATUS,
};

const char *list_col_header(enum list_col c)
{
	return c < LIST_NCOLS ? headers[c] : "";
}

struct list_row *list_table_add(struct list_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct list_row *r = realloc(t->rows, cap * sizeof(*r));

		if (!r)
			return NULL;
		t->rows = r;
		t->cap = cap;
	}
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	return &t->rows[t->n++];
}

void list_table_free(struct list_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].features);
	free(t->rows);
	*t = (struct list_table){ 0 };
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Width of everything but FEATURES: each shown column and the space after it. */
static size_t fixed_width(const bool shown[LIST_NCOLS], const size_t col_width[LIST_NCOLS])
{
	size_t w = 0;

	for (int c = 0; c < LIST_COL_FEATURES; c++)
		if (shown[c])
			w += col_width[c] + 1;
	return w;
}

void list_table_fit(const struct list_table *t, size_t width, bool shown[LIST_NCOLS], size_t col_width[LIST_NCOLS],
		    size_t *features_width)
{
	size_t full = strlen(headers[LIST_COL_FEATURES]), fixed;

	for (int c = 0; c < LIST_NCOLS; c++) {
		shown[c] = true;
		col_width[c] = strlen(headers[c]);
	}
	for (size_t i = 0; i < t->n; i++) {
		for (int c = 0; c < LIST_COL_FEATURES; c++)
			col_width[c] = max_size(col_width[c], strlen(t->rows[i].cell[c]));
		full = max_size(full, t->rows[i].features ? strlen(t->rows[i].features) : 1);
	}
	col_width[LIST_COL_FEATURES] = full;
	*features_width = 0;
	if (!width)
		return;
	fixed = fixed_width(shown, col_width);
	for (size_t d = 0; fixed + LIST_FEATURES_MIN > width && fixed + full > width &&
			   d < sizeof(drop_order) / sizeof(drop_order[0]); d++) {
		shown[drop_order[d]] = false;
		fixed = fixed_width(shown, col_width);
	}
	if (fixed + full <= width)
		return;
	/* Past the essential columns nothing more can go: FEATURES keeps at least its header's width. */
	*features_width = width > fixed + strlen(headers[LIST_COL_FEATURES]) ? width - fixed
									 : strlen(headers[LIST_COL_FEATURES]);
	col_width[LIST_COL_FEATURES] = *features_width;
}

const char *list_features_cut(const char *all, unsigned n_names, size_t width, char *buf, size_t len)
{
	size_t used = 0, prefix = 0;
	unsigned taken = 0;
	const char *p = all;

	if (!len)
		return "";
	if (!width || strlen(all) <= width || n_names < 2) {
		snprintf(buf, len, "%s", all);
		return buf;
	}
	/* Whole names while the rest still fits as ",+N" after them. */
	while (*p && taken < n_names) {
		const char *comma = strchr(p, ',');
		size_t nlen = comma ? (size_t)(comma - p) : strlen(p);
		size_t next = used + (taken ? 1 : 0) + nlen;
		char rest[16];
		int rlen = snprintf(rest, sizeof(rest), ",+%u", n_names - taken - 1);

		if (next + (size_t)rlen > width)
			break;
		used = next;
		prefix = (size_t)((p + nlen) - all);
		taken++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (!taken) {
		snprintf(buf, len, "+%u", n_names);
		return buf;
	}
	snprintf(buf, len, "%.*s,+%u", (int)prefix, all, n_names - taken);
	return buf;
}
