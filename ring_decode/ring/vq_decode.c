/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* vq_decode(): snapshot checks, allocation, anomaly list and chain bookkeeping shared by split and packed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vq_decode_internal.h"

static const char *const anomaly_names[] = {
#define VQ_ANOMALY(code, name, summary) [code] = name,
#include "vq_anomaly.def"
#undef VQ_ANOMALY
};

static const char *const anomaly_summaries[] = {
#define VQ_ANOMALY(code, name, summary) [code] = summary,
#include "vq_anomaly.def"
#undef VQ_ANOMALY
};

const char *vq_anomaly_code_name(enum vq_anomaly_code c)
{
	return (unsigned)c < VQ_ANOMALY__COUNT ? anomaly_names[c] : "unknown";
}

const char *vq_anomaly_code_summary(enum vq_anomaly_code c)
{
	return (unsigned)c < VQ_ANOMALY__COUNT ? anomaly_summaries[c] : "unknown anomaly";
}

const char *vq_desc_state_name(enum vq_desc_state s)
{
	switch (s) {
	case VQ_DESC_FREE: return "free";
	case VQ_DESC_AVAIL: return "in_flight";
	case VQ_DESC_USED: return "used";
	}
	return "unknown";
}

void vq_anomaly_add(struct vq_dec *d, enum vq_anomaly_code code, uint32_t index, const char *fmt, ...)
{
	struct vq_decode_result *r = d->r;
	va_list ap;

	r->n_anomalies_total++;
	if (r->n_anomalies >= VQ_MAX_ANOMALIES)
		return;
	if (r->n_anomalies == d->anomaly_cap) {
		size_t ncap = d->anomaly_cap ? d->anomaly_cap * 2 : 16;
		if (ncap > VQ_MAX_ANOMALIES + 1)
			ncap = VQ_MAX_ANOMALIES + 1;
		struct vq_anomaly *p = realloc(r->anomalies, ncap * sizeof(*p));
		if (!p) {
			d->err = -ENOMEM;
			return;
		}
		r->anomalies = p;
		d->anomaly_cap = ncap;
	}
	struct vq_anomaly *a = &r->anomalies[r->n_anomalies++];
	a->code = code;
	a->index = index;
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof(a->message), fmt, ap);
	va_end(ap);
}

/* The final too_many_anomalies entry; its slot was reserved by the cap. */
static void anomalies_close(struct vq_dec *d)
{
	struct vq_decode_result *r = d->r;

	if (r->n_anomalies_total <= r->n_anomalies || d->err)
		return;
	size_t dropped = r->n_anomalies_total - r->n_anomalies;
	if (r->n_anomalies == d->anomaly_cap) {
		struct vq_anomaly *p = realloc(r->anomalies, (d->anomaly_cap + 1) * sizeof(*p));
		if (!p) {
			d->err = -ENOMEM;
			return;
		}
		r->anomalies = p;
		d->anomaly_cap++;
	}
	struct vq_anomaly *a = &r->anomalies[r->n_anomalies++];
	a->code = VQ_ANOM_TOO_MANY_ANOMALIES;
	a->index = VQ_ANOMALY_NO_INDEX;
	snprintf(a->message, sizeof(a->message),
		 "%zu further anomalies were found but not recorded; the ring is probably not where the snapshot says",
		 dropped);
}

static void report_missing_run(struct vq_dec *d, const char *what, uint64_t base, uint32_t esize,
			       uint32_t first, uint32_t last)
{
	if (first == last)
		vq_anomaly_add(d, VQ_ANOM_MEMORY_MISSING, first,
			       "%s entry %u at 0x%llx is not in the snapshot", what, first,
			       (unsigned long long)(base + (uint64_t)first * esize));
	else
		vq_anomaly_add(d, VQ_ANOM_MEMORY_MISSING, first,
			       "%s entries %u..%u at 0x%llx are not in the snapshot", what, first, last,
			       (unsigned long long)(base + (uint64_t)first * esize));
}

