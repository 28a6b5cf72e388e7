/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Spec 3.1.1 step by step: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back, configuration. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "virtio_spec.h"

/* Device feature bits the self-tests understand, per device type (spec 5.x feature bits). */
static const struct {
	uint32_t device_id;
	unsigned bits[12];
} device_bits[] = {
	/* net: MTU, MAC, STATUS, CTRL_VQ, CTRL_RX, MQ, CTRL_MAC_ADDR */
	{ 1, { 3, 5, 16, 17, 18, 22, 23 } },
	/* blk: SIZE_MAX, SEG_MAX, GEOMETRY, RO, BLK_SIZE, FLUSH, TOPOLOGY, CONFIG_WCE */
	{ 2, { 1, 2, 4, 5, 6, 9, 10, 11 } },
	/* console: SIZE, MULTIPORT */
	{ 3, { 0, 1 } },
	/* balloon: STATS_VQ */
	{ 5, { 1 } },
	/* gpu: EDID */
	{ 16, { 1 } },
};

struct virtio_features probe_supported_features(uint32_t device_id, bool modern)
{
	struct virtio_features f = { { 0, 0 } };

	virtio_features_set(&f, VIRTIO_RING_F_INDIRECT_DESC_BIT);
	virtio_features_set(&f, VIRTIO_RING_F_EVENT_IDX_BIT);
	if (modern) {
		static const unsigned transport_bits[] = {
			VIRTIO_F_VERSION_1_BIT, VIRTIO_F_ACCESS_PLATFORM_BIT, VIRTIO_F_RING_PACKED_BIT,
			VIRTIO_F_IN_ORDER_BIT, VIRTIO_F_ORDER_PLATFORM_BIT, VIRTIO_F_NOTIFICATION_DATA_BIT,
			VIRTIO_F_RING_RESET_BIT,
		};
		for (size_t i = 0; i < sizeof(transport_bits) / sizeof(transport_bits[0]); i++)
			virtio_features_set(&f, transport_bits[i]);
	}
	for (size_t i = 0; i < sizeof(device_bits) / sizeof(device_bits[0]); i++) {
		if (device_bits[i].device_id != device_id)
			continue;
		for (size_t j = 0; j < 12 && (j == 0 || device_bits[i].bits[j]); j++)
			virtio_features_set(&f, device_bits[i].bits[j]);
	}
	return f;
}

/* Reads status after a step: the device gone (0xff) or asking for a reset stops the probe. */
static int check_status(struct probe *p, const char *after)
{
	uint8_t st;
	int r = p->t->ops->get_status(p->t, &st);

	if (r < 0)
		return probe_fail(p, r, "reading device status after %s failed: %s", after, strerror(-r));
	p->status = st;
	if (st == 0xff)
		return probe_fail(p, -ENODEV, "device status reads 0xff after %s: the device is gone or its registers are unreachable",
			    after);
	if (transport_needs_reset(st))
		return probe_fail(p, -EIO, "device set DEVICE_NEEDS_RESET (status 0x%02x) after %s", st, after);
	return 0;
}

static int add_status(struct probe *p, uint8_t bit, const char *name)
{
	int r = transport_add_status(p->t, bit);

	if (r < 0)
		return probe_fail(p, r, "setting %s failed: %s", name, strerror(-r));
	r = check_status(p, name);
	if (r < 0)
		return r;
	if (!(p->status & bit)) {
		violation_add(&p->violations, "status_bit_lost", "2.1",
			      "status reads 0x%02x right after the driver set %s", p->status, name);
		return probe_fail(p, -EPROTO, "the device dropped %s from its status (0x%02x)", name, p->status);
	}
	return 0;
}

static bool transport_is_modern(const struct transport *t)
{
	return t->kind != TRANSPORT_PCI_LEGACY && t->kind != TRANSPORT_MMIO_V1;
}

/* offered ∩ (supported ∪ user's +NAME) minus the user's -NAME, and the ring type the user forced. */
static int choose_features(struct probe *p)
{
	const struct probe_opts *o = p->opts;
	bool modern = transport_is_modern(p->t);

	p->supported = probe_supported_features(p->device_id, modern);
	if (!p->t->caps.has_queue_reset)
		p->supported.w[VIRTIO_F_RING_RESET_BIT / 64] &= ~(1ull << (VIRTIO_F_RING_RESET_BIT % 64));
	for (int w = 0; w < 2; w++)
		p->accepted.w[w] = p->offered.w[w] & (p->supported.w[w] | o->features_add.w[w]) & ~o->features_remove.w[w];
	if (o->ring == RING_CHOICE_PACKED) {
		if (!virtio_features_test(&p->offered, VIRTIO_F_RING_PACKED_BIT))
			return probe_fail(p, -EOPNOTSUPP, "--packed: the device does not offer VIRTIO_F_RING_PACKED");
		virtio_features_set(&p->accepted, VIRTIO_F_RING_PACKED_BIT);
	} else if (o->ring == RING_CHOICE_SPLIT) {
		p->accepted.w[0] &= ~(1ull << VIRTIO_F_RING_PACKED_BIT);
	}
	/*
	 * A device that offers ACCESS_PLATFORM may refuse a driver that does not
	 * accept it; the DMA pool's IOVA == physical address makes both right.
	 */
	if (modern && !virtio_features_test(&p->offered, VIRTIO_F_VERSION_1_BIT)) {
		violation_add(&p->violations, "version_1_missing", "6.1",
			      "device on a modern transport (%s) does not offer VIRTIO_F_VERSION_1", p->t->name);
		return probe_fail(p, -EPROTO, "device on %s does not offer VIRTIO_F_VERSION_1", p->t->name);
	}
	return 0;
}

