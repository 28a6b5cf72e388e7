/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Text and JSON emitter behind every renderer; writes into a growable buffer, never to a stream. */
#include "emit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and the NUL; false after allocation failure. */
static bool buf_reserve(struct emit_buf *b, size_t n)
{
	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	/* large outputs (a 32768-entry ring) grow in few steps: the copy per step is the cost */
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 4;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

/* Room for n more bytes at the end (the caller advances len); NULL after allocation failure. */
static inline char *buf_room(struct emit_buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap && !buf_reserve(b, n))
		return NULL;
	return b->data + b->len;
}

void emit_buf_append(struct emit_buf *b, const char *s, size_t n)
{
	char *o = buf_room(b, n);

	if (!o)
		return;
	memcpy(o, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Digits of v in base 10 or 16 at the end of tmp[24]; returns where they start. */
static char *digits(char *end, unsigned long long v, bool hex)
{
	static const char xd[] = "0123456789abcdef";
	char *p = end;

	do {
		*--p = hex ? xd[v & 15] : (char)('0' + v % 10);
		v = hex ? v >> 4 : v / 10;
	} while (v);
	return p;
}

/* v in decimal, or as the JSON string "0x..." when hex: the JSON form of emit_uint and emit_hex. */
static void put_number(struct emit_buf *b, unsigned long long v, bool hex)
{
	char tmp[24];
	const char *p = digits(tmp + sizeof(tmp), v, hex);
	size_t n = (size_t)(tmp + sizeof(tmp) - p);
	char *o = buf_room(b, n + 4);

	if (!o)
		return;
	if (hex) {
		memcpy(o, "\"0x", 3);
		o += 3;
	}
	memcpy(o, p, n);
	o += n;
	if (hex)
		*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

/*
 * printf of a format with at most one conversion, for the formats renderers
 * use per descriptor: %llu, %llx, %0Nllx / %Nllu and %s.  Anything else
 * (flags, precision, other conversions) returns false and goes to vsnprintf,
 * so the output is always what printf would print.  `s` is the string for
 * %s, else v is the number.
 */
static bool fast_format(struct emit_buf *b, const char *fmt, const char *s, unsigned long long v)
{
	const char *pct = strchr(fmt, '%');

	if (!pct) {
		emit_buf_append(b, fmt, strlen(fmt));
		return true;
	}
	const char *c = pct + 1;
	bool zero = *c == '0';
	unsigned width = 0;
	c += zero;
	while (*c >= '0' && *c <= '9' && width < 64)
		width = width * 10 + (unsigned)(*c++ - '0');
	bool ll = c[0] == 'l' && c[1] == 'l';
	c += ll ? 2 : 0;
	char conv = *c;
	if (!(((conv == 'u' || conv == 'x') && ll && !s) || (conv == 's' && !ll && !zero && s)) || strchr(c + 1, '%'))
		return false;
	char tmp[24];
	const char *val = s;
	size_t len;
	if (conv == 's') {
		len = strlen(s);
	} else {
		val = digits(tmp + sizeof(tmp), v, conv == 'x');
		len = (size_t)(tmp + sizeof(tmp) - val);
	}
	size_t pad = width > len ? width - len : 0, tail = strlen(c + 1);
	if (!buf_reserve(b, (size_t)(pct - fmt) + pad + len + tail))
		return true;
	char *o = b->data + b->len;
	memcpy(o, fmt, (size_t)(pct - fmt));
	o += pct - fmt;
	memset(o, zero ? '0' : ' ', pad);
	o += pad;
	memcpy(o, val, len);
	o += len;
	memcpy(o, c + 1, tail);
	o += tail;
	*o = '\0';
	b->len = (size_t)(o - b->data);
	return true;
}

static void buf_vprintf(struct emit_buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;

	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		emit_buf_append(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	emit_buf_append(b, big, (size_t)n);
	free(big);
}

void emit_buf_vprintf(struct emit_buf *b, const char *fmt, va_list ap)
{
	buf_vprintf(b, fmt, ap);
}

void emit_buf_printf(struct emit_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void emit_buf_free(struct emit_buf *b)
{
	if (!b)
		return;
	free(b->data);
	*b = (struct emit_buf){ 0 };
}

void emit_init(struct emit *e, enum emit_mode mode, bool pretty, bool color)
{
	*e = (struct emit){ .mode = mode, .pretty = pretty, .color = color && mode == EMIT_TEXT };
}

void emit_free(struct emit *e)
{
	if (!e)
		return;
	emit_buf_free(&e->buf);
}

const char *emit_result(struct emit *e, size_t *len)
{
	if (e->buf.oom)
		return NULL;
	if (!e->buf.data)
		emit_buf_append(&e->buf, "", 0);
	if (len)
		*len = e->buf.len;
	return e->buf.data;
}

void emit_set_sink(struct emit *e, bool (*sink)(void *arg, const char *data, size_t len), void *arg)
{
	e->sink = sink;
	e->sink_arg = arg;
	e->sink_failed = false;
}

/* Hands a full chunk to the sink; called between values, where the buffer holds whole output. */
static void maybe_drain(struct emit *e)
{
	if (!e->sink || e->buf.len < EMIT_SINK_CHUNK || e->buf.oom)
		return;
	if (!e->sink_failed && !e->sink(e->sink_arg, e->buf.data, e->buf.len))
		e->sink_failed = true;
	e->buf.len = 0;
	e->buf.data[0] = '\0';
}

void emit_reset(struct emit *e)
{
	e->buf.len = 0;
	if (e->buf.data)
		e->buf.data[0] = '\0';
	e->depth = 0;
	memset(e->need_comma, 0, sizeof(e->need_comma));
	memset(e->in_array, 0, sizeof(e->in_array));
}

static void json_string(struct emit_buf *b, const char *s)
{
	emit_buf_append(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* runs that need no escaping (keys, most values) go in one copy */
		const unsigned char *q = p;
		while (*q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\')
			q++;
		if (q > p) {
			emit_buf_append(b, (const char *)p, (size_t)(q - p));
			p = q - 1;
			continue;
		}
		switch (*p) {
		case '"': emit_buf_append(b, "\\\"", 2); break;
		case '\\': emit_buf_append(b, "\\\\", 2); break;
		case '\n': emit_buf_append(b, "\\n", 2); break;
		case '\t': emit_buf_append(b, "\\t", 2); break;
		case '\r': emit_buf_append(b, "\\r", 2); break;
		default:
			/* Bytes from devices and dumps may be anything: keep JSON valid ASCII. */
			if (*p < 0x20 || *p >= 0x7f)
				emit_buf_printf(b, "\\u%04x", *p);
			else
				emit_buf_append(b, (const char *)p, 1);
		}
	}
	emit_buf_append(b, "\"", 1);
}

/* "key": in one copy; keys are snake_case literals, anything else takes the escaping path. */
static void json_key(struct emit *e, const char *key)
{
	size_t n = 0;

	while ((key[n] >= 'a' && key[n] <= 'z') || key[n] == '_' || (key[n] >= '0' && key[n] <= '9'))
		n++;
	char *o = key[n] ? NULL : buf_room(&e->buf, n + 4);
	if (!o) {
		json_string(&e->buf, key);
		emit_buf_append(&e->buf, e->pretty ? ": " : ":", e->pretty ? 2 : 1);
		return;
	}
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	if (e->pretty)
		*o++ = ' ';
	*o = '\0';
	e->buf.len = (size_t)(o - e->buf.data);
}

static void json_indent(struct emit *e)
{
	if (!e->pretty)
		return;
	char *o = buf_room(&e->buf, 1 + 2 * (size_t)e->depth);
	if (!o)
		return;
	*o++ = '\n';
	memset(o, ' ', 2 * (size_t)e->depth);
	o += 2 * e->depth;
	*o = '\0';
	e->buf.len = (size_t)(o - e->buf.data);
}

/* Separator, indentation and key before a JSON value. */
static void json_prefix(struct emit *e, const char *key)
{
	if (e->depth > 0) {
		if (e->need_comma[e->depth])
			emit_buf_append(&e->buf, ",", 1);
		e->need_comma[e->depth] = true;
		json_indent(e);
	}
	/* Keys inside arrays would make invalid JSON; a renderer bug, so drop the key. */
	if (key && e->depth > 0 && !e->in_array[e->depth])
		json_key(e, key);
}

static void open_container(struct emit *e, const char *key, bool array)
{
	if (e->mode != EMIT_JSON) {
		return;
	}
	json_prefix(e, key);
	emit_buf_append(&e->buf, array ? "[" : "{", 1);
	if (e->depth + 1 < EMIT_MAX_DEPTH) {
		e->depth++;
		e->need_comma[e->depth] = false;
		e->in_array[e->depth] = array;
	} else {
		e->buf.oom = true; /* nesting this deep is a renderer bug */
	}
}

static void close_container(struct emit *e, bool array)
{
	maybe_drain(e);
	if (e->mode != EMIT_JSON || e->depth == 0)
		return;
	bool had = e->need_comma[e->depth];
	e->depth--;
	if (had)
		json_indent(e);
	emit_buf_append(&e->buf, array ? "]" : "}", 1);
	if (e->depth == 0)
		emit_buf_append(&e->buf, "\n", 1);
}

void emit_object_begin(struct emit *e, const char *key) { open_container(e, key, false); }
void emit_object_end(struct emit *e) { close_container(e, false); }
void emit_array_begin(struct emit *e, const char *key) { open_container(e, key, true); }
void emit_array_end(struct emit *e) { close_container(e, true); }

static void text_value(struct emit *e, const char *tfmt, ...)
{
	va_list ap;

	if (!tfmt)
		return;
	va_start(ap, tfmt);
	buf_vprintf(&e->buf, tfmt, ap);
	va_end(ap);
}

void (emit_uint)(struct emit *e, const char *key, const char *tfmt, unsigned long long v)
{
	if (e->mode == EMIT_TEXT) {
		if (tfmt && !fast_format(&e->buf, tfmt, NULL, v))
			text_value(e, tfmt, v);
		return;
	}
	json_prefix(e, key);
	put_number(&e->buf, v, false);
}

void (emit_int)(struct emit *e, const char *key, const char *tfmt, long long v)
{
	if (e->mode == EMIT_TEXT) {
		text_value(e, tfmt, v);
		return;
	}
	json_prefix(e, key);
	emit_buf_printf(&e->buf, "%lld", v);
}

void (emit_hex)(struct emit *e, const char *key, const char *tfmt, unsigned long long v)
{
	if (e->mode == EMIT_TEXT) {
		if (tfmt && !fast_format(&e->buf, tfmt, NULL, v))
			text_value(e, tfmt, v);
		return;
	}
	json_prefix(e, key);
	put_number(&e->buf, v, true);
}

void (emit_hex128)(struct emit *e, const char *key, const char *tfmt, uint64_t lo, uint64_t hi)
{
	char s[40];

	if (hi)
		snprintf(s, sizeof(s), "0x%llx%016llx", (unsigned long long)hi, (unsigned long long)lo);
	else
		snprintf(s, sizeof(s), "0x%llx", (unsigned long long)lo);
	if (e->mode == EMIT_TEXT) {
		text_value(e, tfmt, s);
		return;
	}
	json_prefix(e, key);
	emit_buf_printf(&e->buf, "\"%s\"", s);
}

void (emit_str)(struct emit *e, const char *key, const char *tfmt, const char *s)
{
	if (e->mode == EMIT_TEXT) {
		if (tfmt && !fast_format(&e->buf, tfmt, s ? s : "", 0))
			text_value(e, tfmt, s ? s : "");
		return;
	}
	json_prefix(e, key);
	if (s)
		json_string(&e->buf, s);
	else
		emit_buf_append(&e->buf, "null", 4);
}

void (emit_bool)(struct emit *e, const char *key, const char *tfmt, bool v)
{
	if (e->mode == EMIT_TEXT) {
		if (tfmt && !fast_format(&e->buf, tfmt, v ? "yes" : "no", 0))
			text_value(e, tfmt, v ? "yes" : "no");
		return;
	}
	json_prefix(e, key);
	emit_buf_append(&e->buf, v ? "true" : "false", v ? 4 : 5);
}

void emit_null(struct emit *e, const char *key)
{
	if (e->mode == EMIT_TEXT)
		return;
	json_prefix(e, key);
	emit_buf_append(&e->buf, "null", 4);
}

void emit_absent(struct emit *e, const char *key, ...)
{
	va_list ap;

	va_start(ap, key);
	for (const char *k = key; k; k = va_arg(ap, const char *))
		emit_null(e, k);
	va_end(ap);
}

/*
 * The text form of an absent value: the same format with its one conversion
 * turned into a "%s" of the same width, printing "-", so columns stay aligned.
 */
static void absent_value(struct emit *e, const char *key, const char *tfmt)
{
	char fmt[96];
	size_t n = 0;
	const char *p;

	emit_null(e, key);
	if (!tfmt || emit_is_json(e) || strlen(tfmt) >= sizeof(fmt) - 4)
		return;
	for (p = tfmt; *p && n < sizeof(fmt) - 4; p++) {
		if (*p != '%') {
			fmt[n++] = *p;
			continue;
		}
		if (p[1] == '%') {
			fmt[n++] = *p++;
			fmt[n++] = *p;
			continue;
		}
		fmt[n++] = '%';
		for (p++; *p && strchr("-0#+ 0123456789.l", *p); p++)
			if (*p == '-' || (*p >= '1' && *p <= '9') || (*p == '0' && n && fmt[n - 1] >= '0' && fmt[n - 1] <= '9'))
				fmt[n++] = *p;
		fmt[n++] = 's';
		if (!*p)
			break;
	}
	fmt[n] = '\0';
	emit_text(e, fmt, "-");
}

void (emit_opt_str)(struct emit *e, const char *key, const char *tfmt, const char *s)
{
	if (s && *s)
		emit_str(e, key, tfmt, s);
	else
		absent_value(e, key, tfmt);
}

void (emit_opt_uint)(struct emit *e, const char *key, const char *tfmt, bool present, unsigned long long v)
{
	if (present)
		emit_uint(e, key, tfmt, v);
	else
		absent_value(e, key, tfmt);
}

void (emit_opt_hex)(struct emit *e, const char *key, const char *tfmt, bool present, unsigned long long v)
{
	if (present)
		emit_hex(e, key, tfmt, v);
	else
		absent_value(e, key, tfmt);
}

/* Formats whose only conversions are %s and %zu (most text a renderer adds): copied without printf. */
static bool only_s_conversions(const char *fmt)
{
	for (const char *p = strchr(fmt, '%'); p; p = strchr(p + 1, '%')) {
		if (p[1] == 's')
			p += 1;
		else if (p[1] == 'z' && p[2] == 'u')
			p += 2;
		else
			return false;
	}
	return true;
}

void emit_text(struct emit *e, const char *fmt, ...)
{
	va_list ap;

	if (e->mode != EMIT_TEXT)
		return;
	va_start(ap, fmt);
	if (only_s_conversions(fmt)) {
		for (const char *p = fmt;;) {
			const char *pct = strchr(p, '%');
			size_t lit = pct ? (size_t)(pct - p) : strlen(p);
			emit_buf_append(&e->buf, p, lit);
			if (!pct)
				break;
			if (pct[1] == 'z') {
				char tmp[24];
				const char *d = digits(tmp + sizeof(tmp), va_arg(ap, size_t), false);
				emit_buf_append(&e->buf, d, (size_t)(tmp + sizeof(tmp) - d));
				p = pct + 3;
				continue;
			}
			const char *s = va_arg(ap, const char *);
			emit_buf_append(&e->buf, s, strlen(s));
			p = pct + 2;
		}
	} else {
		buf_vprintf(&e->buf, fmt, ap);
	}
	va_end(ap);
}

void emit_style(struct emit *e, enum emit_style style)
{
	static const char *const ansi[] = {
		[EMIT_STYLE_NONE] = "\033[0m",
		[EMIT_STYLE_BOLD] = "\033[1m",
		[EMIT_STYLE_WARN] = "\033[33m",
		[EMIT_STYLE_ERROR] = "\033[1;31m",
		[EMIT_STYLE_DIM] = "\033[2m",
	};

	if (e->mode != EMIT_TEXT || !e->color || (unsigned)style >= sizeof(ansi) / sizeof(ansi[0]))
		return;
	emit_buf_append(&e->buf, ansi[style], strlen(ansi[style]));
}
