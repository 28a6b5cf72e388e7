/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl info DEVICE`: everything the transport, sysfs and (for unowned devices) the registers tell. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "info_model.h"
#include "vdev.h"

enum {
	OPT_READ_ONLY = 0x100,
	OPT_HEXDUMP = 'x',
};

static const struct cli_opt info_opts[] = {
	{ "read-only", OPT_READ_ONLY, no_argument, NULL,
	  "never write a selector register, even on a device no driver owns (skips offered features and queues)" },
	{ "hexdump", OPT_HEXDUMP, no_argument, NULL, "also dump the PCI configuration space as hex" },
	{ 0 },
};

/* "0000:00:01.0 (virtio0), ..." so the error line names what exists. */
static void known_devices(const struct vdev_list *l, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && used + 1 < len; i++) {
		const struct vdev *d = &l->v[i];
		int n = snprintf(buf + used, len - used, "%s%s%s%s%s", i ? ", " : "", d->address,
				 d->has_virtio ? " (" : "", d->has_virtio ? d->virtio.name : "", d->has_virtio ? ")" : "");

		if (n < 0 || (size_t)n >= len - used) {
			/* Cut at the last complete entry. */
			char *comma = strrchr(buf, ',');
			if (comma)
				strcpy(comma, ", ...");
			break;
		}
		used += (size_t)n;
	}
}

/* The option parser over argv; returns 0 with *first_pos set, or the exit code (-1: help). */
static int parse_opts(int argc, char **argv, struct cli_ctx *ctx, struct info_options *o, int *first_pos)
{
	struct cli_parser p;
	const char *arg;
	int c, r = 0;

	cli_parser_init(&p, &verb_info, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			r = p.exit_code ? p.exit_code : -1;
			break;
		}
		if (c == OPT_READ_ONLY)
			o->read_only = true;
		else if (c == OPT_HEXDUMP)
			o->hexdump = true;
	}
	*first_pos = p.optind;
	cli_parser_done(&p);
	return r;
}

/* The option parser permutes, so options may also follow DEVICE ("info 00:03.0 --json"). */
static int parse_args(int argc, char **argv, struct cli_ctx *ctx, struct info_options *o, const char **device)
{
	int pos, r = parse_opts(argc, argv, ctx, o, &pos);

	if (r)
		return r;
	if (pos >= argc)
		return cli_usage_error(ctx, "missing DEVICE: give a PCI address, a virtioN name, an MMIO base address "
				       "or a platform device name (see 'virtioctl list')");
	if (pos + 1 < argc)
		return cli_usage_error(ctx, "one DEVICE at a time: unexpected '%s'", argv[pos + 1]);
	*device = argv[pos];
	return 0;
}

static int run_info(int argc, char **argv, struct cli_ctx *ctx)
{
	struct info_options opts = { 0 };
	struct info_model model;
	struct vdev_list devs;
	const struct vdev *dev;
	const char *name = NULL;
	struct emit e;
	char known[512];
	int r = parse_args(argc, argv, ctx, &opts, &name);

	if (r)
		return r < 0 ? 0 : r;
	r = vdev_discover(&devs);
	if (r < 0)
		return cli_error(ctx, EXIT_FAILURE, "cannot enumerate devices: %s", strerror(-r));
	dev = vdev_lookup(&devs, name);
	if (!dev) {
		known_devices(&devs, known, sizeof(known));
		r = cli_error(ctx, EXIT_USAGE, "no virtio device '%s'; %s%s", name,
			      devs.n ? "devices: " : "this machine has no virtio devices", known);
		vdev_list_free(&devs);
		return r;
	}
	r = info_model_build(&model, dev, &opts);
	if (r < 0) {
		info_model_free(&model);
		vdev_list_free(&devs);
		return cli_error(ctx, EXIT_FAILURE, "cannot describe %s: %s", name, strerror(-r));
	}
	cli_emit_init(ctx, &e);
	info_render(&e, &model, &opts, ctx->verbose);
	r = cli_emit_flush(ctx, &e);
	if (!r && model.problem_count)
		r = EXIT_ANOMALY;
	info_model_free(&model);
	vdev_list_free(&devs);
	return r;
}

const struct cli_verb verb_info = {
	.name = "info",
	.run = run_info,
	.summary = "decode one virtio device: transport capabilities, interrupts, status, features, configuration",
	.usage = "[OPTIONS] DEVICE",
	.opts = info_opts,
	.complete = "device",
};
