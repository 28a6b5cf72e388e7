/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Discovery helpers on fixtures: /proc/interrupts and /proc/iomem parsing, interrupt modes, DEVICE lookup, MMIO version. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmio_virtio.h"
#include "sysfs_virtio.h"
#include "vdev.h"
#include "vdev_render.h"

static const char *data_dir = ".";

static void fixture(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", data_dir, name);
}

static struct irq_table load_irqs(void)
{
	char path[PATH_MAX];
	struct irq_table t;

	fixture(path, sizeof(path), "interrupts.txt");
	assert_int_equal(irq_table_load(&t, path), 0);
	return t;
}

static void test_irq_table(void **state)
{
	(void)state;
	struct irq_table t = load_irqs();
	bool saw_shared = false, saw_input = false;

	for (size_t i = 0; i < t.n; i++) {
		if (!strcmp(t.a[i].name, "virtio7"))
			saw_shared = t.a[i].irq == 11;
		if (!strcmp(t.a[i].name, "virtio2-input.0"))
			saw_input = t.a[i].irq == 38;
		/* Counts, hwirq numbers and the NMI/LOC summary lines are not action names. */
		assert_string_not_equal(t.a[i].name, "1692");
		assert_string_not_equal(t.a[i].name, "Non-maskable");
	}
	assert_true(saw_shared);
	assert_true(saw_input);
	irq_table_free(&t);
}

static struct vdev pci_dev(const char *addr, const char *virtio_name, const char *sysfs_dir)
{
	struct vdev d;

	memset(&d, 0, sizeof(d));
	d.is_pci = true;
	d.iommu_group = -1;
	d.mmio_irq = -1;
	snprintf(d.address, sizeof(d.address), "%s", addr);
	snprintf(d.sysfs_dir, sizeof(d.sysfs_dir), "%s", sysfs_dir);
	if (virtio_name) {
		d.has_virtio = true;
		snprintf(d.virtio.name, sizeof(d.virtio.name), "%s", virtio_name);
	}
	return d;
}

/* A fake PCI function directory with msi_irqs/<irq> files saying "msix". */
static void make_msi_dir(char *dir, size_t len, const unsigned *irqs, size_t n)
{
	char path[PATH_MAX];

	snprintf(dir, len, "/tmp/virtioctl-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/msi_irqs", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/msi_irqs/%u", dir, irqs[i]);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("msix\n", f);
		fclose(f);
	}
}

