/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The probe over the fake transport: spec-ordered initialisation, a blk device model in memory, and the faults caught. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "fake_vq_device.h"
#include "probe_tests.h"
#include "transport_fake.h"
#include "vq_decode.h"
#include "vq_input.h"

enum { DISK_SECTORS = 128, SECTOR = 512 };
enum model_mode { MODEL_OK, MODEL_LEN_TOO_LARGE, MODEL_SILENT, MODEL_VANISH, MODEL_BAD_ID, MODEL_BAD_INDEX };

struct blk_model {
	enum model_mode mode;
	struct fake_vq_device q;
	uint64_t attached_desc;
	unsigned served;
	unsigned max_batch;          /* most requests found available at one notify */
	uint8_t disk[DISK_SECTORS * SECTOR];
};

static void *bus(uint64_t a) { return (void *)(uintptr_t)a; }

/* Serves one request the way a blk device does (spec 5.2.6); returns the used length. */
static uint32_t serve(struct blk_model *m, const struct fake_vq_request *r)
{
	const uint8_t *hdr = bus(r->elems[0].bus);
	uint32_t type = vq_le32(hdr);
	uint64_t sector = vq_le64(hdr + 8);
	uint8_t *status = bus(r->elems[r->n - 1].bus);
	uint64_t off = sector * SECTOR;
	uint32_t moved = 0;

	*status = 0;
	for (unsigned i = 1; i + 1 < r->n; i++) {
		uint8_t *p = bus(r->elems[i].bus);
		uint32_t len = r->elems[i].len;

		if (type == 8) {   /* GET_ID */
			memset(p, 0, len);
			memcpy(p, "FAKE-SERIAL-1", 13);
		} else if (off + moved + len > sizeof(m->disk)) {
			*status = 1;
		} else if (type == 0) {
			memcpy(p, m->disk + off + moved, len);
		} else if (type == 1) {
			memcpy(m->disk + off + moved, p, len);
		}
		moved += len;
	}
	return (type == 1 ? 0 : moved) + 1;
}

static void on_notify(struct fake_device *d, uint16_t qi, uint32_t value, void *opaque)
{
	struct blk_model *m = opaque;
	struct fake_queue *fq = &d->queues[qi];
	struct fake_vq_request r;
	bool packed = virtio_features_test(&d->driver_features, VIRTIO_F_RING_PACKED_BIT);

	(void)value;
	if (qi != 0)
		return;
	if (m->attached_desc != fq->desc_addr) {   /* first kick, or a fresh ring after a queue reset */
		fake_vq_attach_addrs(&m->q, packed ? VQ_RING_PACKED : VQ_RING_SPLIT, fq->size, fq->desc_addr,
				     fq->driver_addr, fq->device_addr);
		m->attached_desc = fq->desc_addr;
	}
	if (m->mode == MODEL_VANISH) {
		d->removed = true;
		return;
	}
	unsigned batch = 0;

	while (fake_vq_pop(&m->q, &r) == 1) {
		if (++batch > m->max_batch)
			m->max_batch = batch;
		if (m->mode == MODEL_SILENT)
			continue;
		uint32_t len = serve(m, &r);

		if (m->mode == MODEL_LEN_TOO_LARGE)
			len = r.writable_bytes + 100;
		if (m->mode == MODEL_BAD_INDEX && packed)
			m->q.used_wrap = !m->q.used_wrap;   /* marks used with the wrong wrap counter */
		fake_vq_push(&m->q, m->mode == MODEL_BAD_ID ? fq->size + 5u : r.id, len, packed ? r.n_ring_desc : 1);
		if (m->mode == MODEL_BAD_INDEX && !packed) {
			m->q.used_idx = (uint16_t)(m->q.used_idx + 5);   /* used.idx runs 5 entries ahead */
			vq_put_le16(m->q.device + 2, m->q.used_idx);
		}
		m->served++;
	}
}

struct rig {
	struct fake_device dev;
	struct blk_model model;
	struct transport *t;
	struct dma_pool *dma;
	struct probe_opts opts;
	struct probe p;
};

static struct rig *rig_new(enum model_mode mode, bool packed)
{
	struct rig *g = calloc(1, sizeof(*g));
	struct virtio_features offered = { { 0, 0 } };
	char why[200];
	static const unsigned bits[] = { VIRTIO_F_VERSION_1_BIT, VIRTIO_RING_F_INDIRECT_DESC_BIT, VIRTIO_RING_F_EVENT_IDX_BIT,
					 VIRTIO_F_RING_RESET_BIT, 9 /* FLUSH */, 6 /* BLK_SIZE */, 40 + 60 /* unknown to the driver */ };

