/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper for the guest: opens the BPF source, runs a workload, and prints one line per queue with what the source counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "observe_bpf.h"

/*
 * obs-sample [--attach=auto|fentry|kprobe] -- CMD [ARGS...]
 * Prints "source NAME", the workload's exit status, then per queue:
 * "queue virtioN Q NAME TYPE SIZE key=value ...", for the scenario's checks.
 */
int main(int argc, char **argv)
{
	enum vq_obs_attach mode = VQ_OBS_ATTACH_AUTO;
	struct vq_obs_source *src;
	struct vq_obs_sample before, after;
	char why[256] = "";
	int i = 1, r, status;

	if (i < argc && !strncmp(argv[i], "--attach=", 9)) {
		if (vq_obs_attach_parse(argv[i] + 9, &mode) < 0) {
			fprintf(stderr, "obs-sample: bad %s\n", argv[i]);
			return 2;
		}
		i++;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: obs-sample [--attach=MODE] -- CMD [ARGS...]\n");
		return 2;
	}
	r = vq_obs_open_bpf(&src, mode, why, sizeof(why));
	if (r < 0) {
		printf("open_error=%d %s\n", r, why);
		return 1;
	}
	printf("source %s\n", src->ops->name);
	/* Counts are cumulative since open; the workload's share is after - before. */
	if ((r = src->ops->sample(src, &before)) < 0) {
		printf("sample_error=%d\n", r);
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[i], argv + i);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	printf("workload_status=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	if ((r = src->ops->sample(src, &after)) < 0) {
		printf("sample_error=%d\n", r);
		return 1;
	}
	for (size_t k = 0; k < after.n; k++) {
		const struct vq_obs_queue *q = &after.q[k], *b = NULL;
		uint64_t lat = 0, lat_before = 0, lat_lo = 0, lat_hi = 0;

		for (size_t j = 0; j < before.n; j++)
			if (before.q[j].queue == q->queue && !strcmp(before.q[j].device, q->device))
				b = &before.q[j];
		for (int j = 0; j < VQ_OBS_LAT_BUCKETS; j++) {
			lat += q->latency_log2_ns[j];
			lat_before += b ? b->latency_log2_ns[j] : 0;
			/* What the histogram says the sum must be: bucket j holds [2^j, 2^(j+1)) ns. */
			uint64_t n = q->latency_log2_ns[j] - (b ? b->latency_log2_ns[j] : 0);
			lat_lo += n << j;
			if (n)
				lat_hi += j < VQ_OBS_LAT_BUCKETS - 1 ? n << (j + 1) : UINT64_MAX / 2;
		}
#define D(f) (unsigned long long)(q->f - (b ? b->f : 0))
		printf("queue %s %u %s %s %u kicks=%llu suppressed=%llu interrupts=%llu spurious=%llu adds=%llu "
		       "completions=%llu latency_samples=%llu num_free=%u",
		       q->device, q->queue, q->name[0] ? q->name : "-", q->ring_type == VQ_RING_PACKED ? "packed" : "split",
		       q->size, D(kicks), D(kicks_suppressed), D(interrupts), D(interrupts_spurious), D(adds),
		       D(completions), (unsigned long long)(lat - lat_before), q->num_free);
#undef D
		if (q->have & VQ_OBS_LATENCY_SUM)
			printf(" latency_sum_ns=%llu latency_hist_lo_ns=%llu latency_hist_hi_ns=%llu",
			       (unsigned long long)(q->latency_sum_ns - (b ? b->latency_sum_ns : 0)),
			       (unsigned long long)lat_lo, (unsigned long long)lat_hi);
		if (q->have & VQ_OBS_INDICES)
			printf(" avail_idx=%u used_idx=%u last_used_idx=%u", q->avail_idx, q->used_idx, q->last_used_idx);
		printf("\n");
	}
	free(before.q);
	free(after.q);
	src->ops->close(src);
	return 0;
}
