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

/* At most this many anomalies are recorded; one more, too_many_anomalies, counts the rest. */
#define VQ_MAX_ANOMALIES 1000u
#define VQ_MAX_ASSUMPTIONS 8u
/* Anomaly about the whole ring (indices, flags, alignment): no index; JSON null. */
#define VQ_ANOMALY_NO_INDEX 0xffffffffu

struct vq_anomaly {
	enum vq_anomaly_code code;
	/*
	 * Descriptor problems: the descriptor's index in the table (packed: ring
	 * position; problems inside an indirect table: the descriptor pointing
	 * at the table, the message names the table entry).  Ring entry
	 * problems: the slot in the avail or used ring (idx % size).
	 * VQ_ANOMALY_NO_INDEX for whole-ring problems.
	 */
	uint32_t index;
	char message[192];       /* one sentence */
};

enum vq_desc_state {
	VQ_DESC_FREE,            /* owned by the driver, not exposed */
	VQ_DESC_AVAIL,           /* exposed to the device, not yet used: in flight */
	VQ_DESC_USED,            /* returned by the device, not yet reclaimed by the driver */
};

const char *vq_desc_state_name(enum vq_desc_state s);   /* "free", "in_flight", "used" */

/* Descriptor flag bits (split and packed share NEXT/WRITE/INDIRECT). */
enum {
	VQ_DESC_F_NEXT = 1,
	VQ_DESC_F_WRITE = 2,
	VQ_DESC_F_INDIRECT = 4,
	VQ_DESC_F_AVAIL = 1 << 7,    /* packed */
	VQ_DESC_F_USED = 1 << 15,    /* packed */
};

/* Packed event suppression flags (desc_event_flags, low two bits). */
enum {
	VQ_EVENT_FLAGS_ENABLE = 0,
	VQ_EVENT_FLAGS_DISABLE = 1,
	VQ_EVENT_FLAGS_DESC = 2,
};

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
	/*
	 * Element of an indirect table.  The ring descriptor that points at the
	 * table is an element of its own (flags has INDIRECT, indirect false)
	 * just before the table's elements, and counts as neither readable nor
	 * writable bytes.
	 */
	bool indirect;
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	bool write;              /* device-writable */
};

struct vq_chain {
	uint32_t head;           /* split: head descriptor index; packed: first descriptor's ring index */
	uint16_t id;             /* packed: buffer id; split: same as head */
	enum vq_desc_state state;
	/*
	 * split: the free-running avail index that published it (in flight) or
	 * the used index that returned it (used); packed: ring position of the
	 * first descriptor (in flight) or of the used descriptor (used).
	 */
	uint16_t ring_index;
	struct vq_chain_elem *elems;   /* packed used buffers: none (the device overwrote them) */
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
	uint32_t queue_index;    /* VQ_QUEUE_INDEX_UNKNOWN when not known */
	enum vq_ring_type_from ring_type_from;
	struct virtio_features features;
	bool features_known;     /* false: features is 0 and meaningless (not given) */

	/* split; the has_ flags are false when the ring header was not in the snapshot */
	bool has_avail_idx, has_used_idx;
	uint16_t avail_flags, avail_idx;
	uint16_t used_flags, used_idx;
	bool has_used_event, has_avail_event;
	uint16_t used_event;     /* in avail ring: driver wants an interrupt after this */
	uint16_t avail_event;    /* in used ring: device wants a kick after this */
	bool has_last_avail_idx, has_last_used_idx;   /* copied from the snapshot when consistent */
	uint16_t last_avail_idx, last_used_idx;

	/* packed: next positions with wrap counters, and event suppression structures */
	uint16_t driver_next, device_next;
	bool driver_wrap, device_wrap;
	bool driver_pos_inferred, device_pos_inferred;
	bool has_driver_event, has_device_event;
	uint16_t driver_event_off_wrap, driver_event_flags;
	uint16_t device_event_off_wrap, device_event_flags;

	uint32_t in_flight;      /* buffers exposed to the device and not yet used */

	/*
	 * Whether the next notification in each direction would be suppressed:
	 * the kick after the driver makes one more buffer available, the
	 * interrupt after the device uses one more.  With EVENT_IDX that is
	 * vring_need_event(event, idx + 1, idx) being false, i.e. the event
	 * index differs from the current index; without it the NO_NOTIFY /
	 * NO_INTERRUPT flags (packed: DISABLE, or DESC naming another position).
	 * The has_ flags are false when the controlling memory was missing.
	 */
	bool has_kick_suppressed, has_interrupt_suppressed;
	bool kick_suppressed;
	bool interrupt_suppressed;

