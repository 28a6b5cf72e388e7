/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Golden text and JSON renderings of representative hand-built rings (tests/data/ring/). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "ring_builder.h"

#define BUF(i) (0x200000ull + 0x1000ull * (i))
#define AV(w) ((w) ? D_AVAIL : D_USED)
#define US(w) ((w) ? (D_AVAIL | D_USED) : 0)

static const char *data_dir;

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Renders and compares with data_dir/name; VIRTIOCTL_UPDATE_GOLDEN=1 rewrites the file instead. */
static void golden(const struct tring *t, const char *name, enum emit_mode mode, unsigned flags)
{
	char path[512];
	struct emit e;
	size_t len;

	emit_init(&e, mode, mode == EMIT_JSON, false);
	vq_render(&e, &t->s, t->r, flags);
	const char *out = emit_result(&e, &len);
	assert_non_null(out);
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	const char *update = getenv("VIRTIOCTL_UPDATE_GOLDEN");
	if (update && !strcmp(update, "1")) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(out, 1, len, f), len);
		fclose(f);
	} else {
		char *want = read_file(path);
		if (!want)
			fail_msg("cannot read golden file %s", path);
		if (strcmp(want, out))
			fail_msg("%s differs from the rendering:\n%s", path, out);
		free(want);
	}
	emit_free(&e);
}

/*
 * Split, 8 entries, EVENT_IDX and INDIRECT_DESC:
 *   avail[3] head 0: desc 0 (16 bytes R) -> desc 1 (4096 W)
 *   avail[4] head 2: desc 2 -> indirect table {100 R, 200 W}
 *   used[2]  head 5: desc 5 (512 W), 512 bytes written, not yet reclaimed (last_used_idx 2)
 * avail.idx 5, used.idx 3; avail_event 5 (next kick fires), used_event 2 (next interrupt suppressed).
 */
static void build_split_basic(struct tring *t)
{
	tring_init(t, 8, false);
	tring_feature(t, F_EVENT_IDX);
	tring_feature(t, F_INDIRECT_DESC);
	sdesc(t, 0, BUF(0), 16, D_NEXT, 1);
	sdesc(t, 1, BUF(1), 4096, D_WRITE, 0);
	sdesc(t, 2, ind_addr(t, 0), 32, D_INDIRECT, 0);
	ind_sdesc(t, 0, 0, BUF(10), 100, D_NEXT, 1);
	ind_sdesc(t, 0, 1, BUF(11), 200, D_WRITE, 0);
	sdesc(t, 5, BUF(5), 512, D_WRITE, 0);
	for (unsigned i = 0; i < 3; i++)
		avail_ent(t, i, 5);     /* earlier publications of head 5 */
	avail_ent(t, 3, 0);
	avail_ent(t, 4, 2);
	avail_hdr(t, 0, 5);
	used_ent(t, 0, 5, 512);
	used_ent(t, 1, 5, 512);
	used_ent(t, 2, 5, 512);
	used_hdr(t, 0, 3);
	used_event_set(t, 2);
	avail_event_set(t, 5);
	t->s.has_last_used_idx = true;
	t->s.last_used_idx = 2;
}

static void test_split_basic(void **state)
{
	struct tring t;
	(void)state;
	build_split_basic(&t);
	assert_int_equal(tring_decode(&t), 0);
	assert_int_equal(t.r->n_anomalies, 0);
	golden(&t, "split_basic.txt", EMIT_TEXT, 0);
	golden(&t, "split_basic.json", EMIT_JSON, 0);
	golden(&t, "split_basic_verbose.txt", EMIT_TEXT, VQ_RENDER_VERBOSE);
	tring_free(&t);
}

/*
 * Split, 4 entries, queue index unknown:
 *   avail[0] head 0: 0 -> 1 -> 0 (chain_loop at descriptor 0)
 *   avail[1] head 2: length 0 (zero_length at descriptor 2)
 *   used[65535] head 3 (slot 3): 64 writable bytes, used len 65 (used_len_too_large at slot 3)
 * avail.idx 2, used.idx 0, last_used_idx 65535: the 16-bit indices wrap.
 */
static void build_split_anomalies(struct tring *t)
{
	tring_init(t, 4, false);
	t->s.queue_index = VQ_QUEUE_INDEX_UNKNOWN;
	sdesc(t, 0, BUF(0), 8, D_NEXT, 1);
	sdesc(t, 1, BUF(1), 8, D_NEXT, 0);
	sdesc(t, 2, BUF(2), 0, D_WRITE, 0);
	sdesc(t, 3, BUF(3), 64, D_WRITE, 0);
	avail_ent(t, 3, 3);
	avail_ent(t, 0, 0);
	avail_ent(t, 1, 2);
	avail_hdr(t, 0, 2);
	used_ent(t, 3, 3, 65); /* used[65535] */
	used_hdr(t, 0, 0);
	t->s.has_last_used_idx = true;
	t->s.last_used_idx = 65535;
}

