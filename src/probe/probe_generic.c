/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Self-tests every device gets: features, configuration, every queue's registers, per-queue reset. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_tests.h"

static unsigned popcount128(const struct virtio_features *f)
{
	return (unsigned)(__builtin_popcountll(f->w[0]) + __builtin_popcountll(f->w[1]));
}

static int test_features(struct probe *p)
{
	struct virtio_features refused = { { p->offered.w[0] & ~p->accepted.w[0], p->offered.w[1] & ~p->accepted.w[1] } };

	probe_result(p, "generic.features", PROBE_PASS, "%u offered, %u accepted, %u refused; FEATURES_OK %s",
		     popcount128(&p->offered), popcount128(&p->accepted), popcount128(&refused),
		     p->features_ok ? "read back set" : "not used (legacy)");
	return 0;
}

static int test_config(struct probe *p)
{
	for (size_t i = 0; i < p->n_results; i++)
		if (!strcmp(p->results[i].name, "generic.config"))
			return 0;   /* the read during initialisation already failed it */
	probe_result(p, "generic.config", PROBE_PASS, "%zu bytes read%s", p->config_len,
		     p->t->caps.has_config_generation ? ", generation stable" : ", two reads agreed");
	return 0;
}

static int test_queues(struct probe *p)
{
	unsigned missing = 0, present = 0;
	char sizes[160] = "";

	for (uint16_t q = 0; q < p->num_queues; q++) {
		size_t used = strlen(sizes);

		if (!p->queues[q].state.max_size) {
			missing++;
			continue;
		}
		present++;
		if (present <= 8)
			snprintf(sizes + used, sizeof(sizes) - used, "%s%u", present > 1 ? " " : "", p->queues[q].state.max_size);
	}
	if (!p->num_queues) {
		probe_result(p, "generic.queues", PROBE_FAIL, "the device has no queues");
		return 0;
	}
	probe_result(p, "generic.queues", missing ? PROBE_FAIL : PROBE_PASS, "%u queue%s%s, maximum sizes %s%s%s", p->num_queues,
		     p->num_queues == 1 ? "" : "s", p->queues_truncated ? " (more not read)" : "", sizes,
		     present > 8 ? " ..." : "", missing ? "; some queues below the count read size 0" : "");
	return 0;
}

static int test_queue_reset(struct probe *p)
{
	if (!virtio_features_test(&p->accepted, VIRTIO_F_RING_RESET_BIT)) {
		probe_result(p, "generic.queue_reset", PROBE_SKIP, "VIRTIO_F_RING_RESET not negotiated");
		return 0;
	}
	for (uint16_t q = 0; q < p->num_queues; q++) {
		struct probe_queue *pq = &p->queues[q];
		bool enabled;

		if (!pq->vq)
			continue;
		int r = probe_queue_reset(p, pq, &enabled);

		if (r < 0) {
			probe_result(p, "generic.queue_reset", PROBE_FAIL, "%s", p->error);
			p->error[0] = '\0';
			return 0;
		}
		if (enabled)
			violation_add(&p->violations, "queue_reset_still_enabled", "2.6.1",
				      "queue %u still reads queue_enable 1 after its reset completed", q);
		probe_result(p, "generic.queue_reset", enabled ? PROBE_FAIL : PROBE_PASS,
			     "queue %u reset, read back disabled, set up again and enabled", q);
		return 0;
	}
	probe_result(p, "generic.queue_reset", PROBE_SKIP, "no queue set up to reset");
	return 0;
}

/* Devices without a suite of their own: every queue (up to 8) is set up, which is their test. */
static size_t generic_queues(const struct probe *p, uint16_t *out, size_t max)
{
	size_t n = 0;

	if (probe_suite_for(p->device_id))
		return 0;
	for (uint16_t q = 0; q < p->num_queues && n < max && n < 8; q++)
		if (p->queues[q].state.max_size)
			out[n++] = q;
	return n;
}

static const struct probe_test generic_tests[] = {
	{ "generic.features", "features offered, accepted and refused; FEATURES_OK read back", test_features },
	{ "generic.config", "device configuration read under the generation rule", test_config },
	{ "generic.queues", "every queue's maximum size and notify offset", test_queues },
	{ "generic.queue_reset", "reset one queue (VIRTIO_F_RING_RESET), set it up again", test_queue_reset },
	{ 0 },
};

const struct probe_suite probe_suite_generic = {
	.name = "generic",
	.device_id = 0,
	.queues = generic_queues,
	.tests = generic_tests,
};
