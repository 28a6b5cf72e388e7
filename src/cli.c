/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option parsing driven by each verb's cli_opt table, with the global options folded in. */
#include "cli.h"

#include "config.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_GLOBAL_COLOR = 0x1000,
	OPT_GLOBAL_VERSION,
};

const struct cli_opt cli_global_opts[] = {
	{ "json", 'j', no_argument, NULL, "print JSON instead of text" },
	{ "pretty", 'p', no_argument, NULL, "print indented JSON (implies --json)" },
	{ "color", OPT_GLOBAL_COLOR, required_argument, "WHEN", "colour text output: auto, always or never" },
	{ "verbose", 'v', no_argument, NULL, "more detail" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ "version", OPT_GLOBAL_VERSION, no_argument, NULL, "show the version" },
	{ 0 },
};

static bool is_global(const struct cli_opt *o)
{
	for (size_t i = 0; cli_global_opts[i].name; i++)
		if (&cli_global_opts[i] == o)
			return true;
	return false;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, int id)
{
	for (size_t i = 0; opts && opts[i].name; i++)
		if (opts[i].id == id)
			return &opts[i];
	return NULL;
}

void cli_parser_init(struct cli_parser *p, const struct cli_verb *verb, struct cli_ctx *ctx, int argc,
		     char **argv)
{
	*p = (struct cli_parser){ .verb = verb, .ctx = ctx, .argc = argc, .argv = argv, .optind = argc, .next = 1 };
	if (verb)
		ctx->verb = verb->name;
	p->positionals = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*p->positionals));
}

void cli_parser_done(struct cli_parser *p)
{
	if (!p)
		return;
	free(p->positionals);
	p->positionals = NULL;
}

/*
 * Applies one global option to ctx.  Returns 1 when c was one, 0 when it is
 * not a global option, CLI_EXIT with *exit_code set for --version or a bad
 * --color value.  -h is the caller's: its help text depends on where it is.
 */
static int apply_global(struct cli_ctx *ctx, int c, const char *arg, int *exit_code)
{
	switch (c) {
	case 'j':
		ctx->mode = EMIT_JSON;
		return 1;
	case 'p':
		ctx->mode = EMIT_JSON;
		ctx->pretty = true;
		return 1;
	case 'v':
		ctx->verbose++;
		return 1;
	case OPT_GLOBAL_VERSION:
		cli_print_version(stdout);
		*exit_code = 0;
		return CLI_EXIT;
	case OPT_GLOBAL_COLOR:
		if (!strcmp(arg, "always"))
			ctx->color = true;
		else if (!strcmp(arg, "never"))
			ctx->color = false;
		else if (!strcmp(arg, "auto"))
			ctx->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		else {
			*exit_code = cli_usage_error(ctx, "--color takes auto, always or never, not '%s'", arg);
			return CLI_EXIT;
		}
		return 1;
	default:
		return 0;
	}
}

static const struct cli_opt *verb_opts(const struct cli_parser *p)
{
	return p->verb ? p->verb->opts : NULL;
}

/* The verb's table first: a verb may claim a global letter for itself. */
static const struct cli_opt *find_short(const struct cli_parser *p, int c)
{
	const struct cli_opt *o = find_opt(verb_opts(p), c);

	return o ? o : find_opt(cli_global_opts, c);
}

