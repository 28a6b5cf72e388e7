/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The probe session: initialisation as the spec orders it, the driver's queues, self-tests, findings. */
#ifndef VIRTIOCTL_PROBE_H
#define VIRTIOCTL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dma_pool.h"
#include "emit.h"
#include "transport.h"
#include "violation.h"
#include "virtio_features.h"
#include "virtqueue.h"

struct vfio_device;

/* What the user asked for (options of `virtioctl probe`). */
struct probe_opts {
	struct virtio_features features_add;     /* --features=+NAME */
	struct virtio_features features_remove;  /* --features=-NAME */
	enum { RING_CHOICE_AUTO, RING_CHOICE_SPLIT, RING_CHOICE_PACKED } ring;
	unsigned queue_size;                     /* 0: min(device max, PROBE_DEFAULT_QUEUE_SIZE) */
	unsigned timeout_ms;                     /* per request */
	bool poll;
	bool write;                              /* blk: write tests (original data restored) */
	const char *tests;                       /* --test=LIST, NULL: every test that applies */
	unsigned bench_ms;                       /* blk.bench: run length per queue depth; 0: 3 s (tests shorten it) */
};

#define PROBE_DEFAULT_QUEUE_SIZE 256u
#define PROBE_DEFAULT_TIMEOUT_MS 5000u
#define PROBE_MAX_QUEUES 64u

/* One queue of the device: what its registers said, and the driver's ring when the probe set it up. */
struct probe_queue {
	uint16_t index;
	struct transport_queue_state state;      /* as read before setup */
	bool has_notify;
	struct transport_notify_info notify;
	struct virtqueue *vq;                    /* NULL: not set up */
	bool has_vector;
	uint16_t vector;                         /* read back after writing it */
	int irq_fd_index;                        /* eventfd to wait on, -1: poll */
	/* traffic through it, for the report */
	uint64_t requests, bytes_out, bytes_in;
};

enum probe_result { PROBE_PASS, PROBE_FAIL, PROBE_SKIP };

struct probe_test_result {
	char name[40];
	enum probe_result result;
	char detail[256];
	uint64_t bytes;                          /* moved through the device */
	bool has_latency;
	uint64_t latency_ns;                     /* mean per request */
};

#define PROBE_MAX_RESULTS 64u

struct probe {
	/* borrowed */
	struct transport *t;
	struct dma_pool *dma;
	struct vfio_device *vfio;                /* NULL: no interrupts (fake transport, mmio) */
	const struct probe_opts *opts;
	uint32_t device_id;

	struct vq_dma_allocator dma_alloc;
	struct violation_log violations;

	struct virtio_features offered, accepted, supported;
	bool features_ok;                        /* FEATURES_OK read back set */
	bool driver_ok;
	uint8_t status;                          /* last read */
	uint8_t *config;                         /* device configuration as read after FEATURES_OK */
	size_t config_len;

	uint16_t num_queues;
	struct probe_queue queues[PROBE_MAX_QUEUES];
	bool queues_truncated;

	struct probe_test_result results[PROBE_MAX_RESULTS];
	size_t n_results;
	char error[256];                         /* why the probe stopped early; "" when it did not */
};

/*
 * The driver's supported features for a device type: transport bits it
 * implements and the device bits its self-tests understand.
 */
struct virtio_features probe_supported_features(uint32_t device_id, bool modern);

/*
 * Spec 3.1.1 from reset to FEATURES_OK: reset (bounded), ACKNOWLEDGE,
 * DRIVER, read the device features, negotiate offered ∩ supported ∩ the
 * user's choice, FEATURES_OK and read back; then read the configuration.
 * DEVICE_NEEDS_RESET is checked after every step.  0, or a negative errno
 * with p->error set (violations recorded on the way).
 */
int probe_init_device(struct probe *p);
/*
 * Sets up the queues the self-tests use (`which` lists queue indices, n of
 * them), then DRIVER_OK.  Queues the device does not have are an error.
 */
int probe_setup_queues(struct probe *p, const uint16_t *which, size_t n);
/* Reads every queue's registers (size, notify offset, vector, enable) without setting any up. */
void probe_read_queue_registers(struct probe *p);

/*
 * One request: add, kick, wait (bounded by opts->timeout_ms) for this
 * request to come back.  *used_len gets the bytes the device wrote.
 * -ETIMEDOUT with p->error naming the queue and its indices, -EPROTO when
 * the device broke the ring, -ENODEV when it went away.
 */
int probe_request(struct probe *p, struct probe_queue *q, const struct vq_sg *sg, unsigned n_out, unsigned n_in,
		  uint32_t *used_len, uint64_t *latency_ns);
/*
 * Waits for any used buffer on q (for receive queues with buffers posted in
 * advance): 1 with cookie/len, or a negative errno as probe_request().
 */
int probe_wait_used(struct probe *p, struct probe_queue *q, void **cookie, uint32_t *len);
/*
 * Whether the device is gone or going: the kernel asked vfio for it back (a
 * hot-unplug waits in vfio-pci's release until we close it), its status
 * reads all-ones or fails, or it wants a reset.  Negative errno with
 * p->error naming queue q, or 0.  Waits that do not go through
 * probe_wait_used() call it every few milliseconds.
 */
int probe_check_device(struct probe *p, struct probe_queue *q);

/*
 * Per-queue reset (VIRTIO_F_RING_RESET, spec 2.6.1): resets queue pq, reads
 * whether it still shows enabled, then sets up and enables a fresh ring.
 */
int probe_queue_reset(struct probe *p, struct probe_queue *pq, bool *enabled_after_reset);

/* DMA memory for request buffers: zeroed, lives until the pool goes. */
int probe_dma(struct probe *p, size_t len, struct dma_chunk *out);

/* Sets p->error (one sentence: why the probe stops) and returns err, for `return probe_fail(...)`. */
int probe_fail(struct probe *p, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records a test result; printf-style detail. */
struct probe_test_result *probe_result(struct probe *p, const char *name, enum probe_result r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Config helpers: little-endian fields of p->config, 0 past its end (callers check config_len first). */
uint64_t probe_config_le(const struct probe *p, size_t off, unsigned width);

/* Resets the device, frees the queues and configuration; leaves t, dma and vfio to their owners. */
void probe_finish(struct probe *p);

/* The report: features, configuration, queues, tests, violations; text and JSON from one walk. */
void probe_render(struct emit *e, const struct probe *p, const char *address, const char *transport_name,
		  const char *dma_mode, const char *interrupts);

#endif
