/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The degraded /proc source on hand-written /proc/interrupts and sysfs trees: counts, wraps, names, queues coming and going. */
#include <errno.h>
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

#include "observe_procfs.h"
#include "sysfs_virtio.h"

struct fix {
	char dir[256];
	char interrupts[PATH_MAX];
	char sysfs[PATH_MAX];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void add_device(struct fix *x, const char *name, const char *id)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", x->sysfs, name);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/%s/device", x->sysfs, name);
	write_file(p, id);
}

static int setup(void **state)
{
	struct fix *x = calloc(1, sizeof(*x));

	snprintf(x->dir, sizeof(x->dir), "/tmp/virtioctl-procfs-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->interrupts, sizeof(x->interrupts), "%s/interrupts", x->dir);
	snprintf(x->sysfs, sizeof(x->sysfs), "%s/virtio", x->dir);
	assert_int_equal(mkdir(x->sysfs, 0755), 0);
	add_device(x, "virtio1", "0x0002\n");
	add_device(x, "virtio2", "0x0001\n");
	add_device(x, "virtio7", "0x0004\n");
	add_device(x, "virtio9", "0x0012\n");
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fix *x = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
	if (system(cmd) != 0)
		return -1;
	free(x);
	return 0;
}

static const struct vq_obs_queue *find(const struct vq_obs_sample *s, const char *dev, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->q[i].device, dev) && !strcmp(s->q[i].name, name))
			return &s->q[i];
	return NULL;
}

/* Two CPUs; a blk device with two request vectors, a net device, an INTx rng, a shared-vector input device. */
static const char tick0[] =
	"           CPU0       CPU1       \n"
	"  0:         44          0   IO-APIC   2-edge      timer\n"
	" 11:          5          3   IO-APIC  11-fasteoi   virtio7, uhci_hcd:usb1\n"
	" 35:          0          1  PCI-MSIX-0000:00:02.0   0-edge      virtio1-config\n"
	" 36:        100        200  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0\n"
	" 37: 4294967290         10  PCI-MSIX-0000:00:02.0   2-edge      virtio1-req.1\n"
	" 38:          7          0  PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0\n"
	" 39:          0          9  PCI-MSIX-0000:00:03.0   2-edge      virtio2-output.0\n"
	" 40:          1          1  PCI-MSIX-0000:00:05.0   1-edge      virtio9-virtqueues\n"
	"NMI:          0          0   Non-maskable interrupts\n"
	"ERR:          0\n";

/* One second later: req.1's CPU0 count wrapped, output.0 is gone, input.1 appeared, a line is listed twice. */
static const char tick1[] =
	"           CPU0       CPU1       \n"
	"  0:         50          0   IO-APIC   2-edge      timer\n"
	" 11:          6          3   IO-APIC  11-fasteoi   virtio7, uhci_hcd:usb1\n"
	" 35:          0          1  PCI-MSIX-0000:00:02.0   0-edge      virtio1-config\n"
	" 36:        130        210  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0\n"
	" 36:        130        210  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0\n"
	" 37:          4         10  PCI-MSIX-0000:00:02.0   2-edge      virtio1-req.1\n"
	" 38:         17          0  PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0\n"
	" 41:          3          0  PCI-MSIX-0000:00:03.0   3-edge      virtio2-input.1\n"
	" 40:          1          2  PCI-MSIX-0000:00:05.0   1-edge      virtio9-virtqueues\n";

