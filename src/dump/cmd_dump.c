/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl dump virtioN:QUEUE -o FILE`: a kernel-driven queue's ring memory, read by BPF, saved as a .vqdump for decode. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "observe_bpf.h"
#include "vq_input.h"

enum { OPT_OUTPUT = 'o', OPT_WAIT = 'w', OPT_ATTACH = 256 };

static const struct cli_opt dump_opts[] = {
	{ "output", OPT_OUTPUT, required_argument, "FILE", "write the .vqdump here (required)" },
	{ "wait", OPT_WAIT, required_argument, "SECS",
	  "wait up to SECS for the device to show activity (default 5)" },
	{ "attach", OPT_ATTACH, required_argument, "MODE", "auto (default), fentry or kprobe" },
	{ 0 },
};

/* "virtio3:1" -> device name and queue index. */
static int parse_target(const char *s, char *dev, size_t dev_len, uint32_t *queue)
{
	const char *colon = strrchr(s, ':');
	unsigned n, q;

	if (!colon || strncmp(s, "virtio", 6) || (size_t)(colon - s) >= dev_len)
		return -EINVAL;
	snprintf(dev, dev_len, "%.*s", (int)(colon - s), s);
	if (cli_parse_u32(dev + 6, &n) < 0 || cli_parse_u32(colon + 1, &q) < 0 || q > 0xffff)
		return -EINVAL;
	snprintf(dev, dev_len, "virtio%u", n);
	*queue = q;
	return 0;
}

/* Written next to FILE and renamed over it, so a reader never sees half a dump. */
static int write_file(const char *path, const void *data, size_t len)
{
	char tmp[4096];
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len && !r;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 && !r)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static void render(struct emit *e, const char *dev, uint32_t queue, const struct vq_snapshot *s, const char *path,
		   size_t bytes)
{
	char feat[40];

	emit_object_begin(e, NULL);
	emit_str(e, "device", "%s", dev);
	emit_uint(e, "queue", ":%llu", queue);
	emit_str(e, "ring_type", " %s", s->ring_type == VQ_RING_PACKED ? "packed" : "split");
	emit_uint(e, "size", " size %llu", s->size);
	emit_uint(e, "device_id", NULL, s->device_id);
	virtio_features_format_hex(&s->features, feat, sizeof(feat));
	emit_str(e, "features", " features %s", feat);
	emit_hex(e, "desc_addr", " desc %#llx", s->desc_addr);
	emit_hex(e, "driver_addr", " driver %#llx", s->driver_addr);
	emit_hex(e, "device_addr", " device %#llx", s->device_addr);
	emit_opt_uint(e, "last_used_idx", " last_used_idx %llu", s->has_last_used_idx, s->last_used_idx);
	emit_str(e, "file", "\n-> %s", path);
	emit_uint(e, "bytes", " (%llu bytes)\n", bytes);
	emit_object_end(e);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int run_dump(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cli_parser p;
	enum vq_obs_attach attach = VQ_OBS_ATTACH_AUTO;
	const char *output = NULL, *arg;
	unsigned wait_s = 5;
	char dev[32], why[256] = "";
	uint32_t queue;
	int c, r;

	cli_parser_init(&p, &verb_dump, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			cli_parser_done(&p);
			return p.exit_code;
		}
		if (c == OPT_OUTPUT)
			output = arg;
		else if (c == OPT_WAIT && (cli_parse_u32(arg, &wait_s) < 0 || wait_s > 3600)) {
			cli_parser_done(&p);
			return cli_usage_error(ctx, "--wait takes seconds 0-3600, not '%s'", arg);
		} else if (c == OPT_ATTACH && vq_obs_attach_parse(arg, &attach) < 0) {
			cli_parser_done(&p);
			return cli_usage_error(ctx, "--attach takes auto, fentry or kprobe, not '%s'", arg);
		}
	}
	cli_parser_done(&p);
	if (argc - p.optind != 1)
		return cli_usage_error(ctx, "expected one queue as virtioN:QUEUE, got %d arguments", argc - p.optind);
	if (parse_target(argv[p.optind], dev, sizeof(dev), &queue) < 0)
		return cli_usage_error(ctx, "'%s' is not a queue: give the kernel device and queue index, e.g. virtio0:1",
				       argv[p.optind]);
	if (!output)
		return cli_usage_error(ctx, "-o FILE is required: where to write the .vqdump");

	struct vq_obs_source *src;
	r = vq_obs_open_bpf(&src, attach, why, sizeof(why));
	if (r < 0)
		return cli_error(ctx, r == -EOPNOTSUPP || r == -EPERM || r == -ENOENT ? EXIT_USAGE : EXIT_FAILURE,
				 "cannot read the kernel's virtqueues: %s", why);

	/* The programs learn a queue's address from its device's first event since they were loaded. */
	struct vq_snapshot snap;
	for (unsigned waited = 0;; waited += 100) {
		r = src->ops->snapshot(src, dev, queue, &snap);
		if (r != -ENOENT || waited >= wait_s * 1000)
			break;
		sleep_ms(100);
	}
	src->ops->close(src);
	if (r == -ENOENT)
		return cli_error(ctx, EXIT_USAGE, "%s queue %u did not show up: no queue of %s was used in %u s (BPF "
				 "learns a queue from its device's activity), or there is no such queue; "
				 "make it busy or raise --wait", dev, queue, dev, wait_s);
	if (r == -EPROTO)
		return cli_error(ctx, EXIT_FAILURE, "%s:%u: its ring areas are not laid out in one allocation as this "
				 "kernel's split rings are expected to be; not dumped", dev, queue);
	if (r == -EBUSY)
		return cli_error(ctx, EXIT_FAILURE, "%s:%u: the driver added or completed requests during every copy of "
				 "its ring; not dumped (try again, or when the queue is less busy)", dev, queue);
	if (r < 0)
		return cli_error(ctx, EXIT_FAILURE, "%s:%u: cannot read its ring memory: %s", dev, queue, strerror(-r));

	struct emit_buf buf = { 0 };
	struct rd_error err = { 0 };
	r = vqdump_write(&snap, &buf, &err);
	if (r < 0) {
		vq_snapshot_free(&snap);
		emit_buf_free(&buf);
		return cli_error(ctx, EXIT_FAILURE, "%s: %s", output, err.msg);
	}
	r = write_file(output, buf.data, buf.len);
	if (r < 0) {
		vq_snapshot_free(&snap);
		emit_buf_free(&buf);
		return cli_error(ctx, EXIT_FAILURE, "%s: cannot write: %s", output, strerror(-r));
	}

	struct emit e;
	cli_emit_init(ctx, &e);
	render(&e, dev, queue, &snap, output, buf.len);
	vq_snapshot_free(&snap);
	emit_buf_free(&buf);
	return cli_emit_flush(ctx, &e);
}

const struct cli_verb verb_dump = {
	.name = "dump",
	.run = run_dump,
	.summary = "save a kernel-driven virtqueue's ring memory (read with BPF) as a .vqdump",
	.usage = "[--wait SECS] [--attach MODE] virtioN:QUEUE -o FILE",
	.opts = dump_opts,
	.complete = "none",
};
