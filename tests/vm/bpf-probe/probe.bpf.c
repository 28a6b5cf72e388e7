// SPDX-License-Identifier: GPL-2.0-or-later
/* BPF side of the VM test probe: counts virtio interrupts (kprobe) and notifications (fentry). */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/*
 * Slot numbers are shared with probe.c. An array map rather than globals keeps
 * the loader independent of how libbpf names internal .bss maps.
 */
#define HIT_VRING_INTERRUPT 0
#define HIT_VIRTQUEUE_NOTIFY 1
#define HIT_VIRTQUEUE_KICK 2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* A kprobe, not fentry, so both attach mechanisms are exercised. */
SEC("kprobe/vring_interrupt")
int on_vring_interrupt(void *ctx)
{
	count(HIT_VRING_INTERRUPT);
	return 0;
}

/* virtio_blk notifies through virtqueue_kick_prepare + virtqueue_notify, never virtqueue_kick. */
SEC("fentry/virtqueue_notify")
int BPF_PROG(on_virtqueue_notify, void *vq)
{
	count(HIT_VIRTQUEUE_NOTIFY);
	return 0;
}

SEC("fentry/virtqueue_kick")
int BPF_PROG(on_virtqueue_kick, void *vq)
{
	count(HIT_VIRTQUEUE_KICK);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
