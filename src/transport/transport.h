/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One ops table over virtio transport registers (pci-modern, pci-legacy, mmio v1/v2, fake): what every verb drives. */
#ifndef VIRTIOCTL_TRANSPORT_H
#define VIRTIOCTL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_features.h"
#include "virtio_pci_regs.h"

/*
 * Layering (bottom up):
 *   src/vfio/       vfio container/group/device, regions, IRQs, IOMMU ops (knows nothing of virtio or discovery)
 *   src/dma/        pinned DMA memory at IOVA == physical address, sub-allocated
 *   src/transport/  bar_access.h (register windows: vfio, sysfs, /dev/mem), this ops table and its
 *                   implementations, device_open.h (a discovered device opened for driving)
 *   src/virtqueue/, src/probe/  (the driver above: built on this header only)
 *
 * Conventions: every function returns 0 or a negative errno; out-parameters
 * are written only on success.  Every value read from a device is hostile:
 * the implementations bound-check, and every wait is bounded (a removed PCI
 * device reads all-ones forever).
 */

struct transport;

/* Device status bits (spec 2.1). */
enum {
	VIRTIO_STATUS_ACKNOWLEDGE = 0x01,
	VIRTIO_STATUS_DRIVER = 0x02,
	VIRTIO_STATUS_DRIVER_OK = 0x04,
	VIRTIO_STATUS_FEATURES_OK = 0x08,
	VIRTIO_STATUS_DEVICE_NEEDS_RESET = 0x40,
	VIRTIO_STATUS_FAILED = 0x80,
};

enum transport_kind {
	TRANSPORT_PCI_MODERN,
	TRANSPORT_PCI_LEGACY,
	TRANSPORT_MMIO_V1,
	TRANSPORT_MMIO_V2,
	TRANSPORT_FAKE,
};

/* What the transport has; every verb checks these instead of the kind. */
struct transport_caps {
	bool legacy;                 /* the legacy interface (pci-legacy, mmio v1): no FEATURES_OK step (spec 3.1.2) */
	unsigned feature_bits;       /* 32 (pci-legacy), 64 (mmio v1), 128 (pci-modern, mmio v2 selectors 0..3) */
	bool has_num_queues;         /* a register gives the queue count; else queues are counted until size 0 */
	bool has_config_generation;  /* else config reads repeat until two agree */
	bool has_vectors;            /* MSI-X vector registers (pci with MSI-X enabled) */
	bool has_queue_enable;       /* queue_enable / QueueReady; else a non-zero PFN enables */
	bool has_queue_reset;        /* per-queue reset register (pci-modern cap >= 0x3c, mmio v2) */
	bool has_notify_data;        /* queue_notify_data register (pci-modern cap >= 0x3a) */
	bool queue_size_fixed;       /* the driver cannot choose a smaller size (pci-legacy) */
	/*
	 * The queue is given as ONE page frame (pci-legacy, mmio v1): the three
	 * areas must be laid out as transport_legacy_ring_layout() says, in
	 * physically contiguous memory.  queue_setup() refuses anything else.
	 */
	bool legacy_ring_layout;
};

/* What is in a queue's registers now (read with selector writes only: no side effects on the device). */
struct transport_queue_state {
	uint16_t max_size;           /* 0: the queue does not exist */
	bool has_vector;
	uint16_t vector;             /* VIRTIO_MSI_NO_VECTOR: none */
	bool has_enabled;
	bool enabled;
	bool has_notify_off;
	uint16_t notify_off;         /* pci-modern queue_notify_off */
};

/* Where the driver sets a queue up (bus addresses: what the device puts on the bus, see dma_pool.h). */
struct transport_queue_setup {
	uint16_t size;               /* <= max_size; split rings: a power of two */
	uint64_t desc_addr;          /* descriptor area */
	uint64_t driver_addr;        /* driver area (split: avail ring; packed: driver event suppression) */
	uint64_t device_addr;        /* device area (split: used ring; packed: device event suppression) */
};

