/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Input device self-tests (spec 5.8): configuration selectors (name, serial, ids, event bits, axes), the event queue. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe_tests.h"

/* Spec 5.8.4 configuration layout and selectors; event types from the evdev numbering the spec adopts. */
enum {
	CFG_SELECT = 0,
	CFG_SUBSEL = 1,
	CFG_SIZE = 2,
	CFG_U = 8,
	CFG_U_MAX = 128,
	SEL_ID_NAME = 0x01,
	SEL_ID_SERIAL = 0x02,
	SEL_ID_DEVIDS = 0x03,
	SEL_PROP_BITS = 0x10,
	SEL_EV_BITS = 0x11,
	SEL_ABS_INFO = 0x12,
	EV_SYN = 0x00,
	EV_KEY = 0x01,
	EV_ABS = 0x03,
	EV_MAX = 0x1f,
	EVENT_BYTES = 8,             /* virtio_input_event: le16 type, le16 code, le32 value */
	EVENT_BUFS = 64,
	EVENTS_SHOWN = 6,
	EVENTQ = 0,
};

static const char *const ev_names[EV_MAX + 1] = {
	[0x00] = "syn", [0x01] = "key", [0x02] = "rel", [0x03] = "abs", [0x04] = "msc", [0x05] = "sw",
	[0x11] = "led", [0x12] = "snd", [0x14] = "rep", [0x15] = "ff", [0x16] = "pwr", [0x17] = "ff_status",
};

/*
 * Selects (select, subsel) and reads size and the union under the
 * generation rule.  Returns size (0: nothing behind the selector) or a
 * negative errno; a size beyond the 128-byte union is a violation and is
 * clamped.
 */
static int cfg_select(struct probe *p, uint8_t select, uint8_t subsel, uint8_t *u)
{
	struct transport *t = p->t;
	uint8_t widths[CFG_U_MAX], size;
	int r;

	if (p->config_len < CFG_U + CFG_U_MAX)
		return probe_fail(p, -ERANGE, "input configuration is %zu bytes, shorter than the %u of spec 5.8.4",
				  p->config_len, CFG_U + CFG_U_MAX);
	if ((r = t->ops->config_write(t, CFG_SELECT, 1, select)) < 0 || (r = t->ops->config_write(t, CFG_SUBSEL, 1, subsel)) < 0)
		return probe_fail(p, r, "writing the input config selector 0x%02x/0x%02x failed: %s", select, subsel,
				  strerror(-r));
	/* Every field of the union is bytes or (for ids and abs info) naturally aligned le16/le32 read as bytes. */
	memset(widths, 1, sizeof(widths));
	if ((r = transport_config_read(t, CFG_SIZE, &size, 1, widths, NULL)) < 0 ||
	    (r = transport_config_read(t, CFG_U, u, CFG_U_MAX, widths, NULL)) < 0)
		return probe_fail(p, r, "reading the input config behind selector 0x%02x/0x%02x failed: %s", select, subsel,
				  strerror(-r));
	if (size > CFG_U_MAX) {
		violation_add(&p->violations, "input_cfg_size", "5.8.4",
			      "selector 0x%02x/0x%02x reports size %u, beyond the %u-byte union", select, subsel, size,
			      CFG_U_MAX);
		size = CFG_U_MAX;
	}
	return size;
}

/* A string selector as printable text ('?' for anything else). */
static int cfg_string(struct probe *p, uint8_t select, char *out, size_t out_len)
{
	uint8_t u[CFG_U_MAX];
	int n = cfg_select(p, select, 0, u);

	if (n < 0)
		return n;
	size_t k = 0;

	for (int i = 0; i < n && u[i] && k + 1 < out_len; i++)
		out[k++] = u[i] >= 0x20 && u[i] <= 0x7e ? (char)u[i] : '?';
	out[k] = '\0';
	return n;
}