	assert_non_null(g);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		virtio_features_set(&offered, bits[i]);
	if (packed)
		virtio_features_set(&offered, VIRTIO_F_RING_PACKED_BIT);
	fake_device_init(&g->dev, 2, &offered);
	g->dev.num_queues = 1;
	vq_put_le64(g->dev.config, DISK_SECTORS);
	g->dev.on_notify = on_notify;
	g->dev.opaque = &g->model;
	g->model.mode = mode;
	for (size_t i = 0; i < sizeof(g->model.disk); i++)
		g->model.disk[i] = (uint8_t)(i * 31 + i / 512);
	assert_int_equal(transport_open_fake(&g->dev, NULL, &g->t), 0);
	struct dma_pool_opts po = { .backing = DMA_POOL_FAKE, .size = 1u << 20 };

	assert_int_equal(dma_pool_create(&po, &g->dma, why, sizeof(why)), 0);
	g->opts.timeout_ms = 300;
	g->opts.ring = packed ? RING_CHOICE_PACKED : RING_CHOICE_AUTO;
	g->p = (struct probe){ .t = g->t, .dma = g->dma, .opts = &g->opts, .device_id = 2 };
	return g;
}

static void rig_free(struct rig *g)
{
	probe_finish(&g->p);
	violation_log_free(&g->p.violations);
	transport_close(g->t);
	dma_pool_destroy(g->dma);
	free(g);
}

static const struct probe_test_result *result(const struct probe *p, const char *name)
{
	for (size_t i = 0; i < p->n_results; i++)
		if (!strcmp(p->results[i].name, name))
			return &p->results[i];
	fail_msg("no result %s", name);
	return NULL;
}

static void expect_result(const struct probe *p, const char *name, enum probe_result want)
{
	const struct probe_test_result *r = result(p, name);

	if (r->result != want)
		fail_msg("%s: result %d, want %d: %s", name, r->result, want, r->detail);
}

static void healthy_blk(bool packed)
{
	struct rig *g = rig_new(MODEL_OK, packed);

	g->opts.write = true;
	assert_int_equal(probe_init_device(&g->p), 0);
	/* features: offered ∩ supported; the unknown bit 100 is refused */
	assert_true(virtio_features_test(&g->dev.driver_features, VIRTIO_F_VERSION_1_BIT));
	assert_false(virtio_features_test(&g->dev.driver_features, 100));
	assert_int_equal(virtio_features_test(&g->dev.driver_features, VIRTIO_F_RING_PACKED_BIT), packed);
	assert_true(g->dev.status & VIRTIO_STATUS_FEATURES_OK);
	if (probe_run(&g->p) != 0)
		fail_msg("probe_run: %s", g->p.error);
	assert_true(g->dev.status & VIRTIO_STATUS_DRIVER_OK);
	expect_result(&g->p, "generic.features", PROBE_PASS);
	expect_result(&g->p, "generic.queue_reset", PROBE_PASS);
	expect_result(&g->p, "blk.capacity", PROBE_PASS);
	expect_result(&g->p, "blk.serial", PROBE_PASS);
	assert_non_null(strstr(result(&g->p, "blk.serial")->detail, "FAKE-SERIAL-1"));
	expect_result(&g->p, "blk.read", PROBE_PASS);
	/* the oracle: the CRC of the model's disk, computed here, not by the probe */
	char want[40];

	snprintf(want, sizeof(want), "crc32 0x%08lx", crc32(crc32(0L, Z_NULL, 0), g->model.disk, 64 * SECTOR));
	assert_non_null(strstr(result(&g->p, "blk.read")->detail, want));
	expect_result(&g->p, "blk.flush", PROBE_PASS);
	expect_result(&g->p, "blk.write", PROBE_PASS);
	/* the last sector holds its original bytes again */
	for (unsigned i = 0; i < SECTOR; i++)
		assert_int_equal(g->model.disk[(DISK_SECTORS - 1) * SECTOR + i],
				 (uint8_t)(((DISK_SECTORS - 1) * SECTOR + i) * 31 + (DISK_SECTORS - 1)));
	assert_int_equal(g->p.violations.n, 0);
	assert_string_equal(g->p.error, "");

	/* the driver's own queue, through the .vqdump writer and parser and the decoder: clean */
	struct vq_snapshot s, back;
	struct emit_buf out = { 0 };
	struct rd_error err = { 0 };
	struct vq_decode_result *dr = NULL;

	assert_int_equal(vq_take_snapshot(g->p.queues[0].vq, 2, &s), 0);
	assert_int_equal(vqdump_write(&s, &out, &err), 0);
	assert_int_equal(vqdump_parse((const uint8_t *)out.data, out.len, "mem", &back, &err), 0);
	assert_int_equal(vq_decode(&back, &dr, &err), 0);
	assert_int_equal(dr->n_anomalies, 0);
	assert_int_equal(dr->in_flight, 0);
	vq_decode_result_free(dr);
	vq_snapshot_free(&back);
	vq_snapshot_free(&s);
	emit_buf_free(&out);
	rig_free(g);
}

