/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Discovery of every virtio device (PCI, MMIO, other buses), its interrupts, and DEVICE name resolution. */
#include "vdev.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmio_virtio.h"
#include "pci_virtio.h"
#include "virtio_spec.h"

/* Growth is bounded by what sysfs lists; this is only a sanity cap against a runaway loop. */
#define VDEV_MAX_DEVICES 65536

struct vdev *vdev_list_add(struct vdev_list *l)
{
	struct vdev *p;

	if (l->n >= VDEV_MAX_DEVICES)
		return NULL;
	p = realloc(l->v, (l->n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	l->v = p;
	p = &l->v[l->n++];
	memset(p, 0, sizeof(*p));
	p->iommu_group = -1;
	p->mmio_irq = -1;
	p->irqs.first_irq = -1;
	return p;
}

void vdev_list_free(struct vdev_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].config);
	free(l->v);
	*l = (struct vdev_list){ 0 };
}

const char *vdev_transport_name(const struct vdev *d)
{
	switch (d->transport) {
	case VDEV_PCI_MODERN: return "pci-modern";
	case VDEV_PCI_TRANSITIONAL: return "pci-transitional";
	case VDEV_PCI_LEGACY: return "pci-legacy";
	case VDEV_PCI_UNKNOWN: return "pci";
	case VDEV_MMIO_V1: return "mmio-v1";
	case VDEV_MMIO_V2: return "mmio-v2";
	case VDEV_MMIO_UNKNOWN: return "mmio";
	case VDEV_OTHER: return d->other_bus[0] ? d->other_bus : "other";
	}
	return "other";
}

const char *vdev_irq_mode_name(enum vdev_irq_mode m)
{
	switch (m) {
	case VDEV_IRQ_NONE: return "none";
	case VDEV_IRQ_INTX: return "intx";
	case VDEV_IRQ_MSI: return "msi";
	case VDEV_IRQ_MSIX: return "msix";
	case VDEV_IRQ_LINE: return "line";
	}
	return "none";
}

const char *vdev_type_name(const struct vdev *d, char *buf, size_t len)
{
	const struct virtio_device_type *t;

	if (!d->device_id_known)
		return "unknown";
	t = virtio_device_type_by_id(d->device_id);
	if (t)
		return t->name;
	snprintf(buf, len, "id-%u", d->device_id);
	return buf;
}

bool vdev_kernel_owned(const struct vdev *d)
{
	/* vfio-pci and its variant drivers hand the device to user space; pci-stub only reserves it. */
	if (!d->driver[0] || !strcmp(d->driver, "pci-stub"))
		return false;
	return !strstr(d->driver, "vfio");
}

/* ---- interrupts ---- */

static void irqs_from_msi_dir(const char *sysfs_dir, struct vdev_irqs *irqs)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/msi_irqs", sysfs_dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char mode[16];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (irqs->first_irq < 0 || atoi(de->d_name) < irqs->first_irq)
			irqs->first_irq = atoi(de->d_name);
		if (!irqs->vectors) {
			irqs->mode = VDEV_IRQ_MSIX;
			if (sysfs_read_attr(path, de->d_name, mode, sizeof(mode)) > 0 && !strcmp(mode, "msi"))
				irqs->mode = VDEV_IRQ_MSI;
		}
		irqs->vectors++;
	}
	closedir(d);
}

/* vfio-pci names its handlers "vfio-msix[N](ADDR)", "vfio-msi[N](ADDR)" and "vfio-intx(ADDR)". */
static bool vfio_action_of(const char *name, const char *addr, bool *intx)
{
	size_t n = strlen(name), a = strlen(addr);

	if (strncmp(name, "vfio-", 5) || n < a + 2 || name[n - 1] != ')' || name[n - a - 2] != '(' ||
	    strncmp(name + n - a - 1, addr, a))
		return false;
	*intx = !strncmp(name, "vfio-intx(", 10);
	return true;
}

