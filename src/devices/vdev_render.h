/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rendering pieces `list` and `info` share: feature names, status names, interrupts. */
#ifndef VIRTIOCTL_VDEV_RENDER_H
#define VIRTIOCTL_VDEV_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "vdev.h"
#include "virtio_features.h"

/* Short spec name of a feature bit for this device type, or "bit<N>" in buf. */
const char *vdev_feature_name(uint32_t device_id, const struct virtio_features *set, unsigned bit, char *buf,
			      size_t len);
/* Number of bits set. */
unsigned vdev_feature_count(const struct virtio_features *f);

/*
 * A JSON array `key` of the short names of the set bits; in text the names
 * separated by `sep`, shortened to about max_chars with ",+N" (0: no limit).
 */
void vdev_emit_feature_names(struct emit *e, const char *key, uint32_t device_id, const struct virtio_features *f,
			     const char *sep, size_t max_chars);

/* The furthest stage of initialization (or the error) a status byte shows: "DRIVER_OK", "FAILED", "RESET". */
const char *vdev_status_summary(uint32_t status);
/* A JSON array `key` of status bit names; text (when `text`): names separated by spaces. */
void vdev_emit_status_names(struct emit *e, const char *key, uint32_t status, bool text);

#endif
