/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Block device self-tests (spec 5.2): capacity, GET_ID serial, reads two ways compared, flush, guarded writes, a benchmark. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "probe_tests.h"

/* Spec 5.2.6: request types and status values; configuration offsets of 5.2.4. */
enum {
	BLK_T_IN = 0,
	BLK_T_OUT = 1,
	BLK_T_FLUSH = 4,
	BLK_T_GET_ID = 8,
	BLK_S_OK = 0,
	BLK_S_IOERR = 1,
	BLK_S_UNSUPP = 2,
	BLK_CFG_CAPACITY = 0,
	BLK_CFG_SEG_MAX = 12,
	BLK_F_SEG_MAX = 2,
	BLK_F_RO = 5,
	BLK_F_FLUSH = 9,
	BLK_ID_BYTES = 20,
	SECTOR = 512,
	READ_SECTORS = 64,
	HDR_OFF = 0,
	STATUS_OFF = 16,
	DATA_OFF = 4096,
	BENCH_BLOCK = 4096,
	BENCH_SECONDS = 3,
	BENCH_MAX_DEPTH = 32,
};

struct blk_io {
	struct dma_chunk buf;        /* header, status, then data at DATA_OFF */
	uint8_t *hdr, *status, *data;
	uint64_t data_bus;
};

static int blk_io_alloc(struct probe *p, struct blk_io *io, size_t data_len)
{
	int r = probe_dma(p, DATA_OFF + data_len, &io->buf);

	if (r < 0)
		return r;
	io->hdr = (uint8_t *)io->buf.vaddr + HDR_OFF;
	io->status = (uint8_t *)io->buf.vaddr + STATUS_OFF;
	io->data = (uint8_t *)io->buf.vaddr + DATA_OFF;
	io->data_bus = io->buf.bus_addr + DATA_OFF;
	return 0;
}

/*
 * One request: header, data split into n_seg equal descriptors (readable for
 * writes, writable otherwise), status.  Returns the status byte (>= 0) or a
 * negative errno; *used gets the device's used length.
 */
static int blk_rw(struct probe *p, struct blk_io *io, uint32_t type, uint64_t sector, uint32_t len, unsigned n_seg,
		  uint32_t *used, uint64_t *lat)
{
	struct vq_sg sg[VQ_MAX_SG];
	unsigned n = 0;

	memset(io->hdr, 0, 16);
	vq_put_le32(io->hdr, type);
	vq_put_le64(io->hdr + 8, sector);
	*io->status = 0xee;   /* not a status value: catches a device that never writes it */
	sg[n++] = (struct vq_sg){ io->buf.bus_addr + HDR_OFF, 16 };
	for (unsigned i = 0; len && i < n_seg; i++)
		sg[n++] = (struct vq_sg){ io->data_bus + (uint64_t)i * (len / n_seg), len / n_seg };
	sg[n++] = (struct vq_sg){ io->buf.bus_addr + STATUS_OFF, 1 };
	unsigned n_out = type == BLK_T_OUT ? 1 + (len ? n_seg : 0) : 1;
	int r = probe_request(p, &p->queues[0], sg, n_out, n - n_out, used, lat);

	return r < 0 ? r : *io->status;
}

static int test_capacity(struct probe *p)
{
	uint64_t cap = probe_config_le(p, BLK_CFG_CAPACITY, 8);

	if (p->config_len < 8) {
		probe_result(p, "blk.capacity", PROBE_FAIL, "configuration is %zu bytes, too short for capacity", p->config_len);
		return 0;
	}
	probe_result(p, "blk.capacity", cap ? PROBE_PASS : PROBE_FAIL, "%llu sectors (%llu MiB)%s",
		     (unsigned long long)cap, (unsigned long long)(cap / 2048),
		     virtio_features_test(&p->accepted, BLK_F_RO) ? ", read-only" : "");
	return 0;
}

static int test_serial(struct probe *p)
{
	struct blk_io io;
	uint32_t used;
	uint64_t lat;
	int r = blk_io_alloc(p, &io, BLK_ID_BYTES);

	if (r < 0)
		return r;
	r = blk_rw(p, &io, BLK_T_GET_ID, 0, BLK_ID_BYTES, 1, &used, &lat);
	if (r < 0)
		return r;
	if (r == BLK_S_UNSUPP) {
		probe_result(p, "blk.serial", PROBE_SKIP, "GET_ID answered UNSUPP");
		return 0;
	}
	char serial[BLK_ID_BYTES + 1];

	/* Up to 20 bytes, NUL-padded (5.2.6); anything unprintable is shown as '?'. */
	for (size_t i = 0; i <= BLK_ID_BYTES; i++)
		serial[i] = i < BLK_ID_BYTES ? (char)io.data[i] : 0;
	for (size_t i = 0; serial[i]; i++)
		if (serial[i] < 0x20 || serial[i] > 0x7e)
			serial[i] = '?';
	struct probe_test_result *res = r == BLK_S_OK ? probe_result(p, "blk.serial", PROBE_PASS, "serial \"%s\"", serial)
						      : probe_result(p, "blk.serial", PROBE_FAIL, "GET_ID status %d", r);

	probe_result_traffic(res, used, lat);
	return 0;
}

