/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vfio layer: group/container (type1 or no-IOMMU), device regions and config space, IRQs as eventfds. */
#ifndef VIRTIOCTL_VFIO_H
#define VIRTIOCTL_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Knows nothing of virtio or device discovery: give it a PCI address, get a
 * device fd with its regions, IRQs and the IOMMU behind it.  Errors are
 * negative errnos with one sentence in `why` naming the problem and the fix.
 */

#define VFIO_MAX_IOVA_RANGES 16
#define VFIO_MAX_IRQ_FDS 64

struct vfio_iova_window {
	uint64_t start;
	uint64_t last;               /* inclusive */
};

struct vfio_iommu;

/*
 * What DMA memory needs from an IOMMU backend.  type1 (legacy container) is
 * implemented; an iommufd backend slots in as another table.
 */
struct vfio_iommu_ops {
	const char *name;            /* "type1v2", "type1", "noiommu" */
	int (*map)(struct vfio_iommu *io, void *vaddr, uint64_t iova, uint64_t len);
	int (*unmap)(struct vfio_iommu *io, uint64_t iova, uint64_t len);
};

struct vfio_iommu {
	const struct vfio_iommu_ops *ops;
	bool noiommu;                /* no translation, no protection: bus addresses are physical addresses */
	int container_fd;
	uint64_t pgsize_bitmap;      /* IOMMU page sizes; 0 when not reported */
	/* Usable IOVA ranges the kernel reported (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE); n 0: not reported. */
	size_t n_iova_ranges;
	struct vfio_iova_window iova_ranges[VFIO_MAX_IOVA_RANGES];
};

/* Whether [iova, iova+len) lies inside one reported range (true when the kernel reported none). */
bool vfio_iova_allowed(const struct vfio_iommu *io, uint64_t iova, uint64_t len);

struct vfio_region {
	bool present;
	uint32_t flags;              /* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset;             /* in the device fd */
};

enum vfio_irq_mode {
	VFIO_IRQ_NONE,               /* polling: no interrupt at all */
	VFIO_IRQ_INTX,
	VFIO_IRQ_MSIX,
};

/* PCI region indices, as VFIO_PCI_*_REGION_INDEX: 0..5 BARs, 6 ROM, 7 config. */
#define VFIO_DEV_MAX_REGIONS 9

struct vfio_device {
	char name[64];               /* PCI address */
	int group;                   /* IOMMU group number */
	int group_fd, device_fd;
	struct vfio_iommu iommu;
	uint32_t num_regions, num_irqs;
	struct vfio_region regions[VFIO_DEV_MAX_REGIONS];
	enum vfio_irq_mode irq_mode;
	unsigned n_irq_fds;
	int irq_fds[VFIO_MAX_IRQ_FDS];   /* eventfds: MSI-X vector i, or [0] for INTx */
	/*
	 * The device request (VFIO_PCI_REQ_IRQ_INDEX): vfio-pci signals it when
	 * the kernel wants the device back (hot-unplug, driver unbind) and then
	 * blocks until every user has closed it.  -1: the kernel offers none.
	 */
	int req_fd;
	bool removal_requested;          /* latched once the request was seen */
};

/*
 * The IOMMU group of a PCI function from sysfs; -ENODEV with a sentence
 * naming the fix (a vIOMMU in the VM, intel_iommu=on / amd_iommu=on, or the
 * no-IOMMU mode where the kernel has it) when it has none.
 */
int vfio_iommu_group_of(const char *pci_addr, char *why, size_t why_len);
/*
 * Whether this kernel offers vfio's no-IOMMU mode, and whether it is on:
 * the enable_unsafe_noiommu_mode parameter of the vfio module.  Detected,
 * never assumed (Debian's kernels are built without it).
 */
bool vfio_noiommu_supported(void);
bool vfio_noiommu_enabled(void);

/*
 * Opens a vfio-pci-bound PCI function: container, group (checked viable),
 * IOMMU type (type1v2, type1, else no-IOMMU when the group is a no-IOMMU
 * group), device fd, region and IOVA-range info.  vfio-pci resets the
 * function on first open; EBUSY means another process holds the group.
 */
int vfio_open_pci(const char *pci_addr, struct vfio_device **out, char *why, size_t why_len);
/* Disables IRQs, closes every fd; accepts NULL. */
void vfio_close(struct vfio_device *dev);

/* Whole-buffer pread/pwrite at an offset in a region (bounds-checked). */
int vfio_region_read(struct vfio_device *dev, unsigned index, uint64_t off, void *buf, size_t len);
int vfio_region_write(struct vfio_device *dev, unsigned index, uint64_t off, const void *buf, size_t len);
/* Maps a region that allows it (VFIO_REGION_INFO_FLAG_MMAP); NULL with errno.  Not used for registers: see bar_access.h. */
void *vfio_region_mmap(struct vfio_device *dev, unsigned index, size_t *len_out);
/* PCI configuration space through the config region. */
int vfio_config_read(struct vfio_device *dev, uint32_t off, void *buf, size_t len);
int vfio_config_write(struct vfio_device *dev, uint32_t off, const void *buf, size_t len);

/*
 * Interrupts as eventfds (VFIO_DEVICE_SET_IRQS).  vfio_irq_enable_msix
 * asks for nvec vectors (fewer are granted when the device has fewer:
 * dev->n_irq_fds says how many); vfio_irq_enable_intx is the fallback;
 * vfio_irq_disable returns to polling.  vfio_irq_wait waits up to
 * timeout_ms for eventfd fd (0: fired, -ETIMEDOUT), and re-arms INTx.
 */
int vfio_irq_enable_msix(struct vfio_device *dev, unsigned nvec, char *why, size_t why_len);
int vfio_irq_enable_intx(struct vfio_device *dev, char *why, size_t why_len);
void vfio_irq_disable(struct vfio_device *dev);
int vfio_irq_wait(struct vfio_device *dev, unsigned fd_index, int timeout_ms);

/*
 * The device request channel, armed by vfio_open_pci() where the kernel
 * offers it.  vfio_removal_requested() never blocks: whether the kernel has
 * asked for the device back (latched; callers then reset it and close it
 * so the removal can finish).  vfio_irq_wait() also returns -ENODEV as soon
 * as the request arrives, so no interrupt wait outlives a removal.
 */
int vfio_req_enable(struct vfio_device *dev);
bool vfio_removal_requested(struct vfio_device *dev);
/* Disarms the request channel (vfio_close() calls it). */
void vfio_req_disable(struct vfio_device *dev);

#endif