static void test_counts_and_names(void **state)
{
	struct fix *x = *state;
	struct vq_obs_source *src;
	struct vq_obs_sample s;
	const struct vq_obs_queue *q;

	write_file(x->interrupts, tick0);
	assert_int_equal(vq_obs_open_procfs(x->interrupts, x->sysfs, "no CAP_BPF", &src), 0);
	assert_non_null(strstr(src->degraded_why, "no CAP_BPF"));
	assert_string_equal(src->ops->name, "procfs");

	/* Right after opening, every count starts at zero. */
	assert_int_equal(src->ops->sample(src, &s), 0);
	assert_int_equal(s.n, 6);  /* config vectors and non-virtio actions are not queues */
	q = find(&s, "virtio1", "req.0");
	assert_non_null(q);
	assert_int_equal(q->queue, 0);
	assert_int_equal(q->device_id, 2);
	assert_int_equal(q->have, VQ_OBS_INTERRUPTS);
	assert_int_equal(q->interrupts, 0);
	q = find(&s, "virtio2", "output.0");
	assert_non_null(q);
	assert_int_equal(q->queue, 1);
	q = find(&s, "virtio7", "config+virtqueues");   /* INTx line shared with another driver */
	assert_non_null(q);
	assert_int_equal(q->queue, VQ_QUEUE_INDEX_UNKNOWN);
	q = find(&s, "virtio9", "virtqueues");           /* one vector for all queues */
	assert_non_null(q);
	assert_int_equal(q->queue, VQ_QUEUE_INDEX_UNKNOWN);
	assert_null(find(&s, "virtio1", "config"));
	vq_obs_sample_free(&s);

	write_file(x->interrupts, tick1);
	assert_int_equal(src->ops->sample(src, &s), 0);
	assert_int_equal(s.n, 6);
	assert_int_equal(find(&s, "virtio1", "req.0")->interrupts, 40);     /* counted once, not twice */
	assert_int_equal(find(&s, "virtio1", "req.1")->interrupts, 10);     /* 4294967290 -> 4 wraps: +10 */
	assert_int_equal(find(&s, "virtio2", "input.0")->interrupts, 10);
	assert_null(find(&s, "virtio2", "output.0"));
	q = find(&s, "virtio2", "input.1");
	assert_non_null(q);
	assert_int_equal(q->queue, 2);
	assert_int_equal(q->interrupts, 0);                                /* new: counted from here */
	assert_int_equal(find(&s, "virtio7", "config+virtqueues")->interrupts, 1);
	assert_int_equal(find(&s, "virtio9", "virtqueues")->interrupts, 1);
	vq_obs_sample_free(&s);

	/* A vector that comes back starts from zero again. */
	write_file(x->interrupts, tick0);
	assert_int_equal(src->ops->sample(src, &s), 0);
	assert_int_equal(find(&s, "virtio2", "output.0")->interrupts, 0);
	vq_obs_sample_free(&s);

	struct vq_snapshot snap;
	assert_int_equal(src->ops->snapshot(src, "virtio1", 0, &snap), -EOPNOTSUPP);
	vq_obs_source_close(src);
	vq_obs_source_close(NULL);
	vq_obs_sample_free(NULL);
}

