// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of the .ndb body grammar (lib/sig-hex.c) and of how the
 * engine matches each construct, against the clamscan 1.4.6 behaviour
 * written down in tests/differential/CLAMSCAN-SEMANTICS.md and
 * CLAMAV-NOTES.md. Each construct is loaded through vigil_engine_new() from
 * memory and scanned with vigil_engine_scan_buffer(); planted matches and
 * near misses (gap n-1 / n+1, wrong nibble, byte outside a group) check
 * both sides. A few tests look at the parsed segments through
 * signature.h. Every refusal is checked for its FILE, LINE and reason.
 * Owns no state; engines live for one test.
 */
#include <criterion/criterion.h>

#include "signature.h"
#include "unit/engine-test.h"

/* P and S of CLAMSCAN-SEMANTICS.md */
#define P "11223344"
#define S "55667788"

/* ee ee P <gap bytes of ee> S ee ee */
static uint8_t *gap_file(size_t gap, size_t *ret_size)
{
	size_t size = 2 + 4 + gap + 4 + 2;
	uint8_t *data = malloc(size);

	cr_assert_not_null(data);
	memset(data, 0xee, size);
	memcpy(data + 2, "\x11\x22\x33\x44", 4);
	memcpy(data + 6 + gap, "\x55\x66\x77\x88", 4);
	*ret_size = size;
	return data;
}

static bool engine_hits_gap(struct vigil_engine *engine, size_t gap)
{
	size_t size;
	uint8_t *data = gap_file(gap, &size);
	char *names = scan_data(engine, data, size, NULL);
	bool hit = names[0] != '\0';

	free(names);
	free(data);
	return hit;
}

#define NO_GAP SIZE_MAX

/* Checks which gaps out of the list match the one-line database. */
static void check_gaps(const char *line, const size_t *hits, size_t hit_count,
		       const size_t *misses, size_t miss_count)
{
	struct vigil_engine *engine = engine_from("gap.ndb", line);

	for (size_t i = 0; i < hit_count; ++i)
		if (hits[i] != NO_GAP)
			cr_assert(engine_hits_gap(engine, hits[i]), "%s should match gap %zu", line, hits[i]);
	for (size_t i = 0; i < miss_count; ++i)
		if (misses[i] != NO_GAP)
			cr_assert(!engine_hits_gap(engine, misses[i]), "%s should not match gap %zu", line,
			  misses[i]);
	vigil_engine_unref(engine);
}

#define GAPS(...) ((const size_t[]){ __VA_ARGS__ }), (sizeof((const size_t[]){ __VA_ARGS__ }) / sizeof(size_t))

/* --- bytes and nibbles ------------------------------------------------ */

Test(sig_hex, static_bytes_match_exactly)
{
	assert_hits("T:0:*:" P S, "00 " P S " 00");
	assert_misses("T:0:*:" P S, "00 " P "55667789 00");
	/* upper case hex is the same signature */
	assert_hits("T:0:*:AABBCCDDEEFF", "00 aabbccddeeff 00");
}

Test(sig_hex, wildcard_byte_takes_exactly_one_byte)
{
	assert_hits("T:0:*:" P "??" S, "00 " P "ab" S " 00");
	assert_misses("T:0:*:" P "??" S, "00 " P S " 00");
	assert_misses("T:0:*:" P "??" S, "00 " P "abab" S " 00");
	assert_hits("T:0:*:" P "??????" S, "00 " P "000000" S " 00");
	/* leading and trailing ?? count as bytes of the signature */
	assert_hits("T:0:*:??" P, "ab " P " 00");
	assert_misses("T:0:*:??" P, P " 00 00 00");
	assert_hits("T:0:*:" P "??", "00 00 " P "ab");
	assert_misses("T:0:*:" P "??", "00 00 00 " P);
}

Test(sig_hex, high_nibble_wildcard)
{
	assert_hits("T:0:*:" P "a?" S, "00 " P "a0" S);
	assert_hits("T:0:*:" P "a?" S, "00 " P "af" S);
	assert_misses("T:0:*:" P "a?" S, "00 " P "b5" S);
	assert_misses("T:0:*:" P "a?" S, "00 " P "5a" S);
}

