/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Virtio PCI functions found through libpci: identity, BARs, configuration space, transport flavour. */
#ifndef VIRTIOCTL_PCI_VIRTIO_H
#define VIRTIOCTL_PCI_VIRTIO_H

#include "vdev.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_FIRST 0x1000
#define VIRTIO_PCI_DEVICE_LAST_TRANSITIONAL 0x103f
#define VIRTIO_PCI_DEVICE_MODERN_BASE 0x1040
#define VIRTIO_PCI_DEVICE_LAST 0x107f

/*
 * Appends every PCI function with vendor 0x1af4 and device 0x1000-0x107f.
 * Only configuration space and sysfs are read.  A machine without PCI is
 * not an error (l->pci_note says why nothing was found); returns 0 or a
 * negative errno.
 */
int pci_virtio_discover(struct vdev_list *l);

/*
 * Transport flavour from the device id and the presence of virtio vendor
 * capabilities in the configuration image (exposed for tests).
 */
enum vdev_transport pci_virtio_classify(uint16_t device_id, const uint8_t *cfg, size_t cfg_len);

/* Virtio device id of a PCI function per spec 4.1.2 (transitional: the subsystem id). */
bool pci_virtio_device_id(uint16_t pci_device_id, uint16_t subsys_id, uint32_t *out);

#endif
