// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Counts what the kernel's virtqueues do (kicks, interrupts, adds, completions, latency) and reads their state and ring memory on request. */

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "vq_observe_bpf.h"

/*
 * The kernel's private structures, declared with only the fields read here.
 * "___local" is dropped by CO-RE when it matches names against the running
 * kernel's BTF, and preserve_access_index makes every field access a
 * relocation, so one object works across kernels whose layouts differ.
 */
struct list_head___local {
	struct list_head___local *next;
} __attribute__((preserve_access_index));

struct virtio_device_id___local {
	__u32 device;
} __attribute__((preserve_access_index));

struct virtio_device___local {
	int index;
	struct virtio_device_id___local id;
	struct list_head___local vqs;
	__u64 features;
} __attribute__((preserve_access_index));

struct virtqueue___local {
	struct list_head___local list;
	const char *name;
	struct virtio_device___local *vdev;
	unsigned int index;
	unsigned int num_free;
} __attribute__((preserve_access_index));

struct vring___local {
	unsigned int num;
	void *desc;
	void *avail;
	void *used;
} __attribute__((preserve_access_index));

struct vring_desc_state_split___local {
	void *indir_desc;
} __attribute__((preserve_access_index));

struct vring_virtqueue_split___local {
	struct vring___local vring;
	struct vring_desc_state_split___local *desc_state;
	__u16 avail_idx_shadow;
	__u64 queue_dma_addr;
	__u64 queue_size_in_bytes;
} __attribute__((preserve_access_index));

struct vring_virtqueue_packed___local {
	struct {
		unsigned int num;
		void *desc;
		void *driver;
		void *device;
	} vring;
	bool avail_wrap_counter;
	bool used_wrap_counter;      /* before Linux 5.19; later kernels keep it in bit 15 of last_used_idx */
	__u16 next_avail_idx;
	__u64 ring_dma_addr;
	__u64 driver_event_dma_addr;
	__u64 device_event_dma_addr;
} __attribute__((preserve_access_index));

struct vring_virtqueue___local {
	struct virtqueue___local vq;
	bool packed_ring;
	bool broken;
	bool event;
	__u16 last_used_idx;
	union {
		struct vring_virtqueue_split___local split;
		struct vring_virtqueue_packed___local packed;
	};
} __attribute__((preserve_access_index));

#define IRQ_HANDLED 1
#define PACKED_USED_WRAP_BIT 15

/* Set by userspace (mmapped .bss) while `virtioctl trace` reads the ring buffer; top leaves it 0. */
volatile __u32 trace_enabled;
/* Events lost because the ring buffer was full (userspace reads it after a trace). */
volatile __u64 events_lost;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VQB_MAX_QUEUES);
	__type(key, __u64);
	__type(value, struct vqb_counters);
} vq_stats SEC(".maps");

struct inflight_key {
	__u64 vq;
	__u64 token;
};

/* LRU: buffers that never complete (a receive queue's idle buffers, requests older than us) age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct inflight_key);
	__type(value, __u64);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/*
 * kprobe mode: a kretprobe has no arguments, so its kprobe leaves them here,
 * per execution context and function, as a stack.  A stack because calls
 * nest on one thread: an interrupt taken while the thread is between a
 * function's entry and return runs on the same thread id, and its handler
 * may call the same function (net's tx cleanup in virtqueue_get_buf,
 * interrupted by virtio_blk's completion calling virtqueue_get_buf): the
 * inner call must not overwrite the outer call's arguments, or the outer
 * call's return finds nothing and its completion is lost.  Returns come in
 * the reverse order of entries on one thread, so a stack pairs them.
 */
enum stash_fn { STASH_IRQ, STASH_KICK_PREPARE, STASH_KICK, STASH_ADD, STASH_GET_BUF, STASH_GET_BUF_CTX };

#define STASH_DEPTH 4                /* task, softirq, hardirq, NMI */

struct stash_key {
	__u64 ctx;                   /* exec_ctx() */
	__u32 fn;
	__u32 pad;
};

struct stash_val {
	__u64 vq;
	__u64 arg;                   /* add: token; get_buf: the len pointer */
};

struct stash_stack {
	__u32 depth;                 /* entries pushed; may exceed STASH_DEPTH (those are not kept) */
	__u32 pad;
	struct stash_val v[STASH_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct stash_key);
	__type(value, struct stash_stack);
} stash SEC(".maps");

