/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register access to a device no kernel driver owns: VFIO regions, sysfs resourceN files, or /dev/mem. */
#ifndef VIRTIOCTL_VFIO_REGION_H
#define VIRTIOCTL_VFIO_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci_cap_virtio.h"
#include "vdev.h"

enum bar_access_kind {
	BAR_ACCESS_NONE,
	BAR_ACCESS_VFIO,         /* pread/pwrite on a VFIO device fd */
	BAR_ACCESS_SYSFS,        /* mmap of resourceN (memory) or pread/pwrite (I/O) */
	BAR_ACCESS_DEVMEM,       /* an MMIO transport window mapped from /dev/mem, as region 0 */
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
	int container_fd, group_fd, device_fd, mem_fd;
	struct bar_region bar[PCI_NUM_BARS];
};

/*
 * Open a vfio-pci-bound function through its IOMMU group (legacy container
 * API, type1 or no-IOMMU).  On failure returns a negative errno and writes
 * one sentence to why.  Note that vfio-pci resets a function when the first
 * user opens it; the kernel refuses (EBUSY) while another process holds it.
 */
int bar_access_open_vfio(struct bar_access *a, const char *pci_addr, int iommu_group, bool writable,
			 char *why, size_t why_len);
/* Open the sysfs resourceN files of an unbound function. */
int bar_access_open_sysfs(struct bar_access *a, const char *sysfs_dir, const struct vdev_bar bars[PCI_NUM_BARS],
			  bool writable, char *why, size_t why_len);
/* Map an MMIO transport window from /dev/mem as region 0. */
int bar_access_open_devmem(struct bar_access *a, uint64_t base, uint64_t size, bool writable, char *why,
			   size_t why_len);
/* Releases everything; accepts NULL and a never-opened (zeroed) access. */
void bar_access_close(struct bar_access *a);

/* One aligned access of width 1, 2 or 4 bytes; 0 or negative errno. */
int bar_read(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, uint32_t *val);
int bar_write(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, uint32_t val);

#endif
