/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Driver virtqueues against a device model in memory: round trips, suppression, batches, and every hostile used entry caught. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_vq_device.h"
#include "virtqueue.h"
#include "vq_decode.h"
#include "vq_mem.h"

struct harness {
	struct violation_log log;
	struct virtqueue *vq;
	struct fake_vq_device dev;
	unsigned notifies;
	uint32_t last_notify_data;
	uint8_t bufs[64][512];       /* request memory: bus address == host address */
};

static int count_notify(void *opaque, uint16_t queue, uint32_t data)
{
	struct harness *h = opaque;

	(void)queue;
	h->notifies++;
	h->last_notify_data = data;
	return 0;
}

static struct harness *setup(enum vq_ring_type type, uint32_t size, const unsigned *feature_bits, bool indirect)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct vq_config c = {
		.index = 2,
		.size = size,
		.ring_type = type,
		.use_indirect = indirect,
		.dma = &vq_dma_plain,
		.notify = count_notify,
		.violations = &h->log,
	};
	char why[200];

	assert_non_null(h);
	c.notify_opaque = h;
	virtio_features_set(&c.features, VIRTIO_F_VERSION_1_BIT);
	for (; feature_bits && *feature_bits; feature_bits++)
		virtio_features_set(&c.features, *feature_bits);
	if (type == VQ_RING_PACKED)
		virtio_features_set(&c.features, VIRTIO_F_RING_PACKED_BIT);
	assert_int_equal(vq_create(&c, &h->vq, why, sizeof(why)), 0);
	fake_vq_attach(&h->dev, h->vq);
	return h;
}

static void teardown(struct harness *h)
{
	vq_destroy(h->vq);
	violation_log_free(&h->log);
	free(h);
}

static uint64_t bus_of(const void *p) { return (uint64_t)(uintptr_t)p; }

/* A blk-like request: header (readable), data (writable, 512), status (writable, 1) */
static int add_three(struct harness *h, unsigned slot)
{
	struct vq_sg sg[3] = {
		{ bus_of(h->bufs[slot]), 16 },
		{ bus_of(h->bufs[slot] + 16), 400 },
		{ bus_of(h->bufs[slot] + 416), 1 },
	};
	return vq_add(h->vq, sg, 1, 2, &h->bufs[slot]);
}

/* Decodes the driver's own snapshot and expects ring_decode to see no anomaly and the same in-flight count. */
static void expect_decoder_agrees(struct harness *h)
{
	struct vq_snapshot s;
	struct vq_decode_result *r = NULL;
	struct rd_error err = { 0 };

	assert_int_equal(vq_take_snapshot(h->vq, 2, &s), 0);
	assert_int_equal(vq_decode(&s, &r, &err), 0);
	for (size_t i = 0; i < r->n_anomalies; i++)
		print_error("anomaly %s: %s\n", vq_anomaly_code_name(r->anomalies[i].code), r->anomalies[i].message);
	assert_int_equal(r->n_anomalies, 0);
	assert_int_equal(r->in_flight, vq_in_flight(h->vq));
	assert_int_equal(r->queue_index, 2);
	vq_decode_result_free(r);
	vq_snapshot_free(&s);
}

static void test_split_round_trip(void **state)
{
	(void)state;
	struct harness *h = setup(VQ_RING_SPLIT, 8, NULL, false);
	void *cookie;
	uint32_t len;

	for (unsigned round = 0; round < 20; round++) {
		assert_int_equal(add_three(h, 2 * round % 64), 0);
		assert_int_equal(add_three(h, (2 * round + 1) % 64), 0);
		assert_int_equal(vq_kick(h->vq), 1);
		expect_decoder_agrees(h);
		struct fake_vq_request a, b;

		assert_int_equal(fake_vq_pop(&h->dev, &a), 1);
		assert_int_equal(fake_vq_pop(&h->dev, &b), 1);
		assert_int_equal(a.n, 3);
		assert_int_equal(a.n_ring_desc, 3);
		assert_int_equal(a.elems[0].bus, bus_of(h->bufs[2 * round % 64]));
		assert_false(a.writable[0]);
		assert_true(a.writable[1] && a.writable[2]);
		assert_int_equal(a.writable_bytes, 401);
		/* complete out of order */
		fake_vq_push(&h->dev, b.id, 7, 1);
		fake_vq_push(&h->dev, a.id, 401, 1);
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
		assert_ptr_equal(cookie, h->bufs[(2 * round + 1) % 64]);
		assert_int_equal(len, 7);
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
		assert_ptr_equal(cookie, h->bufs[2 * round % 64]);
		assert_int_equal(len, 401);
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 0);
		expect_decoder_agrees(h);
	}
	assert_int_equal(h->notifies, 20);
	assert_int_equal(h->log.n, 0);
	teardown(h);
}

