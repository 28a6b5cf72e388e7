/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci_cfg_decode on hand-built configuration spaces: a good modern device, then one spec violation at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pci_cap_virtio.h"
#include "pci_virtio.h"

/*
 * A modern virtio-net function laid out the way QEMU 7.2 does it, written
 * byte by byte from the PCI and virtio specs:
 *   BAR1 32-bit memory (MSI-X), BAR4 64-bit prefetchable memory (virtio)
 *   chain 0x34 -> 0x98 MSI-X -> 0x84 PCI_CFG -> 0x70 NOTIFY -> 0x60 DEVICE
 *                -> 0x50 ISR -> 0x40 COMMON -> end
 */
static const uint8_t good_cfg[PCI_CFG_LEN] = {
	[0x00] = 0xf4, 0x1a, 0x41, 0x10,       /* vendor 1af4, device 1041 */
	[0x04] = 0x06, 0x04, 0x10, 0x00,       /* command: mem+master, intx off; status: capability list */
	[0x08] = 0x01, 0x00, 0x00, 0x02,       /* revision 1, class 020000 */
	[0x0e] = 0x00,                         /* header type 0 */
	[0x14] = 0x00, 0x00, 0xbc, 0xfe,       /* BAR1: 32-bit memory */
	[0x20] = 0x0c, 0x40, 0xbf, 0xfe,       /* BAR4: 64-bit prefetchable memory ... */
	[0x24] = 0x00, 0x00, 0x00, 0x00,       /* ... BAR5 is its upper half */
	[0x2c] = 0xf4, 0x1a, 0x00, 0x11,       /* subsystem 1af4:1100 */
	[0x34] = 0x98,
	/* virtio common: cap_len 16, BAR4, offset 0, length 0x1000 */
	[0x40] = 0x09, 0x00, 0x10, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	/* ISR: BAR4, offset 0x1000, length 0x1000 */
	[0x50] = 0x09, 0x40, 0x10, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	/* device: BAR4, offset 0x2000, length 0x1000 */
	[0x60] = 0x09, 0x50, 0x10, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	/* notify: cap_len 20, BAR4, offset 0x3000, length 0x1000, notify_off_multiplier 4 */
	[0x70] = 0x09, 0x60, 0x14, 0x02, 0x04, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	         0x04, 0x00, 0x00, 0x00,
	/* PCI configuration access: cap_len 20, window all zero */
	[0x84] = 0x09, 0x70, 0x14, 0x05,
	/* MSI-X: next 0x84, control 0x0003 (4 entries, disabled), table BIR 1 + 0, PBA BIR 1 + 0x800 */
	[0x98] = 0x11, 0x84, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00,
};

static const struct pci_bar_desc good_bars[PCI_NUM_BARS] = {
	[0] = { .known = true },
	[1] = { .known = true, .size = 0x1000 },
	[2] = { .known = true },
	[3] = { .known = true },
	[4] = { .known = true, .size = 0x4000 },
	[5] = { .known = true },
};

static struct pci_cfg_decode *decode_len(const uint8_t *cfg, size_t len, bool needs_device_cfg)
{
	struct pci_cfg_decode_opts opts = { .bars = good_bars, .needs_device_cfg = needs_device_cfg };
	struct pci_cfg_decode *d = malloc(sizeof(*d));
	/* An exact-size heap copy: a read past len is a heap overflow under valgrind/ASan. */
	uint8_t *copy = malloc(len);

	assert_non_null(d);
	assert_non_null(copy);
	memcpy(copy, cfg, len);
	assert_int_equal(pci_cfg_decode(copy, len, &opts, d), 0);
	free(copy);
	return d;
}

static struct pci_cfg_decode *decode(const uint8_t *cfg)
{
	return decode_len(cfg, PCI_CFG_LEN, true);
}

static uint8_t *mutable_copy(void)
{
	uint8_t *c = malloc(PCI_CFG_LEN);

	assert_non_null(c);
	memcpy(c, good_cfg, PCI_CFG_LEN);
	return c;
}

static const struct virtio_pci_cap_info *cap_at(const struct pci_cfg_decode *d, uint16_t off)
{
	for (size_t i = 0; i < d->n_virtio; i++)
		if (d->virtio[i].cap_offset == off)
			return &d->virtio[i];
	fail_msg("no virtio capability at 0x%02x", off);
	return NULL;
}

static bool has_problem(const struct cap_problem *p, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].code, code))
			return true;
	return false;
}