static int usage_exit(struct cli_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_exit(struct cli_parser *p, const char *fmt, ...)
{
	struct emit_buf msg = { 0 };
	va_list ap;

	va_start(ap, fmt);
	emit_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	p->exit_code = cli_usage_error(p->ctx, "%s", msg.data ? msg.data : "bad option");
	emit_buf_free(&msg);
	return CLI_EXIT;
}

/* "--name" or "--name=value": the option it names, exactly or by a unique prefix. */
static int find_long(struct cli_parser *p, const char *tok, size_t name_len, const struct cli_opt **out)
{
	const struct cli_opt *tables[2] = { verb_opts(p), cli_global_opts };
	const struct cli_opt *match = NULL;
	struct emit_buf cands = { 0 };
	size_t n_match = 0;

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; tables[t] && tables[t][i].name; i++) {
			const struct cli_opt *o = &tables[t][i];

			if (strncmp(o->name, tok + 2, name_len))
				continue;
			if (strlen(o->name) == name_len) {
				*out = o;
				emit_buf_free(&cands);
				return 0;
			}
			/* Two spellings of one option (--avail, --driver-area) are one candidate. */
			if (!match || match->id != o->id)
				n_match++;
			emit_buf_printf(&cands, "%s--%s", cands.len ? ", " : "", o->name);
			match = match ? match : o;
		}
	}
	if (n_match == 1) {
		*out = match;
		emit_buf_free(&cands);
		return 0;
	}
	int r = n_match ? usage_exit(p, "ambiguous option '%.*s': it could be %s", (int)(name_len + 2), tok,
				    cands.data ? cands.data : "several")
			: usage_exit(p, "unknown option '%.*s'", (int)(name_len + 2), tok);
	emit_buf_free(&cands);
	return r;
}

static const char *arg_name(const struct cli_opt *o)
{
	return o->arg_name ? o->arg_name : "ARG";
}

/* A matched option: the verb's id to return, or a global applied here (0 means "next token"). */
static int deliver(struct cli_parser *p, const struct cli_opt *o, const char *value, const char **arg)
{
	*arg = value;
	if (!is_global(o))
		return o->id;
	if (o->id == 'h') {
		if (p->verb) {
			cli_print_verb_help(p->verb, stdout);
			p->exit_code = 0;
			return CLI_EXIT;
		}
		p->exit_code = CLI_GLOBALS_HELP;
		return CLI_EXIT;
	}
	if (apply_global(p->ctx, o->id, value, &p->exit_code) == CLI_EXIT)
		return CLI_EXIT;
	return 0;
}

static int next_short(struct cli_parser *p, const char **arg)
{
	char c = *p->cluster++;
	const struct cli_opt *o = find_short(p, (unsigned char)c);

	if (!o) {
		if (strlen(p->cluster_token) > 2)
			return usage_exit(p, "unknown option '-%c' (in '%s')", c, p->cluster_token);
		return usage_exit(p, "unknown option '-%c'", c);
	}
	if (o->has_arg != required_argument)
		return deliver(p, o, NULL, arg);
	const char *value = *p->cluster ? p->cluster : NULL;

	p->cluster = NULL;
	if (!value && p->next < p->argc)
		value = p->argv[p->next++];
	if (!value)
		return usage_exit(p, "option '-%c' needs an argument (%s)", c, arg_name(o));
	return deliver(p, o, value, arg);
}

static int next_long(struct cli_parser *p, const char *tok, const char **arg)
{
	const char *eq = strchr(tok, '=');
	size_t name_len = eq ? (size_t)(eq - tok - 2) : strlen(tok + 2);
	const struct cli_opt *o = NULL;

	if (find_long(p, tok, name_len, &o) == CLI_EXIT)
		return CLI_EXIT;
	if (o->has_arg != required_argument) {
		if (eq)
			return usage_exit(p, "option '--%s' takes no argument (got '%s')", o->name, tok);
		return deliver(p, o, NULL, arg);
	}
	if (eq)
		return deliver(p, o, eq + 1, arg);
	if (p->next >= p->argc)
		return usage_exit(p, "option '--%s' needs an argument (%s)", o->name, arg_name(o));
	return deliver(p, o, p->argv[p->next++], arg);
}

/* Positionals go to the end of argv, in order, where the verb expects them. */
static int finish(struct cli_parser *p)
{
	int first = p->argc - p->n_positionals;

	for (int i = 0; i < p->n_positionals; i++)
		p->argv[first + i] = p->positionals[i];
	p->optind = first;
	return CLI_END;
}

