/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory balloon self-tests (spec 5.5): target and actual, inflate and deflate a few pages, the statistics queue. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

#include "probe_tests.h"

/* Spec 5.5.3 feature bits, 5.5.4 configuration, 5.5.6 page frame numbers and statistics tags. */
enum {
	BALLOON_F_STATS_VQ = 1,
	CFG_NUM_PAGES = 0,
	CFG_ACTUAL = 4,
	CFG_LEN = 8,
	INFLATEQ = 0,
	DEFLATEQ = 1,
	STATSQ = 2,
	PAGE = 4096,                 /* balloon page frame numbers count 4096-byte pages */
	PFN_SHIFT = 12,
	MAX_PAGES = 256,
	DEFAULT_PAGES = 8,           /* when the host asks for none */
	PATTERN = 0x5a,
	STAT_BYTES = 10,             /* le16 tag, le64 value, packed */
	S_MAJFLT = 2,
	S_MINFLT = 3,
	S_MEMFREE = 4,
	S_MEMTOT = 5,
	N_STATS = 4,
};

/* The pages this process gave the device; deflate hands back exactly these (one probe per process). */
static struct dma_chunk balloon_pages[MAX_PAGES];
static unsigned n_balloon_pages;

static bool stats_vq(const struct probe *p) { return virtio_features_test(&p->accepted, BALLOON_F_STATS_VQ); }

static int read_actual(struct probe *p, uint32_t *actual)
{
	uint8_t b[4];
	int r = transport_config_read(p->t, CFG_ACTUAL, b, 4, NULL, NULL);

	if (r < 0)
		return probe_fail(p, r, "reading the balloon's actual field failed: %s", strerror(-r));
	*actual = vq_le32(b);
	return 0;
}

/* 5.5.6: the driver tells the device how many pages it holds by writing actual. */
static int write_actual(struct probe *p, uint32_t pages, uint32_t *readback)
{
	uint8_t b[4];
	int r;

	vq_put_le32(b, pages);
	if ((r = transport_config_write(p->t, CFG_ACTUAL, b, 4, NULL)) < 0)
		return probe_fail(p, r, "writing the balloon's actual field failed: %s", strerror(-r));
	return read_actual(p, readback);
}

/* One buffer of page frame numbers (le32 each) on queue q. */
static int send_pfns(struct probe *p, uint16_t q, uint64_t *lat)
{
	struct dma_chunk list;
	uint32_t used;
	int r = probe_dma(p, n_balloon_pages * 4, &list);

	if (r < 0)
		return r;
	for (unsigned i = 0; i < n_balloon_pages; i++)
		vq_put_le32((uint8_t *)list.vaddr + 4 * i, (uint32_t)(balloon_pages[i].bus_addr >> PFN_SHIFT));
	struct vq_sg sg = { list.bus_addr, n_balloon_pages * 4 };

	return probe_request(p, &p->queues[q], &sg, 1, 0, &used, lat);
}

static int test_config(struct probe *p)
{
	if (p->config_len < CFG_LEN) {
		probe_result(p, "balloon.config", PROBE_FAIL, "configuration is %zu bytes, shorter than %u", p->config_len,
			     CFG_LEN);
		return 0;
	}
	probe_result(p, "balloon.config", PROBE_PASS, "the host asks for %u pages (num_pages), actual %u%s",
		     (unsigned)probe_config_le(p, CFG_NUM_PAGES, 4), (unsigned)probe_config_le(p, CFG_ACTUAL, 4),
		     stats_vq(p) ? ", statistics queue" : "");
	return 0;
}

/* Pages that read all zero: the host discarded them behind the balloon (what QEMU does, not a requirement). */
static unsigned zeroed_pages(void)
{
	unsigned z = 0;

	for (unsigned i = 0; i < n_balloon_pages; i++) {
		const uint8_t *b = balloon_pages[i].vaddr;
		bool zero = true;

		for (size_t k = 0; k < PAGE && zero; k++)
			zero = !b[k];
		z += zero;
	}
	return z;
}

/* Gives the device the pages the host asked for (num_pages, at most 256; 8 when it asks for none), then actual. */
static int test_inflate(struct probe *p)
{
	uint32_t want = (uint32_t)probe_config_le(p, CFG_NUM_PAGES, 4), actual;
	unsigned n = want && want <= MAX_PAGES ? want : want ? MAX_PAGES : DEFAULT_PAGES;
	uint64_t lat;
	int r;

	for (n_balloon_pages = 0; n_balloon_pages < n; n_balloon_pages++) {
		struct dma_chunk *c = &balloon_pages[n_balloon_pages];

		if ((r = dma_alloc(p->dma, PAGE, PAGE, c)) < 0)
			return probe_fail(p, r, "no DMA memory left for balloon page %u", n_balloon_pages);
		memset(c->vaddr, PATTERN, PAGE);
	}
	if ((r = send_pfns(p, INFLATEQ, &lat)) < 0 || (r = write_actual(p, n, &actual)) < 0)
		return r;
	unsigned zeroed = zeroed_pages();

	probe_result_traffic(probe_result(p, "balloon.inflate", actual == n ? PROBE_PASS : PROBE_FAIL,
					  "inflated %u pages (the host asked for %u), actual read back %u, %u of %u pages "
					  "discarded by the host (read back zero)",
					  n, want, actual, zeroed, n),
			     n * 4ull, lat);
	return 0;
}