/*
 * virtqueue_kick() = kick_prepare + notify, and it may inline the notify
 * (Debian's 6.1 does): while a virtqueue_kick runs, what kick_prepare
 * returned and whether an out-of-line virtqueue_notify ran are kept here, so
 * its exit counts the notification exactly once.
 */
struct kick_key {
	__u64 ctx;                   /* exec_ctx() */
	__u64 vq;
};

struct kick_track {
	__u8 prepared;               /* kick_prepare returned true inside this virtqueue_kick */
	__u8 notified;               /* an out-of-line virtqueue_notify counted it already */
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kick_key);
	__type(value, struct kick_track);
} kicking SEC(".maps");

/*
 * virtqueue_get_buf() may call virtqueue_get_buf_ctx() (or inline it, as
 * 6.1 and 6.12 do): the outer call in progress on this CPU is remembered so
 * a nested one is not counted twice.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} get_buf_outer SEC(".maps");

/* vq_read_state's outputs: one state record and the requested area's bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vqb_state);
} snap_state SEC(".maps");

struct snap_chunk {
	__u8 b[VQB_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VQB_CHUNKS);
	__type(key, __u32);
	__type(value, struct snap_chunk);
} snap_chunks SEC(".maps");

static const struct vqb_counters zero_counters;

/*
 * Who is running: the thread id, or for the idle task (thread id 0 on every
 * CPU) the CPU, since each CPU's idle task and the interrupts it takes are
 * their own context.  An interrupt shares the interrupted thread's id.
 */
static __always_inline __u64 exec_ctx(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (tid)
		return tid;
	return (1ull << 63) | bpf_get_smp_processor_id();
}

static __always_inline struct vqb_counters *counters(__u64 vq)
{
	struct vqb_counters *c = bpf_map_lookup_elem(&vq_stats, &vq);

	if (c)
		return c;
	bpf_map_update_elem(&vq_stats, &vq, &zero_counters, BPF_NOEXIST);
	return bpf_map_lookup_elem(&vq_stats, &vq);
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static __always_inline void emit_event_at(__u64 now, __u64 vq, __u32 type, __u64 token, __u32 head, __u32 len,
					  __u64 lat)
{
	struct vring_virtqueue___local *vvq = (void *)vq;
	struct vqb_event *ev;

	if (!trace_enabled)
		return;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&events_lost, 1);
		return;
	}
	ev->ts_ns = now;
	ev->vq = vq;
	ev->token = token;
	ev->latency_ns = lat;
	ev->cpu = bpf_get_smp_processor_id();
	ev->type = type;
	ev->dev_index = BPF_CORE_READ(vvq, vq.vdev, index);
	ev->queue = BPF_CORE_READ(vvq, vq.index);
	ev->head = head;
	ev->len = len;
	ev->packed = BPF_CORE_READ(vvq, packed_ring);
	if (ev->packed) {
		ev->avail_idx = BPF_CORE_READ(vvq, packed.next_avail_idx);
		ev->last_used_idx = BPF_CORE_READ(vvq, last_used_idx) & 0x7fff;
	} else {
		ev->avail_idx = BPF_CORE_READ(vvq, split.avail_idx_shadow);
		ev->last_used_idx = BPF_CORE_READ(vvq, last_used_idx);
	}
	ev->pad[0] = ev->pad[1] = ev->pad[2] = 0;
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline void emit_event(__u64 vq, __u32 type, __u64 token, __u32 head, __u32 len, __u64 lat)
{
	if (trace_enabled)
		emit_event_at(bpf_ktime_get_ns(), vq, type, token, head, len, lat);
}

/* ---- what each hook means, shared by the fentry and the kprobe programs ---- */

static __always_inline void on_interrupt(__u64 vq, __u64 ret)
{
	struct vqb_counters *c = counters(vq);
	int handled = (int)ret == IRQ_HANDLED;

	if (!c)
		return;
	if (handled) {
		c->interrupts++;
		c->last_ns = bpf_ktime_get_ns();
	} else {
		c->interrupts_spurious++;
	}
	emit_event(vq, handled ? VQB_EV_INTERRUPT : VQB_EV_INTERRUPT_SPURIOUS, 0, VQB_HEAD_UNKNOWN, 0, 0);
}

