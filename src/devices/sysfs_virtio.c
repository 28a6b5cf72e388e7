/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read-only helpers for sysfs, /proc/interrupts and /proc/iomem: bounded reads of kernel-provided text. */
#include "sysfs_virtio.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rd_error.h"

int sysfs_read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	int fd, r;
	ssize_t n;

	if (!len)
		return -EINVAL;
	r = snprintf(path, sizeof(path), "%s/%s", dir, attr);
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

int sysfs_read_u64(const char *dir, const char *attr, unsigned long long *out)
{
	char buf[64], *end;
	int r = sysfs_read_attr(dir, attr, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (!r || !isxdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(buf, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int sysfs_link_name(const char *dir, const char *link, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	int r;

	r = snprintf(path, sizeof(path), "%s/%s", dir, link);
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/* "virtio" followed by decimal digits only. */
static bool is_virtio_name(const char *s)
{
	if (strncmp(s, "virtio", 6) || !s[6])
		return false;
	for (s += 6; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int sysfs_virtio_read(const char *name, struct sysfs_virtio_dev *out)
{
	char dir[PATH_MAX], buf[512];
	unsigned long long v;
	int r;

	*out = (struct sysfs_virtio_dev){ 0 };
	if (!is_virtio_name(name) || strlen(name) >= sizeof(out->name))
		return -EINVAL;
	snprintf(dir, sizeof(dir), "/sys/bus/virtio/devices/%s", name);
	if (!realpath(dir, buf))
		return -errno;
	if (strlen(buf) >= sizeof(out->dir))
		return -ENAMETOOLONG;
	strcpy(out->name, name);
	strcpy(out->dir, buf);
	if (sysfs_read_u64(out->dir, "device", &v) == 0 && v <= UINT32_MAX) {
		out->has_device_id = true;
		out->device_id = (uint32_t)v;
	}
	if (sysfs_link_name(out->dir, "driver", out->driver, sizeof(out->driver)) < 0)
		out->driver[0] = '\0';
	/* 128 characters of '0'/'1' on current kernels, 64 on older ones. */
	r = sysfs_read_attr(out->dir, "features", buf, sizeof(buf));
	if (r > 0) {
		struct rd_error err;

		out->has_features = virtio_features_parse(buf, &out->features, &err) == 0;
	}
	if (sysfs_read_u64(out->dir, "status", &v) == 0 && v <= UINT32_MAX) {
		out->has_status = true;
		out->status = (uint32_t)v;
	}
	return 0;
}

int sysfs_virtio_child(const char *transport_dir, struct sysfs_virtio_dev *out)
{
	DIR *d = opendir(transport_dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (is_virtio_name(de->d_name)) {
			found = sysfs_virtio_read(de->d_name, out) == 0;
			if (found)
				break;
		}
	}
	closedir(d);
	return found;
}

/* How many virtioN devices the virtio driver `driver` holds; -1 when unknown. */
static int driver_device_count(const char *driver)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/virtio/drivers/%s", driver);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += is_virtio_name(de->d_name);
	closedir(d);
	return n;
}

/*
 * virtio_rng registers with the hw_random core, which keeps no link back to
 * virtioN; its names ("virtio_rng.0") count from its own index.  So /dev/hwrng
 * is credited to a device only when it is the one virtio_rng device and the
 * core lists exactly one virtio_rng source: never a guess between two.
 */
static void add_hwrng(const char *virtio_dir, struct sysfs_class_devs *out)
{
	char driver[64], avail[512];
	int sources = 0;

	if (out->n >= SYSFS_MAX_CLASS_DEVS || sysfs_link_name(virtio_dir, "driver", driver, sizeof(driver)) < 0 ||
	    strcmp(driver, "virtio_rng") || driver_device_count(driver) != 1)
		return;
	if (sysfs_read_attr("/sys/class/misc/hw_random", "rng_available", avail, sizeof(avail)) < 0)
		return;
	for (char *save = NULL, *tok = strtok_r(avail, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		sources += !strncmp(tok, "virtio_rng.", 11);
	if (sources != 1)
		return;
	strcpy(out->dev[out->n].cls, "misc");
	strcpy(out->dev[out->n].name, "hwrng");
	out->n++;
}

/*
 * dir/name is a device of class cls when its subsystem link leads to
 * /sys/class/cls: net/eth0 and block/vda are, while the children of a
 * SCSI host (virtioN/host0/target0:0:0, power, ...) are not.
 */
static bool is_class_device(const char *dir, const char *name, const char *cls)
{
	char path[PATH_MAX], real[PATH_MAX], want[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s/subsystem", dir, name) >= (int)sizeof(path) || !realpath(path, real))
		return false;
	snprintf(want, sizeof(want), "/sys/class/%s", cls);
	return !strcmp(real, want);
}

void sysfs_virtio_class_devs(const char *virtio_dir, struct sysfs_class_devs *out)
{
	/* Subdirectories of virtioN that are not class containers. */
	static const char *const skip[] = { "power", "driver", "subsystem", NULL };
	DIR *d = opendir(virtio_dir);
	struct dirent *de;

	out->n = 0;
	if (!d)
		return;
	while ((de = readdir(d)) && out->n < SYSFS_MAX_CLASS_DEVS) {
		char sub[PATH_MAX];
		bool skipped = de->d_name[0] == '.';

		for (size_t i = 0; !skipped && skip[i]; i++)
			skipped = !strcmp(de->d_name, skip[i]);
		if (skipped || de->d_type == DT_LNK || de->d_type == DT_REG)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", virtio_dir, de->d_name) >= (int)sizeof(sub))
			continue;
		DIR *c = opendir(sub);
		struct dirent *ce;

		if (!c)
			continue;
		while ((ce = readdir(c)) && out->n < SYSFS_MAX_CLASS_DEVS) {
			if (ce->d_name[0] == '.' || ce->d_type == DT_REG || !is_class_device(sub, ce->d_name, de->d_name))
				continue;
			if (strlen(de->d_name) >= sizeof(out->dev[0].cls) || strlen(ce->d_name) >= sizeof(out->dev[0].name))
				continue;
			strcpy(out->dev[out->n].cls, de->d_name);
			strcpy(out->dev[out->n].name, ce->d_name);
			out->n++;
		}
		closedir(c);
	}
	closedir(d);
	add_hwrng(virtio_dir, out);
}

/* ---- /proc/interrupts ---- */

struct irq_table_builder {
	size_t cap;              /* actions allocated */
	size_t counts_cap;       /* cpu_counts allocated */
};

/* The array p (of *cap elements of size elem) grown to hold need elements; NULL with *err set on failure. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem, int *err)
{
	size_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return p;
	while (ncap < need)
		ncap *= 2;
	/* A machine with more than a million actions or counts is not one we can describe anyway. */
	if (ncap > (1u << 20)) {
		*err = -E2BIG;
		return NULL;
	}
	np = realloc(p, ncap * elem);
	if (!np) {
		*err = -ENOMEM;
		return NULL;
	}
	*cap = ncap;
	return np;
}

static int irq_table_add(struct irq_table *t, struct irq_table_builder *b, unsigned irq, const char *name,
			 size_t len, bool has_counts, size_t counts_off)
{
	struct irq_action *a;
	int r = 0;

	if (len == 0 || len >= sizeof(t->a[0].name))
		return 0;
	a = grow(t->a, &b->cap, t->n + 1, sizeof(*t->a), &r);
	if (!a)
		return r;
	t->a = a;
	t->a[t->n] = (struct irq_action){ .irq = irq, .has_counts = has_counts, .counts_off = counts_off };
	memcpy(t->a[t->n].name, name, len);
	t->a[t->n].name[len] = '\0';
	t->n++;
	return 0;
}

/* "           CPU0       CPU1" -> 2; 0 when the line is not the header. */
static unsigned irq_header_cpus(const char *line)
{
	unsigned n = 0;
	const char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "CPU", 3) || !isdigit((unsigned char)p[3]))
			break;
		p += 3;
		while (isdigit((unsigned char)*p))
			p++;
		n++;
	}
	return n;
}

/*
 * The first ncpus numeric columns after "IRQ:" are per-CPU counts; they are
 * recorded when all are there and fit 32 bits (what the kernel prints).
 */
static int irq_parse_counts(struct irq_table *t, struct irq_table_builder *b, const char **pp, bool *has,
			    size_t *off)
{
	const char *p = *pp;
	uint32_t *counts;
	int r = 0;

	*has = false;
	*off = t->n_counts;
	if (!t->ncpus)
		return 0;
	counts = grow(t->cpu_counts, &b->counts_cap, t->n_counts + t->ncpus, sizeof(*t->cpu_counts), &r);
	if (!counts)
		return r;
	t->cpu_counts = counts;
	for (unsigned c = 0; c < t->ncpus; c++) {
		char *end;
		unsigned long long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || v > UINT32_MAX || (*end != ' ' && *end != '\t' && *end != '\n' && *end))
			return 0;
		t->cpu_counts[t->n_counts + c] = (uint32_t)v;
		p = end;
	}
	t->n_counts += t->ncpus;
	*has = true;
	*pp = p;
	return 0;
}

/*
 * A line is "IRQ: count... chip hwirq[-trigger] name[, name...]".  Action
 * names never contain blanks for the devices we care about, so every token
 * is collected; the matcher looks for exact virtio/vfio names only.
 */
static int irq_parse_line(struct irq_table *t, struct irq_table_builder *b, const char *line)
{
	char *end;
	unsigned long irq;
	const char *p = line;
	bool has_counts;
	size_t counts_off;
	int r;

	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	irq = strtoul(p, &end, 10);
	if (*end != ':' || irq > UINT_MAX)
		return 0;
	p = end + 1;
	r = irq_parse_counts(t, b, &p, &has_counts, &counts_off);
	if (r < 0)
		return r;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n')
			p++;
		const char *s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '\n')
			p++;
		if (p > s && !isdigit((unsigned char)*s)) {
			r = irq_table_add(t, b, (unsigned)irq, s, (size_t)(p - s), has_counts, counts_off);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int irq_table_load(struct irq_table *t, const char *path)
{
	FILE *f = fopen(path ? path : "/proc/interrupts", "re");
	char *line = NULL;
	size_t linecap = 0;
	struct irq_table_builder b = { 0 };
	bool first = true;
	int r = 0;

	*t = (struct irq_table){ 0 };
	if (!f)
		return -errno;
	while (getline(&line, &linecap, f) > 0) {
		if (first) {
			first = false;
			t->ncpus = irq_header_cpus(line);
			if (t->ncpus)
				continue;
		}
		r = irq_parse_line(t, &b, line);
		if (r < 0)
			break;
	}
	free(line);
	fclose(f);
	return r;
}

void irq_table_free(struct irq_table *t)
{
	if (!t)
		return;
	free(t->a);
	free(t->cpu_counts);
	*t = (struct irq_table){ 0 };
}

bool irq_action_total(const struct irq_table *t, const struct irq_action *a, uint64_t *total)
{
	uint64_t sum = 0;

	if (!a->has_counts || a->counts_off + t->ncpus > t->n_counts)
		return false;
	for (unsigned c = 0; c < t->ncpus; c++)
		sum += t->cpu_counts[a->counts_off + c];
	*total = sum;
	return true;
}

/* ---- /proc/iomem ---- */

int iomem_find(const char *path, const char *name, uint64_t *start, uint64_t *end)
{
	FILE *f = fopen(path ? path : "/proc/iomem", "re");
	char *line = NULL;
	size_t linecap = 0;
	int found = 0;

	if (!f)
		return -errno;
	while (!found && getline(&line, &linecap, f) > 0) {
		unsigned long long s, e;
		int off = 0;
		const char *p = line;

		while (*p == ' ')
			p++;
		if (sscanf(p, "%llx-%llx : %n", &s, &e, &off) != 2 || !off)
			continue;
		p += off;
		size_t n = strcspn(p, "\n");
		if (n == strlen(name) && !strncmp(p, name, n)) {
			*start = s;
			*end = e;
			found = 1;
		}
	}
	free(line);
	fclose(f);
	return found;
}
