/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vfio layer: group/container (type1 or no-IOMMU), device regions and config space. */
#include "vfio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#define NOIOMMU_PARAM "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"

bool vfio_noiommu_supported(void)
{
	return access(NOIOMMU_PARAM, F_OK) == 0;
}

bool vfio_noiommu_enabled(void)
{
	char c = 0;
	FILE *f = fopen(NOIOMMU_PARAM, "re");

	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'Y' || c == 'y' || c == '1';
}

int vfio_iommu_group_of(const char *pci_addr, char *why, size_t why_len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	char *end;
	long group;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", pci_addr);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		if (vfio_noiommu_supported())
			snprintf(why, why_len, "%s has no IOMMU group: give the machine an IOMMU (a vIOMMU such as QEMU's "
				 "intel-iommu, or intel_iommu=on / amd_iommu=on on the kernel command line), or load vfio "
				 "with enable_unsafe_noiommu_mode=1 (no DMA protection)", pci_addr);
		else
			snprintf(why, why_len, "%s has no IOMMU group: give the machine an IOMMU (a vIOMMU such as QEMU's "
				 "intel-iommu, or intel_iommu=on / amd_iommu=on on the kernel command line); this kernel's "
				 "vfio has no no-IOMMU mode", pci_addr);
		return -ENODEV;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	errno = 0;
	group = strtol(base, &end, 10);
	if (errno || *end || end == base || group < 0 || group > INT_MAX) {
		snprintf(why, why_len, "%s: unexpected iommu_group link '%s'", pci_addr, target);
		return -EINVAL;
	}
	return (int)group;
}

/* ---- IOMMU backends ---- */

static int type1_map(struct vfio_iommu *io, void *vaddr, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uint64_t)(uintptr_t)vaddr,
		.iova = iova,
		.size = len,
	};

	return ioctl(io->container_fd, VFIO_IOMMU_MAP_DMA, &m) < 0 ? -errno : 0;
}

static int type1_unmap(struct vfio_iommu *io, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = len };

	return ioctl(io->container_fd, VFIO_IOMMU_UNMAP_DMA, &u) < 0 ? -errno : 0;
}

/* No-IOMMU: the device sees physical addresses; there is nothing to map. */
static int noiommu_map(struct vfio_iommu *io, void *vaddr, uint64_t iova, uint64_t len)
{
	(void)io, (void)vaddr, (void)iova, (void)len;
	return 0;
}

static int noiommu_unmap(struct vfio_iommu *io, uint64_t iova, uint64_t len)
{
	(void)io, (void)iova, (void)len;
	return 0;
}

static const struct vfio_iommu_ops type1v2_ops = { "type1v2", type1_map, type1_unmap };
static const struct vfio_iommu_ops type1_ops = { "type1", type1_map, type1_unmap };
static const struct vfio_iommu_ops noiommu_ops = { "noiommu", noiommu_map, noiommu_unmap };

bool vfio_iova_allowed(const struct vfio_iommu *io, uint64_t iova, uint64_t len)
{
	if (!len || iova + len - 1 < iova)
		return false;
	if (!io->n_iova_ranges)
		return true;
	for (size_t i = 0; i < io->n_iova_ranges; i++)
		if (iova >= io->iova_ranges[i].start && iova + len - 1 <= io->iova_ranges[i].last)
			return true;
	return false;
}

/* VFIO_IOMMU_GET_INFO with its capability chain: page sizes and the usable IOVA ranges. */
static void type1_info(struct vfio_iommu *io)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	struct vfio_iommu_type1_info *info;
	uint32_t off;

	if (ioctl(io->container_fd, VFIO_IOMMU_GET_INFO, &probe) < 0)
		return;
	if (probe.flags & VFIO_IOMMU_INFO_PGSIZES)
		io->pgsize_bitmap = probe.iova_pgsizes;
	if (probe.argsz <= sizeof(probe) || probe.argsz > 65536 || !(info = calloc(1, probe.argsz)))
		return;
	info->argsz = probe.argsz;
	if (ioctl(io->container_fd, VFIO_IOMMU_GET_INFO, info) < 0 || !(info->flags & VFIO_IOMMU_INFO_CAPS))
		goto out;
	/*
	 * Walk the chain defensively: offsets must move forward and stay inside the
	 * buffer.  The kernel only promises 4-byte alignment of a capability, so
	 * each one is copied out rather than read in place.
	 */
	for (off = info->cap_offset; off && off + sizeof(struct vfio_info_cap_header) <= info->argsz;) {
		const char *at = (const char *)info + off;
		struct vfio_info_cap_header h;
		struct vfio_iommu_type1_info_cap_iova_range c;
		const size_t ranges_at = offsetof(struct vfio_iommu_type1_info_cap_iova_range, iova_ranges);

		memcpy(&h, at, sizeof(h));
		if (h.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE && off + sizeof(c) <= info->argsz) {
			struct vfio_iova_range r;
			size_t room, n;

			memcpy(&c, at, sizeof(c));
			room = (info->argsz - off - ranges_at) / sizeof(r);
			n = c.nr_iovas < room ? c.nr_iovas : room;
			for (size_t i = 0; i < n && io->n_iova_ranges < VFIO_MAX_IOVA_RANGES; i++) {
				memcpy(&r, at + ranges_at + i * sizeof(r), sizeof(r));
				io->iova_ranges[io->n_iova_ranges++] = (struct vfio_iova_window){ r.start, r.end };
			}
		}
		if (h.next <= off)
			break;
		off = h.next;
	}
