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
	&verb_decode,
	&verb_features,
	&verb_status,
	&verb_top,
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
		   "Look inside virtio devices: probe them, watch their queues, decode ring dumps.\n\n"
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

int main(int argc, char **argv)
{
	struct cli_ctx ctx = {
		.mode = EMIT_TEXT,
		.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && getenv("TERM") &&
			 strcmp(getenv("TERM"), "dumb"),
	};
	int first, code = 0;

	/* Global options before the verb; the verb's parser accepts them after it too. */
	switch (cli_parse_globals(&ctx, argc, argv, &first, &code)) {
	case CLI_GLOBALS_HELP:
		print_main_help(stdout);
		return 0;
	case CLI_EXIT:
		return code;
	}
	if (first >= argc) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[first];
	if (!strcmp(name, "help")) {
		if (first + 1 < argc) {
			const struct cli_verb *v = find_verb(argv[first + 1]);
			if (!v)
				return cli_usage_error(&ctx, "no command '%s'", argv[first + 1]);
			cli_print_verb_help(v, stdout);
			return 0;
		}
		print_main_help(stdout);
		return 0;
	}
	const struct cli_verb *v = find_verb(name);
	if (!v) {
		fprintf(stderr, "virtioctl: no command '%s'; commands are:", name);
		for (size_t i = 0; i < N_VERBS; i++)
			fprintf(stderr, " %s", verbs[i]->name);
		fprintf(stderr, "\nTry 'virtioctl help'.\n");
		return EXIT_USAGE;
	}
	ctx.verb = v->name;
	int r = v->run(argc - first, argv + first, &ctx);
	return r < 0 ? EXIT_FAILURE : r;
}
