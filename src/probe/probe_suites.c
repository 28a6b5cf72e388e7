/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The suite list and --test=LIST selection. */
#include <stdio.h>
#include <string.h>

#include "probe_tests.h"

const struct probe_suite *const probe_suites[] = {
	&probe_suite_generic,
	&probe_suite_blk,
	&probe_suite_net,
	&probe_suite_rng,
	&probe_suite_console,
	&probe_suite_scsi,
	&probe_suite_input,
	&probe_suite_gpu,
	&probe_suite_balloon,
	NULL,
};

const struct probe_suite *probe_suite_for(uint32_t device_id)
{
	for (size_t i = 1; probe_suites[i]; i++)
		if (probe_suites[i]->device_id == device_id)
			return probe_suites[i];
	return NULL;
}

/* Whether item (len bytes of a comma list) is the test's name or its suite prefix. */
static bool item_matches(const char *item, size_t len, const char *test_name)
{
	if (strlen(test_name) == len && !strncmp(item, test_name, len))
		return true;
	return !strncmp(item, test_name, len) && test_name[len] == '.';
}

bool probe_test_selected(const char *list, const char *test_name)
{
	if (!list)
		return true;
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");

		if (len && item_matches(s, len, test_name))
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}

bool probe_test_list_valid(const char *list, char *bad, size_t bad_len)
{
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");
		bool found = false;

		for (size_t i = 0; probe_suites[i] && !found; i++)
			for (const struct probe_test *t = probe_suites[i]->tests; t->name && !found; t++)
				found = len && item_matches(s, len, t->name);
		if (!found) {
			snprintf(bad, bad_len, "%.*s", (int)len, s);
			return false;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return true;
}

/* Runs the selected tests of a suite; a negative return means the device became unusable. */
static int run_suite(struct probe *p, const struct probe_suite *s)
{
	for (const struct probe_test *t = s->tests; t->name; t++) {
		if (!probe_test_selected(p->opts->tests, t->name))
			continue;
		int r = t->run(p);

		if (r < 0) {
			probe_result(p, t->name, PROBE_FAIL, "%s", p->error);
			return r;
		}
	}
	return 0;
}

int probe_run(struct probe *p)
{
	const struct probe_suite *dev_suite = probe_suite_for(p->device_id);
	uint16_t which[PROBE_MAX_QUEUES];
	size_t n = probe_suite_generic.queues(p, which, PROBE_MAX_QUEUES);

	if (dev_suite)
		n += dev_suite->queues(p, which + n, PROBE_MAX_QUEUES - n);
	int r = probe_setup_queues(p, which, n);

	if (r < 0)
		return r;
	if ((r = run_suite(p, &probe_suite_generic)) < 0)
		return r;
	return dev_suite ? run_suite(p, dev_suite) : 0;
}