out:
	free(info);
}

static int set_iommu(struct vfio_device *dev, bool noiommu_group)
{
	static const struct { int type; const struct vfio_iommu_ops *ops; } types[] = {
		{ VFIO_TYPE1v2_IOMMU, &type1v2_ops },
		{ VFIO_TYPE1_IOMMU, &type1_ops },
		{ VFIO_NOIOMMU_IOMMU, &noiommu_ops },
	};
	int fd = dev->iommu.container_fd;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		/* A no-IOMMU group only takes the no-IOMMU type, and a real group never does. */
		if ((types[i].type == VFIO_NOIOMMU_IOMMU) != noiommu_group)
			continue;
		if (ioctl(fd, VFIO_CHECK_EXTENSION, types[i].type) <= 0 || ioctl(fd, VFIO_SET_IOMMU, types[i].type) < 0)
			continue;
		dev->iommu.ops = types[i].ops;
		dev->iommu.noiommu = noiommu_group;
		if (!noiommu_group)
			type1_info(&dev->iommu);
		return 0;
	}
	return -ENOTSUP;
}

static int open_group(struct vfio_device *dev, char *path, size_t path_len, bool *noiommu)
{
	*noiommu = false;
	snprintf(path, path_len, "/dev/vfio/%d", dev->group);
	dev->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->group_fd < 0 && errno == ENOENT) {
		snprintf(path, path_len, "/dev/vfio/noiommu-%d", dev->group);
		dev->group_fd = open(path, O_RDWR | O_CLOEXEC);
		*noiommu = dev->group_fd >= 0;
		if (dev->group_fd < 0) {
			int err = errno == ENOENT ? ENOENT : errno;

			snprintf(path, path_len, "/dev/vfio/%d", dev->group);
			return -err;
		}
	}
	return dev->group_fd < 0 ? -errno : 0;
}

static void read_regions(struct vfio_device *dev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	if (ioctl(dev->device_fd, VFIO_DEVICE_GET_INFO, &info) == 0) {
		dev->num_regions = info.num_regions;
		dev->num_irqs = info.num_irqs;
	}
	for (unsigned i = 0; i < VFIO_DEV_MAX_REGIONS && i < dev->num_regions; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };

		if (ioctl(dev->device_fd, VFIO_DEVICE_GET_REGION_INFO, &r) < 0 || !r.size)
			continue;
		dev->regions[i] = (struct vfio_region){ .present = true, .flags = r.flags, .size = r.size,
							.offset = r.offset };
	}
}

static int open_fail(struct vfio_device *dev, int err, char *why, size_t why_len, const char *fmt, const char *arg)
{
	snprintf(why, why_len, fmt, arg, strerror(-err));
	vfio_close(dev);
	return err;
}

