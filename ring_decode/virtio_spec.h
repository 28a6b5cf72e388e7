/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Versioned virtio spec tables: device ids, status bits, feature bits and device config layouts. */
#ifndef RING_DECODE_VIRTIO_SPEC_H
#define RING_DECODE_VIRTIO_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "virtio_features.h"

/* Entries marked since 1.2 were in 1.2 or earlier: the tables start at 1.2. */
enum virtio_spec_version {
	VIRTIO_SPEC_1_2 = 0x0102,
	VIRTIO_SPEC_1_3 = 0x0103,
	VIRTIO_SPEC_1_4 = 0x0104,
	VIRTIO_SPEC_CURRENT = VIRTIO_SPEC_1_4,
};

/* "1.2" etc.; NULL for an unknown version. */
const char *virtio_spec_version_name(enum virtio_spec_version v);
/* Parses "1.2", "1.3", "1.4"; returns 0 or -EINVAL. */
int virtio_spec_version_parse(const char *s, enum virtio_spec_version *out);

/* ---- device ids (spec 5: 0..49) ---- */
struct virtio_device_type {
	uint32_t id;
	const char *name;        /* short CLI name: "net", "blk", "console", "rng", ... */
	const char *spec_name;   /* the current spec's name: "network device", "block device", ... */
	const char *former_name; /* the name in 1.2/1.3 when it differs ("network card"), or NULL */
	enum virtio_spec_version since;
};
/* NULL for an unknown or reserved id. */
const struct virtio_device_type *virtio_device_type_by_id(uint32_t id);
/* Accepts the short name, the spec name (current or former, any case), or a decimal/hex id. NULL if none. */
const struct virtio_device_type *virtio_device_type_lookup(const char *name_or_id);
/* Iteration over all known types in id order; returns NULL past the end. */
const struct virtio_device_type *virtio_device_type_at(size_t i);

/* ---- device status (spec 2.1) ---- */
struct virtio_status_bit {
	uint8_t mask;
	const char *name;        /* ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK, SUSPEND, ... */
	enum virtio_spec_version since;
};
/* In the order a driver sets them during initialization, then the error bits; NULL past the end. */
const struct virtio_status_bit *virtio_status_bit_at(size_t i);

/* ---- feature bits (spec 6 and each device's section) ---- */
struct virtio_feature_bit {
	unsigned bit;            /* 0..127 */
	const char *name;        /* spec name, e.g. "VIRTIO_NET_F_MAC", "VIRTIO_F_VERSION_1" */
	const char *short_name;  /* e.g. "MAC", "VERSION_1", "EVENT_IDX" */
	uint32_t device_id;      /* 0 for transport-independent bits */
	bool legacy;             /* only meaningful without VERSION_1 (e.g. 24, 27) */
	enum virtio_spec_version since;
	const char *summary;     /* a few words: what offering the bit means */
};
/*
 * The bit's definition for this device type in spec version v (device bits
 * first, then transport bits).  NULL when the bit has no name there.
 */
const struct virtio_feature_bit *virtio_feature_lookup(uint32_t device_id, unsigned bit,
						       enum virtio_spec_version v);
/*
 * As virtio_feature_lookup(), but for a modern device (VERSION_1 in the set)
 * a legacy-only device bit yields to a transport bit of the same number: net
 * reused 41 for GUEST_RSC4 before ADMIN_VQ took it.
 */
const struct virtio_feature_bit *virtio_feature_lookup_for(uint32_t device_id, unsigned bit,
							   enum virtio_spec_version v, bool modern);
/* True for bits the spec gives to device types (0..23, 50..127); the rest is transport or reserved. */
bool virtio_feature_is_device_range(unsigned bit);

/* ---- device-specific configuration (spec 5.x "Device configuration layout") ---- */
enum virtio_cfg_kind {
	VIRTIO_CFG_U8,
	VIRTIO_CFG_LE16,
	VIRTIO_CFG_LE32,
	VIRTIO_CFG_LE64,
	VIRTIO_CFG_MAC,      /* 6 bytes shown as aa:bb:cc:dd:ee:ff */
	VIRTIO_CFG_STRING,   /* NUL-padded text (fs tag, input name) */
	VIRTIO_CFG_BYTES,    /* raw hex */
	VIRTIO_CFG_FLAGS,    /* little-endian bit mask of `size` bytes; names[i] names bit i */
	VIRTIO_CFG_ENUM,     /* little-endian value of `size` bytes; names[v] names value v */
	VIRTIO_CFG_SPEED,    /* le32 in Mb/s; above 0x7fffffff means unknown */
	VIRTIO_CFG_PAD,      /* padding or reserved bytes: covered by the layout, never shown */
};

struct virtio_cfg_field {
	const char *name;        /* snake_case, used as JSON key: "mac", "max_virtqueue_pairs", "capacity" */
	uint16_t offset;
	uint16_t size;
	enum virtio_cfg_kind kind;
	int feature_bit;         /* field exists only if this feature is negotiated/offered; -1: always */
	const char *unit;        /* "sectors", "bytes", "Mb/s", NULL */
	int feature_bit_alt;     /* ...or this one (net: MQ or RSS); -1: none */
	bool feature_absent;     /* exists only when feature_bit is NOT set (pmem without SHMEM_REGION) */
	const char *const *names;  /* FLAGS/ENUM value names; NULL entries are unnamed */
	size_t n_names;
	enum virtio_spec_version since;
};

/* Layout for a device type (NULL and *n = 0 when not tabled). */
const struct virtio_cfg_field *virtio_config_layout(uint32_t device_id, size_t *n);
/* Whether the field exists under `features` (its feature gate). */
bool virtio_config_field_present(const struct virtio_cfg_field *f, const struct virtio_features *features);

/*
 * Renders a device configuration space read from a device: each tabled
 * field present in `len` bytes and enabled by `features` (pass all-ones
 * when unknown), with symbolic decoding where the spec defines values (net
 * status bits, duplex), and the rest of the bytes as raw hex.  Emits an
 * object under `key`.  Never reads past len.
 *
 * Text: a "key:" line, then one "  name: value" line per field, then one
 * "  raw +0xOFF: xx xx ..." line per run of bytes no field covers (bytes of
 * absent, feature-gated fields count as covered; a field cut short by len
 * does not).  JSON: field values under their names (FLAGS add "NAME_bits",
 * an array of names), unknown speed is null, and "raw" is an array of
 * {"offset", "hex"} objects.
 */
void virtio_config_render(struct emit *e, const char *key, uint32_t device_id, const uint8_t *cfg,
			  size_t len, const struct virtio_features *features);

#endif