static void test_blk_split(void **state)
{
	(void)state;
	healthy_blk(false);
}

static void test_blk_packed(void **state)
{
	(void)state;
	healthy_blk(true);
}

static void test_features_ok_refused(void **state)
{
	(void)state;
	struct rig *g = rig_new(MODEL_OK, false);

	g->dev.refuse_features = true;
	memset(&g->dev.acceptable, 0, sizeof(g->dev.acceptable));
	virtio_features_set(&g->dev.acceptable, VIRTIO_F_VERSION_1_BIT);
	assert_int_equal(probe_init_device(&g->p), -EPROTO);
	assert_int_equal(violation_count(&g->p.violations, "features_ok_refused"), 1);
	assert_string_equal(g->p.violations.v[0].section, "2.2.2");
	rig_free(g);
}

static void test_reset_never_completes(void **state)
{
	(void)state;
	struct rig *g = rig_new(MODEL_OK, false);

	g->t->reset_timeout_ms = 50;
	g->dev.reset_delay_reads = UINT32_MAX;
	g->dev.status = VIRTIO_STATUS_ACKNOWLEDGE;
	assert_int_equal(probe_init_device(&g->p), -ETIMEDOUT);
	assert_int_equal(violation_count(&g->p.violations, "reset_timeout"), 1);
	g->dev.reset_delay_reads = 0;
	rig_free(g);
}

static void test_needs_reset_noticed(void **state)
{
	(void)state;
	struct rig *g = rig_new(MODEL_OK, false);

	g->dev.needs_reset_on = VIRTIO_STATUS_DRIVER;
	assert_int_equal(probe_init_device(&g->p), -EIO);
	assert_non_null(strstr(g->p.error, "DEVICE_NEEDS_RESET"));
	assert_non_null(strstr(g->p.error, "DRIVER"));
	rig_free(g);
}

static void test_hostile_used_len(void **state)
{
	(void)state;
	struct rig *g = rig_new(MODEL_LEN_TOO_LARGE, false);

	g->opts.tests = "blk.serial";
	assert_int_equal(probe_init_device(&g->p), 0);
	assert_int_equal(probe_run(&g->p), -EPROTO);
	assert_int_equal(violation_count(&g->p.violations, "used_len_too_large"), 1);
	expect_result(&g->p, "blk.serial", PROBE_FAIL);
	rig_free(g);
}

/*
 * A hostile device behind the whole stack (fake transport, probe, driver
 * queue): every bad used entry ends the probe with -EPROTO, the violation
 * with its spec section, the test failed, and the device reset at the end.
 */
static void hostile_through_probe(bool packed, enum model_mode mode, const char *code, const char *section)
{
	struct rig *g = rig_new(mode, packed);

	g->opts.tests = "blk.serial";
	assert_int_equal(probe_init_device(&g->p), 0);
	assert_int_equal(probe_run(&g->p), -EPROTO);
	if (violation_count(&g->p.violations, code) != 1)
		fail_msg("%s ring, mode %d: no %s violation (%zu recorded, first %s)", packed ? "packed" : "split", mode, code,
			 g->p.violations.n, g->p.violations.n ? g->p.violations.v[0].code : "-");
	assert_string_equal(g->p.violations.v[0].section, section);
	assert_non_null(strstr(g->p.error, "broke the ring protocol"));
	assert_non_null(strstr(g->p.error, packed ? "(packed, size" : "(split, size"));
	expect_result(&g->p, "blk.serial", PROBE_FAIL);
	unsigned resets = g->dev.resets;

	probe_finish(&g->p);
	assert_int_equal(g->dev.resets, resets + 1);
	assert_int_equal(g->dev.status, 0);
	rig_free(g);
}

