/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `info` reads from the registers of a device no driver owns, through the transport ops table. */
#include "virtio_regs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_hw.h"
#include "virtio_mmio_regs.h"
#include "virtio_spec.h"

/* Device configuration is read up to this many bytes even when the layout tables know nothing. */
#define CONFIG_UNTABLED_LEN 64
#define CONFIG_MAX_LEN 1024

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

/*
 * Reads the device configuration with the spec's retry rule (the
 * transport's generation counter, or two agreeing reads); a read that never
 * settled is kept and marked torn.
 */
static int read_config(struct transport *t, uint32_t device_id, struct virtio_regs *out)
{
	size_t len = virtio_regs_config_extent(device_id, t->config_len);
	uint8_t *buf, *width;
	int r;

	if (!len)
		return 0;
	buf = malloc(len);
	width = malloc(len);
	if (!buf || !width) {
		free(buf);
		free(width);
		return -ENOMEM;
	}
	config_widths(device_id, width, len);
	r = transport_config_read(t, 0, buf, len, width, NULL);
	free(width);
	if (r < 0 && r != -EAGAIN) {
		free(buf);
		return r;
	}
	out->config_torn = r == -EAGAIN;
	out->config = buf;
	out->config_len = len;
	return 0;
}

static void set_skipped(struct virtio_regs *out, const char *what)
{
	if (!out->skipped[0])
		snprintf(out->skipped, sizeof(out->skipped), "%s", what);
}

/* Per-queue registers of the first n queues (selector writes); counted: stop before the first of size 0. */
static int read_queues(struct transport *t, size_t n, bool counted, struct virtio_regs *out)
{
	if (n > VIRTIO_REGS_MAX_QUEUES) {
		n = VIRTIO_REGS_MAX_QUEUES;
		out->queues_truncated = true;
	}
	for (size_t i = 0; i < n; i++) {
		struct virtio_queue_info *q = &out->queues[i];
		struct transport_queue_state st;
		int r = t->ops->get_queue_state(t, (uint16_t)i, &st);

		if (r < 0)
			return r;
		if (counted && !st.max_size)
			break;
		*q = (struct virtio_queue_info){
			.index = (uint16_t)i, .size = st.max_size,
			.has_msix_vector = st.has_vector, .msix_vector = st.vector,
			.has_enabled = st.has_enabled, .enabled = st.enabled,
			.has_notify_off = st.has_notify_off, .notify_off = st.notify_off,
		};
		out->n_queues = i + 1;
	}
	return 0;
}

/* Transports without a queue count: queues exist up to the first of size 0. */
static int read_counted_queues(struct transport *t, struct virtio_regs *out)
{
	int r = read_queues(t, VIRTIO_REGS_MAX_QUEUES, true, out);

	out->has_num_queues = true;
	out->num_queues = (uint16_t)out->n_queues;
	return r;
}

static int read_status(struct transport *t, struct virtio_regs *out)
{
	int r = t->ops->get_status(t, &out->status);

	out->has_status = r == 0;
	return r;
}

static int read_generation(struct transport *t, struct virtio_regs *out)
{
	uint32_t g;
	int r = t->ops->get_config_generation(t, &g);

	if (r == 0)
		out->has_generation = true, out->generation = (uint8_t)g;
	return r;
}

static int read_offered(struct transport *t, struct virtio_regs *out)
{
	int r = t->ops->get_device_features(t, &out->offered);

	out->has_offered = r == 0;
	return r;
}

#define NOT_READ_SELECTORS "offered features and queue sizes not read: they need selector writes (--read-only); " \
			   "feature-dependent configuration fields are decoded as if every feature were offered"

/* ---- PCI modern ---- */

static int modern_device_config(struct transport *t, struct bar_access *a, const struct pci_cfg_decode *dec,
				uint32_t device_id, struct virtio_regs *out)
{
	const struct virtio_pci_cap_info *dev = pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_DEVICE_CFG);

	if (!dev) {
		if (virtio_config_layout(device_id, &(size_t){ 0 }))
			set_skipped(out, "device configuration not read: no usable device configuration capability");
		return 0;
	}
	if (!a->bar[dev->bar].usable) {
		set_skipped(out, "device configuration not read: its BAR is not accessible");
		return 0;
	}
	if (!t->config_len) {
		set_skipped(out, "device configuration not read: its region lies outside its BAR");
		return 0;
	}
	return read_config(t, device_id, out);
}

/*
 * Offered features and per-queue registers: selector writes, after which the
 * selectors are put back as they were (a driver that comes later, or
 * another reader, finds what it left).
 */
static int read_selected(struct transport *t, struct bar_access *a, const struct pci_cfg_decode *dec,
			 struct virtio_regs *out)
{
	const struct virtio_pci_cap_info *c = pci_cfg_find_virtio(dec, VIRTIO_PCI_CAP_COMMON_CFG);
	uint64_t feat_sel = c->offset + VIRTIO_PCI_COMMON_CFG_OFF(device_feature_select);
	uint64_t queue_sel = c->offset + VIRTIO_PCI_COMMON_CFG_OFF(queue_select);
	uint32_t saved_feat, saved_queue;
	int r;

