/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A discovered virtio device opened for driving: register window, transport, vfio device, IRQs and DMA pool. */
#include "device_open.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "transport_hw.h"
#include "virtio_spec.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_BAR0 0x10
#define MMIO_DEFAULT_WINDOW 0x200

static int refuse_owned(const struct vdev *d, char *why, size_t why_len)
{
	if (d->is_mmio)
		snprintf(why, why_len, "%s is driven by kernel driver %s; release it first: virtioctl bind %s --vfio "
			 "(unbinds it from virtio-mmio)", d->address, d->driver, d->address);
	else
		snprintf(why, why_len, "%s is driven by kernel driver %s; move it to vfio-pci first: virtioctl bind %s "
			 "--vfio", d->address, d->driver, d->address);
	return -EBUSY;
}

/* vfio-pci enables decoding but leaves bus mastering to the driver: without it the device cannot DMA. */
static int set_bus_master(struct vfio_device *v, bool on)
{
	uint16_t cmd;
	int r = vfio_config_read(v, PCI_COMMAND, &cmd, sizeof(cmd));

	if (r < 0)
		return r;
	if (on)
		cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
	else
		cmd &= (uint16_t)~PCI_COMMAND_MASTER;
	return vfio_config_write(v, PCI_COMMAND, &cmd, sizeof(cmd));
}

static int decode_config(struct vfio_device *v, const struct vdev *d, struct pci_cfg_decode *dec, bool *bar0_io)
{
	struct pci_bar_desc bars[PCI_NUM_BARS];
	struct pci_cfg_decode_opts opts = { .bars = bars };
	uint8_t cfg[PCI_CFG_LEN];
	int r = vfio_config_read(v, 0, cfg, sizeof(cfg));

	if (r < 0)
		return r;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		uint32_t bar = pci_cfg_le32(cfg + PCI_BAR0 + 4 * i);

		bars[i] = (struct pci_bar_desc){ .known = true, .io = bar & 1, .size = v->regions[i].size };
	}
	*bar0_io = bars[0].io && v->regions[0].present;
	opts.needs_device_cfg = d->device_id_known && virtio_config_layout(d->device_id, &(size_t){ 0 });
	return pci_cfg_decode(cfg, sizeof(cfg), &opts, dec);
}

static int setup_irqs(struct device_handle *h, const struct device_open_opts *o, char *why, size_t why_len)
{
	unsigned n = o->n_vectors ? o->n_vectors : 1;

	switch (o->irq) {
	case IRQ_CHOICE_POLL:
		return 0;
	case IRQ_CHOICE_INTX:
		return vfio_irq_enable_intx(h->vfio, why, why_len);
	case IRQ_CHOICE_MSIX:
		return vfio_irq_enable_msix(h->vfio, n, why, why_len);
	case IRQ_CHOICE_AUTO:
	default:
		if (vfio_irq_enable_msix(h->vfio, n, why, why_len) == 0)
			return 0;
		return vfio_irq_enable_intx(h->vfio, why, why_len);
	}
}

static int open_transport_pci(struct device_handle *h, const struct pci_cfg_decode *dec, bool bar0_io,
			      enum transport_choice choice, char *why, size_t why_len)
{
	const struct vdev *d = h->dev;
	bool modern = pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_COMMON_CFG) != NULL;

	if (choice == TRANSPORT_CHOICE_MODERN && !modern) {
		snprintf(why, why_len, "%s has no virtio common configuration capability: it is a legacy-only device "
			 "(use --transport=legacy)", d->address);
		return -ENODEV;
	}
	if (choice == TRANSPORT_CHOICE_LEGACY && !bar0_io) {
		snprintf(why, why_len, "%s has no legacy I/O BAR 0: it is a modern-only device", d->address);
		return -ENODEV;
	}
	h->regs.bar[0].io = bar0_io;
	if (choice == TRANSPORT_CHOICE_LEGACY || (choice == TRANSPORT_CHOICE_AUTO && !modern))
		return transport_open_pci_legacy(&h->regs, h->irq_mode == VFIO_IRQ_MSIX, d->device_id, &h->t, why,
						 why_len);
	return transport_open_pci_modern(&h->regs, dec, d->device_id, &h->t, why, why_len);
}

