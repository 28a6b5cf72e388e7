/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hexdump_text_parse against the real xxd, hexdump and od run on known bytes, and malformed text's line and byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vq_input.h"

struct pattern {
	const char *what;
	uint8_t bytes[1200];
	size_t len;
};

static struct pattern patterns[8];
static size_t n_patterns;

static struct pattern *new_pattern(const char *what)
{
	struct pattern *p = &patterns[n_patterns++];

	p->what = what;
	p->len = 0;
	return p;
}

/* Byte sequences that exercise short last lines, runs of identical lines (`*`) and spaces in text columns. */
static void make_patterns(void)
{
	struct pattern *p;
	uint32_t x = 12345;

	p = new_pattern("0..255");
	for (int i = 0; i < 256; i++)
		p->bytes[p->len++] = (uint8_t)i;
	p = new_pattern("one byte");
	p->bytes[p->len++] = 0x7f;
	p = new_pattern("zero run in the middle, short tail starting with spaces");
	for (int i = 0; i < 20; i++)
		p->bytes[p->len++] = (uint8_t)('A' + i);
	p->len += 80; /* zeros */
	memcpy(p->bytes + p->len, "  ab\n|x>", 8);
	p->len += 8;
	p = new_pattern("ends in repeated lines");
	p->bytes[p->len++] = 1;
	p->len += 95;
	p = new_pattern("pseudo-random 1000 bytes");
	for (int i = 0; i < 1000; i++) {
		x = x * 1103515245u + 12345u;
		p->bytes[p->len++] = (uint8_t)(x >> 16);
	}
	p = new_pattern("repeated non-zero lines then a different full line");
	for (int i = 0; i < 64; i++)
		p->bytes[p->len++] = (uint8_t)(0x30 + i % 16);
	for (int i = 0; i < 16; i++)
		p->bytes[p->len++] = 0xee;
}

/* Runs `tool FILE` on the bytes and returns its stdout, or NULL when the tool is not installed. */
static char *run_tool(const char *tool, const uint8_t *bytes, size_t len, size_t *out_len)
{
	char path[] = "/tmp/vqhexXXXXXX";
	int fd = mkstemp(path);
	char cmd[256];
	char *out = NULL;
	size_t n = 0, cap = 0;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", tool, path);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t got = fread(out + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	int status = pclose(f);
	unlink(path);
	if (status != 0) {
		free(out);
		return NULL;
	}
	*out_len = n;
	return out;
}

struct tool {
	const char *cmd;
	enum hexdump_format format;
	size_t skip;             /* the tool was told to start at this offset */
};

static const struct tool tools[] = {
	{ "xxd", HEXDUMP_XXD, 0 },
	{ "xxd -g1", HEXDUMP_XXD, 0 },
	{ "xxd -g4", HEXDUMP_XXD, 0 },
	{ "xxd -g8 -c 32", HEXDUMP_XXD, 0 },
	{ "xxd -a", HEXDUMP_XXD, 0 },
	{ "xxd -u -c 10", HEXDUMP_XXD, 0 },
	{ "xxd -p", HEXDUMP_PLAIN, 0 },
	{ "xxd -s 16", HEXDUMP_XXD, 16 },
	{ "hexdump -C", HEXDUMP_CANONICAL, 0 },
	{ "od -Ax -tx1", HEXDUMP_OD, 0 },
	{ "od -Ax -tx1z", HEXDUMP_OD, 0 },
	{ "od -Ax -tx1 -w8", HEXDUMP_OD, 0 },
	{ "xxd -i", HEXDUMP_C_ARRAY, 0 },
	{ "xxd -i <", HEXDUMP_C_ARRAY, 0 },
	{ "xxd -i -c 5", HEXDUMP_C_ARRAY, 0 },
};

