/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option parsing driven by each verb's cli_opt table, with the global options folded in. */
#include "cli.h"

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
	{ "verbose", 'v', no_argument, NULL, "more detail (repeatable)" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ "version", OPT_GLOBAL_VERSION, no_argument, NULL, "show the version" },
	{ 0 },
};

struct getopt_state {
	struct option *longopts;
	char shortopts[128];
};

static size_t count_opts(const struct cli_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

static void add_opts(struct getopt_state *st, size_t *n, const struct cli_opt *opts)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct cli_opt *o = &opts[i];
		size_t sl = strlen(st->shortopts);

		st->longopts[*n] = (struct option){ o->name, o->has_arg, NULL, o->id };
		(*n)++;
		if (o->id > 0 && o->id < 256 && sl + 3 < sizeof(st->shortopts)) {
			st->shortopts[sl++] = (char)o->id;
			if (o->has_arg == required_argument)
				st->shortopts[sl++] = ':';
			st->shortopts[sl] = '\0';
		}
	}
}

void cli_parser_init(struct cli_parser *p, const struct cli_verb *verb, struct cli_ctx *ctx, int argc,
		     char **argv)
{
	*p = (struct cli_parser){ .verb = verb, .ctx = ctx, .argc = argc, .argv = argv, .optind = 1 };
	ctx->verb = verb->name;
	struct getopt_state *st = calloc(1, sizeof(*st));
	size_t total = count_opts(verb->opts) + count_opts(cli_global_opts) + 1;

	if (!st || !(st->longopts = calloc(total, sizeof(*st->longopts)))) {
		free(st);
		return;
	}
	/*
	 * GNU permutation: options may follow positionals, as people type
	 * "decode dump.vq --json"; "--" still ends the options for odd file names.
	 */
	st->shortopts[0] = '\0';
	size_t n = 0;
	add_opts(st, &n, verb->opts);
	add_opts(st, &n, cli_global_opts);
	p->getopt_state = st;
	/* 0, not 1: glibc then re-reads the ordering mode, which cli_parse_globals() set to '+'. */
	optind = 0;
	opterr = 0;
}

void cli_parser_done(struct cli_parser *p)
{
	if (!p || !p->getopt_state)
		return;
	struct getopt_state *st = p->getopt_state;
	free(st->longopts);
	free(st);
	p->getopt_state = NULL;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, int id)
{
	for (size_t i = 0; opts && opts[i].name; i++)
		if (opts[i].id == id)
			return &opts[i];
	return NULL;
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
		printf("virtioctl %s\n", VIRTIOCTL_VERSION);
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

int cli_next(struct cli_parser *p, const char **arg)
{
	struct getopt_state *st = p->getopt_state;

	if (!st) {
		p->exit_code = cli_error(p->ctx, EXIT_FAILURE, "out of memory");
		return CLI_EXIT;
	}
	for (;;) {
		int c = getopt_long(p->argc, p->argv, st->shortopts, st->longopts, NULL);

		*arg = optarg;
		switch (c) {
		case -1:
			p->optind = optind;
			return CLI_END;
		case '?':
		case ':': {
			const char *bad = optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "?";
			if (optopt && find_opt(p->verb->opts, optopt) && find_opt(p->verb->opts, optopt)->has_arg)
				p->exit_code = cli_usage_error(p->ctx, "option '%s' needs an argument", bad);
			else
				p->exit_code = cli_usage_error(p->ctx, "unknown option '%s'", bad);
			return CLI_EXIT;
		}
		case 'h':
			cli_print_verb_help(p->verb, stdout);
			p->exit_code = 0;
			return CLI_EXIT;
		}
		/* A verb may claim a global letter for itself; none does today. */
		if (c < 256 && find_opt(p->verb->opts, c))
			return c;
		int r = apply_global(p->ctx, c, optarg, &p->exit_code);
		if (r == CLI_EXIT)
			return CLI_EXIT;
		if (r == 0)
			return c;
	}
}

int cli_parse_globals(struct cli_ctx *ctx, int argc, char **argv, int *first, int *exit_code)
{
	struct getopt_state st = { 0 };
	struct option longopts[16] = { 0 };
	size_t n = 0;
	int c;

	/* '+': stop at the verb; what follows it is the verb's to parse. */
	strcpy(st.shortopts, "+");
	st.longopts = longopts;
	add_opts(&st, &n, cli_global_opts);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, st.shortopts, st.longopts, NULL)) != -1) {
		if (c == 'h')
			return CLI_GLOBALS_HELP;
		if (c == '?' || c == ':') {
			*exit_code = cli_usage_error(ctx, "unknown or incomplete global option '%s'",
						     optind > 0 && optind <= argc ? argv[optind - 1] : "?");
			return CLI_EXIT;
		}
		if (apply_global(ctx, c, optarg, exit_code) == CLI_EXIT)
			return CLI_EXIT;
	}
	*first = optind;
	return 0;
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

static void verror(const struct cli_ctx *ctx, int code, const char *fmt, va_list ap)
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
	fputc('\n', stderr);
	json_error(ctx, code, msg.data && !msg.oom ? msg.data : "out of memory");
	emit_buf_free(&msg);
}

int cli_error(const struct cli_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctx, code, fmt, ap);
	va_end(ap);
	return code;
}

int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctx, EXIT_USAGE, fmt, ap);
	va_end(ap);
	if (ctx && ctx->verb)
		fprintf(stderr, "Try 'virtioctl %s --help'.\n", ctx->verb);
	else
		fprintf(stderr, "Try 'virtioctl --help'.\n");
	return EXIT_USAGE;
}

void cli_emit_init(const struct cli_ctx *ctx, struct emit *e)
{
	emit_init(e, ctx->mode, ctx->pretty, ctx->color);
}

int cli_emit_flush(const struct cli_ctx *ctx, struct emit *e)
{
	size_t len;
	const char *s = emit_result(e, &len);
	int r = 0;

	if (!s)
		r = cli_error(ctx, EXIT_FAILURE, "out of memory while rendering output");
	else if (fwrite(s, 1, len, stdout) != len || fflush(stdout) != 0)
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
