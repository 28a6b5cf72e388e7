/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The discovered-device model shared by `list` and `info`: one entry per virtio device, any transport. */
#ifndef VIRTIOCTL_VDEV_H
#define VIRTIOCTL_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci_cap_virtio.h"
#include "sysfs_virtio.h"
#include "virtio_features.h"

enum vdev_transport {
	VDEV_PCI_MODERN,
	VDEV_PCI_TRANSITIONAL,
	VDEV_PCI_LEGACY,
	VDEV_PCI_UNKNOWN,        /* 0x1000-0x103f whose capabilities could not be read */
	VDEV_MMIO_V1,
	VDEV_MMIO_V2,
	VDEV_MMIO_UNKNOWN,       /* version neither visible to the driver nor safely readable */
	VDEV_OTHER,              /* vdpa, ccw, ...: named after the parent's bus */
};

enum vdev_irq_mode {
	VDEV_IRQ_NONE,
	VDEV_IRQ_INTX,
	VDEV_IRQ_MSI,
	VDEV_IRQ_MSIX,
	VDEV_IRQ_LINE,           /* a platform (MMIO) interrupt line */
};

#define VDEV_MAX_IRQ_NAMES 64

struct vdev_irqs {
	enum vdev_irq_mode mode;
	unsigned vectors;        /* vectors (MSI/MSI-X) or lines allocated to the device */
	const char *owner;       /* "virtio", "vfio" or NULL: whose names /proc/interrupts shows */
	int first_irq;           /* -1 when none */
	bool config_vector;      /* virtioN-config exists */
	bool shared_vq_vector;   /* virtioN-virtqueues: one vector for all queues */
	size_t n_queue_names;    /* per-virtqueue vectors, named by the driver ("input.0") */
	char queue_names[VDEV_MAX_IRQ_NAMES][32];
};

struct vdev_bar {
	bool present;            /* implemented (size > 0) */
	bool io;
	bool mem64;
	bool prefetchable;
	uint64_t base;
	uint64_t size;
};

struct vdev {
	char address[64];        /* PCI "0000:00:03.0", platform device name, or parent device name */
	char sysfs_dir[256];     /* resolved /sys/devices/... directory of the transport device */
	enum vdev_transport transport;
	char other_bus[32];      /* VDEV_OTHER: the parent's bus ("vdpa") */

	bool device_id_known;
	uint32_t device_id;      /* virtio device id */

	char driver[64];         /* driver bound to the transport device; "" none */
	struct sysfs_virtio_dev virtio;   /* virtio.name[0] == 0: no virtioN */
	bool has_virtio;

	int iommu_group;         /* -1: none */
	struct vdev_irqs irqs;

	/* PCI only */
	bool is_pci;
	uint16_t pci_vendor_id, pci_device_id;
	uint16_t subsys_vendor_id, subsys_id;
	uint8_t revision;
	uint32_t class_code;     /* base class, sub class, prog-if */
	bool bars_known;         /* libpci could read the BAR sizes */
	struct vdev_bar bars[PCI_NUM_BARS];
	uint8_t *config;         /* configuration space as read (64, 256 or 4096 bytes) */
	size_t config_len;
	char physfn[64];         /* SR-IOV VF: address of its PF; "" otherwise */

	/* MMIO only */
	bool is_mmio;
	bool has_mmio_base;
	uint64_t mmio_base, mmio_size;
	const char *mmio_match;      /* "acpi LNRO0005", "of virtio,mmio", "virtio_mmio.device=" */
	const char *mmio_version_source;   /* how VDEV_MMIO_V1/V2 was decided */
	int mmio_irq;                /* -1: unknown */
};

struct vdev_list {
	size_t n;
	struct vdev *v;
	char pci_note[160];      /* why PCI enumeration was partial or skipped; "" when fine */
};

/* Every virtio device on the machine: PCI, then MMIO, then the rest; 0 or negative errno. */
int vdev_discover(struct vdev_list *out);
void vdev_list_free(struct vdev_list *l);

/*
 * Resolves what a user typed: full or short PCI address, virtioN, MMIO base
 * address, or platform device name.  NULL when nothing matches.
 */
const struct vdev *vdev_lookup(const struct vdev_list *l, const char *name);

const char *vdev_transport_name(const struct vdev *d);
const char *vdev_irq_mode_name(enum vdev_irq_mode m);
/* Short type name from the spec tables, or "unknown" / "id-N" text in buf. */
const char *vdev_type_name(const struct vdev *d, char *buf, size_t len);
/* Whether a kernel driver (other than vfio-pci) owns the transport device. */
bool vdev_kernel_owned(const struct vdev *d);

/* Fills irqs for a device from the interrupt table (internal to discovery, exposed for tests). */
void vdev_irqs_fill(struct vdev *d, const struct irq_table *t);

/* Internal: appends an empty entry; NULL on allocation failure. */
struct vdev *vdev_list_add(struct vdev_list *l);

#endif
