/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the passive view knows about each kernel-driven virtqueue: the seam between its sources (BPF, /proc) and top, metrics, trace. */
#ifndef VIRTIOCTL_VQ_OBSERVE_H
#define VIRTIOCTL_VQ_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vq_snapshot.h"

/*
 * Counters are cumulative since the source was opened (rates are computed by
 * the consumer from two samples).  A field a source cannot know is marked
 * absent in `have`, never reported as zero: the degraded /proc source knows
 * interrupts and little else.
 */
enum vq_obs_have {
	VQ_OBS_KICKS          = 1u << 0,   /* notifications sent to the device */
	VQ_OBS_KICKS_SUPPRESSED = 1u << 1, /* kick_prepare said no (event index / NO_NOTIFY) */
	VQ_OBS_INTERRUPTS     = 1u << 2,   /* vring_interrupt returned IRQ_HANDLED (or /proc count) */
	VQ_OBS_INTERRUPTS_SPURIOUS = 1u << 3, /* vring_interrupt returned IRQ_NONE */
	VQ_OBS_ADDS           = 1u << 4,   /* buffers added (virtqueue_add_*) */
	VQ_OBS_COMPLETIONS    = 1u << 5,   /* buffers returned to the driver (get_buf) */
	VQ_OBS_INDICES        = 1u << 6,   /* avail_idx, used_idx, last_used_idx below are valid */
	VQ_OBS_NUM_FREE       = 1u << 7,
	VQ_OBS_LATENCY        = 1u << 8,   /* latency_log2_ns histogram is valid */
	VQ_OBS_RING           = 1u << 9,   /* ring_type and size are valid */
	VQ_OBS_LATENCY_SUM    = 1u << 10,  /* latency_sum_ns is valid (the histogram keeps no sum by itself) */
};

#define VQ_OBS_LAT_BUCKETS 32   /* bucket i counts latencies in [2^i, 2^(i+1)) ns; the last one is open-ended */

struct vq_obs_queue {
	char device[32];            /* "virtio3" */
	uint32_t device_id;         /* virtio device id, 0 when unknown */
	uint32_t queue;             /* queue index within the device; VQ_QUEUE_INDEX_UNKNOWN when not known
	                               (a shared vector in the /proc source) */
	char name[32];              /* the driver's name for it ("requests.0", "input.0"), "" when unknown */
	uint32_t have;              /* enum vq_obs_have bits */

	enum vq_ring_type ring_type;
	uint32_t size;

	uint64_t kicks, kicks_suppressed;
	uint64_t interrupts, interrupts_spurious;
	uint64_t adds, completions;

	uint16_t avail_idx;         /* split: shadow avail idx the driver published; packed: next avail position */
	uint16_t used_idx;          /* the used index in ring memory (what the device wrote) */
	uint16_t last_used_idx;     /* the driver's next used entry to reclaim */
	uint32_t num_free;          /* free descriptors */

	uint64_t latency_log2_ns[VQ_OBS_LAT_BUCKETS];
	uint64_t latency_sum_ns;    /* sum of every latency counted in the histogram (Prometheus _sum) */

	uint64_t last_progress_ns;  /* CLOCK_MONOTONIC of the last add, kick, interrupt or completion; 0 unknown */
};

struct vq_obs_sample {
	uint64_t time_ns;           /* CLOCK_MONOTONIC when taken */
	size_t n;
	struct vq_obs_queue *q;     /* owned by the sample */
};

struct vq_obs_source;

struct vq_obs_source_ops {
	const char *name;           /* "bpf-fentry", "bpf-kprobe", "procfs" */
	/* Fills *out (the caller frees it with vq_obs_sample_free); 0 or negative errno. */
	int (*sample)(struct vq_obs_source *s, struct vq_obs_sample *out);
	/*
	 * Copies one queue's ring memory into a snapshot for ring_decode; -EOPNOTSUPP
	 * when the source cannot read ring memory (procfs).
	 */
	int (*snapshot)(struct vq_obs_source *s, const char *device, uint32_t queue, struct vq_snapshot *out);
	void (*close)(struct vq_obs_source *s);
};

struct vq_obs_source {
	const struct vq_obs_source_ops *ops;
	/* Why this source is degraded, one line, for the user ("no BPF: kernel has neither kprobes nor fentry"); "" when complete. */
	char degraded_why[200];
	void *priv;
};

/* Frees the queues; accepts NULL. */
void vq_obs_sample_free(struct vq_obs_sample *s);
/* Calls the source's close op; accepts NULL. */
void vq_obs_source_close(struct vq_obs_source *s);

/* Same device, queue index and name: the identity a queue keeps from one sample to the next. */
bool vq_obs_same_queue(const struct vq_obs_queue *a, const struct vq_obs_queue *b);
/* The queue of s with the identity of `like`, or NULL. */
const struct vq_obs_queue *vq_obs_find(const struct vq_obs_sample *s, const struct vq_obs_queue *like);
/*
 * Appends a zeroed queue (index VQ_QUEUE_INDEX_UNKNOWN) to s, whose array
 * holds *cap entries; NULL when memory runs out.  For sources.
 */
struct vq_obs_queue *vq_obs_sample_add(struct vq_obs_sample *s, size_t *cap);

#endif