static int test_config(struct probe *p)
{
	char name[CFG_U_MAX + 1], serial[CFG_U_MAX + 1];
	uint8_t u[CFG_U_MAX];
	int nn, ns, ni;

	if ((nn = cfg_string(p, SEL_ID_NAME, name, sizeof(name))) < 0 ||
	    (ns = cfg_string(p, SEL_ID_SERIAL, serial, sizeof(serial))) < 0 || (ni = cfg_select(p, SEL_ID_DEVIDS, 0, u)) < 0)
		return nn < 0 ? nn : ns < 0 ? ns : ni;
	char ids[96] = "no device ids";

	if (ni >= 8)
		snprintf(ids, sizeof(ids), "bustype 0x%04x vendor 0x%04x product 0x%04x version 0x%04x", vq_le16(u),
			 vq_le16(u + 2), vq_le16(u + 4), vq_le16(u + 6));
	probe_result(p, "input.config", nn ? PROBE_PASS : PROBE_FAIL, "name \"%s\", serial \"%s\", %s", name, serial, ids);
	return 0;
}

/* Bits set in a bitmap of n bytes: how many, their sum (a cheap fingerprint), lowest and highest. */
static void bitmap_summary(const uint8_t *b, int n, unsigned *count, unsigned *sum, int *lo, int *hi)
{
	*count = *sum = 0;
	*lo = *hi = -1;
	for (int i = 0; i < n * 8; i++) {
		if (!(b[i / 8] >> (i % 8) & 1))
			continue;
		(*count)++;
		*sum += (unsigned)i;
		if (*lo < 0)
			*lo = i;
		*hi = i;
	}
}

/* Appends to a NUL-terminated buffer, never past its end. */
static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/*
 * EV_BITS for every event type (subsel = type): which types the device
 * has, and for each its code count and code sum; the axes' ABS_INFO ranges.
 */
static int test_ev_bits(struct probe *p)
{
	char detail[256] = "", axes[96] = "";
	uint8_t u[CFG_U_MAX];
	unsigned types = 0;
	bool bad_axis = false;

	for (unsigned ev = 1; ev <= EV_MAX; ev++) {
		int n = cfg_select(p, SEL_EV_BITS, (uint8_t)ev, u);
		unsigned count, sum;
		int lo, hi;

		if (n < 0)
			return n;
		/* 5.8.5.2: a non-zero size means the type is supported, even with no code bits set (EV_REP). */
		if (!n)
			continue;
		bitmap_summary(u, n, &count, &sum, &lo, &hi);
		types++;
		if (ev_names[ev])
			append(detail, sizeof(detail), "%s%s %u codes sum %u", types > 1 ? "; " : "", ev_names[ev], count, sum);
		else
			append(detail, sizeof(detail), "%stype%u %u codes sum %u", types > 1 ? "; " : "", ev, count, sum);
		if (ev != EV_ABS)
			continue;
		/* Each axis the device reports must have its range (5.8.4: ABS_INFO, subsel = axis). */
		for (int axis = lo; axis >= 0 && axis <= hi && axis < n * 8; axis++) {
			uint8_t a[CFG_U_MAX];

			if (!(u[axis / 8] >> (axis % 8) & 1))
				continue;
			int m = cfg_select(p, SEL_ABS_INFO, (uint8_t)axis, a);

			if (m < 0)
				return m;
			if (m < 8 || (int32_t)vq_le32(a) > (int32_t)vq_le32(a + 4)) {
				bad_axis = true;
				continue;
			}
			append(axes, sizeof(axes), "%s%d:%d..%d", axes[0] ? " " : "", axis, (int32_t)vq_le32(a),
			       (int32_t)vq_le32(a + 4));
		}
	}
	int np = cfg_select(p, SEL_PROP_BITS, 0, u);
	unsigned pcount, psum;
	int plo, phi;

	if (np < 0)
		return np;
	bitmap_summary(u, np, &pcount, &psum, &plo, &phi);
	if (pcount)
		append(detail, sizeof(detail), "; prop %u bits sum %u", pcount, psum);
	if (axes[0])
		append(detail, sizeof(detail), "; axes %s", axes);
	probe_result(p, "input.ev_bits", types && !bad_axis ? PROBE_PASS : PROBE_FAIL, "%s%s", types ? detail : "no event types",
		     bad_axis ? "; an axis without a usable ABS_INFO range" : "");
	return 0;
}

/* Whether the device advertises events of this type (EV_SYN always allowed). */
static int type_advertised(struct probe *p, uint16_t type, bool *yes)
{
	uint8_t u[CFG_U_MAX];
	int n;

	*yes = type == EV_SYN;
	if (type == EV_SYN || type > EV_MAX)
		return 0;
	if ((n = cfg_select(p, SEL_EV_BITS, (uint8_t)type, u)) < 0)
		return n;
	*yes = n > 0;
	return 0;
}