int vfio_open_pci(const char *pci_addr, struct vfio_device **out, char *why, size_t why_len)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_device *dev = calloc(1, sizeof(*dev));
	char path[64];
	bool noiommu;
	int r;

	if (!dev)
		return -ENOMEM;
	dev->group_fd = dev->device_fd = dev->iommu.container_fd = -1;
	for (unsigned i = 0; i < VFIO_MAX_IRQ_FDS; i++)
		dev->irq_fds[i] = -1;
	dev->req_fd = -1;
	snprintf(dev->name, sizeof(dev->name), "%s", pci_addr);
	r = vfio_iommu_group_of(pci_addr, why, why_len);
	if (r < 0) {
		vfio_close(dev);
		return r;
	}
	dev->group = r;
	dev->iommu.container_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (dev->iommu.container_fd < 0)
		return open_fail(dev, -errno, why, why_len, "cannot open %s: %s (is the vfio module loaded?)",
				 "/dev/vfio/vfio");
	if (ioctl(dev->iommu.container_fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return open_fail(dev, -EPROTO, why, why_len, "%s speaks another VFIO API version (%s)", "/dev/vfio/vfio");
	if ((r = open_group(dev, path, sizeof(path), &noiommu)) < 0)
		return open_fail(dev, r, why, why_len, r == -EBUSY ? "VFIO group %s is held by another process (%s)"
				 : "cannot open VFIO group %s: %s (is the device bound to vfio-pci?)", path);
	if (ioctl(dev->group_fd, VFIO_GROUP_GET_STATUS, &status) < 0)
		return open_fail(dev, -errno, why, why_len, "VFIO_GROUP_GET_STATUS on %s: %s", path);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return open_fail(dev, -EBUSY, why, why_len, "VFIO group %s is not viable: every device of the group "
				 "must be bound to vfio-pci or to no driver (%s)", path);
	if (ioctl(dev->group_fd, VFIO_GROUP_SET_CONTAINER, &dev->iommu.container_fd) < 0)
		return open_fail(dev, -errno, why, why_len, "VFIO_GROUP_SET_CONTAINER for %s: %s", path);
	if ((r = set_iommu(dev, noiommu)) < 0)
		return open_fail(dev, r, why, why_len, "no usable VFIO IOMMU type for %s (%s)", path);
	dev->device_fd = ioctl(dev->group_fd, VFIO_GROUP_GET_DEVICE_FD, pci_addr);
	if (dev->device_fd < 0)
		return open_fail(dev, -errno, why, why_len, "VFIO_GROUP_GET_DEVICE_FD for %s: %s", pci_addr);
	read_regions(dev);
	/*
	 * Armed for every user, not only probe: without it a hot-unplug blocks
	 * in the kernel's vfio-pci release until this process happens to exit.
	 */
	(void)vfio_req_enable(dev);
	*out = dev;
	return 0;
}

void vfio_close(struct vfio_device *dev)
{
	if (!dev)
		return;
	if (dev->device_fd >= 0) {
		vfio_irq_disable(dev);
		vfio_req_disable(dev);
		close(dev->device_fd);
	}
	if (dev->group_fd >= 0)
		close(dev->group_fd);
	if (dev->iommu.container_fd >= 0)
		close(dev->iommu.container_fd);
	free(dev);
}

static int region_check(const struct vfio_device *dev, unsigned index, uint64_t off, size_t len)
{
	const struct vfio_region *r;

	if (index >= VFIO_DEV_MAX_REGIONS || !dev->regions[index].present)
		return -ENODEV;
	r = &dev->regions[index];
	if (off > r->size || len > r->size - off)
		return -ERANGE;
	return 0;
}

int vfio_region_read(struct vfio_device *dev, unsigned index, uint64_t off, void *buf, size_t len)
{
	int r = region_check(dev, index, off, len);
	ssize_t n;

	if (r < 0)
		return r;
	if (!(dev->regions[index].flags & VFIO_REGION_INFO_FLAG_READ))
		return -EPERM;
	n = pread(dev->device_fd, buf, len, (off_t)(dev->regions[index].offset + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_region_write(struct vfio_device *dev, unsigned index, uint64_t off, const void *buf, size_t len)
{
	int r = region_check(dev, index, off, len);
	ssize_t n;

	if (r < 0)
		return r;
	if (!(dev->regions[index].flags & VFIO_REGION_INFO_FLAG_WRITE))
		return -EPERM;
	n = pwrite(dev->device_fd, buf, len, (off_t)(dev->regions[index].offset + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void *vfio_region_mmap(struct vfio_device *dev, unsigned index, size_t *len_out)
{
	void *p;

	if (region_check(dev, index, 0, 0) < 0 || !(dev->regions[index].flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		errno = ENOTSUP;
		return NULL;
	}
	p = mmap(NULL, dev->regions[index].size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->device_fd,
		 (off_t)dev->regions[index].offset);
	if (p == MAP_FAILED)
		return NULL;
	*len_out = dev->regions[index].size;
	return p;
}

int vfio_config_read(struct vfio_device *dev, uint32_t off, void *buf, size_t len)
{
	return vfio_region_read(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len);
}

int vfio_config_write(struct vfio_device *dev, uint32_t off, const void *buf, size_t len)
{
	return vfio_region_write(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len);
}
