/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register windows of a device no kernel driver owns: vfio regions, sysfs resourceN files, or /dev/mem. */
#ifndef VIRTIOCTL_BAR_ACCESS_H
#define VIRTIOCTL_BAR_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci_cap_virtio.h"

struct vfio_device;

/*
 * Hot removal and SIGBUS: vfio regions are accessed with pread/pwrite on
 * the device fd, never through a mapping, so a device that vanishes makes
 * the access fail (or read all-ones) instead of raising SIGBUS; every poll
 * above is bounded, so all-ones ends in a timeout.  The mapped paths are
 * sysfs resourceN (read-mostly `info` of an unbound function) and /dev/mem
 * (virtio-mmio windows, which cannot be hot-removed on x86); the cleanup
 * handler (transport.h) still resets on SIGBUS and exits.
 */
enum bar_access_kind {
	BAR_ACCESS_NONE,
	BAR_ACCESS_VFIO,         /* pread/pwrite on a vfio device fd */
	BAR_ACCESS_SYSFS,        /* mmap of resourceN (memory) or pread/pwrite (I/O) */
	BAR_ACCESS_DEVMEM,       /* an MMIO transport window mapped from /dev/mem, as region 0 */
	BAR_ACCESS_MEMORY,       /* plain memory standing in for BARs: unit tests of the transports */
};

struct bar_region {
	bool usable;
	bool io;
	uint64_t size;
	uint64_t vfio_offset;    /* VFIO: the region's offset in the device fd */
	int fd;                  /* SYSFS: the resourceN file */
	uint64_t phys_base;      /* DEVMEM: physical address of the window */
	/* The one cached mapping of a memory window. */
	volatile uint8_t *map;
	uint64_t map_start;
	size_t map_len;
};

struct bar_access {
	enum bar_access_kind kind;
	bool writable;           /* selector writes were allowed when opening */
	int device_fd;           /* VFIO: borrowed from the vfio_device */
	int mem_fd;
	struct bar_region bar[PCI_NUM_BARS];
};

/* The BARs of an open vfio device (borrowed: close the access before the device). */
int bar_access_open_vfio(struct bar_access *a, const struct vfio_device *dev, bool writable, char *why,
			 size_t why_len);
/* The sysfs resourceN files of an unbound function; bars[] says which BARs exist and which are I/O. */
int bar_access_open_sysfs(struct bar_access *a, const char *sysfs_dir, const struct pci_bar_desc bars[PCI_NUM_BARS],
			  bool writable, char *why, size_t why_len);
/* An MMIO transport window mapped from /dev/mem as region 0. */
int bar_access_open_devmem(struct bar_access *a, uint64_t base, uint64_t size, bool writable, char *why,
			   size_t why_len);
/* Plain memory as BAR `bar` (len bytes, borrowed): the real transports over a register image, in unit tests. */
void bar_access_open_memory(struct bar_access *a, unsigned bar, void *mem, size_t len, bool io);
/* Releases everything it owns; accepts NULL and a never-opened (zeroed) access. */
void bar_access_close(struct bar_access *a);

/* One aligned access of width 1, 2 or 4 bytes; 0 or negative errno.  Async-signal-safe for VFIO and I/O BARs. */
int bar_read(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, uint32_t *val);
int bar_write(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, uint32_t val);

#endif
