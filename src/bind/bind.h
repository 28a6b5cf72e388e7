/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Moving a device between its kernel driver and vfio-pci (or, for virtio-mmio, off and back on virtio-mmio). */
#ifndef VIRTIOCTL_BIND_H
#define VIRTIOCTL_BIND_H

#include <stdbool.h>
#include <stddef.h>

#include "vdev.h"

#define BIND_MAX_USERS 8
#define BIND_RECORD_DIR "/run/virtioctl/bind"

/* Why a device must not be taken from its driver: what the system uses it for. */
struct bind_users {
	size_t n;
	bool root_disk;              /* backs the root filesystem */
	char what[BIND_MAX_USERS][160];   /* "mounted filesystem /dev/vda1 on /", "active swap /dev/vdb", ... */
};

/*
 * What on this system depends on d: mounted filesystems and active swap on
 * its block devices (partitions, holders such as dm/md included), network
 * interfaces that are up or have addresses.  Reads only.
 */
int bind_find_users(const struct vdev *d, struct bind_users *out);

struct bind_opts {
	bool force;                  /* bind even though bind_find_users() found users */
	bool dry_run;                /* say what would be done; touch nothing */
	unsigned timeout_ms;         /* waiting for the driver and /dev/vfio/N; 0: BIND_TIMEOUT_MS */
};

#define BIND_TIMEOUT_MS 5000u

struct bind_outcome {
	char driver_before[64];      /* "" none */
	char driver_after[64];
	int iommu_group;             /* -1 none */
	char vfio_node[64];          /* "/dev/vfio/N" after binding to vfio-pci */
	bool already;                /* it was already where it was asked to go: nothing done or to do */
	bool changed;                /* the binding was changed (false for a dry run) */
	struct bind_users users;     /* what was found (refused, or overridden by force) */
};

/*
 * PCI: unbind from the current driver (recording it under BIND_RECORD_DIR),
 * driver_override = vfio-pci, drivers_probe, wait for /dev/vfio/N.  MMIO:
 * unbind from virtio-mmio.  -EBUSY (why says which users) when the device
 * is in use and !force; -ENODEV with the fix when it has no IOMMU group.
 */
int bind_to_vfio(const struct vdev *d, const struct bind_opts *o, struct bind_outcome *out, char *why,
		 size_t why_len);
/*
 * Gives the device back: clears driver_override, unbinds from vfio-pci and
 * probes the recorded driver (or lets the kernel choose when none was
 * recorded).  MMIO: binds to virtio-mmio again.
 */
int bind_to_kernel(const struct vdev *d, const struct bind_opts *o, struct bind_outcome *out, char *why,
		   size_t why_len);

#endif
