/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `info` reads from the registers of a device no driver owns, through the transport ops table. */
#ifndef VIRTIOCTL_VIRTIO_REGS_H
#define VIRTIOCTL_VIRTIO_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bar_access.h"
#include "pci_cap_virtio.h"
#include "virtio_features.h"

struct virtio_queue_info {
	uint16_t index;
	uint16_t size;           /* maximum size the device offers (0: queue unavailable) */
	bool has_msix_vector;
	uint16_t msix_vector;
	bool has_enabled;
	bool enabled;
	bool has_notify_off;
	uint16_t notify_off;
};

#define VIRTIO_REGS_MAX_QUEUES 256

struct virtio_regs {
	const char *layout;      /* "modern", "legacy", "mmio" */
	bool has_mmio_ids;
	uint32_t mmio_magic, mmio_version, mmio_device_id, mmio_vendor_id;
	bool has_num_queues;
	uint16_t num_queues;
	bool has_status;
	uint8_t status;
	bool has_generation;
	uint8_t generation;
	bool has_offered;
	struct virtio_features offered;
	size_t n_queues;
	bool queues_truncated;   /* more than VIRTIO_REGS_MAX_QUEUES */
	struct virtio_queue_info queues[VIRTIO_REGS_MAX_QUEUES];
	uint8_t *config;         /* device-specific configuration bytes, malloc'd */
	size_t config_len;
	bool config_torn;        /* config_generation kept changing while reading */
	char skipped[200];       /* one sentence: what could not be read and why; "" when all was read */
};

/*
 * Through the common and device configuration capabilities.  With
 * allow_writes false only side-effect-free registers are read (no selector
 * writes: no offered features, no per-queue data).
 */
int virtio_regs_read_pci_modern(struct bar_access *a, const struct pci_cfg_decode *dec, uint32_t device_id,
				bool allow_writes, struct virtio_regs *out);
/* Through the legacy header in I/O BAR 0; msix_enabled moves the device configuration from 20 to 24. */
int virtio_regs_read_pci_legacy(struct bar_access *a, bool msix_enabled, uint32_t device_id, bool allow_writes,
				struct virtio_regs *out);
/* Through an MMIO transport window mapped as region 0 (versions 1 and 2). */
int virtio_regs_read_mmio(struct bar_access *a, bool allow_writes, struct virtio_regs *out);
/* Bytes of device configuration worth reading for a device type: the extent of its tabled layout. */
size_t virtio_regs_config_extent(uint32_t device_id, size_t region_len);
/* Frees out->config; accepts NULL. */
void virtio_regs_free(struct virtio_regs *r);

#endif
