/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoder of a PCI configuration space image: capability chains, virtio vendor capabilities, MSI-X, SR-IOV. */
#include "pci_cap_virtio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* PCI Local Bus / PCIe register offsets and ids used here. */
enum {
	PCI_STATUS_REG = 0x06,
	PCI_STATUS_CAP_LIST = 0x10,
	PCI_HEADER_TYPE_REG = 0x0e,
	PCI_BAR0_REG = 0x10,
	PCI_CAP_PTR_TYPE0 = 0x34,
	PCI_CAP_PTR_CARDBUS = 0x14,
	PCI_CAP_ID_VNDR = 0x09,
	PCI_CAP_ID_MSIX = 0x11,
	PCI_EXT_CAP_ID_SRIOV = 0x10,
	PCI_CAPS_START = 0x40,
	PCI_MSIX_CAP_LEN = 12,
	PCI_SRIOV_CAP_LEN = 0x40,
	VIRTIO_PCI_VENDOR_ID = 0x1af4,
};

/*
 * Virtio spec 4.1.4: the structure each cfg_type uses, its minimum region
 * and the alignment its offset needs.  The common configuration of spec
 * 1.0 ends at queue_device (0x38); later fields are optional extensions.
 */
static const struct virtio_pci_cap_type cap_types[] = {
	{ VIRTIO_PCI_CAP_COMMON_CFG, "common", "VIRTIO_PCI_CAP_COMMON_CFG", "common configuration",
	  16, 0x38, 4, true, "CommonCfg" },
	{ VIRTIO_PCI_CAP_NOTIFY_CFG, "notify", "VIRTIO_PCI_CAP_NOTIFY_CFG", "notifications",
	  20, 2, 2, true, "Notify" },
	{ VIRTIO_PCI_CAP_ISR_CFG, "isr", "VIRTIO_PCI_CAP_ISR_CFG", "ISR status",
	  16, 1, 1, true, "ISR" },
	{ VIRTIO_PCI_CAP_DEVICE_CFG, "device", "VIRTIO_PCI_CAP_DEVICE_CFG", "device-specific configuration",
	  16, 1, 4, true, "DeviceCfg" },
	{ VIRTIO_PCI_CAP_PCI_CFG, "pci_cfg", "VIRTIO_PCI_CAP_PCI_CFG", "PCI configuration access",
	  20, 0, 1, false, NULL },
	{ VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, "shared_memory", "VIRTIO_PCI_CAP_SHARED_MEMORY_CFG",
	  "shared memory region", 24, 1, 1, true, NULL },
	{ VIRTIO_PCI_CAP_VENDOR_CFG, "vendor", "VIRTIO_PCI_CAP_VENDOR_CFG", "vendor data",
	  6, 0, 1, false, NULL },
};

/* PCI capability ids (PCI Code and ID Assignment spec). */
static const struct {
	uint8_t id;
	const char *name;
} std_cap_names[] = {
	{ 0x01, "Power Management" }, { 0x02, "AGP" }, { 0x03, "VPD" }, { 0x04, "Slot ID" },
	{ 0x05, "MSI" }, { 0x06, "CompactPCI hot swap" }, { 0x07, "PCI-X" }, { 0x08, "HyperTransport" },
	{ 0x09, "Vendor Specific" }, { 0x0a, "Debug port" }, { 0x0b, "CompactPCI resource control" },
	{ 0x0c, "Hot-plug" }, { 0x0d, "Bridge subsystem vendor ID" }, { 0x0e, "AGP 8x" },
	{ 0x0f, "Secure device" }, { 0x10, "PCI Express" }, { 0x11, "MSI-X" }, { 0x12, "SATA" },
	{ 0x13, "Advanced features" }, { 0x14, "Enhanced allocation" }, { 0x15, "Flattening portal bridge" },
};

static const struct {
	uint16_t id;
	const char *name;
} ext_cap_names[] = {
	{ 0x0001, "Advanced Error Reporting" }, { 0x0002, "Virtual Channel" }, { 0x0003, "Device Serial Number" },
	{ 0x0004, "Power Budgeting" }, { 0x000b, "Vendor Specific" }, { 0x000d, "Access Control Services" },
	{ 0x000e, "Alternative Routing-ID" }, { 0x000f, "Address Translation Services" },
	{ 0x0010, "SR-IOV" }, { 0x0013, "Page Request" }, { 0x0015, "Resizable BAR" },
	{ 0x0017, "TPH Requester" }, { 0x0018, "Latency Tolerance Reporting" }, { 0x0019, "Secondary PCI Express" },
	{ 0x001b, "PASID" }, { 0x001e, "L1 PM Substates" }, { 0x0023, "Designated Vendor-Specific" },
	{ 0x0025, "Data Link Feature" }, { 0x0026, "Physical Layer 16.0 GT/s" },
};