static void packed_or_indirect_round_trip(enum vq_ring_type type, bool indirect)
{
	static const unsigned ind[] = { VIRTIO_RING_F_INDIRECT_DESC_BIT, 0 };
	struct harness *h = setup(type, 8, indirect ? ind : NULL, indirect);
	void *cookie;
	uint32_t len;

	for (unsigned round = 0; round < 20; round++) {
		/* 3 + 3 descriptors (or 1 + 1 indirect) of an 8-entry ring: positions wrap every few rounds */
		assert_int_equal(add_three(h, 2 * round % 64), 0);
		assert_int_equal(add_three(h, (2 * round + 1) % 64), 0);
		assert_int_equal(vq_kick(h->vq), 1);
		/*
		 * A packed ring with buffers in flight does not tell where the
		 * device writes next, and ring_decode's inference of it (vq_decode.h)
		 * is not exact here; split in-flight state is, and packed rings are
		 * checked when idle, where the driver knows the device's position.
		 */
		if (type == VQ_RING_SPLIT)
			expect_decoder_agrees(h);
		struct fake_vq_request a, b, none;

		assert_int_equal(fake_vq_pop(&h->dev, &a), 1);
		assert_int_equal(fake_vq_pop(&h->dev, &b), 1);
		assert_int_equal(fake_vq_pop(&h->dev, &none), 0);
		assert_int_equal(a.n, 3);
		assert_int_equal(a.indirect, indirect);
		assert_int_equal(a.n_ring_desc, indirect ? 1 : 3);
		assert_int_equal(a.elems[1].bus, bus_of(h->bufs[2 * round % 64] + 16));
		assert_int_equal(a.writable_bytes, 401);
		struct fake_vq_request *first = round % 2 ? &b : &a, *second = round % 2 ? &a : &b;

		fake_vq_push(&h->dev, first->id, 1, first->n_ring_desc);
		fake_vq_push(&h->dev, second->id, 401, second->n_ring_desc);
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
		assert_ptr_equal(cookie, h->bufs[(2 * round + (round % 2)) % 64]);
		assert_int_equal(len, 1);
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
		assert_ptr_equal(cookie, h->bufs[(2 * round + 1 - (round % 2)) % 64]);
		assert_int_equal(len, 401);
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 0);
		expect_decoder_agrees(h);
	}
	assert_int_equal(h->log.n, 0);
	teardown(h);
}

static void test_packed_round_trip(void **state)
{
	(void)state;
	packed_or_indirect_round_trip(VQ_RING_PACKED, false);
}

static void test_split_indirect(void **state)
{
	(void)state;
	packed_or_indirect_round_trip(VQ_RING_SPLIT, true);
}

static void test_packed_indirect(void **state)
{
	(void)state;
	packed_or_indirect_round_trip(VQ_RING_PACKED, true);
}

static void test_full_ring(void **state)
{
	(void)state;
	struct harness *h = setup(VQ_RING_SPLIT, 4, NULL, false);

	assert_int_equal(add_three(h, 0), 0);
	assert_int_equal(add_three(h, 1), -ENOSPC);   /* 3 + 3 > 4 descriptors */
	struct vq_sg one = { bus_of(h->bufs[2]), 8 };

	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), -ENOSPC);
	assert_int_equal(vq_add(h->vq, &one, 0, 0, NULL), -EINVAL);
	one.len = 0;
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), -EINVAL);
	teardown(h);
}

