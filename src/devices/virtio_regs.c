/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Virtio transport registers read from a device no driver owns: PCI modern/legacy layouts and virtio-mmio. */
#include "virtio_regs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_spec.h"

/* struct virtio_pci_common_cfg (spec 4.1.4.3). */
enum {
	COMMON_DEVICE_FEATURE_SELECT = 0x00,
	COMMON_DEVICE_FEATURE = 0x04,
	COMMON_NUM_QUEUES = 0x12,
	COMMON_DEVICE_STATUS = 0x14,
	COMMON_CONFIG_GENERATION = 0x15,
	COMMON_QUEUE_SELECT = 0x16,
	COMMON_QUEUE_SIZE = 0x18,
	COMMON_QUEUE_MSIX_VECTOR = 0x1a,
	COMMON_QUEUE_ENABLE = 0x1c,
	COMMON_QUEUE_NOTIFY_OFF = 0x1e,
	COMMON_END_1_0 = 0x20,   /* the per-queue fields read here end before queue_desc */
};

/* Legacy header in I/O BAR 0 (spec 4.1.4.10).  Offset 0x13 is the ISR: reading it clears it, never touched. */
enum {
	LEGACY_HOST_FEATURES = 0x00,
	LEGACY_QUEUE_PFN = 0x08,
	LEGACY_QUEUE_NUM = 0x0c,
	LEGACY_QUEUE_SEL = 0x0e,
	LEGACY_STATUS = 0x12,
	LEGACY_MSIX_QUEUE_VECTOR = 0x16,
	LEGACY_CONFIG_NO_MSIX = 20,
	LEGACY_CONFIG_MSIX = 24,
};

/* virtio-mmio registers (spec 4.2.2 and 4.2.4). */
enum {
	MMIO_MAGIC = 0x000,
	MMIO_VERSION = 0x004,
	MMIO_DEVICE_ID = 0x008,
	MMIO_VENDOR_ID = 0x00c,
	MMIO_DEVICE_FEATURES = 0x010,
	MMIO_DEVICE_FEATURES_SEL = 0x014,
	MMIO_QUEUE_SEL = 0x030,
	MMIO_QUEUE_NUM_MAX = 0x034,
	MMIO_QUEUE_PFN = 0x040,      /* version 1 */
	MMIO_QUEUE_READY = 0x044,    /* version 2 */
	MMIO_STATUS = 0x070,
	MMIO_CONFIG_GENERATION = 0x0fc,
	MMIO_CONFIG = 0x100,
};

/* Device configuration is read up to this many bytes even when the layout tables know nothing. */
#define CONFIG_UNTABLED_LEN 64
#define CONFIG_MAX_LEN 1024
#define CONFIG_READ_TRIES 4

size_t virtio_regs_config_extent(uint32_t device_id, size_t region_len)
{
	size_t n = 0, extent = 0;
	const struct virtio_cfg_field *f = virtio_config_layout(device_id, &n);

	for (size_t i = 0; f && i < n; i++)
		if ((size_t)f[i].offset + f[i].size > extent)
			extent = (size_t)f[i].offset + f[i].size;
	/*
	 * A type the tables know without a layout has no configuration (rng);
	 * an unknown type gets a raw look at its first bytes.
	 */
	if (!extent && !virtio_device_type_by_id(device_id))
		extent = CONFIG_UNTABLED_LEN;
	if (extent > CONFIG_MAX_LEN)
		extent = CONFIG_MAX_LEN;
	return extent < region_len ? extent : region_len;
}