const struct virtio_pci_cap_type *virtio_pci_cap_type_by_id(uint8_t cfg_type)
{
	for (size_t i = 0; i < sizeof(cap_types) / sizeof(cap_types[0]); i++)
		if (cap_types[i].cfg_type == cfg_type)
			return &cap_types[i];
	return NULL;
}

static const char *std_cap_name(uint8_t id)
{
	for (size_t i = 0; i < sizeof(std_cap_names) / sizeof(std_cap_names[0]); i++)
		if (std_cap_names[i].id == id)
			return std_cap_names[i].name;
	return NULL;
}

static const char *ext_cap_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof(ext_cap_names) / sizeof(ext_cap_names[0]); i++)
		if (ext_cap_names[i].id == id)
			return ext_cap_names[i].name;
	return NULL;
}

static void __attribute__((format(printf, 5, 6)))
add_problem(struct cap_problem *arr, size_t *n, size_t max, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (*n >= max)
		return;
	arr[*n].code = code;
	va_start(ap, fmt);
	vsnprintf(arr[*n].msg, sizeof(arr[*n].msg), fmt, ap);
	va_end(ap);
	(*n)++;
}

#define CFG_PROBLEM(d, code, ...) add_problem((d)->problems, &(d)->n_problems, CFG_MAX_PROBLEMS, code, __VA_ARGS__)
#define CAP_PROBLEM(c, code, ...) add_problem((c)->problems, &(c)->n_problems, CAP_MAX_PROBLEMS, code, __VA_ARGS__)

static void find_upper_half_bars(const uint8_t *cfg, struct pci_cfg_decode *out)
{
	/* Only a type 0 header has six BARs. */
	if ((cfg[PCI_HEADER_TYPE_REG] & 0x7f) != 0)
		return;
	for (unsigned i = 0; i + 1 < PCI_NUM_BARS; i++) {
		uint32_t bar = pci_cfg_le32(cfg + PCI_BAR0_REG + 4 * i);

		/* Memory BAR (bit 0 clear) of type 64-bit (bits 2:1 = 10b). */
		if (!(bar & 1) && ((bar >> 1) & 3) == 2) {
			out->bar_is_upper_half[i + 1] = true;
			i++;
		}
	}
}

static void check_region(struct virtio_pci_cap_info *c, const struct pci_cfg_decode *d,
			 const struct pci_cfg_decode_opts *opts)
{
	const struct virtio_pci_cap_type *t = c->type;

	if (c->bar >= PCI_NUM_BARS) {
		CAP_PROBLEM(c, "bar_reserved", "BAR number %u is reserved (0-5 are valid), so a driver must ignore "
			    "this capability", c->bar);
	} else if (d->bar_is_upper_half[c->bar]) {
		CAP_PROBLEM(c, "bar_upper_half", "BAR %u is the upper half of 64-bit BAR %u, not a BAR of its own",
			    c->bar, c->bar - 1);
	} else if (opts && opts->bars && opts->bars[c->bar].known) {
		const struct pci_bar_desc *b = &opts->bars[c->bar];

		if (!b->size)
			CAP_PROBLEM(c, "bar_not_implemented", "BAR %u is not implemented (size 0)", c->bar);
		else if (c->offset > b->size || c->length > b->size - c->offset)
			CAP_PROBLEM(c, "region_beyond_bar",
				    "region 0x%llx+0x%llx ends beyond the 0x%llx bytes of BAR %u",
				    (unsigned long long)c->offset, (unsigned long long)c->length,
				    (unsigned long long)b->size, c->bar);
	}
	if (c->length == 0)
		CAP_PROBLEM(c, "zero_length", "the %s region has length 0", t->title);
	else if (c->length < t->min_length)
		CAP_PROBLEM(c, "length_short", "length 0x%llx is smaller than the %u bytes the %s needs",
			    (unsigned long long)c->length, t->min_length, t->title);
	if (t->offset_align > 1 && c->offset % t->offset_align)
		CAP_PROBLEM(c, "offset_misaligned", "offset 0x%llx of the %s is not %u-byte aligned",
			    (unsigned long long)c->offset, t->title, t->offset_align);
	if (c->has_notify_off_multiplier) {
		uint32_t m = c->notify_off_multiplier;

		/* Spec 4.1.4.4.1: 0, or an even power of 2 (a multiple of 4 with NOTIFICATION_DATA). */
		if (m && ((m & (m - 1)) || m == 1))
			CAP_PROBLEM(c, "notify_multiplier_invalid",
				    "notify_off_multiplier %u is neither 0 nor an even power of 2", m);
	}
}

