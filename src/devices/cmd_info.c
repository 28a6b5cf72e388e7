/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl info [DEVICE...]`: everything the transport, sysfs and (for unowned devices) the registers tell. */
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

/* Every DEVICE named, in order; none means every device, as lspci does. */
static int resolve_devices(struct cli_ctx *ctx, const struct vdev_list *devs, int n_names, char **names,
			   const struct vdev **out, size_t *n_out)
{
	char known[512];

	*n_out = 0;
	if (n_names == 0) {
		for (size_t i = 0; i < devs->n; i++)
			out[(*n_out)++] = &devs->v[i];
		return 0;
	}
	for (int i = 0; i < n_names; i++) {
		const struct vdev *d = vdev_lookup(devs, names[i]);

		if (!d) {
			known_devices(devs, known, sizeof(known));
			return cli_error(ctx, EXIT_USAGE, "no virtio device '%s'; %s%s", names[i],
					 devs->n ? "devices: " : "this machine has no virtio devices", known);
		}
		out[(*n_out)++] = d;
	}
	return 0;
}

/* One device into e; returns 1 when it has problems, 0, or negative errno. */
static int render_one(struct emit *e, const struct vdev *dev, const struct info_options *opts,
		      const struct cli_ctx *ctx, bool separate)
{
	struct info_model model;
	int r = info_model_build(&model, dev, opts);

	if (r < 0) {
		info_model_free(&model);
		return r;
	}
	if (separate)
		emit_text(e, "\n");
	info_render(e, &model, opts, ctx->verbose);
	r = model.problem_count ? 1 : 0;
	info_model_free(&model);
	return r;
}

static int run_info(int argc, char **argv, struct cli_ctx *ctx)
{
	struct info_options opts = { 0 };
	struct vdev_list devs;
	const struct vdev **sel = NULL;
	size_t n_sel = 0;
	bool problems = false;
	struct emit e;
	int pos, r = parse_opts(argc, argv, ctx, &opts, &pos);

	if (r)
		return r < 0 ? 0 : r;
	r = vdev_discover(&devs);
	if (r < 0)
		return cli_error(ctx, EXIT_FAILURE, "cannot enumerate devices: %s", strerror(-r));
	sel = calloc(devs.n + (size_t)(argc - pos) + 1, sizeof(*sel));
	if (!sel) {
		vdev_list_free(&devs);
		return cli_error(ctx, EXIT_FAILURE, "out of memory");
	}
	r = resolve_devices(ctx, &devs, argc - pos, argv + pos, sel, &n_sel);
	if (r)
		goto out;
	cli_emit_init(ctx, &e);
	emit_array_begin(&e, NULL);
	for (size_t i = 0; i < n_sel; i++) {
		int one = render_one(&e, sel[i], &opts, ctx, i > 0);

		if (one < 0) {
			emit_free(&e);
			r = cli_error(ctx, EXIT_FAILURE, "cannot describe %s: %s", sel[i]->address, strerror(-one));
			goto out;
		}
		problems |= one > 0;
	}
	emit_array_end(&e);
	r = cli_emit_flush(ctx, &e);
	if (!r && problems)
		r = EXIT_ANOMALY;
out:
	free(sel);
	vdev_list_free(&devs);
	return r;
}

const struct cli_verb verb_info = {
	.name = "info",
	.run = run_info,
	.summary = "decode virtio devices (all when none is named): capabilities, interrupts, status, features, config",
	.usage = "[OPTIONS] [DEVICE...]",
	.opts = info_opts,
	.complete = "device",
};