/* The access width the spec wants for each byte: the natural width of the field that starts there. */
static void config_widths(uint32_t device_id, uint8_t *width, size_t len)
{
	size_t n = 0;
	const struct virtio_cfg_field *f = virtio_config_layout(device_id, &n);

	memset(width, 1, len);
	for (size_t i = 0; f && i < n; i++) {
		unsigned w = 1;

		switch (f[i].kind) {
		case VIRTIO_CFG_LE16:
			w = 2;
			break;
		case VIRTIO_CFG_LE32:
		case VIRTIO_CFG_LE64:
		case VIRTIO_CFG_SPEED:
			w = 4;
			break;
		case VIRTIO_CFG_FLAGS:
		case VIRTIO_CFG_ENUM:
			w = f[i].size >= 4 ? 4 : f[i].size;
			break;
		default:
			break;
		}
		for (size_t o = f[i].offset; w > 1 && o + w <= (size_t)f[i].offset + f[i].size && o + w <= len; o += w)
			width[o] = (uint8_t)w;
	}
}

static int read_block(struct bar_access *a, unsigned bar, uint64_t base, const uint8_t *width, uint8_t *buf,
		      size_t len)
{
	for (size_t pos = 0; pos < len;) {
		unsigned w = width[pos];
		uint32_t v;
		int r;

		if (pos % w || pos + w > len)
			w = 1;
		r = bar_read(a, bar, base + pos, w, &v);
		if (r < 0)
			return r;
		for (unsigned i = 0; i < w; i++)
			buf[pos + i] = (uint8_t)(v >> (8 * i));
		pos += w;
	}
	return 0;
}

/*
 * Reads the device configuration with the spec's retry rule: until the
 * generation counter is unchanged across the read, or (gen_off < 0, no
 * counter) until two consecutive reads agree.
 */
static int read_config(struct bar_access *a, unsigned bar, uint64_t base, size_t len, uint32_t device_id,
		       unsigned gen_bar, long long gen_off, unsigned gen_width, struct virtio_regs *out)
{
	uint8_t *buf = NULL, *prev = NULL, *width = NULL;
	int r = -ENOMEM;

	if (!len)
		return 0;
	buf = malloc(len);
	prev = malloc(len);
	width = malloc(len);
	if (!buf || !prev || !width)
		goto out;
	config_widths(device_id, width, len);
	out->config_torn = true;
	for (int tries = 0; tries < CONFIG_READ_TRIES; tries++) {
		uint32_t g1 = 0, g2 = 0;

		if (gen_off >= 0 && (r = bar_read(a, gen_bar, (uint64_t)gen_off, gen_width, &g1)) < 0)
			goto out;
		if ((r = read_block(a, bar, base, width, buf, len)) < 0)
			goto out;
		if (gen_off >= 0) {
			if ((r = bar_read(a, gen_bar, (uint64_t)gen_off, gen_width, &g2)) < 0)
				goto out;
			if (g1 == g2) {
				out->config_torn = false;
				break;
			}
		} else {
			if (tries && !memcmp(buf, prev, len)) {
				out->config_torn = false;
				break;
			}
			memcpy(prev, buf, len);
		}
	}
	out->config = buf;
	out->config_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	free(prev);
	free(width);
	return r;
}

static void set_skipped(struct virtio_regs *out, const char *what)
{
	if (!out->skipped[0])
		snprintf(out->skipped, sizeof(out->skipped), "%s", what);
}

/* ---- PCI modern ---- */

struct common_window {
	struct bar_access *a;
	const struct virtio_pci_cap_info *cap;
};

static int common_read(const struct common_window *c, unsigned off, unsigned width, uint32_t *v)
{
	if (off + width > c->cap->length)
		return -ERANGE;
	return bar_read(c->a, c->cap->bar, c->cap->offset + off, width, v);
}

static int common_write(const struct common_window *c, unsigned off, unsigned width, uint32_t v)
{
	if (off + width > c->cap->length)
		return -ERANGE;
	return bar_write(c->a, c->cap->bar, c->cap->offset + off, width, v);
}

