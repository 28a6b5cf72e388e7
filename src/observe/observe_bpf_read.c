/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The BPF source's readers: per-queue samples (summed per-CPU counters plus state), ring snapshots, and trace events. */
#include "observe_bpf_internal.h"

#if HAVE_BPF

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vq_observe.skel.h"

int obs_bpf_read_state(struct obs_bpf *b, uint64_t vq, unsigned what, struct vqb_state *st)
{
	__u64 args[3] = { vq, what, 0 };
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(b->state_fd, &o))
		return -errno;
	if (o.retval)
		return -EIO;
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.snap_state), &zero, st))
		return -errno;
	st->name[sizeof(st->name) - 1] = 0;
	return 0;
}

bool obs_bpf_state_sane(const struct vqb_state *st)
{
	if (!st->read_ok || !st->num || st->num > VQ_MAX_SIZE || st->num_free > st->num)
		return false;
	if (!st->packed && (st->num & (st->num - 1)))
		return false;
	/* A queue index is 16 bits in every transport; device numbers come from an IDA. */
	return st->queue_index <= 0xffff && st->dev_index < (1u << 24);
}

/* ---- which queues exist: keys of vq_stats plus every queue of their devices ---- */

struct vq_set {
	uint64_t *v;
	size_t n, cap;
};

static int set_add(struct vq_set *s, uint64_t vq)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == vq)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *v;

		if (cap > 4 * VQB_MAX_QUEUES)
			return -E2BIG;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = vq;
	return 1;
}

struct found {
	struct vqb_state st;
	struct vqb_counters sum;
};

static int cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->st.dev_index != y->st.dev_index)
		return x->st.dev_index < y->st.dev_index ? -1 : 1;
	return x->st.queue_index < y->st.queue_index ? -1 : x->st.queue_index > y->st.queue_index;
}

static void sum_counters(struct obs_bpf *b, uint64_t vq, struct vqb_counters *sum, struct vqb_counters *percpu)
{
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.vq_stats), &vq, percpu))
		return;   /* a sibling that has done nothing yet: zeros are the truth */
	for (int c = 0; c < b->ncpus; c++) {
		const struct vqb_counters *p = &percpu[c];

		sum->kicks += p->kicks;
		sum->kicks_suppressed += p->kicks_suppressed;
		sum->notifies += p->notifies;
		sum->interrupts += p->interrupts;
		sum->interrupts_spurious += p->interrupts_spurious;
		sum->adds += p->adds;
		sum->completions += p->completions;
		if (p->last_ns > sum->last_ns)
			sum->last_ns = p->last_ns;
		for (int i = 0; i < VQB_LAT_BUCKETS; i++)
			sum->latency[i] += p->latency[i];
	}
}

/*
 * Every queue the programs know now, in device and queue order.  A queue
 * whose state fails the sanity checks (freed under us, a kernel whose layout
 * CO-RE could not match) is left out rather than shown with made-up values.
 */