void vdev_irqs_fill(struct vdev *d, const struct irq_table *t)
{
	struct vdev_irqs *irqs = &d->irqs;
	const char *vname = d->has_virtio ? d->virtio.name : NULL;
	size_t vlen = vname ? strlen(vname) : 0;
	bool line = false, intx = false;
	int line_irq = -1;

	memset(irqs, 0, sizeof(*irqs));
	irqs->first_irq = -1;
	if (d->is_pci)
		irqs_from_msi_dir(d->sysfs_dir, irqs);
	for (size_t i = 0; t && i < t->n; i++) {
		const char *name = t->a[i].name;
		bool vfio_intx;

		if (vname && !strncmp(name, vname, vlen) && (name[vlen] == '\0' || name[vlen] == '-')) {
			irqs->owner = "virtio";
			if (!name[vlen]) {
				/* virtio-pci INTx and virtio-mmio register one handler named after the device. */
				line = true;
				line_irq = (int)t->a[i].irq;
			} else if (!strcmp(name + vlen + 1, "config")) {
				irqs->config_vector = true;
			} else if (!strcmp(name + vlen + 1, "virtqueues")) {
				irqs->shared_vq_vector = true;
			} else if (irqs->n_queue_names < VDEV_MAX_IRQ_NAMES &&
				   strlen(name + vlen + 1) < sizeof(irqs->queue_names[0])) {
				strcpy(irqs->queue_names[irqs->n_queue_names++], name + vlen + 1);
			}
		} else if (d->is_pci && vfio_action_of(name, d->address, &vfio_intx)) {
			irqs->owner = "vfio";
			if (vfio_intx) {
				intx = true;
				line_irq = (int)t->a[i].irq;
			}
		}
	}
	if (irqs->vectors)
		return;
	if (d->is_pci && (line || intx)) {
		irqs->mode = VDEV_IRQ_INTX;
	} else if (d->is_mmio && line) {
		irqs->mode = VDEV_IRQ_LINE;
		d->mmio_irq = line_irq;
	} else {
		return;
	}
	irqs->vectors = 1;
	irqs->first_irq = line_irq;
}

/* ---- devices on other buses (vdpa, ccw, ...) ---- */

static bool listed(const struct vdev_list *l, const char *dir)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].sysfs_dir, dir))
			return true;
	return false;
}

static int discover_other(struct vdev_list *l)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *de;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && r == 0) {
		struct sysfs_virtio_dev vd;
		char parent[PATH_MAX];
		struct vdev *v;

		if (de->d_name[0] == '.' || sysfs_virtio_read(de->d_name, &vd) < 0)
			continue;
		snprintf(parent, sizeof(parent), "%s", vd.dir);
		char *slash = strrchr(parent, '/');
		if (!slash || slash == parent)
			continue;
		*slash = '\0';
		if (listed(l, parent) || strlen(parent) >= sizeof(v->sysfs_dir))
			continue;
		v = vdev_list_add(l);
		if (!v) {
			r = -ENOMEM;
			break;
		}
		v->transport = VDEV_OTHER;
		strcpy(v->sysfs_dir, parent);
		snprintf(v->address, sizeof(v->address), "%s", strrchr(parent, '/') + 1);
		if (sysfs_link_name(parent, "subsystem", v->other_bus, sizeof(v->other_bus)) < 0)
			v->other_bus[0] = '\0';
		if (sysfs_link_name(parent, "driver", v->driver, sizeof(v->driver)) < 0)
			v->driver[0] = '\0';
		v->virtio = vd;
		v->has_virtio = true;
		v->device_id_known = vd.has_device_id;
		v->device_id = vd.device_id;
	}
	closedir(d);
	return r;
}

static int group_rank(const struct vdev *d)
{
	return d->is_pci ? 0 : d->is_mmio ? 1 : 2;
}

