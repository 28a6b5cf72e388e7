/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading decode's inputs (files, hexdump text, cores) into one snapshot, and extracting it for --write-vqdump. */
#ifndef VIRTIOCTL_DECODE_INPUT_H
#define VIRTIOCTL_DECODE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rd_error.h"
#include "vq_decode.h"
#include "vq_input.h"
#include "vq_snapshot.h"

/* Largest area, ring, memory or .vqdump file read into memory; cores are mapped instead. */
#define DECODE_MAX_FILE (1ull << 30)

/* Areas given without @ADDR are placed here, far from any guest RAM an indirect table could be in. */
#define DECODE_SYNTHETIC_DESC 0xfff0000000000000ull
#define DECODE_SYNTHETIC_DRIVER 0xfff1000000000000ull
#define DECODE_SYNTHETIC_DEVICE 0xfff2000000000000ull

/* One input file's bytes, kept alive as long as the snapshot references them. */
struct decode_file {
	char *path;
	const uint8_t *data;
	size_t len;
	void *map;                  /* mmap'ed file (cores), else NULL */
	size_t map_len;
	uint8_t *owned;             /* read or hexdump-decoded bytes, freed with the file */
	enum hexdump_format hex;    /* the file was hexdump text in this format */
};

/* A core read from a pipe or device (not mapped) stops here: it has to be held in memory. */
#define DECODE_MAX_STREAM_CORE (64ull << 20)

/* All hexdump text of one invocation together describes at most this many bytes (`*` lines included). */
#define DECODE_MAX_TEXT_BYTES (256ull << 20)

/* Every file of one invocation. */
struct decode_files {
	struct decode_file *v;
	size_t n;
	uint64_t text_bytes;        /* bytes made from hexdump text so far */
};

/* How to read one input. */
struct decode_load {
	bool map_large;             /* an ELF core: map a regular file, with no size limit */
	bool raw;                   /* bytes as they are, even when they look like text (--raw) */
	uint64_t need;              /* the most bytes the input can use (an area), 0: no bound */
};

/*
 * Reads path ("-" is stdin), turning hexdump text into bytes (past `need`,
 * dropped; all text of the invocation within DECODE_MAX_TEXT_BYTES).  Other
 * text is refused.  A core from a pipe or device is read up to 1 GiB; a
 * mapped core that shrinks ends the process with one line on stderr.  On
 * failure *err names the file.
 */
int decode_file_load(struct decode_files *files, const char *path, const struct decode_load *how,
		     const struct decode_file **out, struct rd_error *err);

/* Copies in to out with control characters as \xNN (file names in one-line errors). */
void decode_escape(const char *in, char *out, size_t size);
/* Unmaps and frees every file; accepts NULL. */
void decode_files_free(struct decode_files *files);

/*
 * Adds len bytes at addr to s->mem, referencing data.  `what` names the
 * input for the overlap error ("--mem ind.bin@0x5000").  Returns 0 or a
 * negative errno with *err set.
 */
int decode_add_memory(struct vq_snapshot *s, uint64_t addr, const uint8_t *data, uint64_t len,
		      const char *what, const char *path, struct rd_error *err);

/*
 * The memory a decode of `s` looked at, copied out of a possibly huge
 * address space (an ELF core) into `out`: the three areas and the indirect
 * tables of outstanding chains, as far as `s` holds them.  Metadata is
 * copied too.  Used for --write-vqdump of a core.
 */
int decode_extract(const struct vq_snapshot *s, const struct vq_decode_result *r, struct vq_snapshot *out,
		   struct rd_error *err);

#endif
