/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoder speed on full 32768-entry queues, in ns per descriptor and relative to memcpy of the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vq_decode.h"

#define QSIZE 32768u
#define BASE 0x40000000ull

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct ring {
	uint8_t *mem;
	size_t len;
	struct vq_snapshot s;
	uint32_t n_desc;        /* descriptors in flight */
};

/*
 * Split: every descriptor in flight.  chain_len 1: 32768 one-descriptor
 * buffers; chain_len 2: 16384 buffers of a readable and a writable one.
 */
static void build_split(struct ring *r, unsigned chain_len)
{
	size_t desc = 0, avail = 16ull * QSIZE, used = avail + 4 + 2 * QSIZE + 2 + 4;

	used = (used + 3) & ~(size_t)3;
	r->len = used + 4 + 8ull * QSIZE + 2;
	r->mem = calloc(1, r->len);
	for (uint32_t i = 0; i < QSIZE; i++) {
		uint8_t *d = r->mem + desc + 16ull * i;
		bool last = (i + 1) % chain_len == 0;
		put(d, 0x100000000ull + 4096ull * i, 8);
		put(d + 8, 1500, 4);
		put(d + 12, (last ? 0 : 1) | (chain_len > 1 && last ? 2 : 0), 2);
		put(d + 14, last ? 0 : i + 1, 2);
	}
	uint32_t heads = QSIZE / chain_len;
	for (uint32_t k = 0; k < heads; k++)
		put(r->mem + avail + 4 + 2ull * k, k * chain_len, 2);
	put(r->mem + avail + 2, heads, 2);
	r->s = (struct vq_snapshot){
		.ring_type = VQ_RING_SPLIT, .size = QSIZE, .queue_index = 0,
		.desc_addr = BASE + desc, .driver_addr = BASE + avail, .device_addr = BASE + used,
	};
	virtio_features_set(&r->s.features, VIRTIO_F_VERSION_1_BIT);
	vq_mem_add(&r->s.mem, BASE, r->mem, r->len, false, "bench", 0);
	r->n_desc = QSIZE;
}

/* Packed: every descriptor available in the first pass, one-descriptor buffers. */
static void build_packed(struct ring *r)
{
	r->len = 16ull * QSIZE + 8;
	r->mem = calloc(1, r->len);
	for (uint32_t i = 0; i < QSIZE; i++) {
		uint8_t *d = r->mem + 16ull * i;
		put(d, 0x100000000ull + 4096ull * i, 8);
		put(d + 8, 1500, 4);
		put(d + 12, i, 2);
		put(d + 14, 0x80 | 2, 2);
	}
	r->s = (struct vq_snapshot){
		.ring_type = VQ_RING_PACKED, .size = QSIZE, .queue_index = 0,
		.desc_addr = BASE, .driver_addr = BASE + 16ull * QSIZE, .device_addr = BASE + 16ull * QSIZE + 4,
	};
	virtio_features_set(&r->s.features, VIRTIO_F_VERSION_1_BIT);
	virtio_features_set(&r->s.features, VIRTIO_F_RING_PACKED_BIT);
	vq_mem_add(&r->s.mem, BASE, r->mem, r->len, false, "bench", 0);
	r->n_desc = QSIZE;
}

static int run(const char *name, struct ring *r, int iters)
{
	struct rd_error err;
	struct vq_decode_result *res = NULL;
	uint8_t *copy = malloc(r->len);
	volatile uint8_t sink = 0;

	/* warm up, and check the decode is what the benchmark claims */
	if (vq_decode(&r->s, &res, &err)) {
		fprintf(stderr, "%s: decode failed: %s\n", name, err.msg);
		return 1;
	}
	size_t descs = 0;
	for (size_t i = 0; i < res->n_chains; i++)
		descs += res->chains[i].n_elems;
	if (descs != r->n_desc || res->n_anomalies) {
		fprintf(stderr, "%s: expected %u descriptors in flight and no anomaly, got %zu and %zu\n", name,
			r->n_desc, descs, res->n_anomalies);
		return 1;
	}
	vq_decode_result_free(res);

	double t0 = now_ns();
	for (int i = 0; i < iters; i++) {
		vq_decode(&r->s, &res, &err);
		vq_decode_result_free(res);
	}
	double t_dec = (now_ns() - t0) / iters;

	t0 = now_ns();
	for (int i = 0; i < iters * 10; i++) {
		memcpy(copy, r->mem, r->len);
		sink ^= copy[i % r->len];
	}
	double t_cpy = (now_ns() - t0) / (iters * 10);

	printf("%-24s %8.2f ns/descriptor  %9.1f us/decode  memcpy of %zu bytes %7.1f us  ratio %.1fx\n", name,
	       t_dec / r->n_desc, t_dec / 1e3, r->len, t_cpy / 1e3, t_dec / t_cpy);
	(void)sink;
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 50;
	struct ring rings[3];
	int ret = 0;

	if (iters <= 0)
		iters = 50;
	build_split(&rings[0], 1);
	build_split(&rings[1], 2);
	build_packed(&rings[2]);
	ret |= run("split, 1-desc chains", &rings[0], iters);
	ret |= run("split, 2-desc chains", &rings[1], iters);
	ret |= run("packed, 1-desc buffers", &rings[2], iters);
	for (int i = 0; i < 3; i++) {
		vq_snapshot_free(&rings[i].s);
		free(rings[i].mem);
	}
	return ret;
}
