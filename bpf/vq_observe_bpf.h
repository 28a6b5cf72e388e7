/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Records shared by the BPF programs in vq_observe.bpf.c and their userspace loader. */
#ifndef VIRTIOCTL_VQ_OBSERVE_BPF_H
#define VIRTIOCTL_VQ_OBSERVE_BPF_H

#include <linux/types.h>

#define VQB_LAT_BUCKETS 32       /* bucket i: latencies in [2^i, 2^(i+1)) ns; the last is open-ended */
#define VQB_MAX_QUEUES 4096      /* virtqueues counted at once */
#define VQB_MAX_SIBLINGS 64      /* queues of one device found by walking virtio_device.vqs */
#define VQB_CHUNK 4096u          /* ring memory is copied in chunks of this many bytes */
#define VQB_CHUNKS 256u          /* ... at most this many per area: 1 MiB, a 32768-entry split used ring fits */
#define VQB_NAME_LEN 32

/* Per-CPU counters of one virtqueue, summed over CPUs by userspace. */
struct vqb_counters {
	__u64 kicks;                 /* notifications that went to the device: virtqueue_notify() on a queue not
	                                broken, or the copy of it virtqueue_kick() inlines */
	__u64 kicks_suppressed;      /* virtqueue_kick_prepare() returned false: event index or NO_NOTIFY */
	__u64 latency_sum_ns;        /* sum of the latencies counted in latency[] */
	__u64 interrupts;            /* vring_interrupt() returned IRQ_HANDLED */
	__u64 interrupts_spurious;   /* vring_interrupt() returned IRQ_NONE */
	__u64 adds;                  /* a virtqueue_add_*() call returned 0 */
	__u64 completions;           /* virtqueue_get_buf*() returned a buffer */
	__u64 last_ns;               /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) of the last of the above */
	__u64 latency[VQB_LAT_BUCKETS]; /* add -> get_buf of the same token */
};

enum vqb_event_type {
	VQB_EV_ADD = 1,
	VQB_EV_KICK,
	VQB_EV_KICK_SUPPRESSED,
	VQB_EV_NOTIFY,
	VQB_EV_INTERRUPT,
	VQB_EV_INTERRUPT_SPURIOUS,
	VQB_EV_COMPLETE,
};

#define VQB_HEAD_UNKNOWN 0xffffffffu

/* One event for `virtioctl trace` (ring buffer; only written while trace_enabled is set). */
struct vqb_event {
	__u64 ts_ns;                 /* bpf_ktime_get_ns() */
	__u64 vq;                    /* kernel address of the virtqueue: a key, never printed */
	__u64 token;                 /* the driver's buffer token (add, complete): pairs requests, never printed */
	__u64 latency_ns;            /* complete: time since the matching add, 0 when it was not seen */
	__u32 cpu;
	__u32 type;                  /* enum vqb_event_type */
	__u32 dev_index;             /* N of virtioN */
	__u32 queue;
	__u32 head;                  /* split: descriptor head of the buffer; VQB_HEAD_UNKNOWN */
	__u32 len;                   /* complete: bytes the device wrote */
	__u16 avail_idx;             /* split: avail_idx_shadow; packed: next_avail_idx */
	__u16 last_used_idx;         /* the driver's next used entry (packed: without the wrap bit) */
	__u8 packed;
	__u8 pad[3];
};

/* What vq_read_state (run from userspace) learns about one virtqueue. */
struct vqb_state {
	__u64 vq;
	__u64 features;              /* virtio_device.features: the negotiated bits 0-63 */
	__u64 desc_dma, driver_dma, device_dma;   /* areas as the device addresses them */
	__u64 desc_va, driver_va, device_va;      /* the same in the kernel's address space */
	__u64 split_queue_bytes;     /* split: size of the one allocation holding the three areas */
	__u32 dev_index;
	__u32 device_id;
	__u32 queue_index;
	__u32 num;
	__u32 num_free;
	__u16 avail_idx;             /* split: avail_idx_shadow; packed: next_avail_idx */
	__u16 avail_idx_mem;         /* split: avail->idx in ring memory */
	__u16 used_idx_mem;          /* split: used->idx in ring memory */
	__u16 last_used_idx;         /* as the kernel keeps it (packed: wrap bit 15 on newer kernels) */
	__u8 packed;
	__u8 event_idx;              /* the queue uses event index suppression */
	__u8 avail_wrap;             /* packed: driver's wrap counter */
	__u8 used_wrap;              /* packed: driver's used wrap counter */
	__u8 used_wrap_known;
	__u8 read_ok;                /* every probe read of the structure succeeded */
	__u8 pad[2];
	char name[VQB_NAME_LEN];
	__u32 n_siblings;
	/* With VQB_READ_RINGS: where each area landed in snap_chunks, indexed by enum vqb_area. */
	__u32 area_chunk[3];         /* first chunk */
	__u32 area_len[3];           /* bytes copied */
	__s32 area_err;              /* 0 or the first failed probe read's error */
	__u64 siblings[VQB_MAX_SIBLINGS];
};

/* Areas in snap_chunks. */
enum vqb_area {
	VQB_AREA_DESC = 0,
	VQB_AREA_DRIVER = 1,
	VQB_AREA_DEVICE = 2,
};

/* args[1] of vq_read_state. */
#define VQB_READ_STATE 0
#define VQB_READ_RINGS 1

#endif
