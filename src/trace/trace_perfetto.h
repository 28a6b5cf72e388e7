/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `trace --format=perfetto`: the Chrome JSON trace event format, which the Perfetto UI opens as a timeline. */
#ifndef VIRTIOCTL_TRACE_PERFETTO_H
#define VIRTIOCTL_TRACE_PERFETTO_H

#include <stdbool.h>
#include <stdint.h>

#include "emit.h"
#include "observe_bpf.h"

/* The emitter must be in JSON mode; begin, then queues and events in any order, then end. */
void perfetto_begin(struct emit *e);
/* Names a queue's track (and its device's process when first_of_device). */
void perfetto_queue(struct emit *e, uint32_t dev_index, uint32_t queue, const char *dev_label, const char *qname,
		    bool first_of_device);
void perfetto_event(struct emit *e, const struct vq_obs_event *ev, const char *qname, uint64_t t0_ns);
void perfetto_end(struct emit *e);

#endif
