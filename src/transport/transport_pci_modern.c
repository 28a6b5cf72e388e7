/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pci-modern transport: common, notify, ISR and device configuration capabilities (spec 4.1.4). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "transport_hw.h"
#include "transport_internal.h"

#define COMMON(field) VIRTIO_PCI_COMMON_CFG_OFF(field), VIRTIO_PCI_COMMON_CFG_WIDTH(field)
/* The per-queue registers this tool reads end before queue_desc: the minimum a common capability must cover. */
#define COMMON_MIN_LEN 0x20u

struct window {
	bool present;
	unsigned bar;
	uint64_t offset, length;
};

struct modern {
	struct transport t;
	struct bar_access *a;
	struct window common, notify, isr, device;
	uint32_t notify_multiplier;
};

static struct modern *modern(struct transport *t)
{
	return t->priv;
}

static int win_read(struct bar_access *a, const struct window *w, uint64_t off, unsigned width, uint32_t *v)
{
	if (!w->present || off > w->length || width > w->length - off)
		return -ERANGE;
	return bar_read(a, w->bar, w->offset + off, width, v);
}

static int win_write(struct bar_access *a, const struct window *w, uint64_t off, unsigned width, uint32_t v)
{
	if (!w->present || off > w->length || width > w->length - off)
		return -ERANGE;
	return bar_write(a, w->bar, w->offset + off, width, v);
}

static int common_read(struct transport *t, unsigned off, unsigned width, uint32_t *v)
{
	return win_read(modern(t)->a, &modern(t)->common, off, width, v);
}

static int common_write(struct transport *t, unsigned off, unsigned width, uint32_t v)
{
	return win_write(modern(t)->a, &modern(t)->common, off, width, v);
}

static int select_queue(struct transport *t, uint16_t q)
{
	return common_write(t, COMMON(queue_select), q);
}

static int m_get_status(struct transport *t, uint8_t *status)
{
	uint32_t v;
	int r = common_read(t, COMMON(device_status), &v);

	if (r == 0)
		*status = (uint8_t)v;
	return r;
}

static int m_set_status(struct transport *t, uint8_t status)
{
	return common_write(t, COMMON(device_status), status);
}

static int m_get_device_features(struct transport *t, struct virtio_features *out)
{
	struct virtio_features f = { { 0, 0 } };

	for (uint32_t sel = 0; sel < VIRTIO_FEATURES_BITS / 32; sel++) {
		uint32_t v;
		int r;

		if ((r = common_write(t, COMMON(device_feature_select), sel)) < 0 ||
		    (r = common_read(t, COMMON(device_feature), &v)) < 0)
			return r;
		f.w[sel / 2] |= (uint64_t)v << (32 * (sel % 2));
	}
	*out = f;
	return 0;
}

static int m_set_driver_features(struct transport *t, const struct virtio_features *f)
{
	for (uint32_t sel = 0; sel < VIRTIO_FEATURES_BITS / 32; sel++) {
		int r;

		if ((r = common_write(t, COMMON(driver_feature_select), sel)) < 0 ||
		    (r = common_write(t, COMMON(driver_feature), (uint32_t)(f->w[sel / 2] >> (32 * (sel % 2))))) < 0)
			return r;
	}
	return 0;
}

static int m_get_num_queues(struct transport *t, uint16_t *n)
{
	uint32_t v;
	int r = common_read(t, COMMON(num_queues), &v);

	if (r == 0)
		*n = (uint16_t)v;
	return r;
}

static int m_get_queue_state(struct transport *t, uint16_t q, struct transport_queue_state *out)
{
	struct transport_queue_state s = { 0 };
	uint32_t v;
	int r;

	if ((r = select_queue(t, q)) < 0 || (r = common_read(t, COMMON(queue_size), &v)) < 0)
		return r;
	s.max_size = (uint16_t)v;
	if (common_read(t, COMMON(queue_msix_vector), &v) == 0)
		s.has_vector = true, s.vector = (uint16_t)v;
	if (common_read(t, COMMON(queue_enable), &v) == 0)
		s.has_enabled = true, s.enabled = v & 1;
	if (common_read(t, COMMON(queue_notify_off), &v) == 0)
		s.has_notify_off = true, s.notify_off = (uint16_t)v;
	*out = s;
	return 0;
}

