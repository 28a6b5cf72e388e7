/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The spec's sequences over any transport: bounded reset, feature negotiation, config reads under the generation rule. */
#include "transport.h"
#include "transport_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Status polls sleep this long between reads: a reset is quick on every device model known. */
#define RESET_POLL_US 100u

uint64_t transport_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void transport_pause_us(unsigned us)
{
	struct timespec ts = { 0, (long)us * 1000L };

	nanosleep(&ts, NULL);
}

unsigned transport_timeout_ms(const struct transport *t)
{
	return t->reset_timeout_ms ? t->reset_timeout_ms : TRANSPORT_RESET_TIMEOUT_MS;
}

int transport_reset(struct transport *t)
{
	unsigned timeout = transport_timeout_ms(t);
	uint64_t deadline;
	bool all_ones = true;
	uint8_t s = 0xff;
	int r = t->ops->set_status(t, 0);

	if (r < 0)
		return r;
	deadline = transport_now_ms() + timeout;
	/* At least two reads, even when the clock says the deadline passed (a stopped VM). */
	for (unsigned reads = 0;; reads++) {
		if ((r = t->ops->get_status(t, &s)) < 0)
			return r;
		if (s == 0)
			return 0;
		if (s != 0xff)
			all_ones = false;
		if (reads >= 1 && transport_now_ms() >= deadline)
			break;
		transport_pause_us(RESET_POLL_US);
	}
	return all_ones ? -ENODEV : -ETIMEDOUT;
}

int transport_add_status(struct transport *t, uint8_t bits)
{
	uint8_t s;
	int r = t->ops->get_status(t, &s);

	if (r < 0)
		return r;
	if (s == 0xff)
		return -ENODEV;
	return t->ops->set_status(t, (uint8_t)(s | bits));
}

int transport_negotiate(struct transport *t, const struct virtio_features *driver_features)
{
	uint8_t s;
	int r = t->ops->set_driver_features(t, driver_features);

	if (r < 0)
		return r;
	/* Legacy devices have no FEATURES_OK (spec 3.1.2): writing the features is the negotiation. */
	if (t->caps.legacy)
		return 0;
	if ((r = transport_add_status(t, VIRTIO_STATUS_FEATURES_OK)) < 0)
		return r;
	if ((r = t->ops->get_status(t, &s)) < 0)
		return r;
	if (s == 0xff)
		return -ENODEV;
	if (transport_needs_reset(s))
		return -EIO;
	if (!(s & VIRTIO_STATUS_FEATURES_OK))
		return -EPROTO;
	return 0;
}

/* The width of the access at byte i: the caller's table, else 4 where aligned and whole, else 1. */
static unsigned access_width(const uint8_t *widths, uint32_t off, size_t i, size_t len)
{
	unsigned w = widths ? widths[i] : 4;

	if (w != 1 && w != 2 && w != 4)
		w = 1;
	if ((off + i) % w || i + w > len)
		w = w == 4 && (off + i) % 2 == 0 && i + 2 <= len ? 2 : 1;
	return w;
}

static int config_read_once(struct transport *t, uint32_t off, uint8_t *buf, size_t len, const uint8_t *widths)
{
	for (size_t i = 0; i < len;) {
		unsigned w = access_width(widths, off, i, len);
		uint32_t v;
		int r = t->ops->config_read(t, off + (uint32_t)i, w, &v);

		if (r < 0)
			return r;
		for (unsigned b = 0; b < w; b++)
			buf[i + b] = (uint8_t)(v >> (8 * b));
		i += w;
	}
	return 0;
}

int transport_config_read(struct transport *t, uint32_t off, void *buf, size_t len, const uint8_t *widths,
			  unsigned *tries)
{
	uint8_t *prev = NULL;
	bool gen = t->caps.has_config_generation;
	int r = -EAGAIN;

	if (off > t->config_len || len > t->config_len - off)
		return -ERANGE;
	if (!gen && !(prev = malloc(len ? len : 1)))
		return -ENOMEM;
	for (unsigned n = 1; n <= TRANSPORT_CONFIG_TRIES; n++) {
		uint32_t g1 = 0, g2 = 0;
		int e;

		if (tries)
			*tries = n;
		if (gen && (e = t->ops->get_config_generation(t, &g1)) < 0) {
			r = e;
			break;
		}
		if ((e = config_read_once(t, off, buf, len, widths)) < 0) {
			r = e;
			break;
		}
		if (gen) {
			if ((e = t->ops->get_config_generation(t, &g2)) < 0) {
				r = e;
				break;
			}
			if (g1 == g2) {
				r = 0;
				break;
			}
		} else {
			if (n > 1 && !memcmp(prev, buf, len)) {
				r = 0;
				break;
			}
			memcpy(prev, buf, len);
		}
	}
	free(prev);
	return r;
}

int transport_config_write(struct transport *t, uint32_t off, const void *buf, size_t len, const uint8_t *widths)
{
	const uint8_t *p = buf;

	if (off > t->config_len || len > t->config_len - off)
		return -ERANGE;
	for (size_t i = 0; i < len;) {
		unsigned w = access_width(widths, off, i, len);
		uint32_t v = 0;
		int r;

		for (unsigned b = 0; b < w; b++)
			v |= (uint32_t)p[i + b] << (8 * b);
		if ((r = t->ops->config_write(t, off + (uint32_t)i, w, v)) < 0)
			return r;
		i += w;
	}
	return 0;
}

void transport_close(struct transport *t)
{
	if (!t)
		return;
	transport_cleanup_unregister(t);
	/* A device that does not come back to 0 is left as it is: nothing else to do on the way out. */
	(void)transport_reset(t);
	t->ops->destroy(t);
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	transport_cleanup_unregister(t);
	t->ops->destroy(t);
}

void transport_legacy_ring_layout(uint16_t size, uint64_t *driver_off, uint64_t *device_off, uint64_t *total)
{
	/* spec 2.7.2 (legacy): desc[16*size], avail (flags, idx, ring[size], used_event), pad, used at 4096. */
	uint64_t avail = 16u * (uint64_t)size;
	uint64_t avail_end = avail + 6u + 2u * (uint64_t)size;
	uint64_t used = (avail_end + VIRTIO_LEGACY_VRING_ALIGN - 1) & ~(uint64_t)(VIRTIO_LEGACY_VRING_ALIGN - 1);

	*driver_off = avail;
	*device_off = used;
	*total = used + 6u + 8u * (uint64_t)size;
}
