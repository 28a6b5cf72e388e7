/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Hexdump text as pasted into bug reports (xxd, hexdump -C, od -Ax -tx1, xxd -p) back into bytes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vq_input.h"
#include "rd_text.h"

/* Longest offset column accepted: 16 hex digits is all of a 64-bit offset. */
#define MAX_OFFSET_DIGITS 16

struct hx_parser {
	const uint8_t *text;
	size_t text_len;
	const char *name;
	enum hexdump_format format;
	struct rd_error *err;

	uint8_t *out;
	size_t out_len, out_cap;

	size_t lineno;
	bool have_data;          /* a data line was seen: base and prev_* are valid */
	uint64_t base;           /* offset of the first data line */
	size_t prev_start, prev_len; /* the last data line's bytes inside out (for `*`) */
	bool star_pending;
	bool end_seen;           /* hexdump -C / od final offset line */
};

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool is_printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

const char *hexdump_format_name(enum hexdump_format f)
{
	switch (f) {
	case HEXDUMP_XXD: return "xxd";
	case HEXDUMP_CANONICAL: return "hexdump -C";
	case HEXDUMP_OD: return "od -Ax -tx1";
	case HEXDUMP_PLAIN: return "xxd -p";
	case HEXDUMP_NONE: break;
	}
	return NULL;
}

static enum hexdump_format detect_line(const uint8_t *p, size_t n)
{
	size_t i = 0, digits;

	while (i < n && is_blank(p[i]))
		i++;
	for (size_t j = i; j < n; j++)
		if (!is_printable(p[j]) && p[j] != '\t')
			return HEXDUMP_NONE;
	for (digits = 0; i + digits < n && rd_hex_digit(p[i + digits]) >= 0; digits++)
		;
	if (!digits)
		return HEXDUMP_NONE;
	i += digits;
	while (n > i && is_blank(p[n - 1]))
		n--;
	if (i == n)
		return HEXDUMP_PLAIN;
	if (p[i] == ':' && i + 1 < n && p[i + 1] == ' ')
		return HEXDUMP_XXD;
	if (i + 2 < n && p[i] == ' ' && p[i + 1] == ' ' && rd_hex_digit(p[i + 2]) >= 0)
		return HEXDUMP_CANONICAL;
	if (i + 1 < n && p[i] == ' ' && rd_hex_digit(p[i + 1]) >= 0)
		return HEXDUMP_OD;
	return HEXDUMP_NONE;
}

/*
 * Looks only at the first non-blank line and stops at the first byte that
 * is not text, so a multi-gigabyte binary costs a few bytes to reject.
 */
enum hexdump_format hexdump_text_detect(const uint8_t *buf, size_t len)
{
	size_t pos = 0, end;

