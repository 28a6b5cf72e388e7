/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio-mmio transport, versions 1 (legacy) and 2, over a window mapped as region 0 (spec 4.2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_hw.h"
#include "transport_internal.h"
#include "virtio_mmio_regs.h"

#define REG(field) VIRTIO_MMIO_OFF(field)

struct mmio {
	struct transport t;
	struct bar_access *a;
	uint32_t version;
	bool page_size_written;      /* version 1: GuestPageSize is set once, before the first queue */
};

static struct mmio *mmio(struct transport *t)
{
	return t->priv;
}

static int rd(struct transport *t, unsigned off, uint32_t *v)
{
	return bar_read(mmio(t)->a, 0, off, 4, v);
}

static int wr(struct transport *t, unsigned off, uint32_t v)
{
	return bar_write(mmio(t)->a, 0, off, 4, v);
}

static int mm_get_status(struct transport *t, uint8_t *status)
{
	uint32_t v;
	int r = rd(t, REG(status), &v);

	/* A 32-bit register: anything above the byte is junk or a vanished device; all-ones stays all-ones. */
	if (r == 0)
		*status = v == UINT32_MAX ? 0xff : (uint8_t)v;
	return r;
}

static int mm_set_status(struct transport *t, uint8_t status)
{
	return wr(t, REG(status), status);
}

/*
 * QEMU's virtio-mmio (7.2 at least) folds every DeviceFeaturesSel and
 * DriverFeaturesSel above 0 onto the second word: selectors 2 and 3 read
 * bits 32..63 again, and a write through them overwrites bits 32..63 of
 * what the driver accepted.  Words 2 and 3 equal to a non-zero word 1 are
 * that echo (no real device offers the same bits three times), so the
 * device gets 64 feature bits and no write through selectors it ignores.
 */
static bool features_echoed(const uint32_t *word, unsigned n_words)
{
	if (n_words < 3 || !word[1])
		return false;
	for (unsigned i = 2; i < n_words; i++)
		if (word[i] != word[1])
			return false;
	return true;
}

static int mm_get_device_features(struct transport *t, struct virtio_features *out)
{
	struct virtio_features f = { { 0, 0 } };
	uint32_t word[4] = { 0 };
	unsigned n_words = t->caps.feature_bits / 32 > 4 ? 4 : t->caps.feature_bits / 32;

	for (uint32_t sel = 0; sel < n_words; sel++) {
		int r;

		if ((r = wr(t, REG(device_features_sel), sel)) < 0 || (r = rd(t, REG(device_features), &word[sel])) < 0)
			return r;
	}
	if (features_echoed(word, n_words)) {
		n_words = 2;
		t->caps.feature_bits = 64;
	}
	for (uint32_t sel = 0; sel < n_words; sel++)
		f.w[sel / 2] |= (uint64_t)word[sel] << (32 * (sel % 2));
	*out = f;
	return 0;
}

/* Highest selector first: a device that folds high selectors onto word 1 still ends with the right word 1. */
static int mm_set_driver_features(struct transport *t, const struct virtio_features *f)
{
	for (uint32_t sel = t->caps.feature_bits / 32; sel-- > 0;) {
		int r;

		if ((r = wr(t, REG(driver_features_sel), sel)) < 0 ||
		    (r = wr(t, REG(driver_features), (uint32_t)(f->w[sel / 2] >> (32 * (sel % 2))))) < 0)
			return r;
	}
	return 0;
}

static int queue_max(struct transport *t, uint16_t q, uint16_t *max)
{
	uint32_t v;
	int r;

	if ((r = wr(t, REG(queue_sel), q)) < 0 || (r = rd(t, REG(queue_num_max), &v)) < 0)
		return r;
	*max = v > 0xffff ? 0xffff : (uint16_t)v;
	return 0;
}

static int mm_get_num_queues(struct transport *t, uint16_t *n)
{
	for (uint16_t q = 0; q < TRANSPORT_MAX_COUNTED_QUEUES; q++) {
		uint16_t max;
		int r = queue_max(t, q, &max);

		if (r < 0)
			return r;
		if (!max) {
			*n = q;
			return 0;
		}
	}
	*n = TRANSPORT_MAX_COUNTED_QUEUES;
	return 0;
}

static int mm_get_queue_state(struct transport *t, uint16_t q, struct transport_queue_state *out)
{
	struct transport_queue_state s = { 0 };
	uint32_t v;
	int r = queue_max(t, q, &s.max_size);

	if (r < 0)
		return r;
	if (rd(t, mmio(t)->version == 1 ? REG(queue_pfn) : REG(queue_ready), &v) == 0)
		s.has_enabled = true, s.enabled = mmio(t)->version == 1 ? v != 0 : (v & 1);
	*out = s;
	return 0;
}

static int setup_v1(struct transport *t, const struct transport_queue_setup *s)
{
	uint64_t drv, dev, total;
	int r;

	transport_legacy_ring_layout(s->size, &drv, &dev, &total);
	if (s->desc_addr % VIRTIO_MMIO_V1_PAGE_SIZE || s->driver_addr != s->desc_addr + drv ||
	    s->device_addr != s->desc_addr + dev || s->desc_addr / VIRTIO_MMIO_V1_PAGE_SIZE > UINT32_MAX)
		return -EINVAL;
	if (!mmio(t)->page_size_written) {
		if ((r = wr(t, REG(guest_page_size), VIRTIO_MMIO_V1_PAGE_SIZE)) < 0)
			return r;
		mmio(t)->page_size_written = true;
	}
	if ((r = wr(t, REG(queue_num), s->size)) < 0 || (r = wr(t, REG(queue_align), VIRTIO_LEGACY_VRING_ALIGN)) < 0)
		return r;
	return wr(t, REG(queue_pfn), (uint32_t)(s->desc_addr / VIRTIO_MMIO_V1_PAGE_SIZE));
}

static int mm_queue_setup(struct transport *t, uint16_t q, const struct transport_queue_setup *s)
{
	static const struct { unsigned low; } areas[] = { { REG(queue_desc_low) }, { REG(queue_driver_low) },
							   { REG(queue_device_low) } };
	const uint64_t addr[] = { s->desc_addr, s->driver_addr, s->device_addr };
	uint16_t max;
	int r = queue_max(t, q, &max);

	if (r < 0)
		return r;
	if (!max || !s->size || s->size > max)
		return -EINVAL;
	if (mmio(t)->version == 1)
		return setup_v1(t, s);
	if ((r = wr(t, REG(queue_num), s->size)) < 0)
		return r;
	for (size_t i = 0; i < 3; i++)
		if ((r = wr(t, areas[i].low, (uint32_t)addr[i])) < 0 || (r = wr(t, areas[i].low + 4, (uint32_t)(addr[i] >> 32))) < 0)
			return r;
	return 0;
}

static int mm_queue_enable(struct transport *t, uint16_t q)
{
	int r;

	if (mmio(t)->version == 1)
		return 0;   /* the PFN enabled it */
	if ((r = wr(t, REG(queue_sel), q)) < 0)
		return r;
	return wr(t, REG(queue_ready), 1);
}

static int mm_queue_reset(struct transport *t, uint16_t q)
{
	uint64_t deadline;
	uint32_t v;
	int r;

	if (!t->caps.has_queue_reset)
		return -EOPNOTSUPP;
	if ((r = wr(t, REG(queue_sel), q)) < 0 || (r = wr(t, REG(queue_reset), 1)) < 0)
		return r;
	deadline = transport_now_ms() + transport_timeout_ms(t);
	for (unsigned reads = 0;; reads++) {
		if ((r = rd(t, REG(queue_reset), &v)) < 0)
			return r;
		if (v == 1)
			return 0;
		if (reads >= 1 && transport_now_ms() >= deadline)
			return v == UINT32_MAX ? -ENODEV : -ETIMEDOUT;
		transport_pause_us(100);
	}
}

static int mm_get_notify_info(struct transport *t, uint16_t q, struct transport_notify_info *out)
{
	(void)t, (void)q;
	*out = (struct transport_notify_info){ .offset = REG(queue_notify), .bar = 0, .width = 4 };
	return 0;
}

static int mm_notify(struct transport *t, uint16_t q, uint32_t value)
{
	return wr(t, REG(queue_notify), t->notification_data ? value : q);
}

static int mm_no_vectors(struct transport *t, uint16_t vector, uint16_t *readback)
{
	(void)t, (void)vector, (void)readback;
	return -EOPNOTSUPP;
}

static int mm_no_queue_vectors(struct transport *t, uint16_t q, uint16_t vector, uint16_t *readback)
{
	(void)t, (void)q, (void)vector, (void)readback;
	return -EOPNOTSUPP;
}

/* InterruptStatus, acknowledged at once (the level interrupt drops only then). */
static int mm_read_isr(struct transport *t, uint8_t *isr)
{
	uint32_t v;
	int r = rd(t, REG(interrupt_status), &v);

	if (r < 0)
		return r;
	*isr = v == UINT32_MAX ? 0xff : (uint8_t)(v & 0x3);
	if (v && v != UINT32_MAX)
		(void)wr(t, REG(interrupt_ack), v & 0x3);
	return 0;
}

static int mm_get_config_generation(struct transport *t, uint32_t *gen)
{
	if (!t->caps.has_config_generation)
		return -EOPNOTSUPP;
	return rd(t, REG(config_generation), gen);
}

static int mm_config_read(struct transport *t, uint32_t off, unsigned width, uint32_t *val)
{
	if (off > t->config_len || width > t->config_len - off)
		return -ERANGE;
	return bar_read(mmio(t)->a, 0, VIRTIO_MMIO_CONFIG + off, width, val);
}

static int mm_config_write(struct transport *t, uint32_t off, unsigned width, uint32_t val)
{
	if (off > t->config_len || width > t->config_len - off)
		return -ERANGE;
	return bar_write(mmio(t)->a, 0, VIRTIO_MMIO_CONFIG + off, width, val);
}

static void mm_reset_now(struct transport *t)
{
	(void)mm_set_status(t, 0);
}

static void mm_destroy(struct transport *t)
{
	free(t->priv);
}

static const struct transport_ops mmio_ops = {
	.get_status = mm_get_status,
	.set_status = mm_set_status,
	.get_device_features = mm_get_device_features,
	.set_driver_features = mm_set_driver_features,
	.get_num_queues = mm_get_num_queues,
	.get_queue_state = mm_get_queue_state,
	.queue_setup = mm_queue_setup,
	.queue_enable = mm_queue_enable,
	.queue_reset = mm_queue_reset,
	.get_notify_info = mm_get_notify_info,
	.notify = mm_notify,
	.set_config_vector = mm_no_vectors,
	.set_queue_vector = mm_no_queue_vectors,
	.read_isr = mm_read_isr,
	.get_config_generation = mm_get_config_generation,
	.config_read = mm_config_read,
	.config_write = mm_config_write,
	.reset_now = mm_reset_now,
	.destroy = mm_destroy,
};

int transport_open_mmio(struct bar_access *a, struct transport **out, char *why, size_t why_len)
{
	uint32_t magic, version, device_id;
	struct mmio *m;
	int r;

	if (!a->bar[0].usable || a->bar[0].size < VIRTIO_MMIO_CONFIG) {
		snprintf(why, why_len, "the MMIO window is smaller than the register block");
		return -ENODEV;
	}
	if ((r = bar_read(a, 0, REG(magic_value), 4, &magic)) < 0 || (r = bar_read(a, 0, REG(version), 4, &version)) < 0 ||
	    (r = bar_read(a, 0, REG(device_id), 4, &device_id)) < 0) {
		snprintf(why, why_len, "reading the virtio-mmio registers failed: %s", strerror(-r));
		return r;
	}
	if (magic != VIRTIO_MMIO_MAGIC || (version != 1 && version != 2)) {
		snprintf(why, why_len, "not a virtio-mmio register block (magic 0x%08x, version %u)", magic, version);
		return -ENODEV;
	}
	if (!(m = calloc(1, sizeof(*m))))
		return -ENOMEM;
	m->a = a;
	m->version = version;
	m->t = (struct transport){
		.ops = &mmio_ops,
		.kind = version == 1 ? TRANSPORT_MMIO_V1 : TRANSPORT_MMIO_V2,
		.name = version == 1 ? "mmio-v1" : "mmio-v2",
		.device_id = device_id,
		.config_len = (uint32_t)(a->bar[0].size - VIRTIO_MMIO_CONFIG > 4096 ? 4096
									     : a->bar[0].size - VIRTIO_MMIO_CONFIG),
		.priv = m,
		.caps = {
			.legacy = version == 1,
			/* Version 1 has selectors 0 and 1 only. */
			.feature_bits = version == 1 ? 64 : 128,
			.has_config_generation = version == 2,
			.has_queue_enable = version == 2,
			.has_queue_reset = version == 2,
			.has_notify_data = version == 2,
			.legacy_ring_layout = version == 1,
		},
	};
	*out = &m->t;
	return 0;
}
