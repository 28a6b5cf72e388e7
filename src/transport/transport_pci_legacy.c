/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pci-legacy transport: the virtio header in I/O BAR 0 of legacy and transitional devices (spec 4.1.4.10). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "transport_hw.h"
#include "transport_internal.h"

#define LEGACY(field) VIRTIO_PCI_LEGACY_OFF(field)

struct legacy {
	struct transport t;
	struct bar_access *a;
	uint32_t config_off;         /* 20, or 24 while MSI-X is enabled */
};

static struct legacy *legacy(struct transport *t)
{
	return t->priv;
}

static int rd(struct transport *t, unsigned off, unsigned width, uint32_t *v)
{
	return bar_read(legacy(t)->a, 0, off, width, v);
}

static int wr(struct transport *t, unsigned off, unsigned width, uint32_t v)
{
	return bar_write(legacy(t)->a, 0, off, width, v);
}

static int l_get_status(struct transport *t, uint8_t *status)
{
	uint32_t v;
	int r = rd(t, LEGACY(device_status), 1, &v);

	if (r == 0)
		*status = (uint8_t)v;
	return r;
}

static int l_set_status(struct transport *t, uint8_t status)
{
	return wr(t, LEGACY(device_status), 1, status);
}

static int l_get_device_features(struct transport *t, struct virtio_features *out)
{
	uint32_t v;
	int r = rd(t, LEGACY(host_features), 4, &v);

	if (r == 0)
		*out = (struct virtio_features){ { v, 0 } };
	return r;
}

static int l_set_driver_features(struct transport *t, const struct virtio_features *f)
{
	return wr(t, LEGACY(guest_features), 4, (uint32_t)f->w[0]);
}

static int l_queue_size(struct transport *t, uint16_t q, uint16_t *size)
{
	uint32_t v;
	int r;

	if ((r = wr(t, LEGACY(queue_select), 2, q)) < 0 || (r = rd(t, LEGACY(queue_size), 2, &v)) < 0)
		return r;
	*size = (uint16_t)v;
	return 0;
}

/* No register holds the count: queues exist until one reads size 0 (bounded against a device that never does). */
static int l_get_num_queues(struct transport *t, uint16_t *n)
{
	for (uint16_t q = 0; q < TRANSPORT_MAX_COUNTED_QUEUES; q++) {
		uint16_t size;
		int r = l_queue_size(t, q, &size);

		if (r < 0)
			return r;
		if (!size) {
			*n = q;
			return 0;
		}
	}
	*n = TRANSPORT_MAX_COUNTED_QUEUES;
	return 0;
}

static int l_get_queue_state(struct transport *t, uint16_t q, struct transport_queue_state *out)
{
	struct transport_queue_state s = { 0 };
	uint32_t v;
	int r = l_queue_size(t, q, &s.max_size);

	if (r < 0)
		return r;
	if (rd(t, LEGACY(queue_pfn), 4, &v) == 0)
		s.has_enabled = true, s.enabled = v != 0;
	if (t->caps.has_vectors && rd(t, LEGACY(queue_msix_vector), 2, &v) == 0)
		s.has_vector = true, s.vector = (uint16_t)v;
	*out = s;
	return 0;
}

static int l_queue_setup(struct transport *t, uint16_t q, const struct transport_queue_setup *s)
{
	uint64_t drv, dev, total;
	uint16_t max;
	int r = l_queue_size(t, q, &max);

	if (r < 0)
		return r;
	transport_legacy_ring_layout(s->size, &drv, &dev, &total);
	/* One page frame says where all three areas are: anything else cannot be expressed. */
	if (!max || s->size != max || s->desc_addr % VIRTIO_LEGACY_VRING_ALIGN || s->driver_addr != s->desc_addr + drv ||
	    s->device_addr != s->desc_addr + dev || (s->desc_addr >> VIRTIO_PCI_LEGACY_PFN_SHIFT) > UINT32_MAX)
		return -EINVAL;
	return wr(t, LEGACY(queue_pfn), 4, (uint32_t)(s->desc_addr >> VIRTIO_PCI_LEGACY_PFN_SHIFT));
}

/* Writing the PFN enabled the queue. */
static int l_queue_enable(struct transport *t, uint16_t q)
{
	(void)t, (void)q;
	return 0;
}

static int l_queue_reset(struct transport *t, uint16_t q)
{
	(void)t, (void)q;
	return -EOPNOTSUPP;
}

static int l_get_notify_info(struct transport *t, uint16_t q, struct transport_notify_info *out)
{
	(void)t, (void)q;
	*out = (struct transport_notify_info){ .offset = LEGACY(queue_notify), .bar = 0, .width = 2 };
	return 0;
}