/* kick_prepare decides; the notification itself is counted where it is sent (count_notification). */
static __always_inline void on_kick_prepare(__u64 vq, __u64 ret)
{
	struct kick_key k = { .ctx = exec_ctx(), .vq = vq };
	struct kick_track *t = bpf_map_lookup_elem(&kicking, &k);
	struct vqb_counters *c = counters(vq);
	int kick = (__u8)ret != 0;

	if (!c)
		return;
	if (t)
		t->prepared = kick;
	if (!kick)
		c->kicks_suppressed++;
	emit_event(vq, kick ? VQB_EV_KICK : VQB_EV_KICK_SUPPRESSED, 0, VQB_HEAD_UNKNOWN, 0, 0);
}

static __always_inline void count_notification(__u64 vq)
{
	struct vqb_counters *c = counters(vq);

	if (c) {
		c->kicks++;
		c->last_ns = bpf_ktime_get_ns();
	}
	emit_event(vq, VQB_EV_NOTIFY, 0, VQB_HEAD_UNKNOWN, 0, 0);
}

/* virtqueue_notify() entry: a broken queue returns without telling the device. */
static __always_inline void on_notify(__u64 vq)
{
	struct vring_virtqueue___local *vvq = (void *)vq;
	struct kick_key k = { .ctx = exec_ctx(), .vq = vq };
	struct kick_track *t;

	if (BPF_CORE_READ(vvq, broken))
		return;
	t = bpf_map_lookup_elem(&kicking, &k);
	if (t)
		t->notified = 1;
	count_notification(vq);
}

static __always_inline void on_kick_enter(__u64 vq)
{
	struct kick_key k = { .ctx = exec_ctx(), .vq = vq };
	struct kick_track t = { 0 };

	bpf_map_update_elem(&kicking, &k, &t, BPF_ANY);
}

/* virtqueue_kick() returned ret: true unless the notification failed (the queue is then broken). */
static __always_inline void on_kick_exit(__u64 vq, __u64 ret)
{
	struct kick_key k = { .ctx = exec_ctx(), .vq = vq };
	struct kick_track *t = bpf_map_lookup_elem(&kicking, &k);

	if (!t)
		return;
	/* kick_prepare said notify, no out-of-line virtqueue_notify ran: the inlined copy sent it. */
	if (t->prepared && !t->notified && (__u8)ret)
		count_notification(vq);
	bpf_map_delete_elem(&kicking, &k);
}

/* Split: the head just added sits in the avail ring just below avail_idx_shadow. */
static __always_inline __u32 split_added_head(struct vring_virtqueue___local *vvq)
{
	__u32 num = BPF_CORE_READ(vvq, split.vring.num);
	__u16 shadow = BPF_CORE_READ(vvq, split.avail_idx_shadow);
	void *avail = BPF_CORE_READ(vvq, split.vring.avail);
	__u16 head;

	if (!num || (num & (num - 1)))
		return VQB_HEAD_UNKNOWN;
	if (bpf_probe_read_kernel(&head, sizeof(head), avail + 4 + 2 * ((__u16)(shadow - 1) & (num - 1))))
		return VQB_HEAD_UNKNOWN;
	return head;
}

static __always_inline void on_add(__u64 vq, __u64 token, __u64 ret)
{
	struct inflight_key k = { .vq = vq, .token = token };
	struct vqb_counters *c;
	__u64 now;

	if ((int)ret != 0)
		return;
	c = counters(vq);
	if (!c)
		return;
	now = bpf_ktime_get_ns();
	c->adds++;
	c->last_ns = now;
	bpf_map_update_elem(&inflight, &k, &now, BPF_ANY);
	if (trace_enabled) {
		struct vring_virtqueue___local *vvq = (void *)vq;
		__u32 head = BPF_CORE_READ(vvq, packed_ring) ? VQB_HEAD_UNKNOWN : split_added_head(vvq);

		/* The add's time is the one the latency is measured from, so trace's numbers add up. */
		emit_event_at(now, vq, VQB_EV_ADD, token, head, 0, 0);
	}
}

