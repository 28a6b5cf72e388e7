/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading decode's input files safely (size limits, mapped cores, hexdump text) and extracting dumps. */
#include "decode_input.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Indirect tables copied by --write-vqdump: never more than a valid one can be (queue size descriptors). */
#define EXTRACT_MAX_TOTAL (256ull << 20)

static void file_release(struct decode_file *f)
{
	if (f->map)
		munmap(f->map, f->map_len);
	free(f->owned);
	free(f->path);
	*f = (struct decode_file){ 0 };
}

void decode_files_free(struct decode_files *files)
{
	if (!files)
		return;
	for (size_t i = 0; i < files->n; i++)
		file_release(&files->v[i]);
	free(files->v);
	*files = (struct decode_files){ 0 };
}

/* Reads up to limit + 1 bytes, so a longer input is detected without reading all of it. */
static int read_capped(int fd, uint64_t limit, size_t hint, uint8_t **out, size_t *len)
{
	size_t cap = hint ? hint + 1 : 65536, n = 0;
	uint8_t *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > limit) {
				free(buf);
				return -EFBIG;
			}
			size_t ncap = cap * 2 > limit + 1 ? (size_t)limit + 1 : cap * 2;
			uint8_t *p = realloc(buf, ncap);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap = ncap;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = -errno;
			free(buf);
			return e;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > limit) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

/*
 * A mapped core that another process truncates (QEMU rewriting the dump)
 * raises SIGBUS on the next access to a page past the new end.  No read of
 * the core can be retried, so the handler ends the run with the one line an
 * error gets, prepared while the file was opened (only async-signal-safe
 * calls in the handler).
 */
static char sigbus_msg[1024];
static size_t sigbus_len;

static void on_sigbus(int sig)
{
	(void)sig;
	ssize_t w = write(STDERR_FILENO, sigbus_msg, sigbus_len);
	(void)w;
	_exit(2);
}

/* Control characters of a file name as \xNN, so an error stays one line without terminal escapes. */
void decode_escape(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p && n + 5 < size; p++) {
		if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", *p);
		else
			out[n++] = (char)*p;
	}
	out[n < size ? n : size - 1] = '\0';
}

static void guard_mapping(const char *path)
{
	static bool installed;
	char name[900];
	struct sigaction sa = { .sa_handler = on_sigbus };

	decode_escape(path, name, sizeof(name));
	int n = snprintf(sigbus_msg, sizeof(sigbus_msg),
			 "virtioctl decode: %s: the file shrank while it was being read (is it still being written?)\n",
			 name);
	sigbus_len = n < 0 ? 0 : (size_t)n < sizeof(sigbus_msg) ? (size_t)n : sizeof(sigbus_msg) - 1;
	if (installed)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	installed = true;
}

static int map_file(struct decode_file *f, int fd, const struct stat *st, const char *path, struct rd_error *err)
{
	if ((uint64_t)st->st_size > SIZE_MAX)
		return rd_fail(err, -EFBIG, path, false, 0, "too large to map on this machine");
	void *m = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return rd_fail(err, -errno, path, false, 0, "cannot map: %s", strerror(errno));
	guard_mapping(path);
	f->map = m;
	f->map_len = (size_t)st->st_size;
	f->data = m;
	f->len = f->map_len;
	return 0;
}

