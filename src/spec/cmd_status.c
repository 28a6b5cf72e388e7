/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl status`: name the bits of a device status byte and flag combinations a driver cannot reach. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "virtio_spec.h"

enum { OPT_SPEC = 's', OPT_LEGACY = 'l' };

static const struct cli_opt status_opts[] = {
	{ "spec", OPT_SPEC, required_argument, "VERSION", "name bits as spec 1.2, 1.3 or 1.4 (default) does" },
	{ "legacy", OPT_LEGACY, no_argument, NULL, "the device is legacy (pre-1.0): no FEATURES_OK step" },
	{ 0 },
};

enum {
	S_ACKNOWLEDGE = 0x01,
	S_DRIVER = 0x02,
	S_DRIVER_OK = 0x04,
	S_FEATURES_OK = 0x08,
	S_SUSPEND = 0x10,
	S_FAILED = 0x80,
};

#define MAX_PROBLEMS 8

struct status_problems {
	const char *code[MAX_PROBLEMS];
	const char *msg[MAX_PROBLEMS];
	char reserved[96];
	size_t n;
};

static void add(struct status_problems *p, const char *code, const char *msg)
{
	if (p->n < MAX_PROBLEMS) {
		p->code[p->n] = code;
		p->msg[p->n++] = msg;
	}
}

/* Combinations the initialization sequence (spec "Device Initialization") never produces. */
static void check_status(unsigned s, unsigned known, bool legacy, struct status_problems *p)
{
	if (s & ~known) {
		snprintf(p->reserved, sizeof(p->reserved), "reserved bits 0x%02x are set", s & ~known);
		add(p, "reserved_bits", p->reserved);
	}
	if ((s & S_FAILED) && (s & S_DRIVER_OK))
		add(p, "failed_with_driver_ok", "FAILED is set together with DRIVER_OK: the driver gave up on a live device");
	if ((s & S_DRIVER) && !(s & S_ACKNOWLEDGE))
		add(p, "driver_without_acknowledge", "DRIVER is set without ACKNOWLEDGE");
	if ((s & S_FEATURES_OK) && !(s & S_DRIVER))
		add(p, "features_ok_without_driver", "FEATURES_OK is set without DRIVER");
	if ((s & S_DRIVER_OK) && !(s & S_DRIVER))
		add(p, "driver_ok_without_driver", "DRIVER_OK is set without DRIVER");
	if ((s & S_DRIVER_OK) && !(s & S_FEATURES_OK) && !legacy)
		add(p, "driver_ok_without_features_ok", "DRIVER_OK is set without FEATURES_OK, which a 1.x device requires (--legacy if it is not one)");
	if ((known & S_SUSPEND) && (s & S_SUSPEND) && !(s & S_FEATURES_OK))
		add(p, "suspend_before_features_ok", "SUSPEND is set on a device that never finished initialization (no FEATURES_OK)");
}

static void render_status(struct emit *e, unsigned s, enum virtio_spec_version spec, const struct status_problems *p)
{
	const struct virtio_status_bit *b;
	unsigned named = 0;
	char unnamed[12];

	emit_object_begin(e, NULL);
	emit_hex(e, "status", "0x%02llx:", s);
	emit_array_begin(e, "status_names");
	for (size_t i = 0; (b = virtio_status_bit_at(i)); i++) {
		if (b->since <= spec && (s & b->mask)) {
			emit_str(e, NULL, " %s", b->name);
			named |= b->mask;
		}
	}
	for (unsigned m = 1; m < 0x100; m <<= 1) {
		if ((s & m) && !(named & m)) {
			snprintf(unnamed, sizeof(unnamed), "0x%x", m);
			emit_str(e, NULL, " %s", unnamed);
		}
	}
	emit_array_end(e);
	if (!s)
		emit_text(e, " (reset)");
	emit_text(e, "\n");
	emit_array_begin(e, "problems");
	for (size_t i = 0; i < p->n; i++) {
		emit_object_begin(e, NULL);
		emit_style(e, EMIT_STYLE_WARN);
		emit_text(e, "warning:");
		emit_style(e, EMIT_STYLE_NONE);
		emit_str(e, "code", NULL, p->code[i]);
		emit_str(e, "message", " %s\n", p->msg[i]);
		emit_object_end(e);
	}
	emit_array_end(e);
	emit_object_end(e);
}

static int run_status(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cli_parser p;
	enum virtio_spec_version spec = VIRTIO_SPEC_CURRENT;
	const char *spec_arg = NULL, *arg;
	bool legacy = false;
	int c;

	cli_parser_init(&p, &verb_status, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			cli_parser_done(&p);
			return p.exit_code;
		}
		if (c == OPT_SPEC)
			spec_arg = arg;
		else if (c == OPT_LEGACY)
			legacy = true;
	}
	cli_parser_done(&p);
	if (argc - p.optind != 1)
		return cli_usage_error(ctx, "expected one status VALUE, got %d arguments", argc - p.optind);
	int r;
	if (spec_arg && (r = cli_spec_arg(ctx, spec_arg, &spec)))
		return r;

	unsigned long long v;
	unsigned s, known = 0;
	if ((r = cli_number_arg(ctx, "status byte", argv[p.optind], 0xff, &v)))
		return r;
	s = (unsigned)v;

	const struct virtio_status_bit *b;
	for (size_t i = 0; (b = virtio_status_bit_at(i)); i++)
		if (b->since <= spec)
			known |= b->mask;
	struct status_problems problems = { .n = 0 };
	check_status(s, known, legacy, &problems);

	struct emit e;
	cli_emit_init(ctx, &e);
	render_status(&e, s, spec, &problems);
	r = cli_emit_flush(ctx, &e);
	return r ? r : problems.n ? EXIT_ANOMALY : 0;
}

const struct cli_verb verb_status = {
	.name = "status",
	.run = run_status,
	.summary = "name the bits of a device status byte and flag contradictions",
	.usage = "[--spec VERSION] [--legacy] VALUE",
	.opts = status_opts,
	.complete = "none",
};
