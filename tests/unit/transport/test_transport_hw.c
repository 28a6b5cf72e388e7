/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci-modern, pci-legacy and virtio-mmio transports over register images: every write lands at the spec's offset. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transport_hw.h"

/* Offsets written out from the spec text (4.1.4.3, 4.1.4.10, 4.2.2), not taken from the project's headers. */
static uint32_t le32_at(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

static uint16_t le16_at(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static void add_cap(struct pci_cfg_decode *d, uint8_t type, uint8_t bar, uint64_t off, uint64_t len, uint32_t mult)
{
	struct virtio_pci_cap_info *c = &d->virtio[d->n_virtio++];

	*c = (struct virtio_pci_cap_info){ .cfg_type = type, .type = virtio_pci_cap_type_by_id(type), .has_location = true,
					   .bar = bar, .offset = off, .length = len };
	c->cap_len = c->type->min_cap_len;
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		c->has_notify_off_multiplier = true, c->notify_off_multiplier = mult;
}

static void test_pci_modern(void **state)
{
	static uint8_t bar4[0x4000];
	static struct pci_cfg_decode dec;
	struct transport_queue_setup su = { .size = 128, .desc_addr = 0x123456789000ULL, .driver_addr = 0xa000,
					    .device_addr = 0xb000 };
	struct transport_notify_info ni;
	struct virtio_features f;
	struct bar_access a = { 0 };
	struct transport *t = NULL;
	uint8_t cfg[6];
	uint16_t n;
	char why[160];

	(void)state;
	memset(bar4, 0, sizeof(bar4));
	memset(&dec, 0, sizeof(dec));
	add_cap(&dec, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0x0, 0x40, 0);
	add_cap(&dec, VIRTIO_PCI_CAP_ISR_CFG, 4, 0x1000, 4, 0);
	add_cap(&dec, VIRTIO_PCI_CAP_DEVICE_CFG, 4, 0x2000, 0x100, 0);
	add_cap(&dec, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000, 4);
	dec.msix.present = true;
	bar_access_open_memory(&a, 4, bar4, sizeof(bar4), false);
	bar4[0x12] = 3;                       /* num_queues */
	put32(bar4, 0x04, 0x80000001u);       /* device_feature (the image shows it for every selector) */
	memcpy(bar4 + 0x2000, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(transport_open_pci_modern(&a, &dec, 1, &t, why, sizeof(why)), 0);
	assert_string_equal(t->name, "pci-modern");
	assert_true(t->caps.has_queue_reset && t->caps.has_vectors && t->caps.feature_bits == 128);
	assert_int_equal(t->ops->get_num_queues(t, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(t->ops->get_device_features(t, &f), 0);
	assert_int_equal(le32_at(bar4, 0x00), 3);               /* all four selectors were used */
	assert_true(f.w[0] == 0x8000000180000001ULL && f.w[1] == f.w[0]);
	assert_int_equal(t->ops->set_driver_features(t, &(struct virtio_features){ { 0x100000000ULL, 0 } }), 0);
	assert_int_equal(le32_at(bar4, 0x08), 3);               /* driver_feature_select ends at 3 */
	assert_int_equal(transport_add_status(t, VIRTIO_STATUS_ACKNOWLEDGE), 0);
	assert_int_equal(bar4[0x14], VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(t->ops->queue_setup(t, 2, &su), 0);
	assert_int_equal(le16_at(bar4, 0x16), 2);               /* queue_select */
	assert_int_equal(le16_at(bar4, 0x18), 128);             /* queue_size */
	assert_int_equal(le32_at(bar4, 0x20), 0x56789000u);     /* queue_desc low, high */
	assert_int_equal(le32_at(bar4, 0x24), 0x1234u);
	assert_int_equal(le32_at(bar4, 0x28), 0xa000u);         /* queue_driver */
	assert_int_equal(le32_at(bar4, 0x30), 0xb000u);         /* queue_device */
	assert_int_equal(t->ops->queue_enable(t, 2), 0);
	assert_int_equal(le16_at(bar4, 0x1c), 1);
	/* Doorbell: notify base + queue_notify_off * multiplier. */
	bar4[0x1e] = 5;
	assert_int_equal(t->ops->get_notify_info(t, 2, &ni), 0);
	assert_int_equal(ni.offset, 0x3000 + 5 * 4);
	assert_int_equal(t->ops->notify(t, 2, 2), 0);
	assert_int_equal(le16_at(bar4, 0x3014), 2);
	/* A hostile queue_notify_off pointing past the notify region is refused, nothing written. */
	bar4[0x1e] = 0xff, bar4[0x1f] = 0x7f;
	assert_int_equal(t->ops->notify(t, 2, 2), -ERANGE);
	assert_int_equal(transport_config_read(t, 0, cfg, sizeof(cfg), NULL, NULL), 0);
	assert_memory_equal(cfg, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(transport_config_read(t, 0xfc, cfg, 6, NULL, NULL), -ERANGE);
	transport_close(t);                                      /* resets: status 0 */
	assert_int_equal(bar4[0x14], 0);
}

static void test_pci_modern_short_common(void **state)
{
	static uint8_t bar0[0x100];
	static struct pci_cfg_decode dec;
	struct bar_access a = { 0 };
	struct transport *t = NULL;
	char why[160] = "";

	(void)state;
	memset(&dec, 0, sizeof(dec));
	add_cap(&dec, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0xf0, 0x20, 0);   /* runs past the 0x100-byte BAR */
	bar_access_open_memory(&a, 0, bar0, sizeof(bar0), false);
	assert_int_equal(transport_open_pci_modern(&a, &dec, 1, &t, why, sizeof(why)), -ERANGE);
	assert_non_null(strstr(why, "too short or its BAR is not accessible"));
}

static void test_pci_legacy(void **state)
{
	static uint8_t io[0x40];
	uint64_t drv, dev, total;
	struct transport_queue_setup su = { .size = 256, .desc_addr = 0x7e10000 };
	struct bar_access a = { 0 };
	struct transport *t = NULL;
	struct virtio_features f;
	uint32_t v;
	char why[160];

	(void)state;
	memset(io, 0, sizeof(io));
	put32(io, 0, 0x71000ff);             /* host features */
	io[12] = 0x00, io[13] = 0x01;         /* queue_size 256 */
	io[20] = 0xab;                        /* configuration starts at 20 without MSI-X */
	bar_access_open_memory(&a, 0, io, sizeof(io), true);
	assert_int_equal(transport_open_pci_legacy(&a, false, 1, &t, why, sizeof(why)), 0);
	assert_true(t->caps.legacy && t->caps.legacy_ring_layout && !t->caps.has_vectors);
	assert_int_equal(t->ops->get_device_features(t, &f), 0);
	assert_true(f.w[0] == 0x71000ff && f.w[1] == 0);
	transport_legacy_ring_layout(256, &drv, &dev, &total);
	su.driver_addr = su.desc_addr + drv;
	su.device_addr = su.desc_addr + dev;
	assert_int_equal(t->ops->queue_setup(t, 0, &su), 0);
	assert_int_equal(le32_at(io, 8), 0x7e10);                 /* PFN */
	su.size = 128;
	assert_int_equal(t->ops->queue_setup(t, 0, &su), -EINVAL); /* size fixed by the device */
	assert_int_equal(t->ops->notify(t, 0, 0), 0);
	assert_int_equal(le16_at(io, 16), 0);
	assert_int_equal(t->ops->config_read(t, 0, 1, &v), 0);
	assert_int_equal(v, 0xab);
	assert_int_equal(t->ops->get_config_generation(t, &v), -EOPNOTSUPP);
	transport_free(t);
}

static void test_mmio(void **state)
{
	static uint8_t win[0x200];
	struct transport_queue_setup su = { .size = 64, .desc_addr = 0x1000, .driver_addr = 0x2000,
					    .device_addr = 0x3000 };
	uint64_t drv, dev, total;
	struct bar_access a = { 0 };
	struct transport *t = NULL;
	struct virtio_features f;
	uint16_t n;
	char why[160];

	(void)state;
	memset(win, 0, sizeof(win));
	put32(win, 0x000, 0x74726976);
	put32(win, 0x004, 2);
	put32(win, 0x008, 4);
	put32(win, 0x034, 64);                /* QueueNumMax, the same for every selector in an image */
	bar_access_open_memory(&a, 0, win, sizeof(win), false);
	assert_int_equal(transport_open_mmio(&a, &t, why, sizeof(why)), 0);
	assert_string_equal(t->name, "mmio-v2");
	assert_int_equal(t->device_id, 4);
	assert_int_equal(t->config_len, 0x100);
	/* A device whose queues never end is counted up to a bound, not forever. */
	assert_int_equal(t->ops->get_num_queues(t, &n), 0);
	assert_int_equal(n, 1024);
	assert_int_equal(t->ops->queue_setup(t, 1, &su), 0);
	assert_int_equal(le32_at(win, 0x030), 1);
	assert_int_equal(le32_at(win, 0x038), 64);
	assert_int_equal(le32_at(win, 0x080), 0x1000);
	assert_int_equal(le32_at(win, 0x090), 0x2000);
	assert_int_equal(le32_at(win, 0x0a0), 0x3000);
	assert_int_equal(t->ops->queue_enable(t, 1), 0);
	assert_int_equal(le32_at(win, 0x044), 1);
	assert_int_equal(t->ops->notify(t, 1, 1), 0);
	assert_int_equal(le32_at(win, 0x050), 1);
	/*
	 * An image answers every DeviceFeaturesSel with one word, as QEMU's
	 * virtio-mmio does for selectors above 0: words 2 and 3 echoing word 1
	 * are not features, and selectors 2 and 3 are then never written.
	 */
	put32(win, 0x010, 0x20);
	assert_int_equal(t->ops->get_device_features(t, &f), 0);
	assert_int_equal(f.w[0], 0x0000002000000020ull);
	assert_int_equal(f.w[1], 0);
	assert_int_equal(t->caps.feature_bits, 64);
	f = (struct virtio_features){ { 0x0000000100000020ull, 0 } };
	assert_int_equal(t->ops->set_driver_features(t, &f), 0);
	/* Highest selector first, so the last write is word 0 through selector 0. */
	assert_int_equal(le32_at(win, 0x024), 0);
	assert_int_equal(le32_at(win, 0x020), 0x20);
	transport_free(t);

	/* Version 1: one page frame, guest page size and alignment written first. */
	memset(win + 0x10, 0, sizeof(win) - 0x10);
	put32(win, 0x004, 1);
	put32(win, 0x034, 64);
	assert_int_equal(transport_open_mmio(&a, &t, why, sizeof(why)), 0);
	assert_true(t->caps.legacy && t->caps.feature_bits == 64);
	transport_legacy_ring_layout(64, &drv, &dev, &total);
	su = (struct transport_queue_setup){ .size = 64, .desc_addr = 0x5000, .driver_addr = 0x5000 + drv,
					     .device_addr = 0x5000 + dev };
	assert_int_equal(t->ops->queue_setup(t, 0, &su), 0);
	assert_int_equal(le32_at(win, 0x028), 4096);
	assert_int_equal(le32_at(win, 0x03c), 4096);
	assert_int_equal(le32_at(win, 0x040), 5);
	transport_free(t);

	put32(win, 0x000, 0x12345678);
	assert_int_equal(transport_open_mmio(&a, &t, why, sizeof(why)), -ENODEV);
	assert_non_null(strstr(why, "not a virtio-mmio register block"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_modern),
		cmocka_unit_test(test_pci_modern_short_common),
		cmocka_unit_test(test_pci_legacy),
		cmocka_unit_test(test_mmio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