/*
 * Posts EVENT_BUFS event buffers and waits (the request timeout) for the
 * first event, then collects until a quiet second.  Nothing to read when
 * nobody presses a key is a skip; an event of a type the device did not
 * advertise in EV_BITS fails.
 */
static int test_events(struct probe *p)
{
	struct probe_queue *q = &p->queues[EVENTQ];
	struct dma_chunk bufs;
	char shown[160] = "";
	unsigned got = 0, foreign = 0;
	int r;

	if ((r = probe_dma(p, EVENT_BUFS * EVENT_BYTES, &bufs)) < 0)
		return r;
	for (unsigned i = 0; i < EVENT_BUFS && i < vq_size(q->vq); i++) {
		struct vq_sg sg = { bufs.bus_addr + i * EVENT_BYTES, EVENT_BYTES };

		if ((r = vq_add(q->vq, &sg, 0, 1, (uint8_t *)bufs.vaddr + i * EVENT_BYTES)) < 0)
			return probe_fail(p, r, "posting input event buffers failed: %s", strerror(-r));
	}
	(void)vq_kick(q->vq);
	const struct probe_opts *orig = p->opts;
	struct probe_opts quiet = *orig;

	for (; got < 4 * EVENT_BUFS; got++) {
		void *cookie;
		uint32_t len;

		r = probe_wait_used(p, q, &cookie, &len);
		if (r == -ETIMEDOUT) {
			p->error[0] = '\0';
			r = 0;
			break;
		}
		if (r < 0)
			break;
		const uint8_t *e = cookie;
		uint16_t type = vq_le16(e), code = vq_le16(e + 2);
		uint32_t value = vq_le32(e + 4);
		bool ok;

		if (len < EVENT_BYTES) {
			violation_add(&p->violations, "input_short_event", "5.8.6",
				      "an event buffer came back with %u bytes, not the %u of virtio_input_event", len,
				      EVENT_BYTES);
		} else {
			if ((r = type_advertised(p, type, &ok)) < 0)
				break;
			foreign += !ok;
			if (got < EVENTS_SHOWN)
				append(shown, sizeof(shown), "%s%u %u %d", shown[0] ? ", " : "", type, code, (int32_t)value);
		}
		struct vq_sg sg = { bufs.bus_addr + (uint64_t)((const uint8_t *)cookie - (const uint8_t *)bufs.vaddr),
				    EVENT_BYTES };

		if ((r = vq_add(q->vq, &sg, 0, 1, cookie)) < 0)
			break;
		(void)vq_kick(q->vq);
		/* After the first event, the rest of a burst comes within a second. */
		quiet.timeout_ms = orig->timeout_ms < 1000 ? orig->timeout_ms : 1000;
		p->opts = &quiet;
	}
	p->opts = orig;
	if (r < 0)
		return r;
	if (!got)
		probe_result(p, "input.events", PROBE_SKIP, "no event within %u ms (nothing was pressed or moved)",
			     orig->timeout_ms);
	else
		probe_result_traffic(probe_result(p, "input.events", foreign ? PROBE_FAIL : PROBE_PASS,
						  "%u events (type code value): %s%s%s", got, shown, got > EVENTS_SHOWN ? ", ..." : "",
						  foreign ? "; some of a type EV_BITS does not advertise" : ""),
				     (uint64_t)got * EVENT_BYTES, 0);
	return 0;
}

static size_t input_queues(const struct probe *p, uint16_t *out, size_t max)
{
	(void)p;
	if (!max)
		return 0;
	out[0] = EVENTQ;
	return 1;
}

static const struct probe_test input_tests[] = {
	{ "input.config", "selectors ID_NAME, ID_SERIAL, ID_DEVIDS", test_config },
	{ "input.ev_bits", "EV_BITS of every event type, PROP_BITS, ABS_INFO of each axis", test_ev_bits },
	{ "input.events", "event buffers posted; events read until a quiet second (skip when none)", test_events },
	{ 0 },
};

const struct probe_suite probe_suite_input = {
	.name = "input",
	.device_id = 18,
	.queues = input_queues,
	.tests = input_tests,
};
