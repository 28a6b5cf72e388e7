/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Error value the library returns instead of printing: what failed, in which input, at which byte. */
#ifndef RING_DECODE_RD_ERROR_H
#define RING_DECODE_RD_ERROR_H

#include <stdbool.h>
#include <stdint.h>

struct rd_error {
	int err;              /* negative errno, e.g. -EINVAL, -EFAULT, -ENOMEM */
	bool has_offset;
	uint64_t offset;      /* byte offset inside the input (file, area or address) */
	char input[4096];     /* which input: file name (PATH_MAX) or area ("desc", "avail", ...) */
	char msg[1024];       /* one sentence: the problem and what to do */
};

/* Fills *e (if non-NULL) and returns err, so callers can `return rd_fail(...)`. */
int rd_fail(struct rd_error *e, int err, const char *input, bool has_offset, uint64_t offset,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