static int load_bytes(struct decode_file *f, const char *path, bool map_large, struct rd_error *err)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int r = 0;

	if (fd < 0)
		return rd_fail(err, -errno, path, false, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = rd_fail(err, -errno, path, false, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = rd_fail(err, -EISDIR, path, false, 0, "is a directory, not a dump file");
		goto out;
	}
	if (S_ISREG(st.st_mode) && map_large && st.st_size > 0) {
		r = map_file(f, fd, &st, path, err);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > DECODE_MAX_FILE) {
		r = rd_fail(err, -EFBIG, path, false, 0,
			    "%lld bytes is more than the 1 GiB a ring dump can be (guest memory belongs in --core)",
			    (long long)st.st_size);
		goto out;
	}
	/* a core is mapped only from a regular file; from a pipe or device it is read, as far as any other file */
	size_t len = 0;
	uint64_t cap = map_large ? DECODE_MAX_STREAM_CORE : DECODE_MAX_FILE;
	r = read_capped(fd, cap, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, &f->owned, &len);
	if (r == -EFBIG && map_large)
		r = rd_fail(err, r, path, false, 0,
			    "more than %llu MiB from a pipe or device; save the core to a file, which is mapped instead",
			    (unsigned long long)(cap >> 20));
	else if (r == -EFBIG)
		r = rd_fail(err, r, path, false, 0, "more than the 1 GiB a ring dump can be");
	else if (r < 0)
		r = rd_fail(err, r, path, false, 0, "cannot read: %s", strerror(-r));
	f->data = f->owned;
	f->len = len;
out:
	if (!is_stdin)
		close(fd);
	return r;
}

/* Hexdump text becomes bytes; any other text is refused rather than read as binary. */
static int load_text(struct decode_files *files, struct decode_file *f, const char *path,
		     const struct decode_load *how, struct rd_error *err)
{
	uint64_t left = DECODE_MAX_TEXT_BYTES - files->text_bytes;
	uint64_t keep = how->need && how->need < left ? how->need : left;
	uint8_t *bytes;
	size_t n;
	int r = hexdump_text_parse_capped(f->data, f->len, path, keep, how->need != 0, &bytes, &n, err);

	if (r == -EFBIG && keep == left) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return rd_fail(err, r, path, err->has_offset, err->offset,
			       "%s; all hexdump text together may describe at most %llu MiB", msg,
			       (unsigned long long)(DECODE_MAX_TEXT_BYTES >> 20));
	}
	if (r < 0)
		return r;
	if (r == 0) {
		if (hexdump_text_is_text(f->data, f->len))
			return rd_fail(err, -EINVAL, path, false, 0,
				       "is text, but not a hexdump virtioctl reads (xxd, xxd -p, xxd -i, hexdump -C, od -Ax -tx1); give --raw if its bytes are the ring");
		return 0;
	}
	f->hex = hexdump_text_detect(f->data, f->len);
	if (f->map)
		munmap(f->map, f->map_len);
	free(f->owned);
	f->map = NULL;
	f->owned = bytes;
	f->data = bytes;
	f->len = n;
	files->text_bytes += n;
	return 0;
}

int decode_file_load(struct decode_files *files, const char *path, const struct decode_load *how,
		     const struct decode_file **out, struct rd_error *err)
{
	struct decode_file *v = realloc(files->v, (files->n + 1) * sizeof(*v));

	if (!v)
		return rd_fail(err, -ENOMEM, path, false, 0, "out of memory");
	files->v = v;
	struct decode_file *f = &v[files->n];
	*f = (struct decode_file){ .path = strdup(path) };
	if (!f->path)
		return rd_fail(err, -ENOMEM, path, false, 0, "out of memory");
	int r = load_bytes(f, path, how->map_large, err);
	if (r == 0 && !how->raw)
		r = load_text(files, f, path, how, err);
	if (r < 0) {
		file_release(f);
		return r;
	}
	files->n++;
	*out = f;
	return 0;
}

int decode_add_memory(struct vq_snapshot *s, uint64_t addr, const uint8_t *data, uint64_t len,
		      const char *what, const char *path, struct rd_error *err)
{
	int r = vq_mem_add(&s->mem, addr, data, len, false, path, 0);

	if (r == -EEXIST) {
		for (size_t i = 0; i < s->mem.n; i++) {
			const struct vq_mem_seg *g = &s->mem.segs[i];
			if (g->addr < addr + len && addr < g->addr + g->len)
				return rd_fail(err, -EINVAL, path, false, 0,
					       "%s: guest memory [0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx) from %s",
					       what, (unsigned long long)addr, (unsigned long long)(addr + len),
					       (unsigned long long)g->addr, (unsigned long long)(g->addr + g->len),
					       g->origin);
		}
	}
	if (r == -EINVAL)
		return rd_fail(err, r, path, false, 0, "%s: address 0x%llx plus %llu bytes wraps past 2^64", what,
			       (unsigned long long)addr, (unsigned long long)len);
	if (r < 0)
		return rd_fail(err, r, path, false, 0, "%s: out of memory", what);
	return 0;
}

