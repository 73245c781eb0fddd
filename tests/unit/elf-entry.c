// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of lib/elf-entry.c, elf_facts_read() on synthetic ELF
 * files built in memory: the magic alone makes a file ELF; the entry point
 * maps through the first program header holding it (memsz, any type) for
 * ELF32, ELF64 and big-endian files; e_phnum 0 or e_entry 0 give EP 0 (as
 * clamscan 1.4.6 does, probed with EP+0 signatures); every header problem
 * clamscan rejects leaves the file ELF without an entry point; read errors
 * come back as negative errno. Owns no state.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "elf-entry.h"
#include "unit/elf-test.h"

struct buffer {
	const uint8_t *data;
	size_t size;
	int fail_at_call; /* 0: never; n: the nth call fails with -EIO */
	int calls;
};

static ssize_t buffer_read(void *context, void *out, size_t size, uint64_t offset)
{
	struct buffer *buffer = context;

	if (++buffer->calls == buffer->fail_at_call)
		return -EIO;
	if (offset >= buffer->size)
		return 0;
	if (size > buffer->size - offset)
		size = (size_t)(buffer->size - offset);
	memcpy(out, buffer->data + offset, size);
	return (ssize_t)size;
}

static struct elf_facts facts_of(const uint8_t *data, size_t size)
{
	struct buffer buffer = { .data = data, .size = size };
	struct elf_facts facts;

	cr_assert_eq(elf_facts_read(buffer_read, &buffer, size, &facts), 0);
	return facts;
}

static struct elf_facts facts_of_elf(const struct test_elf *elf, size_t size)
{
	static uint8_t data[0x2000];

	cr_assert_leq(size, sizeof(data));
	memset(data, 0, sizeof(data));
	test_elf_write(elf, data);
	return facts_of(data, size);
}

Test(elf_entry, not_elf)
{
	struct elf_facts facts = facts_of((const uint8_t *)"\x7f" "ELG and more bytes", 18);

	cr_assert_not(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);
	facts = facts_of((const uint8_t *)"\x7f" "EL", 3);
	cr_assert_not(facts.is_elf);
	facts = facts_of((const uint8_t *)"", 0);
	cr_assert_not(facts.is_elf);
}

Test(elf_entry, magic_alone_is_elf_without_entry_point)
{
	struct elf_facts facts = facts_of((const uint8_t *)"\x7f" "ELF", 4);

	cr_assert(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);
}

Test(elf_entry, truncated_header_has_no_entry_point)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts = facts_of_elf(&elf, 35);

	cr_assert(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);
	facts = facts_of_elf(&elf, 63);
	cr_assert_not(facts.entry_point_valid);
}

Test(elf_entry, elf64_little_endian)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts = facts_of_elf(&elf, 0x2000);

	cr_assert(facts.is_elf);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x1100);
}

Test(elf_entry, elf32_and_big_endian)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	elf.is32 = true;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x1100);
	elf.big_endian = true;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x1100);
	elf.is32 = false;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x1100);
}

Test(elf_entry, program_header_offset_is_added)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	elf.headers[0].offset = 0x300;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x1400);
}

Test(elf_entry, first_header_holding_the_entry_wins_by_memsz)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	elf.phnum = 3;
	/* a PT_NOTE whose memsz does not reach the entry */
	elf.headers[0] = (struct test_program_header){ 4, 0x10, 0x401000, 0x1000, 0x100 };
	/* a PT_NOTE that holds it by memsz (filesz is short) */
	elf.headers[1] = (struct test_program_header){ 4, 0x20, 0x401000, 0x10, 0x1000 };
	/* a PT_LOAD that holds it too */
	elf.headers[2] = (struct test_program_header){ 1, 0, 0x400000, 0x2000, 0x2000 };
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x120);
}

Test(elf_entry, entry_outside_every_header)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	elf.entry = 0x900000;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);
	elf = test_elf_default();
	elf.entry = 0x402000; /* one past the end of [vaddr, vaddr + memsz) */
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert_not(facts.entry_point_valid);
	elf.entry = 0x401fff;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x1fff);
}

