// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of the .ndb line (lib/sig-ndb.c): fields, functionality
 * levels, target types 0 and 6, and every offset form (*, n, n,m, EOF-n,
 * EOF-n,m, EP+n, EP-n on a synthetic ELF built here), each with planted
 * matches one byte inside and outside the allowed range; and the refusal
 * of every malformed field with FILE:LINE and a reason. Goes through
 * vigil_engine_new() and vigil_engine_scan_buffer(); owns no state.
 */
#include <criterion/criterion.h>

#include "unit/elf-test.h"
#include "unit/engine-test.h"

#define P "11223344"
#define PB "\x11\x22\x33\x44"

/* size bytes of 0xee with P at offset (no P when offset is SIZE_MAX). */
static uint8_t *planted(size_t size, size_t offset)
{
	uint8_t *data = malloc(size);

	cr_assert_not_null(data);
	memset(data, 0xee, size);
	if (offset != SIZE_MAX)
		memcpy(data + offset, PB, 4);
	return data;
}

static char *scan_planted(struct vigil_engine *engine, size_t size, size_t offset)
{
	uint8_t *data = planted(size, offset);
	char *names = scan_data(engine, data, size, NULL);

	free(data);
	return names;
}

/* Which starts in [from, to] of a size-byte file match line? bitmask. */
static uint64_t matching_starts(const char *line, size_t size, size_t from, size_t to)
{
	struct vigil_engine *engine = engine_from("offset.ndb", line);
	uint64_t mask = 0;

	cr_assert_lt(to - from, 64);
	for (size_t start = from; start <= to; ++start) {
		char *names = scan_planted(engine, size, start);

		if (names[0])
			mask |= 1ULL << (start - from);
		free(names);
	}
	vigil_engine_unref(engine);
	return mask;
}

#define BITS(from, to) ((~0ULL >> (63 - (to) + (from))) << (from))

Test(sig_ndb, offset_any)
{
	cr_assert_eq(matching_starts("T:0:*:" P, 40, 0, 36), BITS(0, 36));
}

Test(sig_ndb, offset_absolute)
{
	/* starts 5..15 checked; only 10 */
	cr_assert_eq(matching_starts("T:0:10:" P, 40, 5, 15), 1ULL << 5);
	cr_assert_eq(matching_starts("T:0:0:" P, 40, 0, 3), 1ULL << 0);
}

Test(sig_ndb, offset_absolute_range_is_inclusive)
{
	/* starts 5..20 checked; 10..13 match */
	cr_assert_eq(matching_starts("T:0:10,3:" P, 40, 5, 20), BITS(5, 8));
	cr_assert_eq(matching_starts("T:0:10,0:" P, 40, 5, 20), BITS(5, 5));
}

Test(sig_ndb, offset_from_end)
{
	/* 38-byte file: EOF-28 is start 10 */
	cr_assert_eq(matching_starts("T:0:EOF-28:" P, 38, 5, 20), 1ULL << 5);
	cr_assert_eq(matching_starts("T:0:EOF-4:" P, 38, 30, 34), 1ULL << 4);
	/* EOF-n larger than the file: never */
	cr_assert_eq(matching_starts("T:0:EOF-100:" P, 38, 0, 34), 0);
}

Test(sig_ndb, offset_from_end_range)
{
	cr_assert_eq(matching_starts("T:0:EOF-28,3:" P, 38, 5, 20), BITS(5, 8));
}

Test(sig_ndb, offset_names_the_first_byte_wildcards_included)
{
	/* ??P matched with P at 11 for offset 10 */
	cr_assert_eq(matching_starts("T:0:10:??" P, 40, 5, 15), 1ULL << 6);
	cr_assert_eq(matching_starts("T:0:10:!(00|01)" P, 40, 5, 15), 1ULL << 6);
	cr_assert_eq(matching_starts("T:0:10:" P "??", 40, 5, 15), 1ULL << 5);
	cr_assert_eq(matching_starts("T:0:10:" P "*eeee", 40, 5, 15), 1ULL << 5);
	cr_assert_eq(matching_starts("T:0:10:" P "{3-4}eeee", 40, 5, 15), 1ULL << 5);
}

