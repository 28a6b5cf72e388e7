/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A transport over plain memory with a scripted device: unit tests of everything above the transport layer. */
#include "transport_fake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fake_state {
	struct transport t;
	struct fake_device *d;
	uint32_t reset_reads_left;   /* status reads still showing the pre-reset value */
	uint8_t status_before_reset;
};

static struct fake_state *state(struct transport *t)
{
	return t->priv;
}

void fake_device_init(struct fake_device *d, uint32_t device_id, const struct virtio_features *offered)
{
	memset(d, 0, sizeof(*d));
	d->device_id = device_id;
	d->offered = *offered;
	d->acceptable = *offered;
	d->num_queues = 2;
	for (unsigned q = 0; q < d->num_queues; q++)
		d->queues[q] = (struct fake_queue){ .max_size = 256, .size = 256, .vector = VIRTIO_MSI_NO_VECTOR,
						    .notify_off = (uint16_t)q };
	d->config_len = 64;
	d->n_vectors = 4;
	d->config_vector = VIRTIO_MSI_NO_VECTOR;
}

static bool queue_ok(const struct fake_device *d, uint16_t q)
{
	return q < d->num_queues && q < FAKE_MAX_QUEUES;
}

static int fake_get_status(struct transport *t, uint8_t *status)
{
	struct fake_state *s = state(t);

	if (s->d->removed) {
		*status = 0xff;
		return 0;
	}
	if (s->reset_reads_left) {
		if (s->reset_reads_left != UINT32_MAX)
			s->reset_reads_left--;
		*status = s->status_before_reset;
		return 0;
	}
	*status = s->d->status;
	return 0;
}

static void reset_device(struct fake_device *d)
{
	d->status = 0;
	d->resets++;
	memset(&d->driver_features, 0, sizeof(d->driver_features));
	d->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned q = 0; q < FAKE_MAX_QUEUES; q++) {
		struct fake_queue *fq = &d->queues[q];

		fq->size = fq->max_size;
		fq->desc_addr = fq->driver_addr = fq->device_addr = 0;
		fq->enabled = false;
		fq->vector = VIRTIO_MSI_NO_VECTOR;
	}
}

static int fake_set_status(struct transport *t, uint8_t status)
{
	struct fake_state *s = state(t);
	struct fake_device *d = s->d;

	if (d->removed)
		return 0;
	if (status == 0) {
		s->status_before_reset = d->status;
		s->reset_reads_left = d->reset_delay_reads;
		reset_device(d);
		return 0;
	}
	if ((status & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK) && d->refuse_features) {
		bool subset = !(d->driver_features.w[0] & ~d->acceptable.w[0]) &&
			      !(d->driver_features.w[1] & ~d->acceptable.w[1]);

		if (!subset)
			status &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	}
	if (d->needs_reset_on && (status & d->needs_reset_on))
		status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	d->status = status;
	return 0;
}

static struct virtio_features masked(const struct virtio_features *f, unsigned bits)
{
	struct virtio_features m = *f;

	if (bits <= 64)
		m.w[1] = 0;
	if (bits <= 32)
		m.w[0] &= 0xffffffffu;
	return m;
}

static int fake_get_device_features(struct transport *t, struct virtio_features *out)
{
	struct fake_device *d = state(t)->d;

	if (d->removed) {
		*out = masked(&(struct virtio_features){ { ~0ULL, ~0ULL } }, t->caps.feature_bits);
		return 0;
	}
	*out = masked(&d->offered, t->caps.feature_bits);
	return 0;
}

static int fake_set_driver_features(struct transport *t, const struct virtio_features *f)
{
	state(t)->d->driver_features = masked(f, t->caps.feature_bits);
	return 0;
}

static int fake_get_num_queues(struct transport *t, uint16_t *n)
{
	*n = state(t)->d->num_queues;
	return 0;
}

static int fake_get_queue_state(struct transport *t, uint16_t q, struct transport_queue_state *out)
{
	struct fake_device *d = state(t)->d;

	memset(out, 0, sizeof(*out));
	if (!queue_ok(d, q))
		return 0;
	out->max_size = d->queues[q].max_size;
	out->has_vector = t->caps.has_vectors;
	out->vector = d->queues[q].vector;
	out->has_enabled = true;
	out->enabled = d->queues[q].enabled;
	out->has_notify_off = true;
	out->notify_off = d->queues[q].notify_off;
	return 0;
}

static int fake_queue_setup(struct transport *t, uint16_t q, const struct transport_queue_setup *su)
{
	struct fake_device *d = state(t)->d;
	struct fake_queue *fq;

	if (!queue_ok(d, q) || !su->size || su->size > d->queues[q].max_size)
		return -EINVAL;
	fq = &d->queues[q];
	if (t->caps.queue_size_fixed && su->size != fq->max_size)
		return -EINVAL;
	if (t->caps.legacy_ring_layout) {
		uint64_t drv, dev, total;

		transport_legacy_ring_layout(su->size, &drv, &dev, &total);
		if (su->desc_addr % VIRTIO_LEGACY_VRING_ALIGN || su->driver_addr != su->desc_addr + drv ||
		    su->device_addr != su->desc_addr + dev)
			return -EINVAL;
	}
	fq->size = su->size;
	fq->desc_addr = su->desc_addr;
	fq->driver_addr = su->driver_addr;
	fq->device_addr = su->device_addr;
	if (!t->caps.has_queue_enable)
		fq->enabled = su->desc_addr != 0;
	return 0;
}

