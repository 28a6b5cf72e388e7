/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The generic transport sequences over the fake device: reset, negotiation, config generation, vectors, cleanup. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transport.h"
#include "transport_fake.h"

static const struct virtio_features offered = { { 0x300000001ULL, 0 } };   /* VERSION_1, ACCESS_PLATFORM, bit 0 */

static struct transport *open_fake(struct fake_device *d)
{
	struct transport *t = NULL;

	assert_int_equal(transport_open_fake(d, NULL, &t), 0);
	t->reset_timeout_ms = 20;
	return t;
}

static void test_reset_reads_zero(void **state)
{
	struct fake_device d;
	struct transport *t;
	uint8_t s = 0xaa;

	(void)state;
	fake_device_init(&d, 4, &offered);
	d.status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	d.reset_delay_reads = 3;    /* a device that takes a few reads to finish resetting is fine */
	t = open_fake(&d);
	assert_int_equal(transport_reset(t), 0);
	assert_int_equal(t->ops->get_status(t, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(d.resets, 1);
	transport_close(t);
}

static void test_reset_never_zero_times_out(void **state)
{
	struct fake_device d;
	struct transport *t;

	(void)state;
	fake_device_init(&d, 4, &offered);
	d.status = VIRTIO_STATUS_ACKNOWLEDGE;
	d.reset_delay_reads = UINT32_MAX;
	t = open_fake(&d);
	assert_int_equal(transport_reset(t), -ETIMEDOUT);
	d.reset_delay_reads = 0;
	transport_close(t);
}

static void test_reset_removed_device(void **state)
{
	struct fake_device d;
	struct transport *t;

	(void)state;
	fake_device_init(&d, 4, &offered);
	d.removed = true;
	t = open_fake(&d);
	assert_int_equal(transport_reset(t), -ENODEV);
	assert_int_equal(transport_add_status(t, VIRTIO_STATUS_ACKNOWLEDGE), -ENODEV);
	transport_close(t);
}

static void test_negotiate_accepted(void **state)
{
	struct fake_device d;
	struct transport *t;
	struct virtio_features f;

	(void)state;
	fake_device_init(&d, 4, &offered);
	d.refuse_features = true;
	t = open_fake(&d);
	assert_int_equal(transport_reset(t), 0);
	assert_int_equal(transport_add_status(t, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER), 0);
	assert_int_equal(t->ops->get_device_features(t, &f), 0);
	assert_true(f.w[0] == offered.w[0] && f.w[1] == 0);
	assert_int_equal(transport_negotiate(t, &f), 0);
	assert_true(d.driver_features.w[0] == offered.w[0]);
	assert_int_equal(d.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	transport_close(t);
}

static void test_negotiate_features_ok_cleared(void **state)
{
	struct fake_device d;
	struct transport *t;
	struct virtio_features f = offered;

	(void)state;
	fake_device_init(&d, 4, &offered);
	d.refuse_features = true;
	d.acceptable.w[0] &= ~1ULL;   /* offers bit 0 but refuses a driver that takes it */
	t = open_fake(&d);
	assert_int_equal(transport_reset(t), 0);
	assert_int_equal(transport_add_status(t, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER), 0);
	assert_int_equal(transport_negotiate(t, &f), -EPROTO);
	assert_false(d.status & VIRTIO_STATUS_FEATURES_OK);
	transport_close(t);
}

static void test_negotiate_needs_reset(void **state)
{
	struct fake_device d;
	struct transport *t;

	(void)state;
	fake_device_init(&d, 4, &offered);
	d.needs_reset_on = VIRTIO_STATUS_FEATURES_OK;
	t = open_fake(&d);
	assert_int_equal(transport_negotiate(t, &offered), -EIO);
	transport_close(t);
}

static void test_legacy_has_no_features_ok(void **state)
{
	struct transport_caps caps = { .legacy = true, .feature_bits = 32, .legacy_ring_layout = true,
				       .queue_size_fixed = true };
	struct fake_device d;
	struct transport *t = NULL;
	struct virtio_features f;

	(void)state;
	fake_device_init(&d, 4, &offered);
	assert_int_equal(transport_open_fake(&d, &caps, &t), 0);
	assert_int_equal(t->ops->get_device_features(t, &f), 0);
	assert_true(f.w[0] == 1 && f.w[1] == 0);     /* 32 bits only */
	assert_int_equal(transport_negotiate(t, &f), 0);
	assert_false(d.status & VIRTIO_STATUS_FEATURES_OK);
	transport_close(t);
}

static void test_config_generation_retry(void **state)
{
	struct fake_device d;
	struct transport *t;
	uint8_t buf[8];
	unsigned tries = 0;

	(void)state;
	fake_device_init(&d, 1, &offered);
	for (unsigned i = 0; i < sizeof(buf); i++)
		d.config[i] = (uint8_t)(0x10 + i);
	d.generation_bumps = 3;       /* changes during the first three 4-byte accesses: two tries */
	t = open_fake(&d);
	assert_int_equal(transport_config_read(t, 0, buf, sizeof(buf), NULL, &tries), 0);
	assert_int_equal(tries, 3);
	assert_int_equal(buf[7], 0x17);
	d.generation_bumps = 1000;    /* never settles: bounded */
	assert_int_equal(transport_config_read(t, 0, buf, sizeof(buf), NULL, &tries), -EAGAIN);
	assert_int_equal(tries, TRANSPORT_CONFIG_TRIES);
	assert_int_equal(transport_config_read(t, 60, buf, 8, NULL, NULL), -ERANGE);
	transport_close(t);
}

static void test_config_without_generation(void **state)
{
	struct transport_caps caps = { .legacy = true, .feature_bits = 32 };
	struct fake_device d;
	struct transport *t = NULL;
	uint8_t buf[6];
	unsigned tries = 0;

	(void)state;
	fake_device_init(&d, 1, &offered);
	memcpy(d.config, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(transport_open_fake(&d, &caps, &t), 0);
	assert_int_equal(transport_config_read(t, 0, buf, sizeof(buf), NULL, &tries), 0);
	assert_int_equal(tries, 2);   /* until two reads agree */
	assert_memory_equal(buf, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(transport_config_write(t, 2, "\xab", 1, NULL), 0);
	assert_int_equal(d.config[2], 0xab);
	transport_close(t);
}

static void test_vector_readback(void **state)
{
	struct fake_device d;
	struct transport *t;
	uint16_t rb = 0;

	(void)state;
	fake_device_init(&d, 1, &offered);
	d.n_vectors = 2;
	t = open_fake(&d);
	assert_int_equal(t->ops->set_config_vector(t, 0, &rb), 0);
	assert_int_equal(rb, 0);
	assert_int_equal(t->ops->set_queue_vector(t, 1, 1, &rb), 0);
	assert_int_equal(rb, 1);
	/* A vector the device cannot map reads back as NO_VECTOR: the caller must see it. */
	assert_int_equal(t->ops->set_queue_vector(t, 0, 5, &rb), 0);
	assert_int_equal(rb, VIRTIO_MSI_NO_VECTOR);
	transport_close(t);
}

static void test_queue_setup_and_legacy_layout(void **state)
{
	struct transport_caps caps = { .legacy = true, .feature_bits = 32, .legacy_ring_layout = true,
				       .queue_size_fixed = true };
	struct fake_device d;
	struct transport *t = NULL;
	uint64_t drv, dev, total;
	struct transport_queue_setup su = { .size = 256, .desc_addr = 0x10000 };

	(void)state;
	/* Linux's vring_size(256, 4096) for the legacy layout. */
	transport_legacy_ring_layout(256, &drv, &dev, &total);
	assert_int_equal(drv, 4096);
	assert_int_equal(dev, 8192);
	assert_int_equal(total, 10246);
	fake_device_init(&d, 1, &offered);
	assert_int_equal(transport_open_fake(&d, &caps, &t), 0);
	su.driver_addr = su.desc_addr + drv;
	su.device_addr = su.desc_addr + 0x3000;          /* not where the legacy device will look */
	assert_int_equal(t->ops->queue_setup(t, 0, &su), -EINVAL);
	su.device_addr = su.desc_addr + dev;
	assert_int_equal(t->ops->queue_setup(t, 0, &su), 0);
	assert_true(d.queues[0].enabled);
	su.size = 128;                                    /* legacy sizes are fixed */
	assert_int_equal(t->ops->queue_setup(t, 1, &su), -EINVAL);
	assert_int_equal(t->ops->queue_reset(t, 0), -EOPNOTSUPP);
	transport_close(t);
}

static void notified(struct fake_device *d, uint16_t q, uint32_t value, void *opaque)
{
	(void)d;
	*(uint32_t *)opaque = (uint32_t)q << 24 | (value & 0xffffff);
}

static void test_notify_and_cleanup(void **state)
{
	struct fake_device d;
	struct transport *t;
	uint32_t seen = 0;

	(void)state;
	fake_device_init(&d, 1, &offered);
	d.on_notify = notified;
	d.opaque = &seen;
	t = open_fake(&d);
	assert_int_equal(t->ops->notify(t, 1, transport_notification_data(1, 5, true)), 0);
	assert_int_equal(d.queues[1].last_notify_value, 0x80050001u);
	assert_int_equal(seen, 0x01050001u);
	d.status = VIRTIO_STATUS_DRIVER_OK;
	assert_int_equal(transport_cleanup_register(t), 0);
	transport_cleanup_reset_all();
	assert_int_equal(d.status, 0);
	assert_int_equal(d.resets, 1);
	transport_close(t);   /* unregisters: a later reset_all does not touch freed memory */
	d.status = VIRTIO_STATUS_DRIVER_OK;
	transport_cleanup_reset_all();
	assert_int_equal(d.status, VIRTIO_STATUS_DRIVER_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_reads_zero),
		cmocka_unit_test(test_reset_never_zero_times_out),
		cmocka_unit_test(test_reset_removed_device),
		cmocka_unit_test(test_negotiate_accepted),
		cmocka_unit_test(test_negotiate_features_ok_cleared),
		cmocka_unit_test(test_negotiate_needs_reset),
		cmocka_unit_test(test_legacy_has_no_features_ok),
		cmocka_unit_test(test_config_generation_retry),
		cmocka_unit_test(test_config_without_generation),
		cmocka_unit_test(test_vector_readback),
		cmocka_unit_test(test_queue_setup_and_legacy_layout),
		cmocka_unit_test(test_notify_and_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
