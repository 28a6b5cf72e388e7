/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Spec violations a device was seen to commit: stable code, the spec section it breaks, one sentence. */
#ifndef VIRTIOCTL_VIOLATION_H
#define VIRTIOCTL_VIOLATION_H

#include <stddef.h>

/*
 * Codes are stable snake_case strings that scripts match on (JSON
 * `violations[].code`); sections are the virtio 1.2 section numbers of the
 * requirement ("2.7.8").  The log is append-only and capped: a hostile
 * device cannot make it grow without bound.
 */
struct violation {
	char code[40];
	char section[16];
	char message[224];
};

#define VIOLATION_LOG_MAX 256u

struct violation_log {
	struct violation *v;
	size_t n;
	size_t cap;
	size_t dropped;          /* seen past VIOLATION_LOG_MAX */
};

void violation_add(struct violation_log *log, const char *code, const char *section, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Whether a violation with this code was recorded. */
int violation_count(const struct violation_log *log, const char *code);
/* Frees the entries; accepts NULL. */
void violation_log_free(struct violation_log *log);

#endif
