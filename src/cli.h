/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line plumbing shared by every verb: option tables, global options, output and errors. */
#ifndef VIRTIOCTL_CLI_H
#define VIRTIOCTL_CLI_H

#include <getopt.h> /* no_argument, required_argument for the option tables */
#include <stdbool.h>
#include <stdio.h>

#include "emit.h"
#include "virtio_spec.h"

#define EXIT_ANOMALY 1   /* ran, and found something wrong (decode anomalies) */
#define EXIT_USAGE 2     /* wrong arguments or unusable input */

/* Per-invocation settings; passed down, never global. */
struct cli_ctx {
	const char *verb;       /* for messages: "virtioctl decode: ..." */
	enum emit_mode mode;
	bool pretty;
	bool color;
	int verbose;
};

/*
 * One option of a verb.  The same table drives getopt, --help, and the
 * consistency test that compares help, man pages and completions.
 * id: the short option character, or a value >= 256 for long-only options.
 */
struct cli_opt {
	const char *name;       /* long name without dashes */
	int id;
	int has_arg;            /* no_argument / required_argument */
	const char *arg_name;   /* "FILE[@ADDR]", "N", ... */
	const char *help;
};

struct cli_verb {
	const char *name;
	const char *const *aliases;   /* NULL-terminated exact aliases, or NULL */
	int (*run)(int argc, char **argv, struct cli_ctx *ctx);
	const char *summary;          /* one line for `virtioctl help` */
	const char *usage;            /* arguments after the verb: "[OPTIONS] FILE" */
	const struct cli_opt *opts;   /* terminated by { 0 } */
	/* What positional arguments complete to: "file", "device", "device-type", "none". */
	const char *complete;
};

/* Options every verb accepts; handled inside cli_next(). */
extern const struct cli_opt cli_global_opts[];

struct cli_parser {
	const struct cli_verb *verb;   /* NULL: the global options before the verb */
	struct cli_ctx *ctx;
	int argc;
	char **argv;
	int optind;             /* after CLI_END: first positional argument (they are moved to the end of argv) */
	int exit_code;          /* after CLI_EXIT: what the verb returns (0 after --help, EXIT_USAGE after an error) */
	/* Parser state: the next token, the rest of a short-option cluster, the positionals seen so far. */
	int next;
	const char *cluster;
	const char *cluster_token;
	char **positionals;
	int n_positionals;
	bool options_ended;
	bool stop_at_positional;
};

enum {
	CLI_END = 0,
	CLI_EXIT = -1,
};

/*
 * The one option parser of every verb.  Long options may be abbreviated to
 * a unique prefix and take their argument as "--opt=ARG" or "--opt ARG";
 * short options cluster ("-jv", "-s4"); options may follow positionals
 * ("decode dump.vq --json"); "--" ends the options.  A usage error names the
 * exact word: an unknown option, a missing argument, an ambiguous prefix
 * (with the candidates) or an argument given to a flag.
 */
void cli_parser_init(struct cli_parser *p, const struct cli_verb *verb, struct cli_ctx *ctx, int argc,
		     char **argv);
/*
 * Next verb option: returns its id with *arg set, CLI_END when options are
 * done (positionals are argv[p->optind..argc-1]), or CLI_EXIT when the verb
 * must return p->exit_code (help printed: 0; usage error printed: EXIT_USAGE).
 * Global options are applied to ctx here and never returned.
 */
int cli_next(struct cli_parser *p, const char **arg);
/* Frees the parser's state; accepts NULL. */
void cli_parser_done(struct cli_parser *p);

enum { CLI_GLOBALS_HELP = 1 };
/*
 * Global options before the verb, from the same table and handler as
 * cli_next().  Returns 0 with *first set to the verb's index (argc when
 * there is none), CLI_GLOBALS_HELP for -h/--help, or CLI_EXIT with
 * *exit_code set (--version, an unknown option).
 */
int cli_parse_globals(struct cli_ctx *ctx, int argc, char **argv, int *first, int *exit_code);

/* "virtioctl VERSION" (git describe at build time) and the optional parts built in. */
void cli_print_version(FILE *f);

/* Prints `virtioctl VERB --help` to f. */
void cli_print_verb_help(const struct cli_verb *v, FILE *f);

/* "virtioctl VERB: <message>" on stderr, one line; returns code (for `return cli_error(...)`). */
int cli_error(const struct cli_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Usage error: message plus a hint to run --help; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An emitter set up from ctx; cli_emit_flush() writes it to stdout and frees it. Returns 0 or EXIT_FAILURE. */
void cli_emit_init(const struct cli_ctx *ctx, struct emit *e);
int cli_emit_flush(const struct cli_ctx *ctx, struct emit *e);
/* Like cli_emit_init, for outputs that may be megabytes: written to stdout in chunks while rendering. */
void cli_emit_init_streaming(const struct cli_ctx *ctx, struct emit *e);

/*
 * Strict number parsing, the rule of virtioctl(8) "NUMBERS": decimal, or hex
 * with 0x; the whole string.  Return 0 or -EINVAL/-ERANGE.
 */
int cli_parse_u64(const char *s, unsigned long long *out);
int cli_parse_u32(const char *s, unsigned *out);
/*
 * Parses a numeric option value up to max; on failure prints the one usage
 * error every verb uses ("--queue: 'ff' is not a number: ... write 0xff for
 * hex") and returns EXIT_USAGE.  what is the option or operand name.
 */
int cli_number_arg(const struct cli_ctx *ctx, const char *what, const char *s, unsigned long long max,
		   unsigned long long *out);

/*
 * The shared parsers of --spec VERSION and --device TYPE: one wording of
 * their errors everywhere.  Return 0, or EXIT_USAGE after the error line.
 */
int cli_spec_arg(const struct cli_ctx *ctx, const char *s, enum virtio_spec_version *version);
int cli_device_type_arg(const struct cli_ctx *ctx, const char *s, const struct virtio_device_type **type);

#endif