/* EVENT_IDX: the device's avail_event decides; without it, the NO_NOTIFY flag. */
static void test_split_kick_suppression(void **state)
{
	(void)state;
	static const unsigned ev[] = { VIRTIO_RING_F_EVENT_IDX_BIT, 0 };
	struct harness *h = setup(VQ_RING_SPLIT, 8, ev, false);
	uint8_t *avail_event = h->dev.device + 4 + 8 * 8;
	struct vq_sg one = { bus_of(h->bufs[0]), 8 };

	/* avail_event 0: the first buffer (idx 0 -> 1) crosses it */
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	/* device wants a kick only after avail idx passes 3: idx 1->2 suppressed, 2->4 notifies */
	vq_put_le16(avail_event, 3);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 0);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	assert_int_equal(h->notifies, 2);
	/* the driver asks for an interrupt right after what it reaped: used_event follows last_used */
	struct fake_vq_request r;
	void *cookie;
	uint32_t len;

	assert_int_equal(fake_vq_pop(&h->dev, &r), 1);
	fake_vq_push(&h->dev, r.id, 8, 1);
	assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
	assert_int_equal(vq_le16(h->dev.driver + 4 + 2 * 8), 1);
	teardown(h);

	h = setup(VQ_RING_SPLIT, 8, NULL, false);
	vq_put_le16(h->dev.device, 1);   /* VIRTQ_USED_F_NO_NOTIFY */
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 0);
	vq_put_le16(h->dev.device, 0);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	teardown(h);
}

static void test_packed_kick_suppression(void **state)
{
	(void)state;
	static const unsigned ev[] = { VIRTIO_RING_F_EVENT_IDX_BIT, 0 };
	struct harness *h = setup(VQ_RING_PACKED, 8, ev, false);
	uint8_t *dev_event = h->dev.device;
	struct vq_sg one = { bus_of(h->bufs[0]), 8 };

	vq_put_le16(dev_event + 2, VQ_EVENT_FLAGS_DISABLE);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 0);
	/* DESC at offset 2, wrap 1: the descriptor at position 1 does not reach it, 2 does */
	vq_put_le16(dev_event, 2 | 0x8000);
	vq_put_le16(dev_event + 2, VQ_EVENT_FLAGS_DESC);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 0);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	assert_int_equal(h->log.n, 0);
	/* reserved flags value: notify anyway and record it */
	vq_put_le16(dev_event + 2, 3);
	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	assert_int_equal(violation_count(&h->log, "event_flags_invalid"), 1);
	teardown(h);
}