Test(elf_entry, no_program_headers_or_zero_entry_give_ep_zero)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	elf.phnum = 0;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0);
	elf = test_elf_default();
	elf.entry = 0;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0);
}

Test(elf_entry, bad_class_has_no_entry_point)
{
	static uint8_t data[0x2000];
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	test_elf_write(&elf, data);
	data[4] = 5;
	facts = facts_of(data, sizeof(data));
	cr_assert(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);
	data[4] = 0;
	facts = facts_of(data, sizeof(data));
	cr_assert_not(facts.entry_point_valid);
}

Test(elf_entry, header_table_problems_leave_no_entry_point)
{
	static uint8_t data[0x2000];
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	/* program headers beyond the end of the file */
	facts = facts_of_elf(&elf, 64 + 20);
	cr_assert(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);

	/* wrong e_phentsize */
	memset(data, 0, sizeof(data));
	test_elf_write(&elf, data);
	data[54] = 55;
	facts = facts_of(data, sizeof(data));
	cr_assert_not(facts.entry_point_valid);

	/* more than 128 program headers */
	memset(data, 0, sizeof(data));
	test_elf_write(&elf, data);
	data[56] = 129;
	facts = facts_of(data, sizeof(data));
	cr_assert_not(facts.entry_point_valid);

	/* wrong e_shentsize, even with no section headers */
	memset(data, 0, sizeof(data));
	test_elf_write(&elf, data);
	data[58] = 0;
	facts = facts_of(data, sizeof(data));
	cr_assert_not(facts.entry_point_valid);

	/* section headers beyond the end of the file */
	memset(data, 0, sizeof(data));
	test_elf_write(&elf, data);
	data[40] = 0x90;
	data[41] = 0x1f; /* e_shoff 0x1f90 */
	data[60] = 2;	 /* two 64-byte entries: past 0x2000 */
	facts = facts_of(data, sizeof(data));
	cr_assert_not(facts.entry_point_valid);
	data[60] = 1; /* one fits */
	facts = facts_of(data, sizeof(data));
	cr_assert(facts.entry_point_valid);

	/* more than 256 section headers */
	memset(data, 0, sizeof(data));
	test_elf_write(&elf, data);
	data[60] = 1;
	data[61] = 1; /* 257 */
	facts = facts_of(data, sizeof(data));
	cr_assert_not(facts.entry_point_valid);
}

Test(elf_entry, elf32_address_arithmetic_wraps_at_32_bits)
{
	struct test_elf elf = test_elf_default();
	struct elf_facts facts;

	/* vaddr + memsz overflows 32 bits: clamscan's 32-bit sum wraps and
	 * the header does not hold the entry */
	elf.is32 = true;
	elf.entry = 0xfffff100;
	elf.headers[0] = (struct test_program_header){ 1, 0, 0xfffff000, 0x1000, 0x2000 };
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);
	elf.headers[0].memsz = 0xf00;
	facts = facts_of_elf(&elf, 0x2000);
	cr_assert(facts.entry_point_valid);
	cr_assert_eq(facts.entry_point, 0x100);
}

Test(elf_entry, read_errors_are_returned)
{
	static uint8_t data[0x2000];
	struct test_elf elf = test_elf_default();
	struct buffer buffer = { .data = data, .size = sizeof(data), .fail_at_call = 1 };
	struct elf_facts facts;

	test_elf_write(&elf, data);
	cr_assert_eq(elf_facts_read(buffer_read, &buffer, sizeof(data), &facts), -EIO);
	/* a failing program header read: ELF, no entry point */
	buffer = (struct buffer){ .data = data, .size = sizeof(data), .fail_at_call = 2 };
	cr_assert_eq(elf_facts_read(buffer_read, &buffer, sizeof(data), &facts), 0);
	cr_assert(facts.is_elf);
	cr_assert_not(facts.entry_point_valid);
}