static void test_split_anomalies(void **state)
{
	struct tring t;
	(void)state;
	build_split_anomalies(&t);
	assert_int_equal(tring_decode(&t), 0);
	assert_int_equal(t.r->n_anomalies, 3);
	golden(&t, "split_anomalies.txt", EMIT_TEXT, 0);
	golden(&t, "split_anomalies.json", EMIT_JSON, 0);
	tring_free(&t);
}

/*
 * The packed chain across the ring's end (see test_ring_packed.c), with
 * EVENT_IDX event suppression and two used descriptors not yet reclaimed.
 */
static void build_packed_wrap(struct tring *t)
{
	tring_init(t, 4, true);
	tring_feature(t, F_EVENT_IDX);
	t->s.queue_index = 2;
	pdesc(t, 3, BUF(13), 20, 0, AV(1) | D_NEXT);
	pdesc(t, 0, BUF(10), 100, 3, AV(0) | D_WRITE);
	pdesc(t, 1, BUF(1), 0, 1, US(1));
	pdesc(t, 2, BUF(2), 0, 2, US(1));
	driver_event_set(t, 0, false, 2); /* interrupt when the device uses 0/w0 (not next: it is at 3/w1) */
	device_event_set(t, 1, false, 2); /* kick when the driver makes 1/w0 available: its next */
	/* the driver has not yet read the used descriptors at 1/w1 and 2/w1 */
	t->s.has_driver_used_pos = true;
	t->s.driver_used_next = 1;
	t->s.driver_used_wrap = true;
}

static void test_packed_wrap(void **state)
{
	struct tring t;
	(void)state;
	build_packed_wrap(&t);
	assert_int_equal(tring_decode(&t), 0);
	assert_int_equal(t.r->n_anomalies, 0);
	golden(&t, "packed_wrap.txt", EMIT_TEXT, 0);
	golden(&t, "packed_wrap.json", EMIT_JSON, 0);
	golden(&t, "packed_wrap_verbose.txt", EMIT_TEXT, VQ_RENDER_VERBOSE);
	tring_free(&t);
}

/* The emitter's own number and string formatting prints exactly what snprintf prints (the oracle). */
static void test_emit_formats_match_printf(void **state)
{
	static const char *const num_fmts[] = {
		"%llu", " len %llu", "  avail[%llu]", " addr 0x%016llx", " flags 0x%04llx", "/w%llu", "%llx",
		"%5llu|", "%08llu", "x%%y %llu", "%lld", "%-6llu|", "no conversion",
	};
	static const unsigned long long vals[] = { 0, 1, 9, 10, 255, 4096, 65535, 0x100000000ull, 0xfedcba9876543210ull,
						   ~0ull };
	static const char *const str_fmts[] = { "%s", " %s\n", "[%s]", "%10s|", "%-4s|", "%.2s|" };
	static const char *const strs[] = { "", "yes", "in_flight", "a%b" };
	char want[256];

	(void)state;
	for (size_t f = 0; f < sizeof(num_fmts) / sizeof(num_fmts[0]); f++)
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			struct emit e;
			emit_init(&e, EMIT_TEXT, false, false);
			emit_uint(&e, "k", num_fmts[f], vals[v]);
			emit_hex(&e, "k", num_fmts[f], vals[v]);
			snprintf(want, sizeof(want), num_fmts[f], vals[v]);
			size_t n = strlen(want);
			snprintf(want + n, sizeof(want) - n, num_fmts[f], vals[v]);
			assert_string_equal(emit_result(&e, NULL), want);
			emit_free(&e);
		}
	for (size_t f = 0; f < sizeof(str_fmts) / sizeof(str_fmts[0]); f++)
		for (size_t v = 0; v < sizeof(strs) / sizeof(strs[0]); v++) {
			struct emit e;
			emit_init(&e, EMIT_TEXT, false, false);
			emit_str(&e, "k", str_fmts[f], strs[v]);
			emit_text(&e, str_fmts[f], strs[v]);
			snprintf(want, sizeof(want), str_fmts[f], strs[v]);
			size_t n = strlen(want);
			snprintf(want + n, sizeof(want) - n, str_fmts[f], strs[v]);
			assert_string_equal(emit_result(&e, NULL), want);
			emit_free(&e);
		}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_basic),
		cmocka_unit_test(test_emit_formats_match_printf),
		cmocka_unit_test(test_split_anomalies),
		cmocka_unit_test(test_packed_wrap),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