static unsigned data_segments(const struct probe *p)
{
	unsigned seg = 8;

	if (virtio_features_test(&p->accepted, BLK_F_SEG_MAX)) {
		uint32_t seg_max = (uint32_t)probe_config_le(p, BLK_CFG_SEG_MAX, 4);

		if (seg_max && seg_max < seg)
			seg = seg_max;
	}
	return seg;
}

/* Reads the first sectors in one data descriptor and again in several (indirect when negotiated): same bytes. */
static int test_read(struct probe *p)
{
	uint64_t cap = probe_config_le(p, BLK_CFG_CAPACITY, 8);
	uint32_t sectors = cap < READ_SECTORS ? (uint32_t)cap : READ_SECTORS, len = sectors * SECTOR;
	struct blk_io a, b;
	uint32_t used_a, used_b;
	uint64_t lat_a, lat_b;

	if (!sectors) {
		probe_result(p, "blk.read", PROBE_SKIP, "capacity 0");
		return 0;
	}
	int r = blk_io_alloc(p, &a, len);

	if (r < 0 || (r = blk_io_alloc(p, &b, len)) < 0)
		return r;
	memset(a.data, 0xa5, len);
	memset(b.data, 0x5a, len);
	unsigned seg = data_segments(p);

	while (sectors % seg)
		seg--;
	int sa = blk_rw(p, &a, BLK_T_IN, 0, len, 1, &used_a, &lat_a);

	if (sa < 0)
		return sa;
	int sb = blk_rw(p, &b, BLK_T_IN, 0, len, seg, &used_b, &lat_b);

	if (sb < 0)
		return sb;
	uLong crc = crc32(crc32(0L, Z_NULL, 0), a.data, len);
	struct probe_test_result *res;

	if (sa != BLK_S_OK || sb != BLK_S_OK)
		res = probe_result(p, "blk.read", PROBE_FAIL, "read status %d and %d", sa, sb);
	else if (memcmp(a.data, b.data, len))
		res = probe_result(p, "blk.read", PROBE_FAIL,
				   "sectors 0..%u differ between a 1-descriptor and a %u-descriptor read", sectors - 1, seg);
	else if (used_a < len + 1 || used_b < len + 1)
		res = probe_result(p, "blk.read", PROBE_FAIL, "used length %u/%u, below the %u bytes written", used_a,
				   used_b, len + 1);
	else
		res = probe_result(p, "blk.read", PROBE_PASS,
				   "sectors 0..%u crc32 0x%08lx, same in 1 and %u data descriptors", sectors - 1, crc, seg);
	probe_result_traffic(res, 2ull * len, (lat_a + lat_b) / 2);
	return 0;
}

static int test_flush(struct probe *p)
{
	struct blk_io io;
	uint32_t used;
	uint64_t lat;

	if (!virtio_features_test(&p->accepted, BLK_F_FLUSH)) {
		probe_result(p, "blk.flush", PROBE_SKIP, "VIRTIO_BLK_F_FLUSH not negotiated");
		return 0;
	}
	int r = blk_io_alloc(p, &io, 0);

	if (r < 0 || (r = blk_rw(p, &io, BLK_T_FLUSH, 0, 0, 1, &used, &lat)) < 0)
		return r;
	probe_result_traffic(probe_result(p, "blk.flush", r == BLK_S_OK ? PROBE_PASS : PROBE_FAIL, "status %d", r), 0,
			     lat);
	return 0;
}