/* Takes the inflated pages back, sets actual to 0, and checks the pages hold what is written to them again. */
static int test_deflate(struct probe *p)
{
	uint32_t actual;
	uint64_t lat;
	int r;

	if (!n_balloon_pages) {
		probe_result(p, "balloon.deflate", PROBE_SKIP, "nothing inflated (run with balloon.inflate)");
		return 0;
	}
	if ((r = send_pfns(p, DEFLATEQ, &lat)) < 0 || (r = write_actual(p, 0, &actual)) < 0)
		return r;
	unsigned bad = 0;

	for (unsigned i = 0; i < n_balloon_pages; i++) {
		uint8_t *b = balloon_pages[i].vaddr;

		memset(b, PATTERN ^ 0xff, PAGE);
		bad += b[0] != (PATTERN ^ 0xff) || b[PAGE - 1] != (PATTERN ^ 0xff);
	}
	probe_result_traffic(probe_result(p, "balloon.deflate", actual == 0 && !bad ? PROBE_PASS : PROBE_FAIL,
					  "deflated %u pages, actual read back %u, %u pages not usable again", n_balloon_pages,
					  actual, bad),
			     n_balloon_pages * 4ull, lat);
	return 0;
}

/* This process's and the system's numbers as the statistics the driver reports (5.5.6.3). */
static void fill_stats(uint8_t *b, uint64_t v[N_STATS])
{
	static const uint16_t tags[N_STATS] = { S_MAJFLT, S_MINFLT, S_MEMFREE, S_MEMTOT };
	struct rusage ru;
	struct sysinfo si;

	memset(&ru, 0, sizeof(ru));
	memset(&si, 0, sizeof(si));
	(void)getrusage(RUSAGE_SELF, &ru);
	(void)sysinfo(&si);
	v[0] = (uint64_t)ru.ru_majflt;
	v[1] = (uint64_t)ru.ru_minflt;
	v[2] = (uint64_t)si.freeram * si.mem_unit;
	v[3] = (uint64_t)si.totalram * si.mem_unit;
	for (int i = 0; i < N_STATS; i++) {
		vq_put_le16(b + i * STAT_BYTES, tags[i]);
		vq_put_le64(b + i * STAT_BYTES + 2, v[i]);
	}
}

/*
 * 5.5.6.3: the driver posts a statistics buffer; the device returns it when
 * it wants fresh numbers, and the driver answers with a new one.  Round 1
 * waits (the request timeout) for the return; round 2's numbers are what the
 * device should show from then on.
 */
static int test_stats(struct probe *p)
{
	struct dma_chunk b1, b2;
	uint64_t v[N_STATS];
	uint32_t used;
	uint64_t lat;
	int r;

	if (!stats_vq(p)) {
		probe_result(p, "balloon.stats", PROBE_SKIP, "VIRTIO_BALLOON_F_STATS_VQ not negotiated");
		return 0;
	}
	if ((r = probe_dma(p, N_STATS * STAT_BYTES, &b1)) < 0 || (r = probe_dma(p, N_STATS * STAT_BYTES, &b2)) < 0)
		return r;
	fill_stats(b1.vaddr, v);
	struct vq_sg sg = { b1.bus_addr, N_STATS * STAT_BYTES };

	r = probe_request(p, &p->queues[STATSQ], &sg, 1, 0, &used, &lat);
	if (r == -ETIMEDOUT) {
		p->error[0] = '\0';
		probe_result(p, "balloon.stats", PROBE_SKIP,
			     "the device kept the statistics buffer for %u ms (no polling interval set on the host?)",
			     p->opts->timeout_ms);
		return 0;
	}
	if (r < 0)
		return r;
	fill_stats(b2.vaddr, v);
	sg = (struct vq_sg){ b2.bus_addr, N_STATS * STAT_BYTES };
	if ((r = vq_add(p->queues[STATSQ].vq, &sg, 1, 0, &b2)) < 0)
		return probe_fail(p, r, "posting the second statistics buffer failed: %s", strerror(-r));
	(void)vq_kick(p->queues[STATSQ].vq);
	probe_result_traffic(probe_result(p, "balloon.stats", PROBE_PASS,
					  "buffer returned after %llu ms; sent majflt=%llu minflt=%llu free=%llu total=%llu",
					  (unsigned long long)(lat / 1000000), (unsigned long long)v[0],
					  (unsigned long long)v[1], (unsigned long long)v[2], (unsigned long long)v[3]),
			     2ull * N_STATS * STAT_BYTES, lat);
	return 0;
}

static size_t balloon_queues(const struct probe *p, uint16_t *out, size_t max)
{
	size_t n = 0;

	if (max < 3)
		return 0;
	out[n++] = INFLATEQ;
	out[n++] = DEFLATEQ;
	if (stats_vq(p))
		out[n++] = STATSQ;
	return n;
}

static const struct probe_test balloon_tests[] = {
	{ "balloon.config", "num_pages and actual from the configuration", test_config },
	{ "balloon.inflate", "give the device the pages the host asks for (8 when none, at most 256); actual", test_inflate },
	{ "balloon.deflate", "take the inflated pages back; actual 0; the pages are usable", test_deflate },
	{ "balloon.stats", "statistics buffer returned by the device, answered with fresh numbers", test_stats },
	{ 0 },
};

const struct probe_suite probe_suite_balloon = {
	.name = "balloon",
	.device_id = 5,
	.queues = balloon_queues,
	.tests = balloon_tests,
};
