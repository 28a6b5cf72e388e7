/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `trace --format=perfetto`: the Chrome JSON trace event format, which the Perfetto UI opens as a timeline. */
#include "trace_perfetto.h"

#include <stdio.h>

/*
 * Layout (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
 * one process per device ("virtio0 blk"), one thread per queue ("req.0 (queue 0)").
 * Kicks, notifies and interrupts are instant events ("ph":"i") on the queue's
 * thread; a request is an async slice ("ph":"b"/"e", id = the request number)
 * named after its queue, from the add to the get_buf that returned its token,
 * so Perfetto draws each queue's requests on one track, overlapping ones on
 * rows below.  Timestamps are microseconds since the trace started.
 */

static void meta(struct emit *e, const char *what, uint32_t pid, int64_t tid, const char *name)
{
	emit_object_begin(e, NULL);
	emit_str(e, "ph", NULL, "M");
	emit_str(e, "name", NULL, what);
	emit_uint(e, "pid", NULL, pid);
	if (tid >= 0)
		emit_uint(e, "tid", NULL, (unsigned long long)tid);
	emit_object_begin(e, "args");
	emit_str(e, "name", NULL, name);
	emit_object_end(e);
	emit_object_end(e);
}

void perfetto_begin(struct emit *e)
{
	emit_object_begin(e, NULL);
	emit_str(e, "displayTimeUnit", NULL, "ns");
	emit_array_begin(e, "traceEvents");
}

void perfetto_queue(struct emit *e, uint32_t dev_index, uint32_t queue, const char *dev_label, const char *qname,
		    bool first_of_device)
{
	char label[64];

	if (first_of_device)
		meta(e, "process_name", dev_index, -1, dev_label);
	snprintf(label, sizeof(label), "%s (queue %u)", qname && *qname ? qname : "?", queue);
	meta(e, "thread_name", dev_index, queue, label);
}

void perfetto_event(struct emit *e, const struct vq_obs_event *ev, const char *qname, uint64_t t0_ns)
{
	uint64_t ts_us = ev->time_ns > t0_ns ? (ev->time_ns - t0_ns) / 1000 : 0;
	char slice[48];
	bool begin = ev->type == VQ_OBS_EV_ADD && ev->request;
	bool end = ev->type == VQ_OBS_EV_COMPLETE && ev->request;

	snprintf(slice, sizeof(slice), "%s", qname && *qname ? qname : "request");
	emit_object_begin(e, NULL);
	if (begin || end) {
		emit_str(e, "ph", NULL, begin ? "b" : "e");
		emit_str(e, "cat", NULL, "request");
		emit_str(e, "name", NULL, slice);
		emit_uint(e, "id", NULL, ev->request);
	} else {
		emit_str(e, "ph", NULL, "i");
		emit_str(e, "s", NULL, "t");
		emit_str(e, "name", NULL, vq_obs_event_name(ev->type) ? vq_obs_event_name(ev->type) : "unknown");
	}
	emit_uint(e, "pid", NULL, ev->dev_index);
	emit_uint(e, "tid", NULL, ev->queue);
	emit_uint(e, "ts", NULL, ts_us);
	emit_object_begin(e, "args");
	emit_str(e, "event", NULL, vq_obs_event_name(ev->type));
	emit_uint(e, "cpu", NULL, ev->cpu);
	emit_uint(e, "avail_idx", NULL, ev->avail_idx);
	emit_uint(e, "last_used_idx", NULL, ev->last_used_idx);
	if (ev->head != VQ_OBS_HEAD_UNKNOWN)
		emit_uint(e, "head", NULL, ev->head);
	if (ev->type == VQ_OBS_EV_COMPLETE)
		emit_uint(e, "len", NULL, ev->len);
	emit_object_end(e);
	emit_object_end(e);
}

void perfetto_end(struct emit *e)
{
	emit_array_end(e);
	emit_object_end(e);
}