static int read_offered_modern(const struct common_window *c, struct virtio_regs *out)
{
	uint32_t saved, v;
	int r = common_read(c, COMMON_DEVICE_FEATURE_SELECT, 4, &saved);

	if (r < 0)
		return r;
	for (uint32_t sel = 0; sel < VIRTIO_FEATURES_BITS / 32; sel++) {
		if ((r = common_write(c, COMMON_DEVICE_FEATURE_SELECT, 4, sel)) < 0 ||
		    (r = common_read(c, COMMON_DEVICE_FEATURE, 4, &v)) < 0)
			return r;
		out->offered.w[sel / 2] |= (uint64_t)v << (32 * (sel % 2));
	}
	out->has_offered = true;
	return common_write(c, COMMON_DEVICE_FEATURE_SELECT, 4, saved);
}

static int read_queues_modern(const struct common_window *c, struct virtio_regs *out)
{
	uint32_t saved, v;
	size_t n = out->num_queues;
	int r = common_read(c, COMMON_QUEUE_SELECT, 2, &saved);

	if (r < 0)
		return r;
	if (n > VIRTIO_REGS_MAX_QUEUES) {
		n = VIRTIO_REGS_MAX_QUEUES;
		out->queues_truncated = true;
	}
	for (size_t i = 0; i < n; i++) {
		struct virtio_queue_info *q = &out->queues[i];

		*q = (struct virtio_queue_info){ .index = (uint16_t)i };
		if ((r = common_write(c, COMMON_QUEUE_SELECT, 2, (uint32_t)i)) < 0 ||
		    (r = common_read(c, COMMON_QUEUE_SIZE, 2, &v)) < 0)
			return r;
		q->size = (uint16_t)v;
		if (common_read(c, COMMON_QUEUE_MSIX_VECTOR, 2, &v) == 0)
			q->has_msix_vector = true, q->msix_vector = (uint16_t)v;
		if (common_read(c, COMMON_QUEUE_ENABLE, 2, &v) == 0)
			q->has_enabled = true, q->enabled = v & 1;
		if (common_read(c, COMMON_QUEUE_NOTIFY_OFF, 2, &v) == 0)
			q->has_notify_off = true, q->notify_off = (uint16_t)v;
		out->n_queues = i + 1;
	}
	return common_write(c, COMMON_QUEUE_SELECT, 2, saved);
}

int virtio_regs_read_pci_modern(struct bar_access *a, const struct pci_cfg_decode *dec, uint32_t device_id,
				bool allow_writes, struct virtio_regs *out)
{
	const struct virtio_pci_cap_info *dev = pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_DEVICE_CFG);
	struct common_window c = { a, pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_COMMON_CFG) };
	uint32_t v;
	int r;

	memset(out, 0, sizeof(*out));
	out->layout = "modern";
	if (!c.cap) {
		set_skipped(out, "no usable common configuration capability: transport registers not read");
		return -ENODEV;
	}
	if (c.cap->length < COMMON_END_1_0 || !a->bar[c.cap->bar].usable) {
		set_skipped(out, "the common configuration region is too short or its BAR is not accessible");
		return -ERANGE;
	}
	if ((r = common_read(&c, COMMON_NUM_QUEUES, 2, &v)) < 0)
		goto io_error;
	out->has_num_queues = true;
	out->num_queues = (uint16_t)v;
	if ((r = common_read(&c, COMMON_DEVICE_STATUS, 1, &v)) < 0)
		goto io_error;
	out->has_status = true;
	out->status = (uint8_t)v;
	if ((r = common_read(&c, COMMON_CONFIG_GENERATION, 1, &v)) < 0)
		goto io_error;
	out->has_generation = true;
	out->generation = (uint8_t)v;
	if (allow_writes) {
		if ((r = read_offered_modern(&c, out)) < 0 || (r = read_queues_modern(&c, out)) < 0)
			goto io_error;
	} else {
		set_skipped(out, "offered features and queue sizes not read: they need selector writes (--read-only); "
				 "feature-dependent configuration fields are decoded as if every feature were offered");
	}
	if (!dev) {
		if (virtio_config_layout(device_id, &(size_t){ 0 }))
			set_skipped(out, "device configuration not read: no usable device configuration capability");
		return 0;
	}
	if (!a->bar[dev->bar].usable) {
		set_skipped(out, "device configuration not read: its BAR is not accessible");
		return 0;
	}
	r = read_config(a, dev->bar, dev->offset, virtio_regs_config_extent(device_id, dev->length), device_id,
			c.cap->bar, (long long)(c.cap->offset + COMMON_CONFIG_GENERATION), 1, out);
	if (r < 0)
		goto io_error;
	return 0;
