/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver's queue names for trace events, looked up once per queue from the source's samples. */
#include "trace_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct trace_queue_name *find(struct trace_names *t, uint32_t dev_index, uint32_t queue)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->q[i].dev_index == dev_index && t->q[i].queue == queue)
			return &t->q[i];
	return NULL;
}

static void learn(struct trace_names *t, const struct vq_obs_sample *s)
{
	for (size_t i = 0; i < s->n; i++) {
		unsigned dev;
		struct trace_queue_name *e;

		if (sscanf(s->q[i].device, "virtio%u", &dev) != 1)
			continue;
		e = find(t, dev, s->q[i].queue);
		if (!e && t->n < TRACE_NAMES_MAX)
			e = &t->q[t->n++];
		if (!e)
			continue;
		e->dev_index = dev;
		e->queue = s->q[i].queue;
		e->device_id = s->q[i].device_id;
		snprintf(e->name, sizeof(e->name), "%s", s->q[i].name);
	}
}

const struct trace_queue_name *trace_name(struct trace_names *t, struct vq_obs_source *src, uint32_t dev_index,
					  uint32_t queue)
{
	static const struct trace_queue_name unknown = { .name = "" };
	struct trace_queue_name *e = find(t, dev_index, queue);
	struct vq_obs_sample s;

	if (e)
		return e;
	if (src->ops->sample(src, &s) == 0) {
		learn(t, &s);
		free(s.q);
	}
	e = find(t, dev_index, queue);
	if (!e && t->n < TRACE_NAMES_MAX) {
		/* Not known even now (the queue went away): remember that, so it is asked once. */
		e = &t->q[t->n++];
		*e = unknown;
		e->dev_index = dev_index;
		e->queue = queue;
	}
	return e ? e : &unknown;
}
