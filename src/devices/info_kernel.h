/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the kernel shows about a device besides its registers: each interrupt vector, and net/block configuration in sysfs. */
#ifndef VIRTIOCTL_INFO_KERNEL_H
#define VIRTIOCTL_INFO_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "sysfs_virtio.h"
#include "vdev.h"

/* One Linux IRQ of the device: an MSI/MSI-X vector, or its INTx or platform line. */
struct info_irq {
	unsigned irq;
	char names[128];         /* handler names on the line, space-separated ("virtio2-input.0"); "" none */
	bool has_count;
	uint64_t count;          /* sum of the per-CPU counts in /proc/interrupts */
	char affinity[64];       /* /proc/irq/N/smp_affinity_list; "" unreadable */
	char effective_affinity[64];   /* /proc/irq/N/effective_affinity_list; "" unreadable */
};

#define INFO_MAX_IRQS 256

struct info_irqs {
	size_t n;
	struct info_irq irq[INFO_MAX_IRQS];
};

/* Every IRQ of d, in ascending order, from msi_irqs (or its one line), /proc/interrupts and /proc/irq. */
void info_irqs_read(const struct vdev *d, const struct irq_table *t, struct info_irqs *out);

enum info_sysfs_kind {
	INFO_SYSFS_NONE,
	INFO_SYSFS_NET,
	INFO_SYSFS_BLOCK,
};

/* Configuration the kernel exposes through the net or block device the driver made. */
struct info_sysfs_config {
	enum info_sysfs_kind kind;
	char cls[32], name[64];
	/* net: /sys/class/net/NAME */
	char mac[32];            /* the interface's current address; "" unreadable */
	bool has_mtu, has_rx_queues, has_tx_queues;
	unsigned long long mtu, rx_queues, tx_queues;
	/* block: /sys/block/NAME */
	bool has_capacity, has_logical_block_size, has_hw_queues, has_read_only;
	unsigned long long capacity, logical_block_size, hw_queues;   /* capacity: 512-byte sectors */
	bool read_only;
};

/* The first net or block device in cd; kind stays NONE when there is none. */
void info_sysfs_config_read(const struct sysfs_class_devs *cd, struct info_sysfs_config *out);

void info_irqs_render(struct emit *e, const struct info_irqs *irqs);
void info_sysfs_config_render(struct emit *e, const struct info_sysfs_config *c, bool registers_read);

#endif
