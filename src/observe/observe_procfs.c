/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The degraded source of the passive view: interrupt counts per vector from /proc/interrupts, types from sysfs. */
#include "observe_procfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sysfs_virtio.h"

/*
 * The kernel prints each CPU's count of a line as a 32-bit number that wraps
 * on its own, so the source keeps every vector's last per-CPU counts and adds
 * the differences modulo 2^32: its totals are monotonic 64-bit counts since
 * the source was opened (or since the vector appeared).
 */
struct procfs_vector {
	unsigned irq;
	char name[64];
	unsigned ncpus;
	uint32_t *last;
	uint64_t total;
	bool seen;               /* present in the latest table */
};

struct procfs_priv {
	char interrupts[256];
	char sysfs[256];
	struct procfs_vector *v;
	size_t n, cap;
};

/* Device ids (virtio spec 5) of the drivers named below. */
enum {
	ID_NET = 1,
	ID_BLOCK = 2,
	ID_CONSOLE = 3,
	ID_RNG = 4,
	ID_BALLOON = 5,
	ID_9P = 9,
	ID_INPUT = 18,
	ID_VSOCK = 19,
};

struct name_index {
	const char *prefix;      /* the driver's name, or its prefix before ".N" */
	bool numbered;           /* name is prefix ".N" */
	uint32_t scale, offset;  /* index = N * scale + offset */
};

struct driver_names {
	uint32_t device_id;
	struct name_index names[4];
};

/* Names the Linux drivers give their queues where the name alone fixes the index (virtio spec queue numbering). */
static const struct driver_names driver_names[] = {
	{ ID_NET, { { "input", true, 2, 0 }, { "output", true, 2, 1 } } },
	{ ID_BLOCK, { { "req", true, 1, 0 } } },
	{ ID_CONSOLE, { { "input", false, 0, 0 }, { "output", false, 0, 1 }, { "control-i", false, 0, 2 },
			       { "control-o", false, 0, 3 } } },
	{ ID_RNG, { { "input", false, 0, 0 } } },
	/* free_page_vq and reporting_vq move with the features negotiated (and the kernel's numbering): not here. */
	{ ID_BALLOON, { { "inflate", false, 0, 0 }, { "deflate", false, 0, 1 }, { "stats", false, 0, 2 } } },
	{ ID_9P, { { "requests", false, 0, 0 } } },
	{ ID_INPUT, { { "events", false, 0, 0 }, { "status", false, 0, 1 } } },
	{ ID_VSOCK, { { "rx", false, 0, 0 }, { "tx", false, 0, 1 }, { "event", false, 0, 2 } } },
};

uint32_t procfs_queue_index(uint32_t device_id, const char *vector)
{
	for (size_t i = 0; i < sizeof(driver_names) / sizeof(driver_names[0]); i++) {
		if (driver_names[i].device_id != device_id)
			continue;
		for (size_t j = 0; j < 4 && driver_names[i].names[j].prefix; j++) {
			const struct name_index *n = &driver_names[i].names[j];
			size_t len = strlen(n->prefix);
			char *end;
			unsigned long v;

			if (strncmp(vector, n->prefix, len))
				continue;
			if (!n->numbered) {
				if (!vector[len])
					return n->offset;
				continue;
			}
			if (vector[len] != '.' || vector[len + 1] < '0' || vector[len + 1] > '9')
				continue;
			errno = 0;
			v = strtoul(vector + len + 1, &end, 10);
			/* 65535 queues at most (the spec's queue number is 16 bits). */
			if (errno || *end || v * n->scale + n->offset > 0xffff)
				continue;
			return (uint32_t)(v * n->scale + n->offset);
		}
	}
	return VQ_QUEUE_INDEX_UNKNOWN;
}

/* "virtio12-req.0" -> device "virtio12", vector "req.0"; "virtio12" alone -> vector "". false: not a virtio name. */
static bool split_action(const char *action, char *device, size_t dlen, const char **vector)
{
	size_t n = 6;

	if (strncmp(action, "virtio", 6) || action[6] < '0' || action[6] > '9')
		return false;
	while (action[n] >= '0' && action[n] <= '9')
		n++;
	if ((action[n] && action[n] != '-') || n >= dlen)
		return false;
	memcpy(device, action, n);
	device[n] = '\0';
	*vector = action[n] ? action + n + 1 : action + n;
	return true;
}

static struct procfs_vector *vector_state(struct procfs_priv *p, unsigned irq, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].irq == irq && !strcmp(p->v[i].name, name))
			return &p->v[i];
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		struct procfs_vector *nv;

		if (ncap > 65536)
			return NULL;
		nv = realloc(p->v, ncap * sizeof(*nv));
		if (!nv)
			return NULL;
		p->v = nv;
		p->cap = ncap;
	}
	p->v[p->n] = (struct procfs_vector){ .irq = irq };
	snprintf(p->v[p->n].name, sizeof(p->v[p->n].name), "%s", name);
	return &p->v[p->n++];
}

/* Adds the per-CPU differences since the last table; a changed CPU count (hotplug) starts over from here. */
static int vector_update(struct procfs_vector *v, const uint32_t *counts, unsigned ncpus)
{
	if (v->last && v->ncpus == ncpus) {
		for (unsigned c = 0; c < ncpus; c++)
			v->total += (uint32_t)(counts[c] - v->last[c]);
	} else {
		uint32_t *l = realloc(v->last, ncpus * sizeof(*l));

		if (!l)
			return -ENOMEM;
		v->last = l;
		v->ncpus = ncpus;
	}
	memcpy(v->last, counts, ncpus * sizeof(*counts));
	return 0;
}