/* 64-bit queue addresses as two 32-bit writes, low half first (spec 4.1.3.1 allows it). */
static int write64(struct transport *t, unsigned off, uint64_t v)
{
	int r = common_write(t, off, 4, (uint32_t)v);

	return r < 0 ? r : common_write(t, off + 4, 4, (uint32_t)(v >> 32));
}

static int m_queue_setup(struct transport *t, uint16_t q, const struct transport_queue_setup *s)
{
	int r;

	if (modern(t)->common.length < VIRTIO_PCI_COMMON_CFG_LEN_1_0)
		return -ERANGE;
	if ((r = select_queue(t, q)) < 0 || (r = common_write(t, COMMON(queue_size), s->size)) < 0 ||
	    (r = write64(t, VIRTIO_PCI_COMMON_CFG_OFF(queue_desc), s->desc_addr)) < 0 ||
	    (r = write64(t, VIRTIO_PCI_COMMON_CFG_OFF(queue_driver), s->driver_addr)) < 0)
		return r;
	return write64(t, VIRTIO_PCI_COMMON_CFG_OFF(queue_device), s->device_addr);
}

static int m_queue_enable(struct transport *t, uint16_t q)
{
	int r = select_queue(t, q);

	return r < 0 ? r : common_write(t, COMMON(queue_enable), 1);
}

static int m_queue_reset(struct transport *t, uint16_t q)
{
	uint64_t deadline;
	uint32_t v;
	int r;

	if (!t->caps.has_queue_reset)
		return -EOPNOTSUPP;
	if ((r = select_queue(t, q)) < 0 || (r = common_write(t, COMMON(queue_reset), 1)) < 0)
		return r;
	deadline = transport_now_ms() + transport_timeout_ms(t);
	for (unsigned reads = 0;; reads++) {
		if ((r = common_read(t, COMMON(queue_reset), &v)) < 0)
			return r;
		if (v == 1)
			return 0;
		if (reads >= 1 && transport_now_ms() >= deadline)
			return v == 0xffff ? -ENODEV : -ETIMEDOUT;
		transport_pause_us(100);
	}
}

static int m_get_notify_info(struct transport *t, uint16_t q, struct transport_notify_info *out)
{
	struct modern *m = modern(t);
	uint32_t v;
	uint64_t off;
	int r;

	if (!m->notify.present)
		return -ENODEV;
	if ((r = select_queue(t, q)) < 0 || (r = common_read(t, COMMON(queue_notify_off), &v)) < 0)
		return r;
	/* Hostile values: the doorbell must lie inside the notify capability's region. */
	off = (uint64_t)v * m->notify_multiplier;
	if (off + 4 > m->notify.length && off + 2 > m->notify.length)
		return -ERANGE;
	*out = (struct transport_notify_info){ .offset = m->notify.offset + off, .bar = m->notify.bar, .width = 2,
					       .notify_off = (uint16_t)v, .multiplier = m->notify_multiplier };
	return 0;
}

static int m_notify(struct transport *t, uint16_t q, uint32_t value)
{
	struct modern *m = modern(t);
	struct transport_notify_info n;
	unsigned width = t->notification_data ? 4 : 2;
	int r = m_get_notify_info(t, q, &n);

	if (r < 0)
		return r;
	return win_write(m->a, &m->notify, n.offset - m->notify.offset, width, width == 2 ? (value & 0xffff) : value);
}

static int m_set_config_vector(struct transport *t, uint16_t vector, uint16_t *readback)
{
	uint32_t v;
	int r;

	if (!t->caps.has_vectors)
		return -EOPNOTSUPP;
	if ((r = common_write(t, COMMON(config_msix_vector), vector)) < 0 ||
	    (r = common_read(t, COMMON(config_msix_vector), &v)) < 0)
		return r;
	*readback = (uint16_t)v;
	return 0;
}

static int m_set_queue_vector(struct transport *t, uint16_t q, uint16_t vector, uint16_t *readback)
{
	uint32_t v;
	int r;

	if (!t->caps.has_vectors)
		return -EOPNOTSUPP;
	if ((r = select_queue(t, q)) < 0 || (r = common_write(t, COMMON(queue_msix_vector), vector)) < 0 ||
	    (r = common_read(t, COMMON(queue_msix_vector), &v)) < 0)
		return r;
	*readback = (uint16_t)v;
	return 0;
}