int cli_next(struct cli_parser *p, const char **arg)
{
	*arg = NULL;
	if (!p->positionals) {
		p->exit_code = cli_error(p->ctx, EXIT_FAILURE, "out of memory");
		return CLI_EXIT;
	}
	for (;;) {
		int r;

		if (p->cluster && *p->cluster)
			r = next_short(p, arg);
		else if (p->next >= p->argc)
			return finish(p);
		else {
			const char *tok = p->argv[p->next];

			if (p->options_ended || tok[0] != '-' || !tok[1]) {
				if (p->stop_at_positional) {
					/* Globals before the verb: the verb and what follows are not ours. */
					p->optind = p->next;
					return CLI_END;
				}
				p->positionals[p->n_positionals++] = p->argv[p->next++];
				continue;
			}
			p->next++;
			if (!strcmp(tok, "--")) {
				p->options_ended = true;
				continue;
			}
			if (tok[1] == '-') {
				r = next_long(p, tok, arg);
			} else {
				p->cluster_token = tok;
				p->cluster = tok + 1;
				continue;
			}
		}
		if (r != 0)
			return r;
	}
}

int cli_parse_globals(struct cli_ctx *ctx, int argc, char **argv, int *first, int *exit_code)
{
	struct cli_parser p;
	const char *arg;
	int r;

	cli_parser_init(&p, NULL, ctx, argc, argv);
	p.stop_at_positional = true;
	/* Only global options exist here, so cli_next() returns nothing but CLI_END or CLI_EXIT. */
	r = cli_next(&p, &arg);
	cli_parser_done(&p);
	if (r == CLI_EXIT) {
		if (p.exit_code == CLI_GLOBALS_HELP)
			return CLI_GLOBALS_HELP;
		*exit_code = p.exit_code;
		return CLI_EXIT;
	}
	*first = p.optind;
	return 0;
}

void cli_print_version(FILE *f)
{
	fprintf(f, "virtioctl %s\n", VIRTIOCTL_VERSION);
	fprintf(f, "optional parts: BPF %s, ncurses %s\n", HAVE_BPF ? "yes" : "no (built without libbpf)",
		HAVE_NCURSES ? "yes" : "no (built without ncursesw)");
}

static void print_opts(const struct cli_opt *opts, FILE *f)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct cli_opt *o = &opts[i];
		char left[64];
		int n;

		if (o->id > 0 && o->id < 256)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->id, o->name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->has_arg && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg_name ? o->arg_name : "ARG");
		fprintf(f, "  %-30s %s\n", left, o->help);
	}
}

void cli_print_verb_help(const struct cli_verb *v, FILE *f)
{
	fprintf(f, "Usage: virtioctl %s %s\n%s\n", v->name, v->usage, v->summary);
	if (v->aliases && v->aliases[0]) {
		fprintf(f, "Aliases:");
		for (size_t i = 0; v->aliases[i]; i++)
			fprintf(f, " %s", v->aliases[i]);
		fprintf(f, "\n");
	}
	if (v->opts && v->opts[0].name) {
		fprintf(f, "\nOptions:\n");
		print_opts(v->opts, f);
	}
	fprintf(f, "\nGlobal options:\n");
	print_opts(cli_global_opts, f);
	fprintf(f, "\nSee virtioctl-%s(8).\n", v->name);
}

/*
 * Under --json stdout holds one document: the result or this error object.
 * At most one per process, so a verb that reports twice cannot print two.
 */
static void json_error(const struct cli_ctx *ctx, int code, const char *msg)
{
	static bool printed;
	struct emit e;

	if (!ctx || ctx->mode != EMIT_JSON || code == 0 || printed)
		return;
	printed = true;
	emit_init(&e, EMIT_JSON, ctx->pretty, false);
	emit_object_begin(&e, NULL);
	emit_str(&e, "error", NULL, msg);
	emit_int(&e, "exit", NULL, code);
	emit_object_end(&e);
	size_t len;
	const char *s = emit_result(&e, &len);
	if (s) {
		fwrite(s, 1, len, stdout);
		fflush(stdout);
	}
	emit_free(&e);
}

