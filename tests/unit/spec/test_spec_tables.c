/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Spec tables against facts read from the virtio spec (1.2 cs01, 1.3 csd01, 1.4 cs01): ids, status, feature bits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "virtio_spec.h"

static void test_versions(void **state)
{
	(void)state;
	enum virtio_spec_version v;

	assert_int_equal(virtio_spec_version_parse("1.3", &v), 0);
	assert_int_equal(v, VIRTIO_SPEC_1_3);
	assert_int_equal(virtio_spec_version_parse("1.1", &v), -EINVAL);
	assert_int_equal(virtio_spec_version_parse("1.4 ", &v), -EINVAL);
	assert_string_equal(virtio_spec_version_name(VIRTIO_SPEC_1_2), "1.2");
	assert_null(virtio_spec_version_name((enum virtio_spec_version)0x0101));
}

static void test_device_ids(void **state)
{
	(void)state;
	const struct virtio_device_type *t;

	assert_string_equal(virtio_device_type_by_id(1)->name, "net");
	assert_string_equal(virtio_device_type_by_id(2)->name, "blk");
	assert_string_equal(virtio_device_type_by_id(4)->spec_name, "entropy source");
	assert_string_equal(virtio_device_type_by_id(26)->name, "fs");
	assert_string_equal(virtio_device_type_by_id(41)->name, "gpio");
	/* 0 is invalid; 14, 15 and 37 were never assigned; the table ends at 49 (USB, 1.4). */
	assert_null(virtio_device_type_by_id(0));
	assert_null(virtio_device_type_by_id(14));
	assert_null(virtio_device_type_by_id(15));
	assert_null(virtio_device_type_by_id(37));
	assert_null(virtio_device_type_by_id(50));
	assert_int_equal(virtio_device_type_by_id(49)->since, VIRTIO_SPEC_1_4);
	assert_int_equal(virtio_device_type_by_id(45)->since, VIRTIO_SPEC_1_3);
	assert_int_equal(virtio_device_type_by_id(42)->since, VIRTIO_SPEC_1_2);

	/* Every id appears once, in order, and every short name is unique. */
	size_t n = 0;
	for (size_t i = 0; (t = virtio_device_type_at(i)); i++, n++) {
		if (i)
			assert_true(t->id > virtio_device_type_at(i - 1)->id);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(t->name, virtio_device_type_at(j)->name);
	}
	assert_int_equal(n, 49 - 3);
}

static void test_device_lookup(void **state)
{
	(void)state;

	assert_int_equal(virtio_device_type_lookup("net")->id, 1);
	assert_int_equal(virtio_device_type_lookup("BLK")->id, 2);
	assert_int_equal(virtio_device_type_lookup("network device")->id, 1);
	assert_int_equal(virtio_device_type_lookup("network card")->id, 1);  /* 1.2's name */
	assert_int_equal(virtio_device_type_lookup("SPI master")->id, 45);   /* 1.3's name */
	assert_int_equal(virtio_device_type_lookup("19")->id, 19);
	assert_int_equal(virtio_device_type_lookup("0x0013")->id, 19);       /* sysfs `device` */
	assert_int_equal(virtio_device_type_lookup("010")->id, 10);          /* decimal, not octal */
	assert_null(virtio_device_type_lookup("14"));
	assert_null(virtio_device_type_lookup("0x"));
	assert_null(virtio_device_type_lookup("0x-1"));
	assert_null(virtio_device_type_lookup("1x"));
	assert_null(virtio_device_type_lookup("-1"));
	assert_null(virtio_device_type_lookup("99999999999999999999"));
	assert_null(virtio_device_type_lookup("nett"));
	assert_null(virtio_device_type_lookup(""));
	assert_null(virtio_device_type_lookup(NULL));
}

static void test_status_bits(void **state)
{
	(void)state;
	static const struct {
		uint8_t mask;
		const char *name;
	} want[] = {
		{ 1, "ACKNOWLEDGE" }, { 2, "DRIVER" }, { 8, "FEATURES_OK" }, { 4, "DRIVER_OK" },
		{ 16, "SUSPEND" }, { 64, "DEVICE_NEEDS_RESET" }, { 128, "FAILED" },
	};
	const struct virtio_status_bit *b;
	size_t i;

	for (i = 0; (b = virtio_status_bit_at(i)); i++) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_int_equal(b->mask, want[i].mask);
		assert_string_equal(b->name, want[i].name);
		assert_int_equal(b->since, want[i].mask == 16 ? VIRTIO_SPEC_1_4 : VIRTIO_SPEC_1_2);
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));
}