static __always_inline void on_get_buf(__u64 vq, __u64 token, __u64 lenp)
{
	struct inflight_key k = { .vq = vq, .token = token };
	struct vqb_counters *c;
	__u64 now, *t0, lat = 0;

	if (!token)
		return;
	c = counters(vq);
	if (!c)
		return;
	now = bpf_ktime_get_ns();
	c->completions++;
	c->last_ns = now;
	t0 = bpf_map_lookup_elem(&inflight, &k);
	if (t0) {
		if (now > *t0) {
			__u32 b;

			lat = now - *t0;
			b = log2_u64(lat);
			if (b >= VQB_LAT_BUCKETS)
				b = VQB_LAT_BUCKETS - 1;
			c->latency[b]++;
			c->latency_sum_ns += lat;
		}
		bpf_map_delete_elem(&inflight, &k);
	}
	if (trace_enabled) {
		struct vring_virtqueue___local *vvq = (void *)vq;
		__u32 len = 0, head = VQB_HEAD_UNKNOWN;

		if (lenp)
			bpf_probe_read_kernel(&len, sizeof(len), (void *)lenp);
		if (!BPF_CORE_READ(vvq, packed_ring)) {
			/* The entry just reclaimed is one below last_used_idx; the device writes only above it. */
			__u32 num = BPF_CORE_READ(vvq, split.vring.num);
			__u16 last = BPF_CORE_READ(vvq, last_used_idx);
			void *used = BPF_CORE_READ(vvq, split.vring.used);
			__u32 id;

			if (num && !(num & (num - 1)) &&
			    !bpf_probe_read_kernel(&id, sizeof(id), used + 4 + 8 * ((__u16)(last - 1) & (num - 1))))
				head = id;
		}
		emit_event_at(now, vq, VQB_EV_COMPLETE, token, head, len, lat);
	}
}

static __always_inline void on_del(__u64 vq)
{
	bpf_map_delete_elem(&vq_stats, &vq);
}

static __always_inline void get_buf_enter(__u64 vq)
{
	__u32 zero = 0;
	__u64 *outer = bpf_map_lookup_elem(&get_buf_outer, &zero);

	if (outer && !*outer)
		*outer = vq;
}

/* True when this exit is of the outermost get_buf call for vq (and forgets it). */
static __always_inline int get_buf_exit_outer(__u64 vq)
{
	__u32 zero = 0;
	__u64 *outer = bpf_map_lookup_elem(&get_buf_outer, &zero);

	if (outer && *outer == vq)
		*outer = 0;
	return 1;
}

static __always_inline int get_buf_nested(__u64 vq)
{
	__u32 zero = 0;
	__u64 *outer = bpf_map_lookup_elem(&get_buf_outer, &zero);

	return outer && *outer == vq;
}

/* ---- fentry/fexit: arguments and return value through bpf_get_func_arg/ret, whatever the signature ---- */

static __always_inline __u64 farg(void *ctx, __u32 n)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, n, &v);
	return v;
}

static __always_inline __u64 fret(void *ctx)
{
	__u64 v = 0;

	bpf_get_func_ret(ctx, &v);
	return v;
}

SEC("fexit/vring_interrupt")
int fx_vring_interrupt(void *ctx)
{
	on_interrupt(farg(ctx, 1), fret(ctx));
	return 0;
}

SEC("fexit/virtqueue_kick_prepare")
int fx_virtqueue_kick_prepare(void *ctx)
{
	on_kick_prepare(farg(ctx, 0), fret(ctx));
	return 0;
}

SEC("fentry/virtqueue_notify")
int fe_virtqueue_notify(void *ctx)
{
	on_notify(farg(ctx, 0));
	return 0;
}

SEC("fentry/virtqueue_kick")
int fe_virtqueue_kick(void *ctx)
{
	on_kick_enter(farg(ctx, 0));
	return 0;
}

SEC("fexit/virtqueue_kick")
int fx_virtqueue_kick(void *ctx)
{
	on_kick_exit(farg(ctx, 0), fret(ctx));
	return 0;
}

SEC("fexit/virtqueue_add_sgs")
int fx_virtqueue_add_sgs(void *ctx)
{
	on_add(farg(ctx, 0), farg(ctx, 4), fret(ctx));
	return 0;
}

SEC("fexit/virtqueue_add_outbuf")
int fx_virtqueue_add_outbuf(void *ctx)
{
	on_add(farg(ctx, 0), farg(ctx, 3), fret(ctx));
	return 0;
}

SEC("fexit/virtqueue_add_inbuf")
int fx_virtqueue_add_inbuf(void *ctx)
{
	on_add(farg(ctx, 0), farg(ctx, 3), fret(ctx));
	return 0;
}

