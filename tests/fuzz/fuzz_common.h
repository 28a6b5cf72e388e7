/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the libFuzzer targets: decode and render whatever a parser produced, so the decoder is fuzzed too. */
#ifndef VIRTIOCTL_FUZZ_COMMON_H
#define VIRTIOCTL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "vq_snapshot.h"

/* A finding that is not a memory error: libFuzzer reports the abort as a crash. */
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* vq_decode, then vq_render as text and as JSON, plain and verbose; checks the result's invariants. */
void fuzz_decode_render(const struct vq_snapshot *s);

#endif