static void decode_vendor_data(const uint8_t *cfg, size_t avail, struct virtio_pci_cap_info *c)
{
	if (avail >= 6) {
		c->has_vendor_id = true;
		c->vendor_id = pci_cfg_le16(cfg + c->cap_offset + 4);
		if (c->vendor_id == VIRTIO_PCI_VENDOR_ID)
			CAP_PROBLEM(c, "vendor_id_virtio", "vendor_id is 0x1af4, which the spec forbids for vendor data");
	}
	if (c->cap_len % 4)
		CAP_PROBLEM(c, "cap_len_unaligned", "cap_len %u of vendor data is not a multiple of 4", c->cap_len);
}

static void decode_virtio_cap(const uint8_t *cfg, size_t len, uint16_t ptr, struct pci_cfg_decode *d,
			      const struct pci_cfg_decode_opts *opts)
{
	struct virtio_pci_cap_info *c = &d->virtio[d->n_virtio++];
	size_t avail;
	const uint8_t *p = cfg + ptr;

	*c = (struct virtio_pci_cap_info){ .cap_offset = ptr };
	if ((size_t)ptr + 4 > len) {
		d->caps_readable = false;
		return;
	}
	c->cap_len = p[2];
	c->cfg_type = p[3];
	c->type = virtio_pci_cap_type_by_id(c->cfg_type);
	avail = c->cap_len;
	if ((size_t)ptr + c->cap_len > len) {
		avail = len - ptr;
		if (len >= PCI_CFG_LEN)
			CAP_PROBLEM(c, "cap_len_out_of_range",
				    "cap_len %u runs past the end of configuration space at 0x%zx", c->cap_len,
				    len < PCI_CFG_EXT_LEN ? (size_t)PCI_CFG_LEN : len);
		else
			d->caps_readable = false;
	}
	if (c->type && c->cap_len < c->type->min_cap_len)
		CAP_PROBLEM(c, "cap_len_short", "cap_len is %u, but a %s capability needs %u bytes; fields "
			    "beyond cap_len are not decoded", c->cap_len, c->type->title, c->type->min_cap_len);
	if (c->cfg_type == VIRTIO_PCI_CAP_VENDOR_CFG) {
		decode_vendor_data(cfg, avail, c);
		return;
	}
	if (avail < 16)
		return;
	c->has_location = true;
	c->bar = p[4];
	c->id = p[5];
	c->offset = pci_cfg_le32(p + 8);
	c->length = pci_cfg_le32(p + 12);
	if (c->cfg_type == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG && avail >= 24) {
		c->offset |= (uint64_t)pci_cfg_le32(p + 16) << 32;
		c->length |= (uint64_t)pci_cfg_le32(p + 20) << 32;
	}
	if (c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG && avail >= 20) {
		c->has_notify_off_multiplier = true;
		c->notify_off_multiplier = pci_cfg_le32(p + 16);
	}
	/* The PCI_CFG window is rewritten by drivers at will; its bar/offset/length are not a region. */
	if (c->type && c->type->has_region)
		check_region(c, d, opts);
}

static void decode_msix(const uint8_t *cfg, size_t len, uint16_t ptr, struct pci_cfg_decode *d)
{
	struct pci_msix_info *m = &d->msix;

	if (m->present)
		return; /* the first one is what the kernel uses */
	if ((size_t)ptr + PCI_MSIX_CAP_LEN > len) {
		if (len < PCI_CFG_LEN)
			d->caps_readable = false;
		return;
	}
	uint16_t ctrl = pci_cfg_le16(cfg + ptr + 2);
	uint32_t table = pci_cfg_le32(cfg + ptr + 4);
	uint32_t pba = pci_cfg_le32(cfg + ptr + 8);

	*m = (struct pci_msix_info){
		.present = true,
		.cap_offset = ptr,
		.table_size = (uint16_t)((ctrl & 0x7ff) + 1),
		.enabled = ctrl & 0x8000,
		.function_masked = ctrl & 0x4000,
		.table_bar = table & 7,
		.table_offset = table & ~7u,
		.pba_bar = pba & 7,
		.pba_offset = pba & ~7u,
	};
	if (m->table_bar >= PCI_NUM_BARS)
		CFG_PROBLEM(d, "msix_bar_reserved", "MSI-X table BIR %u at 0x%02x is reserved (0-5 are valid)",
			    m->table_bar, ptr);
	if (m->pba_bar >= PCI_NUM_BARS)
		CFG_PROBLEM(d, "msix_bar_reserved", "MSI-X PBA BIR %u at 0x%02x is reserved (0-5 are valid)",
			    m->pba_bar, ptr);
}

