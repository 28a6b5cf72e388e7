/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decodes and renders many pseudo-random rings (fixed seed): no crash, bounded anomalies and chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ring_builder.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic across platforms */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }

/* Small values most of the time, so chains, indices and tables interact instead of all being out of range. */
static uint16_t rnd_index(uint32_t n)
{
	switch (rnd_below(4)) {
	case 0: return (uint16_t)rnd();
	default: return (uint16_t)rnd_below(n + 2);
	}
}

static void fill_random(struct tring *t)
{
	uint32_t n = t->n;

	for (uint32_t i = 0; i < n; i++) {
		uint16_t flags = (uint16_t)(rnd_below(3) ? rnd_below(8) : rnd());
		if (t->packed && rnd_below(2))
			flags |= (uint16_t)(rnd_below(2) ? D_AVAIL : D_USED);
		uint32_t len = rnd_below(4) ? rnd_below(4096) : (uint32_t)rnd();
		uint64_t addr = rnd_below(3) ? ind_addr(t, 16 * rnd_below(IND_AREA / 16)) : rnd();
		if (t->packed)
			pdesc(t, i, addr, len, rnd_index(n), flags);
		else
			sdesc(t, i, addr, len, flags, rnd_index(n));
	}
	for (size_t o = t->ind_off; o < t->mem_len; o++)
		t->mem[o] = (uint8_t)(rnd_below(4) ? rnd_below(8) : rnd());
	if (!t->packed) {
		for (uint32_t i = 0; i < n; i++) {
			avail_ent(t, i, rnd_index(n));
			used_ent(t, i, rnd_index(n), rnd_below(8192));
		}
		avail_hdr(t, (uint16_t)rnd_below(3), (uint16_t)rnd());
		used_hdr(t, (uint16_t)rnd_below(3), (uint16_t)rnd());
		used_event_set(t, (uint16_t)rnd());
		avail_event_set(t, (uint16_t)rnd());
	} else {
		driver_event_set(t, (uint16_t)rnd_below(n), rnd_below(2), (uint16_t)rnd_below(5));
		device_event_set(t, (uint16_t)rnd_below(n), rnd_below(2), (uint16_t)rnd_below(5));
	}
}

static void random_snapshot(struct tring *t)
{
	t->s.features.w[0] = rnd() & ((1ull << F_INDIRECT_DESC) | (1ull << F_EVENT_IDX) | (1ull << F_IN_ORDER) |
				      (1ull << F_NOTIFY_ON_EMPTY) | (1ull << F_VERSION_1));
	t->s.has_last_avail_idx = rnd_below(2);
	t->s.last_avail_idx = (uint16_t)rnd();
	t->s.has_last_used_idx = rnd_below(2);
	t->s.last_used_idx = (uint16_t)rnd();
	t->s.has_driver_pos = rnd_below(2);
	t->s.driver_next = rnd_index(t->n);
	t->s.driver_wrap = rnd_below(2);
	t->s.has_device_pos = rnd_below(2);
	t->s.device_next = rnd_index(t->n);
	t->s.device_wrap = rnd_below(2);
	t->s.has_driver_used_pos = rnd_below(2);
	t->s.driver_used_next = rnd_index(t->n);
	t->s.driver_used_wrap = rnd_below(2);
	t->s.legacy_endian_big = rnd_below(4) == 0;
	if (!t->packed && rnd_below(2)) {
		/* a consistent-ish index pair, so selection and used walks run */
		uint16_t b = (uint16_t)rnd();
		uint16_t f = (uint16_t)rnd_below(t->n + 1);
		put16(t, t->used_off + 2, b);
		put16(t, t->avail_off + 2, (uint16_t)(b + f));
		t->s.last_used_idx = (uint16_t)(b - rnd_below(t->n + 1));
	}
}

/* Maps all, or random pieces, of the ring memory. */
static void random_map(struct tring *t)
{
	if (rnd_below(3)) {
		tring_map(t, 0, t->mem_len);
		return;
	}
	size_t pos = 0;
	while (pos < t->mem_len) {
		size_t len = 1 + rnd_below(256);
		if (pos + len > t->mem_len)
			len = t->mem_len - pos;
		if (rnd_below(3))
			tring_map(t, pos, pos + len);
		pos += len;
	}
}

static void check_result(const struct tring *t)
{
	const struct vq_decode_result *r = t->r;
	size_t elems = 0;

	assert_true(r->n_anomalies <= VQ_MAX_ANOMALIES + 1);
	assert_true(r->n_anomalies_total >= r->n_anomalies - (r->n_anomalies > VQ_MAX_ANOMALIES));
	assert_true(r->n_chains <= 2 * (size_t)t->n);
	for (size_t i = 0; i < r->n_chains; i++) {
		assert_true(r->chains[i].head < t->n);
		elems += r->chains[i].n_elems;
	}
	/* direct descriptors at most once each, plus indirect tables of at most size entries each */
	assert_true(elems <= (size_t)t->n + (size_t)t->n * t->n);
	for (size_t i = 0; i < r->n_anomalies; i++) {
		assert_true(r->anomalies[i].code < VQ_ANOMALY__COUNT);
		assert_true(strlen(r->anomalies[i].message) > 0);
	}
}

static void render_both(const struct tring *t)
{
	for (int mode = 0; mode < 2; mode++) {
		struct emit e;
		emit_init(&e, mode ? EMIT_JSON : EMIT_TEXT, mode, false);
		vq_render(&e, &t->s, t->r, VQ_RENDER_VERBOSE);
		size_t len = 0;
		assert_non_null(emit_result(&e, &len));
		assert_true(len > 0);
		emit_free(&e);
	}
}

static void test_random_rings(void **state)
{
	static const uint32_t split_sizes[] = { 1, 2, 4, 8, 16, 64, 256 };
	(void)state;

	for (int iter = 0; iter < 3000; iter++) {
		struct tring t;
		bool packed = iter % 2;
		uint32_t n = packed ? 1 + rnd_below(300) : split_sizes[rnd_below(7)];

		tring_init(&t, n, packed);
		fill_random(&t);
		random_snapshot(&t);
		random_map(&t);
		int ret = tring_decode(&t);
		if (ret == 0) {
			check_result(&t);
			render_both(&t);
		} else {
			assert_null(t.r);
		}
		tring_free(&t);
	}
}

/* Every descriptor an indirect table of the queue size, each chaining to the next: bounded work. */
static void test_large_indirect_tables(void **state)
{
	struct tring t;
	(void)state;

	tring_init(&t, 256, false);
	tring_feature(&t, F_INDIRECT_DESC);
	/* one 4 KiB table (256 entries) shared by all descriptors, entries linked 0 -> 1 -> ... -> 255 */
	for (unsigned i = 0; i < 256; i++) {
		ind_sdesc(&t, 0, i, 0x900000, 1, (uint16_t)(i < 255 ? D_NEXT : 0), (uint16_t)(i + 1));
		sdesc(&t, i, ind_addr(&t, 0), 4096, D_INDIRECT, 0);
		avail_ent(&t, i, (uint16_t)i);
	}
	avail_hdr(&t, 0, 256);
	used_hdr(&t, 0, 0);
	assert_int_equal(tring_decode(&t), 0);
	check_result(&t);
	assert_int_equal(t.r->n_chains, 256);
	assert_int_equal(t.r->chains[0].n_elems, 257);
	assert_int_equal(count_code(t.r, "chain_too_long"), 0);
	tring_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_rings),
		cmocka_unit_test(test_large_indirect_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