Test(sig_hex, low_nibble_wildcard)
{
	assert_hits("T:0:*:" P "?a" S, "00 " P "0a" S);
	assert_hits("T:0:*:" P "?a" S, "00 " P "fa" S);
	assert_misses("T:0:*:" P "?a" S, "00 " P "ab" S);
	assert_misses("T:0:*:" P "?a" S, "00 " P "a0" S);
}

/* --- gaps --------------------------------------------------------------- */

Test(sig_hex, star_takes_any_gap_in_order)
{
	check_gaps("T:0:*:" P "*" S, GAPS(0, 1, 127, 128, 70000, 3000000), GAPS(NO_GAP));
	/* S before P is no match */
	assert_misses("T:0:*:" P "*" S, "00 " S " 00 00 " P " 00");
}

Test(sig_hex, small_fixed_gap_is_exact)
{
	check_gaps("T:0:*:" P "{5}" S, GAPS(5), GAPS(0, 4, 6, 10));
	check_gaps("T:0:*:" P "{1}" S, GAPS(1), GAPS(0, 2));
	check_gaps("T:0:*:" P "{127}" S, GAPS(127), GAPS(126, 128));
}

Test(sig_hex, large_fixed_gap_is_exact)
{
	check_gaps("T:0:*:" P "{128}" S, GAPS(128), GAPS(127, 129));
	check_gaps("T:0:*:" P "{547}" S, GAPS(547), GAPS(546, 548, 0));
}

Test(sig_hex, open_ended_gap)
{
	check_gaps("T:0:*:" P "{5-}" S, GAPS(5, 6, 100, 70000), GAPS(0, 4));
}

Test(sig_hex, gap_up_to)
{
	check_gaps("T:0:*:" P "{-5}" S, GAPS(0, 1, 5), GAPS(6, 100));
}

Test(sig_hex, gap_range_is_inclusive)
{
	check_gaps("T:0:*:" P "{3-9}" S, GAPS(3, 4, 9), GAPS(0, 2, 10, 200));
	check_gaps("T:0:*:" P "{4-4}" S, GAPS(4), GAPS(3, 5));
	check_gaps("T:0:*:" P "{0-5}" S, GAPS(0, 5), GAPS(6));
	check_gaps("T:0:*:" P "{6-172}" S, GAPS(6, 172), GAPS(5, 173));
}

Test(sig_hex, zero_gaps_mean_star)
{
	check_gaps("T:0:*:" P "{0}" S, GAPS(0, 19, 128, 70000), GAPS(NO_GAP));
	check_gaps("T:0:*:" P "{-0}" S, GAPS(0, 19, 1000, 70000), GAPS(NO_GAP));
	check_gaps("T:0:*:" P "{0-}" S, GAPS(0, 100, 70000), GAPS(NO_GAP));
	/* {n-0} as well (probed by the differential test) */
	check_gaps("T:0:*:" P "{5-0}" S, GAPS(0, 4, 100, 70000), GAPS(NO_GAP));
}

Test(sig_hex, descending_range_loads_and_never_matches)
{
	check_gaps("T:0:*:" P "{9-3}" S, GAPS(NO_GAP), GAPS(0, 3, 5, 9, 100));
}

/* The parsed form: {n} under 128 stays inside one part; 128 and above,
 * ranges and * separate parts with the gap recorded. */
static void parse_one(const char *line, struct signature_set *set)
{
	unsigned error_line;
	char reason[256] = "";

	signature_set_init(set);
	cr_assert_eq(signature_set_add_source(set, "p.ndb", (const uint8_t *)line, strlen(line),
					      &error_line, reason, sizeof(reason)), 0,
		     "%s refused: %s", line, reason);
	cr_assert_eq(set->body_count, 1);
}