/* How the driver notifies one queue (spec 4.1.4.4, 4.2.2, 4.1.4.10). */
struct transport_notify_info {
	uint64_t offset;             /* byte offset of the doorbell in its region: diagnostics and reports */
	unsigned bar;                /* PCI BAR (modern: the notify capability's; legacy: 0); mmio: 0 */
	unsigned width;              /* 2 (pci) or 4 (mmio) */
	uint16_t notify_off;         /* pci-modern queue_notify_off; 0 elsewhere */
	uint32_t multiplier;         /* pci-modern notify_off_multiplier; 0 elsewhere */
};

struct transport_ops {
	/* Status byte (spec 2.1).  set_status(t, 0) starts a reset; use transport_reset() to wait for it. */
	int (*get_status)(struct transport *t, uint8_t *status);
	int (*set_status)(struct transport *t, uint8_t status);
	/* All the device feature bits the transport has (caps.feature_bits); higher bits read as 0. */
	int (*get_device_features)(struct transport *t, struct virtio_features *out);
	/* Writes every driver feature selector the transport has. */
	int (*set_driver_features)(struct transport *t, const struct virtio_features *f);
	/* Queue count: the register where there is one, else counted until a queue reads max size 0. */
	int (*get_num_queues)(struct transport *t, uint16_t *n);
	int (*get_queue_state)(struct transport *t, uint16_t q, struct transport_queue_state *out);
	/* Size and the three area addresses; does not enable.  -EINVAL for a layout the transport cannot express. */
	int (*queue_setup)(struct transport *t, uint16_t q, const struct transport_queue_setup *s);
	/* Enables the queue (queue_enable = 1 / QueueReady = 1; legacy: implied by queue_setup's PFN). */
	int (*queue_enable)(struct transport *t, uint16_t q);
	/*
	 * Per-queue reset (VIRTIO_F_RING_RESET): writes 1, then waits (bounded)
	 * until the register reads 1, the device's "reset done" (spec 4.1.4.3.2).
	 * -EOPNOTSUPP where !caps.has_queue_reset.
	 */
	int (*queue_reset)(struct transport *t, uint16_t q);
	int (*get_notify_info)(struct transport *t, uint16_t q, struct transport_notify_info *out);
	/*
	 * Rings the doorbell of queue q.  value is what the driver writes: the
	 * queue index, or with VIRTIO_F_NOTIFICATION_DATA the value of spec
	 * 2.9 (transport_notification_data() builds it).  pci writes 16 bits of
	 * it unless notification data is negotiated (32 bits), mmio 32.
	 */
	int (*notify)(struct transport *t, uint16_t q, uint32_t value);
	/*
	 * MSI-X vectors: write, then read back into *readback.  A readback of
	 * VIRTIO_MSI_NO_VECTOR after writing another vector means the device
	 * refused it (spec 4.1.5.1.2); the caller decides what that is.
	 * -EOPNOTSUPP where !caps.has_vectors.
	 */
	int (*set_config_vector)(struct transport *t, uint16_t vector, uint16_t *readback);
	int (*set_queue_vector)(struct transport *t, uint16_t q, uint16_t vector, uint16_t *readback);
	/* ISR status (pci: reading clears it; mmio: InterruptStatus, then acknowledged through InterruptACK). */
	int (*read_isr)(struct transport *t, uint8_t *isr);
	/* config_generation; -EOPNOTSUPP where !caps.has_config_generation. */
	int (*get_config_generation)(struct transport *t, uint32_t *gen);
	/* One access of width 1, 2 or 4 at a device-configuration offset, bounds-checked against config_len. */
	int (*config_read)(struct transport *t, uint32_t off, unsigned width, uint32_t *val);
	int (*config_write)(struct transport *t, uint32_t off, unsigned width, uint32_t val);
	/*
	 * Writes status 0 and nothing else, without waiting; must be
	 * async-signal-safe (the SIGINT/SIGTERM cleanup calls it).
	 */
	void (*reset_now)(struct transport *t);
	/* Frees the transport's state; never resets (transport_close() does). */
	void (*destroy)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	enum transport_kind kind;
	const char *name;            /* JSON vocabulary: "pci-modern", "pci-legacy", "mmio-v1", "mmio-v2", "fake" */
	struct transport_caps caps;
	uint32_t device_id;          /* virtio device id; 0 when unknown */
	uint32_t config_len;         /* bytes of device configuration the transport exposes */
	/* Set by the caller after FEATURES_OK: notify() then writes 32-bit notification data. */
	bool notification_data;
	/* Bounded waits: reset and queue reset poll this long (ms) before giving up; 0 means the default. */
	unsigned reset_timeout_ms;
	void *priv;                  /* the implementation's state */
};