static void expect_bit(uint32_t dev, unsigned bit, enum virtio_spec_version v, const char *name, bool legacy)
{
	const struct virtio_feature_bit *f = virtio_feature_lookup(dev, bit, v);

	assert_non_null(f);
	assert_string_equal(f->name, name);
	assert_int_equal(f->bit, bit);
	assert_int_equal(f->legacy, legacy);
	assert_non_null(f->summary);
	/* The short name is the spec name without its VIRTIO_..._F_ prefix. */
	const char *tail = strstr(f->name, "_F_");
	assert_string_equal(f->short_name, tail ? tail + 3 : f->name);
}

static void test_transport_bits(void **state)
{
	(void)state;
	const enum virtio_spec_version cur = VIRTIO_SPEC_CURRENT;

	expect_bit(0, 24, cur, "VIRTIO_F_NOTIFY_ON_EMPTY", true);
	expect_bit(0, 27, cur, "VIRTIO_F_ANY_LAYOUT", true);
	expect_bit(0, 28, cur, "VIRTIO_F_INDIRECT_DESC", false);
	expect_bit(0, 29, cur, "VIRTIO_F_EVENT_IDX", false);
	expect_bit(0, 32, cur, "VIRTIO_F_VERSION_1", false);
	expect_bit(0, 34, cur, "VIRTIO_F_RING_PACKED", false);
	expect_bit(0, 40, cur, "VIRTIO_F_RING_RESET", false);
	expect_bit(0, 41, cur, "VIRTIO_F_ADMIN_VQ", false);
	expect_bit(0, 43, cur, "VIRTIO_F_SUSPEND", false);
	assert_null(virtio_feature_lookup(0, 31, cur));
	assert_null(virtio_feature_lookup(0, 42, cur));
	assert_null(virtio_feature_lookup(0, 44, cur));
	assert_null(virtio_feature_lookup(0, 0, cur));
	/* Version differences: ADMIN_VQ came with 1.3, SUSPEND with 1.4. */
	assert_null(virtio_feature_lookup(0, 41, VIRTIO_SPEC_1_2));
	expect_bit(0, 41, VIRTIO_SPEC_1_3, "VIRTIO_F_ADMIN_VQ", false);
	assert_null(virtio_feature_lookup(0, 43, VIRTIO_SPEC_1_3));
	/* Device types without bits still get transport names. */
	expect_bit(4, 32, VIRTIO_SPEC_1_2, "VIRTIO_F_VERSION_1", false);
}