Test(sig_ndb, offset_uses_the_size_of_a_multi_part_signature)
{
	/* P at 10, 55667788 anywhere after: the offset binds only the first part */
	struct vigil_engine *engine = engine_from("parts.ndb", "T:0:10:" P "*55667788\n");
	uint8_t data[200];
	char *names;

	memset(data, 0xee, sizeof(data));
	memcpy(data + 10, PB, 4);
	memcpy(data + 150, "\x55\x66\x77\x88", 4);
	names = scan_data(engine, data, sizeof(data), NULL);
	cr_assert_str_eq(names, "T");
	free(names);
	memset(data, 0xee, sizeof(data));
	memcpy(data + 11, PB, 4);
	memcpy(data + 150, "\x55\x66\x77\x88", 4);
	names = scan_data(engine, data, sizeof(data), NULL);
	cr_assert_str_eq(names, "");
	free(names);
	vigil_engine_unref(engine);
}

/* --- target 6 and EP ----------------------------------------------------- */

#define ELF_SIZE 0x2000

static uint8_t *elf_with(const struct test_elf *elf, size_t plant_at)
{
	uint8_t *data = calloc(1, ELF_SIZE);

	cr_assert_not_null(data);
	memset(data, 0xee, ELF_SIZE);
	memset(data, 0, 0x200);
	test_elf_write(elf, data);
	if (plant_at != SIZE_MAX)
		memcpy(data + plant_at, PB, 4);
	return data;
}

static char *scan_elf(const char *ndb, const struct test_elf *elf, size_t plant_at)
{
	struct vigil_engine *engine = engine_from("elf.ndb", ndb);
	uint8_t *data = elf_with(elf, plant_at);
	char *names = scan_data(engine, data, ELF_SIZE, NULL);

	free(data);
	vigil_engine_unref(engine);
	return names;
}

#define assert_elf_names(ndb, elf, at, expected) do { \
		char *names_ = scan_elf(ndb, elf, at); \
		cr_assert_str_eq(names_, expected, "%s with P at %#zx", ndb, (size_t)(at)); \
		free(names_); \
	} while (0)

Test(sig_ndb, target_elf_matches_only_elf_files)
{
	struct test_elf elf = test_elf_default();
	uint8_t *data = elf_with(&elf, 0x1500);
	struct vigil_engine *engine = engine_from("t.ndb", "Elf:6:*:" P "\nAny:0:*:" P "\n");
	char *names = scan_data(engine, data, ELF_SIZE, NULL);

	cr_assert_str_eq(names, "Elf Any");
	free(names);
	/* the same bytes without the magic */
	data[0] = 0x7e;
	names = scan_data(engine, data, ELF_SIZE, NULL);
	cr_assert_str_eq(names, "Any");
	free(names);
	/* the magic alone makes it ELF (bad EI_CLASS still counts) */
	data[0] = 0x7f;
	data[4] = 5;
	names = scan_data(engine, data, ELF_SIZE, NULL);
	cr_assert_str_eq(names, "Elf Any");
	free(names);
	free(data);
	vigil_engine_unref(engine);
}

Test(sig_ndb, entry_point_offsets)
{
	struct test_elf elf = test_elf_default();
	size_t ep = TEST_ELF_ENTRY_OFFSET;

	assert_elf_names("T:6:EP+0:" P, &elf, ep, "T");
	assert_elf_names("T:6:EP+0:" P, &elf, ep + 1, "");
	assert_elf_names("T:6:EP+0:" P, &elf, ep - 1, "");
	assert_elf_names("T:6:EP+16:" P, &elf, ep + 16, "T");
	assert_elf_names("T:6:EP+16:" P, &elf, ep + 15, "");
	assert_elf_names("T:6:EP-3:" P, &elf, ep - 3, "T");
	assert_elf_names("T:6:EP-3:" P, &elf, ep - 2, "");
	assert_elf_names("T:6:EP+0,5:" P, &elf, ep + 5, "T");
	assert_elf_names("T:6:EP+0,5:" P, &elf, ep, "T");
	assert_elf_names("T:6:EP+0,5:" P, &elf, ep + 6, "");
}

Test(sig_ndb, entry_point_of_elf32_and_big_endian)
{
	struct test_elf elf = test_elf_default();

	elf.is32 = true;
	assert_elf_names("T:6:EP+0:" P, &elf, TEST_ELF_ENTRY_OFFSET, "T");
	elf.big_endian = true;
	assert_elf_names("T:6:EP+0:" P, &elf, TEST_ELF_ENTRY_OFFSET, "T");
	elf.is32 = false;
	assert_elf_names("T:6:EP+0:" P, &elf, TEST_ELF_ENTRY_OFFSET, "T");
	assert_elf_names("T:6:EP+0:" P, &elf, TEST_ELF_ENTRY_OFFSET + 1, "");
}