const uint8_t *vq_area_map(struct vq_dec *d, const char *what, uint64_t addr, uint32_t count,
			   uint32_t esize, uint8_t **scratch, uint8_t *present)
{
	uint64_t len = (uint64_t)count * esize;
	const uint8_t *p = vq_mem_ptr(&d->s->mem, addr, len);

	*scratch = NULL;
	if (p) {
		if (present)
			memset(present, 1, count);
		return p;
	}
	uint8_t *buf = calloc(count ? count : 1, esize);
	if (!buf) {
		d->err = -ENOMEM;
		return NULL;
	}
	*scratch = buf;
	bool in_gap = false;
	uint32_t gap_start = 0;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t a = addr + (uint64_t)i * esize;
		bool ok = a >= addr && vq_mem_read(&d->s->mem, a, buf + (size_t)i * esize, esize, NULL) == 0;
		if (!ok)
			memset(buf + (size_t)i * esize, 0, esize);
		if (present)
			present[i] = ok;
		if (!ok && !in_gap) {
			in_gap = true;
			gap_start = i;
		} else if (ok && in_gap) {
			in_gap = false;
			report_missing_run(d, what, addr, esize, gap_start, i - 1);
		}
	}
	if (in_gap)
		report_missing_run(d, what, addr, esize, gap_start, count - 1);
	return buf;
}

bool vq_read_field(struct vq_dec *d, const char *what, uint64_t addr, void *dst, size_t len)
{
	uint64_t gap;

	if (vq_mem_read(&d->s->mem, addr, dst, len, &gap) == 0)
		return true;
	memset(dst, 0, len);
	vq_anomaly_add(d, VQ_ANOM_MEMORY_MISSING, VQ_ANOMALY_NO_INDEX,
		       "%s at 0x%llx is not in the snapshot (first missing byte 0x%llx)", what,
		       (unsigned long long)addr, (unsigned long long)gap);
	return false;
}

void vq_assume(struct vq_dec *d, const char *what)
{
	struct vq_decode_result *r = d->r;

	for (size_t i = 0; i < r->n_assumptions; i++)
		if (r->assumptions[i] == what)
			return;
	if (r->n_assumptions < VQ_MAX_ASSUMPTIONS)
		r->assumptions[r->n_assumptions++] = what;
}

void vq_report_desc_flags(struct vq_dec *d, const struct vq_chain *c, const struct vq_chain_elem *el,
			  uint32_t anomaly_index)
{
	if (el->indirect)
		vq_anomaly_add(d, VQ_ANOM_DESC_FLAGS_RESERVED, anomaly_index,
			       "entry %u of the indirect table of descriptor %u has flags 0x%x, with reserved bits set",
			       el->table_index, anomaly_index, el->flags);
	else
		vq_anomaly_add(d, VQ_ANOM_DESC_FLAGS_RESERVED, anomaly_index,
			       "descriptor %u in the chain of head %u has flags 0x%x, with reserved bits set",
			       el->table_index, c->head, el->flags);
}

bool vq_indirect_claim(struct vq_dec *d, uint64_t addr, uint32_t parent)
{
	uint32_t other;

	if (addr == 0) {
		if (!d->ind_zero_claimed) {
			d->ind_zero_claimed = true;
			d->ind_zero_owner = parent;
			return true;
		}
		other = d->ind_zero_owner;
	} else {
		/* allocated on the first table: a ring without indirect descriptors pays nothing */
		if (!d->ind_addr) {
			for (d->ind_cap = 16; d->ind_cap < 4 * (size_t)d->n; d->ind_cap *= 2)
				;
			d->ind_addr = calloc(d->ind_cap, sizeof(*d->ind_addr));
			d->ind_owner = malloc(d->ind_cap * sizeof(*d->ind_owner));
			if (!d->ind_addr || !d->ind_owner) {
				d->err = -ENOMEM;
				return false;
			}
		}
		/* at most one table per descriptor: the set never fills past half */
		size_t mask = d->ind_cap - 1, h = (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 20) & mask;
		while (d->ind_addr[h] && d->ind_addr[h] != addr)
			h = (h + 1) & mask;
		if (!d->ind_addr[h]) {
			d->ind_addr[h] = addr;
			d->ind_owner[h] = parent;
			return true;
		}
		other = d->ind_owner[h];
	}
	vq_anomaly_add(d, VQ_ANOM_INDIRECT_SHARED, parent,
		       "descriptor %u points at the indirect table at 0x%llx, which descriptor %u also points at; it is walked once",
		       parent, (unsigned long long)addr, other);
	return false;
}

bool vq_indirect_entry_read(struct vq_dec *d, struct vq_chain *c, uint32_t parent, uint64_t table, uint32_t i,
			    uint8_t raw[16])
{
	uint64_t at = table + 16ull * i;

	if (at >= table && vq_mem_read(&d->s->mem, at, raw, 16, NULL) == 0)
		return true;
	vq_anomaly_add(d, VQ_ANOM_MEMORY_MISSING, parent,
		       "entry %u of the indirect table of descriptor %u at 0x%llx is not in the snapshot", i, parent,
		       (unsigned long long)at);
	c->truncated = true;
	return false;
}

