/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A discovered virtio device opened for driving: register window, transport, vfio device, IRQs and DMA pool. */
#ifndef VIRTIOCTL_DEVICE_OPEN_H
#define VIRTIOCTL_DEVICE_OPEN_H

#include <stdbool.h>
#include <stddef.h>

#include "bar_access.h"
#include "dma_pool.h"
#include "transport.h"
#include "vdev.h"
#include "vfio.h"

/* `--transport=`: which register layout of a transitional PCI device to drive. */
enum transport_choice {
	TRANSPORT_CHOICE_AUTO,       /* modern when the device has the capabilities, else legacy */
	TRANSPORT_CHOICE_MODERN,
	TRANSPORT_CHOICE_LEGACY,     /* the I/O BAR of a transitional or legacy device */
};

/* Interrupts: MSI-X eventfds, INTx as the fallback, or polling (`--poll`). */
enum irq_choice {
	IRQ_CHOICE_AUTO,             /* MSI-X when the device has it, else INTx */
	IRQ_CHOICE_MSIX,
	IRQ_CHOICE_INTX,
	IRQ_CHOICE_POLL,
};

struct device_open_opts {
	enum transport_choice transport;
	enum irq_choice irq;
	unsigned n_vectors;          /* MSI-X vectors wanted: config + one per queue; 0: 1 */
	size_t dma_size;             /* DMA pool bytes; 0: DEVICE_OPEN_DMA_DEFAULT */
};

#define DEVICE_OPEN_DMA_DEFAULT (4u << 20)

struct device_handle {
	const struct vdev *dev;      /* borrowed from the discovery list */
	struct transport *t;         /* registered for cleanup: reset on every exit path */
	struct bar_access regs;
	struct vfio_device *vfio;    /* NULL for virtio-mmio */
	struct dma_pool *dma;
	enum vfio_irq_mode irq_mode; /* vfio->irq_fds hold the eventfds (MSI-X vector i at index i) */
};

/*
 * Opens d for driving.  Refuses (-EBUSY, why names the `virtioctl bind`
 * command that would free it) a device a kernel driver other than vfio-pci
 * owns, before touching anything.  PCI: vfio device, BARs, the transport
 * chosen by o->transport, IRQs, a DMA pool (IOMMU-mapped, or physical in
 * no-IOMMU mode).  MMIO: an unbound virtio-mmio window through /dev/mem,
 * physical DMA memory, polling only.  The device is not reset here: the
 * caller starts the spec's initialisation with transport_reset().
 */
int device_open(const struct vdev *d, const struct device_open_opts *o, struct device_handle **out, char *why,
		size_t why_len);
/* Resets the device (bounded), disables IRQs, frees DMA memory, closes vfio; accepts NULL. */
void device_close(struct device_handle *h);

#endif