/* Lines with too few or malformed counts give vectors without counts, never made-up zeros. */
static void test_missing_counts(void **state)
{
	struct fix *x = *state;
	struct vq_obs_source *src;
	struct vq_obs_sample s;
	const struct vq_obs_queue *q;

	write_file(x->interrupts,
		   "           CPU0       CPU1       CPU2\n"
		   " 36:        100  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0\n"
		   " 37:  99999999999 1 2 PCI-MSIX-0000:00:02.0   2-edge      virtio1-req.1\n"
		   " 38:  1 2 3 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0\n"
		   "garbage line without a colon\n"
		   "99999999999999999999: 1 2 3 x virtio2-output.0\n");
	assert_int_equal(vq_obs_open_procfs(x->interrupts, x->sysfs, NULL, &src), 0);
	assert_int_equal(src->ops->sample(src, &s), 0);
	q = find(&s, "virtio1", "req.0");
	assert_non_null(q);
	assert_int_equal(q->have & VQ_OBS_INTERRUPTS, 0);
	assert_int_equal(find(&s, "virtio1", "req.1")->have & VQ_OBS_INTERRUPTS, 0);
	assert_int_equal(find(&s, "virtio2", "input.0")->have, VQ_OBS_INTERRUPTS);
	assert_null(find(&s, "virtio2", "output.0"));
	vq_obs_sample_free(&s);
	vq_obs_source_close(src);

	/* No header at all: names still found, counts absent. */
	write_file(x->interrupts, " 38:  1 2 3 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0\n");
	assert_int_equal(vq_obs_open_procfs(x->interrupts, x->sysfs, NULL, &src), 0);
	assert_int_equal(src->ops->sample(src, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.q[0].have, 0);
	vq_obs_sample_free(&s);
	vq_obs_source_close(src);
}

static void test_unreadable(void **state)
{
	struct fix *x = *state;
	struct vq_obs_source *src = (void *)1;
	char missing[PATH_MAX + 16];

	snprintf(missing, sizeof(missing), "%s/nope", x->dir);
	assert_int_equal(vq_obs_open_procfs(missing, x->sysfs, NULL, &src), -ENOENT);
	assert_null(src);
}

/* A device whose sysfs entry is missing or garbled keeps its rows, with an unknown type. */
static void test_unknown_device(void **state)
{
	struct fix *x = *state;
	struct vq_obs_source *src;
	struct vq_obs_sample s;

	add_device(x, "virtio3", "banana\n");
	write_file(x->interrupts, "   CPU0\n 50: 1 PCI-MSIX x virtio3-req.0\n 51: 2 PCI-MSIX x virtio4-req.0\n");
	assert_int_equal(vq_obs_open_procfs(x->interrupts, x->sysfs, NULL, &src), 0);
	assert_int_equal(src->ops->sample(src, &s), 0);
	assert_int_equal(s.n, 2);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(s.q[i].device_id, 0);
		assert_int_equal(s.q[i].queue, VQ_QUEUE_INDEX_UNKNOWN);   /* without the type, req.0 means nothing */
	}
	vq_obs_sample_free(&s);
	vq_obs_source_close(src);
}

static void test_queue_index_names(void **state)
{
	(void)state;
	assert_int_equal(procfs_queue_index(1, "input.0"), 0);
	assert_int_equal(procfs_queue_index(1, "output.0"), 1);
	assert_int_equal(procfs_queue_index(1, "input.3"), 6);
	assert_int_equal(procfs_queue_index(1, "output.3"), 7);
	assert_int_equal(procfs_queue_index(1, "control"), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(1, "input."), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(1, "input.1x"), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(1, "input.40000"), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(1, "input.-1"), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(2, "req.5"), 5);
	assert_int_equal(procfs_queue_index(2, "req"), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(4, "input"), 0);
	assert_int_equal(procfs_queue_index(4, "input.0"), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(5, "stats"), 2);
	assert_int_equal(procfs_queue_index(5, "reporting_vq"), VQ_QUEUE_INDEX_UNKNOWN);
	assert_int_equal(procfs_queue_index(19, "event"), 2);
	assert_int_equal(procfs_queue_index(0, "req.0"), VQ_QUEUE_INDEX_UNKNOWN);
}

/* irq_action_total sums the per-CPU columns of the line as printed. */
static void test_irq_totals(void **state)
{
	struct fix *x = *state;
	struct irq_table t;
	uint64_t total;

	write_file(x->interrupts, tick0);
	assert_int_equal(irq_table_load(&t, x->interrupts), 0);
	assert_int_equal(t.ncpus, 2);
	for (size_t i = 0; i < t.n; i++) {
		if (!strcmp(t.a[i].name, "virtio1-req.1")) {
			assert_true(irq_action_total(&t, &t.a[i], &total));
			assert_int_equal(total, 4294967300ull);
		}
		if (!strcmp(t.a[i].name, "uhci_hcd:usb1")) {
			assert_true(irq_action_total(&t, &t.a[i], &total));
			assert_int_equal(total, 8);
		}
	}
	irq_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_device, setup, teardown),
		cmocka_unit_test(test_queue_index_names),
		cmocka_unit_test_setup_teardown(test_irq_totals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
