/* SPDX-License-Identifier: GPL-2.0-or-later */
/* elfcore_parse against ELF64 cores laid out here field by field (gABI offsets), and every bound it must check. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vq_input.h"

/* Little-endian stores written out here so the test does not share code with the parser. */
static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

/*
 * ELF header at 0 (64 bytes), program headers at 64 (56 bytes each), data
 * after them.  Like QEMU's dump: a PT_NOTE first, then PT_LOADs whose
 * p_vaddr is 0 and p_paddr the guest-physical address.
 */
static uint8_t *build_core(const struct phdr *ph, int n, size_t total)
{
	uint8_t *b = calloc(1, total);

	assert_non_null(b);
	memcpy(b, "\177ELF", 4);
	b[4] = 2;                       /* ELFCLASS64 */
	b[5] = 1;                       /* ELFDATA2LSB */
	b[6] = 1;                       /* EV_CURRENT */
	put(b + 16, 4, 2);              /* e_type ET_CORE */
	put(b + 18, 62, 2);             /* e_machine EM_X86_64 */
	put(b + 20, 1, 4);              /* e_version */
	put(b + 32, 64, 8);             /* e_phoff */
	put(b + 52, 64, 2);             /* e_ehsize */
	put(b + 54, 56, 2);             /* e_phentsize */
	put(b + 56, (uint64_t)n, 2);    /* e_phnum */
	for (int i = 0; i < n; i++) {
		uint8_t *p = b + 64 + 56 * i;
		put(p + 0, ph[i].type, 4);
		put(p + 8, ph[i].offset, 8);
		put(p + 16, 0, 8);      /* p_vaddr */
		put(p + 24, ph[i].paddr, 8);
		put(p + 32, ph[i].filesz, 8);
		put(p + 40, ph[i].memsz, 8);
	}
	return b;
}

static void test_segments_by_paddr(void **state)
{
	/* headers end at 64 + 3 * 56 = 232; note at 232, loads at 256 and 512 */
	const struct phdr ph[] = {
		{ 4, 232, 0, 24, 24 },                  /* PT_NOTE */
		{ 1, 256, 0x100000, 256, 256 },         /* 256 bytes at 1 MiB */
		{ 1, 512, 0x7e10000, 16, 4096 },        /* only 16 of 4096 bytes in the file */
	};
	uint8_t *b = build_core(ph, 3, 528);
	struct vq_mem mem = { 0 };
	struct rd_error err = { 0 };
	uint8_t got[4];

	(void)state;
	for (int i = 0; i < 256; i++)
		b[256 + i] = (uint8_t)i;
	memcpy(b + 512, "virtqueue bytes!", 16);
	assert_int_equal(elfcore_parse(b, 528, "core", &mem, &err), 0);
	assert_int_equal(mem.n, 2);
	assert_int_equal(vq_mem_read(&mem, 0x100000 + 0x10, got, 4, NULL), 0);
	assert_memory_equal(got, "\x10\x11\x12\x13", 4);
	assert_int_equal(vq_mem_read(&mem, 0x7e10000, got, 4, NULL), 0);
	assert_memory_equal(got, "virt", 4);
	assert_true(vq_mem_present(&mem, 0x7e10000, 16));
	assert_false(vq_mem_present(&mem, 0x7e10000, 17));
	/* Referenced, not copied: the segment points into the file. */
	assert_ptr_equal(mem.segs[0].data, b + 256);
	assert_int_equal(mem.segs[1].origin_offset, 512);
	vq_mem_free(&mem);
	free(b);
}

static void expect_error(const uint8_t *b, size_t len, uint64_t offset, const char *msg)
{
	struct vq_mem mem = { 0 };
	struct rd_error err = { 0 };

	assert_int_equal(elfcore_parse(b, len, "bad.core", &mem, &err), -EINVAL);
	assert_true(err.has_offset);
	if (err.offset != offset || !strstr(err.msg, msg))
		fail_msg("byte %llu '%s', expected byte %llu '%s'", (unsigned long long)err.offset, err.msg,
			 (unsigned long long)offset, msg);
	vq_mem_free(&mem);
}