/* --write: the last sector is saved, overwritten with a pattern, read back, and restored. */
static int test_write(struct probe *p)
{
	uint64_t cap = probe_config_le(p, BLK_CFG_CAPACITY, 8);
	struct blk_io orig, pat, check;
	uint32_t used;
	uint64_t lat, total = 0;

	if (!p->opts->write) {
		probe_result(p, "blk.write", PROBE_SKIP, "writes need --write");
		return 0;
	}
	if (virtio_features_test(&p->accepted, BLK_F_RO) || !cap) {
		probe_result(p, "blk.write", PROBE_SKIP, "read-only or empty device");
		return 0;
	}
	int r;

	if ((r = blk_io_alloc(p, &orig, SECTOR)) < 0 || (r = blk_io_alloc(p, &pat, SECTOR)) < 0 ||
	    (r = blk_io_alloc(p, &check, SECTOR)) < 0)
		return r;
	uint64_t sector = cap - 1;

	for (int i = 0; i < SECTOR; i++)
		pat.data[i] = (uint8_t)(i * 7 + 1);
	int s1 = blk_rw(p, &orig, BLK_T_IN, sector, SECTOR, 1, &used, &lat);

	if (s1 < 0)
		return s1;
	total += lat;
	int s2 = s1 ? s1 : blk_rw(p, &pat, BLK_T_OUT, sector, SECTOR, 1, &used, &lat);

	if (s2 < 0)
		return s2;
	total += lat;
	int s3 = s2 ? s2 : blk_rw(p, &check, BLK_T_IN, sector, SECTOR, 1, &used, &lat);

	if (s3 < 0)
		return s3;
	bool same = !s3 && !memcmp(check.data, pat.data, SECTOR);
	/* Restore whatever happened above. */
	int s4 = s1 ? s1 : blk_rw(p, &orig, BLK_T_OUT, sector, SECTOR, 1, &used, &lat);

	if (s4 < 0)
		return s4;
	int s5 = s4 ? s4 : blk_rw(p, &check, BLK_T_IN, sector, SECTOR, 1, &used, &lat);

	if (s5 < 0)
		return s5;
	bool restored = !s5 && !memcmp(check.data, orig.data, SECTOR);

	probe_result_traffic(probe_result(p, "blk.write", same && restored ? PROBE_PASS : PROBE_FAIL,
					  "sector %llu: pattern %s, original %s", (unsigned long long)sector,
					  same ? "read back" : "NOT read back", restored ? "restored" : "NOT restored"),
			     5ull * SECTOR, total / 5);
	return 0;
}

/* ---- blk.bench: 4 KiB random reads at queue depth 1 and 32, polled; a benchmark, run only when named ---- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Whether LIST names this test itself; a suite name ("blk") does not select a benchmark. */
static bool named_explicitly(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, ",");

		if (len == n && !strncmp(s, name, n))
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}

struct bench_run {
	unsigned depth;
	uint64_t reads, bad, elapsed_ns, latency_sum_ns;
};

struct bench_slot {
	struct blk_io io;
	uint64_t issued_ns;
};

/* xorshift64*: a reproducible stream of block numbers, the same every run. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

static int bench_submit(struct probe *p, struct bench_slot *slot, uint64_t blocks, uint64_t *rng)
{
	struct probe_queue *pq = &p->queues[0];
	struct blk_io *io = &slot->io;
	struct vq_sg sg[3] = {
		{ io->buf.bus_addr + HDR_OFF, 16 },
		{ io->data_bus, BENCH_BLOCK },
		{ io->buf.bus_addr + STATUS_OFF, 1 },
	};

	memset(io->hdr, 0, 16);
	vq_put_le32(io->hdr, BLK_T_IN);
	vq_put_le64(io->hdr + 8, next_random(rng) % blocks * (BENCH_BLOCK / SECTOR));
	*io->status = 0xee;
	slot->issued_ns = mono_ns();
	int r = vq_add(pq->vq, sg, 1, 2, slot);

	return r < 0 ? probe_fail(p, r, "queue 0: could not add a benchmark read: %s", strerror(-r)) : 0;
}

/*
 * Keeps `depth` reads in flight for BENCH_SECONDS (opts->bench_ms), polling the used ring
 * without sleeping (the embedded driver at its fastest), then drains.  Every
 * wait is bounded: no completion for the request timeout ends it with the
 * queue described, and the device is checked every 10 ms.
 */
static int bench_depth(struct probe *p, struct bench_slot *slots, unsigned depth, uint64_t blocks, struct bench_run *run)
{
	struct probe_queue *pq = &p->queues[0];
	uint64_t rng = 0x9e3779b97f4a7c15ull, start = mono_ns();
	uint64_t run_ns = (p->opts->bench_ms ? p->opts->bench_ms : BENCH_SECONDS * 1000u) * 1000000ull;
	uint64_t stop = start + run_ns, last_progress = start, next_check = start;
	unsigned in_flight = 0;
	int r;

	*run = (struct bench_run){ .depth = depth };
	for (unsigned i = 0; i < depth; i++, in_flight++)
		if ((r = bench_submit(p, &slots[i], blocks, &rng)) < 0)
			return r;
	while (in_flight) {
		void *cookie;
		uint32_t len;
		uint64_t now = mono_ns();

		if ((r = vq_kick(pq->vq)) < 0)
			return probe_fail(p, r, "queue 0: notifying the device failed: %s", strerror(-r));
		while ((r = vq_reap(pq->vq, &cookie, &len)) == 1) {
			struct bench_slot *slot = cookie;

			now = mono_ns();
			last_progress = now;
			in_flight--;
			run->reads++;
			run->latency_sum_ns += now - slot->issued_ns;
			if (*slot->io.status != BLK_S_OK || len != BENCH_BLOCK + 1)
				run->bad++;
			if (now < stop) {
				if ((r = bench_submit(p, slot, blocks, &rng)) < 0)
					return r;
				in_flight++;
			}
		}
		if (r < 0) {
			char d[256];

			vq_describe(pq->vq, d, sizeof(d));
			return probe_fail(p, r, "the device broke the ring protocol (see violations): %s", d);
		}
		if (now >= next_check) {
			next_check = now + 10000000ull;
			if ((r = probe_check_device(p, pq)) < 0)
				return r;
		}
		if (now - last_progress > (uint64_t)p->opts->timeout_ms * 1000000ull) {
			char d[256];

			vq_describe(pq->vq, d, sizeof(d));
			return probe_fail(p, -ETIMEDOUT, "timed out after %u ms without a completed benchmark read: %s",
					  p->opts->timeout_ms, d);
		}
	}
	run->elapsed_ns = mono_ns() - start;
	pq->requests += run->reads;
	pq->bytes_out += 16 * run->reads;
	pq->bytes_in += (BENCH_BLOCK + 1ull) * run->reads;
	return 0;
}

