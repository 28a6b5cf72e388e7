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

/* A growable byte buffer; a line's bytes are bounded by the text's length. */
struct hx_bytes {
	uint8_t *v;
	size_t n, cap;
};

struct hx_parser {
	const uint8_t *text;
	size_t text_len;
	const char *name;
	enum hexdump_format format;
	struct rd_error *err;

	uint8_t *out;            /* the bytes kept: the first `keep` of the dump */
	size_t out_len, out_cap;
	uint64_t keep;
	bool truncate;           /* bytes past keep are dropped, not an error */
	uint64_t vlen;           /* bytes the dump describes, kept or not */

	struct hx_bytes line;    /* the line being parsed */
	struct hx_bytes prev;    /* the last data line (for `*`) */

	size_t lineno;
	bool have_data;          /* a data line was seen: base and prev are valid */
	uint64_t base;           /* offset of the first data line */
	bool star_pending;
	bool end_seen;           /* hexdump -C / od final offset line */
	bool in_array;           /* xxd -i: between '{' and '}' (or a bare list of 0x bytes) */
	bool braced;             /* xxd -i: the array opened with '{' and must close */
	bool array_closed;
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
	case HEXDUMP_C_ARRAY: return "xxd -i";
	case HEXDUMP_NONE: break;
	}
	return NULL;
}

/* "0x" and one or two hex digits, as xxd -i writes a byte; returns the digits' count or 0. */
static size_t c_byte_len(const uint8_t *p, size_t n)
{
	if (n < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || rd_hex_digit(p[2]) < 0)
		return 0;
	return n > 3 && rd_hex_digit(p[3]) >= 0 ? 2 : 1;
}

static bool starts_with(const uint8_t *p, size_t n, const char *word)
{
	size_t w = strlen(word);

	return n >= w && !memcmp(p, word, w);
}

/* The declaration xxd -i opens its array with: "unsigned char name[] = {". */
static bool is_c_array_open(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++)
		if (!memcmp(p + i, "[] = {", 6))
			return true;
	return false;
}

static enum hexdump_format detect_line(const uint8_t *p, size_t n)
{
	size_t i = 0, digits;

	for (size_t j = 0; j < n; j++)
		if (!is_printable(p[j]) && p[j] != '\t')
			return HEXDUMP_NONE;
	if (is_c_array_open(p, n) || c_byte_len(p, n))
		return HEXDUMP_C_ARRAY;
	for (digits = 0; i + digits < n && rd_hex_digit(p[i + digits]) >= 0; digits++)
		;
	if (!digits)
		return HEXDUMP_NONE;
	i += digits;
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

/* Length of an email quote prefix ("> ", ">> ", "> > ") and the blanks around it. */
static size_t quote_prefix(const uint8_t *l, size_t n)
{
	size_t i = 0, end = 0;

	for (;;) {
		while (i < n && is_blank(l[i]))
			i++;
		if (i >= n || l[i] != '>')
			return end ? i : 0;
		i++;
		end = i;
	}
}

/*
 * A shell prompt and the dump command kept in a paste ("$ xxd desc.bin",
 * "root@vm:~# od -Ax -tx1 f"), or a bare prompt left at its end ("$").
 */
static bool is_prompt_line(const uint8_t *l, size_t n)
{
	static const char *const cmds[] = { "xxd", "hexdump", "hd", "od" };

	/* a bare prompt: "$", "root@vm:~#", one word ending in $ # or % */
	if (n && (l[n - 1] == '$' || l[n - 1] == '#' || l[n - 1] == '%') && !memchr(l, ' ', n) && !memchr(l, '\t', n))
		return true;
	for (size_t s = 0; s < n; s++) {
		if (s && !((l[s - 1] == '$' || l[s - 1] == '#' || l[s - 1] == '%') && l[s] == ' '))
			continue;
		size_t i = s;
		while (i < n && is_blank(l[i]))
			i++;
		for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
			size_t w = strlen(cmds[c]);
			if (starts_with(l + i, n - i, cmds[c]) && (i + w == n || is_blank(l[i + w])))
				return true;
		}
	}
	return false;
}

/* One line of pasted text with what surrounds the dump (quote prefix, indentation, CR) removed. */
struct hx_line {
	const uint8_t *p;
	size_t n;                /* content without leading blanks, trailing blanks kept */
	size_t trimmed;          /* content without trailing blanks either */
	size_t at;               /* byte offset of p in the text */
	size_t end;              /* offset of the next line */
	bool text;               /* every byte is text */
};

