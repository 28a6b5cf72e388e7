/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl bind DEVICE --vfio | --kernel`: hand a device to vfio-pci (or off virtio-mmio) and give it back. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "commands.h"
#include "vdev.h"

enum {
	OPT_VFIO = 0x100,
	OPT_KERNEL,
	OPT_FORCE,
	OPT_DRY_RUN,
};

static const struct cli_opt bind_opts[] = {
	{ "vfio", OPT_VFIO, no_argument, NULL,
	  "give the device to vfio-pci (PCI) or release it from virtio-mmio (MMIO), for probe" },
	{ "kernel", OPT_KERNEL, no_argument, NULL, "give the device back to the kernel driver it had" },
	{ "force", OPT_FORCE, no_argument, NULL,
	  "bind even though a mounted filesystem, swap or configured interface uses the device" },
	{ "dry-run", OPT_DRY_RUN, no_argument, NULL, "check and say what would be done; change nothing" },
	{ 0 },
};

struct bind_args {
	bool to_vfio, to_kernel;
	struct bind_opts opts;
	const char *device;
};

static int parse_args(int argc, char **argv, struct cli_ctx *ctx, struct bind_args *a)
{
	struct cli_parser p;
	const char *arg;
	int c, r = 0;

	cli_parser_init(&p, &verb_bind, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			r = p.exit_code ? p.exit_code : -1;
			break;
		}
		if (c == OPT_VFIO)
			a->to_vfio = true;
		else if (c == OPT_KERNEL)
			a->to_kernel = true;
		else if (c == OPT_FORCE)
			a->opts.force = true;
		else if (c == OPT_DRY_RUN)
			a->opts.dry_run = true;
	}
	if (!r && p.optind >= argc)
		r = cli_usage_error(ctx, "missing DEVICE: give a PCI address, a virtioN name or an MMIO platform device "
				    "name (see 'virtioctl list')");
	else if (!r && p.optind + 1 < argc)
		r = cli_usage_error(ctx, "one DEVICE at a time: unexpected '%s'", argv[p.optind + 1]);
	else if (!r && a->to_vfio == a->to_kernel)
		r = cli_usage_error(ctx, "say where the device goes: --vfio or --kernel (exactly one)");
	if (!r)
		a->device = argv[p.optind];
	cli_parser_done(&p);
	return r;
}

static void render(struct emit *e, const struct vdev *d, const struct bind_args *a, const struct bind_outcome *o)
{
	char tbuf[32];
	const char *type = d->device_id_known ? vdev_type_name(d, tbuf, sizeof(tbuf)) : NULL;
	const char *before = o->driver_before[0] ? o->driver_before : NULL;
	const char *after = o->driver_after[0] ? o->driver_after : NULL;

	emit_object_begin(e, NULL);
	emit_str(e, "address", "%s: ", d->address);
	if (type && strcmp(type, "unknown"))
		emit_str(e, "type", NULL, type);
	else
		emit_null(e, "type");
	emit_str(e, "transport", NULL, vdev_transport_name(d));
	emit_str(e, "action", NULL, a->to_vfio ? "vfio" : "kernel");
	emit_bool(e, "dry_run", NULL, a->opts.dry_run);
	emit_bool(e, "forced", NULL, a->opts.force && o->users.n);
	if (o->already)
		emit_text(e, "already %s", after ? "bound to " : "bound to no driver");
	else if (a->opts.dry_run)
		emit_text(e, "would move it from %s to ", before ? before : "no driver");
	else
		emit_text(e, "%s -> ", before ? before : "no driver");
	emit_bool(e, "already", NULL, o->already);
	emit_bool(e, "changed", NULL, o->changed);
	if (before)
		emit_str(e, "transport_driver_before", NULL, before);
	else
		emit_null(e, "transport_driver_before");
	if (after)
		emit_str(e, "transport_driver", "%s", after);
	else
		emit_null(e, "transport_driver");
	if (!after && !o->already)
		emit_text(e, "no driver");
	if (o->iommu_group >= 0)
		emit_int(e, "iommu_group", ", IOMMU group %lld", o->iommu_group);
	else
		emit_null(e, "iommu_group");
	if (o->vfio_node[0])
		emit_str(e, "vfio_node", " (%s)", o->vfio_node);
	else
		emit_null(e, "vfio_node");
	emit_text(e, "\n");
	emit_array_begin(e, "users");
	for (size_t i = 0; i < o->users.n; i++) {
		emit_style(e, EMIT_STYLE_WARN);
		emit_text(e, "warning:");
		emit_style(e, EMIT_STYLE_NONE);
		emit_str(e, NULL, " in use, bound anyway (--force): %s\n", o->users.what[i]);
	}
	emit_array_end(e);
	emit_object_end(e);
}

static int run_bind(int argc, char **argv, struct cli_ctx *ctx)
{
	struct bind_args a = { 0 };
	struct bind_outcome out;
	struct vdev_list devs;
	const struct vdev *d;
	struct emit e;
	char why[512] = "";
	int r = parse_args(argc, argv, ctx, &a);

	if (r)
		return r < 0 ? 0 : r;
	r = vdev_discover(&devs);
	if (r < 0)
		return cli_error(ctx, EXIT_USAGE, "cannot enumerate devices: %s", strerror(-r));
	d = vdev_lookup(&devs, a.device);
	if (!d) {
		vdev_list_free(&devs);
		return cli_error(ctx, EXIT_USAGE, "no virtio device '%s' (see 'virtioctl list')", a.device);
	}
	r = a.to_vfio ? bind_to_vfio(d, &a.opts, &out, why, sizeof(why))
		      : bind_to_kernel(d, &a.opts, &out, why, sizeof(why));
	if (r < 0) {
		r = cli_error(ctx, EXIT_USAGE, "%s", why[0] ? why : strerror(-r));
		vdev_list_free(&devs);
		return r;
	}
	cli_emit_init(ctx, &e);
	render(&e, d, &a, &out);
	r = cli_emit_flush(ctx, &e);
	vdev_list_free(&devs);
	return r;
}

const struct cli_verb verb_bind = {
	.name = "bind",
	.run = run_bind,
	.summary = "move a device between its kernel driver and vfio-pci (refuses devices in use)",
	.usage = "[OPTIONS] --vfio|--kernel DEVICE",
	.opts = bind_opts,
	.complete = "device",
};