Test(sig_ndb, entry_point_maps_through_the_first_header_holding_it)
{
	struct test_elf elf = test_elf_default();

	/* memsz, not filesz, decides; a PT_NOTE counts as well */
	elf.headers[0] = (struct test_program_header){ .type = 4, .offset = 0x100,
						       .vaddr = 0x400000, .filesz = 0x100,
						       .memsz = 0x2000 };
	assert_elf_names("T:6:EP+0:" P, &elf, 0x1200, "T");
	/* two headers hold it: the first wins */
	elf.phnum = 2;
	elf.headers[1] = (struct test_program_header){ .type = 1, .offset = 0, .vaddr = 0x401000,
						       .filesz = 0x1000, .memsz = 0x1000 };
	assert_elf_names("T:6:EP+0:" P, &elf, 0x1200, "T");
	assert_elf_names("T:6:EP+0:" P, &elf, 0x100, "");
	/* the first does not hold it (memsz too short): the second maps it */
	elf.headers[0].memsz = 0x100;
	assert_elf_names("T:6:EP+0:" P, &elf, 0x100, "T");
}

Test(sig_ndb, no_entry_point_no_ep_match_but_other_target6_match)
{
	struct test_elf elf = test_elf_default();
	const char *db = "Ep:6:EP+0:" P "\nAny6:6:*:" P "\n";

	elf.entry = 0x900000; /* outside every header */
	assert_elf_names(db, &elf, TEST_ELF_ENTRY_OFFSET, "Any6");
	elf = test_elf_default();
	elf.headers[0].memsz = 0x100; /* filesz big, memsz short */
	assert_elf_names(db, &elf, TEST_ELF_ENTRY_OFFSET, "Any6");
	elf = test_elf_default();
	elf.phnum = 0;
	assert_elf_names(db, &elf, TEST_ELF_ENTRY_OFFSET, "Any6");
}

Test(sig_ndb, entry_point_only_for_target_6)
{
	check_ndb_refused("Ep0:0:EP+0:" P, "invalid offset type for target 0");
	check_ndb_refused("Ep0m:0:EP-4:" P, "invalid offset type for target 0");
	check_ndb_refused("S0:0:S0+0:" P, "invalid offset type for target 0");
	check_ndb_refused("SE:6:SE0:" P, "section offsets");
	check_ndb_refused("SL:6:SL+0:" P, "section offsets");
}

/* CLAMSCAN-SEMANTICS.md: for a file with the ELF magic whose EP clamscan
 * cannot compute, EOF-n offsets never match (target 0 too). */
Test(sig_ndb, eof_offsets_on_elf_without_entry_point)
{
	struct test_elf elf = test_elf_default();
	struct vigil_engine *engine = engine_from("eof.ndb", "Eof:0:EOF-8:" P "55667788\n");
	uint8_t *data = elf_with(&elf, SIZE_MAX);
	char *names;

	memcpy(data + ELF_SIZE - 8, PB "\x55\x66\x77\x88", 8);
	names = scan_data(engine, data, ELF_SIZE, NULL);
	cr_assert_str_eq(names, "Eof", "a good ELF matches EOF-8");
	free(names);
	data[4] = 5; /* bad EI_CLASS */
	names = scan_data(engine, data, ELF_SIZE, NULL);
	free(data);
	vigil_engine_unref(engine);
	if (names[0]) {
		free(names);
		cr_assert_fail("BUG: EOF-n matched on an ELF with a bad EI_CLASS; clamscan 1.4.6 never matches EOF-n where it cannot compute the EP (CLAMSCAN-SEMANTICS.md, \"EOF offsets on broken ELF files\")");
	}
	free(names);
}

/* --- fields -------------------------------------------------------------- */

Test(sig_ndb, functionality_levels)
{
	struct vigil_engine *engine = engine_from("fl.ndb",
		"Min51:0:*:" P ":51\n"
		"Range:0:*:" P ":51:255\n"
		"TooNew:0:*:" P ":300\n"
		"TooOld:0:*:" P ":1:2\n"
		"Exact:0:*:" P ":216:216\n");
	struct vigil_engine_stats stats;
	char *names;

	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.body_signatures, 3);
	names = scan_spec(engine, "00 " P " 00");
	cr_assert_str_eq(names, "Min51 Range Exact");
	free(names);
	vigil_engine_unref(engine);
}

Test(sig_ndb, comments_crlf_and_no_final_newline)
{
	struct vigil_engine *engine = engine_from("c.ndb",
		"# a comment\r\nA:0:*:" P "\r\n#another\nB:0:*:55667788");
	char *names = scan_spec(engine, "00 " P "55667788 00");

	cr_assert_str_eq(names, "A B");
	free(names);
	vigil_engine_unref(engine);
}

