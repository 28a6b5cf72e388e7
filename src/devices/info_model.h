/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The data model of `virtioctl info`: one device, decoded from config space, sysfs and (when allowed) its registers. */
#ifndef VIRTIOCTL_INFO_MODEL_H
#define VIRTIOCTL_INFO_MODEL_H

#include <stdbool.h>

#include "emit.h"
#include "info_kernel.h"
#include "pci_cap_virtio.h"
#include "pci_ids.h"
#include "sysfs_virtio.h"
#include "vdev.h"
#include "virtio_regs.h"

struct info_model {
	const struct vdev *dev;
	bool device_id_known;
	uint32_t device_id;
	struct pci_cfg_decode *pci;      /* PCI functions only */
	struct virtio_regs *regs;        /* registers, when they could be read */
	const char *access;              /* "vfio", "sysfs", "devmem" or NULL */
	char not_read[320];              /* one sentence: what was skipped and why; "" when nothing */
	struct sysfs_class_devs class_devs;
	struct pci_id_names names;       /* from pci.ids; "" where unknown */
	struct info_irqs *irqs;          /* every IRQ of the device (NULL: out of memory never reaches render) */
	struct info_sysfs_config sysfs_config;
	size_t problem_count;
};

struct info_options {
	bool read_only;          /* never write a selector, even on a device no driver owns */
	bool hexdump;            /* add the raw PCI configuration space */
};

/* Fills m for dev; 0 or negative errno (only allocation failure is an error: access limits go to not_read). */
int info_model_build(struct info_model *m, const struct vdev *dev, const struct info_options *opts);
void info_model_free(struct info_model *m);

/* The one renderer of the model (text and JSON). */
void info_render(struct emit *e, const struct info_model *m, const struct info_options *opts, int verbose);

#endif