io_error:
	snprintf(out->skipped, sizeof(out->skipped), "reading the virtio registers failed: %s", strerror(-r));
	return r;
}

/* ---- PCI legacy ---- */

int virtio_regs_read_pci_legacy(struct bar_access *a, bool msix_enabled, uint32_t device_id, bool allow_writes,
				struct virtio_regs *out)
{
	uint64_t cfg_off = msix_enabled ? LEGACY_CONFIG_MSIX : LEGACY_CONFIG_NO_MSIX;
	uint32_t v;
	int r;

	memset(out, 0, sizeof(*out));
	out->layout = "legacy";
	if (!a->bar[0].usable || !a->bar[0].io || a->bar[0].size < cfg_off) {
		set_skipped(out, "the legacy header needs an accessible I/O BAR 0");
		return -ENODEV;
	}
	/* Host features and status are plain registers; only the ISR at 0x13 clears on read. */
	if ((r = bar_read(a, 0, LEGACY_HOST_FEATURES, 4, &v)) < 0)
		goto io_error;
	out->has_offered = true;
	out->offered.w[0] = v;
	if ((r = bar_read(a, 0, LEGACY_STATUS, 1, &v)) < 0)
		goto io_error;
	out->has_status = true;
	out->status = (uint8_t)v;
	if (allow_writes) {
		for (uint32_t i = 0; i < VIRTIO_REGS_MAX_QUEUES; i++) {
			struct virtio_queue_info *q = &out->queues[i];

			if ((r = bar_write(a, 0, LEGACY_QUEUE_SEL, 2, i)) < 0 ||
			    (r = bar_read(a, 0, LEGACY_QUEUE_NUM, 2, &v)) < 0)
				goto io_error;
			if (!v)
				break;
			*q = (struct virtio_queue_info){ .index = (uint16_t)i, .size = (uint16_t)v };
			if (bar_read(a, 0, LEGACY_QUEUE_PFN, 4, &v) == 0)
				q->has_enabled = true, q->enabled = v != 0;
			if (msix_enabled && bar_read(a, 0, LEGACY_MSIX_QUEUE_VECTOR, 2, &v) == 0)
				q->has_msix_vector = true, q->msix_vector = (uint16_t)v;
			out->n_queues = i + 1;
		}
		out->has_num_queues = true;
		out->num_queues = (uint16_t)out->n_queues;
	} else {
		set_skipped(out, "queue sizes not read: they need selector writes (--read-only)");
	}
	r = read_config(a, 0, cfg_off, virtio_regs_config_extent(device_id, a->bar[0].size - cfg_off), device_id, 0,
			-1, 1, out);
	if (r < 0)
		goto io_error;
	return 0;
io_error:
	snprintf(out->skipped, sizeof(out->skipped), "reading the legacy virtio header failed: %s", strerror(-r));
	return r;
}

/* ---- virtio-mmio ---- */

static int read_mmio_queues(struct bar_access *a, struct virtio_regs *out)
{
	uint32_t v;
	int r;

	for (uint32_t i = 0; i < VIRTIO_REGS_MAX_QUEUES; i++) {
		struct virtio_queue_info *q = &out->queues[i];

		if ((r = bar_write(a, 0, MMIO_QUEUE_SEL, 4, i)) < 0 || (r = bar_read(a, 0, MMIO_QUEUE_NUM_MAX, 4, &v)) < 0)
			return r;
		if (!v)
			break;
		*q = (struct virtio_queue_info){ .index = (uint16_t)i, .size = (uint16_t)(v > 0xffff ? 0xffff : v) };
		if (bar_read(a, 0, out->mmio_version == 1 ? MMIO_QUEUE_PFN : MMIO_QUEUE_READY, 4, &v) == 0)
			q->has_enabled = true, q->enabled = out->mmio_version == 1 ? v != 0 : (v & 1);
		out->n_queues = i + 1;
	}
	out->has_num_queues = true;
	out->num_queues = (uint16_t)out->n_queues;
	return 0;
}