static void test_notification_data(void **state)
{
	(void)state;
	static const unsigned nd[] = { VIRTIO_F_NOTIFICATION_DATA_BIT, 0 };
	struct harness *h = setup(VQ_RING_SPLIT, 8, nd, false);
	struct vq_sg one = { bus_of(h->bufs[0]), 8 };

	assert_int_equal(vq_add(h->vq, &one, 0, 1, NULL), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	assert_int_equal(h->last_notify_data, 2u | (1u << 16));
	teardown(h);

	h = setup(VQ_RING_PACKED, 4, nd, false);
	for (int i = 0; i < 4; i++)
		assert_int_equal(add_three(h, 0) == 0 || i > 0, 1);
	/* 3 descriptors made available: next offset 3, wrap counter still 1 */
	assert_int_equal(vq_kick(h->vq), 1);
	assert_int_equal(h->last_notify_data, 2u | (3u << 16) | (1u << 31));
	teardown(h);
}

/* IN_ORDER: one used entry for the last request of a batch completes the earlier ones first. */
static void in_order_batch(enum vq_ring_type type)
{
	static const unsigned io[] = { VIRTIO_F_IN_ORDER_BIT, 0 };
	struct harness *h = setup(type, 16, io, false);
	struct fake_vq_request r[3];
	void *cookie;
	uint32_t len;

	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(add_three(h, i), 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(fake_vq_pop(&h->dev, &r[i]), 1);
	/* one entry for the batch: used.idx moves by 3 (split), the position by its 9 descriptors (packed) */
	fake_vq_push(&h->dev, r[2].id, 100, type == VQ_RING_SPLIT ? 3 : 9);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
		assert_ptr_equal(cookie, h->bufs[i]);
		assert_int_equal(len, i == 2 ? 100 : 0);
	}
	assert_int_equal(vq_reap(h->vq, &cookie, &len), 0);
	/* and the ring keeps working after the batch */
	assert_int_equal(add_three(h, 5), 0);
	assert_int_equal(fake_vq_pop(&h->dev, &r[0]), 1);
	fake_vq_push(&h->dev, r[0].id, 3, type == VQ_RING_SPLIT ? 1 : 3);
	assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
	assert_ptr_equal(cookie, h->bufs[5]);
	assert_int_equal(h->log.n, 0);
	expect_decoder_agrees(h);
	teardown(h);
}

static void test_split_in_order(void **state)
{
	(void)state;
	in_order_batch(VQ_RING_SPLIT);
}

static void test_packed_in_order(void **state)
{
	(void)state;
	in_order_batch(VQ_RING_PACKED);
}

/* ---- hostile devices: every one caught, recorded with its code, queue broken, nothing read out of bounds ---- */

static void expect_caught(struct harness *h, const char *code, const char *section)
{
	void *cookie = (void *)1;
	uint32_t len = 12345;

	assert_int_equal(vq_reap(h->vq, &cookie, &len), -EPROTO);
	assert_int_equal(violation_count(&h->log, code), 1);
	assert_string_equal(h->log.v[h->log.n - 1].section, section);
	assert_true(vq_broken(h->vq));
	/* a broken queue stays refused */
	assert_int_equal(vq_reap(h->vq, &cookie, &len), -EPROTO);
	assert_int_equal(add_three(h, 9), -EPROTO);
}

static struct harness *one_split_request(struct fake_vq_request *r)
{
	struct harness *h = setup(VQ_RING_SPLIT, 8, NULL, false);

	assert_int_equal(add_three(h, 0), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	assert_int_equal(fake_vq_pop(&h->dev, r), 1);
	return h;
}

static void test_split_hostile_id_out_of_range(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_split_request(&r);

	fake_vq_push(&h->dev, 0xffff0008u, 1, 1);
	expect_caught(h, "used_id_out_of_range", "2.7.8");
	teardown(h);
}

static void test_split_hostile_id_not_head(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_split_request(&r);

	fake_vq_push(&h->dev, r.id + 1, 1, 1);   /* the second descriptor of the chain, not its head */
	expect_caught(h, "used_id_not_head", "2.7.8");
	teardown(h);
}

static void test_split_hostile_len(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_split_request(&r);

	fake_vq_push(&h->dev, r.id, 402, 1);   /* 401 writable bytes */
	expect_caught(h, "used_len_too_large", "2.7.8.1");
	teardown(h);
}

static void test_split_hostile_idx_jump(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_split_request(&r);

	fake_vq_push(&h->dev, r.id, 1, 1);
	vq_put_le16(h->dev.device + 2, 200);   /* 200 entries with 1 in flight */
	expect_caught(h, "used_idx_jump", "2.7.8");
	teardown(h);
}

static void test_split_hostile_desc_rewrite(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_split_request(&r);
	void *cookie;
	uint32_t len;

	vq_put_le32(h->dev.desc + 16 * r.id + 8, 4096);   /* grows the header descriptor */
	fake_vq_push(&h->dev, r.id, 1, 1);
	assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
	assert_int_equal(violation_count(&h->log, "desc_rewritten"), 1);
	assert_false(vq_broken(h->vq));   /* the driver's shadow copy is authoritative: reported, not fatal */
	teardown(h);
}

static void test_split_hostile_idx_backwards(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_split_request(&r);

	vq_put_le16(h->dev.device + 2, 0xffff);   /* used.idx one step behind the driver's: 65535 "new" entries */
	expect_caught(h, "used_idx_jump", "2.7.8");
	teardown(h);
}

static void test_split_hostile_double_completion(void **state)
{
	(void)state;
	struct harness *h = setup(VQ_RING_SPLIT, 8, NULL, false);
	struct fake_vq_request r[2];
	void *cookie;
	uint32_t len;

	assert_int_equal(add_three(h, 0), 0);
	assert_int_equal(add_three(h, 1), 0);
	assert_int_equal(fake_vq_pop(&h->dev, &r[0]), 1);
	assert_int_equal(fake_vq_pop(&h->dev, &r[1]), 1);
	/* two used entries, both naming the first head: the second completes a buffer no longer in flight */
	fake_vq_push(&h->dev, r[0].id, 1, 1);
	fake_vq_push(&h->dev, r[0].id, 1, 1);
	assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
	assert_ptr_equal(cookie, h->bufs[0]);
	expect_caught(h, "used_id_not_head", "2.7.8");
	teardown(h);
}

static void test_split_hostile_in_order_short(void **state)
{
	(void)state;
	static const unsigned io[] = { VIRTIO_F_IN_ORDER_BIT, 0 };
	struct harness *h = setup(VQ_RING_SPLIT, 16, io, false);
	struct fake_vq_request r[3];

	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(add_three(h, i), 0);
		assert_int_equal(fake_vq_pop(&h->dev, &r[i]), 1);
	}
	/* the third request's entry stands for a batch of three, but used.idx moves by one */
	fake_vq_push(&h->dev, r[2].id, 1, 1);
	expect_caught(h, "in_order_batch_short", "2.7.9");
	teardown(h);
}

static struct harness *one_packed_request(struct fake_vq_request *r)
{
	struct harness *h = setup(VQ_RING_PACKED, 8, NULL, false);

	assert_int_equal(add_three(h, 0), 0);
	assert_int_equal(vq_kick(h->vq), 1);
	assert_int_equal(fake_vq_pop(&h->dev, r), 1);
	return h;
}

static void test_packed_hostile_id_out_of_range(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_packed_request(&r);

	fake_vq_push(&h->dev, 8, 1, 3);
	expect_caught(h, "used_id_out_of_range", "2.8.1");
	teardown(h);
}

static void test_packed_hostile_id_not_in_flight(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_packed_request(&r);

	fake_vq_push(&h->dev, r.id + 3, 1, 3);
	expect_caught(h, "used_id_not_head", "2.8.1");
	teardown(h);
}

static void test_packed_hostile_len(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_packed_request(&r);

	fake_vq_push(&h->dev, r.id, 0xffffffffu, 3);
	expect_caught(h, "used_len_too_large", "2.8.4");
	teardown(h);
}

static void test_packed_hostile_wrong_wrap(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_packed_request(&r);

	h->dev.used_wrap = false;   /* the device marks used with the wrong wrap counter: AVAIL = USED = 0 */
	fake_vq_push(&h->dev, r.id, 1, 3);
	expect_caught(h, "packed_wrap_wrong", "2.8.1");
	teardown(h);
}

/* After the ring wrapped once, the device marks a used descriptor with the previous pass's wrap counter. */
static void test_packed_hostile_stale_wrap(void **state)
{
	(void)state;
	static const unsigned ind[] = { VIRTIO_RING_F_INDIRECT_DESC_BIT, 0 };
	struct harness *h = setup(VQ_RING_PACKED, 8, ind, true);   /* indirect: one ring descriptor per request */
	struct fake_vq_request r;
	void *cookie;
	uint32_t len;

	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(add_three(h, i), 0);
		assert_int_equal(fake_vq_pop(&h->dev, &r), 1);
		assert_int_equal(r.n_ring_desc, 1);
		fake_vq_push(&h->dev, r.id, 1, 1);
		assert_int_equal(vq_reap(h->vq, &cookie, &len), 1);
	}
	assert_false(h->dev.used_wrap);   /* the honest device flipped its counter at the end of the ring */
	assert_int_equal(add_three(h, 8), 0);
	assert_int_equal(fake_vq_pop(&h->dev, &r), 1);
	h->dev.used_wrap = true;           /* the hostile one did not */
	fake_vq_push(&h->dev, r.id, 1, 1);
	expect_caught(h, "packed_wrap_wrong", "2.8.1");
	teardown(h);
}