static void walk_std_caps(const uint8_t *cfg, size_t len, struct pci_cfg_decode *d,
			  const struct pci_cfg_decode_opts *opts)
{
	bool visited[PCI_CFG_LEN] = { false };
	unsigned from = (cfg[PCI_HEADER_TYPE_REG] & 0x7f) == 2 ? PCI_CAP_PTR_CARDBUS : PCI_CAP_PTR_TYPE0;
	unsigned ptr = cfg[from];

	if (!(pci_cfg_le16(cfg + PCI_STATUS_REG) & PCI_STATUS_CAP_LIST))
		return;
	while (ptr) {
		if (ptr & 3) {
			CFG_PROBLEM(d, "pointer_unaligned", "capability pointer at 0x%02x is 0x%02x; its two low bits are "
				    "reserved and were masked", from, ptr);
			ptr &= ~3u;
			if (!ptr)
				break;
		}
		if (ptr < PCI_CAPS_START) {
			CFG_PROBLEM(d, "pointer_out_of_range", "capability pointer at 0x%02x points to 0x%02x, inside "
				    "the header (capabilities start at 0x40); not followed", from, ptr);
			break;
		}
		if (ptr + 2 > len) {
			/* Only a truncated read gets here: a byte pointer cannot leave 256 bytes. */
			d->caps_readable = false;
			break;
		}
		if (visited[ptr]) {
			CFG_PROBLEM(d, "chain_loop", "capability chain loops: the pointer at 0x%02x leads back to 0x%02x; "
				    "not followed", from, ptr);
			break;
		}
		visited[ptr] = true;
		if (d->n_caps >= PCI_MAX_CAPS)
			break; /* unreachable: 48 distinct aligned offsets fit in 0x40..0xfc */

		struct pci_cap_entry *e = &d->caps[d->n_caps++];
		*e = (struct pci_cap_entry){ .offset = (uint16_t)ptr, .id = cfg[ptr], .name = std_cap_name(cfg[ptr]),
					     .virtio_index = -1 };
		if (e->id == PCI_CAP_ID_VNDR) {
			e->virtio_index = (int)d->n_virtio;
			decode_virtio_cap(cfg, len, (uint16_t)ptr, d, opts);
		} else if (e->id == PCI_CAP_ID_MSIX) {
			decode_msix(cfg, len, (uint16_t)ptr, d);
		}
		from = ptr + 1;
		ptr = cfg[ptr + 1];
	}
}

static void decode_sriov(const uint8_t *cfg, size_t len, uint16_t ptr, struct pci_cfg_decode *d)
{
	const uint8_t *p = cfg + ptr;

	if (d->sriov.present || (size_t)ptr + PCI_SRIOV_CAP_LEN > len)
		return;
	d->sriov = (struct pci_sriov_info){
		.present = true,
		.cap_offset = ptr,
		.vf_enable = pci_cfg_le16(p + 0x08) & 1,
		.initial_vfs = pci_cfg_le16(p + 0x0c),
		.total_vfs = pci_cfg_le16(p + 0x0e),
		.num_vfs = pci_cfg_le16(p + 0x10),
		.vf_offset = pci_cfg_le16(p + 0x14),
		.vf_stride = pci_cfg_le16(p + 0x16),
		.vf_device_id = pci_cfg_le16(p + 0x1a),
	};
}

