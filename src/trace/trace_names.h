/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver's queue names for trace events, looked up once per queue from the source's samples. */
#ifndef VIRTIOCTL_TRACE_NAMES_H
#define VIRTIOCTL_TRACE_NAMES_H

#include <stdint.h>

#include "vq_observe.h"

#define TRACE_NAMES_MAX 1024

struct trace_queue_name {
	uint32_t dev_index, queue;
	char name[32];              /* "" when the source does not know it */
	uint32_t device_id;         /* 0 unknown */
};

struct trace_names {
	struct trace_queue_name q[TRACE_NAMES_MAX];
	size_t n;
};

/* The entry for virtio<dev_index> queue `queue`; samples the source the first time it is asked. Never NULL. */
const struct trace_queue_name *trace_name(struct trace_names *t, struct vq_obs_source *src, uint32_t dev_index,
					  uint32_t queue);

#endif
