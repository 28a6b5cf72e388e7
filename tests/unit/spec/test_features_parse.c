/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_features_parse/format_hex against hand-written values: hex, sysfs 0/1 strings, errors with offsets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "virtio_features.h"

static struct virtio_features parse_ok(const char *s)
{
	struct virtio_features f;
	struct rd_error err = { 0 };

	memset(&f, 0xa5, sizeof(f));
	assert_int_equal(virtio_features_parse(s, &f, &err), 0);
	return f;
}

static void parse_fails(const char *s, int want_err, uint64_t want_offset)
{
	struct virtio_features f = { { 7, 9 } };
	struct rd_error err = { 0 };

	assert_int_equal(virtio_features_parse(s, &f, &err), want_err);
	assert_int_equal(err.err, want_err);
	assert_true(err.has_offset);
	assert_int_equal(err.offset, want_offset);
	assert_true(err.msg[0] != '\0');
	/* A failed parse leaves the output alone. */
	assert_int_equal(f.w[0], 7);
	assert_int_equal(f.w[1], 9);
}

static void test_hex_forms(void **state)
{
	(void)state;
	struct virtio_features f = parse_ok("0x130000000");
	assert_int_equal(f.w[0], 0x130000000ULL);
	assert_int_equal(f.w[1], 0);
	f = parse_ok("  0X1aBc\n");
	assert_int_equal(f.w[0], 0x1abcULL);
	f = parse_ok("0");
	assert_true(virtio_features_empty(&f));
}

/* Bare digits are decimal, as for every number virtioctl reads: EVENT_IDX is 536870912, not 0x536870912. */
static void test_decimal(void **state)
{
	(void)state;
	struct virtio_features f = parse_ok("536870912");
	assert_int_equal(f.w[0], 1ULL << 29);
	assert_int_equal(f.w[1], 0);
	f = parse_ok("10");
	assert_int_equal(f.w[0], 10);
	f = parse_ok("4831838208"); /* VERSION_1 | EVENT_IDX | INDIRECT_DESC = 0x120000000 */
	assert_int_equal(f.w[0], 0x120000000ULL);
	/* 2^128 - 1 is the largest; 2^64 lands in the high word. */
	f = parse_ok("340282366920938463463374607431768211455");
	assert_int_equal(f.w[0], UINT64_MAX);
	assert_int_equal(f.w[1], UINT64_MAX);
	f = parse_ok("18446744073709551616");
	assert_int_equal(f.w[0], 0);
	assert_int_equal(f.w[1], 1);
	parse_fails("340282366920938463463374607431768211456", -ERANGE, 38);
}

/* What could be read two ways is refused, pointing at where the doubt is. */
static void test_ambiguous_refused(void **state)
{
	(void)state;
	parse_fails("130af8064", -EINVAL, 3);      /* hex without 0x: 'a' at byte 3 */
	parse_fails("ff", -EINVAL, 0);
	parse_fails("101100000", -EINVAL, 0);      /* 9 characters of 0/1: cut sysfs string or decimal? */
	parse_fails("  0010001001100100", -EINVAL, 2);
	parse_fails("-1", -EINVAL, 0);
	parse_fails("1e3", -EINVAL, 1);
}

static void test_hex_above_63(void **state)
{
	(void)state;
	/* Bit 64 (net RSS_CONTEXT) and bit 70 (net IPSEC) plus VERSION_1 (32). */
	struct virtio_features f = parse_ok("0x410000000100000000");
	assert_int_equal(f.w[0], 0x100000000ULL);
	assert_int_equal(f.w[1], 0x41ULL);
	assert_true(virtio_features_test(&f, 64));
	assert_true(virtio_features_test(&f, 70));
	assert_true(virtio_features_test(&f, 32));
	assert_false(virtio_features_test(&f, 65));
	/* 32 digits: all 128 bits; leading zeros beyond 32 digits are fine. */
	f = parse_ok("0xffffffffffffffffffffffffffffffff");
	assert_int_equal(f.w[0], UINT64_MAX);
	assert_int_equal(f.w[1], UINT64_MAX);
	f = parse_ok("0x0000000080000000000000000000000000000001");
	assert_int_equal(f.w[0], 1);
	assert_int_equal(f.w[1], 0x8000000000000000ULL);
}

