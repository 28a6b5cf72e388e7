/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers every source and consumer of the passive per-queue model shares. */
#include "vq_observe.h"

#include <stdlib.h>
#include <string.h>

void vq_obs_sample_free(struct vq_obs_sample *s)
{
	if (!s)
		return;
	free(s->q);
	*s = (struct vq_obs_sample){ 0 };
}

void vq_obs_source_close(struct vq_obs_source *s)
{
	if (s && s->ops && s->ops->close)
		s->ops->close(s);
}

bool vq_obs_same_queue(const struct vq_obs_queue *a, const struct vq_obs_queue *b)
{
	return a->queue == b->queue && !strcmp(a->device, b->device) && !strcmp(a->name, b->name);
}

const struct vq_obs_queue *vq_obs_find(const struct vq_obs_sample *s, const struct vq_obs_queue *like)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (vq_obs_same_queue(&s->q[i], like))
			return &s->q[i];
	return NULL;
}

struct vq_obs_queue *vq_obs_sample_add(struct vq_obs_sample *s, size_t *cap)
{
	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct vq_obs_queue *q;

		if (ncap > 65536)
			return NULL;
		q = realloc(s->q, ncap * sizeof(*q));
		if (!q)
			return NULL;
		s->q = q;
		*cap = ncap;
	}
	memset(&s->q[s->n], 0, sizeof(s->q[0]));
	s->q[s->n].queue = VQ_QUEUE_INDEX_UNKNOWN;
	return &s->q[s->n++];
}
