/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entropy device self-test (spec 5.4): read entropy, check it is not obviously broken. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "probe_tests.h"

enum { RNG_BYTES = 4096, RNG_MAX_REQUESTS = 256 };

/*
 * Not a randomness certification, a sanity check that catches a device
 * returning constants, counters or a repeated block: the monobit count
 * within 5 standard deviations of half (32768 bits: 16384 +- 453), the
 * byte histogram's chi-square (255 degrees of freedom) below 400 (p ~ 1e-8
 * for true randomness), and two consecutive reads differing.
 */
static bool looks_random(const uint8_t *b, size_t n, const uint8_t *prev, char *why, size_t why_len)
{
	unsigned long ones = 0, hist[256] = { 0 };

	for (size_t i = 0; i < n; i++) {
		ones += (unsigned long)__builtin_popcount(b[i]);
		hist[b[i]]++;
	}
	double bits = 8.0 * (double)n, sd = sqrt(bits) / 2, dev = fabs((double)ones - bits / 2);
	double expect = (double)n / 256, chi = 0;

	for (int i = 0; i < 256; i++)
		chi += ((double)hist[i] - expect) * ((double)hist[i] - expect) / expect;
	snprintf(why, why_len, "ones %lu of %.0f bits (%.1f sd), byte chi-square %.0f", ones, bits, dev / sd, chi);
	if (!memcmp(b, prev, n)) {
		snprintf(why, why_len, "two reads returned the same %zu bytes", n);
		return false;
	}
	return dev <= 5 * sd && chi < 400;
}

/* Fills buf with RNG_BYTES from queue 0; the device may return fewer bytes per request than offered. */
static int read_entropy(struct probe *p, struct dma_chunk *buf, unsigned *requests, uint64_t *lat_total)
{
	size_t got = 0;

	for (*requests = 0; got < RNG_BYTES && *requests < RNG_MAX_REQUESTS; (*requests)++) {
		struct vq_sg sg = { buf->bus_addr + got, (uint32_t)(RNG_BYTES - got) };
		uint32_t used;
		uint64_t lat;
		int r = probe_request(p, &p->queues[0], &sg, 0, 1, &used, &lat);

		if (r < 0)
			return r;
		got += used;
		*lat_total += lat;
	}
	return got < RNG_BYTES ? -EAGAIN : 0;
}

static int test_entropy(struct probe *p)
{
	struct dma_chunk a, b;
	unsigned ra, rb;
	uint64_t lat = 0;
	char why[160];
	int r;

	if ((r = probe_dma(p, RNG_BYTES, &a)) < 0 || (r = probe_dma(p, RNG_BYTES, &b)) < 0)
		return r;
	r = read_entropy(p, &a, &ra, &lat);
	if (r == 0)
		r = read_entropy(p, &b, &rb, &lat);
	if (r == -EAGAIN) {
		probe_result(p, "rng.entropy", PROBE_FAIL, "fewer than %u bytes after %u requests", RNG_BYTES,
			     RNG_MAX_REQUESTS);
		return 0;
	}
	if (r < 0)
		return r;
	bool ok = looks_random(b.vaddr, RNG_BYTES, a.vaddr, why, sizeof(why));

	probe_result_traffic(probe_result(p, "rng.entropy", ok ? PROBE_PASS : PROBE_FAIL, "2 x %u bytes in %u requests: %s",
					  RNG_BYTES, ra + rb, why),
			     2ull * RNG_BYTES, lat / (ra + rb));
	return 0;
}

static size_t rng_queues(const struct probe *p, uint16_t *out, size_t max)
{
	(void)p;
	if (!max)
		return 0;
	out[0] = 0;
	return 1;
}

static const struct probe_test rng_tests[] = {
	{ "rng.entropy", "read entropy twice; monobit, byte chi-square, not repeated", test_entropy },
	{ 0 },
};

const struct probe_suite probe_suite_rng = {
	.name = "rng",
	.device_id = 4,
	.queues = rng_queues,
	.tests = rng_tests,
};
