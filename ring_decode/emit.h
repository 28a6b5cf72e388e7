/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* One renderer, two outputs: every emit call carries its JSON key and its text form together. */
#ifndef RING_DECODE_EMIT_H
#define RING_DECODE_EMIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A renderer walks its data model once and calls emit_*() for each value.
 * Each call names the JSON key and, optionally, a printf format for the
 * human text output, so the two outputs cannot disagree about which values
 * exist: a value the text omits is still in the JSON, never the reverse.
 *
 * Text formats receive exactly one argument of a fixed type:
 *   emit_uint:  unsigned long long  (%llu, %llx, %04llx, ...)
 *   emit_int:   long long           (%lld)
 *   emit_hex:   unsigned long long  (JSON gets the string "0x...")
 *   emit_str:   const char *        (%s)
 *   emit_bool:  const char *        ("yes" or "no", %s)
 * A NULL text format means "JSON only".  emit_text() is text only.
 * The compiler checks each literal format against that type (below).
 *
 * Output goes to an in-memory buffer; the library never prints.
 */

enum emit_mode {
	EMIT_TEXT,
	EMIT_JSON,
};

enum emit_style {
	EMIT_STYLE_NONE,
	EMIT_STYLE_BOLD,
	EMIT_STYLE_WARN,
	EMIT_STYLE_ERROR,
	EMIT_STYLE_DIM,
};

struct emit_buf {
	char *data;
	size_t len;
	size_t cap;
	bool oom;
};

#define EMIT_MAX_DEPTH 32

struct emit {
	enum emit_mode mode;
	bool pretty;       /* JSON: indent */
	bool color;        /* text: ANSI styles */
	struct emit_buf buf;
	int depth;
	bool need_comma[EMIT_MAX_DEPTH];
	bool in_array[EMIT_MAX_DEPTH];
	/* Optional sink (emit_set_sink): output is handed over in chunks as it grows. */
	bool (*sink)(void *arg, const char *data, size_t len);
	void *sink_arg;
	bool sink_failed;
};

/* Output past this many bytes is handed to the sink after the value that crossed it. */
#define EMIT_SINK_CHUNK (64u * 1024)

void emit_init(struct emit *e, enum emit_mode mode, bool pretty, bool color);
/* Frees the buffer; accepts NULL. */
void emit_free(struct emit *e);
/* Returns the rendered output (NUL-terminated) or NULL after allocation failure. */
const char *emit_result(struct emit *e, size_t *len);
/*
 * Streams large outputs: once the buffer holds EMIT_SINK_CHUNK bytes, the
 * emitter passes them to sink (which returns false on failure) and reuses
 * the buffer, so a 32768-entry ring never sits in memory as text.
 * emit_result() then returns only what is left; emit_sink_failed() says
 * whether any chunk was refused (nothing more is handed over after that).
 */
void emit_set_sink(struct emit *e, bool (*sink)(void *arg, const char *data, size_t len), void *arg);
static inline bool emit_sink_failed(const struct emit *e) { return e->sink_failed; }
/* Drops what was rendered so far; keeps the mode (for live views). */
void emit_reset(struct emit *e);

static inline bool emit_is_json(const struct emit *e) { return e->mode == EMIT_JSON; }

/* key is NULL for array elements and the top-level value. */
void emit_object_begin(struct emit *e, const char *key);
void emit_object_end(struct emit *e);
void emit_array_begin(struct emit *e, const char *key);
void emit_array_end(struct emit *e);

void emit_uint(struct emit *e, const char *key, const char *tfmt, unsigned long long v);
void emit_int(struct emit *e, const char *key, const char *tfmt, long long v);
void emit_hex(struct emit *e, const char *key, const char *tfmt, unsigned long long v);
void emit_str(struct emit *e, const char *key, const char *tfmt, const char *s);
void emit_bool(struct emit *e, const char *key, const char *tfmt, bool v);
void emit_null(struct emit *e, const char *key);
/*
 * A section that does not apply or could not be read, in one call: null
 * for each of its keys (JSON only), the list ending with NULL.
 */
void emit_absent(struct emit *e, const char *key, ...) __attribute__((sentinel));
/*
 * A value that may be absent, in one call: when present, emit_uint/hex/str;
 * when not, JSON null and the text format with its conversion printing "-"
 * at the same width, so columns stay aligned.  emit_opt_str treats NULL and
 * "" as absent.
 */
void emit_opt_uint(struct emit *e, const char *key, const char *tfmt, bool present, unsigned long long v);
void emit_opt_hex(struct emit *e, const char *key, const char *tfmt, bool present, unsigned long long v);
void emit_opt_str(struct emit *e, const char *key, const char *tfmt, const char *s);
/* JSON string whose value is a 128-bit feature mask as "0x..." hex (no leading zeros). */
void emit_hex128(struct emit *e, const char *key, const char *tfmt, uint64_t lo, uint64_t hi);

void emit_text(struct emit *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The compiler checks every text format against the one argument type its
 * emit_*() passes (see above): `emit_uint(e, "size", "%u", v)` is a -Wformat
 * warning, as printf("%u", 0ULL) would be.  A NULL format (JSON only)
 * selects the unchecked twin.  Nothing here is evaluated or linked: the
 * checker functions are declared only, inside sizeof.
 */
int emit_text_format_check_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int emit_json_only_(const void *no_fmt, ...);
#define EMIT_CHECK_TFMT_(tfmt, T) \
	((void)sizeof(_Generic((tfmt), void *: emit_json_only_, default: emit_text_format_check_)((tfmt), (T)0)))
#define emit_uint(e, key, tfmt, v) (EMIT_CHECK_TFMT_(tfmt, unsigned long long), (emit_uint)((e), (key), (tfmt), (v)))
#define emit_int(e, key, tfmt, v) (EMIT_CHECK_TFMT_(tfmt, long long), (emit_int)((e), (key), (tfmt), (v)))
#define emit_hex(e, key, tfmt, v) (EMIT_CHECK_TFMT_(tfmt, unsigned long long), (emit_hex)((e), (key), (tfmt), (v)))
#define emit_str(e, key, tfmt, s) (EMIT_CHECK_TFMT_(tfmt, const char *), (emit_str)((e), (key), (tfmt), (s)))
#define emit_bool(e, key, tfmt, v) (EMIT_CHECK_TFMT_(tfmt, const char *), (emit_bool)((e), (key), (tfmt), (v)))
#define emit_opt_uint(e, key, tfmt, present, v) \
	(EMIT_CHECK_TFMT_(tfmt, unsigned long long), (emit_opt_uint)((e), (key), (tfmt), (present), (v)))
#define emit_opt_hex(e, key, tfmt, present, v) \
	(EMIT_CHECK_TFMT_(tfmt, unsigned long long), (emit_opt_hex)((e), (key), (tfmt), (present), (v)))
#define emit_opt_str(e, key, tfmt, s) (EMIT_CHECK_TFMT_(tfmt, const char *), (emit_opt_str)((e), (key), (tfmt), (s)))
#define emit_hex128(e, key, tfmt, lo, hi) \
	(EMIT_CHECK_TFMT_(tfmt, const char *), (emit_hex128)((e), (key), (tfmt), (lo), (hi)))
void emit_style(struct emit *e, enum emit_style style);

/* Helpers for string buffers shared by renderers and parsers. */
void emit_buf_append(struct emit_buf *b, const char *s, size_t n);
void emit_buf_printf(struct emit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void emit_buf_vprintf(struct emit_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void emit_buf_free(struct emit_buf *b);

#endif