static uint64_t iops_of(const struct bench_run *b)
{
	return b->elapsed_ns ? b->reads * 1000000000ull / b->elapsed_ns : 0;
}

static int test_bench(struct probe *p)
{
	uint64_t blocks = probe_config_le(p, BLK_CFG_CAPACITY, 8) / (BENCH_BLOCK / SECTOR);
	struct bench_slot slots[BENCH_MAX_DEPTH];
	static const unsigned depths[] = { 1, BENCH_MAX_DEPTH };
	struct bench_run runs[2];
	int r;

	if (!named_explicitly(p->opts->tests, "blk.bench")) {
		probe_result(p, "blk.bench", PROBE_SKIP, "a benchmark: runs only when named, --test blk.bench (best with --poll)");
		return 0;
	}
	if (!blocks) {
		probe_result(p, "blk.bench", PROBE_SKIP, "capacity below 4 KiB");
		return 0;
	}
	unsigned max_depth = vq_size(p->queues[0].vq) / 3;   /* three descriptors per read without indirect tables */

	for (unsigned i = 0; i < BENCH_MAX_DEPTH; i++)
		if ((r = blk_io_alloc(p, &slots[i].io, BENCH_BLOCK)) < 0)
			return r;
	for (unsigned k = 0; k < 2; k++) {
		unsigned depth = depths[k] < max_depth ? depths[k] : (max_depth ? max_depth : 1);

		if ((r = bench_depth(p, slots, depth, blocks, &runs[k])) < 0)
			return r;
	}
	uint64_t reads = runs[0].reads + runs[1].reads, bad = runs[0].bad + runs[1].bad;
	struct probe_test_result *res = probe_result(
		p, "blk.bench", bad ? PROBE_FAIL : PROBE_PASS,
		"4 KiB random reads, %.1fs each: qd%u %llu IOPS (%llu us mean), qd%u %llu IOPS (%llu us mean)%s",
		(p->opts->bench_ms ? p->opts->bench_ms : BENCH_SECONDS * 1000u) / 1000.0, runs[0].depth, (unsigned long long)iops_of(&runs[0]),
		(unsigned long long)(runs[0].reads ? runs[0].latency_sum_ns / runs[0].reads / 1000 : 0), runs[1].depth,
		(unsigned long long)iops_of(&runs[1]),
		(unsigned long long)(runs[1].reads ? runs[1].latency_sum_ns / runs[1].reads / 1000 : 0),
		bad ? "; some reads failed or came back short" : "");

	probe_result_traffic(res, reads * BENCH_BLOCK,
			     reads ? (runs[0].latency_sum_ns + runs[1].latency_sum_ns) / reads : 0);
	return 0;
}

static size_t blk_queues(const struct probe *p, uint16_t *out, size_t max)
{
	(void)p;
	if (!max)
		return 0;
	out[0] = 0;
	return 1;
}

static const struct probe_test blk_tests[] = {
	{ "blk.capacity", "capacity from the configuration", test_capacity },
	{ "blk.serial", "GET_ID: the serial", test_serial },
	{ "blk.read", "read the first sectors with 1 and with several data descriptors; compare", test_read },
	{ "blk.flush", "FLUSH when negotiated", test_flush },
	{ "blk.write", "with --write: overwrite the last sector, read back, restore", test_write },
	{ "blk.bench", "benchmark, only when named: 4 KiB random reads at queue depth 1 and 32, IOPS", test_bench },
	{ 0 },
};

const struct probe_suite probe_suite_blk = {
	.name = "blk",
	.device_id = 2,
	.queues = blk_queues,
	.tests = blk_tests,
};