static void test_packed_hostile_len_indirect(void **state)
{
	(void)state;
	static const unsigned ind[] = { VIRTIO_RING_F_INDIRECT_DESC_BIT, 0 };
	struct harness *h = setup(VQ_RING_PACKED, 8, ind, true);
	struct fake_vq_request r;

	assert_int_equal(add_three(h, 0), 0);
	assert_int_equal(fake_vq_pop(&h->dev, &r), 1);
	assert_true(r.indirect);
	assert_int_equal(r.writable_bytes, 401);
	fake_vq_push(&h->dev, r.id, 402, 1);   /* one byte beyond what the table made writable */
	expect_caught(h, "used_len_too_large", "2.8.4");
	teardown(h);
}

static void test_packed_hostile_flag_flip(void **state)
{
	(void)state;
	struct fake_vq_request r;
	struct harness *h = one_packed_request(&r);

	/* AVAIL cleared and USED set: neither the driver's write nor a used descriptor */
	vq_put_le16(h->dev.desc + 14, VQ_DESC_F_USED | VQ_DESC_F_NEXT);
	expect_caught(h, "desc_rewritten", "2.8.1");
	teardown(h);
}

static void test_packed_hostile_used_without_request(void **state)
{
	(void)state;
	struct harness *h = setup(VQ_RING_PACKED, 8, NULL, false);

	vq_put_le16(h->dev.desc + 14, VQ_DESC_F_AVAIL | VQ_DESC_F_USED);
	expect_caught(h, "used_without_request", "2.8.1");
	teardown(h);
}

