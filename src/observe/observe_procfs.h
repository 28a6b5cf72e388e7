/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The degraded source of the passive view: interrupt counts per vector from /proc/interrupts, types from sysfs. */
#ifndef VIRTIOCTL_OBSERVE_PROCFS_H
#define VIRTIOCTL_OBSERVE_PROCFS_H

#include <stdint.h>

#include "vq_observe.h"

/*
 * Opens the source.  interrupts_path and virtio_sysfs_dir default (NULL) to
 * /proc/interrupts and /sys/bus/virtio/devices; tests pass fixtures.
 * no_bpf_why says why the complete source is not used ("no CAP_BPF"); it
 * starts the one line in degraded_why.  0 or negative errno.
 */
int vq_obs_open_procfs(const char *interrupts_path, const char *virtio_sysfs_dir, const char *no_bpf_why,
		       struct vq_obs_source **out);

/*
 * The queue index that the vector a Linux driver named `vector` ("req.1",
 * "output.0") belongs to, for drivers whose names fix it; VQ_QUEUE_INDEX_UNKNOWN
 * otherwise (a shared vector, an unknown driver, a queue whose index depends
 * on features).
 */
uint32_t procfs_queue_index(uint32_t device_id, const char *vector);

#endif