static void test_hostile_entries_through_probe(void **state)
{
	(void)state;
	hostile_through_probe(false, MODEL_LEN_TOO_LARGE, "used_len_too_large", "2.7.8.1");
	hostile_through_probe(false, MODEL_BAD_ID, "used_id_out_of_range", "2.7.8");
	hostile_through_probe(false, MODEL_BAD_INDEX, "used_idx_jump", "2.7.8");
	hostile_through_probe(true, MODEL_LEN_TOO_LARGE, "used_len_too_large", "2.8.4");
	hostile_through_probe(true, MODEL_BAD_ID, "used_id_out_of_range", "2.8.1");
	hostile_through_probe(true, MODEL_BAD_INDEX, "packed_wrap_wrong", "2.8.1");
}

static void test_timeout_names_queue(void **state)
{
	(void)state;
	struct rig *g = rig_new(MODEL_SILENT, false);

	g->opts.tests = "blk.read";
	assert_int_equal(probe_init_device(&g->p), 0);
	assert_int_equal(probe_run(&g->p), -ETIMEDOUT);
	assert_non_null(strstr(g->p.error, "timed out after 300 ms"));
	assert_non_null(strstr(g->p.error, "queue 0 (split, size 256): avail.idx 1, used.idx 0"));
	assert_non_null(strstr(g->p.error, "1 in flight (heads 0)"));
	rig_free(g);
}

static void test_device_vanishes(void **state)
{
	(void)state;
	struct rig *g = rig_new(MODEL_VANISH, false);

	g->opts.tests = "blk.read";
	assert_int_equal(probe_init_device(&g->p), 0);
	assert_int_equal(probe_run(&g->p), -ENODEV);
	assert_non_null(strstr(g->p.error, "went away"));
	rig_free(g);
}

/* blk.bench runs only when named, keeps 32 reads in flight at depth 32, and counts what the model served. */
static void test_blk_bench(void **state)
{
	(void)state;
	struct rig *g = rig_new(MODEL_OK, false);

	g->opts.tests = "blk";
	assert_int_equal(probe_init_device(&g->p), 0);
	assert_int_equal(probe_run(&g->p), 0);
	expect_result(&g->p, "blk.bench", PROBE_SKIP);
	rig_free(g);

	g = rig_new(MODEL_OK, false);
	g->opts.tests = "blk.bench";
	g->opts.bench_ms = 50;
	assert_int_equal(probe_init_device(&g->p), 0);
	if (probe_run(&g->p) != 0)
		fail_msg("probe_run: %s", g->p.error);
	expect_result(&g->p, "blk.bench", PROBE_PASS);
	assert_non_null(strstr(result(&g->p, "blk.bench")->detail, "qd1 "));
	assert_non_null(strstr(result(&g->p, "blk.bench")->detail, "qd32 "));
	assert_int_equal(g->model.max_batch, 32);
	assert_true(g->model.served > 64);
	assert_int_equal(g->p.queues[0].requests, g->model.served);
	assert_int_equal(result(&g->p, "blk.bench")->bytes, 4096ull * g->model.served);
	assert_int_equal(vq_in_flight(g->p.queues[0].vq), 0);
	rig_free(g);
}

static void test_test_selection(void **state)
{
	(void)state;
	char bad[32];

	assert_true(probe_test_selected(NULL, "blk.read"));
	assert_true(probe_test_selected("blk", "blk.read"));
	assert_true(probe_test_selected("rng,blk.read", "blk.read"));
	assert_false(probe_test_selected("blk.rea", "blk.read"));
	assert_false(probe_test_selected("bl", "blk.read"));
	assert_true(probe_test_list_valid("generic,blk.flush", bad, sizeof(bad)));
	assert_false(probe_test_list_valid("blk.flush,toaster", bad, sizeof(bad)));
	assert_string_equal(bad, "toaster");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blk_split),
		cmocka_unit_test(test_blk_packed),
		cmocka_unit_test(test_features_ok_refused),
		cmocka_unit_test(test_reset_never_completes),
		cmocka_unit_test(test_needs_reset_noticed),
		cmocka_unit_test(test_hostile_used_len),
		cmocka_unit_test(test_hostile_entries_through_probe),
		cmocka_unit_test(test_timeout_names_queue),
		cmocka_unit_test(test_device_vanishes),
		cmocka_unit_test(test_blk_bench),
		cmocka_unit_test(test_test_selection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