static void drop_unseen(struct procfs_priv *p)
{
	size_t w = 0;

	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].seen) {
			p->v[w++] = p->v[i];
		} else {
			free(p->v[i].last);
		}
	}
	p->n = w;
}

static uint32_t read_device_id(const char *sysfs, const char *device)
{
	char dir[512];
	unsigned long long id;

	snprintf(dir, sizeof(dir), "%s/%s", sysfs, device);
	if (sysfs_read_u64(dir, "device", &id) < 0 || id > 0xffff)
		return 0;
	return (uint32_t)id;
}

static int queue_from_action(struct procfs_priv *p, const struct irq_table *t, const struct irq_action *a,
			     struct vq_obs_sample *out, size_t *cap)
{
	char device[32];
	const char *vector;
	struct procfs_vector *v;
	struct vq_obs_queue *q;

	if (!split_action(a->name, device, sizeof(device), &vector) || !strcmp(vector, "config"))
		return 0;
	v = vector_state(p, a->irq, a->name);
	if (!v)
		return -ENOMEM;
	/* /proc/interrupts can list a line twice while it is being changed: count it once. */
	if (v->seen)
		return 0;
	v->seen = true;
	q = vq_obs_sample_add(out, cap);
	if (!q)
		return -ENOMEM;
	snprintf(q->device, sizeof(q->device), "%s", device);
	q->device_id = read_device_id(p->sysfs, device);
	/* A bare "virtioN" is the INTx or MMIO line: configuration changes and every queue. */
	snprintf(q->name, sizeof(q->name), "%s", *vector ? vector : "config+virtqueues");
	q->queue = *vector ? procfs_queue_index(q->device_id, vector) : VQ_QUEUE_INDEX_UNKNOWN;
	if (a->has_counts && a->counts_off + t->ncpus <= t->n_counts) {
		int r = vector_update(v, t->cpu_counts + a->counts_off, t->ncpus);

		if (r < 0)
			return r;
		q->interrupts = v->total;
		q->have |= VQ_OBS_INTERRUPTS;
	}
	return 0;
}

static int procfs_sample(struct vq_obs_source *s, struct vq_obs_sample *out)
{
	struct procfs_priv *p = s->priv;
	struct irq_table t;
	struct timespec ts;
	size_t cap = 0;
	int r;

	*out = (struct vq_obs_sample){ 0 };
	clock_gettime(CLOCK_MONOTONIC, &ts);
	out->time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	r = irq_table_load(&t, p->interrupts);
	if (r < 0) {
		irq_table_free(&t);
		return r;
	}
	for (size_t i = 0; i < p->n; i++)
		p->v[i].seen = false;
	for (size_t i = 0; i < t.n && r == 0; i++)
		r = queue_from_action(p, &t, &t.a[i], out, &cap);
	irq_table_free(&t);
	drop_unseen(p);
	if (r < 0)
		vq_obs_sample_free(out);
	return r;
}

static int procfs_snapshot(struct vq_obs_source *s, const char *device, uint32_t queue, struct vq_snapshot *out)
{
	(void)s;
	(void)device;
	(void)queue;
	(void)out;
	return -EOPNOTSUPP;
}

static void procfs_close(struct vq_obs_source *s)
{
	struct procfs_priv *p;

	if (!s)
		return;
	p = s->priv;
	for (size_t i = 0; p && i < p->n; i++)
		free(p->v[i].last);
	if (p)
		free(p->v);
	free(p);
	free(s);
}

static const struct vq_obs_source_ops procfs_ops = {
	.name = "procfs",
	.sample = procfs_sample,
	.snapshot = procfs_snapshot,
	.close = procfs_close,
};

int vq_obs_open_procfs(const char *interrupts_path, const char *virtio_sysfs_dir, const char *no_bpf_why,
		       struct vq_obs_source **out)
{
	struct vq_obs_source *s = calloc(1, sizeof(*s));
	struct procfs_priv *p = calloc(1, sizeof(*p));
	struct vq_obs_sample first;
	int r;

	*out = NULL;
	if (!s || !p) {
		free(s);
		free(p);
		return -ENOMEM;
	}
	snprintf(p->interrupts, sizeof(p->interrupts), "%s", interrupts_path ? interrupts_path : "/proc/interrupts");
	snprintf(p->sysfs, sizeof(p->sysfs), "%s", virtio_sysfs_dir ? virtio_sysfs_dir : "/sys/bus/virtio/devices");
	s->ops = &procfs_ops;
	s->priv = p;
	snprintf(s->degraded_why, sizeof(s->degraded_why),
		 "%s; so only interrupts per vector from /proc/interrupts: kicks, indices, in-flight, latency and ring "
		 "memory unknown", no_bpf_why && *no_bpf_why ? no_bpf_why : "no BPF");
	/* The first read sets every vector's baseline, so counts start at zero when the source opens. */
	r = procfs_sample(s, &first);
	vq_obs_sample_free(&first);
	if (r < 0) {
		procfs_close(s);
		return r;
	}
	*out = s;
	return 0;
}