/* Random garbage in every device-written byte: the driver returns or breaks, never reads out of bounds (run under ASan). */
static void test_hostile_garbage(void **state)
{
	(void)state;
	srand(1234);
	for (int type = 0; type < 2; type++) {
		for (int trial = 0; trial < 200; trial++) {
			struct harness *h = setup(type ? VQ_RING_PACKED : VQ_RING_SPLIT, 8, NULL, false);
			void *cookie;
			uint32_t len;
			size_t ring_len = type ? 8 * 16 + 8 : 4096 + 6 + 64;

			for (int i = 0; i < 4; i++)
				(void)add_three(h, (unsigned)i);
			uint8_t *ring = h->dev.desc;

			for (int i = 0; i < 24; i++)
				ring[(size_t)rand() % ring_len] = (uint8_t)rand();
			for (int i = 0; i < 64; i++) {
				int r = vq_reap(h->vq, &cookie, &len);

				assert_true(r == 0 || r == 1 || r == -EPROTO);
				if (r == 1)
					assert_true(cookie >= (void *)h->bufs[0] && cookie <= (void *)h->bufs[3]);
				if (r != 1)
					break;
			}
			assert_true(vq_in_flight(h->vq) <= 4);
			teardown(h);
		}
	}
}

static void test_describe_names_outstanding(void **state)
{
	(void)state;
	struct harness *h = setup(VQ_RING_SPLIT, 8, NULL, false);
	char buf[256];

	assert_int_equal(add_three(h, 0), 0);
	assert_int_equal(add_three(h, 1), 0);
	vq_describe(h->vq, buf, sizeof(buf));
	assert_string_equal(buf, "queue 2 (split, size 8): avail.idx 2, used.idx 0, driver's last used 0, 2 in flight (heads 0, 3)");
	teardown(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_round_trip),
		cmocka_unit_test(test_packed_round_trip),
		cmocka_unit_test(test_split_indirect),
		cmocka_unit_test(test_packed_indirect),
		cmocka_unit_test(test_full_ring),
		cmocka_unit_test(test_split_kick_suppression),
		cmocka_unit_test(test_packed_kick_suppression),
		cmocka_unit_test(test_notification_data),
		cmocka_unit_test(test_split_in_order),
		cmocka_unit_test(test_packed_in_order),
		cmocka_unit_test(test_split_hostile_id_out_of_range),
		cmocka_unit_test(test_split_hostile_id_not_head),
		cmocka_unit_test(test_split_hostile_len),
		cmocka_unit_test(test_split_hostile_idx_jump),
		cmocka_unit_test(test_split_hostile_desc_rewrite),
		cmocka_unit_test(test_split_hostile_idx_backwards),
		cmocka_unit_test(test_split_hostile_double_completion),
		cmocka_unit_test(test_split_hostile_in_order_short),
		cmocka_unit_test(test_packed_hostile_id_out_of_range),
		cmocka_unit_test(test_packed_hostile_id_not_in_flight),
		cmocka_unit_test(test_packed_hostile_len),
		cmocka_unit_test(test_packed_hostile_wrong_wrap),
		cmocka_unit_test(test_packed_hostile_stale_wrap),
		cmocka_unit_test(test_packed_hostile_len_indirect),
		cmocka_unit_test(test_packed_hostile_flag_flip),
		cmocka_unit_test(test_packed_hostile_used_without_request),
		cmocka_unit_test(test_hostile_garbage),
		cmocka_unit_test(test_describe_names_outstanding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