static int fake_queue_enable(struct transport *t, uint16_t q)
{
	struct fake_device *d = state(t)->d;

	if (!queue_ok(d, q))
		return -EINVAL;
	d->queues[q].enabled = true;
	return 0;
}

static int fake_queue_reset(struct transport *t, uint16_t q)
{
	struct fake_device *d = state(t)->d;

	if (!t->caps.has_queue_reset)
		return -EOPNOTSUPP;
	if (!queue_ok(d, q))
		return -EINVAL;
	d->queues[q].enabled = false;
	d->queues[q].resets++;
	return 0;
}

static int fake_get_notify_info(struct transport *t, uint16_t q, struct transport_notify_info *out)
{
	struct fake_device *d = state(t)->d;

	if (!queue_ok(d, q))
		return -EINVAL;
	*out = (struct transport_notify_info){ .offset = (uint64_t)d->queues[q].notify_off * 4u, .width = 4,
					       .notify_off = d->queues[q].notify_off, .multiplier = 4 };
	return 0;
}

static int fake_notify(struct transport *t, uint16_t q, uint32_t value)
{
	struct fake_device *d = state(t)->d;

	if (!queue_ok(d, q))
		return -EINVAL;
	d->queues[q].notifies++;
	d->queues[q].last_notify_value = value;
	if (d->on_notify)
		d->on_notify(d, q, value, d->opaque);
	return 0;
}

static uint16_t accept_vector(const struct fake_device *d, uint16_t v)
{
	return v < d->n_vectors ? v : VIRTIO_MSI_NO_VECTOR;
}

static int fake_set_config_vector(struct transport *t, uint16_t vector, uint16_t *readback)
{
	struct fake_device *d = state(t)->d;

	if (!t->caps.has_vectors)
		return -EOPNOTSUPP;
	d->config_vector = accept_vector(d, vector);
	*readback = d->config_vector;
	return 0;
}

static int fake_set_queue_vector(struct transport *t, uint16_t q, uint16_t vector, uint16_t *readback)
{
	struct fake_device *d = state(t)->d;

	if (!t->caps.has_vectors)
		return -EOPNOTSUPP;
	if (!queue_ok(d, q))
		return -EINVAL;
	d->queues[q].vector = accept_vector(d, vector);
	*readback = d->queues[q].vector;
	return 0;
}

static int fake_read_isr(struct transport *t, uint8_t *isr)
{
	struct fake_device *d = state(t)->d;

	*isr = d->removed ? 0xff : d->isr;
	d->isr = 0;
	return 0;
}

static int fake_get_config_generation(struct transport *t, uint32_t *gen)
{
	if (!t->caps.has_config_generation)
		return -EOPNOTSUPP;
	*gen = state(t)->d->generation;
	return 0;
}

static int fake_config_read(struct transport *t, uint32_t off, unsigned width, uint32_t *val)
{
	struct fake_device *d = state(t)->d;

	if ((width != 1 && width != 2 && width != 4) || off > d->config_len || width > d->config_len - off)
		return -ERANGE;
	*val = 0;
	for (unsigned i = 0; i < width; i++)
		*val |= (uint32_t)(d->removed ? 0xff : d->config[off + i]) << (8 * i);
	d->config_reads++;
	/* The device changes its configuration while the driver reads it. */
	if (d->generation_bumps) {
		d->generation_bumps--;
		d->generation++;
	}
	return 0;
}

static int fake_config_write(struct transport *t, uint32_t off, unsigned width, uint32_t val)
{
	struct fake_device *d = state(t)->d;

	if ((width != 1 && width != 2 && width != 4) || off > d->config_len || width > d->config_len - off)
		return -ERANGE;
	for (unsigned i = 0; i < width; i++)
		d->config[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static void fake_reset_now(struct transport *t)
{
	(void)fake_set_status(t, 0);
}

static void fake_destroy(struct transport *t)
{
	free(state(t));
}

static const struct transport_ops fake_ops = {
	.get_status = fake_get_status,
	.set_status = fake_set_status,
	.get_device_features = fake_get_device_features,
	.set_driver_features = fake_set_driver_features,
	.get_num_queues = fake_get_num_queues,
	.get_queue_state = fake_get_queue_state,
	.queue_setup = fake_queue_setup,
	.queue_enable = fake_queue_enable,
	.queue_reset = fake_queue_reset,
	.get_notify_info = fake_get_notify_info,
	.notify = fake_notify,
	.set_config_vector = fake_set_config_vector,
	.set_queue_vector = fake_set_queue_vector,
	.read_isr = fake_read_isr,
	.get_config_generation = fake_get_config_generation,
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.reset_now = fake_reset_now,
	.destroy = fake_destroy,
};

int transport_open_fake(struct fake_device *d, const struct transport_caps *caps, struct transport **out)
{
	struct fake_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->d = d;
	s->t = (struct transport){
		.ops = &fake_ops,
		.kind = TRANSPORT_FAKE,
		.name = "fake",
		.device_id = d->device_id,
		.config_len = d->config_len < FAKE_CONFIG_LEN ? d->config_len : FAKE_CONFIG_LEN,
		.priv = s,
	};
	if (caps)
		s->t.caps = *caps;
	else
		s->t.caps = (struct transport_caps){ .feature_bits = 128, .has_num_queues = true,
						     .has_config_generation = true, .has_vectors = true,
						     .has_queue_enable = true, .has_queue_reset = true,
						     .has_notify_data = true };
	*out = &s->t;
	return 0;
}