static void walk_ext_caps(const uint8_t *cfg, size_t len, struct pci_cfg_decode *d)
{
	bool visited[PCI_CFG_EXT_LEN / 4] = { false };
	unsigned ptr = PCI_CFG_LEN, from = 0;

	if (len <= PCI_CFG_LEN)
		return;
	while (ptr) {
		if (ptr & 3) {
			CFG_PROBLEM(d, "ext_pointer_unaligned", "extended capability pointer at 0x%03x is 0x%03x; its two "
				    "low bits are reserved and were masked", from, ptr);
			ptr &= ~3u;
		}
		if (ptr < PCI_CFG_LEN || ptr + 4 > len) {
			CFG_PROBLEM(d, "ext_pointer_out_of_range", "extended capability pointer at 0x%03x points to "
				    "0x%03x, outside 0x100-0x%zx; not followed", from, ptr, len - 4);
			break;
		}
		if (visited[ptr / 4]) {
			CFG_PROBLEM(d, "ext_chain_loop", "extended capability chain loops: the pointer at 0x%03x leads "
				    "back to 0x%03x; not followed", from, ptr);
			break;
		}
		visited[ptr / 4] = true;

		uint32_t hdr = pci_cfg_le32(cfg + ptr);
		/* No extended capabilities: the first header reads as 0 (or all ones on some hosts). */
		if (hdr == 0 || hdr == 0xffffffff)
			break;
		if (d->n_ext_caps >= PCI_MAX_EXT_CAPS)
			break;

		struct pci_cap_entry *e = &d->ext_caps[d->n_ext_caps++];
		*e = (struct pci_cap_entry){ .offset = (uint16_t)ptr, .id = hdr & 0xffff,
					     .name = ext_cap_name(hdr & 0xffff), .virtio_index = -1 };
		if (e->id == PCI_EXT_CAP_ID_SRIOV)
			decode_sriov(cfg, len, (uint16_t)ptr, d);
		from = ptr + 2;
		ptr = hdr >> 20;
	}
}

const struct virtio_pci_cap_info *pci_cfg_find_virtio(const struct pci_cfg_decode *d, uint8_t cfg_type)
{
	for (size_t i = 0; i < d->n_virtio; i++) {
		const struct virtio_pci_cap_info *c = &d->virtio[i];

		if (c->cfg_type != cfg_type || !c->has_location || !c->type || c->cap_len < c->type->min_cap_len)
			continue;
		if (c->type->has_region && (c->bar >= PCI_NUM_BARS || d->bar_is_upper_half[c->bar]))
			continue;
		return c;
	}
	return NULL;
}

static void check_required_caps(struct pci_cfg_decode *d, const struct pci_cfg_decode_opts *opts)
{
	static const struct {
		uint8_t cfg_type;
		const char *code;
	} required[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, "missing_common_cfg" },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, "missing_notify_cfg" },
		{ VIRTIO_PCI_CAP_ISR_CFG, "missing_isr_cfg" },
		{ VIRTIO_PCI_CAP_PCI_CFG, "missing_pci_cfg" },
		{ VIRTIO_PCI_CAP_DEVICE_CFG, "missing_device_cfg" },
	};

	/* A device without virtio capabilities is a legacy device: nothing is required of it. */
	if (!d->n_virtio || !d->caps_readable)
		return;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const struct virtio_pci_cap_type *t = virtio_pci_cap_type_by_id(required[i].cfg_type);

		if (required[i].cfg_type == VIRTIO_PCI_CAP_DEVICE_CFG && !(opts && opts->needs_device_cfg))
			continue;
		if (!pci_cfg_find_virtio(d, required[i].cfg_type))
			CFG_PROBLEM(d, required[i].code, "no usable %s capability (%s), which the spec requires",
				    t->title, t->spec_name);
	}
	for (size_t i = 0; i < d->n_virtio; i++) {
		const struct virtio_pci_cap_info *a = &d->virtio[i];

		if (a->cfg_type != VIRTIO_PCI_CAP_SHARED_MEMORY_CFG || !a->has_location)
			continue;
		for (size_t j = i + 1; j < d->n_virtio; j++) {
			const struct virtio_pci_cap_info *b = &d->virtio[j];

			if (b->cfg_type == a->cfg_type && b->has_location && b->id == a->id)
				CFG_PROBLEM(d, "shm_id_duplicate", "shared memory id %u is used by the capabilities at "
					    "0x%02x and 0x%02x; ids must be unique", a->id, a->cap_offset, b->cap_offset);
		}
	}
}

int pci_cfg_decode(const uint8_t *cfg, size_t len, const struct pci_cfg_decode_opts *opts,
		   struct pci_cfg_decode *out)
{
	memset(out, 0, sizeof(*out));
	if (!cfg || len < PCI_CFG_HEADER_LEN)
		return -EINVAL;
	if (len > PCI_CFG_EXT_LEN)
		len = PCI_CFG_EXT_LEN;
	out->cfg_len = len;
	out->caps_readable = true;
	find_upper_half_bars(cfg, out);
	walk_std_caps(cfg, len, out, opts);
	walk_ext_caps(cfg, len, out);
	check_required_caps(out, opts);
	return 0;
}

size_t pci_cfg_problem_count(const struct pci_cfg_decode *d)
{
	size_t n = d->n_problems;

	for (size_t i = 0; i < d->n_virtio; i++)
		n += d->virtio[i].n_problems;
	return n;
}