static void remove_msi_dir(const char *dir, const unsigned *irqs, size_t n)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/msi_irqs/%u", dir, irqs[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/msi_irqs", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_irq_modes(void **state)
{
	(void)state;
	struct irq_table t = load_irqs();
	static const unsigned net_irqs[] = { 39, 37, 38 };
	char dir[64];
	struct vdev d;

	/* virtio-net with per-queue MSI-X vectors. */
	make_msi_dir(dir, sizeof(dir), net_irqs, 3);
	d = pci_dev("0000:00:03.0", "virtio2", dir);
	vdev_irqs_fill(&d, &t);
	assert_int_equal(d.irqs.mode, VDEV_IRQ_MSIX);
	assert_int_equal(d.irqs.vectors, 3);
	assert_int_equal(d.irqs.first_irq, 37);
	assert_string_equal(d.irqs.owner, "virtio");
	assert_true(d.irqs.config_vector);
	assert_int_equal(d.irqs.n_queue_names, 2);
	assert_string_equal(d.irqs.queue_names[0], "input.0");
	assert_string_equal(d.irqs.queue_names[1], "output.0");
	remove_msi_dir(dir, net_irqs, 3);

	/* INTx: one handler named after the device, shared with another driver. */
	d = pci_dev("0000:00:07.1", "virtio7", "/nonexistent");
	vdev_irqs_fill(&d, &t);
	assert_int_equal(d.irqs.mode, VDEV_IRQ_INTX);
	assert_int_equal(d.irqs.vectors, 1);
	assert_int_equal(d.irqs.first_irq, 11);

	/* "virtio1" must not match virtio12's vectors, and vice versa. */
	d = pci_dev("0000:00:04.0", "virtio12", "/nonexistent");
	vdev_irqs_fill(&d, &t);
	assert_true(d.irqs.shared_vq_vector);
	assert_int_equal(d.irqs.n_queue_names, 0);
	assert_int_equal(d.irqs.mode, VDEV_IRQ_NONE); /* no msi_irqs directory in this fake */

	/* vfio-pci INTx, recognised by the address in the handler name. */
	d = pci_dev("0000:00:07.0", NULL, "/nonexistent");
	vdev_irqs_fill(&d, &t);
	assert_int_equal(d.irqs.mode, VDEV_IRQ_INTX);
	assert_string_equal(d.irqs.owner, "vfio");
	assert_int_equal(d.irqs.first_irq, 10);

	/* virtio-mmio: a platform interrupt line. */
	d = pci_dev("LNRO0005:00", "virtio1", "/nonexistent");
	d.is_pci = false;
	d.is_mmio = true;
	vdev_irqs_fill(&d, &t);
	assert_int_equal(d.irqs.mode, VDEV_IRQ_LINE);
	assert_int_equal(d.mmio_irq, 5);

	/* Nothing registered: none. */
	d = pci_dev("0000:00:09.0", "virtio9", "/nonexistent");
	vdev_irqs_fill(&d, &t);
	assert_int_equal(d.irqs.mode, VDEV_IRQ_NONE);
	assert_null(d.irqs.owner);
	irq_table_free(&t);
}

static void test_iomem(void **state)
{
	(void)state;
	char path[PATH_MAX];
	uint64_t s, e;

	fixture(path, sizeof(path), "iomem.txt");
	assert_int_equal(iomem_find(path, "LNRO0005:01", &s, &e), 1);
	assert_int_equal(s, 0xfeb00200);
	assert_int_equal(e, 0xfeb003ff);
	assert_int_equal(iomem_find(path, "virtio-mmio.0", &s, &e), 1);
	assert_int_equal(s, 0xd0000000);
	/* A prefix of a name is not the name. */
	assert_int_equal(iomem_find(path, "LNRO0005:0", &s, &e), 0);
	assert_true(iomem_find("/nonexistent/iomem", "x", &s, &e) < 0);
}

static void test_mmio_helpers(void **state)
{
	(void)state;
	uint64_t base;
	struct vdev d;
	const char *how = NULL;

	assert_true(mmio_virtio_base_from_name("a000000.virtio_mmio", &base));
	assert_int_equal(base, 0xa000000);
	assert_false(mmio_virtio_base_from_name("LNRO0005:00", &base));
	assert_false(mmio_virtio_base_from_name("virtio-mmio.0", &base));

	memset(&d, 0, sizeof(d));
	d.is_mmio = true;
	assert_int_equal(mmio_virtio_version_from_driver(&d, &how), VDEV_MMIO_UNKNOWN);
	d.has_virtio = true;
	strcpy(d.virtio.driver, "virtio_blk");
	d.virtio.has_features = true;
	virtio_features_set(&d.virtio.features, 32); /* VERSION_1 */
	assert_int_equal(mmio_virtio_version_from_driver(&d, &how), VDEV_MMIO_V2);
	d.virtio.features = (struct virtio_features){ { 1u << 28, 0 } };
	assert_int_equal(mmio_virtio_version_from_driver(&d, &how), VDEV_MMIO_V1);
	/* Without a virtio driver the features say nothing. */
	d.virtio.driver[0] = '\0';
	assert_int_equal(mmio_virtio_version_from_driver(&d, &how), VDEV_MMIO_UNKNOWN);
}

