/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl decode`: a queue from a .vqdump, area files, a legacy ring file or an ELF core, decoded and rendered. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "decode_input.h"
#include "virtio_spec.h"
#include "vq_decode.h"
#include "vq_input.h"

/* --size has no short form: -s is --spec in every other verb. */
enum {
	OPT_DEVICE = 'd',
	OPT_SIZE = 0x100,
	OPT_WRITE_VQDUMP,
	OPT_RAW,
	OPT_SUMMARY,
	OPT_DESC,
	OPT_AVAIL,
	OPT_USED,
	OPT_MEM,
	OPT_RING,
	OPT_ALIGN,
	OPT_CORE,
	OPT_DESC_ADDR,
	OPT_AVAIL_ADDR,
	OPT_USED_ADDR,
	OPT_PACKED,
	OPT_RING_TYPE,
	OPT_FEATURES,
	OPT_QUEUE,
	OPT_LAST_AVAIL_IDX,
	OPT_LAST_USED_IDX,
	OPT_DRIVER_POS,
	OPT_DEVICE_POS,
	OPT_DRIVER_USED_POS,
	OPT_LEGACY_BIG_ENDIAN,
};

static const struct cli_opt decode_opts[] = {
	{ "size", OPT_SIZE, required_argument, "N", "queue size (required unless a .vqdump carries it)" },
	{ "packed", OPT_PACKED, no_argument, NULL, "the ring is packed (same as --ring-type packed)" },
	{ "ring-type", OPT_RING_TYPE, required_argument, "TYPE", "split (default) or packed" },
	{ "features", OPT_FEATURES, required_argument, "HEX",
	  "negotiated features (EVENT_IDX, INDIRECT_DESC, IN_ORDER, RING_PACKED change decoding)" },
	{ "legacy-big-endian", OPT_LEGACY_BIG_ENDIAN, no_argument, NULL,
	  "legacy split ring (no VERSION_1) of a big-endian guest" },
	{ "queue", OPT_QUEUE, required_argument, "N", "queue index, for the output" },
	{ "device", OPT_DEVICE, required_argument, "TYPE", "device type: short name, spec name or id" },
	{ "desc", OPT_DESC, required_argument, "FILE[@ADDR]", "descriptor table (split) or ring (packed)" },
	{ "avail", OPT_AVAIL, required_argument, "FILE[@ADDR]", "available ring (split driver area)" },
	{ "used", OPT_USED, required_argument, "FILE[@ADDR]", "used ring (split device area)" },
	{ "driver-area", OPT_AVAIL, required_argument, "FILE[@ADDR]", "driver area; packed name of --avail" },
	{ "device-area", OPT_USED, required_argument, "FILE[@ADDR]", "device area; packed name of --used" },
	{ "mem", OPT_MEM, required_argument, "FILE@ADDR", "more guest memory, e.g. indirect tables (repeatable)" },
	{ "ring", OPT_RING, required_argument, "FILE[@ADDR]", "one contiguous legacy split ring" },
	{ "align", OPT_ALIGN, required_argument, "N", "used ring alignment of --ring (default 4096)" },
	{ "core", OPT_CORE, required_argument, "FILE", "ELF core from QEMU's dump-guest-memory" },
	{ "desc-addr", OPT_DESC_ADDR, required_argument, "ADDR", "descriptor area address in --core" },
	{ "avail-addr", OPT_AVAIL_ADDR, required_argument, "ADDR", "avail ring (driver area) address in --core" },
	{ "used-addr", OPT_USED_ADDR, required_argument, "ADDR", "used ring (device area) address in --core" },
	{ "driver-addr", OPT_AVAIL_ADDR, required_argument, "ADDR", "packed name of --avail-addr" },
	{ "device-addr", OPT_USED_ADDR, required_argument, "ADDR", "packed name of --used-addr" },
	{ "last-avail-idx", OPT_LAST_AVAIL_IDX, required_argument, "N",
	  "split: the device's next avail index (QEMU's last_avail_idx), cross-checked" },
	{ "last-used-idx", OPT_LAST_USED_IDX, required_argument, "N",
	  "split: the driver's last seen used index, cross-checked" },
	{ "driver-pos", OPT_DRIVER_POS, required_argument, "IDX:WRAP",
	  "packed: where the driver makes its next descriptor available, and its wrap counter" },
	{ "device-pos", OPT_DEVICE_POS, required_argument, "IDX:WRAP",
	  "packed: where the device writes its next used descriptor, and its wrap counter" },
	{ "driver-used-pos", OPT_DRIVER_USED_POS, required_argument, "IDX:WRAP",
	  "packed: where the driver reads its next used descriptor, and its wrap counter" },
	{ "write-vqdump", OPT_WRITE_VQDUMP, required_argument, "FILE", "also save the input as a .vqdump" },
	{ "raw", OPT_RAW, no_argument, NULL, "read every file as binary, even when it looks like text" },
	{ "summary", OPT_SUMMARY, no_argument, NULL, "only the summary, state and anomalies: no chains" },
	{ 0 },
};

/* A FILE[@ADDR] argument. */
struct file_arg {
	const char *arg;         /* as typed, for messages */
	char *path;
	bool has_addr;
	uint64_t addr;
};

enum area { AREA_DESC, AREA_DRIVER, AREA_DEVICE, N_AREAS };

static const char *const area_opt[N_AREAS] = { "--desc", "--avail", "--used" };
static const char *const area_opt_packed[N_AREAS] = { "--desc", "--driver-area", "--device-area" };
static const char *const addr_opt[N_AREAS] = { "--desc-addr", "--avail-addr", "--used-addr" };
static const uint64_t synthetic_addr[N_AREAS] = { DECODE_SYNTHETIC_DESC, DECODE_SYNTHETIC_DRIVER,
						  DECODE_SYNTHETIC_DEVICE };

struct decode_args {
	const char *vqdump;
	struct file_arg area[N_AREAS];
	bool has_area[N_AREAS];
	struct file_arg ring;
	bool has_ring;
	struct file_arg *mems;
	size_t n_mems;
	bool has_align;
	uint32_t align;
	const char *core;
	bool has_core_addr[N_AREAS];
	uint64_t core_addr[N_AREAS];
	const char *write_vqdump;
	bool raw;
	bool summary;

	bool has_size;
	uint32_t size;
	int ring_type;           /* -1: not given */
	const char *ring_type_opt;
	bool has_features;
	struct virtio_features features;
	bool legacy_big_endian;
	bool has_queue;
	uint32_t queue;
	bool has_device;
	uint32_t device_id;
	bool has_last_avail_idx, has_last_used_idx, has_driver_pos, has_device_pos, has_driver_used_pos;
	uint16_t last_avail_idx, last_used_idx, driver_next, device_next, driver_used_next;
	bool driver_wrap, device_wrap, driver_used_wrap;
};

static void args_free(struct decode_args *a)
{
	for (int i = 0; i < N_AREAS; i++)
		free(a->area[i].path);
	free(a->ring.path);
	for (size_t i = 0; i < a->n_mems; i++)
		free(a->mems[i].path);
	free(a->mems);
}

/* FILE@ADDR: the last '@' followed by a number; a trailing '@' keeps an '@' inside a file name. */
static int parse_file_arg(struct cli_ctx *ctx, const char *opt, const char *arg, bool need_addr,
			  struct file_arg *out)
{
	const char *at = strrchr(arg, '@');
	unsigned long long addr;

	free(out->path);
	*out = (struct file_arg){ .arg = arg };
	if (at && at[1]) {
		if (cli_parse_u64(at + 1, &addr) < 0)
			return cli_usage_error(ctx, "%s %s: '%s' is not an address (end a file name containing '@' with '@')",
					       opt, arg, at + 1);
		out->has_addr = true;
		out->addr = addr;
	} else if (need_addr) {
		return cli_usage_error(ctx, "%s %s: give the guest address as FILE@ADDR", opt, arg);
	}
	size_t n = at ? (size_t)(at - arg) : strlen(arg);
	if (!n)
		return cli_usage_error(ctx, "%s %s: no file name", opt, arg);
	out->path = strndup(arg, n);
	if (!out->path)
		return cli_error(ctx, EXIT_FAILURE, "out of memory");
	return 0;
}

static int parse_u16_opt(struct cli_ctx *ctx, const char *opt, const char *arg, uint16_t *out)
{
	unsigned v;

	if (cli_parse_u32(arg, &v) < 0 || v > 0xffff)
		return cli_usage_error(ctx, "%s takes a number from 0 to 65535, not '%s'", opt, arg);
	*out = (uint16_t)v;
	return 0;
}

/* IDX:WRAP, both required: a packed position without its wrap counter is ambiguous. */
static int parse_pos(struct cli_ctx *ctx, const char *opt, const char *arg, uint16_t *idx, bool *wrap)
{
	const char *colon = strchr(arg, ':');
	char num[32];

	if (!colon || (size_t)(colon - arg) >= sizeof(num) || (strcmp(colon + 1, "0") && strcmp(colon + 1, "1")))
		return cli_usage_error(ctx, "%s takes IDX:WRAP with WRAP 0 or 1 (e.g. 5:1), not '%s'", opt, arg);
	memcpy(num, arg, (size_t)(colon - arg));
	num[colon - arg] = '\0';
	*wrap = colon[1] == '1';
	return parse_u16_opt(ctx, opt, num, idx);
}

/* Options describing the queue itself. */
static int parse_queue_opt(struct cli_ctx *ctx, struct decode_args *a, int c, const char *arg)
{
	unsigned v;
	struct rd_error err = { 0 };

	switch (c) {
	case OPT_SIZE:
		if (cli_parse_u32(arg, &v) < 0)
			return cli_usage_error(ctx, "--size takes a number, not '%s'", arg);
		a->has_size = true;
		a->size = v;
		return 0;
	case OPT_PACKED:
	case OPT_RING_TYPE: {
		int t = c == OPT_PACKED ? VQ_RING_PACKED
			: !strcmp(arg, "split") ? VQ_RING_SPLIT
			: !strcmp(arg, "packed") ? VQ_RING_PACKED : -1;
		if (t < 0)
			return cli_usage_error(ctx, "--ring-type takes split or packed, not '%s'", arg);
		if (a->ring_type >= 0 && a->ring_type != t)
			return cli_usage_error(ctx, "%s contradicts %s", c == OPT_PACKED ? "--packed" : "--ring-type",
					       a->ring_type_opt);
		a->ring_type = t;
		a->ring_type_opt = c == OPT_PACKED ? "--packed" : "--ring-type";
		return 0;
	}
	case OPT_FEATURES:
		if (virtio_features_parse(arg, &a->features, &err) < 0)
			return cli_usage_error(ctx, "--features %s: %s", arg, err.msg);
		a->has_features = true;
		return 0;
	case OPT_LEGACY_BIG_ENDIAN:
		a->legacy_big_endian = true;
		return 0;
	case OPT_QUEUE:
		if (cli_parse_u32(arg, &v) < 0 || v == VQ_QUEUE_INDEX_UNKNOWN)
			return cli_usage_error(ctx, "--queue takes a queue index, not '%s'", arg);
		a->has_queue = true;
		a->queue = v;
		return 0;
	case OPT_DEVICE: {
		const struct virtio_device_type *t;
		int r = cli_device_type_arg(ctx, arg, &t);
		if (r)
			return r;
		a->has_device = true;
		a->device_id = t->id;
		return 0;
	}
	}
	return cli_usage_error(ctx, "unhandled option");
}

/* Options naming where the ring's memory comes from, and where to save it. */
static int parse_input_opt(struct cli_ctx *ctx, struct decode_args *a, int c, const char *arg)
{
	unsigned long long v64;
	unsigned v;

	switch (c) {
	case OPT_DESC:
	case OPT_AVAIL:
	case OPT_USED: {
		enum area i = c == OPT_DESC ? AREA_DESC : c == OPT_AVAIL ? AREA_DRIVER : AREA_DEVICE;
		if (a->has_area[i])
			return cli_usage_error(ctx, "%s given twice", area_opt[i]);
		a->has_area[i] = true;
		return parse_file_arg(ctx, area_opt[i], arg, false, &a->area[i]);
	}
	case OPT_MEM: {
		struct file_arg *m = realloc(a->mems, (a->n_mems + 1) * sizeof(*m));
		if (!m)
			return cli_error(ctx, EXIT_FAILURE, "out of memory");
		a->mems = m;
		m[a->n_mems] = (struct file_arg){ 0 };
		return parse_file_arg(ctx, "--mem", arg, true, &m[a->n_mems++]);
	}
	case OPT_RING:
		if (a->has_ring)
			return cli_usage_error(ctx, "--ring given twice");
		a->has_ring = true;
		return parse_file_arg(ctx, "--ring", arg, false, &a->ring);
	case OPT_ALIGN:
		if (cli_parse_u32(arg, &v) < 0 || v == 0 || (v & (v - 1)) || v > 65536)
			return cli_usage_error(ctx, "--align takes a power of two up to 65536, not '%s'", arg);
		a->has_align = true;
		a->align = v;
		return 0;
	case OPT_CORE:
		if (a->core)
			return cli_usage_error(ctx, "--core given twice");
		a->core = arg;
		return 0;
	case OPT_DESC_ADDR:
	case OPT_AVAIL_ADDR:
	case OPT_USED_ADDR: {
		enum area i = c == OPT_DESC_ADDR ? AREA_DESC : c == OPT_AVAIL_ADDR ? AREA_DRIVER : AREA_DEVICE;
		if (cli_parse_u64(arg, &v64) < 0)
			return cli_usage_error(ctx, "%s takes an address such as 0x7e10000, not '%s'", addr_opt[i], arg);
		a->has_core_addr[i] = true;
		a->core_addr[i] = v64;
		return 0;
	}
	case OPT_WRITE_VQDUMP:
		a->write_vqdump = arg;
		return 0;
	case OPT_RAW:
		a->raw = true;
		return 0;
	}
	return cli_usage_error(ctx, "unhandled option");
}

/* The other side's view of the ring, to cross-check. */
static int parse_state_opt(struct cli_ctx *ctx, struct decode_args *a, int c, const char *arg)
{
	switch (c) {
	case OPT_LAST_AVAIL_IDX:
		a->has_last_avail_idx = true;
		return parse_u16_opt(ctx, "--last-avail-idx", arg, &a->last_avail_idx);
	case OPT_LAST_USED_IDX:
		a->has_last_used_idx = true;
		return parse_u16_opt(ctx, "--last-used-idx", arg, &a->last_used_idx);
	case OPT_DRIVER_POS:
		a->has_driver_pos = true;
		return parse_pos(ctx, "--driver-pos", arg, &a->driver_next, &a->driver_wrap);
	case OPT_DEVICE_POS:
		a->has_device_pos = true;
		return parse_pos(ctx, "--device-pos", arg, &a->device_next, &a->device_wrap);
	case OPT_DRIVER_USED_POS:
		a->has_driver_used_pos = true;
		return parse_pos(ctx, "--driver-used-pos", arg, &a->driver_used_next, &a->driver_used_wrap);
	}
	return cli_usage_error(ctx, "unhandled option");
}

static int parse_one(struct cli_ctx *ctx, struct decode_args *a, int c, const char *arg)
{
	switch (c) {
	case OPT_DESC:
	case OPT_AVAIL:
	case OPT_USED:
	case OPT_MEM:
	case OPT_RING:
	case OPT_ALIGN:
	case OPT_CORE:
	case OPT_DESC_ADDR:
	case OPT_AVAIL_ADDR:
	case OPT_USED_ADDR:
	case OPT_WRITE_VQDUMP:
	case OPT_RAW:
		return parse_input_opt(ctx, a, c, arg);
	case OPT_SUMMARY:
		a->summary = true;
		return 0;
	case OPT_LAST_AVAIL_IDX:
	case OPT_LAST_USED_IDX:
	case OPT_DRIVER_POS:
	case OPT_DEVICE_POS:
	case OPT_DRIVER_USED_POS:
		return parse_state_opt(ctx, a, c, arg);
	default:
		return parse_queue_opt(ctx, a, c, arg);
	}
}

/* Which kind of input was given; exactly one is allowed. */
static int check_sources(struct cli_ctx *ctx, const struct decode_args *a)
{
	bool areas = a->has_area[AREA_DESC] || a->has_area[AREA_DRIVER] || a->has_area[AREA_DEVICE];
	int n = !!a->vqdump + areas + a->has_ring + !!a->core;
	bool any_core_addr = a->has_core_addr[0] || a->has_core_addr[1] || a->has_core_addr[2];

	if (n == 0)
		return cli_usage_error(ctx, "no input: give a .vqdump file, --desc/--avail/--used files, --ring or --core");
	if (n > 1)
		return cli_usage_error(ctx, "give one input: a .vqdump file, --desc/--avail/--used files, --ring, or --core");
	if (any_core_addr && !a->core)
		return cli_usage_error(ctx, "--desc-addr/--avail-addr/--used-addr go with --core; give area files as FILE@ADDR");
	if (a->has_align && !a->has_ring)
		return cli_usage_error(ctx, "--align goes with --ring");
	if (!a->vqdump && !a->has_size)
		return cli_usage_error(ctx, "--size is required: only a .vqdump records the queue size");
	return 0;
}

/* The ring type and where it came from: the option, RING_PACKED in --features, the .vqdump, or a default. */
static int resolve_ring_type(struct cli_ctx *ctx, const struct decode_args *a, struct vq_snapshot *s)
{
	bool packed_bit = a->has_features && virtio_features_test(&a->features, VIRTIO_F_RING_PACKED_BIT);

	if (a->ring_type == VQ_RING_SPLIT && packed_bit)
		return cli_usage_error(ctx, "%s split contradicts --features, which includes RING_PACKED (bit 34)",
				       a->ring_type_opt);
	if (a->ring_type >= 0) {
		s->ring_type = (enum vq_ring_type)a->ring_type;
		s->ring_type_from = VQ_RING_FROM_OPTION;
	} else if (packed_bit) {
		s->ring_type = VQ_RING_PACKED;
		s->ring_type_from = VQ_RING_FROM_FEATURES;
	} else if (!a->vqdump) {
		s->ring_type = VQ_RING_SPLIT;
		s->ring_type_from = a->has_features ? VQ_RING_FROM_FEATURES : VQ_RING_FROM_DEFAULT;
	}
	return 0;
}

static int check_size(struct cli_ctx *ctx, const struct vq_snapshot *s, bool from_option)
{
	const char *src = from_option ? "--size" : "the .vqdump's queue size";

	if (s->size == 0)
		return cli_usage_error(ctx, "%s must be at least 1", src);
	if (s->size > VQ_MAX_SIZE)
		return cli_usage_error(ctx, "%s %u is larger than the largest queue (%u)", src, s->size, VQ_MAX_SIZE);
	if (s->ring_type == VQ_RING_SPLIT && (s->size & (s->size - 1)))
		return cli_usage_error(ctx, "%s %u is not a power of two, which a split ring requires (use --packed?)",
				       src, s->size);
	return 0;
}

/* Options that describe the queue apply to every input; with a .vqdump they override its header. */
static int apply_metadata(struct cli_ctx *ctx, const struct decode_args *a, struct vq_snapshot *s)
{
	int r = resolve_ring_type(ctx, a, s);

	if (r)
		return r;
	enum vq_ring_type t = s->ring_type;
	if (a->has_size)
		s->size = a->size;
	if ((r = check_size(ctx, s, a->has_size)))
		return r;
	if (a->has_features) {
		s->features = a->features;
		s->features_unknown = false;
	} else if (!a->vqdump) {
		s->features_unknown = true;
	}
	if (a->has_queue)
		s->queue_index = a->queue;
	if (a->has_device)
		s->device_id = a->device_id;

	bool packed = t == VQ_RING_PACKED;
	if (a->legacy_big_endian && (packed || virtio_features_test(&s->features, VIRTIO_F_VERSION_1_BIT)))
		return cli_usage_error(ctx, "--legacy-big-endian is for legacy split rings; %s",
				       packed ? "packed rings are always little-endian"
					      : "with VERSION_1 (bit 32) the ring is little-endian");
	if (a->legacy_big_endian)
		s->legacy_endian_big = true;
	if (packed && (a->has_last_avail_idx || a->has_last_used_idx))
		return cli_usage_error(ctx, "%s is for split rings; give a packed ring's positions as --device-pos/--driver-pos IDX:WRAP",
				       a->has_last_avail_idx ? "--last-avail-idx" : "--last-used-idx");
	const struct {
		bool given;
		uint16_t idx;
		const char *opt;
	} pos[] = {
		{ a->has_driver_pos, a->driver_next, "--driver-pos" },
		{ a->has_device_pos, a->device_next, "--device-pos" },
		{ a->has_driver_used_pos, a->driver_used_next, "--driver-used-pos" },
	};
	for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		if (pos[i].given && !packed)
			return cli_usage_error(ctx, "%s is for packed rings; a split ring's are --last-avail-idx/--last-used-idx",
					       pos[i].opt);
		if (pos[i].given && pos[i].idx >= s->size)
			return cli_usage_error(ctx, "%s: index %u is not below the queue size %u", pos[i].opt,
					       pos[i].idx, s->size);
	}
	if (a->has_last_avail_idx)
		s->has_last_avail_idx = true, s->last_avail_idx = a->last_avail_idx;
	if (a->has_last_used_idx)
		s->has_last_used_idx = true, s->last_used_idx = a->last_used_idx;
	if (a->has_driver_pos)
		s->has_driver_pos = true, s->driver_next = a->driver_next, s->driver_wrap = a->driver_wrap;
	if (a->has_device_pos)
		s->has_device_pos = true, s->device_next = a->device_next, s->device_wrap = a->device_wrap;
	if (a->has_driver_used_pos)
		s->has_driver_used_pos = true, s->driver_used_next = a->driver_used_next,
		s->driver_used_wrap = a->driver_used_wrap;
	return 0;
}

/*
 * One error line: file, byte offset (in the hex data when the file was
 * hexdump text), message.  File names may hold anything: control
 * characters are escaped so the line stays one line without terminal escapes.
 */
static int input_error(struct cli_ctx *ctx, const struct rd_error *err, const struct decode_file *f)
{
	static char input[4 * sizeof(err->input)], msg[4 * sizeof(err->msg)];

	decode_escape(err->input, input, sizeof(input));
	decode_escape(err->msg, msg, sizeof(msg));
	if (!err->has_offset)
		return cli_error(ctx, EXIT_USAGE, "%s: %s", input, msg);
	if (f && f->hex != HEXDUMP_NONE)
		return cli_error(ctx, EXIT_USAGE, "%s: byte %llu of the data in its %s text: %s", input,
				 (unsigned long long)err->offset, hexdump_format_name(f->hex), msg);
	return cli_error(ctx, EXIT_USAGE, "%s: byte %llu: %s", input, (unsigned long long)err->offset, msg);
}

static struct decode_load load_how(const struct decode_args *a, bool core, uint64_t need)
{
	return (struct decode_load){ .map_large = core, .raw = a->raw, .need = need };
}

static int load_vqdump(struct cli_ctx *ctx, const struct decode_args *a, struct decode_files *files,
		       struct vq_snapshot *s)
{
	const struct decode_file *f;
	struct rd_error err = { 0 };

	struct decode_load how = load_how(a, false, 0);

	if (decode_file_load(files, a->vqdump, &how, &f, &err) < 0)
		return input_error(ctx, &err, NULL);
	if (vqdump_parse(f->data, f->len, a->vqdump, s, &err) < 0)
		return input_error(ctx, &err, f);
	return apply_metadata(ctx, a, s);
}

/* Area files hold at most their area: extra bytes (a page-sized pmemsave) must not collide with other memory. */
static int load_areas(struct cli_ctx *ctx, const struct decode_args *a, struct decode_files *files,
		      struct vq_snapshot *s)
{
	const char *const *names = s->ring_type == VQ_RING_PACKED ? area_opt_packed : area_opt;
	uint64_t *addr[N_AREAS] = { &s->desc_addr, &s->driver_addr, &s->device_addr };
	uint64_t area_len[N_AREAS] = { vq_desc_area_size(s), vq_driver_area_size(s), vq_device_area_size(s) };
	struct rd_error err = { 0 };

	for (int i = 0; i < N_AREAS; i++) {
		if (!a->has_area[i] && s->ring_type == VQ_RING_SPLIT)
			return cli_usage_error(ctx, "a split ring needs --desc, --avail and --used; %s is missing",
					       names[i]);
		if (!a->has_area[i] && i == AREA_DESC)
			return cli_usage_error(ctx, "a packed ring needs --desc, its descriptor ring");
		*addr[i] = synthetic_addr[i];
		if (a->has_area[i] && a->area[i].has_addr && a->area[i].addr + (area_len[i] - 1) < a->area[i].addr)
			return cli_usage_error(ctx, "%s %s: the %llu-byte area at 0x%llx runs past the end of the 64-bit address space",
					       names[i], a->area[i].arg, (unsigned long long)area_len[i],
					       (unsigned long long)a->area[i].addr);
	}
	for (int i = 0; i < N_AREAS; i++) {
		const struct file_arg *fa = &a->area[i];
		const struct decode_load how = load_how(a, false, area_len[i]);
		const struct decode_file *f;
		char what[4200];

		if (!a->has_area[i])
			continue;
		if (decode_file_load(files, fa->path, &how, &f, &err) < 0)
			return input_error(ctx, &err, NULL);
		/* without @ADDR the area sits at a synthetic address far from guest RAM: nothing to note */
		if (fa->has_addr)
			*addr[i] = fa->addr;
		snprintf(what, sizeof(what), "%s %s", names[i], fa->arg);
		uint64_t len = f->len < area_len[i] ? f->len : area_len[i];
		if (decode_add_memory(s, *addr[i], f->data, len, what, fa->path, &err) < 0)
			return input_error(ctx, &err, NULL);
	}
	return 0;
}

static int load_ring(struct cli_ctx *ctx, const struct decode_args *a, struct decode_files *files,
		     struct vq_snapshot *s)
{
	uint64_t avail_off, used_off, total;
	uint32_t align = a->has_align ? a->align : 4096;
	const struct decode_file *f;
	struct rd_error err = { 0 };

	if (s->ring_type == VQ_RING_PACKED)
		return cli_usage_error(ctx, "--ring is the legacy split layout; a packed ring's descriptors go in --desc");
	if (vq_legacy_layout(s->size, align, &avail_off, &used_off, &total) < 0)
		return cli_usage_error(ctx, "--ring: no legacy layout for size %u and align %u", s->size, align);
	uint64_t base = a->ring.has_addr ? a->ring.addr : DECODE_SYNTHETIC_DESC;
	if (base + (total - 1) < base)
		return cli_usage_error(ctx, "--ring %s: the %llu-byte ring at 0x%llx runs past the end of the 64-bit address space",
				       a->ring.arg, (unsigned long long)total, (unsigned long long)base);
	const struct decode_load how = load_how(a, false, total);
	if (decode_file_load(files, a->ring.path, &how, &f, &err) < 0)
		return input_error(ctx, &err, NULL);
	s->desc_addr = base;
	s->driver_addr = base + avail_off;
	s->device_addr = base + used_off;
	if (decode_add_memory(s, base, f->data, f->len < total ? f->len : total, "--ring", a->ring.path, &err) < 0)
		return input_error(ctx, &err, NULL);
	return 0;
}

static int load_core(struct cli_ctx *ctx, const struct decode_args *a, struct decode_files *files,
		     struct vq_snapshot *s)
{
	uint64_t *addr[N_AREAS] = { &s->desc_addr, &s->driver_addr, &s->device_addr };
	const struct decode_file *f;
	struct rd_error err = { 0 };

	for (int i = 0; i < N_AREAS; i++) {
		if (a->has_core_addr[i])
			*addr[i] = a->core_addr[i];
		else if (s->ring_type == VQ_RING_SPLIT || i == AREA_DESC)
			return cli_usage_error(ctx, "--core needs %s (QEMU's 'info virtio-queue-status' prints it)",
					       addr_opt[i]);
		else
			*addr[i] = synthetic_addr[i];
	}
	const struct decode_load how = load_how(a, true, 0);
	if (decode_file_load(files, a->core, &how, &f, &err) < 0)
		return input_error(ctx, &err, NULL);
	if (elfcore_parse(f->data, f->len, a->core, &s->mem, &err) < 0)
		return input_error(ctx, &err, f);
	return 0;
}

static int load_mems(struct cli_ctx *ctx, const struct decode_args *a, struct decode_files *files,
		     struct vq_snapshot *s)
{
	struct rd_error err = { 0 };

	for (size_t i = 0; i < a->n_mems; i++) {
		const struct decode_load how = load_how(a, false, 0);
		const struct decode_file *f;
		char what[4200];

		if (decode_file_load(files, a->mems[i].path, &how, &f, &err) < 0)
			return input_error(ctx, &err, NULL);
		snprintf(what, sizeof(what), "--mem %s", a->mems[i].arg);
		if (decode_add_memory(s, a->mems[i].addr, f->data, f->len, what, a->mems[i].path, &err) < 0)
			return input_error(ctx, &err, NULL);
	}
	return 0;
}

static int load_snapshot(struct cli_ctx *ctx, const struct decode_args *a, struct decode_files *files,
			 struct vq_snapshot *s)
{
	int r;

	if (a->vqdump) {
		r = load_vqdump(ctx, a, files, s);
		return r ? r : load_mems(ctx, a, files, s);
	}
	*s = (struct vq_snapshot){ .queue_index = VQ_QUEUE_INDEX_UNKNOWN };
	if ((r = apply_metadata(ctx, a, s)))
		return r;
	if (a->has_ring)
		r = load_ring(ctx, a, files, s);
	else if (a->core)
		r = load_core(ctx, a, files, s);
	else
		r = load_areas(ctx, a, files, s);
	return r ? r : load_mems(ctx, a, files, s);
}

static int write_vqdump(struct cli_ctx *ctx, const struct decode_args *a, const struct vq_snapshot *s,
			const struct vq_decode_result *res)
{
	struct vq_snapshot extracted;
	struct emit_buf out = { 0 };
	struct rd_error err = { 0 };
	int r;

	/* A core holds the whole guest: keep only what the decode looked at. */
	if (a->core) {
		if (decode_extract(s, res, &extracted, &err) < 0)
			return cli_error(ctx, EXIT_FAILURE, "%s: %s", a->write_vqdump, err.msg);
		s = &extracted;
	}
	r = vqdump_write(s, &out, &err);
	if (a->core)
		vq_mem_free(&extracted.mem);
	if (r < 0) {
		emit_buf_free(&out);
		return cli_error(ctx, EXIT_FAILURE, "%s: %s", a->write_vqdump, err.msg);
	}
	FILE *fp = fopen(a->write_vqdump, "wb");
	if (!fp) {
		emit_buf_free(&out);
		return cli_error(ctx, EXIT_FAILURE, "%s: cannot create: %s", a->write_vqdump, strerror(errno));
	}
	bool ok = fwrite(out.data, 1, out.len, fp) == out.len;
	ok = (fclose(fp) == 0) && ok;
	emit_buf_free(&out);
	if (!ok)
		return cli_error(ctx, EXIT_FAILURE, "%s: cannot write: %s", a->write_vqdump, strerror(errno));
	return 0;
}

static int decode_and_render(struct cli_ctx *ctx, const struct decode_args *a, const struct vq_snapshot *s)
{
	struct vq_decode_result *res = NULL;
	struct rd_error err = { 0 };
	struct emit e;
	int r;

	if (vq_decode(s, &res, &err) < 0) {
		/* the decoder knows a snapshot; the user knows the file it came from */
		const char *from = a->vqdump ? a->vqdump : a->core ? a->core : a->has_ring ? a->ring.path : "decode";
		snprintf(err.input, sizeof(err.input), "%s", from);
		return input_error(ctx, &err, NULL);
	}
	if (a->write_vqdump && (r = write_vqdump(ctx, a, s, res))) {
		vq_decode_result_free(res);
		return r;
	}
	cli_emit_init_streaming(ctx, &e);
	vq_render(&e, s, res, (ctx->verbose ? VQ_RENDER_VERBOSE : 0) | (a->summary ? VQ_RENDER_SUMMARY : 0));
	r = cli_emit_flush(ctx, &e);
	if (!r && res->n_anomalies_total)
		r = EXIT_ANOMALY;
	vq_decode_result_free(res);
	return r;
}

static int count_stdin(const struct decode_args *a)
{
	int n = (a->vqdump && !strcmp(a->vqdump, "-")) + (a->core && !strcmp(a->core, "-")) +
		(a->has_ring && !strcmp(a->ring.path, "-"));

	for (int i = 0; i < N_AREAS; i++)
		n += a->has_area[i] && !strcmp(a->area[i].path, "-");
	for (size_t i = 0; i < a->n_mems; i++)
		n += !strcmp(a->mems[i].path, "-");
	return n;
}

static int run_decode(int argc, char **argv, struct cli_ctx *ctx)
{
	struct decode_args a = { .ring_type = -1 };
	struct decode_files files = { 0 };
	struct vq_snapshot s = { 0 };
	struct cli_parser p;
	const char *arg;
	int c, r = 0;

	cli_parser_init(&p, &verb_decode, ctx, argc, argv);
	while ((c = cli_next(&p, &arg)) > 0)
		if ((r = parse_one(ctx, &a, c, arg)))
			goto out;
	if (c == CLI_EXIT) {
		r = p.exit_code;
		goto out;
	}
	if (p.optind < argc)
		a.vqdump = argv[p.optind];
	if (p.optind + 1 < argc) {
		r = cli_usage_error(ctx, "one .vqdump file at most; '%s' is extra", argv[p.optind + 1]);
		goto out;
	}
	if ((r = check_sources(ctx, &a)))
		goto out;
	if (count_stdin(&a) > 1) {
		r = cli_usage_error(ctx, "only one input can be '-' (standard input)");
		goto out;
	}
	if ((r = load_snapshot(ctx, &a, &files, &s)))
		goto out;
	r = decode_and_render(ctx, &a, &s);
out:
	vq_snapshot_free(&s);
	decode_files_free(&files);
	args_free(&a);
	cli_parser_done(&p);
	return r;
}

const struct cli_verb verb_decode = {
	.name = "decode",
	.run = run_decode,
	.summary = "decode a virtqueue from a .vqdump, ring area files, a legacy ring or an ELF core",
	.usage = "[OPTIONS] [FILE.vqdump]",
	.opts = decode_opts,
	.complete = "file",
};