bool vq_chain_pool_grow(struct vq_dec *d, size_t ci)
{
	struct vq_chain *c = &d->r->chains[ci];

	if (d->pool_cap >= VQ_MAX_CHAIN_ELEMS) {
		if (!d->budget_reported) {
			d->budget_reported = true;
			vq_anomaly_add(d, VQ_ANOM_CHAIN_TOO_LONG, c->head,
				       "chains hold more than %u descriptors in total; the chain of head %u and later ones are cut short",
				       VQ_MAX_CHAIN_ELEMS, c->head);
		}
		c->truncated = true;
		return false;
	}
	size_t ncap = d->pool_cap * 2;
	if (ncap > VQ_MAX_CHAIN_ELEMS)
		ncap = VQ_MAX_CHAIN_ELEMS;
	struct vq_chain_elem *p = realloc(d->pool, ncap * sizeof(*p));
	if (!p) {
		d->err = -ENOMEM;
		c->truncated = true;
		return false;
	}
	d->pool = p;
	d->pool_cap = ncap;
	return true;
}

void vq_report_chain_elem(struct vq_dec *d, const struct vq_chain *c, const struct vq_chain_elem *el,
			  uint32_t anomaly_index, bool seen_write)
{
	const char *where = el->indirect ? "indirect table entry" : "descriptor";

	if (el->len == 0)
		vq_anomaly_add(d, VQ_ANOM_ZERO_LENGTH, anomaly_index, "%s %u in the chain of head %u has length 0",
			       where, el->table_index, c->head);
	if (!el->write && seen_write)
		vq_anomaly_add(d, VQ_ANOM_READABLE_AFTER_WRITABLE, anomaly_index,
			       "%s %u in the chain of head %u is device-readable but follows a device-writable one",
			       where, el->table_index, c->head);
}

void vq_report_chain_bytes(struct vq_dec *d, const struct vq_chain *c)
{
	vq_anomaly_add(d, VQ_ANOM_CHAIN_BYTES_OVERFLOW, c->head,
		       "the chain of head %u describes %llu bytes, more than 2^32", c->head,
		       (unsigned long long)(c->readable_bytes + c->writable_bytes));
}

static void chains_fixup(struct vq_dec *d)
{
	struct vq_decode_result *r = d->r;

	for (size_t i = 0; i < r->n_chains; i++)
		r->chains[i].elems = r->chains[i].n_elems ? d->pool + d->chain_first[i] : NULL;
}

/* Any byte of [addr, addr+len) present?  (len >= 1, the range within 2^64.) */
static bool area_touched(const struct vq_mem *m, uint64_t addr, uint64_t len)
{
	size_t i = vq_mem_lower_bound(m, addr);

	return i < m->n && m->segs[i].addr <= addr + (len - 1);
}

static int check_snapshot(const struct vq_snapshot *s, struct rd_error *err)
{
	const char *type = s->ring_type == VQ_RING_PACKED ? "packed" : "split";

	if (s->ring_type != VQ_RING_SPLIT && s->ring_type != VQ_RING_PACKED)
		return rd_fail(err, -EINVAL, "snapshot", false, 0, "unknown ring type %d", (int)s->ring_type);
	if (s->size == 0 || s->size > VQ_MAX_SIZE)
		return rd_fail(err, -EINVAL, "snapshot", false, 0,
			       "queue size %u is outside 1..%u; give the size the device reports", s->size,
			       VQ_MAX_SIZE);
	if (s->ring_type == VQ_RING_SPLIT && (s->size & (s->size - 1)))
		return rd_fail(err, -EINVAL, "snapshot", false, 0,
			       "split queue size %u is not a power of 2; check the size or the ring type", s->size);
	const struct {
		const char *name;
		uint64_t addr, size;
	} areas[] = {
		{ "descriptor", s->desc_addr, vq_desc_area_size(s) },
		{ "driver", s->driver_addr, vq_driver_area_size(s) },
		{ "device", s->device_addr, vq_device_area_size(s) },
	};
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		if (areas[i].addr + (areas[i].size - 1) < areas[i].addr)
			return rd_fail(err, -EINVAL, "snapshot", false, 0,
				       "the %s area at 0x%llx runs past the end of the 64-bit address space; check its address",
				       areas[i].name, (unsigned long long)areas[i].addr);
	if (!area_touched(&s->mem, s->desc_addr, vq_desc_area_size(s)) &&
	    !area_touched(&s->mem, s->driver_addr, vq_driver_area_size(s)) &&
	    !area_touched(&s->mem, s->device_addr, vq_device_area_size(s)))
		return rd_fail(err, -ENODATA, "snapshot", false, 0,
			       "no byte of the %s ring's descriptor, driver or device area (0x%llx, 0x%llx, 0x%llx) is in the snapshot; check the addresses",
			       type, (unsigned long long)s->desc_addr, (unsigned long long)s->driver_addr,
			       (unsigned long long)s->device_addr);
	return 0;
}

