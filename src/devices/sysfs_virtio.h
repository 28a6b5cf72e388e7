/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read-only helpers for sysfs, /proc/interrupts and /proc/iomem: bounded reads of kernel-provided text. */
#ifndef VIRTIOCTL_SYSFS_VIRTIO_H
#define VIRTIOCTL_SYSFS_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_features.h"

/*
 * Reads a small sysfs attribute into buf (NUL-terminated, trailing newline
 * removed).  Returns its length or a negative errno.
 */
int sysfs_read_attr(const char *dir, const char *attr, char *buf, size_t len);
/* The attribute as an unsigned number ("0x1af4", "15"); 0 or negative errno. */
int sysfs_read_u64(const char *dir, const char *attr, unsigned long long *out);
/* Basename of the symlink dir/link ("driver" -> "virtio-pci"); 0 or negative errno. */
int sysfs_link_name(const char *dir, const char *link, char *buf, size_t len);

/* What the kernel's virtio core shows for a virtioN device. */
struct sysfs_virtio_dev {
	char name[32];            /* "virtio2" */
	char dir[256];            /* /sys/bus/virtio/devices/virtio2 resolved */
	bool has_device_id;
	uint32_t device_id;
	char driver[64];          /* virtio driver ("virtio_net"), "" when none */
	bool has_features;        /* negotiated: the `features` attribute */
	struct virtio_features features;
	bool has_status;
	uint32_t status;
};

/*
 * Finds the virtioN child of a transport device directory (PCI function or
 * platform device).  Returns 1 when found, 0 when there is none, or a
 * negative errno.
 */
int sysfs_virtio_child(const char *transport_dir, struct sysfs_virtio_dev *out);
/* Fills *out from /sys/bus/virtio/devices/NAME. 0 or negative errno. */
int sysfs_virtio_read(const char *name, struct sysfs_virtio_dev *out);

/* Class devices the virtio driver created below virtioN: "net/eth0", "block/vda". */
#define SYSFS_MAX_CLASS_DEVS 16
struct sysfs_class_devs {
	size_t n;
	struct {
		char cls[32];
		char name[64];
	} dev[SYSFS_MAX_CLASS_DEVS];
};
void sysfs_virtio_class_devs(const char *virtio_dir, struct sysfs_class_devs *out);

/* ---- /proc/interrupts ---- */

/* One action name on one interrupt line: "virtio2-input.0" on IRQ 38. */
struct irq_action {
	unsigned irq;
	char name[64];
	/*
	 * The line's per-CPU counts (the kernel prints them as 32-bit unsigned,
	 * so each wraps on its own): cpu_counts[0..ncpus) of the table; absent
	 * when the line had fewer numeric columns than the header has CPUs.
	 */
	bool has_counts;
	size_t counts_off;       /* index of the first count in irq_table.cpu_counts */
};

struct irq_table {
	size_t n;
	struct irq_action *a;
	unsigned ncpus;          /* CPU columns in the header ("CPU0 CPU1 ..."); 0 when there was none */
	uint32_t *cpu_counts;
	size_t n_counts;
};

/* Sum of an action's per-CPU counts (as printed, each modulo 2^32); false when it has none. */
bool irq_action_total(const struct irq_table *t, const struct irq_action *a, uint64_t *total);

/* Reads /proc/interrupts (or `path` for tests). 0 or negative errno; an empty table on error is usable. */
int irq_table_load(struct irq_table *t, const char *path);
void irq_table_free(struct irq_table *t);

/* ---- /proc/iomem ---- */

/* Finds the first region named `name` in /proc/iomem (or `path`). 1 found, 0 not, negative errno. */
int iomem_find(const char *path, const char *name, uint64_t *start, uint64_t *end);

#endif