	if ((r = bar_read(a, c->bar, feat_sel, 4, &saved_feat)) < 0 || (r = bar_read(a, c->bar, queue_sel, 2, &saved_queue)) < 0)
		return r;
	if ((r = read_offered(t, out)) < 0 || (r = read_queues(t, out->num_queues, false, out)) < 0)
		return r;
	if ((r = bar_write(a, c->bar, feat_sel, 4, saved_feat)) < 0)
		return r;
	return bar_write(a, c->bar, queue_sel, 2, saved_queue);
}

int virtio_regs_read_pci_modern(struct bar_access *a, const struct pci_cfg_decode *dec, uint32_t device_id,
				bool allow_writes, struct virtio_regs *out)
{
	struct transport *t = NULL;
	char why[sizeof(out->skipped)];
	int r;

	memset(out, 0, sizeof(*out));
	out->layout = "modern";
	if ((r = transport_open_pci_modern(a, dec, device_id, &t, why, sizeof(why))) < 0) {
		set_skipped(out, why);
		return r;
	}
	if ((r = t->ops->get_num_queues(t, &out->num_queues)) < 0)
		goto io_error;
	out->has_num_queues = true;
	if ((r = read_status(t, out)) < 0 || (r = read_generation(t, out)) < 0)
		goto io_error;
	if (allow_writes) {
		if ((r = read_selected(t, a, dec, out)) < 0)
			goto io_error;
	} else {
		set_skipped(out, NOT_READ_SELECTORS);
	}
	if ((r = modern_device_config(t, a, dec, device_id, out)) < 0)
		goto io_error;
	transport_free(t);
	return 0;
io_error:
	snprintf(out->skipped, sizeof(out->skipped), "reading the virtio registers failed: %s", strerror(-r));
	transport_free(t);
	return r;
}

/* ---- PCI legacy ---- */

int virtio_regs_read_pci_legacy(struct bar_access *a, bool msix_enabled, uint32_t device_id, bool allow_writes,
				struct virtio_regs *out)
{
	struct transport *t = NULL;
	char why[sizeof(out->skipped)];
	int r;

	memset(out, 0, sizeof(*out));
	out->layout = "legacy";
	if ((r = transport_open_pci_legacy(a, msix_enabled, device_id, &t, why, sizeof(why))) < 0) {
		set_skipped(out, why);
		return r;
	}
	/* Host features and status are plain registers; only the ISR clears on read, and is never touched. */
	if ((r = read_offered(t, out)) < 0 || (r = read_status(t, out)) < 0)
		goto io_error;
	if (allow_writes) {
		if ((r = read_counted_queues(t, out)) < 0)
			goto io_error;
	} else {
		set_skipped(out, "queue sizes not read: they need selector writes (--read-only)");
	}
	if ((r = read_config(t, device_id, out)) < 0)
		goto io_error;
	transport_free(t);
	return 0;
io_error:
	snprintf(out->skipped, sizeof(out->skipped), "reading the legacy virtio header failed: %s", strerror(-r));
	transport_free(t);
	return r;
}

/* ---- virtio-mmio ---- */

int virtio_regs_read_mmio(struct bar_access *a, bool allow_writes, struct virtio_regs *out)
{
	struct transport *t = NULL;
	char why[sizeof(out->skipped)];
	int r;

	memset(out, 0, sizeof(*out));
	out->layout = "mmio";
	if (!a->bar[0].usable || a->bar[0].size < VIRTIO_MMIO_CONFIG) {
		set_skipped(out, "the MMIO window is smaller than the register block");
		return -ENODEV;
	}
	/* The identification registers are shown even when they say this is no virtio device. */
	if ((r = bar_read(a, 0, VIRTIO_MMIO_OFF(magic_value), 4, &out->mmio_magic)) < 0 ||
	    (r = bar_read(a, 0, VIRTIO_MMIO_OFF(version), 4, &out->mmio_version)) < 0 ||
	    (r = bar_read(a, 0, VIRTIO_MMIO_OFF(device_id), 4, &out->mmio_device_id)) < 0 ||
	    (r = bar_read(a, 0, VIRTIO_MMIO_OFF(vendor_id), 4, &out->mmio_vendor_id)) < 0)
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
	if ((r = transport_open_mmio(a, &t, why, sizeof(why))) < 0) {
		set_skipped(out, why);
		return r;
	}
	if ((r = read_status(t, out)) < 0)
		goto io_error;
	if (t->caps.has_config_generation && (r = read_generation(t, out)) < 0)
		goto io_error;
	if (allow_writes) {
		if ((r = read_offered(t, out)) < 0 || (r = read_counted_queues(t, out)) < 0)
			goto io_error;
	} else {
		set_skipped(out, NOT_READ_SELECTORS);
	}
	if ((r = read_config(t, out->mmio_device_id, out)) < 0)
		goto io_error;
	transport_free(t);
	return 0;
io_error:
	snprintf(out->skipped, sizeof(out->skipped), "reading the virtio-mmio registers failed: %s", strerror(-r));
	transport_free(t);
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