static void next_line(const uint8_t *buf, size_t len, size_t pos, struct hx_line *ln)
{
	const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;
	const uint8_t *l = buf + pos;

	ln->end = nl ? end + 1 : len;
	ln->text = true;
	if (n && l[n - 1] == '\r')
		n--;
	for (size_t k = 0; k < n; k++)
		if (!is_printable(l[k]) && l[k] != '\t') {
			ln->text = false;
			ln->at = pos + k;
			return;
		}
	size_t lead = quote_prefix(l, n);
	while (lead < n && is_blank(l[lead]))
		lead++;
	size_t m = n;
	while (m > lead && is_blank(l[m - 1]))
		m--;
	ln->p = l + lead;
	ln->n = n - lead;
	ln->trimmed = m - lead;
	ln->at = pos + lead;
}

/* Lines that are no data: blank, a prompt, a `*` (judged by the parser once the format is known). */
static bool is_filler(const struct hx_line *ln)
{
	return !ln->trimmed || is_prompt_line(ln->p, ln->trimmed) || (ln->trimmed == 1 && ln->p[0] == '*');
}

/*
 * Looks at the first line with data and stops at the first byte that is
 * not text, so a multi-gigabyte binary costs a few bytes to reject.
 */
enum hexdump_format hexdump_text_detect(const uint8_t *buf, size_t len)
{
	struct hx_line ln;

	for (size_t pos = 0; pos < len; pos = ln.end) {
		next_line(buf, len, pos, &ln);
		if (!ln.text)
			return HEXDUMP_NONE;
		if (!is_filler(&ln))
			return detect_line(ln.p, ln.trimmed);
	}
	return HEXDUMP_NONE;
}

