/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The probe's queues: setup through the transport, interrupts or polling, bounded waits that name what is stuck. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"
#include "vfio.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int probe_fail(struct probe *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	return err;
}

static int pool_alloc(void *opaque, size_t len, size_t align, struct vq_dma_chunk *out)
{
	struct dma_chunk c;
	int r = dma_alloc(opaque, len, align, &c);

	if (r < 0)
		return r;
	*out = (struct vq_dma_chunk){ .vaddr = c.vaddr, .bus = c.bus_addr, .len = c.len };
	return 0;
}

int probe_dma(struct probe *p, size_t len, struct dma_chunk *out)
{
	int r = dma_alloc(p->dma, len, 64, out);

	if (r < 0)
		return probe_fail(p, r, "no DMA memory left for a %zu-byte buffer", len);
	return 0;
}

static int notify_device(void *opaque, uint16_t q, uint32_t value)
{
	struct transport *t = opaque;

	return t->ops->notify(t, q, value);
}

static uint32_t largest_pow2_at_most(uint32_t v)
{
	uint32_t r = 1;

	while (r * 2 <= v)
		r *= 2;
	return r;
}

/* The queue size: --queue-size, else the device's maximum capped at the default; split: a power of two. */
static int choose_size(struct probe *p, struct probe_queue *pq, bool packed, uint32_t *size)
{
	uint32_t max = pq->state.max_size, want = p->opts->queue_size;

	if (!packed && (max & (max - 1)))
		violation_add(&p->violations, "queue_size_not_power_of_2", "2.7",
			      "queue %u: maximum size %u is not a power of two, which a split ring requires", pq->index, max);
	if (p->t->caps.queue_size_fixed) {
		if (want && want != max)
			return probe_fail(p, -EINVAL, "queue %u: --queue-size %u: the %s transport fixes the size at %u",
				    pq->index, want, p->t->name, max);
		*size = max;
		return 0;
	}
	if (want > max)
		return probe_fail(p, -EINVAL, "queue %u: --queue-size %u exceeds the device's maximum of %u", pq->index, want, max);
	if (!want)
		want = max < PROBE_DEFAULT_QUEUE_SIZE ? max : PROBE_DEFAULT_QUEUE_SIZE;
	if (!packed)
		want = largest_pow2_at_most(want);
	*size = want;
	return 0;
}

/* MSI-X: vector 0 is configuration changes, queue i gets 1+i while vectors last (then shares the last). */
static void setup_vector(struct probe *p, struct probe_queue *pq)
{
	pq->irq_fd_index = -1;
	if (p->opts->poll || !p->vfio)
		return;
	if (p->vfio->irq_mode == VFIO_IRQ_INTX) {
		pq->irq_fd_index = 0;
		return;
	}
	if (p->vfio->irq_mode != VFIO_IRQ_MSIX || !p->t->caps.has_vectors || p->vfio->n_irq_fds < 2)
		return;
	uint16_t want = (uint16_t)(1u + pq->index < p->vfio->n_irq_fds ? 1u + pq->index : p->vfio->n_irq_fds - 1u);
	uint16_t readback = 0;

	if (p->t->ops->set_queue_vector(p->t, pq->index, want, &readback) < 0)
		return;
	pq->has_vector = true;
	pq->vector = readback;
	/* A device out of vectors reads back NO_VECTOR (4.1.5.1.2): allowed; that queue is polled. */
	if (readback == want)
		pq->irq_fd_index = want;
}

static int setup_one(struct probe *p, struct probe_queue *pq)
{
	bool packed = virtio_features_test(&p->accepted, VIRTIO_F_RING_PACKED_BIT);
	uint32_t size = 0;
	char why[200];
	int r = choose_size(p, pq, packed, &size);

	if (r < 0)
		return r;
	struct vq_config c = {
		.index = pq->index,
		.size = size,
		.ring_type = packed ? VQ_RING_PACKED : VQ_RING_SPLIT,
		.features = p->accepted,
		.use_indirect = true,
		.dma = &p->dma_alloc,
		.notify = notify_device,
		.notify_opaque = p->t,
		.violations = &p->violations,
	};

	r = vq_create(&c, &pq->vq, why, sizeof(why));
	if (r < 0)
		return probe_fail(p, r, "%s", why);
	struct transport_queue_setup s = { .size = (uint16_t)size };

	vq_area_addrs(pq->vq, &s.desc_addr, &s.driver_addr, &s.device_addr);
	r = p->t->ops->queue_setup(p->t, pq->index, &s);
	if (r < 0)
		return probe_fail(p, r, "queue %u: setting up a %s ring of %u failed: %s", pq->index, packed ? "packed" : "split",
			    size, strerror(-r));
	setup_vector(p, pq);
	if (pq->irq_fd_index < 0)
		vq_set_interrupts(pq->vq, false);
	r = p->t->ops->queue_enable(p->t, pq->index);
	if (r < 0)
		return probe_fail(p, r, "queue %u: enabling failed: %s", pq->index, strerror(-r));
	return 0;
}