SEC("fexit/virtqueue_add_inbuf_ctx")
int fx_virtqueue_add_inbuf_ctx(void *ctx)
{
	on_add(farg(ctx, 0), farg(ctx, 3), fret(ctx));
	return 0;
}

SEC("fexit/virtqueue_add_inbuf_premapped")
int fx_virtqueue_add_inbuf_premapped(void *ctx)
{
	on_add(farg(ctx, 0), farg(ctx, 3), fret(ctx));
	return 0;
}

SEC("fexit/virtqueue_add_outbuf_premapped")
int fx_virtqueue_add_outbuf_premapped(void *ctx)
{
	on_add(farg(ctx, 0), farg(ctx, 3), fret(ctx));
	return 0;
}

SEC("fentry/virtqueue_get_buf")
int fe_virtqueue_get_buf(void *ctx)
{
	get_buf_enter(farg(ctx, 0));
	return 0;
}

SEC("fexit/virtqueue_get_buf")
int fx_virtqueue_get_buf(void *ctx)
{
	__u64 vq = farg(ctx, 0);

	get_buf_exit_outer(vq);
	on_get_buf(vq, fret(ctx), farg(ctx, 1));
	return 0;
}

SEC("fexit/virtqueue_get_buf_ctx")
int fx_virtqueue_get_buf_ctx(void *ctx)
{
	__u64 vq = farg(ctx, 0);

	if (!get_buf_nested(vq))
		on_get_buf(vq, fret(ctx), farg(ctx, 1));
	return 0;
}

SEC("fentry/vring_del_virtqueue")
int fe_vring_del_virtqueue(void *ctx)
{
	on_del(farg(ctx, 0));
	return 0;
}

/* ---- kprobe/kretprobe: the same, with arguments stashed per context between entry and return ---- */

static const struct stash_stack empty_stack;

static __always_inline void stash_put(__u32 fn, __u64 vq, __u64 arg)
{
	struct stash_key k = { .ctx = exec_ctx(), .fn = fn };
	struct stash_stack *s = bpf_map_lookup_elem(&stash, &k);
	__u32 d;

	if (!s) {
		bpf_map_update_elem(&stash, &k, &empty_stack, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stash, &k);
		if (!s)
			return;
	}
	d = s->depth;
	s->depth = d + 1;
	/* Constant indices: a variable one into a map value is an argument with some verifiers. */
	if (d == 0)
		s->v[0] = (struct stash_val){ vq, arg };
	else if (d == 1)
		s->v[1] = (struct stash_val){ vq, arg };
	else if (d == 2)
		s->v[2] = (struct stash_val){ vq, arg };
	else if (d == 3)
		s->v[3] = (struct stash_val){ vq, arg };
}

/* The arguments of the innermost call of fn in progress in this context; 0 when unknown. */
static __always_inline int stash_take(__u32 fn, struct stash_val *out)
{
	struct stash_key k = { .ctx = exec_ctx(), .fn = fn };
	struct stash_stack *s = bpf_map_lookup_elem(&stash, &k);
	__u32 d;

	if (!s || !s->depth)
		return 0;
	d = s->depth - 1;
	s->depth = d;
	if (d == 0) {
		*out = s->v[0];
		/* Leave no entry behind for contexts that end (threads exit). */
		bpf_map_delete_elem(&stash, &k);
		return 1;
	}
	if (d == 1)
		*out = s->v[1];
	else if (d == 2)
		*out = s->v[2];
	else if (d == 3)
		*out = s->v[3];
	else
		return 0;
	return 1;
}

SEC("kprobe/vring_interrupt")
int kp_vring_interrupt(struct pt_regs *ctx)
{
	stash_put(STASH_IRQ, PT_REGS_PARM2(ctx), 0);
	return 0;
}

SEC("kretprobe/vring_interrupt")
int kr_vring_interrupt(struct pt_regs *ctx)
{
	struct stash_val v;

	if (stash_take(STASH_IRQ, &v))
		on_interrupt(v.vq, PT_REGS_RC(ctx));
	return 0;
}

SEC("kprobe/virtqueue_kick_prepare")
int kp_virtqueue_kick_prepare(struct pt_regs *ctx)
{
	stash_put(STASH_KICK_PREPARE, PT_REGS_PARM1(ctx), 0);
	return 0;
}