static void test_real_tools(void **state)
{
	size_t ran = 0;

	(void)state;
	make_patterns();
	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		for (size_t i = 0; i < n_patterns; i++) {
			const struct pattern *p = &patterns[i];
			size_t text_len, n;
			char *text = run_tool(tools[t].cmd, p->bytes, p->len, &text_len);
			uint8_t *bytes = NULL;
			struct rd_error err = { 0 };

			if (!text)
				continue;
			ran++;
			if (tools[t].skip >= p->len) {
				free(text);
				continue;
			}
			int r = hexdump_text_parse((uint8_t *)text, text_len, "t", &bytes, &n, &err);
			if (r != 1)
				fail_msg("%s on %s: returned %d: byte %llu: %s", tools[t].cmd, p->what, r,
					 (unsigned long long)err.offset, err.msg);
			assert_int_equal(hexdump_text_detect((uint8_t *)text, text_len), tools[t].format);
			if (n != p->len - tools[t].skip || memcmp(bytes, p->bytes + tools[t].skip, n))
				fail_msg("%s on %s: %zu bytes back, expected %zu, or different content", tools[t].cmd,
					 p->what, n, p->len - tools[t].skip);
			free(bytes);
			free(text);
		}
	}
	if (!ran)
		skip();
}

/* xxd -e swaps the bytes inside each group; its text column gives it away. */
static void test_xxd_little_endian_refused(void **state)
{
	static const uint8_t b[] = "ABCDEFGHIJKLMNOP";
	size_t text_len, n;
	char *text = run_tool("xxd -e", b, 16, &text_len);
	uint8_t *bytes;
	struct rd_error err = { 0 };

	(void)state;
	if (!text)
		skip();
	assert_int_equal(hexdump_text_parse((uint8_t *)text, text_len, "e.txt", &bytes, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 1: the text column shows 'A' where the hex says 0x44"));
	assert_non_null(strstr(err.msg, "xxd -e"));
	/* "00000000: 44434241" - the text column starts after the 4 groups and 2 separating spaces. */
	assert_int_equal(err.offset, 10 + 4 * 9 + 1);
	free(text);
}

/* Default od prints octal offsets: the second line's offset 0000020 read as hex does not continue. */
static void test_od_octal_offsets_refused(void **state)
{
	uint8_t b[32];
	size_t text_len, n;
	uint8_t *bytes;
	struct rd_error err = { 0 };

	(void)state;
	memset(b, 0x11, 16);
	memset(b + 16, 0x22, 16);
	char *text = run_tool("od -tx1", b, 32, &text_len);
	if (!text)
		skip();
	assert_int_equal(hexdump_text_parse((uint8_t *)text, text_len, "o.txt", &bytes, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 2: offset 0x20, but the previous line ends at 0x10"));
	assert_int_equal(err.offset, strlen("0000000 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11\n"));
	free(text);
}

/* An exact-size copy without the terminating NUL, so a sanitizer build catches any read past the text. */
static uint8_t *exact_copy(const char *text)
{
	uint8_t *c = malloc(strlen(text) ? strlen(text) : 1);

	assert_non_null(c);
	memcpy(c, text, strlen(text));
	return c;
}

static void expect_parse(const char *text, const uint8_t *want, size_t want_len)
{
	uint8_t *bytes, *in = exact_copy(text);
	size_t n;
	struct rd_error err = { 0 };

	int r = hexdump_text_parse(in, strlen(text), "x", &bytes, &n, &err);
	if (r != 1)
		fail_msg("'%s': returned %d: %s", text, r, err.msg);
	assert_int_equal(n, want_len);
	assert_memory_equal(bytes, want, want_len);
	free(bytes);
	free(in);
}

static void expect_error(const char *text, int want_err, uint64_t offset, const char *msg)
{
	uint8_t *bytes = NULL, *in = exact_copy(text);
	size_t n;
	struct rd_error err = { 0 };

	assert_int_equal(hexdump_text_parse(in, strlen(text), "bad.txt", &bytes, &n, &err), want_err);
	free(in);
	assert_null(bytes);
	assert_true(err.has_offset);
	if (err.offset != offset || !strstr(err.msg, msg))
		fail_msg("'%s': byte %llu '%s', expected byte %llu '%s'", text, (unsigned long long)err.offset,
			 err.msg, (unsigned long long)offset, msg);
}

static void test_pasted_variants(void **state)
{
	(void)state;
	/* Indented, CRLF, trailing blanks dropped by a mail client, blank lines between. */
	expect_parse("  00000000: 0102 0304  ....\r\n\r\n  00000004: 05    .\r\n", (const uint8_t *)"\1\2\3\4\5", 5);
	expect_parse("00000000  de ad be ef                                       |....|\n00000004\n",
		     (const uint8_t *)"\xde\xad\xbe\xef", 4);
	expect_parse("000000 41 42\n000002\n", (const uint8_t *)"AB", 2);
	expect_parse("dead\nBEEF\n", (const uint8_t *)"\xde\xad\xbe\xef", 4);
	/* The two separating spaces and nothing after them (found by fuzz_hexdump: read past the line). */
	expect_parse("00c09551615: 01bc  ", (const uint8_t *)"\x01\xbc", 2);
	/* hexdump -C's text column may contain '|' itself. */
	expect_parse("00000000  7c 41                                             ||A|\n00000002\n",
		     (const uint8_t *)"|A", 2);
}

static void test_not_hexdump(void **state)
{
	static const uint8_t bin[] = { 0x30, 0x30, 0x3a, 0x20, 0x00, 0x01 };
	uint8_t *bytes = NULL;
	size_t n;
	struct rd_error err = { 0 };

	(void)state;
	assert_int_equal(hexdump_text_parse(bin, sizeof(bin), "b", &bytes, &n, &err), 0);
	assert_int_equal(hexdump_text_parse((const uint8_t *)"hello world\n", 12, "b", &bytes, &n, &err), 0);
	assert_int_equal(hexdump_text_parse((const uint8_t *)"", 0, "b", &bytes, &n, &err), 0);
	assert_int_equal(hexdump_text_parse((const uint8_t *)"\x7f" "ELF\2\1\1", 7, "b", &bytes, &n, &err), 0);
	assert_null(bytes);
	assert_true(hexdump_text_is_text((const uint8_t *)"hello world\r\n\tx", 15));
	assert_false(hexdump_text_is_text(bin, sizeof(bin)));
	assert_false(hexdump_text_is_text((const uint8_t *)"", 0));
}

static void test_malformed(void **state)
{
	(void)state;
	/* byte 15 is where the three-digit group starts */
	expect_error("00000000: 0102 030\n", -EINVAL, 15, "line 1: odd number of hex digits");
	expect_error("00000000: 0102 0304  ....\n00000008: 0506  ..\n", -EINVAL, 26,
		     "line 2: offset 0x8, but the previous line ends at 0x4");
	expect_error("00000000  01 02 0  |...|\n", -EINVAL, 16, "line 1: odd number of hex digits");
	expect_error("000000 01 02\n*\n", -EINVAL, 15, "line 2: the text ends after a '*' line");
	expect_error("000000 01 02\n000002\n000000 01\n", -EINVAL, 20, "line 3: text after the final offset line");
	expect_error("00000000: 0102 0g04  ....\n", -EINVAL, 16, "line 1: unexpected character");
	expect_error("00000000: 0102\n*\n*\n", -EINVAL, 17, "line 3: two '*' lines");
	expect_error("000000 01 02\n*\n000005\n", -EINVAL, 15,
		     "line 3: offset 0x5 after '*' is not 0x2 plus a multiple of 2");
	expect_error("000000 0102\n000002\n", -EINVAL, 7, "line 1: hex group is not one byte");
	expect_error("00000000  41 42  |AC|\n00000002\n", -EINVAL, 19,
		     "line 1: the text column shows 'C' where the hex says 0x42");
	expect_error("00000000: 0102\n00000002  03\n", -EINVAL, 23, "line 2: expected ':' after the offset");
	expect_error("00000000: 0102\nzz\n", -EINVAL, 15, "line 2: expected an offset");
	expect_error("0: 01\n00000000000000001: 02\n", -EINVAL, 22, "offset has more than 16 hex digits");
	expect_error("0: 01\n1: 02\x01\n", -EINVAL, 11, "line 2: a byte that is not text");
	/* A short text must not expand past the limit through a `*` line. */
	expect_error("000000 00\n*\nffffffffffff\n", -EFBIG, 12, "line 3: the dump expands to more than");
}

/* What surrounds a dump in a bug report or an email: quote prefixes, the prompt line, a bare prompt after. */
static void test_paste_forms(void **state)
{
	(void)state;
	expect_parse("> 00000000: 0102 0304  ....\n> 00000004: 05    .\n", (const uint8_t *)"\1\2\3\4\5", 5);
	expect_parse(">> > 00000000: 4142  AB\n>\n> > 00000002: 43  C\n", (const uint8_t *)"ABC", 3);
	expect_parse("$ xxd desc.bin\n00000000: 4142  AB\n$ \n", (const uint8_t *)"AB", 2);
	expect_parse("root@vm:~# od -Ax -tx1 avail.bin\n000000 41 42\n000002\nroot@vm:~#\n",
		     (const uint8_t *)"AB", 2);
	expect_parse("> $ hexdump -C used.bin\n> 00000000  41 42  |AB|\n> 00000002\n", (const uint8_t *)"AB", 2);
	expect_parse("$ xxd -p ring.bin\n4142\n43\n", (const uint8_t *)"ABC", 3);
	expect_parse("unsigned char desc_bin[] = {\n  0x01, 0x02,\n  0xff\n};\nunsigned int desc_bin_len = 3;\n",
		     (const uint8_t *)"\1\2\xff", 3);
	expect_parse("  0x41, 0x42, 0x43\n", (const uint8_t *)"ABC", 3);
	expect_error("unsigned char d[] = {\n  0x01, 0x02\n};\nunsigned int d_len = 4;\n", -EINVAL, 59,
		     "line 4: the length says 4 bytes, but the array holds 2");
	expect_error("unsigned char d[] = {\n  0x01, 0x02,\n", -EINVAL, 36, "the text ends inside the array");
	expect_error("unsigned char d[] = {\n  0x01, 0xg2\n};\n", -EINVAL, 30, "line 2: expected a byte such as 0x1f");
	/* a repeat line first repeats nothing: refused, not read as binary */
	expect_error("*\n00000000  01 02  |..|\n00000002\n", -EINVAL, 0, "line 1: '*' (repeat) before any data line");
}

/* A `*` line may describe gigabytes; an area keeps only what it needs, and other inputs stop at their budget. */
static void test_repeat_budget(void **state)
{
	static const char text[] = "00000000: 0000  ..\n*\n3ffffffe: 0000  ..\n";
	uint8_t *bytes = NULL;
	size_t n;
	struct rd_error err = { 0 };

	(void)state;
	assert_int_equal(hexdump_text_parse_capped((const uint8_t *)text, strlen(text), "d", 4096, true, &bytes, &n,
						   &err), 1);
	assert_int_equal(n, 4096);
	free(bytes);
	bytes = NULL;
	assert_int_equal(hexdump_text_parse_capped((const uint8_t *)text, strlen(text), "d", 4096, false, &bytes, &n,
						   &err), -EFBIG);
	assert_null(bytes);
	assert_int_equal(err.offset, 21);
	assert_non_null(strstr(err.msg, "line 3: the dump expands to more than 4096 bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_tools),
		cmocka_unit_test(test_xxd_little_endian_refused),
		cmocka_unit_test(test_od_octal_offsets_refused),
		cmocka_unit_test(test_pasted_variants),
		cmocka_unit_test(test_not_hexdump),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_paste_forms),
		cmocka_unit_test(test_repeat_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
