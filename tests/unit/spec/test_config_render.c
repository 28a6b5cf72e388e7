/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_config_render on hand-built config bytes: exact text and JSON, feature gates, truncation, raw bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "virtio_spec.h"

static struct virtio_features bits(const unsigned *list, size_t n)
{
	struct virtio_features f = { { 0, 0 } };

	for (size_t i = 0; i < n; i++)
		virtio_features_set(&f, list[i]);
	return f;
}

/*
 * Renders from a heap copy of exactly len bytes, so a read past len is a
 * heap overflow that valgrind or ASan reports.
 */
static char *render(enum emit_mode mode, uint32_t dev, const uint8_t *cfg, size_t len,
		    const struct virtio_features *f)
{
	struct emit e;
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	if (len)
		memcpy(copy, cfg, len);
	emit_init(&e, mode, false, false);
	if (mode == EMIT_JSON)
		emit_object_begin(&e, NULL);
	virtio_config_render(&e, "config", dev, copy, len, f);
	if (mode == EMIT_JSON)
		emit_object_end(&e);
	free(copy);
	const char *out = emit_result(&e, NULL);
	assert_non_null(out);
	char *dup = strdup(out);
	emit_free(&e);
	return dup;
}

static void check(enum emit_mode mode, uint32_t dev, const uint8_t *cfg, size_t len,
		  const struct virtio_features *f, const char *want)
{
	char *got = render(mode, dev, cfg, len, f);

	assert_string_equal(got, want);
	free(got);
}

/* struct virtio_net_config: mac[6] status max_virtqueue_pairs mtu speed duplex ... then two stray bytes. */
static const uint8_t net_cfg[30] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56,     /* mac */
	0x01, 0x00,                             /* status: LINK_UP */
	0x04, 0x00,                             /* max_virtqueue_pairs 4 */
	0xdc, 0x05,                             /* mtu 1500 */
	0x10, 0x27, 0x00, 0x00,                 /* speed 10000 */
	0x01,                                   /* duplex full */
	0x28,                                   /* rss_max_key_size 40 */
	0x80, 0x00,                             /* rss_max_indirection_table_length 128 */
	0x05, 0x00, 0x00, 0x00,                 /* supported_hash_types IPv4|UDPv4 */
	0x00, 0x00, 0x00, 0x00,                 /* supported_tunnel_types */
	0xaa, 0xbb,                             /* past the layout */
};

/* MAC 5, STATUS 16, MQ 22, MTU 3, SPEED_DUPLEX 63: no RSS, hash report or tunnel hash. */
static const unsigned net_feats[] = { 5, 16, 22, 3, 63 };

static void test_net_text(void **state)
{
	(void)state;
	struct virtio_features f = bits(net_feats, 5);

	check(EMIT_TEXT, 1, net_cfg, sizeof(net_cfg), &f,
	      "config (30 bytes):\n"
	      "  mac: 52:54:00:12:34:56\n"
	      "  status: 0x1 LINK_UP\n"
	      "  max_virtqueue_pairs: 4\n"
	      "  mtu: 1500 bytes\n"
	      "  speed: 10000 Mb/s\n"
	      "  duplex: full\n"
	      "  raw +0x1c: aabb\n");
}

static void test_net_json(void **state)
{
	(void)state;
	struct virtio_features f = bits(net_feats, 5);

	check(EMIT_JSON, 1, net_cfg, sizeof(net_cfg), &f,
	      "{\"config\":{\"length\":30,\"mac\":\"52:54:00:12:34:56\",\"status\":1,\"status_bits\":[\"LINK_UP\"],"
	      "\"max_virtqueue_pairs\":4,\"mtu\":1500,\"speed\":10000,\"duplex\":\"full\","
	      "\"raw\":[{\"offset\":28,\"hex\":\"aabb\"}]}}\n");
}

static void test_net_rss_and_unknown_speed(void **state)
{
	(void)state;
	uint8_t cfg[28];
	/* RSS (60) alone gates max_virtqueue_pairs and all three RSS fields; no MAC, so no mac. */
	static const unsigned feats[] = { 60, 63, 16 };
	struct virtio_features f = bits(feats, 3);

	memcpy(cfg, net_cfg, sizeof(cfg));
	cfg[6] = 0x03;                                          /* LINK_UP | ANNOUNCE */
	cfg[12] = cfg[13] = cfg[14] = cfg[15] = 0xff;           /* speed unknown */
	cfg[16] = 0xff;                                         /* duplex unknown */
	check(EMIT_TEXT, 1, cfg, sizeof(cfg), &f,
	      "config (28 bytes):\n"
	      "  status: 0x3 LINK_UP ANNOUNCE\n"
	      "  max_virtqueue_pairs: 4\n"
	      "  speed: unknown (0xffffffff)\n"
	      "  duplex: unknown (0xff)\n"
	      "  rss_max_key_size: 40 bytes\n"
	      "  rss_max_indirection_table_length: 128\n"
	      "  supported_hash_types: 0x5 IPv4 UDPv4\n");
	check(EMIT_JSON, 1, cfg, sizeof(cfg), &f,
	      "{\"config\":{\"length\":28,\"status\":3,\"status_bits\":[\"LINK_UP\",\"ANNOUNCE\"],"
	      "\"max_virtqueue_pairs\":4,\"speed\":null,\"duplex\":\"unknown (0xff)\",\"rss_max_key_size\":40,"
	      "\"rss_max_indirection_table_length\":128,\"supported_hash_types\":5,"
	      "\"supported_hash_types_bits\":[\"IPv4\",\"UDPv4\"],\"raw\":[]}}\n");
}

