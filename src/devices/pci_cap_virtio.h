/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoder of a PCI configuration space image: capability chains, virtio vendor capabilities, MSI-X, SR-IOV. */
#ifndef VIRTIOCTL_PCI_CAP_VIRTIO_H
#define VIRTIOCTL_PCI_CAP_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_CFG_HEADER_LEN 64
#define PCI_CFG_LEN 256
#define PCI_CFG_EXT_LEN 4096
#define PCI_NUM_BARS 6

/* cfg_type values of struct virtio_pci_cap (virtio spec 4.1.4). */
enum {
	VIRTIO_PCI_CAP_COMMON_CFG = 1,
	VIRTIO_PCI_CAP_NOTIFY_CFG = 2,
	VIRTIO_PCI_CAP_ISR_CFG = 3,
	VIRTIO_PCI_CAP_DEVICE_CFG = 4,
	VIRTIO_PCI_CAP_PCI_CFG = 5,
	VIRTIO_PCI_CAP_SHARED_MEMORY_CFG = 8,
	VIRTIO_PCI_CAP_VENDOR_CFG = 9,
};

/* One thing wrong with a capability or the chain, against the virtio or PCI spec. */
struct cap_problem {
	const char *code;        /* stable snake_case id: "cap_len_short", "chain_loop", ... */
	char msg[160];           /* one sentence naming the problem */
};

#define CAP_MAX_PROBLEMS 6
#define CFG_MAX_PROBLEMS 16

/* What the spec says about one cfg_type; the table lives in pci_cap_virtio.c. */
struct virtio_pci_cap_type {
	uint8_t cfg_type;
	const char *name;        /* JSON and short text name: "common", "notify", "isr", ... */
	const char *spec_name;   /* "VIRTIO_PCI_CAP_COMMON_CFG" */
	const char *title;       /* "common configuration" */
	uint8_t min_cap_len;     /* sizeof the structure the cfg_type uses */
	uint32_t min_length;     /* smallest region that holds the structure; 0: no minimum */
	uint8_t offset_align;    /* required alignment of offset; 1: none */
	bool has_region;         /* bar/offset/length describe a region to check */
	const char *lspci_name;  /* what lspci 3.9 prints after "VirtIO: "; NULL: it prints <unknown> */
};

/* NULL for a reserved cfg_type. */
const struct virtio_pci_cap_type *virtio_pci_cap_type_by_id(uint8_t cfg_type);

struct virtio_pci_cap_info {
	uint16_t cap_offset;     /* where the capability starts in configuration space */
	uint8_t cap_len;
	uint8_t cfg_type;
	const struct virtio_pci_cap_type *type;  /* NULL: reserved cfg_type */
	bool has_location;       /* bar, id, offset and length were within cap_len and readable */
	uint8_t bar;
	uint8_t id;
	uint64_t offset;         /* 64-bit for shared memory (offset_hi) */
	uint64_t length;
	bool has_notify_off_multiplier;
	uint32_t notify_off_multiplier;
	bool has_vendor_id;
	uint16_t vendor_id;
	size_t n_problems;
	struct cap_problem problems[CAP_MAX_PROBLEMS];
};

/* One entry of the standard or extended capability chain, for the listing. */
struct pci_cap_entry {
	uint16_t offset;
	uint16_t id;
	const char *name;        /* "MSI-X", "Vendor Specific", ...; NULL when unknown */
	int virtio_index;        /* index into virtio[], or -1 */
};

struct pci_msix_info {
	bool present;
	uint16_t cap_offset;
	uint16_t table_size;     /* entries: the field plus one */
	bool enabled;
	bool function_masked;
	uint8_t table_bar;
	uint32_t table_offset;
	uint8_t pba_bar;
	uint32_t pba_offset;
};

struct pci_sriov_info {
	bool present;
	uint16_t cap_offset;
	bool vf_enable;
	uint16_t initial_vfs;
	uint16_t total_vfs;
	uint16_t num_vfs;
	uint16_t vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device_id;
};

/* What the caller knows about the BARs (sizes from sysfs); all-zero means unknown. */
struct pci_bar_desc {
	bool known;
	bool io;
	uint64_t size;
};

#define PCI_MAX_CAPS 48      /* (256 - 64) / 4: more entries means a loop */
#define PCI_MAX_EXT_CAPS 64

struct pci_cfg_decode {
	size_t cfg_len;          /* bytes of configuration space that were readable */
	bool caps_readable;      /* false: the chain points beyond what could be read (not root?) */
	size_t n_caps;
	struct pci_cap_entry caps[PCI_MAX_CAPS];
	size_t n_ext_caps;
	struct pci_cap_entry ext_caps[PCI_MAX_EXT_CAPS];
	size_t n_virtio;
	struct virtio_pci_cap_info virtio[PCI_MAX_CAPS];
	struct pci_msix_info msix;
	struct pci_sriov_info sriov;
	bool bar_is_upper_half[PCI_NUM_BARS];   /* BAR i holds the high dword of 64-bit BAR i-1 */
	size_t n_problems;       /* chain and device-level problems */
	struct cap_problem problems[CFG_MAX_PROBLEMS];
};

struct pci_cfg_decode_opts {
	const struct pci_bar_desc *bars;   /* PCI_NUM_BARS entries, or NULL */
	bool needs_device_cfg;   /* the device type has a device-specific configuration */
};

/*
 * Decodes `len` bytes of configuration space (64, 256 or 4096).  Never reads
 * past len, never follows a looping or out-of-range pointer.  Returns 0, or
 * -EINVAL when len is shorter than the header.
 */
int pci_cfg_decode(const uint8_t *cfg, size_t len, const struct pci_cfg_decode_opts *opts,
		   struct pci_cfg_decode *out);

/* The first virtio capability of a cfg_type with a usable location, or NULL. */
const struct virtio_pci_cap_info *pci_cfg_find_virtio(const struct pci_cfg_decode *d, uint8_t cfg_type);

/* Total number of problems found (chain, device level and per capability). */
size_t pci_cfg_problem_count(const struct pci_cfg_decode *d);

static inline uint16_t pci_cfg_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t pci_cfg_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