Test(sig_ndb, names_keep_spaces_and_report_in_load_order)
{
	struct vigil_engine *engine = engine_from("n.ndb",
		"Z last:0:*:55667788\nA first:0:*:" P "\n");
	char *names = scan_spec(engine, "00 " P "55667788 00");

	cr_assert_str_eq(names, "Z last A first");
	free(names);
	vigil_engine_unref(engine);
}

Test(sig_ndb, refuses_bad_field_counts)
{
	check_ndb_refused("Seven:0:*:" P ":51:255:1", "too many fields");
	check_ndb_refused("Three:0:*", "too few fields");
	check_ndb_refused(P, "too few fields");
}

Test(sig_ndb, refuses_bad_names)
{
	check_ndb_refused(":0:*:" P, "name empty");
	check_ndb_refused("Tab\tName:0:*:" P, "control character");
}

Test(sig_ndb, refuses_bad_offsets)
{
	check_ndb_refused("Neg:0:-5:" P, "invalid offset value '-5'");
	check_ndb_refused("EofPlus:0:EOF+5:" P, "invalid offset value 'EOF+5'");
	check_ndb_refused("StarRange:0:*,5:" P, "invalid offset value '*,5'");
	check_ndb_refused("Three:0:1,2,3:" P, "invalid offset value '1,2,3'");
	check_ndb_refused("Empty:0::" P, "invalid offset value ''");
	check_ndb_refused("Eof:0:EOF-:" P, "invalid offset value");
	check_ndb_refused("Huge:0:99999999999999999999:" P, "invalid offset value");
	check_ndb_refused("Word:0:abc:" P, "invalid offset value 'abc'");
}

/* "EP+" with no number is refused, but with the reason "section offsets
 * ('EP+') are not supported by vigil", which misnames the problem. */
Test(sig_ndb, refuses_entry_point_without_number_as_invalid_value)
{
	struct vigil_engine *engine = NULL;
	struct vigil_load_error error;

	cr_assert_lt(try_load("ep.ndb", "Ep:6:EP+:" P "\n", &engine, &error), 0);
	cr_assert_eq(error.line, 1);
	if (strstr(error.reason, "section offsets"))
		cr_assert_fail("BUG: 'Ep:6:EP+:...' is refused as \"%s\"; it is an invalid offset value",
			     error.reason);
	cr_assert(strstr(error.reason, "invalid offset value"), "%s", error.reason);
}

Test(sig_ndb, refuses_bad_target_types)
{
	check_ndb_refused("T1:1:*:" P, "target type 1 is not supported");
	check_ndb_refused("T7:7:*:" P, "target type 7 is not supported");
	check_ndb_refused("Tx:x:*:" P, "invalid target type 'x'");
	check_ndb_refused("Tn:-1:*:" P, "invalid target type '-1'");
	check_ndb_refused("Te::*:" P, "invalid target type ''");
}

Test(sig_ndb, refuses_bad_functionality_levels)
{
	check_ndb_refused("F:0:*:" P ":x", "invalid minimum functionality level 'x'");
	check_ndb_refused("F:0:*:" P ":51:y", "invalid maximum functionality level 'y'");
	check_ndb_refused("F:0:*:" P ":-1", "invalid minimum functionality level");
}

Test(sig_ndb, refuses_empty_lines_and_files_at_their_line)
{
	check_refused("blank.ndb", "A:0:*:" P "\n\nB:0:*:" P "\n", 2, "empty line");
	check_refused("blank.ndb", "A:0:*:" P "\r\n\r\n", 2, "empty line");
	check_refused("empty.ndb", "", 0, "empty database file");
	check_refused("comments.ndb", "# only\n# comments\n", 0, "empty database file");
	/* the bad line's number counts comments too */
	check_refused("late.ndb", "#1\nA:0:*:" P "\n#3\n#4\nBad:0:*:zz\n", 5, "unexpected 'z'");
}

Test(sig_ndb, one_bad_line_refuses_the_whole_set)
{
	struct vigil_source sources[2] = {
		{ .name = "good.ndb", .data = (const uint8_t *)"A:0:*:" P "\n", .size = 15, .fd = -1 },
		{ .name = "bad.ndb", .data = (const uint8_t *)"B:0:*:" P "\nC:0:*:1\n", .size = 24,
		  .fd = -1 },
	};
	struct vigil_engine *engine = NULL;
	struct vigil_load_error error;

	cr_assert_lt(try_load_sources(sources, 2, NULL, &engine, &error), 0);
	cr_assert_null(engine);
	cr_assert_str_eq(error.file, "bad.ndb");
	cr_assert_eq(error.line, 2);
	cr_assert(strstr(error.reason, "odd number of digits"), "%s", error.reason);
}
