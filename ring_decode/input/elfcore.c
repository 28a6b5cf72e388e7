/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Guest memory from an ELF64 core written by QEMU's dump-guest-memory: PT_LOAD segments by p_paddr. */
#include <errno.h>
#include <string.h>

#include "vq_input.h"

/* ELF64 facts (System V gABI); only what a core's program headers need. */
enum {
	EI_CLASS = 4,
	EI_DATA = 5,
	ELFCLASS32 = 1,
	ELFCLASS64 = 2,
	ELFDATA2LSB = 1,
	ET_CORE = 4,
	PT_LOAD = 1,
	PN_XNUM = 0xffff,

	EHDR_SIZE = 64,
	EHDR_TYPE = 16,
	EHDR_PHOFF = 32,
	EHDR_SHOFF = 40,
	EHDR_PHENTSIZE = 54,
	EHDR_PHNUM = 56,
	EHDR_SHENTSIZE = 58,
	EHDR_SHNUM = 60,

	PHDR_SIZE = 56,
	PHDR_TYPE = 0,
	PHDR_OFFSET = 8,
	PHDR_PADDR = 24,
	PHDR_FILESZ = 32,
	PHDR_MEMSZ = 40,

	SHDR_SIZE = 64,
	SHDR_INFO = 44,
};

/* With more than 0xfffe headers, e_phnum is PN_XNUM and section 0's sh_info holds the count. */
static int extended_phnum(const uint8_t *buf, size_t len, const char *name, uint32_t *phnum,
			  struct rd_error *err)
{
	uint64_t shoff = vq_le64(buf + EHDR_SHOFF);
	uint16_t shentsize = vq_le16(buf + EHDR_SHENTSIZE);

	if (shoff == 0 || shentsize < SHDR_SIZE)
		return rd_fail(err, -EINVAL, name, true, EHDR_PHNUM,
			       "e_phnum is PN_XNUM but there is no section header with the real count");
	if (shoff > len || len - shoff < SHDR_SIZE)
		return rd_fail(err, -EINVAL, name, true, EHDR_SHOFF,
			       "e_shoff 0x%llx points past the end of the file (%zu bytes)",
			       (unsigned long long)shoff, len);
	*phnum = vq_le32(buf + shoff + SHDR_INFO);
	return 0;
}

static int check_ident(const uint8_t *buf, size_t len, const char *name, struct rd_error *err)
{
	if (len >= 8 && !memcmp(buf, "KDUMP   ", 8))
		return rd_fail(err, -EINVAL, name, true, 0,
			       "kdump-compressed dump; run dump-guest-memory without -z, -l or -s to get an ELF core");
	if (len < 4 || memcmp(buf, "\177ELF", 4))
		return rd_fail(err, -EINVAL, name, true, 0, "not an ELF file (no \\177ELF magic)");
	if (len < EHDR_SIZE)
		return rd_fail(err, -EINVAL, name, true, len,
			       "file ends inside the ELF header (%d bytes)", EHDR_SIZE);
	if (buf[EI_CLASS] == ELFCLASS32)
		return rd_fail(err, -EINVAL, name, true, EI_CLASS, "ELF32 core; only ELF64 cores are supported");
	if (buf[EI_CLASS] != ELFCLASS64)
		return rd_fail(err, -EINVAL, name, true, EI_CLASS, "unknown ELF class %u (expected 2, ELF64)",
			       buf[EI_CLASS]);
	if (buf[EI_DATA] != ELFDATA2LSB)
		return rd_fail(err, -EINVAL, name, true, EI_DATA,
			       "big-endian or unknown ELF data encoding %u; only little-endian cores are supported",
			       buf[EI_DATA]);
	uint16_t type = vq_le16(buf + EHDR_TYPE);
	if (type != ET_CORE)
		return rd_fail(err, -EINVAL, name, true, EHDR_TYPE,
			       "ELF type %u is not a core (ET_CORE, 4); use dump-guest-memory's output", type);
	return 0;
}

