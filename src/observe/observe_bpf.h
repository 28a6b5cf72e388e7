/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The complete source of the passive view: the kernel's virtqueues watched by the BPF programs in bpf/. */
#ifndef VIRTIOCTL_OBSERVE_BPF_H
#define VIRTIOCTL_OBSERVE_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "vq_observe.h"

/* How the programs attach to the kernel's virtqueue functions. */
enum vq_obs_attach {
	VQ_OBS_ATTACH_AUTO,     /* per function: fentry/fexit where the kernel allows it (probed), else kprobes */
	VQ_OBS_ATTACH_FENTRY,   /* fentry/fexit only; refuse if a function cannot take them */
	VQ_OBS_ATTACH_KPROBE,   /* kprobe/kretprobe only */
};

/* "auto", "fentry", "kprobe" -> mode; -EINVAL otherwise. */
int vq_obs_attach_parse(const char *s, enum vq_obs_attach *mode);

/*
 * Loads and attaches the programs.  0 with *out set, or a negative errno with
 * one line in why (what failed and what to do): -EOPNOTSUPP when virtioctl
 * was built without BPF, -EPERM without the privileges, -ENOENT when the
 * kernel has no virtio_ring functions to attach to.  Queues appear once they
 * have done something since the source opened (the programs learn a queue's
 * address from its first event), together with every other queue of the same
 * device.  ops->name is "bpf-fentry", "bpf-kprobe" or "bpf-mixed".
 */
int vq_obs_open_bpf(struct vq_obs_source **out, enum vq_obs_attach mode, char *why, size_t why_len);

/* One event of `virtioctl trace`, as the programs report it. */
enum vq_obs_event_type {
	VQ_OBS_EV_ADD = 1,           /* a buffer was added */
	VQ_OBS_EV_KICK,              /* kick_prepare: the driver will notify */
	VQ_OBS_EV_KICK_SUPPRESSED,   /* kick_prepare: no notification needed */
	VQ_OBS_EV_NOTIFY,            /* virtqueue_notify() */
	VQ_OBS_EV_INTERRUPT,         /* vring_interrupt() handled */
	VQ_OBS_EV_INTERRUPT_SPURIOUS,/* vring_interrupt() found nothing used */
	VQ_OBS_EV_COMPLETE,          /* get_buf returned a buffer */
};

#define VQ_OBS_HEAD_UNKNOWN 0xffffffffu

struct vq_obs_event {
	uint64_t time_ns;            /* CLOCK_MONOTONIC */
	uint32_t cpu;
	enum vq_obs_event_type type;
	uint32_t dev_index;          /* N of virtioN */
	uint32_t queue;
	uint64_t request;            /* add/complete: the add's number in this trace (1, 2, ...); 0 unknown */
	uint32_t head;               /* split: descriptor head; VQ_OBS_HEAD_UNKNOWN */
	uint32_t len;                /* complete: bytes written by the device */
	uint64_t latency_ns;         /* complete: since the matching add; 0 when that add was not seen */
	uint16_t avail_idx;
	uint16_t last_used_idx;
	bool packed;
};

/* "add", "kick", ...: the names trace prints and its --event filter takes; NULL for an unknown type. */
const char *vq_obs_event_name(enum vq_obs_event_type t);

/* Returns nonzero to stop the trace. */
typedef int (*vq_obs_event_fn)(const struct vq_obs_event *ev, void *arg);

/*
 * Turns event reporting on (the counting programs write events only while a
 * trace runs) and waits up to timeout_ms for events, calling fn for each.
 * Returns the number of events, or a negative errno (-EINTR when a signal
 * arrived); fn returning nonzero ends the call early with that many events.
 * timeout_ms 0 delivers what is already in the buffer without waiting: the
 * first call turns reporting on, a last one drains what is left.
 */
int vq_obs_bpf_trace_poll(struct vq_obs_source *s, int timeout_ms, vq_obs_event_fn fn, void *arg);
/* Events the kernel dropped because the ring buffer was full. */
uint64_t vq_obs_bpf_trace_lost(struct vq_obs_source *s);

#endif
