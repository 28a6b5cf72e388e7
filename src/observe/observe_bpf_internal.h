/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the BPF source's loader (observe_bpf_load.c) and readers (observe_bpf_read.c) share. */
#ifndef VIRTIOCTL_OBSERVE_BPF_INTERNAL_H
#define VIRTIOCTL_OBSERVE_BPF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h" /* HAVE_BPF */
#include "observe_bpf.h"

void obs_bpf_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#if HAVE_BPF

#include "vq_observe_bpf.h"

struct bpf_link;
struct ring_buffer;

#define OBS_BPF_PAIRS 65536u   /* trace: add -> request number, direct-mapped by (queue, token) */

struct obs_bpf_pair {
	uint64_t vq, token, request;
};

struct obs_bpf {
	struct vq_obs_source src;   /* first: the source handed out is this block */
	struct vq_observe_bpf *skel;
	int state_fd;               /* vq_read_state, run with BPF_PROG_TEST_RUN */
	int ncpus;
	char ops_name[16];
	struct vq_obs_source_ops ops;
	struct bpf_link *links[64];
	size_t n_links;

	uint64_t *known;            /* virtqueue addresses seen so far (keys, and siblings of keys) */
	size_t n_known, cap_known;

	struct ring_buffer *rb;
	struct obs_bpf_pair *pairs;
	uint64_t next_request;
	vq_obs_event_fn fn;
	void *fn_arg;
	int fn_stop, fn_count;
};

/* Runs vq_read_state for vq (VQB_READ_STATE or VQB_READ_RINGS) and copies its record out. */
int obs_bpf_read_state(struct obs_bpf *b, uint64_t vq, unsigned what, struct vqb_state *st);
/* The state passes the checks a freed or foreign pointer would fail (sizes, ring type, index ranges). */
bool obs_bpf_state_sane(const struct vqb_state *st);

int obs_bpf_sample(struct vq_obs_source *s, struct vq_obs_sample *out);
int obs_bpf_snapshot(struct vq_obs_source *s, const char *device, uint32_t queue, struct vq_snapshot *out);

#endif
#endif
