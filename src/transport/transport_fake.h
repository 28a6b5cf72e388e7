/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A transport over plain memory with a scripted device: unit tests of everything above the transport layer. */
#ifndef VIRTIOCTL_TRANSPORT_FAKE_H
#define VIRTIOCTL_TRANSPORT_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "transport.h"

#define FAKE_MAX_QUEUES 16
#define FAKE_CONFIG_LEN 256

struct fake_queue {
	uint16_t max_size;           /* 0: queue absent */
	uint16_t size;               /* what the driver set (starts at max_size) */
	uint64_t desc_addr, driver_addr, device_addr;
	bool enabled;
	uint16_t vector;
	uint16_t notify_off;
	unsigned notifies;           /* doorbell writes seen */
	uint32_t last_notify_value;
	unsigned resets;
};

/*
 * The device the fake transport drives: fill it in, open it with
 * transport_open_fake(), and look at it after driving.  The scripting
 * fields make it misbehave the way tests need.
 */
struct fake_device {
	uint32_t device_id;
	struct virtio_features offered;
	uint16_t num_queues;
	struct fake_queue queues[FAKE_MAX_QUEUES];
	uint8_t config[FAKE_CONFIG_LEN];
	uint32_t config_len;
	uint16_t n_vectors;          /* MSI-X vectors it accepts: 0..n_vectors-1; others read back NO_VECTOR */

	/* State as the driver left it. */
	uint8_t status;
	struct virtio_features driver_features;
	uint16_t config_vector;
	uint8_t isr;                 /* cleared by read_isr */
	uint32_t generation;
	unsigned resets;             /* times status 0 was written */
	unsigned config_reads;       /* config_read calls */

	/* ---- Scripted misbehaviour ---- */
	/* Status keeps reading the old value for this many reads after a reset; UINT32_MAX: never reads 0. */
	uint32_t reset_delay_reads;
	/* Reads 0xff from every register (a removed device). */
	bool removed;
	/* FEATURES_OK is cleared when the driver accepts any bit outside this set (default: all offered). */
	bool refuse_features;
	struct virtio_features acceptable;
	/* config_generation changes on each of the next N config reads (a device changing config under the driver). */
	unsigned generation_bumps;
	/* Sets DEVICE_NEEDS_RESET when the driver writes this status bit (0: never). */
	uint8_t needs_reset_on;

	/* Called on every doorbell write: the device model of a virtqueue test consumes the rings here. */
	void (*on_notify)(struct fake_device *d, uint16_t q, uint32_t value, void *opaque);
	void *opaque;
};

/* Defaults a test usually wants: 2 queues of 256, 4 vectors, 64 bytes of config, every feature acceptable. */
void fake_device_init(struct fake_device *d, uint32_t device_id, const struct virtio_features *offered);

/*
 * A transport over d (borrowed).  caps NULL: pci-modern-like caps (128
 * feature bits, generation, vectors, queue enable and reset); pass other caps
 * to act like a legacy or mmio transport.
 */
int transport_open_fake(struct fake_device *d, const struct transport_caps *caps, struct transport **out);

#endif
