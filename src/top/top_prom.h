/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prometheus text format for node_exporter's textfile collector, rewritten atomically each tick. */
#ifndef VIRTIOCTL_TOP_PROM_H
#define VIRTIOCTL_TOP_PROM_H

#include <stddef.h>

#include "emit.h"
#include "top_model.h"

/*
 * Appends the metrics of every row to b: cumulative counters since the
 * source opened, gauges, and the latency histogram.  A metric the source
 * cannot know is left out for that queue, never written as zero.
 */
void top_prom_format(struct emit_buf *b, const struct top_state *st);

/*
 * Writes the metrics to path atomically: a temporary file in the same
 * directory, renamed over path.  0 or negative errno.
 */
int top_prom_write(const char *path, const struct top_state *st);

#endif
