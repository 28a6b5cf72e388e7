/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER for `virtioctl decode` until its implementation lands. */
#include "commands.h"

static int run_decode(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	return cli_error(ctx, EXIT_USAGE, "not implemented yet");
}

const struct cli_verb verb_decode = {
	.name = "decode",
	.run = run_decode,
	.summary = "(not implemented yet)",
	.usage = "",
	.complete = "none",
};
