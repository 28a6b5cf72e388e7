/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Decoding a vq_snapshot into descriptors, chains, indices and anomalies; no printing. */
#ifndef RING_DECODE_VQ_DECODE_H
#define RING_DECODE_VQ_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "rd_error.h"
#include "vq_snapshot.h"

/*
 * Anomaly codes are stable: scripts and tests match on the string from
 * vq_anomaly_code_name() ("chain_loop", ...), so never renumber or rename.
 * The list lives in vq_anomaly.def (one X(code, name) line each).
 */
enum vq_anomaly_code {
#define VQ_ANOMALY(code, name, summary) code,
#include "vq_anomaly.def"
#undef VQ_ANOMALY
	VQ_ANOMALY__COUNT
};

const char *vq_anomaly_code_name(enum vq_anomaly_code c);
const char *vq_anomaly_code_summary(enum vq_anomaly_code c);

struct vq_anomaly {
	enum vq_anomaly_code code;
	uint32_t index;          /* offending descriptor / ring slot index */
	char message[192];       /* one sentence */
};

enum vq_desc_state {
	VQ_DESC_FREE,            /* owned by the driver, not exposed */
	VQ_DESC_AVAIL,           /* exposed to the device, not yet used: in flight */
	VQ_DESC_USED,            /* returned by the device, not yet reclaimed by the driver */
};

const char *vq_desc_state_name(enum vq_desc_state s);   /* "free", "in_flight", "used" */

/* One descriptor as read from memory. */
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;           /* split: next; packed: buffer id */
	bool present;            /* memory for it was in the snapshot */
	enum vq_desc_state state;
};

struct vq_chain_elem {
	uint32_t table_index;    /* index in the ring's table, or in the indirect table */
	bool indirect;           /* element of an indirect table */
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	bool write;              /* device-writable */
};

struct vq_chain {
	uint32_t head;           /* split: head descriptor index; packed: first descriptor's ring index */
	uint16_t id;             /* packed: buffer id; split: same as head */
	enum vq_desc_state state;
	struct vq_chain_elem *elems;
	size_t n_elems;
	uint64_t readable_bytes;
	uint64_t writable_bytes;
	bool has_used_len;
	uint32_t used_len;
	bool truncated;          /* walk stopped early (anomaly or missing memory) */
};

struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vq_decode_result {
	enum vq_ring_type ring_type;
	uint32_t size;
	uint32_t queue_index;

	/* split */
	uint16_t avail_flags, avail_idx;
	uint16_t used_flags, used_idx;
	bool has_used_event, has_avail_event;
	uint16_t used_event;     /* in avail ring: driver wants an interrupt after this */
	uint16_t avail_event;    /* in used ring: device wants a kick after this */

	/* packed: next positions with wrap counters, and event suppression structures */
	uint16_t driver_next, device_next;
	bool driver_wrap, device_wrap;
	bool driver_pos_inferred, device_pos_inferred;
	uint16_t driver_event_off_wrap, driver_event_flags;
	uint16_t device_event_off_wrap, device_event_flags;

	uint32_t in_flight;      /* buffers exposed to the device and not yet used */

	/* Whether the next notification in each direction would be suppressed. */
	bool kick_suppressed;
	bool interrupt_suppressed;

	struct vq_desc *descs;   /* size entries */
	uint16_t *avail_ring;    /* split: size entries (as in memory) */
	struct vq_used_elem *used_ring; /* split: size entries (as in memory) */

	struct vq_chain *chains; /* in-flight and used-but-unreclaimed chains, in ring order */
	size_t n_chains;

	struct vq_anomaly *anomalies;
	size_t n_anomalies;
};

/*
 * Decodes.  Returns 0 with *out set (anomalies are part of a successful
 * result), or a negative errno with *err filled when the snapshot itself is
 * unusable (size 0, not a power of two for split, areas missing entirely).
 */
int vq_decode(const struct vq_snapshot *s, struct vq_decode_result **out, struct rd_error *err);

/* Accepts NULL. */
void vq_decode_result_free(struct vq_decode_result *r);

enum {
	VQ_RENDER_VERBOSE = 1u << 0,   /* every descriptor, not only in-flight chains */
};

/*
 * Renders the result: a summary line first
 * ("queue 0: split, size 256, avail.idx 1234, used.idx 1230, 4 in flight, 1 anomaly"),
 * then chains and anomalies.  JSON top-level keys include ring_type, size,
 * avail_idx, used_idx, in_flight, chains (each with head and descriptors),
 * anomalies (each with code, index, message).
 */
void vq_render(struct emit *e, const struct vq_snapshot *s, const struct vq_decode_result *r,
	       unsigned flags);

#endif
