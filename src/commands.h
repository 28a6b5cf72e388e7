/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verb table: each verb is defined in its own file and listed once in main.c. */
#ifndef VIRTIOCTL_COMMANDS_H
#define VIRTIOCTL_COMMANDS_H

#include "cli.h"

extern const struct cli_verb verb_decode;
extern const struct cli_verb verb_features;
extern const struct cli_verb verb_status;
extern const struct cli_verb verb_list;
extern const struct cli_verb verb_info;
extern const struct cli_verb verb_probe;
extern const struct cli_verb verb_bind;
extern const struct cli_verb verb_top;
extern const struct cli_verb verb_trace;
extern const struct cli_verb verb_dump;

#endif