static int discover(struct obs_bpf *b, struct found **out, size_t *n_out)
{
	int stats_fd = bpf_map__fd(b->skel->maps.vq_stats);
	struct vq_set set = { 0 };
	struct found *f = NULL;
	struct vqb_counters *percpu = NULL;
	size_t n = 0;
	__u64 key, next;
	int r = 0;

	*out = NULL;
	*n_out = 0;
	for (__u64 *prev = NULL; !bpf_map_get_next_key(stats_fd, prev, &next); prev = &key) {
		key = next;
		if ((r = set_add(&set, key)) < 0)
			goto out;
	}
	percpu = calloc((size_t)b->ncpus, sizeof(*percpu));
	f = calloc(set.n ? set.n : 1, sizeof(*f));
	if (!percpu || !f) {
		r = -ENOMEM;
		goto out;
	}
	/* The set grows while walking it: each queue read names its device's other queues. */
	for (size_t i = 0; i < set.n; i++) {
		struct vqb_state st;

		if (obs_bpf_read_state(b, set.v[i], VQB_READ_STATE, &st) < 0 || !obs_bpf_state_sane(&st))
			continue;
		for (uint32_t s = 0; s < st.n_siblings && s < VQB_MAX_SIBLINGS; s++) {
			r = set_add(&set, st.siblings[s]);
			if (r < 0)
				goto out;
			if (r > 0) {
				struct found *nf = realloc(f, set.n * sizeof(*f));
				if (!nf) {
					r = -ENOMEM;
					goto out;
				}
				f = nf;
			}
		}
		f[n].st = st;
		sum_counters(b, set.v[i], &f[n].sum, percpu);
		n++;
	}
	r = 0;
	qsort(f, n, sizeof(*f), cmp_found);
	*out = f;
	*n_out = n;
	f = NULL;
out:
	free(f);
	free(percpu);
	free(set.v);
	return r;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fill_queue(struct vq_obs_queue *q, const struct found *f)
{
	const struct vqb_state *st = &f->st;

	memset(q, 0, sizeof(*q));
	snprintf(q->device, sizeof(q->device), "virtio%u", st->dev_index);
	q->device_id = st->device_id;
	q->queue = st->queue_index;
	snprintf(q->name, sizeof(q->name), "%s", st->name);
	q->have = VQ_OBS_KICKS | VQ_OBS_KICKS_SUPPRESSED | VQ_OBS_INTERRUPTS | VQ_OBS_INTERRUPTS_SPURIOUS |
		  VQ_OBS_ADDS | VQ_OBS_COMPLETIONS | VQ_OBS_NUM_FREE | VQ_OBS_LATENCY | VQ_OBS_RING;
	q->ring_type = st->packed ? VQ_RING_PACKED : VQ_RING_SPLIT;
	q->size = st->num;
	q->kicks = f->sum.kicks;
	q->kicks_suppressed = f->sum.kicks_suppressed;
	q->interrupts = f->sum.interrupts;
	q->interrupts_spurious = f->sum.interrupts_spurious;
	q->adds = f->sum.adds;
	q->completions = f->sum.completions;
	q->num_free = st->num_free;
	/* A packed ring has no used index in memory: its indices stay unknown rather than invented. */
	if (!st->packed) {
		q->have |= VQ_OBS_INDICES;
		q->avail_idx = st->avail_idx;
		q->used_idx = st->used_idx_mem;
		q->last_used_idx = st->last_used_idx;
	}
	memcpy(q->latency_log2_ns, f->sum.latency, sizeof(q->latency_log2_ns));
	q->last_progress_ns = f->sum.last_ns;
}

int obs_bpf_sample(struct vq_obs_source *s, struct vq_obs_sample *out)
{
	struct obs_bpf *b = (struct obs_bpf *)s;
	struct found *f;
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	out->time_ns = now_ns();
	r = discover(b, &f, &n);
	if (r < 0)
		return r;
	out->q = calloc(n ? n : 1, sizeof(*out->q));
	if (!out->q) {
		free(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		fill_queue(&out->q[i], &f[i]);
	out->n = n;
	free(f);
	return 0;
}

/* ---- ring snapshots ---- */

static int copy_area(struct obs_bpf *b, const struct vqb_state *st, enum vqb_area a, uint64_t want, uint64_t addr,
		     const char *origin, struct vq_snapshot *out)
{
	int fd = bpf_map__fd(b->skel->maps.snap_chunks);
	uint8_t *buf, chunk[VQB_CHUNK];
	int r;

	if (st->area_len[a] != want || st->area_chunk[a] + (want + VQB_CHUNK - 1) / VQB_CHUNK > VQB_CHUNKS)
		return -EIO;
	buf = malloc(want ? want : 1);
	if (!buf)
		return -ENOMEM;
	for (uint64_t off = 0; off < want; off += VQB_CHUNK) {
		__u32 key = st->area_chunk[a] + (__u32)(off / VQB_CHUNK);
		uint64_t n = want - off < VQB_CHUNK ? want - off : VQB_CHUNK;

		if (bpf_map_lookup_elem(fd, &key, chunk)) {
			r = -errno;
			free(buf);
			return r;
		}
		memcpy(buf + off, chunk, n);
	}
	r = vq_mem_add(&out->mem, addr, buf, want, true, origin, 0);
	free(buf);
	return r;
}

/*
 * Split rings: the indirect tables of descriptors that name one, so the
 * decoder can walk them.  A table freed since the ring was copied is left
 * out (the decoder then reports it missing rather than reading stale bytes).
 */
static void copy_indirect_tables(struct obs_bpf *b, uint64_t vq, struct vq_snapshot *out)
{
	int prog = bpf_program__fd(b->skel->progs.vq_read_indirect);
	int map = bpf_map__fd(b->skel->maps.snap_indirect);
	uint8_t table[2 * VQB_CHUNK];   /* the map value's size */
	__u32 zero = 0;

	for (uint32_t i = 0; i < out->size; i++) {
		uint8_t d[16];

		if (vq_mem_read(&out->mem, out->desc_addr + 16ull * i, d, sizeof(d), NULL))
			return;
		uint64_t addr = vq_le64(d);
		uint32_t len = vq_le32(d + 8);
		if (!(vq_le16(d + 12) & 4 /* VRING_DESC_F_INDIRECT */) || !len || len > VQB_CHUNK || len % 16)
			continue;
		__u64 args[3] = { vq, i, len };
		LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = sizeof(args));
		if (bpf_prog_test_run_opts(prog, &o) || o.retval || bpf_map_lookup_elem(map, &zero, table))
			continue;
		char origin[64];
		snprintf(origin, sizeof(origin), "kernel indirect table of descriptor %u", i);
		vq_mem_add(&out->mem, addr, table, len, true, origin, 0);
	}
}

/*
 * Whether the driver touched the queue between two state reads: an add moves
 * the avail shadow index and num_free, a completion last_used_idx and num_free.
 */
static bool state_moved(const struct vqb_state *a, const struct vqb_state *b)
{
	return a->avail_idx != b->avail_idx || a->last_used_idx != b->last_used_idx || a->num_free != b->num_free ||
	       a->avail_wrap != b->avail_wrap || a->used_wrap != b->used_wrap;
}

/* One copy of vq's rings and indirect tables; *st is the state read in the same program run as the rings. */
static int snapshot_once(struct obs_bpf *b, uint64_t vq, struct vq_snapshot *out, struct vqb_state *st)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = obs_bpf_read_state(b, vq, VQB_READ_RINGS, st);
	if (r < 0)
		return r;
	if (!obs_bpf_state_sane(st) || st->area_err)
		return -EIO;

	out->ring_type = st->packed ? VQ_RING_PACKED : VQ_RING_SPLIT;
	out->size = st->num;
	out->queue_index = st->queue_index;
	out->device_id = st->device_id;
	out->features.w[0] = st->features;
	out->desc_addr = st->desc_dma;
	out->driver_addr = st->driver_dma;
	out->device_addr = st->device_dma;
	if (st->packed) {
		out->has_driver_pos = true;
		out->driver_next = st->avail_idx;
		out->driver_wrap = st->avail_wrap;
		out->has_driver_used_pos = st->used_wrap_known;
		out->driver_used_next = st->last_used_idx & 0x7fff;
		out->driver_used_wrap = st->used_wrap;
	} else {
		/* The three areas share one allocation; an address outside it would be a layout we do not know. */
		if (st->driver_va < st->desc_va || st->device_va < st->driver_va ||
		    st->device_va - st->desc_va + 6 + 8ull * st->num > st->split_queue_bytes)
			return -EPROTO;
		out->has_last_used_idx = true;
		out->last_used_idx = st->last_used_idx;
	}
	uint64_t n16 = 16ull * st->num;
	r = copy_area(b, st, VQB_AREA_DESC, n16, out->desc_addr, "kernel descriptor area", out);
	if (!r)
		r = copy_area(b, st, VQB_AREA_DRIVER, st->packed ? 4 : 6 + 2ull * st->num, out->driver_addr,
			      "kernel driver area", out);
	if (!r)
		r = copy_area(b, st, VQB_AREA_DEVICE, st->packed ? 4 : 6 + 8ull * st->num, out->device_addr,
			      "kernel device area", out);
	if (r < 0)
		vq_snapshot_free(out);
	else if (!st->packed)
		copy_indirect_tables(b, vq, out);
	return r;
}

/* Copies of a queue that keeps changing are retried this often before giving up. */
#define SNAPSHOT_TRIES 64

int obs_bpf_snapshot(struct vq_obs_source *s, const char *device, uint32_t queue, struct vq_snapshot *out)
{
	struct obs_bpf *b = (struct obs_bpf *)s;
	struct found *f;
	uint64_t vq = 0;
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	r = discover(b, &f, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "virtio%u", f[i].st.dev_index);
		if (!strcmp(name, device) && f[i].st.queue_index == queue)
			vq = f[i].st.vq;
	}
	free(f);
	if (!vq)
		return -ENOENT;
	/*
	 * The rings are copied in one program run, the indirect tables in one run
	 * each after it.  A request added or completed in between would leave a
	 * table out (freed) or pair a descriptor with another request's table
	 * (freed and reused), so the copy counts only when the driver's own
	 * indices did not move across it.
	 */
	for (unsigned t = 0; t < SNAPSHOT_TRIES; t++) {
		struct vqb_state before, after;

		r = snapshot_once(b, vq, out, &before);
		if (r < 0)
			return r;
		r = obs_bpf_read_state(b, vq, VQB_READ_STATE, &after);
		if (r < 0) {
			vq_snapshot_free(out);
			return r;
		}
		if (!state_moved(&before, &after))
			return 0;
		vq_snapshot_free(out);
	}
	return -EBUSY;
}

