/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capped, append-only log of spec violations. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "violation.h"

void violation_add(struct violation_log *log, const char *code, const char *section, const char *fmt, ...)
{
	if (!log)
		return;
	if (log->n >= VIOLATION_LOG_MAX) {
		log->dropped++;
		return;
	}
	if (log->n == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 8;
		struct violation *v = realloc(log->v, cap * sizeof(*v));

		if (!v) {
			log->dropped++;
			return;
		}
		log->v = v;
		log->cap = cap;
	}
	struct violation *v = &log->v[log->n++];
	va_list ap;

	snprintf(v->code, sizeof(v->code), "%s", code);
	snprintf(v->section, sizeof(v->section), "%s", section);
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

int violation_count(const struct violation_log *log, const char *code)
{
	int n = 0;

	for (size_t i = 0; log && i < log->n; i++)
		n += !strcmp(log->v[i].code, code);
	return n;
}

void violation_log_free(struct violation_log *log)
{
	if (!log)
		return;
	free(log->v);
	*log = (struct violation_log){ 0 };
}