static void test_good_modern(void **state)
{
	(void)state;
	struct pci_cfg_decode *d = decode(good_cfg);
	static const uint16_t chain[] = { 0x98, 0x84, 0x70, 0x60, 0x50, 0x40 };

	assert_int_equal(d->n_caps, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(d->caps[i].offset, chain[i]);
	assert_int_equal(d->caps[0].id, 0x11);
	assert_int_equal(d->n_virtio, 5);
	assert_true(d->caps_readable);
	assert_int_equal(pci_cfg_problem_count(d), 0);
	assert_true(d->bar_is_upper_half[5]);
	assert_false(d->bar_is_upper_half[4]);

	const struct virtio_pci_cap_info *c = cap_at(d, 0x40);
	assert_int_equal(c->cfg_type, VIRTIO_PCI_CAP_COMMON_CFG);
	assert_string_equal(c->type->name, "common");
	assert_true(c->has_location);
	assert_int_equal(c->bar, 4);
	assert_int_equal(c->offset, 0);
	assert_int_equal(c->length, 0x1000);

	c = cap_at(d, 0x70);
	assert_int_equal(c->cfg_type, VIRTIO_PCI_CAP_NOTIFY_CFG);
	assert_int_equal(c->offset, 0x3000);
	assert_true(c->has_notify_off_multiplier);
	assert_int_equal(c->notify_off_multiplier, 4);

	c = cap_at(d, 0x84);
	assert_string_equal(c->type->name, "pci_cfg");
	assert_null(c->type->lspci_name);
	assert_int_equal(c->cap_len, 20);

	assert_true(d->msix.present);
	assert_int_equal(d->msix.cap_offset, 0x98);
	assert_int_equal(d->msix.table_size, 4);
	assert_false(d->msix.enabled);
	assert_int_equal(d->msix.table_bar, 1);
	assert_int_equal(d->msix.table_offset, 0);
	assert_int_equal(d->msix.pba_bar, 1);
	assert_int_equal(d->msix.pba_offset, 0x800);
	assert_false(d->sriov.present);

	assert_ptr_equal(pci_cfg_find_virtio(d, VIRTIO_PCI_CAP_DEVICE_CFG), cap_at(d, 0x60));
	free(d);
}

static void test_cap_len_too_short(void **state)
{
	(void)state;
	uint8_t *cfg = mutable_copy();

	cfg[0x42] = 12; /* the common capability claims 12 bytes: no room for offset/length */
	struct pci_cfg_decode *d = decode(cfg);
	const struct virtio_pci_cap_info *c = cap_at(d, 0x40);

	assert_false(c->has_location);
	assert_int_equal(c->n_problems, 1);
	assert_string_equal(c->problems[0].code, "cap_len_short");
	/* Unusable, so the device has no common configuration a driver could use. */
	assert_null(pci_cfg_find_virtio(d, VIRTIO_PCI_CAP_COMMON_CFG));
	assert_true(has_problem(d->problems, d->n_problems, "missing_common_cfg"));
	assert_int_equal(pci_cfg_problem_count(d), 2);
	free(d);

	/* A notify capability of 16 bytes loses its multiplier but keeps its location. */
	free(cfg);
	cfg = mutable_copy();
	cfg[0x72] = 16;
	d = decode(cfg);
	c = cap_at(d, 0x70);
	assert_true(c->has_location);
	assert_false(c->has_notify_off_multiplier);
	assert_true(has_problem(c->problems, c->n_problems, "cap_len_short"));
	free(d);
	free(cfg);
}

static void test_chain_loop(void **state)
{
	(void)state;
	uint8_t *cfg = mutable_copy();

	cfg[0x41] = 0x60; /* common (last) points back to the device capability */
	struct pci_cfg_decode *d = decode(cfg);

	assert_int_equal(d->n_caps, 6); /* every capability once, then the loop is named, not followed */
	assert_int_equal(d->n_problems, 1);
	assert_string_equal(d->problems[0].code, "chain_loop");
	assert_non_null(strstr(d->problems[0].msg, "0x41 leads back to 0x60"));
	free(d);

	/* A capability pointing at itself. */
	cfg[0x41] = 0x00;
	cfg[0x99] = 0x98;
	d = decode(cfg);
	assert_int_equal(d->n_caps, 1);
	assert_true(has_problem(d->problems, d->n_problems, "chain_loop"));
	free(d);
	free(cfg);
}

static void test_bar_out_of_range(void **state)
{
	(void)state;
	uint8_t *cfg = mutable_copy();

	cfg[0x74] = 7; /* notify in BAR 7: reserved */
	struct pci_cfg_decode *d = decode(cfg);
	const struct virtio_pci_cap_info *c = cap_at(d, 0x70);

	assert_int_equal(c->bar, 7);
	assert_true(has_problem(c->problems, c->n_problems, "bar_reserved"));
	assert_true(has_problem(d->problems, d->n_problems, "missing_notify_cfg"));
	free(d);

	/* BAR 5 exists as a register but holds the upper half of 64-bit BAR 4. */
	cfg[0x74] = 4;
	cfg[0x64] = 5;
	d = decode(cfg);
	c = cap_at(d, 0x60);
	assert_true(has_problem(c->problems, c->n_problems, "bar_upper_half"));
	assert_true(has_problem(d->problems, d->n_problems, "missing_device_cfg"));
	free(d);

	/* BAR 2 is not implemented on this function (size 0). */
	cfg[0x64] = 2;
	d = decode(cfg);
	c = cap_at(d, 0x60);
	assert_true(has_problem(c->problems, c->n_problems, "bar_not_implemented"));
	free(d);
	free(cfg);
}

static void test_pointer_out_of_range(void **state)
{
	(void)state;
	uint8_t *cfg = mutable_copy();

	cfg[0x61] = 0x20; /* device capability's next points into the header */
	struct pci_cfg_decode *d = decode(cfg);

	assert_int_equal(d->n_caps, 4); /* 0x98 0x84 0x70 0x60, not 0x20 */
	assert_true(has_problem(d->problems, d->n_problems, "pointer_out_of_range"));
	assert_true(has_problem(d->problems, d->n_problems, "missing_isr_cfg"));
	assert_true(has_problem(d->problems, d->n_problems, "missing_common_cfg"));
	free(d);

	/* The header's own capability pointer out of range: nothing is followed. */
	memcpy(cfg, good_cfg, PCI_CFG_LEN);
	cfg[0x34] = 0x3c;
	d = decode(cfg);
	assert_int_equal(d->n_caps, 0);
	assert_true(has_problem(d->problems, d->n_problems, "pointer_out_of_range"));
	free(d);

	/* Reserved low bits are masked (and reported), then the chain continues. */
	memcpy(cfg, good_cfg, PCI_CFG_LEN);
	cfg[0x34] = 0x9b;
	d = decode(cfg);
	assert_int_equal(d->n_caps, 6);
	assert_true(has_problem(d->problems, d->n_problems, "pointer_unaligned"));
	free(d);
	free(cfg);
}

static void test_region_checks(void **state)
{
	(void)state;
	uint8_t *cfg = mutable_copy();

	cfg[0x69] = 0x38; /* device region 0x3800 + 0x1000 passes the 0x4000 of BAR4 */
	cfg[0x5d] = 0x00; /* ISR length 0 */
	cfg[0x79] = 0x30; cfg[0x78] = 0x01; /* notify offset 0x3001: not 2-byte aligned */
	cfg[0x80] = 0x03; /* notify_off_multiplier 3 */
	struct pci_cfg_decode *d = decode(cfg);

	assert_true(has_problem(cap_at(d, 0x60)->problems, cap_at(d, 0x60)->n_problems, "region_beyond_bar"));
	assert_true(has_problem(cap_at(d, 0x50)->problems, cap_at(d, 0x50)->n_problems, "zero_length"));
	assert_true(has_problem(cap_at(d, 0x70)->problems, cap_at(d, 0x70)->n_problems, "offset_misaligned"));
	assert_true(has_problem(cap_at(d, 0x70)->problems, cap_at(d, 0x70)->n_problems, "notify_multiplier_invalid"));
	free(d);

	/* Common configuration shorter than the 56 bytes of the spec 1.0 structure. */
	memcpy(cfg, good_cfg, PCI_CFG_LEN);
	cfg[0x4c] = 0x20;
	cfg[0x4d] = 0x00;
	d = decode(cfg);
	assert_true(has_problem(cap_at(d, 0x40)->problems, cap_at(d, 0x40)->n_problems, "length_short"));
	free(d);
	free(cfg);
}

static void test_shared_memory_and_vendor(void **state)
{
	(void)state;
	uint8_t *cfg = mutable_copy();
	static const uint8_t shm[24] = {
		0x09, 0xc8, 0x18, 0x08, 0x04, 0x02, 0x00, 0x00, /* cfg_type 8, BAR4, id 2 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, /* offset lo 0, length lo 0x40000000 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset hi 1, length hi 0 */
	};
	static const uint8_t vendor[8] = { 0x09, 0x00, 0x06, 0x09, 0xf4, 0x1a, 0x00, 0x00 };

	memcpy(cfg + 0xb0, shm, sizeof(shm));
	memcpy(cfg + 0xc8, vendor, sizeof(vendor));
	cfg[0x41] = 0xb0; /* common -> shm -> vendor -> end */
	struct pci_cfg_decode *d = decode(cfg);
	const struct virtio_pci_cap_info *c = cap_at(d, 0xb0);

	assert_int_equal(c->id, 2);
	assert_int_equal(c->offset, 0x100000000ULL);
	assert_int_equal(c->length, 0x40000000ULL);
	/* 4 GiB into a 16 KiB BAR. */
	assert_true(has_problem(c->problems, c->n_problems, "region_beyond_bar"));
	c = cap_at(d, 0xc8);
	assert_true(c->has_vendor_id);
	assert_int_equal(c->vendor_id, 0x1af4);
	assert_false(c->has_location);
	assert_true(has_problem(c->problems, c->n_problems, "vendor_id_virtio"));
	assert_true(has_problem(c->problems, c->n_problems, "cap_len_unaligned"));
	free(d);
	free(cfg);
}

static void test_truncated_read(void **state)
{
	(void)state;
	/* What an unprivileged reader gets: 64 bytes, the chain starts beyond them. */
	struct pci_cfg_decode *d = decode_len(good_cfg, PCI_CFG_HEADER_LEN, true);

	assert_false(d->caps_readable);
	assert_int_equal(d->n_caps, 0);
	assert_int_equal(pci_cfg_problem_count(d), 0);
	free(d);
	assert_int_equal(pci_virtio_classify(0x1000, good_cfg, PCI_CFG_HEADER_LEN), VDEV_PCI_UNKNOWN);
}

static void test_sriov_ext_cap(void **state)
{
	(void)state;
	uint8_t *cfg = calloc(1, PCI_CFG_EXT_LEN);

	assert_non_null(cfg);
	memcpy(cfg, good_cfg, PCI_CFG_LEN);
	/* 0x100: ARI (0x000e) v1 -> 0x140; 0x140: SR-IOV (0x0010) v1 -> end */
	cfg[0x100] = 0x0e; cfg[0x101] = 0x00; cfg[0x102] = 0x01; cfg[0x103] = 0x14;
	cfg[0x140] = 0x10; cfg[0x141] = 0x00; cfg[0x142] = 0x01; cfg[0x143] = 0x00;
	cfg[0x148] = 0x01;                     /* control: VF enable */
	cfg[0x14c] = 0x08;                     /* initial VFs 8 */
	cfg[0x14e] = 0x08;                     /* total VFs 8 */
	cfg[0x150] = 0x02;                     /* num VFs 2 */
	cfg[0x154] = 0x01; cfg[0x156] = 0x01;  /* first VF offset 1, stride 1 */
	cfg[0x15a] = 0x41; cfg[0x15b] = 0x10;  /* VF device id 0x1041 */
	struct pci_cfg_decode *d = decode_len(cfg, PCI_CFG_EXT_LEN, true);

	assert_int_equal(d->n_ext_caps, 2);
	assert_int_equal(d->ext_caps[1].offset, 0x140);
	assert_true(d->sriov.present);
	assert_true(d->sriov.vf_enable);
	assert_int_equal(d->sriov.total_vfs, 8);
	assert_int_equal(d->sriov.num_vfs, 2);
	assert_int_equal(d->sriov.vf_device_id, 0x1041);
	assert_int_equal(d->n_problems, 0);
	free(d);

	/* SR-IOV pointing back at ARI. */
	cfg[0x143] = 0x10;
	d = decode_len(cfg, PCI_CFG_EXT_LEN, true);
	assert_true(has_problem(d->problems, d->n_problems, "ext_chain_loop"));
	free(d);
	free(cfg);
}

static void test_classify(void **state)
{
	(void)state;
	uint8_t *cfg = mutable_copy();
	uint32_t id;

	assert_int_equal(pci_virtio_classify(0x1041, cfg, PCI_CFG_LEN), VDEV_PCI_MODERN);
	/* The same capabilities on a transitional id: transitional. */
	assert_int_equal(pci_virtio_classify(0x1000, cfg, PCI_CFG_LEN), VDEV_PCI_TRANSITIONAL);
	/* Only MSI-X in the chain: a legacy device. */
	cfg[0x99] = 0x00;
	assert_int_equal(pci_virtio_classify(0x1000, cfg, PCI_CFG_LEN), VDEV_PCI_LEGACY);
	free(cfg);

	assert_true(pci_virtio_device_id(0x1041, 0x1100, &id));
	assert_int_equal(id, 1);
	assert_true(pci_virtio_device_id(0x107f, 0, &id));
	assert_int_equal(id, 63);
	/* Transitional: the subsystem id carries the device id (spec 4.1.2.3). */
	assert_true(pci_virtio_device_id(0x1001, 0x0002, &id));
	assert_int_equal(id, 2);
	assert_false(pci_virtio_device_id(0x1080, 0x0002, &id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_modern),
		cmocka_unit_test(test_cap_len_too_short),
		cmocka_unit_test(test_chain_loop),
		cmocka_unit_test(test_bar_out_of_range),
		cmocka_unit_test(test_pointer_out_of_range),
		cmocka_unit_test(test_region_checks),
		cmocka_unit_test(test_shared_memory_and_vendor),
		cmocka_unit_test(test_truncated_read),
		cmocka_unit_test(test_sriov_ext_cap),
		cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
