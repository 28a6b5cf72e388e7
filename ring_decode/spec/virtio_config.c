/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Device configuration layouts (spec "Device configuration layout" of each device) and their renderer. */
#include <stdio.h>
#include <string.h>

#include "virtio_spec.h"

#define V12 VIRTIO_SPEC_1_2
#define V13 VIRTIO_SPEC_1_3
#define V14 VIRTIO_SPEC_1_4
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Field types expand to "size, kind", the order of struct virtio_cfg_field. */
#define U8 1, VIRTIO_CFG_U8
#define LE16 2, VIRTIO_CFG_LE16
#define LE32 4, VIRTIO_CFG_LE32
#define LE64 8, VIRTIO_CFG_LE64
#define MAC 6, VIRTIO_CFG_MAC
#define SPEED 4, VIRTIO_CFG_SPEED
#define FLAGS8 1, VIRTIO_CFG_FLAGS
#define FLAGS16 2, VIRTIO_CFG_FLAGS
#define FLAGS32 4, VIRTIO_CFG_FLAGS
#define ENUM8 1, VIRTIO_CFG_ENUM
#define STR(n) n, VIRTIO_CFG_STRING
#define BYTES(n) n, VIRTIO_CFG_BYTES

/* F: plain field; F2: exists with either of two features; FN: named values; PAD: never shown. */
#define F(NAME, OFF, TYPE, GATE, UNIT, SINCE) { NAME, OFF, TYPE, GATE, UNIT, -1, false, NULL, 0, SINCE }
#define F2(NAME, OFF, TYPE, GATE, ALT, UNIT, SINCE) { NAME, OFF, TYPE, GATE, UNIT, ALT, false, NULL, 0, SINCE }
#define FN(NAME, OFF, TYPE, GATE, ALT, NAMES, SINCE) \
	{ NAME, OFF, TYPE, GATE, NULL, ALT, false, NAMES, ARRAY_SIZE(NAMES), SINCE }
#define PAD(OFF, N) { "padding", OFF, N, VIRTIO_CFG_PAD, -1, NULL, -1, false, NULL, 0, V12 }

static const char *const net_status[] = { "LINK_UP", "ANNOUNCE" };
/* The spec's two sentences on duplex disagree; drivers (and ethtool) use 0 half, 1 full, 0xff unknown. */
static const char *const net_duplex[] = { "half", "full" };
static const char *const net_hash_types[] = { "IPv4", "TCPv4", "UDPv4", "IPv6", "TCPv6", "UDPv6",
					      "IP_EX", "TCP_EX", "UDP_EX" };
static const char *const net_tunnel_types[] = { "GRE_2784", "GRE_2890", "GRE_7676", "GRE_UDP", "VXLAN",
						"VXLAN_GPE", "GENEVE", "IPIP", "NVGRE" };

/* Feature bits: MAC 5, STATUS 16, MQ 22, MTU 3, SPEED_DUPLEX 63, RSS 60, HASH_REPORT 57, HASH_TUNNEL 51. */
static const struct virtio_cfg_field net_config[] = {
	F("mac", 0, MAC, 5, NULL, V12),
	FN("status", 6, FLAGS16, 16, -1, net_status, V12),
	F2("max_virtqueue_pairs", 8, LE16, 22, 60, NULL, V12),
	F("mtu", 10, LE16, 3, "bytes", V12),
	F("speed", 12, SPEED, 63, "Mb/s", V12),
	FN("duplex", 16, ENUM8, 63, -1, net_duplex, V12),
	F2("rss_max_key_size", 17, U8, 60, 57, "bytes", V12),
	F("rss_max_indirection_table_length", 18, LE16, 60, NULL, V12),
	FN("supported_hash_types", 20, FLAGS32, 60, 57, net_hash_types, V12),
	FN("supported_tunnel_types", 24, FLAGS32, 51, -1, net_tunnel_types, V13),
};

static const char *const blk_writeback[] = { "writethrough", "writeback" };
static const char *const blk_zoned_model[] = { "none", "host-managed", "host-aware" };

/* Feature bits: SIZE_MAX 1, SEG_MAX 2, GEOMETRY 4, BLK_SIZE 6, TOPOLOGY 10, CONFIG_WCE 11, MQ 12,
 * DISCARD 13, WRITE_ZEROES 14, SECURE_ERASE 16, ZONED 17. */