static int m_read_isr(struct transport *t, uint8_t *isr)
{
	uint32_t v;
	int r = win_read(modern(t)->a, &modern(t)->isr, 0, 1, &v);

	if (r == 0)
		*isr = (uint8_t)v;
	return r;
}

static int m_get_config_generation(struct transport *t, uint32_t *gen)
{
	return common_read(t, COMMON(config_generation), gen);
}

static int m_config_read(struct transport *t, uint32_t off, unsigned width, uint32_t *val)
{
	if (off > t->config_len || width > t->config_len - off)
		return -ERANGE;
	return win_read(modern(t)->a, &modern(t)->device, off, width, val);
}

static int m_config_write(struct transport *t, uint32_t off, unsigned width, uint32_t val)
{
	if (off > t->config_len || width > t->config_len - off)
		return -ERANGE;
	return win_write(modern(t)->a, &modern(t)->device, off, width, val);
}

static void m_reset_now(struct transport *t)
{
	(void)m_set_status(t, 0);
}

static void m_destroy(struct transport *t)
{
	free(t->priv);
}

static const struct transport_ops modern_ops = {
	.get_status = m_get_status,
	.set_status = m_set_status,
	.get_device_features = m_get_device_features,
	.set_driver_features = m_set_driver_features,
	.get_num_queues = m_get_num_queues,
	.get_queue_state = m_get_queue_state,
	.queue_setup = m_queue_setup,
	.queue_enable = m_queue_enable,
	.queue_reset = m_queue_reset,
	.get_notify_info = m_get_notify_info,
	.notify = m_notify,
	.set_config_vector = m_set_config_vector,
	.set_queue_vector = m_set_queue_vector,
	.read_isr = m_read_isr,
	.get_config_generation = m_get_config_generation,
	.config_read = m_config_read,
	.config_write = m_config_write,
	.reset_now = m_reset_now,
	.destroy = m_destroy,
};

/* A capability's region, usable only when its BAR is accessible and the region lies inside the BAR. */
static struct window window_of(const struct bar_access *a, const struct virtio_pci_cap_info *c)
{
	struct window w = { 0 };

	if (!c || c->bar >= PCI_NUM_BARS || !a->bar[c->bar].usable)
		return w;
	if (c->offset > a->bar[c->bar].size || c->length > a->bar[c->bar].size - c->offset)
		return w;
	return (struct window){ .present = true, .bar = c->bar, .offset = c->offset, .length = c->length };
}

int transport_open_pci_modern(struct bar_access *a, const struct pci_cfg_decode *dec, uint32_t device_id,
			      struct transport **out, char *why, size_t why_len)
{
	const struct virtio_pci_cap_info *common = pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_COMMON_CFG);
	const struct virtio_pci_cap_info *notify = pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_NOTIFY_CFG);
	struct modern *m;

	if (!common) {
		snprintf(why, why_len, "no usable common configuration capability: transport registers not read");
		return -ENODEV;
	}
	if (!(m = calloc(1, sizeof(*m))))
		return -ENOMEM;
	m->a = a;
	m->common = window_of(a, common);
	if (!m->common.present || m->common.length < COMMON_MIN_LEN) {
		free(m);
		snprintf(why, why_len, "the common configuration region is too short or its BAR is not accessible");
		return -ERANGE;
	}
	m->notify = window_of(a, notify);
	m->notify_multiplier = notify && notify->has_notify_off_multiplier ? notify->notify_off_multiplier : 0;
	m->isr = window_of(a, pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_ISR_CFG));
	m->device = window_of(a, pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_DEVICE_CFG));
	m->t = (struct transport){
		.ops = &modern_ops,
		.kind = TRANSPORT_PCI_MODERN,
		.name = "pci-modern",
		.device_id = device_id,
		.config_len = m->device.present ? (uint32_t)(m->device.length > 4096 ? 4096 : m->device.length) : 0,
		.priv = m,
		.caps = {
			.feature_bits = 128,
			.has_num_queues = true,
			.has_config_generation = true,
			.has_vectors = dec->msix.present,
			.has_queue_enable = true,
			.has_queue_reset = m->common.length >= VIRTIO_PCI_COMMON_CFG_LEN_RESET,
			.has_notify_data = m->common.length >= VIRTIO_PCI_COMMON_CFG_LEN_NOTIFY_DATA,
		},
	};
	*out = &m->t;
	return 0;
}