static void test_device_bits(void **state)
{
	(void)state;
	const enum virtio_spec_version cur = VIRTIO_SPEC_CURRENT;

	expect_bit(1, 0, cur, "VIRTIO_NET_F_CSUM", false);
	expect_bit(1, 5, cur, "VIRTIO_NET_F_MAC", false);
	expect_bit(1, 6, cur, "VIRTIO_NET_F_GSO", true);
	expect_bit(1, 23, cur, "VIRTIO_NET_F_CTRL_MAC_ADDR", false);
	expect_bit(1, 63, cur, "VIRTIO_NET_F_SPEED_DUPLEX", false);
	expect_bit(1, 64, cur, "VIRTIO_NET_F_RSS_CONTEXT", false);
	expect_bit(1, 70, cur, "VIRTIO_NET_F_IPSEC", false);
	assert_null(virtio_feature_lookup(1, 4, cur));
	assert_null(virtio_feature_lookup(1, 58, cur));
	assert_null(virtio_feature_lookup(1, 71, cur));
	assert_null(virtio_feature_lookup(1, 64, VIRTIO_SPEC_1_3));
	assert_null(virtio_feature_lookup(1, 51, VIRTIO_SPEC_1_2));
	expect_bit(1, 51, VIRTIO_SPEC_1_3, "VIRTIO_NET_F_HASH_TUNNEL", false);
	expect_bit(1, 50, VIRTIO_SPEC_1_4, "VIRTIO_NET_F_DEVICE_STATS", false);
	assert_null(virtio_feature_lookup(1, 50, VIRTIO_SPEC_1_3));

	/* Net's legacy RSC bits share 41 with ADMIN_VQ: a modern device means ADMIN_VQ. */
	expect_bit(1, 41, cur, "VIRTIO_NET_F_GUEST_RSC4", true);
	assert_string_equal(virtio_feature_lookup_for(1, 41, cur, true)->name, "VIRTIO_F_ADMIN_VQ");
	assert_string_equal(virtio_feature_lookup_for(1, 41, cur, false)->name, "VIRTIO_NET_F_GUEST_RSC4");
	assert_string_equal(virtio_feature_lookup_for(1, 42, cur, true)->name, "VIRTIO_NET_F_GUEST_RSC6");
	assert_string_equal(virtio_feature_lookup_for(2, 41, cur, false)->name, "VIRTIO_F_ADMIN_VQ");

	expect_bit(2, 0, cur, "VIRTIO_BLK_F_BARRIER", true);
	expect_bit(2, 7, cur, "VIRTIO_BLK_F_SCSI", true);
	expect_bit(2, 9, cur, "VIRTIO_BLK_F_FLUSH", false);
	expect_bit(2, 16, cur, "VIRTIO_BLK_F_SECURE_ERASE", false);
	expect_bit(2, 17, cur, "VIRTIO_BLK_F_ZONED", false);
	assert_null(virtio_feature_lookup(2, 17, VIRTIO_SPEC_1_2));
	assert_null(virtio_feature_lookup(2, 3, cur));
	expect_bit(3, 2, cur, "VIRTIO_CONSOLE_F_EMERG_WRITE", false);
	expect_bit(5, 5, cur, "VIRTIO_BALLOON_F_PAGE_REPORTING", false);
	expect_bit(8, 3, cur, "VIRTIO_SCSI_F_T10_PI", false);
	expect_bit(16, 5, cur, "VIRTIO_GPU_F_BLOB_ALIGNMENT", false);
	expect_bit(17, 0, cur, "VIRTIO_RTC_F_ALARM", false);
	expect_bit(19, 2, cur, "VIRTIO_VSOCK_F_NO_IMPLIED_STREAM", false);
	expect_bit(20, 5, cur, "VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE", false);
	expect_bit(23, 6, cur, "VIRTIO_IOMMU_F_BYPASS_CONFIG", false);
	expect_bit(24, 2, cur, "VIRTIO_MEM_F_PERSISTENT_SUSPEND", false);
	expect_bit(25, 0, cur, "VIRTIO_SND_F_CTLS", false);
	expect_bit(26, 0, cur, "VIRTIO_FS_F_NOTIFICATION", false);
	expect_bit(27, 0, cur, "VIRTIO_PMEM_F_SHMEM_REGION", false);
	expect_bit(32, 1, cur, "VIRTIO_SCMI_F_SHARED_MEMORY", false);
	expect_bit(34, 0, cur, "VIRTIO_I2C_F_ZERO_LENGTH_REQUEST", false);
	expect_bit(36, 3, cur, "VIRTIO_CAN_F_LATE_TX_ACK", false);
	expect_bit(41, 0, cur, "VIRTIO_GPIO_F_IRQ", false);
	/* Bits of one device never leak into another: bit 0 of rng and input has no name. */
	assert_null(virtio_feature_lookup(4, 0, cur));
	assert_null(virtio_feature_lookup(18, 0, cur));
	assert_null(virtio_feature_lookup(0, 5, cur));
}

static void test_device_range(void **state)
{
	(void)state;
	assert_true(virtio_feature_is_device_range(0));
	assert_true(virtio_feature_is_device_range(23));
	assert_false(virtio_feature_is_device_range(24));
	assert_false(virtio_feature_is_device_range(49));
	assert_true(virtio_feature_is_device_range(50));
	assert_true(virtio_feature_is_device_range(127));
	assert_false(virtio_feature_is_device_range(128));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_device_ids),
		cmocka_unit_test(test_device_lookup),
		cmocka_unit_test(test_status_bits),
		cmocka_unit_test(test_transport_bits),
		cmocka_unit_test(test_device_bits),
		cmocka_unit_test(test_device_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