static const struct virtio_cfg_field blk_config[] = {
	F("capacity", 0, LE64, -1, "sectors", V12),
	F("size_max", 8, LE32, 1, "bytes", V12),
	F("seg_max", 12, LE32, 2, NULL, V12),
	F("geometry_cylinders", 16, LE16, 4, NULL, V12),
	F("geometry_heads", 18, U8, 4, NULL, V12),
	F("geometry_sectors", 19, U8, 4, NULL, V12),
	F("blk_size", 20, LE32, 6, "bytes", V12),
	F("physical_block_exp", 24, U8, 10, NULL, V12),
	F("alignment_offset", 25, U8, 10, "blocks", V12),
	F("min_io_size", 26, LE16, 10, "blocks", V12),
	F("opt_io_size", 28, LE32, 10, "blocks", V12),
	FN("writeback", 32, ENUM8, 11, -1, blk_writeback, V12),
	PAD(33, 1),
	F("num_queues", 34, LE16, 12, NULL, V12),
	F("max_discard_sectors", 36, LE32, 13, "sectors", V12),
	F("max_discard_seg", 40, LE32, 13, NULL, V12),
	F("discard_sector_alignment", 44, LE32, 13, "sectors", V12),
	F("max_write_zeroes_sectors", 48, LE32, 14, "sectors", V12),
	F("max_write_zeroes_seg", 52, LE32, 14, NULL, V12),
	F("write_zeroes_may_unmap", 56, U8, 14, NULL, V12),
	PAD(57, 3),
	F("max_secure_erase_sectors", 60, LE32, 16, "sectors", V12),
	F("max_secure_erase_seg", 64, LE32, 16, NULL, V12),
	F("secure_erase_sector_alignment", 68, LE32, 16, "sectors", V12),
	F("zone_sectors", 72, LE32, 17, "sectors", V13),
	F("max_open_zones", 76, LE32, 17, NULL, V13),
	F("max_active_zones", 80, LE32, 17, NULL, V13),
	F("max_append_sectors", 84, LE32, 17, "sectors", V13),
	F("write_granularity", 88, LE32, 17, "bytes", V13),
	FN("zoned_model", 92, ENUM8, 17, -1, blk_zoned_model, V13),
	PAD(93, 3),
};

/* Feature bits: SIZE 0, MULTIPORT 1, EMERG_WRITE 2. */
static const struct virtio_cfg_field console_config[] = {
	F("cols", 0, LE16, 0, NULL, V12),
	F("rows", 2, LE16, 0, NULL, V12),
	F("max_nr_ports", 4, LE32, 1, NULL, V12),
	F("emerg_wr", 8, LE32, 2, NULL, V12),
};

/* Pages here are 4096 bytes whatever the guest page size.  Feature bits: FREE_PAGE_HINT 3, PAGE_POISON 4. */
static const struct virtio_cfg_field balloon_config[] = {
	F("num_pages", 0, LE32, -1, "pages", V12),
	F("actual", 4, LE32, -1, "pages", V12),
	F("free_page_hint_cmd_id", 8, LE32, 3, NULL, V12),
	F("poison_val", 12, LE32, 4, NULL, V12),
};

static const struct virtio_cfg_field scsi_config[] = {
	F("num_queues", 0, LE32, -1, NULL, V12),
	F("seg_max", 4, LE32, -1, NULL, V12),
	F("max_sectors", 8, LE32, -1, "sectors", V12),
	F("cmd_per_lun", 12, LE32, -1, NULL, V12),
	F("event_info_size", 16, LE32, -1, "bytes", V12),
	F("sense_size", 20, LE32, -1, "bytes", V12),
	F("cdb_size", 24, LE32, -1, "bytes", V12),
	F("max_channel", 28, LE16, -1, NULL, V12),
	F("max_target", 30, LE16, -1, NULL, V12),
	F("max_lun", 32, LE32, -1, NULL, V12),
};

static const char *const gpu_events[] = { "DISPLAY" };

