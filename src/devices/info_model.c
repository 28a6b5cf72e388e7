/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Builds the `info` model: decodes config space, and reads registers only of devices no kernel driver owns. */
#include "info_model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bar_access.h"
#include "vfio.h"
#include "virtio_spec.h"

#define PCI_COMMAND_REG 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
/* virtio-mmio windows are 0x200 bytes on QEMU and Firecracker; used when /proc/iomem gives no size. */
#define MMIO_DEFAULT_WINDOW 0x200

static bool has_config_layout(uint32_t device_id)
{
	size_t n = 0;

	return virtio_config_layout(device_id, &n) && n;
}

static int decode_pci(struct info_model *m)
{
	const struct vdev *d = m->dev;
	struct pci_bar_desc bars[PCI_NUM_BARS] = { { 0 } };
	struct pci_cfg_decode_opts opts = {
		.bars = d->bars_known ? bars : NULL,
		.needs_device_cfg = m->device_id_known && has_config_layout(m->device_id),
	};

	if (!d->config)
		return 0;
	for (int i = 0; i < PCI_NUM_BARS; i++)
		bars[i] = (struct pci_bar_desc){ .known = true, .io = d->bars[i].io, .size = d->bars[i].size };
	m->pci = malloc(sizeof(*m->pci));
	if (!m->pci)
		return -ENOMEM;
	return pci_cfg_decode(d->config, d->config_len, &opts, m->pci);
}

static void owned_note(struct info_model *m, const char *what)
{
	const struct vdev *d = m->dev;

	snprintf(m->not_read, sizeof(m->not_read),
		 "device configuration, offered features and queue sizes not shown: %s is owned by kernel driver %s, "
		 "so only %s and sysfs are read", d->address, d->driver, what);
}

/* Unbound functions keep whatever decoding the Command register has; this tool never turns it on. */
static void drop_undecoded_bars(struct info_model *m, struct bar_access *a)
{
	const struct vdev *d = m->dev;
	uint16_t cmd = pci_cfg_le16(d->config + PCI_COMMAND_REG);

	for (int i = 0; i < PCI_NUM_BARS; i++) {
		if (!a->bar[i].usable)
			continue;
		if (d->bars[i].io ? !(cmd & PCI_COMMAND_IO) : !(cmd & PCI_COMMAND_MEMORY))
			a->bar[i].usable = false;
	}
}

static int read_pci_registers(struct info_model *m, const struct info_options *opts)
{
	const struct vdev *d = m->dev;
	bool vfio = d->driver[0] && strstr(d->driver, "vfio");
	bool writable = !opts->read_only;
	struct pci_bar_desc bars[PCI_NUM_BARS];
	struct vfio_device *vdev = NULL;
	struct bar_access a;
	char why[200];
	int r;

	if (vdev_kernel_owned(d)) {
		owned_note(m, "PCI configuration space");
		return 0;
	}
	if (!d->config || !m->pci) {
		snprintf(m->not_read, sizeof(m->not_read), "registers not read: configuration space of %s is not "
			 "readable", d->address);
		return 0;
	}
	for (int i = 0; i < PCI_NUM_BARS; i++)
		bars[i] = (struct pci_bar_desc){ .known = d->bars[i].present, .io = d->bars[i].io,
						 .size = d->bars[i].size };
	if (vfio) {
		r = vfio_open_pci(d->address, &vdev, why, sizeof(why));
		if (r == 0)
			r = bar_access_open_vfio(&a, vdev, writable, why, sizeof(why));
	} else {
		r = bar_access_open_sysfs(&a, d->sysfs_dir, bars, writable, why, sizeof(why));
	}
	if (r < 0) {
		vfio_close(vdev);
		snprintf(m->not_read, sizeof(m->not_read), "BARs not accessible (%s): device configuration, offered "
			 "features and queue sizes not shown", why);
		return 0;
	}
	for (int i = 0; i < PCI_NUM_BARS; i++)
		a.bar[i].io = d->bars[i].io;
	if (!vfio)
		drop_undecoded_bars(m, &a);
	m->access = vfio ? "vfio" : "sysfs";
	m->regs = calloc(1, sizeof(*m->regs));
	if (!m->regs) {
		bar_access_close(&a);
		vfio_close(vdev);
		return -ENOMEM;
	}
	/* A modern-only device without a usable common capability has no legacy header to fall back to. */
	if (pci_cfg_find_virtio(m->pci, VIRTIO_PCI_CAP_COMMON_CFG) || d->transport == VDEV_PCI_MODERN)
		virtio_regs_read_pci_modern(&a, m->pci, m->device_id, writable, m->regs);
	else
		virtio_regs_read_pci_legacy(&a, m->pci->msix.enabled, m->device_id, writable, m->regs);
	if (m->regs->skipped[0])
		snprintf(m->not_read, sizeof(m->not_read), "%s", m->regs->skipped);
	bar_access_close(&a);
	vfio_close(vdev);
	return 0;
}

