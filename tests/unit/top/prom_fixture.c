/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes top's metrics for two hand-built samples (every metric kind, a stall, a hostile name) to the textfile given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top_prom.h"

int main(int argc, char **argv)
{
	struct top_state st = { .stall_ns = 1000000000ull };
	struct vq_obs_queue q[2] = { 0 };
	int r = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: top_prom_fixture FILE\n");
		return 2;
	}
	strcpy(q[0].device, "virtio1");
	q[0].device_id = 2;
	strcpy(q[0].name, "req.0");
	q[0].have = VQ_OBS_KICKS | VQ_OBS_KICKS_SUPPRESSED | VQ_OBS_INTERRUPTS | VQ_OBS_INTERRUPTS_SPURIOUS |
		    VQ_OBS_ADDS | VQ_OBS_COMPLETIONS | VQ_OBS_INDICES | VQ_OBS_RING | VQ_OBS_NUM_FREE | VQ_OBS_LATENCY |
		    VQ_OBS_LATENCY_SUM;
	q[0].size = 256;
	q[0].avail_idx = 100;
	q[0].used_idx = q[0].last_used_idx = 97;   /* 3 in flight and nothing reclaimed: a stall after 1 s */
	q[0].kicks = 80;
	q[0].kicks_suppressed = 20;
	q[0].interrupts = 90;
	q[0].interrupts_spurious = 4;
	q[0].adds = 100;
	q[0].completions = 97;
	q[0].num_free = 253;
	q[0].latency_log2_ns[14] = 90;             /* [16.4 us, 32.8 us) */
	q[0].latency_log2_ns[20] = 7;              /* [1.05 ms, 2.1 ms) */
	q[0].latency_sum_ns = 90 * 20000ull + 7 * 1500000ull;
	strcpy(q[1].device, "virtio9");
	q[1].queue = 0xffffffffu;
	strcpy(q[1].name, "we\"ird\\name");
	q[1].have = VQ_OBS_INTERRUPTS;
	q[1].interrupts = 12;
	for (unsigned t = 0; t < 3 && !r; t++) {
		struct vq_obs_sample s = { .time_ns = t * 1000000000ull, .n = 2, .q = malloc(sizeof(q)) };

		if (!s.q)
			return 1;
		memcpy(s.q, q, sizeof(q));
		r = top_state_update(&st, &s);
	}
	if (!r)
		r = top_prom_write(argv[1], &st);
	top_state_free(&st);
	if (r) {
		fprintf(stderr, "top_prom_fixture: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