Test(sig_hex, parsed_parts_and_gaps)
{
	struct signature_set set;
	const struct segment *segments;

	parse_one("T:0:*:" P "{127}" S, &set);
	cr_assert_eq(set.bodies[0].segment_count, 1);
	cr_assert_eq(set.segments[0].min_length, 4 + 127 + 4);
	cr_assert_eq(set.segments[0].max_length, 4 + 127 + 4);
	signature_set_uninit(&set);

	parse_one("T:0:*:" P "{128}" S "{2-7}" P "*" S "{9-}" P "{-4}" S, &set);
	cr_assert_eq(set.bodies[0].segment_count, 6);
	segments = set.segments + set.bodies[0].first_segment;
	cr_assert_eq(segments[1].gap_min, 128);
	cr_assert_eq(segments[1].gap_max, 128);
	cr_assert_eq(segments[2].gap_min, 2);
	cr_assert_eq(segments[2].gap_max, 7);
	cr_assert_eq(segments[3].gap_min, 0);
	cr_assert_eq(segments[3].gap_max, GAP_UNBOUNDED);
	cr_assert_eq(segments[4].gap_min, 9);
	cr_assert_eq(segments[4].gap_max, GAP_UNBOUNDED);
	cr_assert_eq(segments[5].gap_min, 0);
	cr_assert_eq(segments[5].gap_max, 4);
	for (int i = 0; i < 6; ++i)
		cr_assert_eq(segments[i].min_length, 4);
	signature_set_uninit(&set);
}

Test(sig_hex, many_parts_in_order)
{
	const char *line = "T:0:*:" P "*" S "*" P "{2-3}" S "{200}aabbccdd";
	struct vigil_engine *engine = engine_from("parts.ndb", line);
	size_t size;
	uint8_t *head = test_bytes(P "00" S "0000" P "0000" S, &size);
	uint8_t data[1024];
	char *names;

	memset(data, 0xee, sizeof(data));
	memcpy(data, head, size);
	memcpy(data + size + 200, "\xaa\xbb\xcc\xdd", 4);
	names = scan_data(engine, data, size + 204 + 10, NULL);
	cr_assert_str_eq(names, "T");
	free(names);
	/* the last part one byte too far: no match */
	memset(data + size, 0xee, 300);
	memcpy(data + size + 201, "\xaa\xbb\xcc\xdd", 4);
	names = scan_data(engine, data, size + 205 + 10, NULL);
	cr_assert_str_eq(names, "");
	free(names);
	free(head);
	vigil_engine_unref(engine);
}

/* --- alternatives ------------------------------------------------------- */

Test(sig_hex, single_byte_alternatives)
{
	const char *line = "T:0:*:" P "(57|5c|f0|fa)" S;

	assert_hits(line, "00 " P "57" S);
	assert_hits(line, "00 " P "fa" S);
	assert_misses(line, "00 " P "58" S);
	assert_misses(line, "00 " P S);
}

Test(sig_hex, multi_byte_alternatives)
{
	const char *line = "T:0:*:" P "(09f683|6c7ab2)" S;

	assert_hits(line, "00 " P "09f683" S);
	assert_hits(line, "00 " P "6c7ab2" S);
	assert_misses(line, "00 " P "09f6b2" S);
	assert_misses(line, "00 " P "09f6" S);
}

Test(sig_hex, variable_length_alternatives)
{
	const char *line = "T:0:*:" P "(36|95cd|adb4c3)" S;

	assert_hits(line, "00 " P "36" S);
	assert_hits(line, "00 " P "95cd" S);
	assert_hits(line, "00 " P "adb4c3" S);
	assert_misses(line, "00 " P "95" S);
	assert_misses(line, "00 " P "adb4" S);
}

Test(sig_hex, alternatives_with_wildcards_and_fixed_runs)
{
	assert_hits("T:0:*:" P "(cc??|aa)" S, "00 " P "cc00" S);
	assert_hits("T:0:*:" P "(cc??|aa)" S, "00 " P "ccff" S);
	assert_hits("T:0:*:" P "(cc??|aa)" S, "00 " P "aa" S);
	assert_misses("T:0:*:" P "(cc??|aa)" S, "00 " P "cc" S);
	assert_hits("T:0:*:" P "(c?|{2})" S, "00 " P "c5" S);
	assert_hits("T:0:*:" P "(c?|{2})" S, "00 " P "0102" S);
	assert_misses("T:0:*:" P "(c?|{2})" S, "00 " P "d5" S);
}

Test(sig_hex, empty_alternative_matches_nothing_there)
{
	const char *line = "T:0:*:" P "(aa|)" S;

	assert_hits(line, "00 " P "aa" S);
	assert_hits(line, "00 " P S);
	assert_misses(line, "00 " P "bb" S);
}

Test(sig_hex, empty_alternative_in_a_part_prefix_never_matches_empty)
{
	/* before the part's first run of 3 fixed bytes clamscan never lets
	 * an empty branch match empty */
	assert_hits("T:0:*:1122(aa|)3344556677", "00 1122aa3344556677");
	assert_misses("T:0:*:1122(aa|)3344556677", "00 11223344556677");
}

