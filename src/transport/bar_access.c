/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register windows of a device no kernel driver owns: vfio regions, sysfs resourceN files, or /dev/mem. */
#include "bar_access.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio.h"

/* Memory windows are mapped this many bytes at a time, so a huge BAR costs nothing. */
#define MAP_WINDOW 0x10000u

static void access_reset(struct bar_access *a, enum bar_access_kind kind, bool writable)
{
	*a = (struct bar_access){ .kind = kind, .writable = writable, .device_fd = -1, .mem_fd = -1 };
	for (int i = 0; i < PCI_NUM_BARS; i++)
		a->bar[i].fd = -1;
}

static int fail(struct bar_access *a, int err, char *why, size_t why_len, const char *fmt, const char *arg)
{
	snprintf(why, why_len, fmt, arg, strerror(-err));
	bar_access_close(a);
	return err;
}

int bar_access_open_vfio(struct bar_access *a, const struct vfio_device *dev, bool writable, char *why,
			 size_t why_len)
{
	access_reset(a, BAR_ACCESS_VFIO, writable);
	a->device_fd = dev->device_fd;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		const struct vfio_region *r = &dev->regions[i];

		if (!r->present || !(r->flags & VFIO_REGION_INFO_FLAG_READ))
			continue;
		a->bar[i].usable = true;
		a->bar[i].size = r->size;
		a->bar[i].vfio_offset = r->offset;
	}
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		if (a->bar[i].usable)
			return 0;
	snprintf(why, why_len, "vfio device %s has no readable BAR", dev->name);
	return -ENODEV;
}

int bar_access_open_sysfs(struct bar_access *a, const char *sysfs_dir, const struct pci_bar_desc bars[PCI_NUM_BARS],
			  bool writable, char *why, size_t why_len)
{
	int first_err = 0;
	char first_path[PATH_MAX] = "";

	access_reset(a, BAR_ACCESS_SYSFS, writable);
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		char path[PATH_MAX];

		if (!bars[i].known || !bars[i].size)
			continue;
		snprintf(path, sizeof(path), "%s/resource%d", sysfs_dir, i);
		a->bar[i].fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_SYNC);
		if (a->bar[i].fd < 0) {
			if (!first_err) {
				first_err = -errno;
				snprintf(first_path, sizeof(first_path), "%s", path);
			}
			continue;
		}
		a->bar[i].usable = true;
		a->bar[i].io = bars[i].io;
		a->bar[i].size = bars[i].size;
	}
	for (int i = 0; i < PCI_NUM_BARS; i++)
		if (a->bar[i].usable)
			return 0;
	if (!first_err)
		return fail(a, -ENODEV, why, why_len, "%s has no implemented BARs (%s)", sysfs_dir);
	snprintf(why, why_len, "cannot open %s: %s%s", first_path, strerror(-first_err),
		 first_err == -ENOENT || first_err == -EPERM ? " (kernel lockdown or no resource files)" : "");
	bar_access_close(a);
	return first_err;
}

int bar_access_open_devmem(struct bar_access *a, uint64_t base, uint64_t size, bool writable, char *why,
			   size_t why_len)
{
	access_reset(a, BAR_ACCESS_DEVMEM, writable);
	a->mem_fd = open("/dev/mem", (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_SYNC);
	if (a->mem_fd < 0)
		return fail(a, -errno, why, why_len, "cannot open %s: %s (kernel lockdown?)", "/dev/mem");
	a->bar[0] = (struct bar_region){ .usable = true, .size = size, .phys_base = base, .fd = -1 };
	return 0;
}

void bar_access_close(struct bar_access *a)
{
	if (!a || a->kind == BAR_ACCESS_NONE)
		return;
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		if (a->bar[i].map)
			munmap((void *)a->bar[i].map, a->bar[i].map_len);
		if (a->bar[i].fd >= 0)
			close(a->bar[i].fd);
	}
	/* A vfio device fd is borrowed from the vfio_device, which closes it. */
	if (a->mem_fd >= 0)
		close(a->mem_fd);
	access_reset(a, BAR_ACCESS_NONE, false);
}

/*
 * Makes sure [off, off+width) of a memory region is mapped; returns the
 * pointer or NULL.  Addresses are file offsets: BAR offsets for resourceN,
 * physical addresses for /dev/mem (an MMIO window need not be page aligned).
 */