static int add_load(const uint8_t *buf, size_t len, const char *name, struct vq_mem *mem, size_t ph,
		    uint32_t i, struct rd_error *err)
{
	uint64_t off = vq_le64(buf + ph + PHDR_OFFSET);
	uint64_t paddr = vq_le64(buf + ph + PHDR_PADDR);
	uint64_t filesz = vq_le64(buf + ph + PHDR_FILESZ);
	uint64_t memsz = vq_le64(buf + ph + PHDR_MEMSZ);

	if (filesz > memsz)
		return rd_fail(err, -EINVAL, name, true, ph + PHDR_FILESZ,
			       "program header %u: p_filesz 0x%llx exceeds p_memsz 0x%llx", i,
			       (unsigned long long)filesz, (unsigned long long)memsz);
	if (off > len || filesz > len - off)
		return rd_fail(err, -EINVAL, name, true, ph + PHDR_OFFSET,
			       "program header %u: its data [0x%llx, +0x%llx) runs past the end of the file (%zu bytes)",
			       i, (unsigned long long)off, (unsigned long long)filesz, len);
	if (filesz && paddr + filesz - 1 < paddr)
		return rd_fail(err, -EINVAL, name, true, ph + PHDR_PADDR,
			       "program header %u: p_paddr 0x%llx plus its size wraps around", i,
			       (unsigned long long)paddr);
	int r = vq_mem_append(mem, paddr, buf + off, filesz, name, off);
	if (r < 0)
		return rd_fail(err, r, name, true, ph, "program header %u: cannot add its memory", i);
	return 0;
}

/* Program header number whose data is the segment's (found again only to word an error). */
static uint32_t phdr_of(const uint8_t *buf, uint64_t phoff, uint16_t phentsize, uint32_t phnum,
			const struct vq_mem_seg *g)
{
	for (uint32_t i = 0; i < phnum; i++) {
		size_t ph = (size_t)phoff + (size_t)i * phentsize;
		if (vq_le32(buf + ph + PHDR_TYPE) == PT_LOAD && vq_le64(buf + ph + PHDR_OFFSET) == g->origin_offset &&
		    vq_le64(buf + ph + PHDR_PADDR) == g->addr)
			return i;
	}
	return 0;
}

static int overlap_error(const uint8_t *buf, const char *name, uint64_t phoff, uint16_t phentsize, uint32_t phnum,
			 const struct vq_mem_seg *a, const struct vq_mem_seg *b, struct rd_error *err)
{
	uint32_t ia = phdr_of(buf, phoff, phentsize, phnum, a), ib = phdr_of(buf, phoff, phentsize, phnum, b);
	uint32_t later = ia > ib ? ia : ib;
	const struct vq_mem_seg *g = ia > ib ? a : b;

	return rd_fail(err, -EINVAL, name, true, phoff + (uint64_t)later * phentsize + PHDR_PADDR,
		       "program header %u: guest memory [0x%llx, 0x%llx) overlaps another segment", later,
		       (unsigned long long)g->addr, (unsigned long long)(g->addr + g->len));
}

int elfcore_parse(const uint8_t *buf, size_t len, const char *name, struct vq_mem *mem,
		  struct rd_error *err)
{
	int r = check_ident(buf, len, name, err);
	if (r < 0)
		return r;

	uint64_t phoff = vq_le64(buf + EHDR_PHOFF);
	uint16_t phentsize = vq_le16(buf + EHDR_PHENTSIZE);
	uint32_t phnum = vq_le16(buf + EHDR_PHNUM);
	if (phnum == PN_XNUM && (r = extended_phnum(buf, len, name, &phnum, err)) < 0)
		return r;
	if (phnum == 0)
		return rd_fail(err, -EINVAL, name, true, EHDR_PHNUM, "core has no program headers");
	if (phentsize < PHDR_SIZE)
		return rd_fail(err, -EINVAL, name, true, EHDR_PHENTSIZE,
			       "e_phentsize %u is smaller than an ELF64 program header (%d)", phentsize,
			       PHDR_SIZE);
	if (phoff > len || (len - phoff) / phentsize < phnum)
		return rd_fail(err, -EINVAL, name, true, EHDR_PHOFF,
			       "the program header table at e_phoff 0x%llx (%u entries) does not fit in the file (%zu bytes)",
			       (unsigned long long)phoff, phnum, len);

	size_t n_load = 0;
	for (uint32_t i = 0; i < phnum; i++) {
		size_t ph = (size_t)phoff + (size_t)i * phentsize;

		if (vq_le32(buf + ph + PHDR_TYPE) != PT_LOAD)
			continue;
		r = add_load(buf, len, name, mem, ph, i, err);
		if (r < 0)
			return r;
		n_load += vq_le64(buf + ph + PHDR_FILESZ) != 0;
	}
	if (!n_load)
		return rd_fail(err, -EINVAL, name, true, phoff,
			       "core has no PT_LOAD segment with data in the file: no guest memory");
	const struct vq_mem_seg *a, *b;
	if (vq_mem_sort(mem, &a, &b) == -EEXIST)
		return overlap_error(buf, name, phoff, phentsize, phnum, a, b, err);
	return 0;
}