Test(sig_hex, nested_alternatives_flatten)
{
	const char *line = "T:0:*:" P "(aa|(bb|cc))" S;

	assert_hits(line, "00 " P "aa" S);
	assert_hits(line, "00 " P "bb" S);
	assert_hits(line, "00 " P "cc" S);
	assert_misses(line, "00 " P "dd" S);
	assert_hits("T:0:*:" P "((aa|bb)|cc)" S, "00 " P "cc" S);
	assert_hits("T:0:*:" P "(aabb|(bbcc|dd))" S, "00 " P "bbcc" S);
	assert_hits("T:0:*:" P "(aabb|(bbcc|dd))" S, "00 " P "dd" S);
	assert_misses("T:0:*:" P "(aabb|(bbcc|dd))" S, "00 " P "bb" S);
}

Test(sig_hex, alternative_first_and_last)
{
	assert_hits("T:0:*:(aa|bb)" P, "00 bb" P);
	assert_misses("T:0:*:(aa|bb)" P, "00 cc" P);
	assert_hits("T:0:*:" P "(aa|bb)", "00 " P "aa");
	assert_misses("T:0:*:" P "(aa|bb)", "00 00 " P);
}

Test(sig_hex, negated_single_bytes)
{
	const char *line = "T:0:*:" P "!(be|ff)" S;

	assert_hits(line, "00 " P "cc" S);
	assert_hits(line, "00 " P "00" S);
	assert_misses(line, "00 " P "be" S);
	assert_misses(line, "00 " P "ff" S);
	/* it still takes one byte */
	assert_misses(line, "00 " P S);
}

Test(sig_hex, negated_multi_byte)
{
	const char *line = "T:0:*:" P "!(8267|9d3a|fd7a)" S;

	assert_hits(line, "00 " P "8268" S);
	assert_hits(line, "00 " P "9d7a" S);
	assert_misses(line, "00 " P "9d3a" S);
	assert_misses(line, "00 " P "fd7a" S);
}

Test(sig_hex, negation_needs_bytes_at_end_of_file)
{
	assert_hits("T:0:*:" P S "!(aa)", "00 " P S "bb");
	assert_misses("T:0:*:" P S "!(aa)", "00 00 " P S);
	assert_misses("T:0:*:" P S "!(aabb|ccdd)", "00 " P S "bb");
	assert_hits("T:0:*:" P S "!(aabb|ccdd)", "00 " P S "bbbb");
}

/* --- [x-y] --------------------------------------------------------------- */

Test(sig_hex, anchored_byte_before)
{
	const char *line = "T:0:*:ab[1-3]" P;

	assert_hits(line, "00 ab 00" P);
	assert_hits(line, "00 ab 000000" P);
	assert_misses(line, "00 ab" P " 00");
	assert_misses(line, "00 ab 00000000" P);
	assert_misses(line, "00 ac 00" P);
	assert_hits("T:0:*:ab[0-0]" P, "00 ab" P);
	assert_misses("T:0:*:ab[0-0]" P, "00 ab00" P);
}

Test(sig_hex, anchored_byte_after)
{
	const char *line = "T:0:*:" P "[0-2]ab";

	assert_hits(line, "00 " P "ab 00");
	assert_hits(line, "00 " P "0000ab 00");
	assert_misses(line, "00 " P "000000ab");
	assert_misses(line, "00 " P "00ac 00");
	assert_hits("T:0:*:d1221be7b2bc[3-23]51", "d1221be7b2bc" "000000" "51");
	assert_hits("T:0:*:d1221be7b2bc[3-23]51", "d1221be7b2bc" "0000000000000000000000000000000000000000000000" "51");
	assert_misses("T:0:*:d1221be7b2bc[3-23]51", "d1221be7b2bc" "0000" "51");
}

Test(sig_hex, anchored_byte_offset_names_the_static_part)
{
	/* ab at 8, four gap bytes, P at 13 */
	const char *file = "0000000000000000 ab 00000000" P "000000";

	assert_hits("T:0:13:ab[2-4]" P, file);
	assert_misses("T:0:8:ab[2-4]" P, file);
	/* with the byte on the right the offset names P */
	assert_hits("T:0:8:" P "[2-4]ab", "0000000000000000" P "0000 ab 0000");
	assert_misses("T:0:12:" P "[2-4]ab", "0000000000000000" P "0000 ab 0000");
}