int probe_setup_queues(struct probe *p, const uint16_t *which, size_t n)
{
	p->dma_alloc = (struct vq_dma_allocator){ .alloc = pool_alloc, .opaque = p->dma };
	if (p->vfio && p->vfio->irq_mode == VFIO_IRQ_MSIX && p->t->caps.has_vectors && !p->opts->poll) {
		uint16_t readback;

		(void)p->t->ops->set_config_vector(p->t, 0, &readback);
	}
	for (size_t i = 0; i < n; i++) {
		if (which[i] >= p->num_queues || !p->queues[which[i]].state.max_size)
			return probe_fail(p, -ENOENT, "queue %u does not exist on this device (%u queues)", which[i], p->num_queues);
		if (p->queues[which[i]].vq)
			continue;
		int r = setup_one(p, &p->queues[which[i]]);

		if (r < 0)
			return r;
	}
	int r = transport_add_status(p->t, VIRTIO_STATUS_DRIVER_OK);

	if (r < 0)
		return probe_fail(p, r, "setting DRIVER_OK failed: %s", strerror(-r));
	uint8_t st;

	if ((r = p->t->ops->get_status(p->t, &st)) < 0)
		return probe_fail(p, r, "reading status after DRIVER_OK failed: %s", strerror(-r));
	p->status = st;
	if (st == 0xff)
		return probe_fail(p, -ENODEV, "device status reads 0xff after DRIVER_OK: the device is gone");
	if (transport_needs_reset(st))
		return probe_fail(p, -EIO, "device set DEVICE_NEEDS_RESET (status 0x%02x) after DRIVER_OK", st);
	p->driver_ok = true;
	return 0;
}

/* Waits at most slice_ms for the queue's interrupt, or a short pause when polling; false when removal was requested. */
static bool wait_slice(struct probe *p, struct probe_queue *pq, int slice_ms, uint64_t spin_until)
{
	if (pq->irq_fd_index >= 0 && p->vfio) {
		int r = vfio_irq_wait(p->vfio, (unsigned)pq->irq_fd_index, slice_ms);

		if (r == 0 && p->vfio->irq_mode == VFIO_IRQ_INTX) {
			uint8_t isr;

			(void)p->t->ops->read_isr(p->t, &isr);
		}
		return r != -ENODEV;
	}
	/* Polling: spin for the first stretch (latency), then sleep in short steps (CPU). */
	if (now_ns() < spin_until)
		return true;
	struct timespec ts = { 0, 50000 };

	nanosleep(&ts, NULL);
	return true;
}

static const char *plural_s(unsigned n) { return n == 1 ? "" : "s"; }

int probe_check_device(struct probe *p, struct probe_queue *pq)
{
	unsigned n = vq_in_flight(pq->vq);
	uint8_t st = 0;

	if (p->vfio && vfio_removal_requested(p->vfio))
		return probe_fail(p, -ENODEV, "queue %u: the kernel asked to release the device (hot-unplug or unbind) "
			    "while %u request%s %s outstanding; stopped, reset and released it", pq->index, n,
			    plural_s(n), n == 1 ? "was" : "were");
	if (p->t->ops->get_status(p->t, &st) < 0 || st == 0xff)
		return probe_fail(p, -ENODEV, "queue %u: the device went away while %u request%s %s outstanding "
			    "(registers unreadable or all-ones)", pq->index, n, plural_s(n), n == 1 ? "was" : "were");
	if (transport_needs_reset(st))
		return probe_fail(p, -EIO, "queue %u: the device set DEVICE_NEEDS_RESET (status 0x%02x)", pq->index, st);
	return 0;
}