static void verror(const struct cli_ctx *ctx, int code, bool usage_hint, const char *fmt, va_list ap)
{
	struct emit_buf msg = { 0 };
	va_list ap2;

	va_copy(ap2, ap);
	emit_buf_vprintf(&msg, fmt, ap2);
	va_end(ap2);
	fprintf(stderr, "virtioctl%s%s: ", ctx && ctx->verb ? " " : "", ctx && ctx->verb ? ctx->verb : "");
	if (msg.oom || !msg.data)
		vfprintf(stderr, fmt, ap);
	else
		fputs(msg.data, stderr);
	/* Every error is one line; a usage error says where the usage is. */
	if (code == EXIT_USAGE && usage_hint)
		fprintf(stderr, " (see 'virtioctl%s%s --help')", ctx && ctx->verb ? " " : "",
			ctx && ctx->verb ? ctx->verb : "");
	fputc('\n', stderr);
	json_error(ctx, code, msg.data && !msg.oom ? msg.data : "out of memory");
	emit_buf_free(&msg);
}

int cli_error(const struct cli_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctx, code, false, fmt, ap);
	va_end(ap);
	return code;
}

int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctx, EXIT_USAGE, true, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void cli_emit_init(const struct cli_ctx *ctx, struct emit *e)
{
	emit_init(e, ctx->mode, ctx->pretty, ctx->color);
}

static bool stdout_sink(void *arg, const char *data, size_t len)
{
	(void)arg;
	return fwrite(data, 1, len, stdout) == len;
}

void cli_emit_init_streaming(const struct cli_ctx *ctx, struct emit *e)
{
	cli_emit_init(ctx, e);
	emit_set_sink(e, stdout_sink, NULL);
}

int cli_emit_flush(const struct cli_ctx *ctx, struct emit *e)
{
	size_t len;
	const char *s = emit_result(e, &len);
	int r = 0;

	if (!s)
		r = cli_error(ctx, EXIT_FAILURE, "out of memory while rendering output");
	else if (emit_sink_failed(e) || fwrite(s, 1, len, stdout) != len || fflush(stdout) != 0)
		r = cli_error(ctx, EXIT_FAILURE, "cannot write output: %s", strerror(errno));
	emit_free(e);
	return r;
}

int cli_parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s)
		return -EINVAL;
	/* Decimal or 0x hex only: base 0 would read "010" as octal 8, where users mean ten. */
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	if (hex ? !isxdigit((unsigned char)*digits) : !isdigit((unsigned char)*digits))
		return -EINVAL; /* also refuses the signs and blanks strtoull would skip */
	errno = 0;
	unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_u32(const char *s, unsigned *out)
{
	unsigned long long v;
	int r = cli_parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v > UINT_MAX)
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

int cli_number_arg(const struct cli_ctx *ctx, const char *what, const char *s, unsigned long long max,
		   unsigned long long *out)
{
	unsigned long long v;
	int r = cli_parse_u64(s, &v);
	size_t hex_digits = strspn(s, "0123456789abcdefABCDEF");

	if (r == 0 && v <= max) {
		*out = v;
		return 0;
	}
	if (r == 0 || r == -ERANGE)
		return cli_usage_error(ctx, "%s: '%s' is too large: at most %llu (0x%llx)", what, s, max, max);
	if (s[0] && !s[hex_digits] && s[0] != '0')
		return cli_usage_error(ctx, "%s: '%s' is not a decimal number: hex needs 0x (0x%s)", what, s, s);
	if (s[0] == '-' && isdigit((unsigned char)s[1]))
		return cli_usage_error(ctx, "%s: '%s' is negative: give 0 or more", what, s);
	return cli_usage_error(ctx, "%s: '%s' is not a number: give decimal, or hex with 0x", what, s);
}

int cli_spec_arg(const struct cli_ctx *ctx, const char *s, enum virtio_spec_version *version)
{
	if (virtio_spec_version_parse(s, version) == 0)
		return 0;
	return cli_usage_error(ctx, "--spec takes 1.2, 1.3 or 1.4, not '%s'", s);
}

int cli_device_type_arg(const struct cli_ctx *ctx, const char *s, const struct virtio_device_type **type)
{
	*type = virtio_device_type_lookup(s);
	if (*type)
		return 0;
	return cli_usage_error(ctx, "unknown device type '%s': give a short name (net, blk, console, ...), "
			       "the spec's name or a device id", s);
}