static void test_lookup(void **state)
{
	(void)state;
	struct vdev_list l = { 0 };
	struct vdev *a = vdev_list_add(&l), *b, *c;

	assert_non_null(a);
	*a = pci_dev("0000:00:03.0", "virtio2", "/sys/devices/pci0000:00/0000:00:03.0");
	b = vdev_list_add(&l);
	assert_non_null(b);
	*b = pci_dev("0001:0a:1f.7", NULL, "/sys/devices/pci0001:0a/0001:0a:1f.7");
	c = vdev_list_add(&l);
	assert_non_null(c);
	*c = pci_dev("LNRO0005:01", "virtio12", "/sys/devices/platform/LNRO0005:01");
	c->is_pci = false;
	c->is_mmio = true;
	c->has_mmio_base = true;
	c->mmio_base = 0xfeb00200;

	assert_ptr_equal(vdev_lookup(&l, "0000:00:03.0"), &l.v[0]);
	assert_ptr_equal(vdev_lookup(&l, "00:03.0"), &l.v[0]);
	assert_ptr_equal(vdev_lookup(&l, "virtio2"), &l.v[0]);
	assert_ptr_equal(vdev_lookup(&l, "1:0a:1f.7"), &l.v[1]);
	assert_ptr_equal(vdev_lookup(&l, "0001:0A:1F.7"), &l.v[1]);
	assert_ptr_equal(vdev_lookup(&l, "lnro0005:01"), &l.v[2]);
	assert_ptr_equal(vdev_lookup(&l, "virtio12"), &l.v[2]);
	assert_ptr_equal(vdev_lookup(&l, "0xfeb00200"), &l.v[2]);
	assert_ptr_equal(vdev_lookup(&l, "feb00200"), &l.v[2]);
	/* Near misses match nothing. */
	assert_null(vdev_lookup(&l, "virtio1"));
	assert_null(vdev_lookup(&l, "00:03.1"));
	assert_null(vdev_lookup(&l, "0a:1f.7"));      /* domain 0000, not 0001 */
	assert_null(vdev_lookup(&l, "00:20.0"));      /* device 0x20 > 0x1f */
	assert_null(vdev_lookup(&l, "0xfeb00000"));
	assert_null(vdev_lookup(&l, ""));
	vdev_list_free(&l);
}

static char *render_text(uint32_t device_id, const struct virtio_features *f, size_t max)
{
	struct emit e;
	char *s;

	emit_init(&e, EMIT_TEXT, false, false);
	vdev_emit_feature_names(&e, "f", device_id, f, ",", max);
	s = strdup(emit_result(&e, NULL));
	emit_free(&e);
	return s;
}

static void test_render_helpers(void **state)
{
	(void)state;
	/* net: CSUM(0) MAC(5) STATUS(16) VERSION_1(32); short names from the spec tables. */
	struct virtio_features f = { { 1ULL | 1ULL << 5 | 1ULL << 16 | 1ULL << 32, 0 } };
	char *s = render_text(1, &f, 0);

	assert_string_equal(s, "CSUM,MAC,STATUS,VERSION_1");
	free(s);
	/* "CSUM,MAC" is 8 characters; STATUS would pass 12. */
	s = render_text(1, &f, 12);
	assert_string_equal(s, "CSUM,MAC,+2");
	free(s);
	/* A bit no table names. */
	f = (struct virtio_features){ { 0, 1ULL << (100 - 64) } };
	s = render_text(1, &f, 0);
	assert_string_equal(s, "bit100");
	free(s);

	assert_string_equal(vdev_status_summary(0), "RESET");
	assert_string_equal(vdev_status_summary(0x0f), "DRIVER_OK");
	assert_string_equal(vdev_status_summary(0x0b), "FEATURES_OK");
	assert_string_equal(vdev_status_summary(0x8f), "FAILED");
	assert_string_equal(vdev_status_summary(0x4f), "DEVICE_NEEDS_RESET");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irq_table),
		cmocka_unit_test(test_irq_modes),
		cmocka_unit_test(test_iomem),
		cmocka_unit_test(test_mmio_helpers),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_render_helpers),
	};

	if (argc > 1)
		data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
