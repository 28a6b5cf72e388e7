/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl list`: one line (or JSON object) per virtio device on the machine, any transport. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "commands.h"
#include "list_table.h"
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

static const char *irq_cell(const struct vdev *d, char *buf, size_t len)
{
	const struct vdev_irqs *q = &d->irqs;

	if (q->mode == VDEV_IRQ_MSIX || q->mode == VDEV_IRQ_MSI)
		snprintf(buf, len, "%s:%u", vdev_irq_mode_name(q->mode), q->vectors);
	else
		snprintf(buf, len, "%s", vdev_irq_mode_name(q->mode));
	return buf;
}

/* What the driver made of the device (eth0, vda): JSON always, text in the KERNEL column. */
static void render_kernel_devices(struct emit *e, const struct sysfs_class_devs *cd)
{
	emit_array_begin(e, "kernel_devices");
	for (size_t i = 0; i < cd->n; i++) {
		emit_object_begin(e, NULL);
		emit_str(e, "class", NULL, cd->dev[i].cls);
		emit_str(e, "name", NULL, cd->dev[i].name);
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void kernel_devices_of(const struct vdev *d, struct sysfs_class_devs *cd)
{
	cd->n = 0;
	if (d->has_virtio)
		sysfs_virtio_class_devs(d->virtio.dir, cd);
}

/* The JSON object of one device; the text table is built apart (fill_row). */
static void render_device(struct emit *e, const struct vdev *d)
{
	const struct virtio_device_type *t = d->device_id_known ? virtio_device_type_by_id(d->device_id) : NULL;
	const struct sysfs_virtio_dev *vd = d->has_virtio ? &d->virtio : NULL;
	struct sysfs_class_devs cd;

	kernel_devices_of(d, &cd);
	emit_object_begin(e, NULL);
	emit_str(e, "address", NULL, d->address);
	emit_str(e, "transport", NULL, vdev_transport_name(d));
	emit_opt_uint(e, "device_id", NULL, d->device_id_known, d->device_id);
	/* JSON says null for an id the tables lack and keeps device_id. */
	emit_str(e, "type", NULL, t ? t->name : NULL);
	emit_opt_str(e, "type_name", NULL, t ? t->spec_name : NULL);
	emit_opt_str(e, "transport_driver", NULL, d->driver);
	emit_opt_str(e, "device", NULL, vd ? vd->name : NULL);
	emit_opt_str(e, "driver", NULL, vd ? vd->driver : NULL);
	render_kernel_devices(e, &cd);
	if (vd && vd->has_status) {
		emit_hex(e, "status", NULL, vd->status);
		emit_str(e, "status_summary", NULL, vdev_status_summary(vd->status));
		vdev_emit_status_names(e, "status_names", vd->status, false);
	} else {
		emit_absent(e, "status", "status_summary", "status_names", NULL);
	}
	/* Exact queue counts need the device's registers; interrupt names give a lower bound. */
	emit_null(e, "num_queues");
	emit_uint(e, "queue_vectors", NULL, d->irqs.n_queue_names);
	emit_str(e, "interrupt_mode", NULL, vdev_irq_mode_name(d->irqs.mode));
	emit_uint(e, "interrupt_vectors", NULL, d->irqs.vectors);
	if (vd && vd->has_features) {
		/* A device no driver took has negotiated nothing: an empty set, not an unknown one. */
		emit_hex128(e, "features", NULL, vd->features.w[0], vd->features.w[1]);
		vdev_emit_feature_names(e, "feature_names", d->device_id, &vd->features, ",", 0);
	} else {
		emit_absent(e, "features", "feature_names", NULL);
	}
	emit_opt_hex(e, "pci_vendor_id", NULL, d->is_pci, d->pci_vendor_id);
	emit_opt_hex(e, "pci_device_id", NULL, d->is_pci, d->pci_device_id);
	emit_opt_uint(e, "iommu_group", NULL, d->iommu_group >= 0, (unsigned long long)d->iommu_group);
	emit_opt_hex(e, "mmio_base", NULL, d->is_mmio && d->has_mmio_base, d->mmio_base);
	emit_opt_uint(e, "mmio_size", NULL, d->is_mmio && d->mmio_size, d->mmio_size);
	emit_opt_uint(e, "mmio_irq", NULL, d->is_mmio && d->mmio_irq >= 0, (unsigned long long)d->mmio_irq);
	emit_object_end(e);
}

/*
 * DRIVER is what really drives the device: the virtio driver (virtio_net),
 * or, when there is none, a transport driver that is not virtio's own
 * (vfio-pci holds the function for user space).
 */
static const char *driver_cell(const struct vdev *d)
{
	if (d->has_virtio && d->virtio.driver[0])
		return d->virtio.driver;
	if (d->driver[0] && strcmp(d->driver, "virtio-pci") && strcmp(d->driver, "virtio-mmio"))
		return d->driver;
	return "-";
}

static void set_cell(struct list_row *r, enum list_col c, const char *s)
{
	snprintf(r->cell[c], sizeof(r->cell[c]), "%s", s && *s ? s : "-");
}

static int fill_row(struct list_row *r, const struct vdev *d)
{
	const struct sysfs_virtio_dev *vd = d->has_virtio ? &d->virtio : NULL;
	struct sysfs_class_devs cd;
	struct emit_buf names = { 0 };
	char buf[64];

	set_cell(r, LIST_COL_ADDRESS, d->address);
	set_cell(r, LIST_COL_TYPE, vdev_type_name(d, buf, sizeof(buf)));
	set_cell(r, LIST_COL_DRIVER, driver_cell(d));
	kernel_devices_of(d, &cd);
	for (size_t i = 0; i < cd.n; i++)
		emit_buf_printf(&names, "%s%s", i ? "," : "", cd.dev[i].name);
	set_cell(r, LIST_COL_KERNEL, names.data);
	emit_buf_free(&names);
	set_cell(r, LIST_COL_VIRTIO, vd ? vd->name : NULL);
	set_cell(r, LIST_COL_TRANSPORT, vdev_transport_name(d));
	if (vd && vd->has_status)
		snprintf(buf, sizeof(buf), "0x%02x %s", vd->status, vdev_status_summary(vd->status));
	set_cell(r, LIST_COL_STATUS, vd && vd->has_status ? buf : NULL);
	snprintf(buf, sizeof(buf), ">=%zu", d->irqs.n_queue_names);
	set_cell(r, LIST_COL_QUEUES, d->irqs.n_queue_names ? buf : NULL);
	set_cell(r, LIST_COL_IRQ, irq_cell(d, buf, sizeof(buf)));
	if (vd && vd->has_features && !virtio_features_empty(&vd->features)) {
		struct emit list;

		/* The names come from the one renderer JSON uses, in text mode with no cut. */
		emit_init(&list, EMIT_TEXT, false, false);
		vdev_emit_feature_names(&list, NULL, d->device_id, &vd->features, ",", 0);
		const char *text = emit_result(&list, &(size_t){ 0 });

		r->features = strdup(text ? text : "");
		r->n_features = vdev_feature_count(&vd->features);
		emit_free(&list);
	} else {
		r->features = strdup("-");
	}
	return r->features ? 0 : -ENOMEM;
}

/* The terminal's width when stdout is one (0: a pipe or file, never cut). */
static size_t terminal_width(void)
{
	struct winsize ws;
	const char *cols;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	cols = getenv("COLUMNS");
	if (cols && atoi(cols) > 0)
		return (size_t)atoi(cols);
	return 80;
}

static void print_table(struct emit *e, const struct list_table *t, size_t width)
{
	bool shown[LIST_NCOLS];
	size_t w[LIST_NCOLS], fw;
	char cut[LIST_CELL_MAX * 8];

	list_table_fit(t, width, shown, w, &fw);
	for (size_t i = 0; i <= t->n; i++) {
		for (int c = 0; c < LIST_COL_FEATURES; c++)
			if (shown[c])
				emit_text(e, "%-*s ", (int)w[c], i ? t->rows[i - 1].cell[c] : list_col_header(c));
		if (!i) {
			emit_text(e, "%s\n", list_col_header(LIST_COL_FEATURES));
			continue;
		}
		const struct list_row *r = &t->rows[i - 1];

		/* A cut past the buffer would lie about N: print the whole list then. */
		if (fw && fw < sizeof(cut))
			emit_text(e, "%s\n", list_features_cut(r->features, r->n_features, fw, cut, sizeof(cut)));
		else
			emit_text(e, "%s\n", r->features);
	}
}

static int render_list(struct emit *e, const struct vdev_list *l, const struct list_filter *f, size_t width)
{
	struct list_table t = { 0 };
	int r = 0;

	if (emit_is_json(e)) {
		emit_array_begin(e, NULL);
		for (size_t i = 0; i < l->n; i++)
			if (selected(&l->v[i], f))
				render_device(e, &l->v[i]);
		emit_array_end(e);
		return 0;
	}
	for (size_t i = 0; i < l->n && !r; i++) {
		struct list_row *row;

		if (!selected(&l->v[i], f))
			continue;
		row = list_table_add(&t);
		r = row ? fill_row(row, &l->v[i]) : -ENOMEM;
	}
	if (!r && t.n)
		print_table(e, &t, width);
	list_table_free(&t);
	return r;
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
		r = render_list(&e, &devs, &filter, ctx->verbose > 0 ? 0 : terminal_width());
	vdev_list_free(&devs);
	if (r < 0) {
		emit_free(&e);
		return cli_error(ctx, EXIT_FAILURE, "cannot build the table: %s", strerror(-r));
	}
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