static int l_notify(struct transport *t, uint16_t q, uint32_t value)
{
	(void)value;   /* legacy has no notification data: the queue index is the whole message */
	return wr(t, LEGACY(queue_notify), 2, q);
}

static int l_set_config_vector(struct transport *t, uint16_t vector, uint16_t *readback)
{
	uint32_t v;
	int r;

	if (!t->caps.has_vectors)
		return -EOPNOTSUPP;
	if ((r = wr(t, LEGACY(config_msix_vector), 2, vector)) < 0 || (r = rd(t, LEGACY(config_msix_vector), 2, &v)) < 0)
		return r;
	*readback = (uint16_t)v;
	return 0;
}

static int l_set_queue_vector(struct transport *t, uint16_t q, uint16_t vector, uint16_t *readback)
{
	uint32_t v;
	int r;

	if (!t->caps.has_vectors)
		return -EOPNOTSUPP;
	if ((r = wr(t, LEGACY(queue_select), 2, q)) < 0 || (r = wr(t, LEGACY(queue_msix_vector), 2, vector)) < 0 ||
	    (r = rd(t, LEGACY(queue_msix_vector), 2, &v)) < 0)
		return r;
	*readback = (uint16_t)v;
	return 0;
}

static int l_read_isr(struct transport *t, uint8_t *isr)
{
	uint32_t v;
	int r = rd(t, LEGACY(isr_status), 1, &v);

	if (r == 0)
		*isr = (uint8_t)v;
	return r;
}

static int l_get_config_generation(struct transport *t, uint32_t *gen)
{
	(void)t, (void)gen;
	return -EOPNOTSUPP;
}

static int l_config_read(struct transport *t, uint32_t off, unsigned width, uint32_t *val)
{
	if (off > t->config_len || width > t->config_len - off)
		return -ERANGE;
	return rd(t, legacy(t)->config_off + off, width, val);
}

static int l_config_write(struct transport *t, uint32_t off, unsigned width, uint32_t val)
{
	if (off > t->config_len || width > t->config_len - off)
		return -ERANGE;
	return wr(t, legacy(t)->config_off + off, width, val);
}

static void l_reset_now(struct transport *t)
{
	(void)l_set_status(t, 0);
}

static void l_destroy(struct transport *t)
{
	free(t->priv);
}

static const struct transport_ops legacy_ops = {
	.get_status = l_get_status,
	.set_status = l_set_status,
	.get_device_features = l_get_device_features,
	.set_driver_features = l_set_driver_features,
	.get_num_queues = l_get_num_queues,
	.get_queue_state = l_get_queue_state,
	.queue_setup = l_queue_setup,
	.queue_enable = l_queue_enable,
	.queue_reset = l_queue_reset,
	.get_notify_info = l_get_notify_info,
	.notify = l_notify,
	.set_config_vector = l_set_config_vector,
	.set_queue_vector = l_set_queue_vector,
	.read_isr = l_read_isr,
	.get_config_generation = l_get_config_generation,
	.config_read = l_config_read,
	.config_write = l_config_write,
	.reset_now = l_reset_now,
	.destroy = l_destroy,
};

int transport_open_pci_legacy(struct bar_access *a, bool msix_enabled, uint32_t device_id, struct transport **out,
			      char *why, size_t why_len)
{
	uint32_t cfg = msix_enabled ? VIRTIO_PCI_LEGACY_CONFIG_MSIX : VIRTIO_PCI_LEGACY_CONFIG_NO_MSIX;
	struct legacy *l;

	if (!a->bar[0].usable || !a->bar[0].io || a->bar[0].size < cfg) {
		snprintf(why, why_len, "the legacy header needs an accessible I/O BAR 0");
		return -ENODEV;
	}
	if (!(l = calloc(1, sizeof(*l))))
		return -ENOMEM;
	l->a = a;
	l->config_off = cfg;
	l->t = (struct transport){
		.ops = &legacy_ops,
		.kind = TRANSPORT_PCI_LEGACY,
		.name = "pci-legacy",
		.device_id = device_id,
		.config_len = (uint32_t)(a->bar[0].size - cfg > 4096 ? 4096 : a->bar[0].size - cfg),
		.priv = l,
		.caps = {
			.legacy = true,
			.feature_bits = 32,
			.has_vectors = msix_enabled,
			.queue_size_fixed = true,
			.legacy_ring_layout = true,
		},
	};
	*out = &l->t;
	return 0;
}