static int vdev_cmp(const void *pa, const void *pb)
{
	const struct vdev *a = pa, *b = pb;

	if (group_rank(a) != group_rank(b))
		return group_rank(a) - group_rank(b);
	if (a->is_mmio && a->has_mmio_base != b->has_mmio_base)
		return a->has_mmio_base ? -1 : 1;
	if (a->is_mmio && a->has_mmio_base && a->mmio_base != b->mmio_base)
		return a->mmio_base < b->mmio_base ? -1 : 1;
	return strcmp(a->address, b->address);
}

int vdev_discover(struct vdev_list *out)
{
	struct irq_table irqs;
	int r;

	*out = (struct vdev_list){ 0 };
	r = pci_virtio_discover(out);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < out->n; i++) {
		struct vdev *v = &out->v[i];

		if (sysfs_virtio_child(v->sysfs_dir, &v->virtio) == 1) {
			v->has_virtio = true;
			if (!v->device_id_known && v->virtio.has_device_id) {
				v->device_id_known = true;
				v->device_id = v->virtio.device_id;
			}
		}
	}
	r = mmio_virtio_discover(out);
	if (r < 0)
		goto fail;
	r = discover_other(out);
	if (r < 0)
		goto fail;
	/* Without /proc/interrupts every device just shows interrupt mode "none". */
	irq_table_load(&irqs, NULL);
	for (size_t i = 0; i < out->n; i++)
		vdev_irqs_fill(&out->v[i], &irqs);
	irq_table_free(&irqs);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), vdev_cmp);
	return 0;
fail:
	vdev_list_free(out);
	return r;
}

/* ---- DEVICE name resolution ---- */

static bool parse_pci_address(const char *s, unsigned *dom, unsigned *bus, unsigned *dev, unsigned *fn)
{
	char tail;

	*dom = 0;
	if (sscanf(s, "%x:%x:%x.%x%c", dom, bus, dev, fn, &tail) == 4)
		return *bus <= 0xff && *dev <= 0x1f && *fn <= 7;
	if (sscanf(s, "%x:%x.%x%c", bus, dev, fn, &tail) == 3 && strchr(s, ':') == strrchr(s, ':'))
		return *bus <= 0xff && *dev <= 0x1f && *fn <= 7;
	return false;
}

static bool parse_hex_address(const char *s, uint64_t *out)
{
	char *end;

	if (!isxdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return !errno && !*end;
}

const struct vdev *vdev_lookup(const struct vdev_list *l, const char *name)
{
	unsigned dom, bus, dev, fn;
	uint64_t base;
	char real[PATH_MAX];

	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->v[i].address, name) || (l->v[i].has_virtio && !strcmp(l->v[i].virtio.name, name)))
			return &l->v[i];
	if (strchr(name, '/') && realpath(name, real)) {
		for (size_t i = 0; i < l->n; i++)
			if (!strcmp(l->v[i].sysfs_dir, real) || (l->v[i].has_virtio && !strcmp(l->v[i].virtio.dir, real)))
				return &l->v[i];
	}
	if (parse_pci_address(name, &dom, &bus, &dev, &fn)) {
		for (size_t i = 0; i < l->n; i++) {
			unsigned d2, b2, v2, f2;

			if (l->v[i].is_pci && parse_pci_address(l->v[i].address, &d2, &b2, &v2, &f2) && d2 == dom &&
			    b2 == bus && v2 == dev && f2 == fn)
				return &l->v[i];
		}
	}
	if (parse_hex_address(!strncasecmp(name, "0x", 2) ? name + 2 : name, &base)) {
		for (size_t i = 0; i < l->n; i++)
			if (l->v[i].is_mmio && l->v[i].has_mmio_base && l->v[i].mmio_base == base)
				return &l->v[i];
	}
	/* Last: what the driver made of it (eth0, vda), as users know their devices by those names. */
	for (size_t i = 0; i < l->n; i++) {
		struct sysfs_class_devs cd;

		if (!l->v[i].has_virtio)
			continue;
		sysfs_virtio_class_devs(l->v[i].virtio.dir, &cd);
		for (size_t j = 0; j < cd.n; j++)
			if (!strcmp(cd.dev[j].name, name))
				return &l->v[i];
	}
	return NULL;
}
