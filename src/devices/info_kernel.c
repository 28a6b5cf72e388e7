/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the kernel shows about a device besides its registers: each interrupt vector, and net/block configuration in sysfs. */
#include "info_kernel.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vdev_render.h"

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = ((const struct info_irq *)a)->irq, y = ((const struct info_irq *)b)->irq;

	return x < y ? -1 : x > y;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void add_irq(struct info_irqs *out, unsigned long irq)
{
	if (out->n >= INFO_MAX_IRQS || irq > UINT_MAX)
		return;
	for (size_t i = 0; i < out->n; i++)
		if (out->irq[i].irq == irq)
			return;
	out->irq[out->n++] = (struct info_irq){ .irq = (unsigned)irq };
}

/* Names and counts from /proc/interrupts, affinity from /proc/irq/N. */
static void describe_irq(struct info_irq *q, const struct irq_table *t)
{
	char dir[64];
	size_t used = 0;

	bool chip = true;

	for (size_t i = 0; t && i < t->n; i++) {
		const struct irq_action *a = &t->a[i];
		uint64_t total;

		if (a->irq != q->irq)
			continue;
		/*
		 * The table keeps every word after the counts: the first is the
		 * interrupt chip ("PCI-MSIX-0000:00:03.0", "IO-APIC", "GICv3"),
		 * and some chips print the trigger as a word; the rest are handlers.
		 */
		if (chip || !strcmp(a->name, "Edge") || !strcmp(a->name, "Level")) {
			chip = false;
			if (!q->has_count && irq_action_total(t, a, &total)) {
				q->has_count = true;
				q->count = total;
			}
			continue;
		}
		int n = snprintf(q->names + used, sizeof(q->names) - used, "%s%s", used ? " " : "", a->name);

		if (n > 0 && (size_t)n < sizeof(q->names) - used)
			used += (size_t)n;
		else
			q->names[used] = '\0';
		/* Every action of a line shares its counts: take them once. */
		if (!q->has_count && irq_action_total(t, a, &total)) {
			q->has_count = true;
			q->count = total;
		}
	}
	snprintf(dir, sizeof(dir), "/proc/irq/%u", q->irq);
	if (sysfs_read_attr(dir, "smp_affinity_list", q->affinity, sizeof(q->affinity)) < 0)
		q->affinity[0] = '\0';
	if (sysfs_read_attr(dir, "effective_affinity_list", q->effective_affinity, sizeof(q->effective_affinity)) < 0)
		q->effective_affinity[0] = '\0';
}

void info_irqs_read(const struct vdev *d, const struct irq_table *t, struct info_irqs *out)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	out->n = 0;
	if (d->irqs.mode == VDEV_IRQ_MSI || d->irqs.mode == VDEV_IRQ_MSIX) {
		snprintf(path, sizeof(path), "%s/msi_irqs", d->sysfs_dir);
		dir = opendir(path);
		while (dir && (de = readdir(dir)))
			if (all_digits(de->d_name) && strlen(de->d_name) < 11)
				add_irq(out, strtoul(de->d_name, NULL, 10));
		if (dir)
			closedir(dir);
	} else if (d->irqs.first_irq >= 0) {
		add_irq(out, (unsigned long)d->irqs.first_irq);
	}
	qsort(out->irq, out->n, sizeof(out->irq[0]), cmp_uint);
	for (size_t i = 0; i < out->n; i++)
		describe_irq(&out->irq[i], t);
}

/* Entries of dir whose names start with prefix and go on with digits only ("rx-0"). */
static bool count_entries(const char *dir, const char *prefix, unsigned long long *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t plen = strlen(prefix);

	*n = 0;
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, plen) && all_digits(de->d_name + plen))
			(*n)++;
	closedir(d);
	return true;
}

static void read_net(struct info_sysfs_config *c)
{
	char dir[PATH_MAX], qdir[PATH_MAX + 8];

	snprintf(dir, sizeof(dir), "/sys/class/net/%s", c->name);
	if (sysfs_read_attr(dir, "address", c->mac, sizeof(c->mac)) < 0)
		c->mac[0] = '\0';
	c->has_mtu = sysfs_read_u64(dir, "mtu", &c->mtu) == 0;
	snprintf(qdir, sizeof(qdir), "%s/queues", dir);
	c->has_rx_queues = count_entries(qdir, "rx-", &c->rx_queues);
	c->has_tx_queues = count_entries(qdir, "tx-", &c->tx_queues);
}

