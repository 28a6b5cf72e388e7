/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoder speed on full 32768-entry queues against memcpy, and the whole `decode` process against cat, side by side. */
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vq_decode.h"
#include "vq_input.h"

extern char **environ;

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

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CPU time: under load, wall time measures the neighbours */
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

	printf("decoder, %-24s %8.2f ns/descriptor  %9.1f us/decode  memcpy of %zu bytes %7.1f us  ratio %.1fx (goal 10x)\n", name,
	       t_dec / r->n_desc, t_dec / 1e3, r->len, t_cpy / 1e3, t_dec / t_cpy);
	(void)sink;
	free(copy);
	return 0;
}

/* CPU time (user + system) of children reaped so far, in ns: under load, wall time measures the neighbours. */
static double children_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
}

/* Runs argv with stdout to out_path, n times; returns the CPU ns per run, or a negative value on failure. */
static double spawn_cpu(char *const argv[], const char *out_path, int n)
{
	double t0 = children_cpu_ns();

	for (int i = 0; i < n; i++) {
		posix_spawn_file_actions_t fa;
		pid_t pid;
		int status;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (r || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1)
			return -1;
	}
	return (children_cpu_ns() - t0) / n;
}

/*
 * The measure: `virtioctl decode` of a 32768-entry split queue with
 * every descriptor in flight, as a whole process writing to a file, against
 * `cat` copying a file of the same bytes as its output.
 */
static int run_whole_process(const char *virtioctl, struct ring *r, int iters)
{
	char dir[] = "/tmp/vqbenchXXXXXX";
	char dump[64], out[64], copy[64];
	struct emit_buf b = { 0 };
	struct rd_error err;
	int ret = 0;

	if (!mkdtemp(dir))
		return 1;
	snprintf(dump, sizeof(dump), "%s/q.vqdump", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	FILE *f = fopen(dump, "wb");
	if (!f || vqdump_write(&r->s, &b, &err) || fwrite(b.data, 1, b.len, f) != b.len) {
		fprintf(stderr, "cannot write %s\n", dump);
		ret = 1;
	}
	if (f)
		fclose(f);
	emit_buf_free(&b);
	for (int json = 0; json < 2 && !ret; json++) {
		char *dec[] = { (char *)virtioctl, "decode", json ? "--json" : "--color=never", dump, NULL };
		char *cat[] = { "/bin/cat", out, NULL };
		struct stat st;
		double t_dec = spawn_cpu(dec, out, iters);
		if (t_dec < 0 || stat(out, &st)) {
			fprintf(stderr, "%s decode failed\n", virtioctl);
			ret = 1;
			break;
		}
		double t_cat = spawn_cpu(cat, copy, iters);
		printf("whole process, %-5s     decode %7.2f ms CPU  cat of its %lld bytes %6.2f ms CPU  ratio %.1fx (goal 10x)\n",
		       json ? "JSON" : "text", t_dec / 1e6, (long long)st.st_size, t_cat / 1e6, t_dec / t_cat);
	}
	unlink(dump);
	unlink(out);
	unlink(copy);
	rmdir(dir);
	return ret;
}

/* `ring_bench --write-vqdump FILE`: the split benchmark queue as a .vqdump, to profile `decode` on it by hand. */
static int write_dump(const char *path)
{
	struct ring r;
	struct emit_buf b = { 0 };
	struct rd_error err;
	FILE *f = fopen(path, "wb");
	int ret = 0;

	build_split(&r, 1);
	if (!f || vqdump_write(&r.s, &b, &err) || fwrite(b.data, 1, b.len, f) != b.len) {
		fprintf(stderr, "cannot write %s\n", path);
		ret = 1;
	}
	if (f && fclose(f))
		ret = 1;
	emit_buf_free(&b);
	vq_snapshot_free(&r.s);
	free(r.mem);
	return ret;
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 50;
	struct ring rings[3];
	int ret = 0;

	if (argc == 3 && !strcmp(argv[1], "--write-vqdump"))
		return write_dump(argv[2]);

	if (iters <= 0)
		iters = 50;
	build_split(&rings[0], 1);
	build_split(&rings[1], 2);
	build_packed(&rings[2]);
	ret |= run("split, 1-desc chains", &rings[0], iters);
	ret |= run("split, 2-desc chains", &rings[1], iters);
	ret |= run("packed, 1-desc buffers", &rings[2], iters);
#ifdef M_MMAP_THRESHOLD
	/*
	 * The same with memory the allocator keeps between decodes, as memcpy's
	 * buffer is: the difference is the kernel zeroing fresh pages (first-touch
	 * page faults), which a one-shot `decode` process pays once and the
	 * whole-process lines below include.
	 */
	if (mallopt(M_MMAP_THRESHOLD, 256 << 20) && mallopt(M_TRIM_THRESHOLD, 1 << 30)) {
		ret |= run("split, 1-desc, warm heap", &rings[0], iters);
		ret |= run("split, 2-desc, warm heap", &rings[1], iters);
		ret |= run("packed, 1-desc, warm heap", &rings[2], iters);
	}
#endif
	if (argc > 2)
		ret |= run_whole_process(argv[2], &rings[0], iters > 20 ? 20 : iters);
	for (int i = 0; i < 3; i++) {
		vq_snapshot_free(&rings[i].s);
		free(rings[i].mem);
	}
	return ret;
}