static volatile uint8_t *window(struct bar_access *a, struct bar_region *b, uint64_t off, unsigned width)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t addr = a->kind == BAR_ACCESS_DEVMEM ? b->phys_base + off : off;
	uint64_t start, limit;
	int fd = a->kind == BAR_ACCESS_DEVMEM ? a->mem_fd : b->fd;
	void *p;

	if (b->map && addr >= b->map_start && addr + width <= b->map_start + b->map_len)
		return b->map + (addr - b->map_start);
	if (b->map) {
		munmap((void *)b->map, b->map_len);
		b->map = NULL;
	}
	if (page == 0 || page > MAP_WINDOW || (page & (page - 1)))
		page = 4096;
	if (a->kind == BAR_ACCESS_DEVMEM) {
		/* MMIO transport windows are small: map all of it, in whole pages. */
		start = b->phys_base & ~(page - 1);
		limit = b->phys_base + b->size;
	} else {
		start = addr & ~((uint64_t)MAP_WINDOW - 1);
		limit = start + MAP_WINDOW < b->size ? start + MAP_WINDOW : b->size;
	}
	uint64_t end = (limit + page - 1) & ~(page - 1);
	if (end <= addr)
		return NULL;
	p = mmap(NULL, (size_t)(end - start), PROT_READ | (a->writable ? PROT_WRITE : 0), MAP_SHARED, fd,
		 (off_t)start);
	if (p == MAP_FAILED)
		return NULL;
	b->map = p;
	b->map_start = start;
	b->map_len = (size_t)(end - start);
	return b->map + (addr - b->map_start);
}

static int check_access(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, bool write)
{
	if (!a || bar >= PCI_NUM_BARS || !a->bar[bar].usable)
		return -ENODEV;
	if ((width != 1 && width != 2 && width != 4) || off % width)
		return -EINVAL;
	if (off >= a->bar[bar].size || width > a->bar[bar].size - off)
		return -ERANGE;
	if (write && !a->writable)
		return -EPERM;
	return 0;
}

static int fd_rw(int fd, bool write, uint64_t pos, unsigned width, uint32_t *val)
{
	uint8_t b[4];
	ssize_t n;

	if (write) {
		for (unsigned i = 0; i < width; i++)
			b[i] = (uint8_t)(*val >> (8 * i));
		n = pwrite(fd, b, width, (off_t)pos);
	} else {
		n = pread(fd, b, width, (off_t)pos);
	}
	if (n < 0)
		return -errno;
	if ((size_t)n != width)
		return -EIO;
	if (!write) {
		*val = 0;
		for (unsigned i = 0; i < width; i++)
			*val |= (uint32_t)b[i] << (8 * i);
	}
	return 0;
}

static int bar_rw(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, uint32_t *val, bool write)
{
	struct bar_region *b;
	volatile uint8_t *p;
	int r = check_access(a, bar, off, width, write);

	if (r < 0)
		return r;
	b = &a->bar[bar];
	if (a->kind == BAR_ACCESS_VFIO)
		return fd_rw(a->device_fd, write, b->vfio_offset + off, width, val);
	if (b->io)
		return fd_rw(b->fd, write, off, width, val);
	p = window(a, b, off, width);
	if (!p)
		return -errno ? -errno : -EIO;
	/* Device registers are little-endian; one access of exactly the requested width. */
	switch (width) {
	case 1:
		if (write)
			*(volatile uint8_t *)p = (uint8_t)*val;
		else
			*val = *(volatile uint8_t *)p;
		break;
	case 2:
		if (write)
			*(volatile uint16_t *)p = htole16((uint16_t)*val);
		else
			*val = le16toh(*(volatile uint16_t *)p);
		break;
	default:
		if (write)
			*(volatile uint32_t *)p = htole32(*val);
		else
			*val = le32toh(*(volatile uint32_t *)p);
		break;
	}
	return 0;
}

int bar_read(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, uint32_t *val)
{
	return bar_rw(a, bar, off, width, val, false);
}

int bar_write(struct bar_access *a, unsigned bar, uint64_t off, unsigned width, uint32_t val)
{
	return bar_rw(a, bar, off, width, &val, true);
}