static void test_hex_errors(void **state)
{
	(void)state;
	parse_fails("0x12g4", -EINVAL, 4);       /* 'g' at byte 4 */
	parse_fails("  0xzz", -EINVAL, 4);
	parse_fails("0x", -EINVAL, 2);
	parse_fails("", -EINVAL, 0);
	parse_fails(" \t\n", -EINVAL, 3);
	parse_fails("0x1 2", -EINVAL, 3);        /* inner space */
	/* 33 significant digits: the 33rd (byte 34) overflows. */
	parse_fails("0x100000000000000000000000000000000", -ERANGE, 34);
}

/* The host's sysfs form: character i is bit i. */
static void test_sysfs_strings(void **state)
{
	(void)state;
	char s64[65], s128[130];

	memset(s64, '0', 64);
	s64[64] = '\0';
	s64[0] = s64[29] = s64[32] = '1';
	struct virtio_features f = parse_ok(s64);
	assert_int_equal(f.w[0], (1ULL << 0) | (1ULL << 29) | (1ULL << 32));
	assert_int_equal(f.w[1], 0);

	memset(s128, '0', 128);
	s128[128] = '\n';
	s128[129] = '\0';
	s128[63] = s128[64] = s128[127] = '1';
	f = parse_ok(s128);
	assert_int_equal(f.w[0], 1ULL << 63);
	assert_int_equal(f.w[1], (1ULL << 0) | (1ULL << 63));

	/* The string of a real virtio-blk (virtio1 on the machine these tests were written on). */
	f = parse_ok("0010001001100100000000000000010010000000000000000000000000000000"
		     "0000000000000000000000000000000000000000000000000000000000000000\n");
	assert_int_equal(f.w[0], 0x120002644ULL);
	assert_int_equal(f.w[1], 0);
}

static void test_sysfs_errors(void **state)
{
	(void)state;
	char s[200];

	memset(s, '0', 64);
	s[64] = '\0';
	s[40] = '2';
	parse_fails(s, -EINVAL, 40);
	/* Characters past 128 may be '0' (a wider kernel) but a '1' there does not fit. */
	memset(s, '0', 192);
	s[192] = '\0';
	struct virtio_features f = parse_ok(s);
	assert_true(virtio_features_empty(&f));
	s[130] = '1';
	parse_fails(s, -ERANGE, 130);
}

static void test_format_hex(void **state)
{
	(void)state;
	char buf[40];
	struct virtio_features f = { { 0x130000000ULL, 0 } };

	virtio_features_format_hex(&f, buf, sizeof(buf));
	assert_string_equal(buf, "0x130000000");
	f = (struct virtio_features){ { 0x1, 0x41 } };
	virtio_features_format_hex(&f, buf, sizeof(buf));
	assert_string_equal(buf, "0x410000000000000001");
	f = (struct virtio_features){ { 0, 0 } };
	virtio_features_format_hex(&f, buf, sizeof(buf));
	assert_string_equal(buf, "0x0");
	f = virtio_features_all();
	virtio_features_format_hex(&f, buf, 35);
	assert_string_equal(buf, "0xffffffffffffffffffffffffffffffff");
	/* Short buffers truncate, never overflow. */
	virtio_features_format_hex(&f, buf, 5);
	assert_string_equal(buf, "0xff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_forms),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_ambiguous_refused),
		cmocka_unit_test(test_hex_above_63),
		cmocka_unit_test(test_hex_errors),
		cmocka_unit_test(test_sysfs_strings),
		cmocka_unit_test(test_sysfs_errors),
		cmocka_unit_test(test_format_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
