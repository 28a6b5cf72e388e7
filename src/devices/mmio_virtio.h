/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio devices on the platform bus: ACPI LNRO0005, device-tree virtio,mmio, virtio_mmio.device=. */
#ifndef VIRTIOCTL_MMIO_VIRTIO_H
#define VIRTIOCTL_MMIO_VIRTIO_H

#include "vdev.h"

/* Appends every virtio-mmio platform device; 0 or negative errno (no platform bus is not an error). */
int mmio_virtio_discover(struct vdev_list *l);

/*
 * Decides version 1 or 2 from what the kernel shows (exposed for tests):
 * Linux refuses a version 2 device without VERSION_1 and never offers
 * VERSION_1 to a version 1 device, so a driven device tells its version.
 */
enum vdev_transport mmio_virtio_version_from_driver(const struct vdev *d, const char **how);

/* "d0000000.virtio_mmio" (device-tree naming) -> 0xd0000000; false when the name has no address. */
bool mmio_virtio_base_from_name(const char *name, uint64_t *base);

#endif
