/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio devices on the platform bus: ACPI LNRO0005, device-tree virtio,mmio, virtio_mmio.device=. */
#include "mmio_virtio.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bar_access.h"
#include "virtio_mmio_regs.h"
#include "virtio_regs.h"

#define PLATFORM_DEVICES "/sys/bus/platform/devices"
#define MMIO_DRIVER "virtio-mmio"
#define MMIO_REGS_LEN 0x100u

bool mmio_virtio_base_from_name(const char *name, uint64_t *base)
{
	char *end;
	unsigned long long v;

	if (!isxdigit((unsigned char)name[0]))
		return false;
	errno = 0;
	v = strtoull(name, &end, 16);
	if (errno || *end != '.' || end == name)
		return false;
	*base = v;
	return true;
}

/* compatible is a list of NUL-terminated strings. */
static bool of_compatible(const char *dir)
{
	char path[PATH_MAX], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/of_node/compatible", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		if (!strcmp(buf + i, "virtio,mmio"))
			return true;
	return false;
}

static const char *mmio_match(const char *name, const char *dir, const char *driver)
{
	char modalias[256];

	if (sysfs_read_attr(dir, "modalias", modalias, sizeof(modalias)) > 0 &&
	    !strncmp(modalias, "acpi:LNRO0005:", 14))
		return "acpi LNRO0005";
	if (of_compatible(dir))
		return "of virtio,mmio";
	if (!strncmp(name, MMIO_DRIVER ".", sizeof(MMIO_DRIVER)))
		return "virtio_mmio.device=";
	if (!strcmp(driver, MMIO_DRIVER))
		return "driver virtio-mmio";
	return NULL;
}

enum vdev_transport mmio_virtio_version_from_driver(const struct vdev *d, const char **how)
{
	if (!d->has_virtio || !d->virtio.driver[0] || !d->virtio.has_features)
		return VDEV_MMIO_UNKNOWN;
	if (virtio_features_test(&d->virtio.features, VIRTIO_F_VERSION_1_BIT)) {
		*how = "driver negotiated VERSION_1, which only version 2 offers";
		return VDEV_MMIO_V2;
	}
	*how = "driver runs it without VERSION_1, which Linux refuses for version 2";
	return VDEV_MMIO_V1;
}

/* An unbound window may be read directly: the identification registers have no side effects. */
static void version_from_registers(struct vdev *v)
{
	struct bar_access a;
	char why[160];
	uint32_t magic, version, device_id;

	if (!v->has_mmio_base || v->mmio_size < MMIO_REGS_LEN || v->driver[0])
		return;
	if (bar_access_open_devmem(&a, v->mmio_base, MMIO_REGS_LEN, false, why, sizeof(why)) < 0)
		return;
	if (bar_read(&a, 0, VIRTIO_MMIO_OFF(magic_value), 4, &magic) == 0 &&
	    bar_read(&a, 0, VIRTIO_MMIO_OFF(version), 4, &version) == 0 &&
	    bar_read(&a, 0, VIRTIO_MMIO_OFF(device_id), 4, &device_id) == 0 && magic == VIRTIO_MMIO_MAGIC &&
	    (version == 1 || version == 2)) {
		v->transport = version == 1 ? VDEV_MMIO_V1 : VDEV_MMIO_V2;
		v->mmio_version_source = "Version register (device not bound, read through /dev/mem)";
		if (!v->device_id_known && device_id) {
			v->device_id_known = true;
			v->device_id = device_id;
		}
	}
	bar_access_close(&a);
}

static int add_platform_device(struct vdev_list *l, const char *name)
{
	char path[PATH_MAX], dir[PATH_MAX], driver[64] = "";
	const char *match;
	struct vdev *v;
	uint64_t start = 0, end = 0;

	snprintf(path, sizeof(path), PLATFORM_DEVICES "/%s", name);
	if (!realpath(path, dir) || strlen(dir) >= sizeof(v->sysfs_dir) || strlen(name) >= sizeof(v->address))
		return 0;
	if (sysfs_link_name(dir, "driver", driver, sizeof(driver)) < 0)
		driver[0] = '\0';
	match = mmio_match(name, dir, driver);
	if (!match)
		return 0;
	v = vdev_list_add(l);
	if (!v)
		return -ENOMEM;
	v->is_mmio = true;
	v->iommu_group = -1;
	v->mmio_irq = -1;
	v->mmio_match = match;
	v->transport = VDEV_MMIO_UNKNOWN;
	strcpy(v->address, name);
	strcpy(v->sysfs_dir, dir);
	strcpy(v->driver, driver);
	/* Unprivileged readers see /proc/iomem with every address zeroed. */
	if (iomem_find(NULL, name, &start, &end) == 1 && end > start) {
		v->has_mmio_base = true;
		v->mmio_base = start;
		v->mmio_size = end - start + 1;
	} else if (mmio_virtio_base_from_name(name, &start)) {
		v->has_mmio_base = true;
		v->mmio_base = start;
	}
	if (sysfs_virtio_child(dir, &v->virtio) == 1) {
		v->has_virtio = true;
		if (v->virtio.has_device_id) {
			v->device_id_known = true;
			v->device_id = v->virtio.device_id;
		}
	}
	v->transport = mmio_virtio_version_from_driver(v, &v->mmio_version_source);
	if (v->transport == VDEV_MMIO_UNKNOWN)
		version_from_registers(v);
	return 0;
}

int mmio_virtio_discover(struct vdev_list *l)
{
	DIR *d = opendir(PLATFORM_DEVICES);
	struct dirent *de;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && r == 0)
		if (de->d_name[0] != '.')
			r = add_platform_device(l, de->d_name);
	closedir(d);
	return r;
}
