/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entry point: global options, the verb table, exact verb and alias matching. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"

static const struct cli_verb *const verbs[] = {
	&verb_list,
	&verb_info,
	&verb_probe,
	&verb_bind,
	&verb_decode,
	&verb_features,
	&verb_status,
	&verb_top,
	&verb_trace,
	&verb_dump,
};

#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))

/* Exact names and declared aliases only: a prefix that happens to match today may not tomorrow. */
static const struct cli_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < N_VERBS; i++) {
		if (!strcmp(verbs[i]->name, name))
			return verbs[i];
		for (size_t j = 0; verbs[i]->aliases && verbs[i]->aliases[j]; j++)
			if (!strcmp(verbs[i]->aliases[j], name))
				return verbs[i];
	}
	return NULL;
}

static void print_main_help(FILE *f)
{
	fprintf(f, "Usage: virtioctl [GLOBAL OPTIONS] COMMAND [ARGS]\n"
		   "Look inside virtio devices and their virtqueues.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < N_VERBS; i++)
		fprintf(f, "  %-10s %s\n", verbs[i]->name, verbs[i]->summary);
	fprintf(f, "  %-10s %s\n", "help", "show help for virtioctl or one command");
	fprintf(f, "\nGlobal options (accepted by every command):\n");
	for (size_t i = 0; cli_global_opts[i].name; i++) {
		const struct cli_opt *o = &cli_global_opts[i];
		char left[64];

		if (o->id > 0 && o->id < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->id, o->name, o->arg_name ? "=" : "",
				 o->arg_name ? o->arg_name : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg_name ? "=" : "",
				 o->arg_name ? o->arg_name : "");
		fprintf(f, "  %-22s %s\n", left, o->help);
	}
	fprintf(f, "\nRun 'virtioctl COMMAND --help' for a command's options; see virtioctl(8).\n");
}

/* Edit distance with adjacent transpositions, capped: only near misses matter. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[17][17];

	if (la > 16 || lb > 16)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The verb a mistyped name most likely meant: a prefix of it, or within two edits; NULL when none is close. */
static const char *suggest_verb(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < N_VERBS; i++) {
		size_t d = edit_distance(name, verbs[i]->name);

		if (strlen(name) >= 2 && !strncmp(verbs[i]->name, name, strlen(name)))
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = verbs[i]->name;
		}
	}
	if (!best && edit_distance(name, "help") < 3)
		best = "help";
	return best;
}

static int unknown_verb(const struct cli_ctx *ctx, const char *name)
{
	const char *guess = suggest_verb(name);
	char list[256] = "";
	size_t used = 0;

	for (size_t i = 0; i < N_VERBS && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", verbs[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (guess)
		return cli_usage_error(ctx, "no command '%s'; did you mean '%s'?", name, guess);
	return cli_usage_error(ctx, "no command '%s'; commands are: %s", name, list);
}

/* `virtioctl help [COMMAND]`; "help --help" and "help help" are help too. */
static int run_help(const struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_main_help(stdout);
		return 0;
	}
	const struct cli_verb *v = find_verb(argv[1]);
	if (!v)
		return unknown_verb(ctx, argv[1]);
	if (argc > 2)
		return cli_usage_error(ctx, "help takes one COMMAND, not '%s'", argv[2]);
	cli_print_verb_help(v, stdout);
	return 0;
}

/*
 * --json anywhere before "--" makes even an early usage error (an unknown
 * option before --json, a mistyped verb) a JSON document on stdout.
 */
static void prescan_json(struct cli_ctx *ctx, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j") || !strcmp(argv[i], "--pretty") ||
		    !strcmp(argv[i], "-p")) {
			ctx->mode = EMIT_JSON;
			ctx->pretty = ctx->pretty || argv[i][1] == 'p' || !strcmp(argv[i], "--pretty");
		}
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = {
		.mode = EMIT_TEXT,
		.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && getenv("TERM") &&
			 strcmp(getenv("TERM"), "dumb"),
	};
	int first, code = 0;

	prescan_json(&ctx, argc, argv);
	/* Global options before the verb; the verb's parser accepts them after it too. */
	switch (cli_parse_globals(&ctx, argc, argv, &first, &code)) {
	case CLI_GLOBALS_HELP:
		print_main_help(stdout);
		return 0;
	case CLI_EXIT:
		return code;
	}
	if (first >= argc) {
		if (ctx.mode == EMIT_JSON)
			return cli_usage_error(&ctx, "missing COMMAND");
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[first];
	if (!strcmp(name, "help"))
		return run_help(&ctx, argc - first, argv + first);
	const struct cli_verb *v = find_verb(name);
	if (!v)
		return unknown_verb(&ctx, name);
	ctx.verb = v->name;
	int r = v->run(argc - first, argv + first, &ctx);
	return r < 0 ? EXIT_FAILURE : r;
}
