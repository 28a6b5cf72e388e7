/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The text table of `virtioctl list`: columns sized to their content, fitted to a terminal's width when there is one. */
#ifndef VIRTIOCTL_LIST_TABLE_H
#define VIRTIOCTL_LIST_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* In the order printed; the comment says which go first when a terminal is too narrow. */
enum list_col {
	LIST_COL_ADDRESS,
	LIST_COL_TYPE,
	LIST_COL_DRIVER,
	LIST_COL_KERNEL,
	LIST_COL_VIRTIO,       /* dropped 4th */
	LIST_COL_TRANSPORT,    /* dropped 3rd */
	LIST_COL_STATUS,       /* dropped 5th */
	LIST_COL_QUEUES,       /* dropped 1st */
	LIST_COL_IRQ,          /* dropped 2nd */
	LIST_COL_FEATURES,     /* last: cut at whole names with ",+N" */
	LIST_NCOLS,
};

#define LIST_CELL_MAX 64
/* Fewest characters FEATURES keeps before more columns are dropped to make room. */
#define LIST_FEATURES_MIN 16

struct list_row {
	char cell[LIST_NCOLS - 1][LIST_CELL_MAX];
	char *features;          /* every negotiated name, comma-separated (owned); "-" when none */
	unsigned n_features;
};

struct list_table {
	size_t n, cap;
	struct list_row *rows;
};

/* A new row (cells set to ""), or NULL when out of memory. */
struct list_row *list_table_add(struct list_table *t);
void list_table_free(struct list_table *t);

/* The header text of a column. */
const char *list_col_header(enum list_col c);

/*
 * Which columns to print and FEATURES' width, for a terminal of `width`
 * columns (0: no limit, as when writing to a pipe or file).  Columns are
 * dropped in the order above until FEATURES gets LIST_FEATURES_MIN or the
 * rest fits; *features_width is 0 for "no limit".
 */
void list_table_fit(const struct list_table *t, size_t width, bool shown[LIST_NCOLS], size_t col_width[LIST_NCOLS],
		    size_t *features_width);

/*
 * FEATURES cut to at most `width` characters at whole names, with ",+N"
 * for the N names left out ("+N" alone when not even one fits).  width 0:
 * the full list.  Writes into buf (len bytes).
 */
const char *list_features_cut(const char *all, unsigned n_names, size_t width, char *buf, size_t len);

#endif