SEC("kretprobe/virtqueue_kick_prepare")
int kr_virtqueue_kick_prepare(struct pt_regs *ctx)
{
	struct stash_val v;

	if (stash_take(STASH_KICK_PREPARE, &v))
		on_kick_prepare(v.vq, PT_REGS_RC(ctx));
	return 0;
}

SEC("kprobe/virtqueue_notify")
int kp_virtqueue_notify(struct pt_regs *ctx)
{
	on_notify(PT_REGS_PARM1(ctx));
	return 0;
}

SEC("kprobe/virtqueue_kick")
int kp_virtqueue_kick(struct pt_regs *ctx)
{
	__u64 vq = PT_REGS_PARM1(ctx);

	on_kick_enter(vq);
	stash_put(STASH_KICK, vq, 0);
	return 0;
}

SEC("kretprobe/virtqueue_kick")
int kr_virtqueue_kick(struct pt_regs *ctx)
{
	struct stash_val v;

	if (stash_take(STASH_KICK, &v))
		on_kick_exit(v.vq, PT_REGS_RC(ctx));
	return 0;
}

#define KPROBE_ADD(fn, token_arg)						\
SEC("kprobe/" #fn)								\
int kp_##fn(struct pt_regs *ctx)						\
{										\
	stash_put(STASH_ADD, PT_REGS_PARM1(ctx), token_arg(ctx));		\
	return 0;								\
}										\
SEC("kretprobe/" #fn)								\
int kr_##fn(struct pt_regs *ctx)						\
{										\
	struct stash_val v;							\
										\
	if (stash_take(STASH_ADD, &v))						\
		on_add(v.vq, v.arg, PT_REGS_RC(ctx));				\
	return 0;								\
}

KPROBE_ADD(virtqueue_add_sgs, PT_REGS_PARM5)
KPROBE_ADD(virtqueue_add_outbuf, PT_REGS_PARM4)
KPROBE_ADD(virtqueue_add_inbuf, PT_REGS_PARM4)
KPROBE_ADD(virtqueue_add_inbuf_ctx, PT_REGS_PARM4)
KPROBE_ADD(virtqueue_add_inbuf_premapped, PT_REGS_PARM4)
KPROBE_ADD(virtqueue_add_outbuf_premapped, PT_REGS_PARM4)

SEC("kprobe/virtqueue_get_buf")
int kp_virtqueue_get_buf(struct pt_regs *ctx)
{
	__u64 vq = PT_REGS_PARM1(ctx);

	get_buf_enter(vq);
	stash_put(STASH_GET_BUF, vq, PT_REGS_PARM2(ctx));
	return 0;
}

SEC("kretprobe/virtqueue_get_buf")
int kr_virtqueue_get_buf(struct pt_regs *ctx)
{
	struct stash_val v;

	if (!stash_take(STASH_GET_BUF, &v))
		return 0;
	get_buf_exit_outer(v.vq);
	on_get_buf(v.vq, PT_REGS_RC(ctx), v.arg);
	return 0;
}

SEC("kprobe/virtqueue_get_buf_ctx")
int kp_virtqueue_get_buf_ctx(struct pt_regs *ctx)
{
	__u64 vq = PT_REGS_PARM1(ctx);

	if (!get_buf_nested(vq))
		stash_put(STASH_GET_BUF_CTX, vq, PT_REGS_PARM2(ctx));
	return 0;
}

SEC("kretprobe/virtqueue_get_buf_ctx")
int kr_virtqueue_get_buf_ctx(struct pt_regs *ctx)
{
	struct stash_val v;

	if (stash_take(STASH_GET_BUF_CTX, &v))
		on_get_buf(v.vq, PT_REGS_RC(ctx), v.arg);
	return 0;
}

SEC("kprobe/vring_del_virtqueue")
int kp_vring_del_virtqueue(struct pt_regs *ctx)
{
	on_del(PT_REGS_PARM1(ctx));
	return 0;
}

/* ---- state and ring memory, run from userspace with BPF_PROG_TEST_RUN (never attached) ---- */

static __always_inline void read_identity(struct vring_virtqueue___local *vvq, struct vqb_state *st)
{
	struct virtio_device___local *vdev = BPF_CORE_READ(vvq, vq.vdev);
	const char *name = BPF_CORE_READ(vvq, vq.name);

	st->dev_index = BPF_CORE_READ(vdev, index);
	st->device_id = BPF_CORE_READ(vdev, id.device);
	st->features = BPF_CORE_READ(vdev, features);
	st->queue_index = BPF_CORE_READ(vvq, vq.index);
	st->num_free = BPF_CORE_READ(vvq, vq.num_free);
	if (name)
		bpf_probe_read_kernel_str(st->name, sizeof(st->name), name);
	else
		st->name[0] = 0;

	/* The device's other queues: its vqs list links each virtqueue through vq.list (at offset 0 today). */
	__u64 head = (__u64)vdev + bpf_core_field_offset(struct virtio_device___local, vqs);
	__u64 list_off = bpf_core_field_offset(struct virtqueue___local, list);
	struct list_head___local *node = BPF_CORE_READ(vdev, vqs.next);
	__u32 n = 0;

	for (int i = 0; i < VQB_MAX_SIBLINGS; i++) {
		if (!node || (__u64)node == head)
			break;
		st->siblings[i] = (__u64)node - list_off;
		n++;
		node = BPF_CORE_READ(node, next);
	}
	st->n_siblings = n;
}

static __always_inline void read_rings(struct vring_virtqueue___local *vvq, struct vqb_state *st)
{
	st->packed = BPF_CORE_READ(vvq, packed_ring);
	st->event_idx = BPF_CORE_READ(vvq, event);
	st->last_used_idx = BPF_CORE_READ(vvq, last_used_idx);
	if (st->packed) {
		st->num = BPF_CORE_READ(vvq, packed.vring.num);
		st->avail_idx = BPF_CORE_READ(vvq, packed.next_avail_idx);
		st->avail_wrap = BPF_CORE_READ(vvq, packed.avail_wrap_counter);
		if (bpf_core_field_exists(vvq->packed.used_wrap_counter))
			st->used_wrap = BPF_CORE_READ(vvq, packed.used_wrap_counter);
		else
			st->used_wrap = (st->last_used_idx >> PACKED_USED_WRAP_BIT) & 1;
		st->used_wrap_known = 1;
		st->desc_va = (__u64)BPF_CORE_READ(vvq, packed.vring.desc);
		st->driver_va = (__u64)BPF_CORE_READ(vvq, packed.vring.driver);
		st->device_va = (__u64)BPF_CORE_READ(vvq, packed.vring.device);
		st->desc_dma = BPF_CORE_READ(vvq, packed.ring_dma_addr);
		st->driver_dma = BPF_CORE_READ(vvq, packed.driver_event_dma_addr);
		st->device_dma = BPF_CORE_READ(vvq, packed.device_event_dma_addr);
	} else {
		st->num = BPF_CORE_READ(vvq, split.vring.num);
		st->avail_idx = BPF_CORE_READ(vvq, split.avail_idx_shadow);
		st->desc_va = (__u64)BPF_CORE_READ(vvq, split.vring.desc);
		st->driver_va = (__u64)BPF_CORE_READ(vvq, split.vring.avail);
		st->device_va = (__u64)BPF_CORE_READ(vvq, split.vring.used);
		/* One allocation holds the three areas: the device sees them at the same offsets from its base. */
		st->desc_dma = BPF_CORE_READ(vvq, split.queue_dma_addr);
		st->split_queue_bytes = BPF_CORE_READ(vvq, split.queue_size_in_bytes);
		st->driver_dma = st->desc_dma + (st->driver_va - st->desc_va);
		st->device_dma = st->desc_dma + (st->device_va - st->desc_va);
		bpf_probe_read_kernel(&st->avail_idx_mem, 2, (void *)(st->driver_va + 2));
		bpf_probe_read_kernel(&st->used_idx_mem, 2, (void *)(st->device_va + 2));
	}
}

struct copy_ctx {
	__u64 src;
	__u64 len;
	__u32 first;                 /* chunk the area starts at */
	__u32 chunks;                /* chunks filled */
	__u32 copied;                /* bytes copied */
	__s32 err;
};

/* One chunk per bpf_loop() step: the verifier checks the body once, not once per chunk. */
static long copy_chunk(__u32 i, void *data)
{
	struct copy_ctx *c = data;
	__u64 off = (__u64)i * VQB_CHUNK, n;
	__u32 key = c->first + i;
	struct snap_chunk *dst;

	if (off >= c->len || key >= VQB_CHUNKS)
		return 1;
	dst = bpf_map_lookup_elem(&snap_chunks, &key);
	if (!dst)
		return 1;
	n = c->len - off;
	if (n > VQB_CHUNK)
		n = VQB_CHUNK;
	if (bpf_probe_read_kernel(dst->b, n, (void *)(c->src + off))) {
		c->err = -14;
		return 1;
	}
	c->copied = off + n;
	c->chunks = i + 1;
	return 0;
}

/* Copies len bytes at src into snap_chunks from chunk `first` on; returns the chunks used. */
static __always_inline __u32 copy_area(struct vqb_state *st, __u32 area, __u64 src, __u64 len, __u32 first)
{
	struct copy_ctx c = { .src = src, .len = len, .first = first };

	bpf_loop(VQB_CHUNKS, copy_chunk, &c, 0);
	if (area < 3) {
		st->area_chunk[area] = first;
		st->area_len[area] = c.copied;
	}
	if (c.err)
		st->area_err = c.err;
	return c.chunks;
}

/*
 * args[0]: the virtqueue (a key of vq_stats or one of its siblings); args[1]:
 * VQB_READ_STATE or VQB_READ_RINGS.  One run copies all three areas, device
 * area first: a used entry then always names a head the later avail and
 * descriptor copies still hold, and the copies are microseconds apart.
 */
SEC("raw_tp")
int vq_read_state(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct vqb_state *st = bpf_map_lookup_elem(&snap_state, &zero);
	struct vring_virtqueue___local *vvq = (void *)ctx->args[0];

	if (!st)
		return 1;
	__builtin_memset(st, 0, sizeof(*st));
	st->vq = ctx->args[0];
	read_identity(vvq, st);
	read_rings(vvq, st);
	st->read_ok = 1;
	if (ctx->args[1] != VQB_READ_RINGS || !st->num || st->num > 32768)
		return 0;

	__u64 n = st->num;
	__u64 dev_len = st->packed ? 4 : 6 + 8 * n;
	__u64 drv_len = st->packed ? 4 : 6 + 2 * n;
	__u32 c = 0;

	c += copy_area(st, VQB_AREA_DEVICE, st->device_va, dev_len, c);
	c += copy_area(st, VQB_AREA_DRIVER, st->driver_va, drv_len, c);
	copy_area(st, VQB_AREA_DESC, st->desc_va, 16 * n, c);
	return 0;
}

/* Twice the largest table read, so a length masked with 2 * VQB_CHUNK - 1 is in bounds for every verifier. */
struct indirect_buf {
	__u8 b[2 * VQB_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct indirect_buf);
} snap_indirect SEC(".maps");

/*
 * args[0]: the virtqueue; args[1]: a split ring's descriptor index whose
 * INDIRECT descriptor names a table; args[2]: the table's length in bytes.
 * The driver keeps the table's kernel address in desc_state[head].indir_desc
 * while the buffer is in flight; it is copied into snap_indirect.  Returns 0,
 * or 1 when there is no table (any more), 2 for a packed ring or bad input.
 */
SEC("raw_tp")
int vq_read_indirect(struct bpf_raw_tracepoint_args *ctx)
{
	struct vring_virtqueue___local *vvq = (void *)ctx->args[0];
	__u64 head = ctx->args[1], len = ctx->args[2];
	__u32 zero = 0;
	struct indirect_buf *dst = bpf_map_lookup_elem(&snap_indirect, &zero);

	if (!dst || BPF_CORE_READ(vvq, packed_ring) || head >= BPF_CORE_READ(vvq, split.vring.num) ||
	    !len || len > VQB_CHUNK)
		return 2;
	__u64 ds = (__u64)BPF_CORE_READ(vvq, split.desc_state) +
		   head * bpf_core_type_size(struct vring_desc_state_split___local);
	void *table = BPF_CORE_READ((struct vring_desc_state_split___local *)ds, indir_desc);

	if (!table)
		return 1;
	/* Masked in asm: clang drops a C mask it can prove redundant, and older verifiers lose the bound. */
	asm volatile("%[n] &= %[m]" : [n] "+r"(len) : [m] "i"(2 * VQB_CHUNK - 1));
	if (bpf_probe_read_kernel(dst->b, len, table))
		return 1;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