static int read_mmio_registers(struct info_model *m, const struct info_options *opts)
{
	const struct vdev *d = m->dev;
	struct bar_access a;
	char why[200];
	bool writable = !opts->read_only;

	if (d->driver[0]) {
		owned_note(m, "/proc/iomem");
		return 0;
	}
	if (!d->has_mmio_base) {
		snprintf(m->not_read, sizeof(m->not_read), "registers not read: the MMIO base address of %s is unknown "
			 "(/proc/iomem shows addresses to root only)", d->address);
		return 0;
	}
	if (bar_access_open_devmem(&a, d->mmio_base, d->mmio_size ? d->mmio_size : MMIO_DEFAULT_WINDOW, writable, why,
				   sizeof(why)) < 0) {
		snprintf(m->not_read, sizeof(m->not_read), "MMIO registers not accessible (%s): device configuration "
			 "and offered features not shown", why);
		return 0;
	}
	m->access = "devmem";
	m->regs = calloc(1, sizeof(*m->regs));
	if (!m->regs) {
		bar_access_close(&a);
		return -ENOMEM;
	}
	if (virtio_regs_read_mmio(&a, writable, m->regs) == -EPERM)
		snprintf(m->not_read, sizeof(m->not_read), "MMIO registers not readable: /dev/mem refused to map the page "
			 "at 0x%llx (STRICT_DEVMEM forbids pages in which a driver claims registers, and virtio-mmio "
			 "windows share pages): device configuration and offered features not shown",
			 (unsigned long long)d->mmio_base & ~0xfffULL);
	else if (m->regs->skipped[0])
		snprintf(m->not_read, sizeof(m->not_read), "%s", m->regs->skipped);
	if (!m->device_id_known && m->regs->has_mmio_ids && m->regs->mmio_device_id) {
		m->device_id_known = true;
		m->device_id = m->regs->mmio_device_id;
	}
	bar_access_close(&a);
	return 0;
}

/* A register path that yielded nothing is not worth naming as the source of anything. */
static void drop_empty_access(struct info_model *m)
{
	const struct virtio_regs *r = m->regs;

	if (r && !r->has_status && !r->has_offered && !r->has_num_queues && !r->config && !r->has_mmio_ids)
		m->access = NULL;
}

/* /proc/interrupts read again: discovery kept names, not counts, and counts should be fresh. */
static int read_irqs(struct info_model *m)
{
	struct irq_table t = { 0 };

	m->irqs = calloc(1, sizeof(*m->irqs));
	if (!m->irqs)
		return -ENOMEM;
	irq_table_load(&t, NULL);
	info_irqs_read(m->dev, &t, m->irqs);
	irq_table_free(&t);
	return 0;
}

int info_model_build(struct info_model *m, const struct vdev *dev, const struct info_options *opts)
{
	int r = 0;

	memset(m, 0, sizeof(*m));
	m->dev = dev;
	m->device_id_known = dev->device_id_known;
	m->device_id = dev->device_id;
	if (dev->has_virtio)
		sysfs_virtio_class_devs(dev->virtio.dir, &m->class_devs);
	info_sysfs_config_read(&m->class_devs, &m->sysfs_config);
	r = read_irqs(m);
	if (r < 0)
		return r;
	if (dev->is_pci)
		pci_ids_lookup(NULL, dev->pci_vendor_id, dev->pci_device_id, dev->subsys_vendor_id, dev->subsys_id,
			       &m->names);
	if (dev->is_pci) {
		r = decode_pci(m);
		if (r == 0)
			r = read_pci_registers(m, opts);
	} else if (dev->is_mmio) {
		r = read_mmio_registers(m, opts);
	} else {
		snprintf(m->not_read, sizeof(m->not_read), "registers of %s devices are not read: only sysfs is shown",
			 vdev_transport_name(dev));
	}
	drop_empty_access(m);
	if (m->pci)
		m->problem_count = pci_cfg_problem_count(m->pci);
	return r;
}

void info_model_free(struct info_model *m)
{
	if (!m)
		return;
	free(m->pci);
	free(m->irqs);
	m->irqs = NULL;
	virtio_regs_free(m->regs);
	free(m->regs);
	m->pci = NULL;
	m->regs = NULL;
}