/*
 * A modern PCI device's configuration window is as long as its capability
 * says (QEMU: 4096 bytes), and reads past the structure return all-ones.
 * Trailing 0xff bytes beyond the fields the spec tables know are that
 * padding, not configuration: the report stops where the structure does.
 */
static void trim_config_padding(struct probe *p)
{
	size_t n = 0, known = 0;
	const struct virtio_cfg_field *f = virtio_config_layout(p->device_id, &n);

	for (size_t i = 0; f && i < n; i++)
		if ((size_t)f[i].offset + f[i].size > known)
			known = (size_t)f[i].offset + f[i].size;
	size_t len = p->config_len;

	while (len > known && p->config[len - 1] == 0xff)
		len--;
	/* Whole 32-bit words: the transport reads the window in 4-byte accesses where it can. */
	len = (len + 3) & ~(size_t)3;
	if (len < p->config_len)
		p->config_len = len;
}

int probe_init_device(struct probe *p)
{
	struct transport *t = p->t;
	int r = transport_reset(t);

	if (r == -ETIMEDOUT) {
		violation_add(&p->violations, "reset_timeout", "2.4.1",
			      "status did not read 0 within %u ms of the driver writing 0",
			      t->reset_timeout_ms ? t->reset_timeout_ms : TRANSPORT_RESET_TIMEOUT_MS);
		return probe_fail(p, r, "the device did not complete its reset (status never read 0)");
	}
	if (r == -ENODEV)
		return probe_fail(p, r, "device status reads 0xff: the device is gone or its registers are unreachable");
	if (r < 0)
		return probe_fail(p, r, "reset failed: %s", strerror(-r));
	if ((r = add_status(p, VIRTIO_STATUS_ACKNOWLEDGE, "ACKNOWLEDGE")) < 0 ||
	    (r = add_status(p, VIRTIO_STATUS_DRIVER, "DRIVER")) < 0)
		return r;
	r = t->ops->get_device_features(t, &p->offered);
	if (r < 0)
		return probe_fail(p, r, "reading the device features failed: %s", strerror(-r));
	if ((r = choose_features(p)) < 0)
		return r;
	if (transport_is_modern(t)) {
		r = transport_negotiate(t, &p->accepted);
		if (r == -EPROTO) {
			char hex[40];

			virtio_features_format_hex(&p->accepted, hex, sizeof(hex));
			violation_add(&p->violations, "features_ok_refused", "2.2.2",
				      "device cleared FEATURES_OK for %s, a subset of the features it offered", hex);
			return probe_fail(p, r, "the device refused FEATURES_OK for features %s", hex);
		}
		if (r == -EIO)
			return probe_fail(p, r, "device set DEVICE_NEEDS_RESET during feature negotiation");
		if (r < 0)
			return probe_fail(p, r, "feature negotiation failed: %s", strerror(-r));
		if ((r = check_status(p, "FEATURES_OK")) < 0)
			return r;
		p->features_ok = true;
	} else {
		/* Legacy devices have no FEATURES_OK: the features are simply written (spec 3.1.2). */
		r = t->ops->set_driver_features(t, &p->accepted);
		if (r < 0)
			return probe_fail(p, r, "writing the driver features failed: %s", strerror(-r));
	}
	t->notification_data = virtio_features_test(&p->accepted, VIRTIO_F_NOTIFICATION_DATA_BIT);

	p->config_len = t->config_len > 4096 ? 4096 : t->config_len;
	if (p->config_len) {
		p->config = calloc(1, p->config_len);
		if (!p->config)
			return probe_fail(p, -ENOMEM, "out of memory");
		unsigned tries = 0;

		r = transport_config_read(t, 0, p->config, p->config_len, NULL, &tries);
		if (r == -EAGAIN)
			probe_result(p, "generic.config", PROBE_FAIL,
				     "configuration kept changing: generation unstable over %u reads", tries);
		else if (r < 0)
			return probe_fail(p, r, "reading the device configuration failed: %s", strerror(-r));
		trim_config_padding(p);
	}
	probe_read_queue_registers(p);
	return 0;
}

void probe_read_queue_registers(struct probe *p)
{
	uint16_t n = 0;

	if (p->t->ops->get_num_queues(p->t, &n) < 0)
		n = 0;
	if (n > PROBE_MAX_QUEUES) {
		p->queues_truncated = true;
		n = PROBE_MAX_QUEUES;
	}
	p->num_queues = n;
	for (uint16_t q = 0; q < n; q++) {
		struct probe_queue *pq = &p->queues[q];

		pq->index = q;
		pq->irq_fd_index = -1;
		if (p->t->ops->get_queue_state(p->t, q, &pq->state) < 0)
			memset(&pq->state, 0, sizeof(pq->state));
		pq->has_notify = p->t->ops->get_notify_info(p->t, q, &pq->notify) == 0;
	}
}

uint64_t probe_config_le(const struct probe *p, size_t off, unsigned width)
{
	uint64_t v = 0;

	if (!p->config || off > p->config_len || width > p->config_len - off)
		return 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p->config[off + i] << (8 * i);
	return v;
}
