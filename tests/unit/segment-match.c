// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of the exact verifier (lib/segment-match.c) called
 * directly: segments parsed by signature_set_add_source(), windows made by
 * hand at absolute file offsets. Checks the list of starts for
 * variable-length parts, edge assertions (leading against the byte before,
 * BOF passing; trailing deferred with -EAGAIN until bytes arrive, EOF
 * passing), anchored bytes, windows that do not begin at offset 0, and ends
 * outside the window; and the class predicates' exact byte sets. Owns no
 * state.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "segment-match.h"
#include "unit/engine-test.h"

static struct signature_set set;
static struct segment_scratch scratch;

static const struct segment *parse(const char *hex)
{
	char line[512], reason[256] = "";
	unsigned error_line;

	signature_set_init(&set);
	snprintf(line, sizeof(line), "T:0:*:%s\n", hex);
	cr_assert_eq(signature_set_add_source(&set, "s.ndb", (const uint8_t *)line, strlen(line),
					      &error_line, reason, sizeof(reason)), 0, "%s", reason);
	cr_assert_eq(set.bodies[0].segment_count, 1);
	return &set.segments[set.bodies[0].first_segment];
}

static void teardown(void)
{
	segment_scratch_uninit(&scratch);
	signature_set_uninit(&set);
}

TestSuite(segment_match, .fini = teardown);

/* Starts (as a string "1 2") of segment ending at end in window. */
static int starts_of(const struct segment *segment, const struct scan_window *window,
		     uint64_t end, char *out)
{
	const struct segment_start *starts = NULL;
	size_t count = 0;
	int r = segment_match_starts(&set, segment, window, end, &scratch, &starts, &count);

	/* starts come sorted; one start may carry several anchors */
	out[0] = '\0';
	for (size_t i = 0; r == 0 && i < count; ++i)
		if (!i || starts[i].at != starts[i - 1].at)
			sprintf(out + strlen(out), "%s%llu", i ? " " : "",
				(unsigned long long)starts[i].at);
	return r;
}

static struct scan_window window_of(const char *spec, uint64_t offset, uint64_t file_size,
				    uint8_t **ret_data)
{
	size_t size;
	uint8_t *data = test_bytes(spec, &size);

	*ret_data = data;
	return (struct scan_window){ .data = data, .offset = offset, .length = size,
				     .file_size = file_size ? file_size : offset + size };
}

Test(segment_match, variable_length_part_lists_every_start)
{
	const struct segment *segment = parse("(aa|aaaa|aaaaaa)112233");
	uint8_t *data;
	struct scan_window window = window_of("aaaaaaaaaa 112233", 0, 0, &data);
	char starts[256];

	cr_assert_eq(segment->min_length, 4);
	cr_assert_eq(segment->max_length, 6);
	cr_assert_eq(starts_of(segment, &window, 8, starts), 0);
	cr_assert_str_eq(starts, "2 3 4");
	/* a wrong end: nothing */
	cr_assert_eq(starts_of(segment, &window, 7, starts), 0);
	cr_assert_str_eq(starts, "");
	free(data);
}

Test(segment_match, positions_are_file_offsets)
{
	const struct segment *segment = parse("112233??44");
	uint8_t *data;
	struct scan_window window = window_of("00 112233ff44 00", 1000, 0, &data);
	char starts[256];

	cr_assert_eq(starts_of(segment, &window, 1006, starts), 0);
	cr_assert_str_eq(starts, "1001");
	/* an end beyond the window or too early for the segment: nothing */
	cr_assert_eq(starts_of(segment, &window, 1008, starts), 0);
	cr_assert_str_eq(starts, "");
	cr_assert_eq(starts_of(segment, &window, 1003, starts), 0);
	cr_assert_str_eq(starts, "");
	free(data);
}