/* Feature bit BLOB_ALIGNMENT 5. */
static const struct virtio_cfg_field gpu_config[] = {
	FN("events_read", 0, FLAGS32, -1, -1, gpu_events, V12),
	FN("events_clear", 4, FLAGS32, -1, -1, gpu_events, V12),
	F("num_scanouts", 8, LE32, -1, NULL, V12),
	F("num_capsets", 12, LE32, -1, NULL, V12),
	F("blob_alignment", 16, LE32, 5, "bytes", V14),
};

static const char *const input_select[] = {
	[0x00] = "UNSET", [0x01] = "ID_NAME", [0x02] = "ID_SERIAL", [0x03] = "ID_DEVIDS",
	[0x10] = "PROP_BITS", [0x11] = "EV_BITS", [0x12] = "ABS_INFO",
};

/* What `u` holds depends on what the driver last selected, so it stays raw. */
static const struct virtio_cfg_field input_config[] = {
	FN("select", 0, ENUM8, -1, -1, input_select, V12),
	F("subsel", 1, U8, -1, NULL, V12),
	F("size", 2, U8, -1, "bytes", V12),
	PAD(3, 5),
	F("u", 8, BYTES(128), -1, NULL, V12),
};

static const struct virtio_cfg_field vsock_config[] = {
	F("guest_cid", 0, LE64, -1, NULL, V12),
};

static const char *const crypto_status[] = { "HW_READY" };
static const char *const crypto_services[] = { "CIPHER", "HASH", "MAC", "AEAD", "AKCIPHER", "IPSEC" };

/* akcipher_algo was "reserved" in 1.2. */
static const struct virtio_cfg_field crypto_config[] = {
	FN("status", 0, FLAGS32, -1, -1, crypto_status, V12),
	F("max_dataqueues", 4, LE32, -1, NULL, V12),
	FN("crypto_services", 8, FLAGS32, -1, -1, crypto_services, V12),
	F("cipher_algo_l", 12, LE32, -1, NULL, V12),
	F("cipher_algo_h", 16, LE32, -1, NULL, V12),
	F("hash_algo", 20, LE32, -1, NULL, V12),
	F("mac_algo_l", 24, LE32, -1, NULL, V12),
	F("mac_algo_h", 28, LE32, -1, NULL, V12),
	F("aead_algo", 32, LE32, -1, NULL, V12),
	F("max_cipher_key_len", 36, LE32, -1, "bytes", V12),
	F("max_auth_key_len", 40, LE32, -1, "bytes", V12),
	F("akcipher_algo", 44, LE32, -1, NULL, V13),
	F("max_size", 48, LE64, -1, "bytes", V12),
};

/* Feature bits: INPUT_RANGE 0, DOMAIN_RANGE 1, PROBE 4, BYPASS_CONFIG 6. */
static const struct virtio_cfg_field iommu_config[] = {
	F("page_size_mask", 0, LE64, -1, NULL, V12),
	F("input_range_start", 8, LE64, 0, NULL, V12),
	F("input_range_end", 16, LE64, 0, NULL, V12),
	F("domain_range_start", 24, LE32, 1, NULL, V12),
	F("domain_range_end", 28, LE32, 1, NULL, V12),
	F("probe_size", 32, LE32, 4, "bytes", V12),
	F("bypass", 36, U8, 6, NULL, V12),
	PAD(37, 3),
};

/* Feature bit ACPI_PXM 0 gives node_id its meaning. */
static const struct virtio_cfg_field mem_config[] = {
	F("block_size", 0, LE64, -1, "bytes", V12),
	F("node_id", 8, LE16, 0, NULL, V12),
	PAD(10, 6),
	F("addr", 16, LE64, -1, NULL, V12),
	F("region_size", 24, LE64, -1, "bytes", V12),
	F("usable_region_size", 32, LE64, -1, "bytes", V12),
	F("plugged_size", 40, LE64, -1, "bytes", V12),
	F("requested_size", 48, LE64, -1, "bytes", V12),
};

/* Feature bit CTLS 0. */
static const struct virtio_cfg_field sound_config[] = {
	F("jacks", 0, LE32, -1, NULL, V12),
	F("streams", 4, LE32, -1, NULL, V12),
	F("chmaps", 8, LE32, -1, NULL, V12),
	F("controls", 12, LE32, 0, NULL, V13),
};

