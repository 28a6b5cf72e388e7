/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl features`: name the bits of a feature set, transport bits and device bits apart. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "virtio_spec.h"

enum { OPT_DEVICE = 'd', OPT_SPEC = 's' };

static const struct cli_opt features_opts[] = {
	{ "device", OPT_DEVICE, required_argument, "TYPE",
	  "device type for bits 0-23 and 50-127: short name, spec name or id" },
	{ "spec", OPT_SPEC, required_argument, "VERSION", "name bits as spec 1.2, 1.3 or 1.4 (default) does" },
	{ 0 },
};

enum bit_group { GROUP_TRANSPORT, GROUP_DEVICE, GROUP_UNKNOWN };

struct decode_args {
	const struct virtio_features *f;
	const struct virtio_device_type *type;
	enum virtio_spec_version spec;
	bool modern;
};

static const struct virtio_feature_bit *bit_def(const struct decode_args *a, unsigned bit)
{
	return virtio_feature_lookup_for(a->type ? a->type->id : 0, bit, a->spec, a->modern);
}

static enum bit_group group_of(const struct virtio_feature_bit *def)
{
	if (!def)
		return GROUP_UNKNOWN;
	return def->device_id ? GROUP_DEVICE : GROUP_TRANSPORT;
}

/* Why a set bit has no name: no device type given, or a later spec defines it, or nobody does. */
static const char *unknown_note(const struct decode_args *a, unsigned bit, char *buf, size_t len)
{
	const struct virtio_feature_bit *later =
		virtio_feature_lookup_for(a->type ? a->type->id : 0, bit, VIRTIO_SPEC_CURRENT, a->modern);

	if (!a->type && virtio_feature_is_device_range(bit))
		return "unknown: device-specific, give --device";
	if (later && later->since > a->spec) {
		snprintf(buf, len, "unknown in spec %s; %s since %s", virtio_spec_version_name(a->spec), later->name,
			 virtio_spec_version_name(later->since));
		return buf;
	}
	return "unknown";
}

static void render_bit(struct emit *e, const struct decode_args *a, unsigned bit)
{
	const struct virtio_feature_bit *def = bit_def(a, bit);
	static const char *const kinds[] = { "transport", "device", "unknown" };
	char note[160];

	emit_object_begin(e, NULL);
	if (def) {
		emit_uint(e, "bit", "  bit %-3llu", bit);
		emit_str(e, "name", NULL, def->short_name);
		emit_str(e, "spec_name", " %-38s", def->name);
		emit_str(e, "kind", NULL, kinds[group_of(def)]);
		emit_bool(e, "legacy", NULL, def->legacy);
		emit_str(e, "summary", " %s", def->summary);
		emit_null(e, "note");
		if (def->legacy)
			emit_text(e, " [legacy]");
		emit_text(e, "\n");
	} else {
		emit_uint(e, "bit", "  bit %llu", bit);
		emit_null(e, "name");
		emit_null(e, "spec_name");
		emit_str(e, "kind", NULL, kinds[GROUP_UNKNOWN]);
		emit_null(e, "legacy");
		emit_null(e, "summary");
		emit_str(e, "note", " (%s)\n", unknown_note(a, bit, note, sizeof(note)));
	}
	emit_object_end(e);
}

static void render_features(struct emit *e, const struct decode_args *a)
{
	static const char *const headings[] = { "transport bits:\n", "device bits (%s):\n", "unknown bits:\n" };

	emit_object_begin(e, NULL);
	emit_hex128(e, "features", "features %s", a->f->w[0], a->f->w[1]);
	if (a->type) {
		emit_str(e, "type", ", device %s", a->type->name);
		emit_uint(e, "device_id", " (%llu)", a->type->id);
	} else {
		emit_null(e, "type");
		emit_null(e, "device_id");
		emit_text(e, ", no device type");
	}
	emit_str(e, "spec", ", spec %s\n", virtio_spec_version_name(a->spec));
	emit_array_begin(e, "feature_bits");
	for (enum bit_group g = GROUP_TRANSPORT; g <= GROUP_UNKNOWN; g++) {
		bool heading = false;

		for (unsigned bit = 0; bit < VIRTIO_FEATURES_BITS; bit++) {
			if (!virtio_features_test(a->f, bit) || group_of(bit_def(a, bit)) != g)
				continue;
			if (!heading)
				emit_text(e, headings[g], a->type ? a->type->name : "");
			heading = true;
			render_bit(e, a, bit);
		}
	}
	emit_array_end(e);
	emit_object_end(e);
}

/* A feature value is at most 128 characters plus whitespace; anything much longer is not one. */
#define VALUE_FILE_MAX 4096

/* VALUE may be "-" (stdin) or a path such as /sys/bus/virtio/devices/virtio0/features. */
static int read_value(struct cli_ctx *ctx, const char *arg, char **text)
{
	bool is_stdin = !strcmp(arg, "-");
	const char *name = is_stdin ? "standard input" : arg;
	FILE *f;
	char *buf;
	size_t len;

	*text = NULL;
	if (!is_stdin && arg[0] != '/' && arg[0] != '.')
		return 0;
	f = is_stdin ? stdin : fopen(arg, "r");
	if (!f)
		return cli_error(ctx, EXIT_USAGE, "cannot open %s: %s", arg, strerror(errno));
	buf = malloc(VALUE_FILE_MAX + 1);
	if (!buf) {
		if (!is_stdin)
			fclose(f);
		return cli_error(ctx, EXIT_FAILURE, "out of memory");
	}
	len = fread(buf, 1, VALUE_FILE_MAX + 1, f);
	bool bad = ferror(f);
	int read_errno = errno;
	if (!is_stdin)
		fclose(f);
	if (bad || len > VALUE_FILE_MAX || memchr(buf, '\0', len)) {
		free(buf);
		if (bad)
			return cli_error(ctx, EXIT_USAGE, "cannot read %s: %s", name, strerror(read_errno));
		return cli_error(ctx, EXIT_USAGE, "%s is not a feature value: %s", name,
				 len > VALUE_FILE_MAX ? "longer than 4096 bytes" : "it contains NUL bytes");
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

static int run_features(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cli_parser p;
	struct decode_args a = { .spec = VIRTIO_SPEC_CURRENT };
	const char *device = NULL, *spec = NULL, *arg;
	int c, r;

	cli_parser_init(&p, &verb_features, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			cli_parser_done(&p);
			return p.exit_code;
		}
		if (c == OPT_DEVICE)
			device = arg;
		else if (c == OPT_SPEC)
			spec = arg;
	}
	cli_parser_done(&p);
	if (argc - p.optind != 1)
		return cli_usage_error(ctx, "expected one feature VALUE, got %d arguments", argc - p.optind);
	if (spec && (r = cli_spec_arg(ctx, spec, &a.spec)))
		return r;
	if (device && (r = cli_device_type_arg(ctx, device, &a.type)))
		return r;

	const char *value = argv[p.optind];
	char *file_text;
	struct virtio_features f;
	struct rd_error err = { 0 };

	r = read_value(ctx, value, &file_text);
	if (r)
		return r;
	bool from_file = file_text != NULL;
	r = virtio_features_parse(from_file ? file_text : value, &f, &err);
	free(file_text);
	if (r < 0)
		return cli_error(ctx, EXIT_USAGE, "%s: byte %llu: %s", from_file ? value : "VALUE",
				 (unsigned long long)err.offset, err.msg);
	a.f = &f;
	a.modern = virtio_features_test(&f, VIRTIO_F_VERSION_1_BIT);

	struct emit e;
	cli_emit_init(ctx, &e);
	render_features(&e, &a);
	return cli_emit_flush(ctx, &e);
}

const struct cli_verb verb_features = {
	.name = "features",
	.run = run_features,
	.summary = "name the bits of a feature set (hex or sysfs 0/1 string)",
	.usage = "[--device TYPE] [--spec VERSION] VALUE",
	.opts = features_opts,
	.complete = "none",
};
