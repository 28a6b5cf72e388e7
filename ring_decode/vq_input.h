/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Parsers that turn dump inputs (vqdump, hexdump text, ELF cores) into snapshots and memory. */
#ifndef RING_DECODE_VQ_INPUT_H
#define RING_DECODE_VQ_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "emit.h"
#include "rd_error.h"
#include "vq_snapshot.h"

/*
 * All parsers work on bytes already in memory (the caller reads files), take
 * `name` for error messages, never read outside [buf, buf+len), and report
 * problems through rd_error with the byte offset inside the input.
 */

/* The .vqdump container (format documented in man/virtioctl-decode.8). */
#define VQDUMP_MAGIC "VQDUMP\0\0"
#define VQDUMP_VERSION 1

/* Parses a .vqdump; segment data is copied into s->mem. */
int vqdump_parse(const uint8_t *buf, size_t len, const char *name, struct vq_snapshot *s,
		 struct rd_error *err);
/* Serialises a snapshot (metadata and every memory segment) into out. */
int vqdump_write(const struct vq_snapshot *s, struct emit_buf *out, struct rd_error *err);

/*
 * Recognises hexdump text as people paste it: `xxd`, `hexdump -C`,
 * `od -Ax -tx1` (and `*` repeat lines of hexdump/od).  Returns 1 and a
 * malloc'd byte buffer when buf looks like one of those, 0 when it does not
 * (treat as binary), negative errno when it looks like hexdump text but is
 * malformed.  Offsets in the text are honoured: gaps are zero-filled only
 * where a `*` line says the previous line repeats.
 */
int hexdump_text_parse(const uint8_t *buf, size_t len, const char *name, uint8_t **bytes,
		       size_t *n_bytes, struct rd_error *err);

/*
 * Adds the PT_LOAD segments of an ELF64 core (as QEMU's dump-guest-memory
 * writes it) to mem, keyed by p_paddr.  Data is referenced, not copied: buf
 * must outlive mem.
 */
int elfcore_parse(const uint8_t *buf, size_t len, const char *name, struct vq_mem *mem,
		  struct rd_error *err);

#endif