static int open_pci(struct device_handle *h, const struct device_open_opts *o, char *why, size_t why_len)
{
	struct dma_pool_opts dopts = { .backing = DMA_POOL_IOMMU, .size = o->dma_size ? o->dma_size
										: DEVICE_OPEN_DMA_DEFAULT };
	struct pci_cfg_decode *dec;
	bool bar0_io = false;
	int r;

	if (!strstr(h->dev->driver, "vfio")) {
		snprintf(why, why_len, "%s is bound to %s, not vfio-pci; give it to vfio-pci first: virtioctl bind %s --vfio",
			 h->dev->address, h->dev->driver[0] ? h->dev->driver : "no driver", h->dev->address);
		return -ENODEV;
	}
	if ((r = vfio_open_pci(h->dev->address, &h->vfio, why, why_len)) < 0)
		return r;
	if (!(dec = malloc(sizeof(*dec))))
		return -ENOMEM;
	r = decode_config(h->vfio, h->dev, dec, &bar0_io);
	if (r < 0)
		snprintf(why, why_len, "reading the configuration space of %s through vfio failed: %s", h->dev->address,
			 strerror(-r));
	if (r == 0 && (r = set_bus_master(h->vfio, true)) < 0)
		snprintf(why, why_len, "enabling bus mastering on %s failed: %s", h->dev->address, strerror(-r));
	if (r == 0)
		r = setup_irqs(h, o, why, why_len);
	h->irq_mode = h->vfio->irq_mode;
	if (r == 0)
		r = bar_access_open_vfio(&h->regs, h->vfio, true, why, why_len);
	if (r == 0)
		r = open_transport_pci(h, dec, bar0_io, o->transport, why, why_len);
	free(dec);
	/* The pool maps its pages into this device's IOMMU container. */
	dopts.iommu = &h->vfio->iommu;
	if (r == 0)
		r = dma_pool_create(&dopts, &h->dma, why, why_len);
	return r;
}

static int open_mmio(struct device_handle *h, const struct device_open_opts *o, char *why, size_t why_len)
{
	const struct vdev *d = h->dev;
	struct dma_pool_opts dopts = { .backing = DMA_POOL_PHYSICAL, .size = o->dma_size ? o->dma_size
										    : DEVICE_OPEN_DMA_DEFAULT };
	int r;

	if (o->transport == TRANSPORT_CHOICE_LEGACY || o->transport == TRANSPORT_CHOICE_MODERN) {
		snprintf(why, why_len, "--transport chooses between the layouts of a PCI device; %s is virtio-mmio",
			 d->address);
		return -EINVAL;
	}
	if (o->irq == IRQ_CHOICE_MSIX || o->irq == IRQ_CHOICE_INTX) {
		snprintf(why, why_len, "%s is virtio-mmio: without vfio-platform on this machine, only polling works",
			 d->address);
		return -ENOTSUP;
	}
	if (!d->has_mmio_base) {
		snprintf(why, why_len, "the MMIO base address of %s is unknown (/proc/iomem shows it to root only)",
			 d->address);
		return -ENODEV;
	}
	r = bar_access_open_devmem(&h->regs, d->mmio_base, d->mmio_size ? d->mmio_size : MMIO_DEFAULT_WINDOW, true, why,
				   why_len);
	if (r == 0)
		r = transport_open_mmio(&h->regs, &h->t, why, why_len);
	if (r == -EPERM)
		snprintf(why, why_len, "/dev/mem refused to map %s at 0x%llx (STRICT_DEVMEM or lockdown): virtio-mmio "
			 "devices cannot be driven from userspace on this kernel", d->address,
			 (unsigned long long)d->mmio_base);
	if (r == 0)
		r = dma_pool_create(&dopts, &h->dma, why, why_len);
	return r;
}

int device_open(const struct vdev *d, const struct device_open_opts *o, struct device_handle **out, char *why,
		size_t why_len)
{
	struct device_handle *h;
	int r;

	if (vdev_kernel_owned(d))
		return refuse_owned(d, why, why_len);
	if (!d->is_pci && !d->is_mmio) {
		snprintf(why, why_len, "%s is a %s device: only PCI and MMIO devices can be driven", d->address,
			 vdev_transport_name(d));
		return -ENOTSUP;
	}
	if (!(h = calloc(1, sizeof(*h))))
		return -ENOMEM;
	h->dev = d;
	r = d->is_pci ? open_pci(h, o, why, why_len) : open_mmio(h, o, why, why_len);
	if (r == 0 && (r = transport_cleanup_register(h->t)) < 0)
		snprintf(why, why_len, "too many devices open at once");
	if (r < 0) {
		device_close(h);
		return r;
	}
	*out = h;
	return 0;
}

void device_close(struct device_handle *h)
{
	if (!h)
		return;
	/* The device stops first: only then may its DMA memory go away. */
	transport_close(h->t);
	if (h->vfio) {
		vfio_irq_disable(h->vfio);
		(void)set_bus_master(h->vfio, false);
	}
	dma_pool_destroy(h->dma);
	bar_access_close(&h->regs);
	vfio_close(h->vfio);
	free(h);
}