static void read_block(struct info_sysfs_config *c)
{
	char dir[PATH_MAX], sub[PATH_MAX + 8];
	unsigned long long ro;

	snprintf(dir, sizeof(dir), "/sys/block/%s", c->name);
	c->has_capacity = sysfs_read_u64(dir, "size", &c->capacity) == 0;
	c->has_read_only = sysfs_read_u64(dir, "ro", &ro) == 0 && ro <= 1;
	c->read_only = ro == 1;
	snprintf(sub, sizeof(sub), "%s/queue", dir);
	c->has_logical_block_size = sysfs_read_u64(sub, "logical_block_size", &c->logical_block_size) == 0;
	/* blk-mq makes one directory per hardware queue: virtio_blk gives each its virtqueue. */
	snprintf(sub, sizeof(sub), "%s/mq", dir);
	c->has_hw_queues = count_entries(sub, "", &c->hw_queues);
}

void info_sysfs_config_read(const struct sysfs_class_devs *cd, struct info_sysfs_config *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < cd->n; i++) {
		bool net = !strcmp(cd->dev[i].cls, "net"), block = !strcmp(cd->dev[i].cls, "block");

		if (!net && !block)
			continue;
		/* Names came from a readdir; they contain no '/', so the paths stay in /sys. */
		if (strchr(cd->dev[i].name, '/') || cd->dev[i].name[0] == '.')
			continue;
		snprintf(out->cls, sizeof(out->cls), "%s", cd->dev[i].cls);
		snprintf(out->name, sizeof(out->name), "%s", cd->dev[i].name);
		out->kind = net ? INFO_SYSFS_NET : INFO_SYSFS_BLOCK;
		if (net)
			read_net(out);
		else
			read_block(out);
		return;
	}
}

void info_irqs_render(struct emit *e, const struct info_irqs *irqs)
{
	emit_array_begin(e, "irqs");
	for (size_t i = 0; i < irqs->n; i++) {
		const struct info_irq *q = &irqs->irq[i];

		emit_object_begin(e, NULL);
		emit_uint(e, "irq", "  IRQ %llu", q->irq);
		emit_array_begin(e, "names");
		for (char *save = NULL, names[sizeof(q->names)], *tok = strtok_r(strcpy(names, q->names), " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			emit_str(e, NULL, " %s", tok);
		emit_array_end(e);
		if (!q->names[0])
			emit_text(e, " (no handler)");
		emit_opt_uint(e, "count", ": count %llu", q->has_count, q->count);
		emit_opt_str(e, "affinity", ", CPUs %s", q->affinity);
		emit_opt_str(e, "effective_affinity", q->effective_affinity[0] ? " (effective %s)" : NULL,
			     q->effective_affinity);
		emit_text(e, "\n");
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_net(struct emit *e, const struct info_sysfs_config *c)
{
	emit_opt_str(e, "mac", ": mac %s", c->mac);
	emit_opt_uint(e, "mtu", ", mtu %llu", c->has_mtu, c->mtu);
	emit_opt_uint(e, "rx_queues", ", queues rx %llu", c->has_rx_queues, c->rx_queues);
	emit_opt_uint(e, "tx_queues", " tx %llu", c->has_tx_queues, c->tx_queues);
	emit_absent(e, "capacity", "logical_block_size", "hw_queues", "read_only", NULL);
}

static void render_block(struct emit *e, const struct info_sysfs_config *c)
{
	emit_absent(e, "mac", "mtu", "rx_queues", "tx_queues", NULL);
	emit_opt_uint(e, "capacity", ": capacity %llu sectors of 512 bytes", c->has_capacity, c->capacity);
	emit_opt_uint(e, "logical_block_size", ", logical block size %llu", c->has_logical_block_size,
		      c->logical_block_size);
	emit_opt_uint(e, "hw_queues", ", hardware queues %llu", c->has_hw_queues, c->hw_queues);
	if (c->has_read_only) {
		emit_bool(e, "read_only", NULL, c->read_only);
		if (c->read_only)
			emit_text(e, ", read-only");
	} else
		emit_null(e, "read_only");
}

void info_sysfs_config_render(struct emit *e, const struct info_sysfs_config *c, bool registers_read)
{
	if (c->kind == INFO_SYSFS_NONE) {
		emit_null(e, "sysfs_config");
		return;
	}
	emit_object_begin(e, "sysfs_config");
	emit_text(e, "config from sysfs%s: ", registers_read ? "" : " (the kernel's view; registers not read)");
	emit_str(e, "class", "%s", c->cls);
	emit_str(e, "name", "/%s", c->name);
	if (c->kind == INFO_SYSFS_NET)
		render_net(e, c);
	else
		render_block(e, c);
	emit_text(e, "\n");
	emit_object_end(e);
}