void vq_decode_result_free(struct vq_decode_result *r)
{
	if (!r)
		return;
	free(r->descs);
	free(r->avail_ring);
	free(r->used_ring);
	free(r->chains);
	free(r->anomalies);
	free(r->elem_pool);
	free(r);
}

int vq_decode(const struct vq_snapshot *s, struct vq_decode_result **out, struct rd_error *err)
{
	struct vq_dec d = { .s = s };
	struct vq_decode_result *r;
	int ret;

	*out = NULL;
	ret = check_snapshot(s, err);
	if (ret)
		return ret;
	d.n = s->size;
	d.features_known = !s->features_unknown;
	d.f_indirect = virtio_features_test(&s->features, VIRTIO_RING_F_INDIRECT_DESC_BIT);
	d.f_event_idx = virtio_features_test(&s->features, VIRTIO_RING_F_EVENT_IDX_BIT);
	d.f_in_order = virtio_features_test(&s->features, VIRTIO_F_IN_ORDER_BIT);
	d.f_notify_on_empty = virtio_features_test(&s->features, VIRTIO_F_NOTIFY_ON_EMPTY_BIT);
	d.big_endian = s->ring_type == VQ_RING_SPLIT && s->legacy_endian_big &&
		       !virtio_features_test(&s->features, VIRTIO_F_VERSION_1_BIT);

	r = calloc(1, sizeof(*r));
	d.r = r;
	if (!r)
		goto oom;
	r->ring_type = s->ring_type;
	r->size = s->size;
	r->queue_index = s->queue_index;
	r->features = s->features;
	r->features_known = d.features_known;
	r->ring_type_from = s->ring_type_from;
	if (!d.features_known) {
		d.f_indirect = d.f_event_idx = d.f_in_order = d.f_notify_on_empty = false;
		vq_assume(&d, "features not given: indirect descriptors are not checked against INDIRECT_DESC");
		vq_assume(&d, "features not given: IN_ORDER is not assumed, so completion order is not checked");
		if (s->ring_type == VQ_RING_SPLIT)
			vq_assume(&d, "features not given: with EVENT_IDX unknown, whether the next kick and interrupt are suppressed is unknown");
	}
	if (s->ring_type_from == VQ_RING_FROM_DEFAULT)
		vq_assume(&d, "ring type not given (no --ring-type, no RING_PACKED in --features): split assumed");
	/* one allocation per array per decode; decoders fill every entry they use */
	r->descs = calloc(d.n, sizeof(*r->descs));
	/* in-flight and used chains are each at most one per descriptor */
	r->chains = malloc(2 * (size_t)d.n * sizeof(*r->chains));
	d.chain_first = malloc(2 * (size_t)d.n * sizeof(*d.chain_first));
	/* room for one element per descriptor; indirect tables may grow it */
	d.pool_cap = d.n + 64;
	d.pool = malloc(d.pool_cap * sizeof(*d.pool));
	d.owner = malloc(d.n * sizeof(*d.owner));
	d.ind_seen = calloc(d.n, sizeof(*d.ind_seen));
	if (!r->descs || !r->chains || !d.chain_first || !d.pool || !d.owner || !d.ind_seen)
		goto oom;
	for (uint32_t i = 0; i < d.n; i++)
		d.owner[i] = VQ_NO_OWNER;

	ret = s->ring_type == VQ_RING_SPLIT ? vq_decode_split(&d) : vq_decode_packed(&d);
	if (!ret)
		ret = d.err;
	if (ret == -ENOMEM)
		goto oom;
	if (ret) {
		rd_fail(err, ret, "snapshot", false, 0, "decoding the ring failed");
		goto fail;
	}
	anomalies_close(&d);
	if (d.err)
		goto oom;
	chains_fixup(&d);
	r->elem_pool = d.pool;
	d.pool = NULL;
	free(d.chain_first);
	free(d.owner);
	free(d.ind_seen);
	free(d.ind_addr);
	free(d.ind_owner);
	*out = r;
	return 0;

oom:
	rd_fail(err, -ENOMEM, "snapshot", false, 0, "out of memory while decoding a queue of size %u",
		s->size);
	ret = -ENOMEM;
fail:
	free(d.pool);
	free(d.chain_first);
	free(d.owner);
	free(d.ind_seen);
	free(d.ind_addr);
	free(d.ind_owner);
	vq_decode_result_free(r);
	return ret;
}
