/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What on this system depends on a device: mounted filesystems, active swap, configured network interfaces. */
#include "bind.h"

#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define MAX_BLOCK 64
#define HOLDER_DEPTH 4

struct block_set {
	size_t n;
	struct {
		char name[32];
		dev_t dev;
	} b[MAX_BLOCK];
};

static void add_user(struct bind_users *u, const char *fmt, const char *a, const char *b)
{
	if (u->n < BIND_MAX_USERS)
		snprintf(u->what[u->n++], sizeof(u->what[0]), fmt, a, b);
}

/* Whether the sysfs object at path (a symlink) lives below dir. */
static bool below(const char *path, const char *dir)
{
	char real[PATH_MAX];
	size_t n = strlen(dir);

	return realpath(path, real) && !strncmp(real, dir, n) && real[n] == '/';
}

static bool read_dev(const char *name, dev_t *dev)
{
	char path[PATH_MAX];
	unsigned maj, min;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
	if (!(f = fopen(path, "re")))
		return false;
	n = fscanf(f, "%u:%u", &maj, &min);
	fclose(f);
	if (n != 2)
		return false;
	*dev = makedev(maj, min);
	return true;
}

static void add_block(struct block_set *s, const char *name)
{
	dev_t dev;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->b[i].name, name))
			return;
	if (s->n >= MAX_BLOCK || strlen(name) >= sizeof(s->b[0].name) || !read_dev(name, &dev))
		return;
	snprintf(s->b[s->n].name, sizeof(s->b[0].name), "%s", name);
	s->b[s->n++].dev = dev;
}

/* Block devices stacked on name (dm, md, loop on a partition): they carry its filesystems too. */
static void add_holders(struct block_set *s, const char *name, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (depth >= HOLDER_DEPTH)
		return;
	snprintf(path, sizeof(path), "/sys/class/block/%s/holders", name);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		add_block(s, de->d_name);
		add_holders(s, de->d_name, depth + 1);
	}
	closedir(d);
}

/* Every block device (disks and partitions) whose sysfs object sits below the device, plus their holders. */
static void find_blocks(const struct vdev *d, struct block_set *s)
{
	struct dirent *de;
	DIR *dir = opendir("/sys/class/block");
	size_t direct;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/block/%s", de->d_name);
		if (below(path, d->sysfs_dir))
			add_block(s, de->d_name);
	}
	closedir(dir);
	direct = s->n;
	for (size_t i = 0; i < direct; i++)
		add_holders(s, s->b[i].name, 0);
}

static const char *block_of(const struct block_set *s, dev_t dev)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->b[i].dev == dev)
			return s->b[i].name;
	return NULL;
}

/* /proc/self/mountinfo: field 3 is the major:minor of the mounted device, field 5 the mount point. */
static void find_mounts(const struct block_set *s, struct bind_users *u)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		char mnt[1024];
		const char *name;

		if (sscanf(line, "%*u %*u %u:%u %*s %1023s", &maj, &min, mnt) != 3)
			continue;
		if (!(name = block_of(s, makedev(maj, min))))
			continue;
		if (!strcmp(mnt, "/"))
			u->root_disk = true;
		add_user(u, "mounted filesystem /dev/%.31s on %.100s", name, mnt);
	}
	fclose(f);
}

static void find_swaps(const struct block_set *s, struct bind_users *u)
{
	char line[1024], file[512];
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct stat st;
		const char *name;

		if (sscanf(line, "%511s", file) != 1 || file[0] != '/')
			continue;
		/* A swap file lives on a filesystem: the device is its st_dev; a partition is its st_rdev. */
		if (stat(file, &st) < 0)
			continue;
		name = block_of(s, S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev);
		if (name)
			add_user(u, "active swap %.100s (on /dev/%.31s)", file, name);
	}
	fclose(f);
}

static bool iface_has_address(const struct ifaddrs *all, const char *name)
{
	for (const struct ifaddrs *i = all; i; i = i->ifa_next)
		if (i->ifa_addr && !strcmp(i->ifa_name, name) &&
		    (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6))
			return true;
	return false;
}

static void find_netdevs(const struct vdev *d, struct bind_users *u)
{
	struct ifaddrs *addrs = NULL;
	struct dirent *de;
	DIR *dir = opendir("/sys/class/net");

	if (!dir)
		return;
	if (getifaddrs(&addrs) < 0)
		addrs = NULL;
	while ((de = readdir(dir))) {
		char path[PATH_MAX];
		unsigned flags = 0;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s", de->d_name);
		if (!below(path, d->sysfs_dir))
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/flags", de->d_name);
		if ((f = fopen(path, "re"))) {
			if (fscanf(f, "%x", &flags) != 1)
				flags = 0;
			fclose(f);
		}
		if (iface_has_address(addrs, de->d_name))
			add_user(u, "network interface %.32s has addresses%s", de->d_name, flags & IFF_UP ? " and is up" : "");
		else if (flags & IFF_UP)
			add_user(u, "network interface %.32s is up%s", de->d_name, "");
	}
	closedir(dir);
	freeifaddrs(addrs);
}

int bind_find_users(const struct vdev *d, struct bind_users *out)
{
	struct block_set blocks = { 0 };

	memset(out, 0, sizeof(*out));
	if (!d->sysfs_dir[0])
		return -ENODEV;
	find_blocks(d, &blocks);
	find_mounts(&blocks, out);
	find_swaps(&blocks, out);
	find_netdevs(d, out);
	return 0;
}