/* --- character classes ----------------------------------------------------- */

/* The bytes b for which file (with b at the marked place) matches. */
static void class_set(const char *line, const char *before, const char *after, bool *ret_accepts)
{
	struct vigil_engine *engine = engine_from("class.ndb", line);
	size_t before_size, after_size;
	uint8_t *head = test_bytes(before, &before_size), *tail = test_bytes(after, &after_size);
	uint8_t *data = malloc(before_size + 1 + after_size);

	cr_assert_not_null(data);
	memcpy(data, head, before_size);
	memcpy(data + before_size + 1, tail, after_size);
	for (unsigned b = 0; b < 256; ++b) {
		char *names;

		data[before_size] = (uint8_t)b;
		names = scan_data(engine, data, before_size + 1 + after_size, NULL);
		ret_accepts[b] = names[0] != '\0';
		free(names);
	}
	free(data);
	free(head);
	free(tail);
	vigil_engine_unref(engine);
}

static void check_class_set(const char *line, const char *before, const char *after,
			    const uint8_t *expected, size_t expected_count)
{
	bool accepts[256], want[256] = { false };

	for (size_t i = 0; i < expected_count; ++i)
		want[expected[i]] = true;
	class_set(line, before, after, accepts);
	for (unsigned b = 0; b < 256; ++b)
		cr_assert_eq(accepts[b], want[b], "%s: byte %02x %s", line, b,
			     want[b] ? "should match" : "should not match");
}