/* ---- trace ---- */

static struct obs_bpf_pair *pair_slot(struct obs_bpf *b, uint64_t vq, uint64_t token)
{
	uint64_t h = (vq ^ (token * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;

	return &b->pairs[(h >> 32) & (OBS_BPF_PAIRS - 1)];
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct obs_bpf *b = ctx;
	const struct vqb_event *e = data;
	struct vq_obs_event ev = { 0 };

	if (size < sizeof(*e) || b->fn_stop)
		return 0;
	ev.time_ns = e->ts_ns;
	ev.cpu = e->cpu;
	ev.type = (enum vq_obs_event_type)e->type;
	ev.dev_index = e->dev_index;
	ev.queue = e->queue;
	ev.head = e->head;
	ev.len = e->len;
	ev.latency_ns = e->latency_ns;
	ev.avail_idx = e->avail_idx;
	ev.last_used_idx = e->last_used_idx;
	ev.packed = e->packed;
	if (e->type == VQB_EV_ADD) {
		struct obs_bpf_pair *p = pair_slot(b, e->vq, e->token);

		*p = (struct obs_bpf_pair){ e->vq, e->token, ++b->next_request };
		ev.request = p->request;
	} else if (e->type == VQB_EV_COMPLETE) {
		struct obs_bpf_pair *p = pair_slot(b, e->vq, e->token);

		/* A slot taken over by a later add (or never filled) leaves the request unknown. */
		if (p->vq == e->vq && p->token == e->token && p->request) {
			ev.request = p->request;
			p->request = 0;
		}
	}
	b->fn_count++;
	if (b->fn(&ev, b->fn_arg))
		b->fn_stop = 1;
	return 0;
}

int vq_obs_bpf_trace_poll(struct vq_obs_source *s, int timeout_ms, vq_obs_event_fn fn, void *arg)
{
	struct obs_bpf *b = (struct obs_bpf *)s;
	int r;

	if (!b || !b->skel)
		return -EINVAL;
	if (!b->rb) {
		b->pairs = calloc(OBS_BPF_PAIRS, sizeof(*b->pairs));
		if (!b->pairs)
			return -ENOMEM;
		b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_ring_event, b, NULL);
		if (!b->rb)
			return -errno;
		b->skel->bss->trace_enabled = 1;
	}
	b->fn = fn;
	b->fn_arg = arg;
	b->fn_stop = 0;
	b->fn_count = 0;
	r = ring_buffer__poll(b->rb, timeout_ms);
	/* Events already in the buffer are delivered before a stop takes effect; fn_stop drops the rest. */
	if (r < 0 && r != -EINTR)
		return r;
	return r == -EINTR && !b->fn_count ? -EINTR : b->fn_count;
}

uint64_t vq_obs_bpf_trace_lost(struct vq_obs_source *s)
{
	struct obs_bpf *b = (struct obs_bpf *)s;

	return b && b->skel ? b->skel->bss->events_lost : 0;
}

#endif
