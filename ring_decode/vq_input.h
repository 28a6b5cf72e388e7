/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Parsers that turn dump inputs (vqdump, hexdump text, ELF cores) into snapshots and memory. */
#ifndef RING_DECODE_VQ_INPUT_H
#define RING_DECODE_VQ_INPUT_H

#include <stdbool.h>
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

/* The .vqdump container (format documented in man/virtioctl-decode.8 and vqdump.c). */
#define VQDUMP_MAGIC "VQDUMP\0\0"
#define VQDUMP_VERSION 1
#define VQDUMP_HEADER_LEN 88u          /* version 1 header; the file's own header length may be larger */
#define VQDUMP_SEGMENT_HEADER_LEN 16u  /* guest address, length */

/* Header flags (offset 14): which optional state fields are valid. */
enum {
	VQDUMP_F_LEGACY_BIG_ENDIAN = 1u << 0,
	VQDUMP_F_LAST_AVAIL_IDX = 1u << 1,
	VQDUMP_F_LAST_USED_IDX = 1u << 2,
	VQDUMP_F_DRIVER_POS = 1u << 3,
	VQDUMP_F_DRIVER_WRAP = 1u << 4,
	VQDUMP_F_DEVICE_POS = 1u << 5,
	VQDUMP_F_DEVICE_WRAP = 1u << 6,
	VQDUMP_F_DRIVER_USED_POS = 1u << 7,
	VQDUMP_F_DRIVER_USED_WRAP = 1u << 8,
	VQDUMP_F_FEATURES_UNKNOWN = 1u << 9,   /* the features field means nothing: they were not given */
};

/*
 * Parses a .vqdump into *s (overwritten; freed again on error); segment
 * data is copied into s->mem.  The queue size is checked like the decoder
 * would (1..32768, a power of two for split) so the error names its byte.
 */
int vqdump_parse(const uint8_t *buf, size_t len, const char *name, struct vq_snapshot *s,
		 struct rd_error *err);
/* Serialises a snapshot (metadata and every memory segment) into out. */
int vqdump_write(const struct vq_snapshot *s, struct emit_buf *out, struct rd_error *err);

/* Formats hexdump_text_parse() recognises. */
enum hexdump_format {
	HEXDUMP_NONE,       /* not hexdump text: binary */
	HEXDUMP_XXD,        /* xxd, any -g group size and -c width, -a */
	HEXDUMP_CANONICAL,  /* hexdump -C */
	HEXDUMP_OD,         /* od -Ax -tx1 (and -tx1z) */
	HEXDUMP_PLAIN,      /* xxd -p: hex digits only */
	HEXDUMP_C_ARRAY,    /* xxd -i: a C array of 0x.. bytes */
};

/* "xxd", "hexdump -C", "od -Ax -tx1", "xxd -p", "xxd -i"; NULL for HEXDUMP_NONE. */
const char *hexdump_format_name(enum hexdump_format f);

/* Which format the first line with data has; HEXDUMP_NONE for binary or unknown text. */
enum hexdump_format hexdump_text_detect(const uint8_t *buf, size_t len);

/* True when buf is non-empty and all printable ASCII, tabs and line ends: text, whatever it says. */
bool hexdump_text_is_text(const uint8_t *buf, size_t len);

/* Most bytes a hexdump text may expand to through `*` repeat lines. */
#ifndef HEXDUMP_MAX_BYTES
#define HEXDUMP_MAX_BYTES (1ull << 30)
#endif

/*
 * Recognises hexdump text as people paste it: `xxd`, `hexdump -C`,
 * `od -Ax -tx1` (and `*` repeat lines of hexdump/od), `xxd -p`, `xxd -i`;
 * email quote prefixes ("> "), indentation, blank lines, CRLF and the
 * prompt line of the command that made it ("$ xxd desc.bin") are ignored.  Returns 1 and a
 * malloc'd byte buffer when buf looks like one of those, 0 when it does not
 * (treat as binary), negative errno when it looks like hexdump text but is
 * malformed.  Offsets in the text are honoured: gaps are zero-filled only
 * where a `*` line says the previous line repeats.
 *
 * The bytes start at the first line's offset (a dump made with `xxd -s`
 * yields the bytes from there on).  The text column, where there is one,
 * must agree with the hex bytes; this catches edited dumps and the
 * byte-swapped groups of `xxd -e`.  Errors carry the byte offset in the
 * text and start with "line N: ".
 */
int hexdump_text_parse(const uint8_t *buf, size_t len, const char *name, uint8_t **bytes,
		       size_t *n_bytes, struct rd_error *err);

/*
 * The same with a limit of `keep` bytes: beyond it, -EFBIG naming the line,
 * or with `truncate` the rest is parsed and checked but dropped, costing no
 * memory (an area needs only its own bytes of a page-sized dump, however
 * far a `*` line repeats).  hexdump_text_parse() keeps HEXDUMP_MAX_BYTES.
 */
int hexdump_text_parse_capped(const uint8_t *buf, size_t len, const char *name, uint64_t keep, bool truncate,
			      uint8_t **bytes, size_t *n_bytes, struct rd_error *err);

/*
 * Adds the PT_LOAD segments of an ELF64 core (as QEMU's dump-guest-memory
 * writes it) to mem, keyed by p_paddr.  Data is referenced, not copied: buf
 * must outlive mem.  Segments whose p_filesz is smaller than p_memsz add
 * only the p_filesz bytes present in the file.
 */
int elfcore_parse(const uint8_t *buf, size_t len, const char *name, struct vq_mem *mem,
		  struct rd_error *err);

/*
 * Where the three areas of a legacy contiguous split ring lie relative to
 * its start: the descriptor table, the avail ring (with room for
 * used_event), then the used ring at the next multiple of align (a power of
 * two).  Returns 0 or -EINVAL for a bad size or align.
 */
int vq_legacy_layout(uint32_t size, uint32_t align, uint64_t *avail_off, uint64_t *used_off,
		     uint64_t *total_len);

#endif