bool hexdump_text_is_text(const uint8_t *buf, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_printable(buf[i]) && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
			return false;
	return true;
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

static int oom(struct hx_parser *p, size_t at)
{
	return rd_fail(p->err, -ENOMEM, p->name, true, at, "line %zu: out of memory", p->lineno);
}

static bool bytes_reserve(struct hx_bytes *b, size_t need)
{
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	uint8_t *v = realloc(b->v, cap);
	if (!v)
		return false;
	b->v = v;
	b->cap = cap;
	return true;
}

static int put_byte(struct hx_parser *p, uint8_t b, size_t at)
{
	if (!bytes_reserve(&p->line, p->line.n + 1))
		return oom(p, at);
	p->line.v[p->line.n++] = b;
	return 0;
}

/* Appends `n` bytes repeating `pat` (of pat_len) to the kept output, as far as `keep` allows. */
static int keep_bytes(struct hx_parser *p, const uint8_t *pat, size_t pat_len, uint64_t n, size_t at)
{
	uint64_t room = p->keep - p->out_len;
	size_t take = (size_t)(n < room ? n : room);

	if (take < n && !p->truncate)
		return rd_fail(p->err, -EFBIG, p->name, true, at, "line %zu: the dump expands to more than %llu bytes",
			       p->lineno, (unsigned long long)p->keep);

	if (take) {
		if (p->out_len + take > p->out_cap) {
			size_t cap = p->out_cap ? p->out_cap : 4096;
			while (cap < p->out_len + take)
				cap = cap * 2 < cap ? p->out_len + take : cap * 2;
			uint8_t *v = realloc(p->out, cap);
			if (!v)
				return oom(p, at);
			p->out = v;
			p->out_cap = cap;
		}
		for (size_t done = 0; done < take;) {
			size_t k = take - done < pat_len ? take - done : pat_len;
			memcpy(p->out + p->out_len + done, pat, k);
			done += k;
		}
		p->out_len += take;
	}
	p->vlen += n;
	return 0;
}

/* The parsed line joins the output and becomes the line a `*` repeats. */
static int commit_line(struct hx_parser *p, size_t at)
{
	int r = keep_bytes(p, p->line.v, p->line.n, p->line.n, at);
	struct hx_bytes t = p->prev;

	p->prev = p->line;
	p->line = t;
	p->line.n = 0;
	return r;
}

/*
 * Brings the output up to `offset` (relative to the base): exactly there
 * without a pending `*`, or by repeating the previous line with one.  Only
 * the bytes below `keep` cost memory, so a `*` spanning gigabytes is cheap.
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
		if (rel == p->vlen)
			return 0;
		return hx_fail(p, at,
			       "offset 0x%llx, but the previous line ends at 0x%llx (a line is missing, or the offsets are not hexadecimal)",
			       (unsigned long long)offset, (unsigned long long)(p->base + p->vlen));
	}
	p->star_pending = false;
	if (rel < p->vlen || (rel - p->vlen) % p->prev.n) {
		return hx_fail(p, at, "offset 0x%llx after '*' is not 0x%llx plus a multiple of %zu (the repeated line)",
			       (unsigned long long)offset, (unsigned long long)(p->base + p->vlen), p->prev.n);
	}
	return keep_bytes(p, p->prev.v, p->prev.n, rel - p->vlen, at);
}

/*
 * The text column (xxd, hexdump -C, od -z) shows printable bytes as
 * themselves and the rest as '.'; anything else means the hex was edited or
 * the groups are byte-swapped (xxd -e).
 */
static int check_text_column(struct hx_parser *p, const uint8_t *col, size_t col_len, size_t at)
{
	for (size_t i = 0; i < col_len && i < p->line.n; i++) {
		uint8_t c = col[i], b = p->line.v[i];

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
static int check_xxd_text_column(struct hx_parser *p, const uint8_t *l, size_t n, size_t sep_end, size_t off0)
{
	size_t n_bytes = p->line.n, col;

	if (sep_end >= n)
		return 0; /* no text column, only the separator */
	if (n - sep_end >= n_bytes)
		col = n - n_bytes;
	else if (l[sep_end] != ' ')
		col = sep_end;
	else
		return 0;
	return check_text_column(p, l + col, n - col, off0 + col);
}

/* xxd: groups of an even number of hex digits separated by one space; two spaces start the text. */
static int parse_xxd_bytes(struct hx_parser *p, const uint8_t *l, size_t n, size_t i, size_t off0)
{
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
			return check_xxd_text_column(p, l, n, i + 2, off0);
		i++;
	}
	return 0;
}

/* hexdump -C and od: two-digit bytes separated by blanks, then an optional |text| or >text< column. */
static int parse_byte_columns(struct hx_parser *p, const uint8_t *l, size_t n, size_t i, size_t off0)
{
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
	return check_text_column(p, l + col, end - 1 - col, off0 + col);
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
	return commit_line(p, off0);
}

/* "unsigned int name_len = N;" after the array: N must be the number of bytes. */
static int parse_c_length(struct hx_parser *p, const uint8_t *l, size_t n, size_t off0)
{
	size_t eq = 0, i;
	uint64_t v = 0;

	while (eq < n && l[eq] != '=')
		eq++;
	if (!starts_with(l, n, "unsigned int ") || eq == n)
		return hx_fail(p, off0, "%s", "expected only the array's length after '};' (xxd -i format)");
	for (i = eq + 1; i < n && is_blank(l[i]); i++)
		;
	size_t d = i;
	for (; i < n && l[i] >= '0' && l[i] <= '9' && v < (1ull << 60); i++)
		v = v * 10 + (uint64_t)(l[i] - '0');
	if (i == d || i + 1 != n || l[i] != ';')
		return hx_fail(p, off0 + d, "%s", "expected a decimal length and ';'");
	if (v != p->vlen)
		return hx_fail(p, off0 + d, "the length says %llu bytes, but the array holds %llu (cut paste?)",
			       (unsigned long long)v, (unsigned long long)p->vlen);
	return 0;
}

/* xxd -i: "unsigned char name[] = {", lines of "0x01, 0x02,", "};", "unsigned int name_len = N;". */
static int parse_c_array(struct hx_parser *p, const uint8_t *l, size_t n, size_t off0)
{
	size_t i = 0;

	if (p->array_closed)
		return parse_c_length(p, l, n, off0);
	if (!p->in_array) {
		if (!is_c_array_open(l, n) && !c_byte_len(l, n))
			return hx_fail(p, off0, "%s", "expected 'unsigned char name[] = {' (xxd -i format)");
		p->in_array = true;
		if (is_c_array_open(l, n)) {
			p->braced = true;
			while (l[i] != '{')
				i++;
			i++;
		}
	}
	for (;;) {
		while (i < n && (is_blank(l[i]) || l[i] == ','))
			i++;
		if (i >= n)
			break;
		if (l[i] == '}' && p->braced) {
			for (i++; i < n && is_blank(l[i]); i++)
				;
			if (i + 1 != n || l[i] != ';')
				return hx_fail(p, off0 + i, "%s", "expected ';' after '}'");
			p->array_closed = true;
			break;
		}
		size_t digits = c_byte_len(l + i, n - i);
		if (!digits || (i + 2 + digits < n && l[i + 2 + digits] != ',' && !is_blank(l[i + 2 + digits]) &&
				l[i + 2 + digits] != '}'))
			return hx_fail(p, off0 + i, "%s", "expected a byte such as 0x1f (xxd -i format)");
		uint8_t b = (uint8_t)rd_hex_digit(l[i + 2]);
		if (digits == 2)
			b = (uint8_t)(b << 4 | rd_hex_digit(l[i + 3]));
		int r = put_byte(p, b, off0 + i);
		if (r < 0)
			return r;
		i += 2 + digits;
	}
	return commit_line(p, off0);
}

static int parse_line(struct hx_parser *p, const uint8_t *l, size_t n, size_t off0)
{
	size_t i = 0, digits = 0;
	uint64_t offset = 0;

	if (p->format == HEXDUMP_PLAIN)
		return parse_plain(p, l, n, off0);
	if (p->format == HEXDUMP_C_ARRAY)
		return parse_c_array(p, l, n, off0);
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
	p->line.n = 0;
	if (p->format == HEXDUMP_XXD)
		r = parse_xxd_bytes(p, l, n, i, off0);
	else
		r = parse_byte_columns(p, l, n, i, off0);
	if (r < 0)
		return r;
	if (!p->line.n)
		return hx_fail(p, off0 + i, "%s", "line has an offset but no bytes");
	p->have_data = true;
	return commit_line(p, off0);
}

static int parse_text(struct hx_parser *p)
{
	struct hx_line ln;
	int r;

	for (size_t pos = 0; pos < p->text_len; pos = ln.end) {
		next_line(p->text, p->text_len, pos, &ln);
		p->lineno++;
		if (!ln.text)
			return hx_fail(p, ln.at, "%s", "a byte that is not text in hexdump text");
		if (!ln.trimmed || is_prompt_line(ln.p, ln.trimmed))
			continue;
		if (p->end_seen)
			return hx_fail(p, ln.at, "%s", "text after the final offset line");
		/* xxd's trailing blanks are spaces in its text column; the other formats drop them. */
		size_t n = p->format == HEXDUMP_XXD && !(ln.trimmed == 1 && ln.p[0] == '*') ? ln.n : ln.trimmed;
		if ((r = parse_line(p, ln.p, n, ln.at)) < 0)
			return r;
	}
	if (p->star_pending)
		return rd_fail(p->err, -EINVAL, p->name, true, p->text_len,
			       "line %zu: the text ends after a '*' line without the final offset", p->lineno);
	if (p->braced && !p->array_closed)
		return rd_fail(p->err, -EINVAL, p->name, true, p->text_len,
			       "line %zu: the text ends inside the array, before its '};' (cut paste?)", p->lineno);
	return 0;
}

int hexdump_text_parse_capped(const uint8_t *buf, size_t len, const char *name, uint64_t keep, bool truncate,
			      uint8_t **bytes, size_t *n_bytes, struct rd_error *err)
{
	struct hx_parser p = { .text = buf, .text_len = len, .name = name, .err = err, .keep = keep,
			       .truncate = truncate };
	int r;

	p.format = hexdump_text_detect(buf, len);
	if (p.format == HEXDUMP_NONE)
		return 0;
	if (p.keep > SIZE_MAX - 1)
		p.keep = SIZE_MAX - 1;
	r = parse_text(&p);
	free(p.line.v);
	free(p.prev.v);
	if (r < 0)
		goto fail;
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

int hexdump_text_parse(const uint8_t *buf, size_t len, const char *name, uint8_t **bytes,
		       size_t *n_bytes, struct rd_error *err)
{
	return hexdump_text_parse_capped(buf, len, name, HEXDUMP_MAX_BYTES, false, bytes, n_bytes, err);
}