#define TRANSPORT_RESET_TIMEOUT_MS 1000u
#define TRANSPORT_CLEANUP_MAX 16
#define TRANSPORT_CONFIG_TRIES 16

/* ---- Generic sequences over the ops (transport.c): use these, not the ops, for the spec's rules. ---- */

/*
 * Writes 0 and waits (bounded, reset_timeout_ms) until status reads 0.
 * -ETIMEDOUT when it never does; -ENODEV when it reads 0xff throughout
 * (device removed or the BAR went away).
 */
int transport_reset(struct transport *t);
/* Reads status, ORs bits in, writes it back (ACKNOWLEDGE, DRIVER, DRIVER_OK). */
int transport_add_status(struct transport *t, uint8_t bits);
/*
 * Writes the driver features, sets FEATURES_OK and reads status back:
 * -EPROTO when the device cleared FEATURES_OK (it refused the subset,
 * spec 3.1.1), -EIO when DEVICE_NEEDS_RESET appeared.
 */
int transport_negotiate(struct transport *t, const struct virtio_features *driver_features);
/* Whether status shows the device wants a reset (checked by the driver at every step). */
static inline bool transport_needs_reset(uint8_t status)
{
	return (status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && status != 0xff;
}

/*
 * Reads len bytes of device configuration at off with natural-width
 * accesses (widths[i], or NULL: 4-byte where aligned, else 1), under the
 * generation rule (spec 2.5.1): re-read until config_generation is the same
 * before and after, at most TRANSPORT_CONFIG_TRIES times; without a
 * generation counter, until two consecutive reads agree.  -EAGAIN when it
 * never settled (the bytes of the last try are still in buf, *tries says how
 * many reads it took when not NULL).
 */
int transport_config_read(struct transport *t, uint32_t off, void *buf, size_t len, const uint8_t *widths,
			  unsigned *tries);
/* Writes len bytes (natural widths as above). */
int transport_config_write(struct transport *t, uint32_t off, const void *buf, size_t len,
			   const uint8_t *widths);

/* Resets the device (bounded), takes it off the cleanup list and destroys it; accepts NULL. */
void transport_close(struct transport *t);
/* Destroys without touching the device (read-only users such as `info`); accepts NULL. */
void transport_free(struct transport *t);

/*
 * pci-legacy and mmio v1 place the split ring as one block from desc_addr
 * (spec 2.7 "Legacy Interfaces"): avail right after the descriptor table,
 * used at the next 4096-byte boundary.  Returns the offsets and the total
 * size for a queue of `size` entries.
 */
void transport_legacy_ring_layout(uint16_t size, uint64_t *driver_off, uint64_t *device_off, uint64_t *total);

/* The notification value with VIRTIO_F_NOTIFICATION_DATA (spec 2.9): vq index, next offset and wrap. */
static inline uint32_t transport_notification_data(uint16_t q, uint16_t next_off, bool wrap)
{
	return (uint32_t)q | (uint32_t)(next_off & 0x7fff) << 16 | (uint32_t)wrap << 31;
}

/* ---- Cleanup on every exit path (transport_cleanup.c) ---- */

/*
 * Puts t on the process-wide list of open transports.  On SIGINT, SIGTERM,
 * SIGHUP and exit() every listed transport gets reset_now() (status 0) before
 * the process dies; transport_close() takes it off the list.  The first call
 * installs the handlers (the previous disposition is re-raised after the
 * reset).  Also resets on SIGBUS: see bar_access.h for why vfio access does
 * not fault in the first place.  -ENOSPC past TRANSPORT_CLEANUP_MAX open transports.
 */
int transport_cleanup_register(struct transport *t);
void transport_cleanup_unregister(struct transport *t);
/* Resets every registered transport now (what the handlers call); async-signal-safe. */
void transport_cleanup_reset_all(void);

#endif
