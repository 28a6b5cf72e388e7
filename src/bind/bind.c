/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver_override dance: a device to vfio-pci and back (PCI), or off and back on virtio-mmio (platform). */
#include "bind.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vfio.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define POLL_MS 10

static int write_attr(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		r = -errno;
	else if ((size_t)n != strlen(value))
		r = -EIO;
	close(fd);
	return r;
}

/* The name of the driver bound to the device at sysfs_dir, "" when none. */
static void current_driver(const char *sysfs_dir, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", sysfs_dir);
	buf[0] = '\0';
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	snprintf(buf, len, "%.63s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits (bounded) until the device's driver is `want` ("" for none, NULL for any driver at all). */
static bool wait_driver(const char *sysfs_dir, const char *want, unsigned timeout_ms, char *now, size_t len)
{
	for (unsigned waited = 0;; waited += POLL_MS) {
		current_driver(sysfs_dir, now, len);
		if (want ? !strcmp(now, want) : now[0] != '\0')
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(POLL_MS);
	}
}

static bool wait_path(const char *path, unsigned timeout_ms)
{
	for (unsigned waited = 0;; waited += POLL_MS) {
		if (access(path, F_OK) == 0)
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(POLL_MS);
	}
}

static unsigned timeout_of(const struct bind_opts *o)
{
	return o->timeout_ms ? o->timeout_ms : BIND_TIMEOUT_MS;
}

static void record_path(const struct vdev *d, char *buf, size_t len)
{
	snprintf(buf, len, BIND_RECORD_DIR "/%s", d->address);
}

/* Remembers the driver the device had, so --kernel can give it back (tmpfs: gone at reboot, as the binding is). */
static int record_driver(const struct vdev *d, const char *driver)
{
	char path[PATH_MAX];
	FILE *f;

	if (mkdir("/run/virtioctl", 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(BIND_RECORD_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	record_path(d, path, sizeof(path));
	if (!(f = fopen(path, "we")))
		return -errno;
	fprintf(f, "%s\n", driver);
	return fclose(f) == 0 ? 0 : -EIO;
}

static void recorded_driver(const struct vdev *d, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	buf[0] = '\0';
	record_path(d, path, sizeof(path));
	if (!(f = fopen(path, "re")))
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	/* A driver name is one sysfs path component: anything else is not used. */
	if (strchr(buf, '/') || !strcmp(buf, ".") || !strcmp(buf, ".."))
		buf[0] = '\0';
	fclose(f);
}

/* Which process holds /dev/vfio/N open: unbinding vfio-pci under it would block until it lets go. */
static pid_t vfio_holder(int group)
{
	char want[64], want_noiommu[64];
	struct dirent *p;
	DIR *proc = opendir("/proc");
	pid_t found = 0;

	if (!proc)
		return 0;
	snprintf(want, sizeof(want), "/dev/vfio/%d", group);
	snprintf(want_noiommu, sizeof(want_noiommu), "/dev/vfio/noiommu-%d", group);
	while (!found && (p = readdir(proc))) {
		char fddir[PATH_MAX];
		struct dirent *f;
		DIR *fds;
		pid_t pid = (pid_t)atoi(p->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%d/fd", (int)pid);
		if (!(fds = opendir(fddir)))
			continue;
		while ((f = readdir(fds))) {
			char link[PATH_MAX + 300], target[PATH_MAX];
			ssize_t n;

			snprintf(link, sizeof(link), "%s/%s", fddir, f->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (!strcmp(target, want) || !strcmp(target, want_noiommu)) {
				found = pid;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

static int check_users(const struct vdev *d, const struct bind_opts *o, struct bind_outcome *out, char *why,
		       size_t why_len)
{
	size_t used;

	bind_find_users(d, &out->users);
	if (!out->users.n || o->force)
		return 0;
	used = (size_t)snprintf(why, why_len, "%s is in use: ", d->address);
	for (size_t i = 0; i < out->users.n && used < why_len; i++)
		used += (size_t)snprintf(why + used, why_len - used, "%s%s", i ? ", " : "", out->users.what[i]);
	if (used < why_len)
		snprintf(why + used, why_len - used, "%s; --force binds it anyway",
			 out->users.root_disk ? " (the root filesystem)" : "");
	return -EBUSY;
}

/* Unbinds the transport device from the driver now holding it (named for the message). */
static int unbind_driver(const struct vdev *d, const char *driver, char *why, size_t why_len)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/driver/unbind", d->sysfs_dir);
	if ((r = write_attr(path, d->address)) < 0)
		snprintf(why, why_len, "unbinding %s from %s: %s", d->address, driver, strerror(-r));
	return r;
}

static int pci_to_vfio(const struct vdev *d, const struct bind_opts *o, struct bind_outcome *out, char *why,
		       size_t why_len)
{
	char path[PATH_MAX];
	bool noiommu = false;
	int r;

	r = vfio_iommu_group_of(d->address, why, why_len);
	if (r < 0) {
		/* With the no-IOMMU mode on, vfio-pci makes a group of its own when it binds. */
		if (r != -ENODEV || !vfio_noiommu_enabled())
			return r;
		noiommu = true;
	}
	out->iommu_group = r;
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK) < 0) {
		snprintf(why, why_len, "the vfio-pci driver is not loaded: modprobe vfio-pci");
		return -ENOENT;
	}
	if (o->dry_run)
		return 0;
	if (d->driver[0] && (r = record_driver(d, d->driver)) < 0) {
		snprintf(why, why_len, "cannot record the current driver under %s: %s", BIND_RECORD_DIR, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/driver_override", d->sysfs_dir);
	if ((r = write_attr(path, "vfio-pci")) < 0) {
		snprintf(why, why_len, "writing %s: %s", path, strerror(-r));
		return r;
	}
	if (d->driver[0] && (r = unbind_driver(d, d->driver, why, why_len)) < 0)
		return r;
	if ((r = write_attr("/sys/bus/pci/drivers_probe", d->address)) < 0 && r != -ENODEV) {
		snprintf(why, why_len, "drivers_probe for %s: %s", d->address, strerror(-r));
		return r;
	}
	if (!wait_driver(d->sysfs_dir, "vfio-pci", timeout_of(o), out->driver_after, sizeof(out->driver_after))) {
		snprintf(why, why_len, "vfio-pci did not bind %s within %u ms (driver now: %s)", d->address, timeout_of(o),
			 out->driver_after[0] ? out->driver_after : "none");
		return -ETIMEDOUT;
	}
	if (noiommu && (r = vfio_iommu_group_of(d->address, why, why_len)) >= 0)
		out->iommu_group = r;
	snprintf(out->vfio_node, sizeof(out->vfio_node), noiommu ? "/dev/vfio/noiommu-%d" : "/dev/vfio/%d",
		 out->iommu_group);
	if (!wait_path(out->vfio_node, timeout_of(o))) {
		snprintf(why, why_len, "%s did not appear within %u ms", out->vfio_node, timeout_of(o));
		return -ETIMEDOUT;
	}
	out->changed = true;
	return 0;
}

static int mmio_to_vfio(const struct vdev *d, const struct bind_opts *o, struct bind_outcome *out, char *why,
			size_t why_len)
{
	int r;

	if (o->dry_run)
		return 0;
	if ((r = record_driver(d, d->driver)) < 0) {
		snprintf(why, why_len, "cannot record the current driver under %s: %s", BIND_RECORD_DIR, strerror(-r));
		return r;
	}
	if ((r = unbind_driver(d, d->driver, why, why_len)) < 0)
		return r;
	if (!wait_driver(d->sysfs_dir, "", timeout_of(o), out->driver_after, sizeof(out->driver_after))) {
		snprintf(why, why_len, "%s is still bound to %s", d->address, out->driver_after);
		return -ETIMEDOUT;
	}
	out->changed = true;
	return 0;
}

static void outcome_init(const struct vdev *d, struct bind_outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->iommu_group = -1;
	current_driver(d->sysfs_dir, out->driver_before, sizeof(out->driver_before));
	snprintf(out->driver_after, sizeof(out->driver_after), "%s", out->driver_before);
}

int bind_to_vfio(const struct vdev *d, const struct bind_opts *o, struct bind_outcome *out, char *why,
		 size_t why_len)
{
	int r;

	outcome_init(d, out);
	if (!d->is_pci && !d->is_mmio) {
		snprintf(why, why_len, "%s is a %s device: only PCI and MMIO devices can be bound", d->address,
			 vdev_transport_name(d));
		return -ENOTSUP;
	}
	/* Already there: nothing to refuse, nothing to do. */
	if (d->is_pci ? !strcmp(out->driver_before, "vfio-pci") : !out->driver_before[0]) {
		if (d->is_pci) {
			out->iommu_group = d->iommu_group;
			snprintf(out->vfio_node, sizeof(out->vfio_node), "/dev/vfio/%d", d->iommu_group);
		}
		out->already = true;
		return 0;
	}
	if ((r = check_users(d, o, out, why, why_len)) < 0)
		return r;
	return d->is_pci ? pci_to_vfio(d, o, out, why, why_len) : mmio_to_vfio(d, o, out, why, why_len);
}

static int give_back(const struct vdev *d, const struct bind_opts *o, const char *want, struct bind_outcome *out,
		     char *why, size_t why_len)
{
	char path[PATH_MAX];
	int r;

	if (want[0]) {
		snprintf(path, sizeof(path), "%s/drivers/%s/bind", d->is_pci ? "/sys/bus/pci" : "/sys/bus/platform", want);
		r = write_attr(path, d->address);
	} else {
		r = write_attr(d->is_pci ? "/sys/bus/pci/drivers_probe" : "/sys/bus/platform/drivers_probe", d->address);
	}
	if (r < 0 && r != -ENODEV && r != -EEXIST) {
		snprintf(why, why_len, "binding %s to %s: %s", d->address, want[0] ? want : "its kernel driver",
			 strerror(-r));
		return r;
	}
	if (!wait_driver(d->sysfs_dir, want[0] ? want : NULL, timeout_of(o), out->driver_after,
			 sizeof(out->driver_after))) {
		snprintf(why, why_len, "no kernel driver took %s within %u ms%s%s", d->address, timeout_of(o),
			 want[0] ? " (expected " : "", want[0] ? want : "");
		if (want[0] && strlen(why) + 2 < why_len)
			strcat(why, ")");
		return -ETIMEDOUT;
	}
	return 0;
}

int bind_to_kernel(const struct vdev *d, const struct bind_opts *o, struct bind_outcome *out, char *why,
		   size_t why_len)
{
	char want[64], path[PATH_MAX];
	pid_t holder;
	int r;

	outcome_init(d, out);
	if (!d->is_pci && !d->is_mmio) {
		snprintf(why, why_len, "%s is a %s device: only PCI and MMIO devices can be bound", d->address,
			 vdev_transport_name(d));
		return -ENOTSUP;
	}
	recorded_driver(d, want, sizeof(want));
	if (!want[0] && d->is_mmio)
		snprintf(want, sizeof(want), "virtio-mmio");
	/* Already with a kernel driver: nothing to do. */
	if (out->driver_before[0] && !strstr(out->driver_before, "vfio")) {
		out->already = true;
		return 0;
	}
	if (d->is_pci && (holder = vfio_holder(d->iommu_group)) > 0) {
		snprintf(why, why_len, "/dev/vfio/%d is held open by process %d: stop it first", d->iommu_group,
			 (int)holder);
		return -EBUSY;
	}
	if (o->dry_run) {
		snprintf(out->driver_after, sizeof(out->driver_after), "%s", want);
		return 0;
	}
	if (d->is_pci) {
		snprintf(path, sizeof(path), "%s/driver_override", d->sysfs_dir);
		if ((r = write_attr(path, "\n")) < 0) {
			snprintf(why, why_len, "clearing %s: %s", path, strerror(-r));
			return r;
		}
	}
	if (out->driver_before[0] && (r = unbind_driver(d, out->driver_before, why, why_len)) < 0)
		return r;
	if ((r = give_back(d, o, want, out, why, why_len)) < 0)
		return r;
	record_path(d, path, sizeof(path));
	(void)unlink(path);
	out->changed = true;
	return 0;
}