static size_t nonword_bytes(uint8_t *out)
{
	size_t count = 0;

	for (unsigned b = 0; b < 256; ++b)
		if (!((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')))
			out[count++] = (uint8_t)b;
	return count;
}

#define WORD "4142434445464748" /* ABCDEFGH */
#define Q4 "'QQQQ'"

Test(sig_hex, boundary_leading_byte_set)
{
	static const uint8_t set[] = { 0x20, 0x2d, 0x2e, 0x2f, 0x3c, 0x40, 0x5f };

	check_class_set("T:0:*:(B)" WORD, Q4, "'ABCDEFGH'" Q4, set, sizeof(set));
}

Test(sig_hex, boundary_trailing_byte_set)
{
	static const uint8_t set[] = { 0x0a, 0x0d, 0x20, 0x22, 0x27, 0x2d, 0x2f, 0x3d, 0x3e, 0x5f };

	check_class_set("T:0:*:" WORD "(B)", Q4 "'ABCDEFGH'", Q4, set, sizeof(set));
}

Test(sig_hex, boundary_middle_is_the_union_and_takes_one_byte)
{
	static const uint8_t set[] = { 0x0a, 0x0d, 0x20, 0x22, 0x27, 0x2d, 0x2e, 0x2f, 0x3c, 0x3d,
				       0x3e, 0x40, 0x5f };

	check_class_set("T:0:*:41424344(B)45464748", Q4 "'ABCD'", "'EFGH'" Q4, set, sizeof(set));
	assert_misses("T:0:*:41424344(B)45464748", Q4 "'ABCDEFGH'" Q4);
}

Test(sig_hex, line_class_byte_sets)
{
	static const uint8_t newline[] = { 0x0a };

	check_class_set("T:0:*:(L)" WORD, Q4, "'ABCDEFGH'" Q4, newline, 1);
	check_class_set("T:0:*:" WORD "(L)", Q4 "'ABCDEFGH'", Q4, newline, 1);
	check_class_set("T:0:*:41424344(L)45464748", Q4 "'ABCD'", "'EFGH'" Q4, newline, 1);
}

Test(sig_hex, line_class_takes_crlf_after_and_in_the_middle)
{
	assert_hits("T:0:*:" WORD "(L)", Q4 "'ABCDEFGH' 0d0a" Q4);
	assert_misses("T:0:*:" WORD "(L)", Q4 "'ABCDEFGH' 0d" Q4);
	assert_hits("T:0:*:41424344(L)45464748", Q4 "'ABCD' 0d0a 'EFGH'" Q4);
	assert_hits("T:0:*:41424344(L)45464748", Q4 "'ABCD' 0a 'EFGH'" Q4);
	assert_misses("T:0:*:41424344(L)45464748", Q4 "'ABCD' 0d 'EFGH'" Q4);
	/* leading (L): only \n before, not a lone \r */
	assert_misses("T:0:*:(L)" WORD, Q4 "0d 'ABCDEFGH'" Q4);
}

Test(sig_hex, line_class_in_a_part_prefix_takes_only_newline)
{
	assert_hits("T:0:*:1122(L)3344556677", "00 1122 0a 3344556677");
	assert_misses("T:0:*:1122(L)3344556677", "00 1122 0d0a 3344556677");
	assert_hits("T:0:*:112233(L)44556677", "00 112233 0d0a 44556677");
}

Test(sig_hex, nonword_class_byte_sets)
{
	uint8_t set[256];
	size_t count = nonword_bytes(set);

	cr_assert_eq(count, 194);
	check_class_set("T:0:*:(W)" WORD, Q4, "'ABCDEFGH'" Q4, set, count);
	check_class_set("T:0:*:" WORD "(W)", Q4 "'ABCDEFGH'", Q4, set, count);
	check_class_set("T:0:*:41424344(W)45464748", Q4 "'ABCD'", "'EFGH'" Q4, set, count);
}

Test(sig_hex, classes_accept_start_and_end_of_file)
{
	assert_hits("T:0:*:(B)" WORD, "'ABCDEFGH'" Q4);
	assert_hits("T:0:*:(L)" WORD, "'ABCDEFGH'" Q4);
	assert_hits("T:0:*:(W)" WORD, "'ABCDEFGH'" Q4);
	assert_hits("T:0:*:" WORD "(B)", Q4 "'ABCDEFGH'");
	assert_hits("T:0:*:" WORD "(L)", Q4 "'ABCDEFGH'");
	assert_hits("T:0:*:" WORD "(W)", Q4 "'ABCDEFGH'");
	assert_hits("T:0:*:(B)" WORD "(B)", "'ABCDEFGH'");
}

Test(sig_hex, classes_add_no_length_to_offsets)
{
	/* (B) leading: the offset names the first real byte */
	assert_hits("T:0:1:(B)" WORD, "20 'ABCDEFGH'" Q4);
	assert_misses("T:0:0:(B)" WORD, "20 'ABCDEFGH'" Q4);
	/* trailing: EOF-8 is the word itself */
	assert_hits("T:0:EOF-8:" WORD "(B)", Q4 "'ABCDEFGH'");
}

/* --- refusals ------------------------------------------------------------ */

Test(sig_hex, refuses_odd_hex)
{
	check_ndb_refused("Odd:0:*:1122334", "odd number of digits");
}

Test(sig_hex, refuses_bad_characters)
{
	check_ndb_refused("Bad:0:*:11223g44", "unexpected 'g'");
	check_ndb_refused("Space:0:*:1122 3344", "unexpected ' '");
}

Test(sig_hex, refuses_leading_trailing_and_double_star)
{
	check_ndb_refused("Lead:0:*:*11223344", "leading, trailing or doubled gap");
	check_ndb_refused("Trail:0:*:11223344*", "ends with a gap");
	check_ndb_refused("Double:0:*:112233**445566", "leading, trailing or doubled gap");
	check_ndb_refused("LeadRange:0:*:{3-5}11223344", "leading, trailing or doubled gap");
	check_ndb_refused("LeadSmall:0:*:{3}11223344", "can't start with a gap");
}

Test(sig_hex, refuses_empty_hex)
{
	check_ndb_refused("Empty:0:*:", "empty hex signature");
}

Test(sig_hex, refuses_all_wildcards)
{
	check_ndb_refused("Wild:0:*:????????", "fixed byte");
	check_ndb_refused("WildPart:0:*:11223344*????", "fixed byte");
}

Test(sig_hex, refuses_bad_braces)
{
	check_ndb_refused("Brace:0:*:1122{x}3344", "malformed {} range");
	check_ndb_refused("Brace2:0:*:1122{-}3344", "malformed {} range");
	check_ndb_refused("Brace3:0:*:1122{3-4", "malformed {} range");
}

Test(sig_hex, refuses_bad_anchored_ranges)
{
	check_ndb_refused("Desc:0:*:ab[5-2]11223344", "ascending and at most 32");
	check_ndb_refused("Wide:0:*:ab[1-40]11223344", "ascending and at most 32");
	check_ndb_refused("TwoLeft:0:*:abcd[1-3]11223344", "single fixed byte");
	check_ndb_refused("TwoRight:0:*:11223344[1-3]156d", "single fixed byte");
	check_ndb_refused("Malformed:0:*:ab[1]11223344", "malformed [x-y]");
	check_ndb_refused("Nothing:0:*:[1-2]11223344", "needs a single byte");
	check_ndb_refused("TwoSkips:0:*:ab[1-2]11223344[1-2]cd", "only one [x-y]");
}

Test(sig_hex, refuses_negated_generic_alternatives)
{
	check_ndb_refused("NegVar:0:*:11223344!(aa|bbcc)55667788", "negation operation");
	check_ndb_refused("NegWild:0:*:11223344!(a?|bb)55667788", "negation operation");
	check_ndb_refused("NegWild2:0:*:11223344!(??|bb)55667788", "negation operation");
	check_ndb_refused("NegBang:0:*:11223344!aa55667788", "'!' must be followed by '('");
}

Test(sig_hex, refuses_unbounded_wildcards_inside_alternatives)
{
	check_ndb_refused("AltStar:0:*:11223344(aa*bb|cc)55667788", "unbounded wildcards");
	check_ndb_refused("AltRange:0:*:11223344(aa[1-2]bb|cc)55667788", "unbounded wildcards");
	check_ndb_refused("AltBrace:0:*:11223344(aa{1-2}bb|cc)55667788", "fixed n");
	check_ndb_refused("AltNeg:0:*:11223344(aa|!(bb))55667788", "negation inside");
}

Test(sig_hex, refuses_unterminated_and_empty_groups)
{
	check_ndb_refused("Open:0:*:11223344(aa|bb", "unterminated alternative group");
	check_ndb_refused("Nothing:0:*:11223344(|)55667788", "matches nothing");
}

Test(sig_hex, refuses_what_clamscan_refuses_at_a_part_start)
{
	/* CLAMSCAN-SEMANTICS.md "The prefix of a part" */
	check_ndb_refused("A:0:*:11(aa|bbcc)2233445566", "single byte before");
	check_ndb_refused("B:0:*:11(W)2233445566", "single byte before");
	check_ndb_refused("C:0:*:??" "(L)3f471f1251d78629cc8f", "?? before a class");
	check_loads("ok.ndb", "D:0:*:(L)??" "3f471f1251d78629cc8f\n");
	check_loads("ok.ndb", "E:0:*:11{2}223344556677\n");
}

/* clamscan 1.4.6 refuses a signature that is one part of only one or two
 * static bytes ("cli_bm_addpatt: ... too short"), a part after a gap that
 * is a single byte, and a part without a run of two static bytes
 * ("cli_ac_addsig: ... too short"): each line below was probed with
 * `clamscan -d t.ndb` and refused (Malformed database). Any that vigil
 * loads makes it detect with a signature clamscan would not load. */
Test(sig_hex, refuses_too_short_parts_like_clamscan)
{
	static const char *const lines[] = {
		"Short2:0:*:4142",
		"Short1:0:*:41",
		"OneByteAfterStar:0:*:414243*47",
		"OneByteAfterRange:0:*:41424344{2-5}49",
		"NoRunOfTwo:0:*:41??43",
		"OneByteFirstPart:0:*:41*424344",
		"ByteAndGroup:0:*:41(42|43)",
		"NibbleRun:0:*:41424344*4?4a",
	};
	unsigned loaded = 0;
	char names[512] = "";

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); ++i) {
		struct vigil_engine *engine = NULL;
		struct vigil_load_error error;
		char text[256];

		snprintf(text, sizeof(text), "%s\n", lines[i]);
		if (try_load("short.ndb", text, &engine, &error) == 0) {
			loaded++;
			strncat(names, lines[i], sizeof(names) - strlen(names) - 2);
			strcat(names, " ");
			vigil_engine_unref(engine);
		} else {
			cr_assert_eq(error.line, 1);
		}
	}
	if (loaded)
		cr_assert_fail("BUG: vigil loads %u signature(s) clamscan 1.4.6 refuses as too short: %s",
			     loaded, names);
}