int virtio_regs_read_mmio(struct bar_access *a, bool allow_writes, struct virtio_regs *out)
{
	uint32_t v;
	int r;

	memset(out, 0, sizeof(*out));
	out->layout = "mmio";
	if (!a->bar[0].usable || a->bar[0].size < MMIO_CONFIG) {
		set_skipped(out, "the MMIO window is smaller than the register block");
		return -ENODEV;
	}
	if ((r = bar_read(a, 0, MMIO_MAGIC, 4, &out->mmio_magic)) < 0 ||
	    (r = bar_read(a, 0, MMIO_VERSION, 4, &out->mmio_version)) < 0 ||
	    (r = bar_read(a, 0, MMIO_DEVICE_ID, 4, &out->mmio_device_id)) < 0 ||
	    (r = bar_read(a, 0, MMIO_VENDOR_ID, 4, &out->mmio_vendor_id)) < 0)
		goto io_error;
	out->has_mmio_ids = true;
	if (out->mmio_magic != VIRTIO_MMIO_MAGIC || (out->mmio_version != 1 && out->mmio_version != 2)) {
		snprintf(out->skipped, sizeof(out->skipped), "not a virtio-mmio register block (magic 0x%08x, version "
			 "%u): nothing else read", out->mmio_magic, out->mmio_version);
		return -ENODEV;
	}
	/* Device id 0 is a placeholder window with no device behind it (spec 4.2.2.2). */
	if (!out->mmio_device_id)
		return 0;
	if ((r = bar_read(a, 0, MMIO_STATUS, 4, &v)) < 0)
		goto io_error;
	out->has_status = true;
	out->status = (uint8_t)v;
	if (out->mmio_version == 2) {
		if ((r = bar_read(a, 0, MMIO_CONFIG_GENERATION, 4, &v)) < 0)
			goto io_error;
		out->has_generation = true;
		out->generation = (uint8_t)v;
	}
	if (allow_writes) {
		/* Version 1 has 32 feature bits per selector too, but only selectors 0 and 1. */
		uint32_t nsel = out->mmio_version == 1 ? 2 : VIRTIO_FEATURES_BITS / 32;

		for (uint32_t sel = 0; sel < nsel; sel++) {
			if ((r = bar_write(a, 0, MMIO_DEVICE_FEATURES_SEL, 4, sel)) < 0 ||
			    (r = bar_read(a, 0, MMIO_DEVICE_FEATURES, 4, &v)) < 0)
				goto io_error;
			out->offered.w[sel / 2] |= (uint64_t)v << (32 * (sel % 2));
		}
		out->has_offered = true;
		if ((r = read_mmio_queues(a, out)) < 0)
			goto io_error;
	} else {
		set_skipped(out, "offered features and queue sizes not read: they need selector writes (--read-only); "
				 "feature-dependent configuration fields are decoded as if every feature were offered");
	}
	r = read_config(a, 0, MMIO_CONFIG, virtio_regs_config_extent(out->mmio_device_id, a->bar[0].size - MMIO_CONFIG),
			out->mmio_device_id, 0, out->mmio_version == 2 ? MMIO_CONFIG_GENERATION : -1, 4, out);
	if (r < 0)
		goto io_error;
	return 0;
io_error:
	snprintf(out->skipped, sizeof(out->skipped), "reading the virtio-mmio registers failed: %s", strerror(-r));
	return r;
}

void virtio_regs_free(struct virtio_regs *r)
{
	if (!r)
		return;
	free(r->config);
	r->config = NULL;
	r->config_len = 0;
}
