/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* 128-bit feature sets: the spec's feature space is wider than 64 bits (net defines 64..70). */
#ifndef RING_DECODE_VIRTIO_FEATURES_H
#define RING_DECODE_VIRTIO_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rd_error.h"

#define VIRTIO_FEATURES_BITS 128

struct virtio_features {
	uint64_t w[2];        /* w[0] bits 0..63, w[1] bits 64..127 */
};

static inline bool virtio_features_test(const struct virtio_features *f, unsigned bit)
{
	return bit < VIRTIO_FEATURES_BITS && (f->w[bit / 64] >> (bit % 64)) & 1;
}

static inline void virtio_features_set(struct virtio_features *f, unsigned bit)
{
	if (bit < VIRTIO_FEATURES_BITS)
		f->w[bit / 64] |= 1ULL << (bit % 64);
}

static inline bool virtio_features_empty(const struct virtio_features *f)
{
	return !f->w[0] && !f->w[1];
}

/* Every bit set: what a renderer gets when the negotiated features are unknown. */
static inline struct virtio_features virtio_features_all(void)
{
	return (struct virtio_features){ { ~0ULL, ~0ULL } };
}

/*
 * Parses a feature set by the one rule for numbers of virtioctl(8): hex
 * with 0x (up to 32 significant digits); the sysfs `features` string
 * exactly as the kernel writes it (64 or 128 characters of '0'/'1',
 * character i is bit i); decimal otherwise.  Refused, with a hint: hex
 * digits without 0x, and 9 or more characters of only 0 and 1 that are not
 * a whole sysfs string (a cut bit string or a decimal number?).
 * Surrounding whitespace is allowed; an error carries the byte offset.
 */
int virtio_features_parse(const char *s, struct virtio_features *out, struct rd_error *err);

/* "0x..." without leading zeros into buf (at least 35 bytes; shorter buffers get a truncated string). */
void virtio_features_format_hex(const struct virtio_features *f, char *buf, size_t len);

/* Transport-independent feature bits the decoder itself depends on; names of all bits live in virtio_spec. */
enum {
	VIRTIO_F_NOTIFY_ON_EMPTY_BIT = 24,
	VIRTIO_F_ANY_LAYOUT_BIT = 27,
	VIRTIO_RING_F_INDIRECT_DESC_BIT = 28,
	VIRTIO_RING_F_EVENT_IDX_BIT = 29,
	VIRTIO_F_UNUSED_BIT = 30,
	VIRTIO_F_VERSION_1_BIT = 32,
	VIRTIO_F_ACCESS_PLATFORM_BIT = 33,
	VIRTIO_F_RING_PACKED_BIT = 34,
	VIRTIO_F_IN_ORDER_BIT = 35,
	VIRTIO_F_ORDER_PLATFORM_BIT = 36,
	VIRTIO_F_SR_IOV_BIT = 37,
	VIRTIO_F_NOTIFICATION_DATA_BIT = 38,
	VIRTIO_F_NOTIF_CONFIG_DATA_BIT = 39,
	VIRTIO_F_RING_RESET_BIT = 40,
	VIRTIO_F_ADMIN_VQ_BIT = 41,
	VIRTIO_F_SUSPEND_BIT = 43,
};

#endif
