/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: builds synthetic ELF files for the engine's unit tests (included
 * by tests/unit/ test files; not a test of its own). The caller owns the
 * zeroed buffer; test_elf_write() fills the file header and the program
 * header table at offset 64 (ELF64) or 52 (ELF32), with an empty section
 * header table of the right entry size, so that a file is laid out the way
 * clamscan's ELF parser accepts it.
 */
#ifndef VIGIL_TESTS_UNIT_ELF_TEST_H
#define VIGIL_TESTS_UNIT_ELF_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct test_program_header {
	uint32_t type;
	uint64_t offset, vaddr, filesz, memsz;
};

struct test_elf {
	bool is32;
	bool big_endian;
	uint64_t entry;
	unsigned phnum;
	struct test_program_header headers[4];
};

static inline void test_elf_store(uint8_t *p, uint64_t value, unsigned width, bool big_endian)
{
	for (unsigned i = 0; i < width; ++i) {
		unsigned shift = 8 * (big_endian ? width - 1 - i : i);

		p[i] = (uint8_t)(value >> shift);
	}
}

/* Writes the headers into out (at least 64 + 4 * 56 bytes, zeroed). */
static inline void test_elf_write(const struct test_elf *elf, uint8_t *out)
{
	bool be = elf->big_endian;
	unsigned word = elf->is32 ? 4 : 8;
	uint64_t phoff = elf->is32 ? 52 : 64;
	unsigned phentsize = elf->is32 ? 32 : 56;

	memcpy(out, "\x7f" "ELF", 4);
	out[4] = elf->is32 ? 1 : 2;
	out[5] = be ? 2 : 1;
	out[6] = 1;
	test_elf_store(out + 16, 2, 2, be);		/* ET_EXEC */
	test_elf_store(out + 18, 62, 2, be);		/* EM_X86_64 */
	test_elf_store(out + 20, 1, 4, be);
	test_elf_store(out + 24, elf->entry, word, be);
	test_elf_store(out + 24 + word, elf->phnum ? phoff : 0, word, be);	/* e_phoff */
	test_elf_store(out + 24 + 2 * word, 0, word, be);			/* e_shoff */
	test_elf_store(out + 28 + 3 * word, phoff, 2, be);			/* e_ehsize */
	test_elf_store(out + 30 + 3 * word, phentsize, 2, be);
	test_elf_store(out + 32 + 3 * word, elf->phnum, 2, be);
	test_elf_store(out + 34 + 3 * word, elf->is32 ? 40 : 64, 2, be);	/* e_shentsize */
	test_elf_store(out + 36 + 3 * word, 0, 2, be);				/* e_shnum */
	for (unsigned i = 0; i < elf->phnum; ++i) {
		const struct test_program_header *h = &elf->headers[i];
		uint8_t *p = out + phoff + i * phentsize;

		test_elf_store(p, h->type, 4, be);
		if (elf->is32) {
			test_elf_store(p + 4, h->offset, 4, be);
			test_elf_store(p + 8, h->vaddr, 4, be);
			test_elf_store(p + 12, h->vaddr, 4, be);
			test_elf_store(p + 16, h->filesz, 4, be);
			test_elf_store(p + 20, h->memsz, 4, be);
		} else {
			test_elf_store(p + 8, h->offset, 8, be);
			test_elf_store(p + 16, h->vaddr, 8, be);
			test_elf_store(p + 24, h->vaddr, 8, be);
			test_elf_store(p + 32, h->filesz, 8, be);
			test_elf_store(p + 40, h->memsz, 8, be);
		}
	}
}

/* The usual test file: entry 0x401100 mapped by one PT_LOAD at vaddr
 * 0x400000, offset 0, to file offset 0x1100. */
#define TEST_ELF_ENTRY_OFFSET 0x1100
static inline struct test_elf test_elf_default(void)
{
	struct test_elf elf = {
		.entry = 0x401100, .phnum = 1,
		.headers = { { .type = 1, .offset = 0, .vaddr = 0x400000, .filesz = 0x2000,
			       .memsz = 0x2000 } },
	};

	return elf;
}

#endif