Test(segment_match, trailing_class_waits_for_the_next_bytes)
{
	const struct segment *segment = parse("112233(L)");
	uint8_t *data;
	/* the window ends right after the segment; the file goes on */
	struct scan_window window = window_of("00 112233", 0, 100, &data);
	char starts[256];

	cr_assert_eq(segment->trailing_class, CLASS_LINE);
	cr_assert_eq(starts_of(segment, &window, 4, starts), -EAGAIN);
	/* at the end of the file it passes */
	window.file_size = 4;
	cr_assert_eq(starts_of(segment, &window, 4, starts), 0);
	cr_assert_str_eq(starts, "1");
	free(data);
	window = window_of("00 112233 0d0a", 0, 0, &data);
	cr_assert_eq(starts_of(segment, &window, 4, starts), 0);
	cr_assert_str_eq(starts, "1");
	free(data);
	window = window_of("00 112233 0d00", 0, 0, &data);
	cr_assert_eq(starts_of(segment, &window, 4, starts), 0);
	cr_assert_str_eq(starts, "");
	free(data);
}

Test(segment_match, leading_class_checks_the_byte_before)
{
	const struct segment *segment = parse("(W)112233");
	uint8_t *data;
	struct scan_window window = window_of("'a' 112233 '.' 112233", 0, 0, &data);
	char starts[256];

	cr_assert_eq(segment->leading_class, CLASS_NONWORD);
	cr_assert_eq(starts_of(segment, &window, 4, starts), 0);
	cr_assert_str_eq(starts, "");
	cr_assert_eq(starts_of(segment, &window, 8, starts), 0);
	cr_assert_str_eq(starts, "5");
	free(data);
	/* at the start of the file there is no byte before: it passes */
	window = window_of("112233", 0, 0, &data);
	cr_assert_eq(starts_of(segment, &window, 3, starts), 0);
	cr_assert_str_eq(starts, "0");
	free(data);
}

Test(segment_match, anchored_byte_before)
{
	const struct segment *segment = parse("ab[1-2]112233");
	uint8_t *data;
	struct scan_window window = window_of("ab 00 112233 ab 000000 112233", 0, 0, &data);
	char starts[256];

	cr_assert(segment->has_anchor);
	cr_assert_eq(segment->anchor_byte, 0xab);
	cr_assert_eq(starts_of(segment, &window, 5, starts), 0);
	cr_assert_str_eq(starts, "2");
	cr_assert_eq(starts_of(segment, &window, 12, starts), 0);
	cr_assert_str_eq(starts, "");
	free(data);
}

Test(segment_match, skip_inside_a_part)
{
	const struct segment *segment = parse("112233[1-3]ab");
	uint8_t *data;
	struct scan_window window = window_of("112233 0000 ab", 0, 0, &data);
	char starts[256];

	cr_assert_eq(segment->min_length, 5);
	cr_assert_eq(segment->max_length, 7);
	cr_assert_eq(starts_of(segment, &window, 6, starts), 0);
	cr_assert_str_eq(starts, "0");
	free(data);
}

Test(segment_match, class_predicates)
{
	unsigned before = 0, middle = 0, after = 0, word = 0;

	for (unsigned b = 0; b < 256; ++b) {
		uint8_t byte = (uint8_t)b;

		before += char_class_accepts_before(CLASS_BOUNDARY, byte);
		middle += char_class_accepts_middle(CLASS_BOUNDARY, byte);
		after += char_class_accepts_after(CLASS_BOUNDARY, &byte, 1);
		word += char_class_accepts_middle(CLASS_NONWORD, byte);
		cr_assert_eq(char_class_accepts_before(CLASS_LINE, byte), b == 0x0a);
		cr_assert(char_class_accepts_before(CLASS_NONE, byte));
	}
	cr_assert_eq(before, 7);
	cr_assert_eq(after, 10);
	cr_assert_eq(middle, 13);
	cr_assert_eq(word, 194);
	cr_assert(char_class_accepts_after(CLASS_LINE, (const uint8_t *)"\r\n", 2));
	cr_assert_not(char_class_accepts_after(CLASS_LINE, (const uint8_t *)"\r", 1));
	cr_assert_not(char_class_accepts_after(CLASS_LINE, (const uint8_t *)"\rx", 2));
	cr_assert(char_class_accepts_after(CLASS_BOUNDARY, NULL, 0));
}
