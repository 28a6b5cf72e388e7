/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl list`: one line (or JSON object) per virtio device on the machine, any transport. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "vdev.h"
#include "vdev_render.h"
#include "virtio_spec.h"

enum {
	OPT_TYPE = 't',
	OPT_NAMES = 'n',
	OPT_TRANSPORT = 0x100,
};

static const struct cli_opt list_opts[] = {
	{ "type", OPT_TYPE, required_argument, "TYPE", "only devices of this type: a name (net, blk, ...) or an id" },
	{ "transport", OPT_TRANSPORT, required_argument, "KIND",
	  "only this transport: pci, pci-modern, pci-transitional, pci-legacy, mmio, mmio-v1, mmio-v2, other" },
	{ "names", OPT_NAMES, no_argument, NULL, "print only the DEVICE names `info` accepts, one per line" },
	{ 0 },
};

static const char *const transports[] = {
	"pci", "pci-modern", "pci-transitional", "pci-legacy", "mmio", "mmio-v1", "mmio-v2", "other", NULL,
};

struct list_filter {
	const struct virtio_device_type *type;
	const char *transport;
};

static bool transport_matches(const struct vdev *d, const char *want)
{
	const char *have = vdev_transport_name(d);

	if (!want)
		return true;
	if (!strcmp(want, "other"))
		return d->transport == VDEV_OTHER;
	if (!strcmp(want, "pci"))
		return d->is_pci;
	if (!strcmp(want, "mmio"))
		return d->is_mmio;
	return !strcmp(have, want);
}

static bool selected(const struct vdev *d, const struct list_filter *f)
{
	if (f->type && (!d->device_id_known || d->device_id != f->type->id))
		return false;
	return transport_matches(d, f->transport);
}

/* Widest address, so the text columns line up whatever the transports. */
static size_t address_width(const struct vdev_list *l, const struct list_filter *f)
{
	size_t w = strlen("ADDRESS");

	for (size_t i = 0; i < l->n; i++)
		if (selected(&l->v[i], f) && strlen(l->v[i].address) > w)
			w = strlen(l->v[i].address);
	return w;
}

static void render_interrupts(struct emit *e, const struct vdev *d)
{
	const struct vdev_irqs *q = &d->irqs;
	char text[32];

	emit_str(e, "interrupt_mode", NULL, vdev_irq_mode_name(q->mode));
	emit_uint(e, "interrupt_vectors", NULL, q->vectors);
	if (q->mode == VDEV_IRQ_MSIX || q->mode == VDEV_IRQ_MSI)
		snprintf(text, sizeof(text), "%s:%u", vdev_irq_mode_name(q->mode), q->vectors);
	else
		snprintf(text, sizeof(text), "%s", vdev_irq_mode_name(q->mode));
	emit_text(e, "%-9s ", text);
}

/* What the driver made of the device (eth0, vda): JSON always, text in the KERNEL column. */
static void render_kernel_devices(struct emit *e, const struct sysfs_virtio_dev *vd)
{
	struct sysfs_class_devs cd = { .n = 0 };

	if (vd)
		sysfs_virtio_class_devs(vd->dir, &cd);
	emit_array_begin(e, "kernel_devices");
	for (size_t i = 0; i < cd.n; i++) {
		emit_object_begin(e, NULL);
		emit_str(e, "class", NULL, cd.dev[i].cls);
		emit_str(e, "name", NULL, cd.dev[i].name);
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_device(struct emit *e, const struct vdev *d, bool verbose, const char *addr_fmt)
{
	const struct virtio_device_type *t = d->device_id_known ? virtio_device_type_by_id(d->device_id) : NULL;
	const struct sysfs_virtio_dev *vd = d->has_virtio ? &d->virtio : NULL;
	char buf[32];

	emit_object_begin(e, NULL);
	emit_str(e, "address", addr_fmt, d->address);
	emit_str(e, "transport", "%-17s ", vdev_transport_name(d));
	emit_opt_uint(e, "device_id", NULL, d->device_id_known, d->device_id);
	/* Text shows "id-N" for an id the tables lack; JSON says null and keeps device_id. */
	emit_str(e, "type", NULL, t ? t->name : NULL);
	emit_text(e, "%-9s ", vdev_type_name(d, buf, sizeof(buf)));
	emit_opt_str(e, "type_name", NULL, t ? t->spec_name : NULL);
	emit_opt_str(e, "transport_driver", "%-11s ", d->driver);
	emit_opt_str(e, "device", "%-9s ", vd ? vd->name : NULL);
	emit_opt_str(e, "driver", NULL, vd ? vd->driver : NULL);
	render_kernel_devices(e, vd);
	if (vd && vd->has_status) {
		emit_hex(e, "status", "0x%02llx ", vd->status);
		emit_str(e, "status_summary", "%-18s ", vdev_status_summary(vd->status));
		vdev_emit_status_names(e, "status_names", vd->status, false);
	} else {
		emit_opt_hex(e, "status", "%-23llx ", false, 0);
		emit_absent(e, "status_summary", "status_names", NULL);
	}
	/* Exact queue counts need the device's registers; interrupt names give a lower bound. */
	emit_null(e, "num_queues");
	emit_uint(e, "queue_vectors", NULL, d->irqs.n_queue_names);
	if (d->irqs.n_queue_names) {
		snprintf(buf, sizeof(buf), ">=%zu", d->irqs.n_queue_names);
		emit_text(e, "%-6s ", buf);
	} else {
		emit_text(e, "%-6s ", "-");
	}
	render_interrupts(e, d);
	if (vd && vd->has_features && !virtio_features_empty(&vd->features)) {
		emit_hex128(e, "features", NULL, vd->features.w[0], vd->features.w[1]);
		vdev_emit_feature_names(e, "feature_names", d->device_id, &vd->features, ",", verbose ? 0 : 48);
	} else if (vd && vd->has_features) {
		/* A virtio device no driver took: the kernel negotiated nothing. */
		emit_hex128(e, "features", NULL, 0, 0);
		emit_text(e, "-");
		emit_array_begin(e, "feature_names");
		emit_array_end(e);
	} else {
		emit_absent(e, "features", "feature_names", NULL);
		emit_text(e, "-");
	}
	emit_opt_hex(e, "pci_vendor_id", NULL, d->is_pci, d->pci_vendor_id);
	emit_opt_hex(e, "pci_device_id", NULL, d->is_pci, d->pci_device_id);
	emit_opt_uint(e, "iommu_group", NULL, d->iommu_group >= 0, (unsigned long long)d->iommu_group);
	emit_opt_hex(e, "mmio_base", NULL, d->is_mmio && d->has_mmio_base, d->mmio_base);
	emit_opt_uint(e, "mmio_size", NULL, d->is_mmio && d->mmio_size, d->mmio_size);
	emit_opt_uint(e, "mmio_irq", NULL, d->is_mmio && d->mmio_irq >= 0, (unsigned long long)d->mmio_irq);
	emit_text(e, "\n");
	emit_object_end(e);
}

static void render_list(struct emit *e, const struct vdev_list *l, const struct list_filter *f, bool verbose)
{
	char addr_fmt[32];
	size_t shown = 0;

	snprintf(addr_fmt, sizeof(addr_fmt), "%%-%zus ", address_width(l, f));
	emit_array_begin(e, NULL);
	for (size_t i = 0; i < l->n; i++) {
		if (!selected(&l->v[i], f))
			continue;
		if (!shown++) {
			emit_text(e, addr_fmt, "ADDRESS");
			emit_text(e, "%-17s %-9s %-11s %-9s %-23s %-6s %-9s %s\n", "TRANSPORT", "TYPE", "DRIVER", "VIRTIO",
				  "STATUS", "QUEUES", "IRQ", "FEATURES");
		}
		render_device(e, &l->v[i], verbose, addr_fmt);
	}
	emit_array_end(e);
}

/* Every name `info` accepts for each device: what shell completion offers. */
static void render_names(struct emit *e, const struct vdev_list *l, const struct list_filter *f)
{
	emit_array_begin(e, NULL);
	for (size_t i = 0; i < l->n; i++) {
		const struct vdev *d = &l->v[i];

		if (!selected(d, f))
			continue;
		emit_str(e, NULL, "%s\n", d->address);
		/* The short form people type (00:03.0), for functions in PCI domain 0. */
		if (d->is_pci && !strncmp(d->address, "0000:", 5))
			emit_str(e, NULL, "%s\n", d->address + 5);
		if (d->has_virtio) {
			struct sysfs_class_devs cd;

			emit_str(e, NULL, "%s\n", d->virtio.name);
			sysfs_virtio_class_devs(d->virtio.dir, &cd);
			for (size_t j = 0; j < cd.n; j++)
				emit_str(e, NULL, "%s\n", cd.dev[j].name);
		}
	}
	emit_array_end(e);
}

static int parse_args(int argc, char **argv, struct cli_ctx *ctx, struct list_filter *f, bool *names)
{
	struct cli_parser p;
	const char *arg;
	int c, r = 0;

	cli_parser_init(&p, &verb_list, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			r = p.exit_code ? p.exit_code : -1;
			goto out;
		}
		switch (c) {
		case OPT_TYPE:
			r = cli_device_type_arg(ctx, arg, &f->type);
			if (r)
				goto out;
			break;
		case OPT_TRANSPORT: {
			size_t i = 0;

			while (transports[i] && strcmp(transports[i], arg))
				i++;
			if (!transports[i]) {
				r = cli_usage_error(ctx, "unknown transport '%s': use pci, pci-modern, pci-transitional, "
						    "pci-legacy, mmio, mmio-v1, mmio-v2 or other", arg);
				goto out;
			}
			f->transport = transports[i];
			break;
		}
		case OPT_NAMES:
			*names = true;
			break;
		}
	}
	if (p.optind < argc)
		r = cli_usage_error(ctx, "unexpected argument '%s': list takes no DEVICE (use 'virtioctl info %s')",
				    argv[p.optind], argv[p.optind]);
out:
	cli_parser_done(&p);
	return r;
}

static int run_list(int argc, char **argv, struct cli_ctx *ctx)
{
	struct list_filter filter = { 0 };
	struct vdev_list devs;
	struct emit e;
	bool names = false;
	int r = parse_args(argc, argv, ctx, &filter, &names);

	if (r)
		return r < 0 ? 0 : r;
	r = vdev_discover(&devs);
	if (r < 0)
		return cli_error(ctx, EXIT_FAILURE, "cannot enumerate devices: %s", strerror(-r));
	if (devs.pci_note[0] && (ctx->verbose || strstr(devs.pci_note, "stopped early")))
		cli_error(ctx, 0, "note: %s", devs.pci_note);
	cli_emit_init(ctx, &e);
	if (names)
		render_names(&e, &devs, &filter);
	else
		render_list(&e, &devs, &filter, ctx->verbose > 0);
	vdev_list_free(&devs);
	return cli_emit_flush(ctx, &e);
}

const struct cli_verb verb_list = {
	.name = "list",
	.run = run_list,
	.summary = "list every virtio device (PCI and MMIO) with its transport, driver, status and features",
	.usage = "[OPTIONS]",
	.opts = list_opts,
	.complete = "none",
};
