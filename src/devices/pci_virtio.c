/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Virtio PCI functions found through libpci: identity, BARs, configuration space, transport flavour. */
#include "pci_virtio.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

/*
 * libpci reports fatal errors through a callback that must not return (its
 * default calls exit()).  A device that disappears mid-scan must not end
 * the program, so the callback jumps back to the scan.  libpci offers no
 * user pointer for this, hence the one static.
 */
static jmp_buf pci_error_jmp;
static char pci_error_msg[96];

static void __attribute__((noreturn, format(printf, 1, 2))) on_pci_error(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pci_error_msg, sizeof(pci_error_msg), fmt, ap);
	va_end(ap);
	longjmp(pci_error_jmp, 1);
}

static void __attribute__((format(printf, 1, 2))) on_pci_quiet(char *fmt, ...)
{
	(void)fmt;
}

bool pci_virtio_device_id(uint16_t pci_device_id, uint16_t subsys_id, uint32_t *out)
{
	if (pci_device_id >= VIRTIO_PCI_DEVICE_MODERN_BASE && pci_device_id <= VIRTIO_PCI_DEVICE_LAST) {
		*out = pci_device_id - VIRTIO_PCI_DEVICE_MODERN_BASE;
		return true;
	}
	if (pci_device_id >= VIRTIO_PCI_DEVICE_FIRST && pci_device_id <= VIRTIO_PCI_DEVICE_LAST_TRANSITIONAL) {
		/* Transitional devices carry the virtio device id in the subsystem id (spec 4.1.2.3). */
		*out = subsys_id;
		return true;
	}
	return false;
}

enum vdev_transport pci_virtio_classify(uint16_t device_id, const uint8_t *cfg, size_t cfg_len)
{
	struct pci_cfg_decode *d;
	enum vdev_transport t;

	if (device_id >= VIRTIO_PCI_DEVICE_MODERN_BASE)
		return VDEV_PCI_MODERN;
	d = malloc(sizeof(*d));
	if (!d || pci_cfg_decode(cfg, cfg_len, NULL, d) < 0) {
		free(d);
		return VDEV_PCI_UNKNOWN;
	}
	if (d->n_virtio)
		t = VDEV_PCI_TRANSITIONAL;
	else
		t = d->caps_readable ? VDEV_PCI_LEGACY : VDEV_PCI_UNKNOWN;
	free(d);
	return t;
}

/* 64 bytes are always readable, 256 as root, 4096 for PCIe functions. */
static int read_config(struct pci_dev *p, struct vdev *v)
{
	static const size_t sizes[] = { PCI_CFG_HEADER_LEN, PCI_CFG_LEN, PCI_CFG_EXT_LEN };
	uint8_t *buf = calloc(1, PCI_CFG_EXT_LEN);

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t have = i ? sizes[i - 1] : 0;

		if (!pci_read_block(p, (int)have, buf + have, (int)(sizes[i] - have)))
			break;
		v->config_len = sizes[i];
	}
	if (!v->config_len) {
		free(buf);
		return -EACCES;
	}
	v->config = buf;
	return 0;
}

static void fill_bars(struct pci_dev *p, struct vdev *v)
{
	v->bars_known = (p->known_fields & PCI_FILL_SIZES) != 0;
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct vdev_bar *b = &v->bars[i];
		pciaddr_t flags = p->flags[i];

		b->size = p->size[i];
		b->present = b->size != 0;
		b->io = flags & PCI_IORESOURCE_IO;
		b->mem64 = flags & PCI_IORESOURCE_MEM_64;
		b->prefetchable = flags & PCI_IORESOURCE_PREFETCH;
		b->base = p->base_addr[i] & (b->io ? PCI_ADDR_IO_MASK : PCI_ADDR_MEM_MASK);
	}
}

static int add_pci_function(struct vdev_list *l, struct pci_dev *p)
{
	struct vdev *v = vdev_list_add(l);
	char path[PATH_MAX], real[PATH_MAX];
	const char *s;

	if (!v)
		return -ENOMEM;
	v->is_pci = true;
	v->iommu_group = -1;
	snprintf(v->address, sizeof(v->address), "%04x:%02x:%02x.%d", (unsigned)p->domain, p->bus, p->dev,
		 p->func);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", v->address);
	/* A resolved path too long for the model is not a device we can describe: keep the bus path. */
	if (!realpath(path, real) || strlen(real) >= sizeof(v->sysfs_dir))
		strcpy(real, path);
	memcpy(v->sysfs_dir, real, strlen(real) + 1);
	v->pci_vendor_id = p->vendor_id;
	v->pci_device_id = p->device_id;
	v->subsys_vendor_id = p->subsys_vendor_id;
	v->subsys_id = p->subsys_id;
	v->revision = p->rev_id;
	v->class_code = (uint32_t)p->device_class << 8 | p->prog_if;
	v->device_id_known = pci_virtio_device_id(p->device_id, p->subsys_id, &v->device_id);
	s = pci_get_string_property(p, PCI_FILL_DRIVER);
	if (s)
		snprintf(v->driver, sizeof(v->driver), "%s", s);
	s = pci_get_string_property(p, PCI_FILL_IOMMU_GROUP);
	if (s)
		v->iommu_group = atoi(s);
	fill_bars(p, v);
	if (sysfs_link_name(v->sysfs_dir, "physfn", v->physfn, sizeof(v->physfn)) < 0)
		v->physfn[0] = '\0';
	if (read_config(p, v) == 0)
		v->transport = pci_virtio_classify(v->pci_device_id, v->config, v->config_len);
	else
		v->transport = v->pci_device_id >= VIRTIO_PCI_DEVICE_MODERN_BASE ? VDEV_PCI_MODERN : VDEV_PCI_UNKNOWN;
	return 0;
}

int pci_virtio_discover(struct vdev_list *l)
{
	struct pci_access *volatile pacc = NULL;
	volatile int r = 0;

	if (access("/sys/bus/pci/devices", R_OK) != 0) {
		snprintf(l->pci_note, sizeof(l->pci_note), "no PCI bus in sysfs (/sys/bus/pci/devices: %s)",
			 strerror(errno));
		return 0;
	}
	pacc = pci_alloc();
	if (!pacc)
		return -ENOMEM;
	/* sysfs only: the port-I/O methods would poke the host bridge directly. */
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	pacc->error = on_pci_error;
	pacc->warning = on_pci_quiet;
	pacc->debug = on_pci_quiet;
	if (setjmp(pci_error_jmp)) {
		snprintf(l->pci_note, sizeof(l->pci_note), "PCI scan stopped early: libpci: %.96s", pci_error_msg);
		goto out;
	}
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (struct pci_dev *p = pacc->devices; p; p = p->next) {
		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS |
				 PCI_FILL_BASES | PCI_FILL_SIZES | PCI_FILL_IO_FLAGS | PCI_FILL_DRIVER |
				 PCI_FILL_IOMMU_GROUP);
		if (p->vendor_id != VIRTIO_PCI_VENDOR || p->device_id < VIRTIO_PCI_DEVICE_FIRST ||
		    p->device_id > VIRTIO_PCI_DEVICE_LAST)
			continue;
		r = add_pci_function(l, p);
		if (r < 0)
			break;
	}
out:
	pci_cleanup(pacc);
	return r;
}
