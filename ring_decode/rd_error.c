/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Filling struct rd_error in one place so every parser reports the same way. */
#include "rd_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rd_fail(struct rd_error *e, int err, const char *input, bool has_offset, uint64_t offset,
	    const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	e->err = err;
	e->has_offset = has_offset;
	e->offset = offset;
	snprintf(e->input, sizeof(e->input), "%s", input ? input : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}