/* Feature bit NOTIFICATION 0. */
static const struct virtio_cfg_field fs_config[] = {
	F("tag", 0, STR(36), -1, NULL, V12),
	F("num_request_queues", 36, LE32, -1, NULL, V12),
	F("notify_buf_size", 40, LE32, 0, "bytes", V12),
};

/* Both fields are meaningful only without SHMEM_REGION (0). */
static const struct virtio_cfg_field pmem_config[] = {
	{ "start", 0, LE64, 0, NULL, -1, true, NULL, 0, V12 },
	{ "size", 8, LE64, 0, "bytes", -1, true, NULL, 0, V12 },
};

static const struct virtio_cfg_field gpio_config[] = {
	F("ngpio", 0, LE16, -1, NULL, V12),
	PAD(2, 2),
	F("gpio_names_size", 4, LE32, -1, "bytes", V12),
};

static const char *const can_status[] = { "CTRL_BUSOFF" };

static const struct virtio_cfg_field can_config[] = {
	FN("status", 0, FLAGS16, -1, -1, can_status, V14),
};

static const char *const spi_nbits[] = { "DUAL", "QUAD", "OCTAL" };

static const struct virtio_cfg_field spi_config[] = {
	F("cs_max_number", 0, U8, -1, NULL, V14),
	F("cs_change_supported", 1, U8, -1, NULL, V14),
	FN("tx_nbits_supported", 2, FLAGS8, -1, -1, spi_nbits, V14),
	FN("rx_nbits_supported", 3, FLAGS8, -1, -1, spi_nbits, V14),
	F("bits_per_word_mask", 4, LE32, -1, NULL, V14),
	F("mode_func_supported", 8, LE32, -1, NULL, V14),
	F("max_freq_hz", 12, LE32, -1, "Hz", V14),
	F("max_word_delay_ns", 16, LE32, -1, "ns", V14),
	F("max_cs_setup_ns", 20, LE32, -1, "ns", V14),
	F("max_cs_hold_ns", 24, LE32, -1, "ns", V14),
	F("max_cs_inactive_ns", 28, LE32, -1, "ns", V14),
};

static const struct virtio_cfg_field media_config[] = {
	F("device_caps", 0, LE32, -1, NULL, V14),
	F("device_type", 4, LE32, -1, NULL, V14),
	F("card", 8, STR(32), -1, NULL, V14),
};

/* Spec 1.2 5.12.4: capacity counts 128 KiB units; the counts are RPMB frames per request. */
static const struct virtio_cfg_field rpmb_config[] = {
	F("capacity", 0, U8, -1, "128 KiB units", V12),
	F("max_wr_cnt", 1, U8, -1, "frames", V12),
	F("max_rd_cnt", 2, U8, -1, "frames", V12),
};

/* rng, i2c, scmi and rtc define no configuration fields. */
static const struct {
	uint32_t device_id;
	const struct virtio_cfg_field *fields;
	size_t n;
} layouts[] = {
#define L(ID, T) { ID, T, ARRAY_SIZE(T) }
	L(1, net_config), L(2, blk_config), L(3, console_config), L(5, balloon_config), L(8, scsi_config),
	L(16, gpu_config), L(18, input_config), L(19, vsock_config), L(20, crypto_config),
	L(23, iommu_config), L(24, mem_config), L(25, sound_config), L(26, fs_config), L(27, pmem_config), L(28, rpmb_config),
	L(36, can_config), L(41, gpio_config), L(45, spi_config), L(48, media_config),
#undef L
};

const struct virtio_cfg_field *virtio_config_layout(uint32_t device_id, size_t *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		if (layouts[i].device_id == device_id) {
			*n = layouts[i].n;
			return layouts[i].fields;
		}
	}
	*n = 0;
	return NULL;
}

bool virtio_config_field_present(const struct virtio_cfg_field *f, const struct virtio_features *features)
{
	if (f->feature_bit < 0)
		return true;
	bool has = virtio_features_test(features, (unsigned)f->feature_bit) ||
		   (f->feature_bit_alt >= 0 && virtio_features_test(features, (unsigned)f->feature_bit_alt));
	return f->feature_absent ? !has : has;
}
