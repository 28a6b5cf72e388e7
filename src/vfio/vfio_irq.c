/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interrupts of a vfio device as eventfds: MSI-X vectors, INTx as the fallback, or none (polling); the removal request. */
#include "vfio.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

static int irq_count(struct vfio_device *dev, unsigned index)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };

	if (index >= dev->num_irqs || ioctl(dev->device_fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0)
		return 0;
	return (int)info.count;
}

/* VFIO_DEVICE_SET_IRQS with one eventfd per vector (count 0 with DATA_NONE: disable the index). */
static int set_irqs(struct vfio_device *dev, unsigned index, unsigned count, const int *fds)
{
	size_t size = sizeof(struct vfio_irq_set) + sizeof(int32_t) * count;
	struct vfio_irq_set *set = calloc(1, size);
	int r = 0;

	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)size;
	set->flags = (count ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = 0;
	set->count = count;
	for (unsigned i = 0; i < count; i++)
		((int32_t *)set->data)[i] = fds[i];
	if (ioctl(dev->device_fd, VFIO_DEVICE_SET_IRQS, set) < 0)
		r = -errno;
	free(set);
	return r;
}

static void close_fds(struct vfio_device *dev)
{
	for (unsigned i = 0; i < dev->n_irq_fds; i++) {
		if (dev->irq_fds[i] >= 0)
			close(dev->irq_fds[i]);
		dev->irq_fds[i] = -1;
	}
	dev->n_irq_fds = 0;
}

static int enable(struct vfio_device *dev, unsigned index, unsigned nvec, enum vfio_irq_mode mode, char *why,
		  size_t why_len, const char *name)
{
	int avail = irq_count(dev, index);
	int r;

	vfio_irq_disable(dev);
	if (avail <= 0) {
		snprintf(why, why_len, "%s has no %s interrupt", dev->name, name);
		return -ENOTSUP;
	}
	if (!nvec)
		nvec = 1;
	if (nvec > (unsigned)avail)
		nvec = (unsigned)avail;
	if (nvec > VFIO_MAX_IRQ_FDS)
		nvec = VFIO_MAX_IRQ_FDS;
	for (unsigned i = 0; i < nvec; i++) {
		dev->irq_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		dev->n_irq_fds = i + 1;
		if (dev->irq_fds[i] < 0) {
			r = -errno;
			close_fds(dev);
			snprintf(why, why_len, "eventfd for %s: %s", name, strerror(-r));
			return r;
		}
	}
	r = set_irqs(dev, index, nvec, dev->irq_fds);
	if (r < 0) {
		close_fds(dev);
		snprintf(why, why_len, "VFIO_DEVICE_SET_IRQS (%s, %u vectors) on %s: %s", name, nvec, dev->name,
			 strerror(-r));
		return r;
	}
	dev->irq_mode = mode;
	return 0;
}

int vfio_irq_enable_msix(struct vfio_device *dev, unsigned nvec, char *why, size_t why_len)
{
	return enable(dev, VFIO_PCI_MSIX_IRQ_INDEX, nvec, VFIO_IRQ_MSIX, why, why_len, "MSI-X");
}

int vfio_irq_enable_intx(struct vfio_device *dev, char *why, size_t why_len)
{
	return enable(dev, VFIO_PCI_INTX_IRQ_INDEX, 1, VFIO_IRQ_INTX, why, why_len, "INTx");
}

void vfio_irq_disable(struct vfio_device *dev)
{
	if (!dev || dev->irq_mode == VFIO_IRQ_NONE)
		return;
	(void)set_irqs(dev, dev->irq_mode == VFIO_IRQ_MSIX ? VFIO_PCI_MSIX_IRQ_INDEX : VFIO_PCI_INTX_IRQ_INDEX, 0,
		       NULL);
	close_fds(dev);
	dev->irq_mode = VFIO_IRQ_NONE;
}

/* INTx is masked by vfio when it fires (level-triggered); it must be unmasked after each one. */
static void unmask_intx(struct vfio_device *dev)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = VFIO_PCI_INTX_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};

	(void)ioctl(dev->device_fd, VFIO_DEVICE_SET_IRQS, &set);
}

/* Reads the request eventfd without blocking; latches a removal request. */
static bool drain_req(struct vfio_device *dev)
{
	uint64_t count;

	if (dev->req_fd >= 0 && read(dev->req_fd, &count, sizeof(count)) == (ssize_t)sizeof(count) && count)
		dev->removal_requested = true;
	return dev->removal_requested;
}

int vfio_irq_wait(struct vfio_device *dev, unsigned fd_index, int timeout_ms)
{
	struct pollfd p[2];
	uint64_t count;
	nfds_t nfds = 1;
	int n;

	if (dev->irq_mode == VFIO_IRQ_NONE || fd_index >= dev->n_irq_fds)
		return -EINVAL;
	if (drain_req(dev))
		return -ENODEV;
	p[0] = (struct pollfd){ .fd = dev->irq_fds[fd_index], .events = POLLIN };
	if (dev->req_fd >= 0)
		p[nfds++] = (struct pollfd){ .fd = dev->req_fd, .events = POLLIN };
	do
		n = poll(p, nfds, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (nfds > 1 && (p[1].revents & POLLIN) && drain_req(dev))
		return -ENODEV;
	if (!(p[0].revents & POLLIN) || read(p[0].fd, &count, sizeof(count)) != (ssize_t)sizeof(count))
		return -EIO;
	if (dev->irq_mode == VFIO_IRQ_INTX)
		unmask_intx(dev);
	return 0;
}

int vfio_req_enable(struct vfio_device *dev)
{
	int r;

	if (dev->req_fd >= 0)
		return 0;
	/* Older kernels and non-PCI devices have no request index: removal is then noticed by all-ones reads. */
	if (irq_count(dev, VFIO_PCI_REQ_IRQ_INDEX) <= 0)
		return -ENOTSUP;
	dev->req_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (dev->req_fd < 0)
		return -errno;
	r = set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, 1, &dev->req_fd);
	if (r < 0) {
		close(dev->req_fd);
		dev->req_fd = -1;
	}
	return r;
}

bool vfio_removal_requested(struct vfio_device *dev)
{
	return dev && drain_req(dev);
}

void vfio_req_disable(struct vfio_device *dev)
{
	if (!dev || dev->req_fd < 0)
		return;
	(void)set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, 0, NULL);
	close(dev->req_fd);
	dev->req_fd = -1;
}