int probe_wait_used(struct probe *p, struct probe_queue *pq, void **cookie, uint32_t *len)
{
	uint64_t start = now_ns(), deadline = start + (uint64_t)p->opts->timeout_ms * 1000000ull;
	uint64_t next_status = start + 10000000ull;

	for (;;) {
		int r = vq_reap(pq->vq, cookie, len);

		if (r == 1)
			return 1;
		if (r < 0) {
			char d[256];

			vq_describe(pq->vq, d, sizeof(d));
			return probe_fail(p, r, "the device broke the ring protocol (see violations): %s", d);
		}
		uint64_t now = now_ns();

		if (now >= next_status || now >= deadline) {
			next_status = now + 10000000ull;
			if ((r = probe_check_device(p, pq)) < 0)
				return r;
		}
		if (now >= deadline) {
			char d[256];

			vq_describe(pq->vq, d, sizeof(d));
			return probe_fail(p, -ETIMEDOUT, "timed out after %u ms waiting for a used buffer: %s", p->opts->timeout_ms, d);
		}
		int slice = (int)((deadline - now) / 1000000ull) + 1;

		if (!wait_slice(p, pq, slice > 100 ? 100 : slice, start + 2000000ull))
			next_status = 0;   /* the removal request arrived: notice it now */
	}
}

int probe_request(struct probe *p, struct probe_queue *pq, const struct vq_sg *sg, unsigned n_out, unsigned n_in,
		  uint32_t *used_len, uint64_t *latency_ns)
{
	uint64_t start = now_ns();
	int tag;
	int r = vq_add(pq->vq, sg, n_out, n_in, &tag);

	if (r < 0)
		return probe_fail(p, r, "queue %u: could not add a request: %s", pq->index, strerror(-r));
	r = vq_kick(pq->vq);
	if (r < 0)
		return probe_fail(p, r, "queue %u: notifying the device failed: %s", pq->index, strerror(-r));
	for (;;) {
		void *cookie;
		uint32_t len;

		r = probe_wait_used(p, pq, &cookie, &len);
		if (r < 0)
			return r;
		if (cookie != &tag)
			continue;   /* an earlier request of this queue (cannot happen with one outstanding) */
		*used_len = len;
		break;
	}
	if (latency_ns)
		*latency_ns = now_ns() - start;
	pq->requests++;
	for (unsigned i = 0; i < n_out + n_in; i++) {
		if (i < n_out)
			pq->bytes_out += sg[i].len;
	}
	pq->bytes_in += *used_len;
	return 0;
}

struct probe_test_result *probe_result(struct probe *p, const char *name, enum probe_result res, const char *fmt, ...)
{
	static struct probe_test_result overflow;
	struct probe_test_result *t = p->n_results < PROBE_MAX_RESULTS ? &p->results[p->n_results++] : &overflow;
	va_list ap;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->result = res;
	va_start(ap, fmt);
	vsnprintf(t->detail, sizeof(t->detail), fmt, ap);
	va_end(ap);
	return t;
}

void probe_finish(struct probe *p)
{
	/* Reset first: the device must stop touching ring memory before it is freed. */
	if (p->t)
		(void)transport_reset(p->t);
	for (unsigned q = 0; q < PROBE_MAX_QUEUES; q++) {
		vq_destroy(p->queues[q].vq);
		p->queues[q].vq = NULL;
	}
	free(p->config);
	p->config = NULL;
}

int probe_queue_reset(struct probe *p, struct probe_queue *pq, bool *enabled_after_reset)
{
	struct transport_queue_state st;
	int reset = p->t->ops->queue_reset(p->t, pq->index);
	int r = p->t->ops->get_queue_state(p->t, pq->index, &st);

	if (r < 0)
		return probe_fail(p, r, "queue %u: reading it back after the reset failed: %s", pq->index, strerror(-r));
	*enabled_after_reset = st.has_enabled && st.enabled;
	/*
	 * The spec (4.1.4.3.2) has queue_reset read 0 once the reset is done;
	 * QEMU and Linux use 1 for "done" until the queue is enabled again. A
	 * wait for 0 that times out with queue_enable already 0 is that reading:
	 * the queue is reset either way, and is set up again below.
	 */
	if (reset == -ETIMEDOUT && st.has_enabled && !st.enabled)
		reset = 0;
	if (reset == -ETIMEDOUT && st.has_enabled && st.enabled) {
		/* Neither reading of queue_reset, and the queue still live: the write was ignored (QEMU 7.2's virtio-mmio). */
		violation_add(&p->violations, "queue_reset_ignored", "2.6.1",
			      "queue %u: writing 1 to queue_reset left the queue enabled and queue_reset never read 1, "
			      "though VIRTIO_F_RING_RESET was negotiated", pq->index);
		return probe_fail(p, -EPROTO, "queue %u: the device ignored the queue reset (still enabled, queue_reset "
				  "never read 1)", pq->index);
	}
	if (reset < 0)
		return probe_fail(p, reset, "queue %u: queue reset failed: %s", pq->index, strerror(-reset));
	/* The device forgot the ring: the driver starts a fresh one (spec 2.6.1). */
	vq_destroy(pq->vq);
	pq->vq = NULL;
	return setup_one(p, pq);
}
