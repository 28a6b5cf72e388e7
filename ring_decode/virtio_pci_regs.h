/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Register layouts of virtio over PCI: the modern common configuration and the legacy I/O header (spec 4.1.4). */
#ifndef RING_DECODE_VIRTIO_PCI_REGS_H
#define RING_DECODE_VIRTIO_PCI_REGS_H

#include <stddef.h>
#include <stdint.h>

/*
 * struct virtio_pci_common_cfg (spec 4.1.4.3), every field little-endian.
 * Used for its offsets only: registers are accessed one field at a time with
 * the field's own width, never through a pointer to this struct.
 */
struct virtio_pci_common_cfg_layout {
	uint32_t device_feature_select;  /* read-write: which 32 bits device_feature shows */
	uint32_t device_feature;         /* read-only */
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t config_msix_vector;     /* reads back VIRTIO_MSI_NO_VECTOR when the device refused the vector */
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation;
	/* About the queue queue_select names: */
	uint16_t queue_select;
	uint16_t queue_size;             /* the maximum on read; the driver may write a smaller size */
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint64_t queue_desc;             /* descriptor area */
	uint64_t queue_driver;           /* driver area (split: avail ring) */
	uint64_t queue_device;           /* device area (split: used ring) */
	uint16_t queue_notify_data;      /* VIRTIO_F_NOTIF_CONFIG_DATA (1.2) */
	uint16_t queue_reset;            /* VIRTIO_F_RING_RESET (1.2) */
};

_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, device_feature_select) == 0x00, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, device_feature) == 0x04, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, driver_feature_select) == 0x08, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, driver_feature) == 0x0c, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, config_msix_vector) == 0x10, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, num_queues) == 0x12, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, device_status) == 0x14, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, config_generation) == 0x15, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_select) == 0x16, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_size) == 0x18, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_msix_vector) == 0x1a, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_enable) == 0x1c, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_notify_off) == 0x1e, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_desc) == 0x20, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_driver) == 0x28, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_device) == 0x30, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_notify_data) == 0x38, "spec 4.1.4.3");
_Static_assert(offsetof(struct virtio_pci_common_cfg_layout, queue_reset) == 0x3a, "spec 4.1.4.3");
_Static_assert(sizeof(struct virtio_pci_common_cfg_layout) == 0x40, "the 1.2 layout ends at 0x3c, padded to 8");

#define VIRTIO_PCI_COMMON_CFG_OFF(field) ((unsigned)offsetof(struct virtio_pci_common_cfg_layout, field))
#define VIRTIO_PCI_COMMON_CFG_WIDTH(field) ((unsigned)sizeof(((struct virtio_pci_common_cfg_layout *)0)->field))
/* A common capability shorter than this lacks the queue address registers (a 1.0 device has all of them). */
#define VIRTIO_PCI_COMMON_CFG_LEN_1_0 0x38u
/* ... and shorter than these, lacks queue_notify_data / queue_reset (spec 1.2). */
#define VIRTIO_PCI_COMMON_CFG_LEN_NOTIFY_DATA 0x3au
#define VIRTIO_PCI_COMMON_CFG_LEN_RESET 0x3cu

/* Written to a vector register for "no vector"; read back when the device could not allocate one. */
#define VIRTIO_MSI_NO_VECTOR 0xffffu

/*
 * The legacy header at the start of I/O BAR 0 (spec 4.1.4.10), little-endian
 * (the legacy interface is guest-endian; every legacy device a PCI host can
 * see here is on a little-endian guest).  The two MSI-X registers exist only
 * while MSI-X is enabled, and device configuration starts after them.
 */
struct virtio_pci_legacy_header_layout {
	uint32_t host_features;          /* bits 0..31 only: legacy has no selector */
	uint32_t guest_features;
	uint32_t queue_pfn;              /* queue address >> VIRTIO_PCI_LEGACY_PFN_SHIFT; 0 = disabled */
	uint16_t queue_size;             /* read-only: the size is fixed by the device */
	uint16_t queue_select;
	uint16_t queue_notify;
	uint8_t device_status;
	uint8_t isr_status;              /* reading clears it */
	uint16_t config_msix_vector;     /* with MSI-X enabled only */
	uint16_t queue_msix_vector;      /* with MSI-X enabled only */
};

_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, host_features) == 0, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, guest_features) == 4, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, queue_pfn) == 8, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, queue_size) == 12, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, queue_select) == 14, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, queue_notify) == 16, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, device_status) == 18, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, isr_status) == 19, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, config_msix_vector) == 20, "spec 4.1.4.10");
_Static_assert(offsetof(struct virtio_pci_legacy_header_layout, queue_msix_vector) == 22, "spec 4.1.4.10");

#define VIRTIO_PCI_LEGACY_OFF(field) ((unsigned)offsetof(struct virtio_pci_legacy_header_layout, field))
#define VIRTIO_PCI_LEGACY_CONFIG_NO_MSIX 20u
#define VIRTIO_PCI_LEGACY_CONFIG_MSIX 24u
/* Legacy queue addresses are page frame numbers of 4096-byte pages; the used ring is 4096-aligned. */
#define VIRTIO_PCI_LEGACY_PFN_SHIFT 12u
#define VIRTIO_LEGACY_VRING_ALIGN 4096u

/* ISR status bits (spec 4.1.4.5). */
#define VIRTIO_ISR_QUEUE 0x1u
#define VIRTIO_ISR_CONFIG 0x2u

#endif