/* len stops inside max_virtqueue_pairs: that byte is raw, nothing past it is read. */
static void test_net_truncated(void **state)
{
	(void)state;
	struct virtio_features f = virtio_features_all();

	check(EMIT_TEXT, 1, net_cfg, 9, &f,
	      "config (9 bytes):\n"
	      "  mac: 52:54:00:12:34:56\n"
	      "  status: 0x1 LINK_UP\n"
	      "  raw +0x08: 04\n");
	check(EMIT_TEXT, 1, net_cfg, 4, &f, "config (4 bytes):\n  raw +0x00: 52540012\n");
	check(EMIT_TEXT, 1, NULL, 0, &f, "config (0 bytes):\n");
	check(EMIT_JSON, 1, NULL, 0, NULL, "{\"config\":{\"length\":0,\"raw\":[]}}\n");
}

/* capacity 2097152 sectors = 0x200000 = 1 GiB. */
static void test_blk(void **state)
{
	(void)state;
	uint8_t cfg[96] = { 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct virtio_features none = { { 0, 0 } };

	check(EMIT_TEXT, 2, cfg, 8, &none, "config (8 bytes):\n  capacity: 2097152 sectors\n");

	/* SEG_MAX (2), BLK_SIZE (6), CONFIG_WCE (11), ZONED (17). */
	static const unsigned feats[] = { 2, 6, 11, 17 };
	struct virtio_features f = bits(feats, 4);
	cfg[12] = 0x7e;                 /* seg_max 126 */
	cfg[21] = 0x02;                 /* blk_size 512 */
	cfg[32] = 0x01;                 /* writeback */
	cfg[33] = 0xee;                 /* unused0: padding, never shown */
	cfg[72] = 0x00, cfg[73] = 0x00, cfg[74] = 0x08; /* zone_sectors 0x80000 = 524288 */
	cfg[92] = 0x01;                 /* host-managed */
	check(EMIT_TEXT, 2, cfg, sizeof(cfg), &f,
	      "config (96 bytes):\n"
	      "  capacity: 2097152 sectors\n"
	      "  seg_max: 126\n"
	      "  blk_size: 512 bytes\n"
	      "  writeback: writeback\n"
	      "  zone_sectors: 524288 sectors\n"
	      "  max_open_zones: 0\n"
	      "  max_active_zones: 0\n"
	      "  max_append_sectors: 0 sectors\n"
	      "  write_granularity: 0 bytes\n"
	      "  zoned_model: host-managed\n");
	cfg[92] = 0x07;
	char *out = render(EMIT_JSON, 2, cfg, sizeof(cfg), &f);
	assert_non_null(strstr(out, "\"zoned_model\":\"unknown (0x7)\""));
	assert_null(strstr(out, "size_max"));
	free(out);
}

static void test_fs_and_raw_runs(void **state)
{
	(void)state;
	/* tag "myfs" NUL-padded to 36, num_request_queues 1, notify_buf_size 0x1000, then 20 bytes. */
	uint8_t cfg[64] = { 'm', 'y', 'f', 's' };
	struct virtio_features none = { { 0, 0 } };
	struct virtio_features notif = { { 1, 0 } };

	cfg[36] = 1;
	cfg[41] = 0x10;
	for (int i = 44; i < 64; i++)
		cfg[i] = (uint8_t)i;
	check(EMIT_TEXT, 26, cfg, sizeof(cfg), &none,
	      "config (64 bytes):\n"
	      "  tag: myfs\n"
	      "  num_request_queues: 1\n"
	      "  raw +0x2c: 2c2d2e2f303132333435363738393a3b\n"
	      "  raw +0x3c: 3c3d3e3f\n");
	check(EMIT_TEXT, 26, cfg, 44, &notif,
	      "config (44 bytes):\n"
	      "  tag: myfs\n"
	      "  num_request_queues: 1\n"
	      "  notify_buf_size: 4096 bytes\n");
	/* Control characters and backslashes in a device string are escaped, not passed to the terminal. */
	memcpy(cfg, "a\033[2J\\", 6);
	check(EMIT_TEXT, 26, cfg, 40, &none, "config (40 bytes):\n  tag: a\\x1b[2J\\x5c\n  num_request_queues: 1\n");
	/* A tag filling all 36 bytes has no NUL and must not run into num_request_queues. */
	memset(cfg, 'x', 36);
	char *out = render(EMIT_TEXT, 26, cfg, 40, &none);
	assert_non_null(strstr(out, "  tag: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"));
	free(out);
}

/* Devices without a layout (rng) and unknown ids: everything is raw. */
static void test_untabled(void **state)
{
	(void)state;
	static const uint8_t cfg[3] = { 1, 2, 3 };

	check(EMIT_TEXT, 4, cfg, 3, NULL, "config (3 bytes):\n  raw +0x00: 010203\n");
	check(EMIT_JSON, 99, cfg, 3, NULL,
	      "{\"config\":{\"length\":3,\"raw\":[{\"offset\":0,\"hex\":\"010203\"}]}}\n");
}

static void test_pmem_inverse_gate(void **state)
{
	(void)state;
	uint8_t cfg[16] = { 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40 };
	struct virtio_features none = { { 0, 0 } };
	struct virtio_features shmem = { { 1, 0 } };

	check(EMIT_TEXT, 27, cfg, 16, &none, "config (16 bytes):\n  start: 4294967296\n  size: 1073741824 bytes\n");
	check(EMIT_TEXT, 27, cfg, 16, &shmem, "config (16 bytes):\n");
}

/* Every layout at every length up to past its end: the heap copy makes any overread visible. */
static void test_all_layouts_all_lengths(void **state)
{
	(void)state;
	uint8_t cfg[512];
	struct virtio_features all = virtio_features_all();

	for (size_t i = 0; i < sizeof(cfg); i++)
		cfg[i] = (uint8_t)(i * 37 + 11);
	for (uint32_t dev = 0; dev < 64; dev++) {
		size_t n;
		const struct virtio_cfg_field *lay = virtio_config_layout(dev, &n);
		size_t end = 0;

		for (size_t i = 0; i < n; i++) {
			assert_true(lay[i].size > 0);
			assert_true(lay[i].offset >= end);      /* sorted, no overlap */
			end = lay[i].offset + lay[i].size;
		}
		assert_true(end + 8 <= sizeof(cfg));
		for (size_t len = 0; len <= end + 8; len++) {
			free(render(EMIT_TEXT, dev, cfg, len, &all));
			free(render(EMIT_JSON, dev, cfg, len, &all));
		}
	}
}

static void test_layout_sizes(void **state)
{
	(void)state;
	/* Sizes of each struct virtio_*_config in spec 1.4, added up by hand from the field lists. */
	static const struct {
		uint32_t dev;
		size_t size;
	} want[] = {
		{ 1, 28 }, { 2, 96 }, { 3, 12 }, { 5, 16 }, { 8, 36 }, { 16, 20 }, { 18, 136 }, { 19, 8 },
		{ 20, 56 }, { 23, 40 }, { 24, 56 }, { 25, 16 }, { 26, 44 }, { 27, 16 }, { 36, 2 }, { 41, 8 },
		{ 45, 32 }, { 48, 40 }, { 28, 3 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t n;
		const struct virtio_cfg_field *lay = virtio_config_layout(want[i].dev, &n);

		assert_non_null(lay);
		assert_int_equal(lay[n - 1].offset + lay[n - 1].size, want[i].size);
	}
	size_t n = 99;
	assert_null(virtio_config_layout(4, &n));
	assert_int_equal(n, 0);
}

/* struct virtio_rpmb_config (spec 1.2 5.12.4): three u8, capacity in 128 KiB units. */
static void test_rpmb(void **state)
{
	(void)state;
	const uint8_t cfg[3] = { 0x80, 2, 8 };
	struct virtio_features none = { { 0, 0 } };

	check(EMIT_TEXT, 28, cfg, sizeof(cfg), &none,
	      "config (3 bytes):\n  capacity: 128 128 KiB units\n  max_wr_cnt: 2 frames\n  max_rd_cnt: 8 frames\n");
	check(EMIT_JSON, 28, cfg, sizeof(cfg), &none,
	      "{\"config\":{\"length\":3,\"capacity\":128,\"max_wr_cnt\":2,\"max_rd_cnt\":8,\"raw\":[]}}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_text),
		cmocka_unit_test(test_net_json),
		cmocka_unit_test(test_net_rss_and_unknown_speed),
		cmocka_unit_test(test_net_truncated),
		cmocka_unit_test(test_blk),
		cmocka_unit_test(test_rpmb),
		cmocka_unit_test(test_fs_and_raw_runs),
		cmocka_unit_test(test_untabled),
		cmocka_unit_test(test_pmem_inverse_gate),
		cmocka_unit_test(test_all_layouts_all_lengths),
		cmocka_unit_test(test_layout_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
