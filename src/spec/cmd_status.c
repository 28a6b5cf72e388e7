/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PLACEHOLDER for `virtioctl status` until its implementation lands. */
#include "commands.h"

static int run_status(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)argc;
	(void)argv;
	return cli_error(ctx, EXIT_USAGE, "not implemented yet");
}

const struct cli_verb verb_status = {
	.name = "status",
	.run = run_status,
	.summary = "(not implemented yet)",
	.usage = "",
	.complete = "none",
};
