// SPDX-License-Identifier: GPL-2.0-or-later
/* Guest helper of the blk benchmark: 4 KiB random O_DIRECT reads kept at a queue depth through Linux AIO; prints IOPS. */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * The kernel's side of the comparison with `virtioctl probe --test
 * blk.bench`: the same block size, the same depths, the same xorshift64*
 * stream of block numbers and the same run length, through virtio_blk.
 * Native AIO (raw syscalls: no libaio in the guest) keeps exactly DEPTH
 * reads queued with O_DIRECT, so the page cache never answers.
 */
enum { BLOCK = 4096, MAX_DEPTH = 256 };

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

static int submit(aio_context_t ctx, int fd, struct iocb *cb, void *buf, uint64_t blocks, uint64_t *rng)
{
	struct iocb *list[1] = { cb };

	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = (uint32_t)fd;
	cb->aio_lio_opcode = IOCB_CMD_PREAD;
	cb->aio_buf = (uint64_t)(uintptr_t)buf;
	cb->aio_nbytes = BLOCK;
	cb->aio_offset = (int64_t)(next_random(rng) % blocks * BLOCK);
	cb->aio_data = (uint64_t)(uintptr_t)cb;
	return syscall(SYS_io_submit, ctx, 1, list) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: blk-randread DEVICE DEPTH SECONDS\n");
		return 2;
	}
	unsigned depth = (unsigned)strtoul(argv[2], NULL, 10), seconds = (unsigned)strtoul(argv[3], NULL, 10);
	int fd = open(argv[1], O_RDONLY | O_DIRECT);
	uint64_t size = 0, rng = 0x9e3779b97f4a7c15ull, reads = 0, errors = 0, latency_sum = 0;
	aio_context_t ctx = 0;
	static struct iocb cbs[MAX_DEPTH];
	static uint64_t issued[MAX_DEPTH];
	void *bufs[MAX_DEPTH];

	if (!depth || depth > MAX_DEPTH || !seconds) {
		fprintf(stderr, "blk-randread: DEPTH 1..%d, SECONDS >= 1\n", MAX_DEPTH);
		return 2;
	}
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0 || size < BLOCK) {
		fprintf(stderr, "blk-randread: %s: %s\n", argv[1], fd < 0 ? strerror(errno) : "no size or below 4 KiB");
		return 1;
	}
	if (syscall(SYS_io_setup, depth, &ctx) < 0) {
		fprintf(stderr, "blk-randread: io_setup: %s\n", strerror(errno));
		return 1;
	}
	uint64_t blocks = size / BLOCK, start = mono_ns(), stop = start + seconds * 1000000000ull;
	unsigned in_flight = 0;

	for (unsigned i = 0; i < depth; i++) {
		if (posix_memalign(&bufs[i], BLOCK, BLOCK) || submit(ctx, fd, &cbs[i], bufs[i], blocks, &rng) < 0) {
			fprintf(stderr, "blk-randread: submit: %s\n", strerror(errno));
			return 1;
		}
		issued[i] = mono_ns();
		in_flight++;
	}
	while (in_flight) {
		struct io_event ev[MAX_DEPTH];
		struct timespec timeout = { 10, 0 };
		long n = syscall(SYS_io_getevents, ctx, 1, (long)in_flight, ev, &timeout);

		if (n <= 0) {
			fprintf(stderr, "blk-randread: io_getevents: %s\n", n ? strerror(errno) : "no completion in 10 s");
			return 1;
		}
		uint64_t now = mono_ns();

		for (long k = 0; k < n; k++) {
			struct iocb *cb = (struct iocb *)(uintptr_t)ev[k].data;
			unsigned i = (unsigned)(cb - cbs);

			in_flight--;
			reads++;
			latency_sum += now - issued[i];
			if (ev[k].res != BLOCK)
				errors++;
			if (now < stop) {
				if (submit(ctx, fd, cb, bufs[i], blocks, &rng) < 0) {
					fprintf(stderr, "blk-randread: submit: %s\n", strerror(errno));
					return 1;
				}
				issued[i] = now;
				in_flight++;
			}
		}
	}
	uint64_t elapsed = mono_ns() - start;

	printf("qd%u %llu IOPS (%llu us mean), %llu reads in %.2f s, %llu errors\n", depth,
	       (unsigned long long)(reads * 1000000000ull / elapsed), (unsigned long long)(latency_sum / reads / 1000),
	       (unsigned long long)reads, elapsed / 1e9, (unsigned long long)errors);
	syscall(SYS_io_destroy, ctx);
	return errors ? 1 : 0;
}