struct range {
	uint64_t addr, last;     /* inclusive, so a range may end exactly at 2^64 */
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void add_range(struct range *v, size_t *n, uint64_t addr, uint64_t len)
{
	if (!len)
		return;
	uint64_t last = addr + (len - 1) < addr ? UINT64_MAX : addr + (len - 1);
	v[(*n)++] = (struct range){ addr, last };
}

/* Copies whatever of [addr, end] (end inclusive) src holds into dst (which holds none of it yet). */
static int copy_present(const struct vq_mem *src, uint64_t addr, uint64_t last, struct vq_mem *dst)
{
	for (size_t i = vq_mem_lower_bound(src, addr); i < src->n && src->segs[i].addr <= last; i++) {
		const struct vq_mem_seg *g = &src->segs[i];
		uint64_t a = g->addr > addr ? g->addr : addr;
		uint64_t b = vq_mem_seg_last(g) < last ? vq_mem_seg_last(g) : last;
		int r = vq_mem_add(dst, a, g->data + (a - g->addr), b - a + 1, true, g->origin,
				   g->origin_offset + (a - g->addr));
		if (r < 0)
			return r;
	}
	return 0;
}

int decode_extract(const struct vq_snapshot *s, const struct vq_decode_result *r, struct vq_snapshot *out,
		   struct rd_error *err)
{
	size_t n_desc = r && r->descs ? r->size : 0, n = 0;
	struct range *v = calloc(3 + n_desc, sizeof(*v));
	uint64_t total = 0;
	int ret = 0;

	*out = *s;
	out->mem = (struct vq_mem){ 0 };
	if (!v)
		return rd_fail(err, -ENOMEM, "--write-vqdump", false, 0, "out of memory");
	add_range(v, &n, s->desc_addr, vq_desc_area_size(s));
	add_range(v, &n, s->driver_addr, vq_driver_area_size(s));
	add_range(v, &n, s->device_addr, vq_device_area_size(s));
	/* VIRTQ_DESC_F_INDIRECT is 4 in split and packed descriptors alike. */
	for (size_t i = 0; i < n_desc; i++)
		if (r->descs[i].present && (r->descs[i].flags & 4) && r->descs[i].state != VQ_DESC_FREE)
			add_range(v, &n, r->descs[i].addr,
				  r->descs[i].len < 16ull * VQ_MAX_SIZE ? r->descs[i].len : 16ull * VQ_MAX_SIZE);
	qsort(v, n, sizeof(*v), range_cmp);

	/* Merge overlaps so each byte is copied once. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && (v[m - 1].last == UINT64_MAX || v[i].addr <= v[m - 1].last + 1)) {
			if (v[i].last > v[m - 1].last)
				v[m - 1].last = v[i].last;
			continue;
		}
		v[m++] = v[i];
	}
	for (size_t i = 0; i < m; i++) {
		total += v[i].last - v[i].addr + 1;
		if (total > EXTRACT_MAX_TOTAL) {
			ret = rd_fail(err, -EFBIG, "--write-vqdump", false, 0,
				      "the ring's areas and indirect tables exceed %llu MiB; not writing a dump",
				      EXTRACT_MAX_TOTAL >> 20);
			goto out;
		}
		ret = copy_present(&s->mem, v[i].addr, v[i].last, &out->mem);
		if (ret < 0) {
			ret = rd_fail(err, ret, "--write-vqdump", false, 0, "out of memory");
			goto out;
		}
	}
out:
	free(v);
	if (ret < 0)
		vq_mem_free(&out->mem);
	return ret;
}
