/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The self-test registry: one suite per device type (probe_<type>.c), plus the generic one every device gets. */
#ifndef VIRTIOCTL_PROBE_TESTS_H
#define VIRTIOCTL_PROBE_TESTS_H

#include "probe.h"

struct probe_test {
	const char *name;            /* "blk.read": suite prefix, dot, test */
	const char *summary;         /* for --list-tests */
	/*
	 * Records its own result(s) with probe_result().  Returns 0, or a
	 * negative errno when the device became unusable (the remaining tests
	 * are then skipped and p->error says why).
	 */
	int (*run)(struct probe *p);
};

struct probe_suite {
	const char *name;            /* "blk"; "generic" for the suite every device gets */
	uint32_t device_id;          /* 0: any device */
	/*
	 * Which queues the suite drives, decided after feature negotiation
	 * (net's control queue index depends on MQ).  Returns how many it wrote.
	 */
	size_t (*queues)(const struct probe *p, uint16_t *out, size_t max);
	const struct probe_test *tests;   /* terminated by { 0 } */
};

extern const struct probe_suite probe_suite_generic;
extern const struct probe_suite probe_suite_blk;
extern const struct probe_suite probe_suite_net;
extern const struct probe_suite probe_suite_rng;
extern const struct probe_suite probe_suite_console;
extern const struct probe_suite probe_suite_scsi;
extern const struct probe_suite probe_suite_input;
extern const struct probe_suite probe_suite_gpu;
extern const struct probe_suite probe_suite_balloon;

/* Every suite, generic first; NULL-terminated. */
extern const struct probe_suite *const probe_suites[];

/* The device-specific suite for a device type, or NULL (only generic tests apply). */
const struct probe_suite *probe_suite_for(uint32_t device_id);

/* Whether --test=LIST selects a test: a full name, or a suite name selecting all of its tests; NULL: all. */
bool probe_test_selected(const char *list, const char *test_name);
/* Checks that every item of LIST names a test or a suite; returns the first unknown item's text in bad. */
bool probe_test_list_valid(const char *list, char *bad, size_t bad_len);

/*
 * After probe_init_device(): sets up the queues the generic and the
 * device's suite need, DRIVER_OK, then runs the selected tests.  Negative
 * errno when the device became unusable (p->error says why).
 */
int probe_run(struct probe *p);

/* Bytes and latency for a test result. */
static inline void probe_result_traffic(struct probe_test_result *r, uint64_t bytes, uint64_t latency_ns)
{
	r->bytes = bytes;
	r->has_latency = true;
	r->latency_ns = latency_ns;
}

#endif