	while (pos < len && (is_blank(buf[pos]) || buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;
	for (end = pos; end < len && buf[end] != '\n'; end++)
		if (!is_printable(buf[end]) && buf[end] != '\t' && buf[end] != '\r')
			return HEXDUMP_NONE;
	if (end > pos && buf[end - 1] == '\r')
		end--;
	if (end == pos)
		return HEXDUMP_NONE;
	return detect_line(buf + pos, end - pos);
}

/* Fails with "line N: ..." at byte `at` of the text. */
static int hx_fail(struct hx_parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int hx_fail(struct hx_parser *p, size_t at, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rd_fail(p->err, -EINVAL, p->name, true, at, "line %zu: %s", p->lineno, msg);
}

static int grow(struct hx_parser *p, uint64_t more, size_t at)
{
	if (more > HEXDUMP_MAX_BYTES - p->out_len)
		return rd_fail(p->err, -EFBIG, p->name, true, at,
			       "line %zu: the dump expands to more than %llu bytes", p->lineno,
			       (unsigned long long)HEXDUMP_MAX_BYTES);
	size_t need = p->out_len + (size_t)more;
	if (need <= p->out_cap)
		return 0;
	size_t cap = p->out_cap ? p->out_cap : 4096;
	while (cap < need)
		cap *= 2;
	uint8_t *n = realloc(p->out, cap);
	if (!n)
		return rd_fail(p->err, -ENOMEM, p->name, true, at, "line %zu: out of memory", p->lineno);
	p->out = n;
	p->out_cap = cap;
	return 0;
}

static int put_byte(struct hx_parser *p, uint8_t b, size_t at)
{
	int r = grow(p, 1, at);

	if (r < 0)
		return r;
	p->out[p->out_len++] = b;
	return 0;
}

/*
 * Brings the output up to `offset` (relative to the base): exactly there
 * without a pending `*`, or by repeating the previous line with one.
 */
static int reach_offset(struct hx_parser *p, uint64_t offset, size_t at)
{
	if (!p->have_data) {
		p->base = offset;
		return 0;
	}
	if (offset < p->base)
		return hx_fail(p, at, "%s", "offset goes backwards");
	uint64_t rel = offset - p->base;
	if (!p->star_pending) {
		if (rel == p->out_len)
			return 0;
		return hx_fail(p, at,
			       "offset 0x%llx, but the previous line ends at 0x%llx (a line is missing, or the offsets are not hexadecimal)",
			       (unsigned long long)offset, (unsigned long long)(p->base + p->out_len));
	}
	p->star_pending = false;
	if (rel < p->out_len || (rel - p->out_len) % p->prev_len) {
		return hx_fail(p, at, "offset 0x%llx after '*' is not 0x%llx plus a multiple of %zu (the repeated line)",
			       (unsigned long long)offset, (unsigned long long)(p->base + p->out_len), p->prev_len);
	}
	uint64_t fill = rel - p->out_len;
	int r = grow(p, fill, at);
	if (r < 0)
		return r;
	for (uint64_t done = 0; done < fill; done += p->prev_len) {
		memcpy(p->out + p->out_len, p->out + p->prev_start, p->prev_len);
		p->prev_start = p->out_len;
		p->out_len += p->prev_len;
	}
	return 0;
}

/*
 * The text column (xxd, hexdump -C, od -z) shows printable bytes as
 * themselves and the rest as '.'; anything else means the hex was edited or
 * the groups are byte-swapped (xxd -e).
 */
static int check_text_column(struct hx_parser *p, const uint8_t *col, size_t col_len, size_t line_start,
			     size_t n_bytes, size_t at)
{
	for (size_t i = 0; i < col_len && i < n_bytes; i++) {
		uint8_t c = col[i], b = p->out[line_start + i];

		if (!is_printable(c))
			break; /* a locale printed something wider; nothing left to compare reliably */
		if (c == b || (c == '.' && !is_printable(b)))
			continue;
		return hx_fail(p, at + i,
			       "the text column shows '%c' where the hex says 0x%02x (edited dump, or little-endian xxd -e groups?)",
			       c, b);
	}
	return 0;
}

/*
 * xxd's text column starts two spaces after the last group of a full line
 * and is padded to the same place on a short last line; it holds one
 * character per byte, so with trailing blanks intact it ends the line.
 * When a paste lost them and the column starts with a blank, where it
 * starts is a guess: skip the check rather than report a false mismatch.
 */
static int check_xxd_text_column(struct hx_parser *p, const uint8_t *l, size_t n, size_t sep_end,
				 size_t line_start, size_t off0)
{
	size_t n_bytes = p->out_len - line_start, col;

	if (sep_end >= n)
		return 0; /* no text column, only the separator */
	if (n - sep_end >= n_bytes)
		col = n - n_bytes;
	else if (l[sep_end] != ' ')
		col = sep_end;
	else
		return 0;
	return check_text_column(p, l + col, n - col, line_start, n_bytes, off0 + col);
}

/* xxd: groups of an even number of hex digits separated by one space; two spaces start the text. */
static int parse_xxd_bytes(struct hx_parser *p, const uint8_t *l, size_t n, size_t i, size_t off0)
{
	size_t line_start = p->out_len;

	if (i >= n || l[i] != ' ')
		return hx_fail(p, off0 + i, "%s", "expected a space after the offset's ':'");
	i++;
	for (;;) {
		size_t g = i;

		while (i < n && rd_hex_digit(l[i]) >= 0)
			i++;
		if (i == g)
			return hx_fail(p, off0 + i, "%s", "expected hex digits");
		if (i < n && l[i] != ' ')
			return hx_fail(p, off0 + i, "%s", "unexpected character in the hex columns");
		if ((i - g) % 2)
			return hx_fail(p, off0 + g, "%s", "odd number of hex digits in a group");
		for (size_t k = g; k < i; k += 2) {
			int r = put_byte(p, (uint8_t)(rd_hex_digit(l[k]) << 4 | rd_hex_digit(l[k + 1])), off0 + k);
			if (r < 0)
				return r;
		}
		if (i >= n)
			break;
		if (i + 1 >= n || l[i + 1] == ' ')
			return check_xxd_text_column(p, l, n, i + 2, line_start, off0);
		i++;
	}
	return 0;
}

/* hexdump -C and od: two-digit bytes separated by blanks, then an optional |text| or >text< column. */
static int parse_byte_columns(struct hx_parser *p, const uint8_t *l, size_t n, size_t i, size_t off0)
{
	size_t line_start = p->out_len;
	uint8_t open = p->format == HEXDUMP_CANONICAL ? '|' : '>';
	uint8_t close = p->format == HEXDUMP_CANONICAL ? '|' : '<';

	for (;;) {
		while (i < n && l[i] == ' ')
			i++;
		if (i >= n)
			return 0;
		if (l[i] == open)
			break;
		size_t t = i;
		while (i < n && rd_hex_digit(l[i]) >= 0)
			i++;
		if (i == t)
			return hx_fail(p, off0 + i, "%s", "unexpected character in the hex columns");
		if (i < n && l[i] != ' ')
			return hx_fail(p, off0 + i, "%s", "unexpected character in the hex columns");
		if (i - t != 2)
			return hx_fail(p, off0 + t, "%s",
				       i - t == 1 ? "odd number of hex digits: bytes are two digits each"
						  : "hex group is not one byte (use od -Ax -tx1 or hexdump -C)");
		int r = put_byte(p, (uint8_t)(rd_hex_digit(l[t]) << 4 | rd_hex_digit(l[t + 1])), off0 + t);
		if (r < 0)
			return r;
	}
	size_t col = i + 1, end = n;
	while (end > col && l[end - 1] != close)
		end--;
	if (end == col)
		return hx_fail(p, off0 + i, "text column has no closing '%s'",
			       close == '|' ? "|" : "<");
	return check_text_column(p, l + col, end - 1 - col, line_start, p->out_len - line_start, off0 + col);
}

static int parse_plain(struct hx_parser *p, const uint8_t *l, size_t n, size_t off0)
{
	int hi = -1;

	for (size_t i = 0; i < n; i++) {
		if (is_blank(l[i]))
			continue;
		int v = rd_hex_digit(l[i]);
		if (v < 0)
			return hx_fail(p, off0 + i, "%s", "not a hex digit");
		if (hi < 0) {
			hi = v;
			continue;
		}
		int r = put_byte(p, (uint8_t)(hi << 4 | v), off0 + i);
		if (r < 0)
			return r;
		hi = -1;
	}
	if (hi >= 0)
		return hx_fail(p, off0 + n, "%s", "odd number of hex digits");
	return 0;
}

static int parse_line(struct hx_parser *p, const uint8_t *l, size_t n, size_t off0)
{
	size_t i = 0, digits = 0;
	uint64_t offset = 0;

	if (p->format == HEXDUMP_PLAIN)
		return parse_plain(p, l, n, off0);
	if (n == 1 && l[0] == '*') {
		if (!p->have_data)
			return hx_fail(p, off0, "%s", "'*' (repeat) before any data line");
		if (p->star_pending)
			return hx_fail(p, off0, "%s", "two '*' lines in a row");
		p->star_pending = true;
		return 0;
	}
	for (; i < n && rd_hex_digit(l[i]) >= 0; i++, digits++) {
		if (digits == MAX_OFFSET_DIGITS)
			return hx_fail(p, off0 + i, "%s", "offset has more than 16 hex digits");
		offset = offset << 4 | (uint64_t)rd_hex_digit(l[i]);
	}
	if (!digits)
		return hx_fail(p, off0, "expected an offset like the first line's (%s format)",
			       hexdump_format_name(p->format));
	if (p->format == HEXDUMP_XXD) {
		if (i >= n || l[i] != ':')
			return hx_fail(p, off0 + i, "%s", "expected ':' after the offset (xxd format)");
		i++;
	} else if (i == n) {
		/* hexdump -C and od end with a line holding only the total length. */
		int r = reach_offset(p, offset, off0);
		if (r < 0)
			return r;
		p->end_seen = true;
		return 0;
	} else if (p->format == HEXDUMP_CANONICAL) {
		if (n - i < 2 || l[i] != ' ' || l[i + 1] != ' ')
			return hx_fail(p, off0 + i, "%s", "expected two spaces after the offset (hexdump -C format)");
	} else if (l[i] != ' ') {
		return hx_fail(p, off0 + i, "%s", "expected a space after the offset (od format)");
	}

	int r = reach_offset(p, offset, off0);
	if (r < 0)
		return r;
	size_t start = p->out_len;
	if (p->format == HEXDUMP_XXD)
		r = parse_xxd_bytes(p, l, n, i, off0);
	else
		r = parse_byte_columns(p, l, n, i, off0);
	if (r < 0)
		return r;
	if (p->out_len == start)
		return hx_fail(p, off0 + i, "%s", "line has an offset but no bytes");
	p->have_data = true;
	p->prev_start = start;
	p->prev_len = p->out_len - start;
	return 0;
}

int hexdump_text_parse(const uint8_t *buf, size_t len, const char *name, uint8_t **bytes,
		       size_t *n_bytes, struct rd_error *err)
{
	struct hx_parser p = { .text = buf, .text_len = len, .name = name, .err = err };
	size_t pos = 0;
	int r = 0;

	p.format = hexdump_text_detect(buf, len);
	if (p.format == HEXDUMP_NONE)
		return 0;
	while (pos < len) {
		const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - pos, lead = 0;
		const uint8_t *l = buf + pos;

		p.lineno++;
		if (n && l[n - 1] == '\r')
			n--;
		for (size_t k = 0; k < n; k++)
			if (!is_printable(l[k]) && l[k] != '\t') {
				r = hx_fail(&p, pos + k, "%s", "a byte that is not text in hexdump text");
				goto fail;
			}
		while (lead < n && is_blank(l[lead]))
			lead++;
		size_t m = n;
		while (m > lead && is_blank(l[m - 1]))
			m--;
		if (lead == m) {
			pos = end + 1;
			continue;
		}
		if (p.end_seen) {
			r = hx_fail(&p, pos + lead, "%s", "text after the final offset line");
			goto fail;
		}
		/* xxd's trailing blanks are spaces in its text column; the other formats drop them. */
		if (p.format != HEXDUMP_XXD || (m - lead == 1 && l[lead] == '*'))
			n = m;
		r = parse_line(&p, l + lead, n - lead, pos + lead);
		if (r < 0)
			goto fail;
		pos = end + 1;
	}
	if (p.star_pending) {
		r = rd_fail(err, -EINVAL, name, true, len,
			    "line %zu: the text ends after a '*' line without the final offset", p.lineno);
		goto fail;
	}
	if (!p.out && !(p.out = malloc(1))) {
		r = rd_fail(err, -ENOMEM, name, false, 0, "out of memory");
		goto fail;
	}
	*bytes = p.out;
	*n_bytes = p.out_len;
	return 1;
fail:
	free(p.out);
	return r;
}