	struct vq_desc *descs;   /* size entries */
	uint16_t *avail_ring;    /* split: size entries (as in memory; 0 where memory was missing) */
	struct vq_used_elem *used_ring; /* split: size entries (as in memory; 0 where missing) */

	/* in-flight chains in ring order, then used-but-unreclaimed ones in used order */
	struct vq_chain *chains;
	size_t n_chains;
	struct vq_chain_elem *elem_pool;   /* storage behind every chain's elems */

	/* What the decode took for granted because the snapshot did not say (static strings). */
	const char *assumptions[VQ_MAX_ASSUMPTIONS];
	size_t n_assumptions;

	struct vq_anomaly *anomalies;
	size_t n_anomalies;
	size_t n_anomalies_total;   /* anomalies found, including those not recorded past VQ_MAX_ANOMALIES
	                               (the closing too_many_anomalies entry is not counted) */
};

/*
 * Decodes.  Returns 0 with *out set (anomalies are part of a successful
 * result), or a negative errno with *err filled when the snapshot itself is
 * unusable (size 0, above 32768, not a power of two for split, no byte of
 * any ring area present) or memory runs out.
 *
 * What memory cannot tell, and the assumption made instead:
 *  - split, which published buffers are still in flight when the device
 *    completes out of order: decided from the last publication and last use
 *    of each head (exact for IN_ORDER and for in-order completion);
 *  - split, which used entries the driver has not reclaimed: only known with
 *    the snapshot's last_used_idx, otherwise all are taken as reclaimed;
 *  - packed, the driver's position when the snapshot lacks it: where the
 *    AVAIL bits switch from this pass's wrap counter to the previous one's
 *    (best fit; a fresh, all-zero ring is 0/w1);
 *  - packed, the device's position when the snapshot lacks it: after the
 *    most recent used descriptor and the rest of its list (the following
 *    descriptors up to the one carrying its id; with IN_ORDER, the batch),
 *    or after the never-written (all-zero) slots of a fresh ring; exact for
 *    in-order completion;
 *  - packed, used descriptors are listed only with the snapshot's
 *    driver_used position; their buffers' descriptors were overwritten, so
 *    such chains have no elements and null byte counts in JSON.
 */
int vq_decode(const struct vq_snapshot *s, struct vq_decode_result **out, struct rd_error *err);

/* Accepts NULL. */
void vq_decode_result_free(struct vq_decode_result *r);

enum {
	VQ_RENDER_VERBOSE = 1u << 0,   /* every descriptor, not only in-flight chains */
	VQ_RENDER_SUMMARY = 1u << 1,   /* summary, state, assumptions and anomalies only: no chains, no descriptors */
};

/*
 * Renders the result: a summary line first
 *   split:  "queue 0: split, size 256, avail.idx 1234, used.idx 1230, 4 in flight, 1 anomaly"
 *   packed: "queue 0: packed, size 256, driver 17/w1, device 12/w1, 5 in flight, 0 anomalies"
 * ("queue ?" when the index is unknown, "?" for an index whose memory is
 * missing), then notification state, assumptions, chains and anomalies.
 * JSON top-level keys: queue, ring_type, size, avail_idx, used_idx
 * (packed: the driver's and device's next positions, with
 * avail_wrap_counter and used_wrap_counter as 0/1), in_flight,
 * anomaly_count, features (hex string; null when not given),
 * ring_type_from ("snapshot" | "option" | "features" | "default" |
 * "vqdump"); split: avail_flags, used_flags (hex strings), used_event,
 * avail_event, last_avail_idx, last_used_idx; packed: driver_pos_inferred,
 * device_pos_inferred, driver_event, device_event ({mode: "enable" |
 * "disable" | "desc" | "reserved", flags (hex string), off, wrap}), used_event and
 * avail_event (the DESC offsets); then kick_suppressed,
 * interrupt_suppressed, chains (ring_index, head, id, state, used_len,
 * readable_bytes, writable_bytes, truncated, descriptors [{index, addr
 * (hex string), len, flags (hex string), flag_names, write, indirect}]),
 * with VQ_RENDER_VERBOSE descriptors [{index, present, addr, len, flags,
 * flag_names, next | id, state}] (null values where not present),
 * assumptions [strings: what the decode took for granted], and anomalies
 * [{code, index, message}].  VQ_RENDER_SUMMARY leaves out chains and
 * descriptors (the keys are absent).  Unknown values are null.
 * s may be NULL; it is not needed for rendering.
 */
void vq_render(struct emit *e, const struct vq_snapshot *s, const struct vq_decode_result *r,
	       unsigned flags);

#endif