static void test_errors(void **state)
{
	const struct phdr ph[] = { { 1, 120, 0x1000, 8, 8 } };
	uint8_t *b = build_core(ph, 1, 128);

	(void)state;
	expect_error(b, 3, 0, "not an ELF file");
	expect_error(b, 63, 63, "ends inside the ELF header");
	b[4] = 1;
	expect_error(b, 128, 4, "ELF32");
	b[4] = 2;
	b[5] = 2;
	expect_error(b, 128, 5, "big-endian");
	b[5] = 1;
	b[16] = 2; /* ET_EXEC */
	expect_error(b, 128, 16, "not a core");
	b[16] = 4;
	put(b + 32, 4096, 8); /* e_phoff past the end */
	expect_error(b, 128, 32, "does not fit in the file");
	put(b + 32, 100, 8); /* 100 + 56 > 128 */
	expect_error(b, 128, 32, "does not fit");
	put(b + 32, 64, 8);
	put(b + 56, 0, 2);
	expect_error(b, 128, 56, "no program headers");
	put(b + 56, 1, 2);
	put(b + 54, 32, 2);
	expect_error(b, 128, 54, "e_phentsize 32");
	put(b + 54, 56, 2);
	put(b + 64 + 32, 9, 8); /* p_filesz 9 > p_memsz 8 */
	expect_error(b, 128, 64 + 32, "exceeds p_memsz");
	put(b + 64 + 40, 64, 8);
	expect_error(b, 128, 64 + 8, "runs past the end of the file");
	put(b + 64 + 8, UINT64_MAX - 2, 8); /* p_offset + p_filesz wraps */
	expect_error(b, 128, 64 + 8, "runs past the end");
	put(b + 64 + 8, 120, 8);
	put(b + 64 + 32, 8, 8);
	put(b + 64 + 24, UINT64_MAX - 3, 8); /* p_paddr + 8 wraps */
	expect_error(b, 128, 64 + 24, "wraps around");
	put(b + 64 + 24, 0x1000, 8);
	put(b + 64 + 32, 0, 8); /* a PT_LOAD without file data is no memory either */
	expect_error(b, 128, 64, "no PT_LOAD segment with data");
	put(b + 64 + 32, 8, 8);
	put(b + 64, 4, 4); /* PT_NOTE only */
	expect_error(b, 128, 64, "no PT_LOAD");
	memcpy(b, "KDUMP   ", 8);
	expect_error(b, 128, 0, "kdump-compressed");
	free(b);
}

static void test_overlapping_loads(void **state)
{
	const struct phdr ph[] = {
		{ 1, 176, 0x1000, 16, 16 },
		{ 1, 192, 0x1008, 16, 16 },
	};
	uint8_t *b = build_core(ph, 2, 208);

	(void)state;
	expect_error(b, 208, 64 + 56 + 24, "program header 1: guest memory [0x1008, 0x1018) overlaps");
	free(b);
}

/* e_phnum PN_XNUM: the real count is section header 0's sh_info. */
static void test_extended_phnum(void **state)
{
	const struct phdr ph[] = { { 1, 184, 0x2000, 8, 8 } };
	uint8_t *b = build_core(ph, 1, 256);
	struct vq_mem mem = { 0 };
	struct rd_error err = { 0 };

	(void)state;
	put(b + 56, 0xffff, 2);     /* e_phnum = PN_XNUM */
	put(b + 40, 192, 8);        /* e_shoff */
	put(b + 58, 64, 2);         /* e_shentsize */
	put(b + 60, 1, 2);          /* e_shnum */
	put(b + 192 + 44, 1, 4);    /* sh_info: one program header */
	memcpy(b + 184, "12345678", 8);
	assert_int_equal(elfcore_parse(b, 256, "x", &mem, &err), 0);
	assert_int_equal(mem.n, 1);
	assert_int_equal(mem.segs[0].addr, 0x2000);
	vq_mem_free(&mem);
	put(b + 40, 250, 8);
	expect_error(b, 256, 40, "e_shoff");
	free(b);
}

/* Every prefix of a valid core fails cleanly or succeeds without reading past it (ASan). */
static void test_every_truncation(void **state)
{
	const struct phdr ph[] = { { 4, 176, 0, 8, 8 }, { 1, 184, 0x3000, 8, 8 } };
	uint8_t *full = build_core(ph, 2, 192);

	(void)state;
	for (size_t n = 0; n < 192; n++) {
		uint8_t *b = malloc(n ? n : 1);
		struct vq_mem mem = { 0 };
		struct rd_error err = { 0 };

		memcpy(b, full, n);
		assert_int_equal(elfcore_parse(b, n, "t", &mem, &err), -EINVAL);
		vq_mem_free(&mem);
		free(b);
	}
	free(full);
}

/* 65534 one-byte PT_LOADs at descending p_paddr: loads in O(n log n) (seconds before), referencing the file. */
static void test_many_loads_descending(void **state)
{
	enum { N = 65534 };
	size_t data = 64 + 56 * (size_t)N;
	struct phdr *ph = calloc(N, sizeof(*ph));
	struct vq_mem mem = { 0 };
	struct rd_error err = { 0 };

	(void)state;
	assert_non_null(ph);
	for (int i = 0; i < N; i++)
		ph[i] = (struct phdr){ 1, data + (size_t)i, 0x100000 - 2ull * (uint64_t)i, 1, 1 };
	uint8_t *b = build_core(ph, N, data + N);
	for (int i = 0; i < N; i++)
		b[data + (size_t)i] = (uint8_t)(i * 7);
	assert_int_equal(elfcore_parse(b, data + N, "many.core", &mem, &err), 0);
	assert_int_equal(mem.n, N);
	assert_true(mem.cap <= 2 * (size_t)N);
	assert_int_equal(mem.segs[0].addr, 0x100000 - 2ull * (N - 1));
	assert_ptr_equal(vq_mem_ptr(&mem, 0x100000 - 2ull * 300, 1), b + data + 300);
	vq_mem_free(&mem);
	free(b);
	free(ph);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segments_by_paddr),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_overlapping_loads),
		cmocka_unit_test(test_extended_phnum),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_many_loads_descending),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
