// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the exact verifier. Given one segment and the end offset at
 * which Hyperscan (a prefilter that may over-report) saw it, it lists every
 * start offset from which the segment really matches and ends there,
 * honouring masks, alternatives (also negated), [x-y] skips, mid-segment
 * classes and the edge assertions. It reads only the scan window the
 * matcher keeps (the last bytes of the file read so far) and owns nothing
 * but its scratch position lists, which the caller passes in.
 *
 *   matcher.c: Hyperscan hit (segment, end) -> segment_match_starts()
 *              -> starts[] -> chain logic in matcher.c
 *
 * Work is bounded: positions are kept unique and sorted, at most
 * max_length + 1 of them, so one call costs O(elements x max_length x
 * alternatives) in the worst case.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "segment-match.h"

/* Measured against clamscan 1.4.6 byte by byte (CLAMAV-NOTES.md Q6). */
static bool boundary_before(uint8_t byte)
{
	switch (byte) {
	case 0x20: case 0x2d: case 0x2e: case 0x2f: case 0x3c: case 0x40: case 0x5f:
		return true;
	}
	return false;
}

static bool boundary_after(uint8_t byte)
{
	switch (byte) {
	case 0x0a: case 0x0d: case 0x20: case 0x22: case 0x27: case 0x2d: case 0x2f:
	case 0x3d: case 0x3e: case 0x5f:
		return true;
	}
	return false;
}

static bool is_word_byte(uint8_t byte)
{
	return (byte >= '0' && byte <= '9') || (byte >= 'A' && byte <= 'Z') ||
	       (byte >= 'a' && byte <= 'z');
}

bool char_class_accepts_before(uint8_t char_class, uint8_t byte)
{
	switch (char_class) {
	case CLASS_BOUNDARY: return boundary_before(byte);
	case CLASS_LINE: return byte == '\n';
	case CLASS_NONWORD: return !is_word_byte(byte);
	}
	return true;
}

bool char_class_accepts_middle(uint8_t char_class, uint8_t byte)
{
	switch (char_class) {
	case CLASS_BOUNDARY: return boundary_before(byte) || boundary_after(byte);
	case CLASS_LINE: return byte == '\n';
	case CLASS_NONWORD: return !is_word_byte(byte);
	}
	return true;
}

bool char_class_accepts_after(uint8_t char_class, const uint8_t *after, size_t available)
{
	if (!available)
		return true; /* end of file */
	switch (char_class) {
	case CLASS_BOUNDARY: return boundary_after(after[0]);
	case CLASS_LINE:
		return after[0] == '\n' || (after[0] == '\r' && available > 1 && after[1] == '\n');
	case CLASS_NONWORD: return !is_word_byte(after[0]);
	}
	return true;
}

static inline const uint8_t *window_at(const struct scan_window *window, uint64_t offset)
{
	return window->data + (offset - window->offset);
}

static inline bool byte_matches(const struct pattern_byte *pattern, uint8_t byte)
{
	return (byte & pattern->mask) == (pattern->value & pattern->mask);
}

static bool run_matches(const struct pattern_byte *run, uint32_t length, const uint8_t *data)
{
	for (uint32_t i = 0; i < length; ++i)
		if (!byte_matches(&run[i], data[i]))
			return false;
	return true;
}

static int compare_starts(const void *a, const void *b)
{
	const struct segment_start *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->anchor < y->anchor ? -1 : x->anchor > y->anchor;
}

static size_t sort_unique(struct segment_start *starts, size_t count)
{
	size_t kept = 0;

	if (count < 2)
		return count;
	qsort(starts, count, sizeof(*starts), compare_starts);
	for (size_t i = 0; i < count; ++i)
		if (!kept || compare_starts(&starts[kept - 1], &starts[i]))
			starts[kept++] = starts[i];
	return kept;
}

static int grow(struct segment_scratch *scratch, size_t needed)
{
	struct segment_start *current, *next;
	size_t capacity;

	if (needed <= scratch->capacity)
		return 0;
	capacity = scratch->capacity ? scratch->capacity : 64;
	while (capacity < needed)
		capacity *= 2;
	current = realloc(scratch->current, capacity * sizeof(*current));
	if (!current)
		return -ENOMEM;
	scratch->current = current;
	next = realloc(scratch->next, capacity * sizeof(*next));
	if (!next)
		return -ENOMEM;
	scratch->next = next;
	scratch->capacity = capacity;
	return 0;
}

/* Adds to next[] every start s such that the element spans [s, end),
 * each keeping the anchor of the position it came from. */
static size_t element_offsets(const struct signature_set *set, const struct element *element,
			      const struct scan_window *window, uint64_t end,
			      uint64_t *next, size_t count);

static size_t element_starts(const struct signature_set *set, const struct element *element,
			     const struct scan_window *window, const struct segment_start *from,
			     struct segment_start *next, size_t count)
{
	uint64_t offsets[MAX_ALTERNATIVES + MAX_SKIP + 2];
	size_t found = element_offsets(set, element, window, from->at, offsets, 0);

	for (size_t i = 0; i < found; ++i)
		next[count++] = (struct segment_start){ .at = offsets[i], .anchor = from->anchor };
	return count;
}

static size_t element_offsets(const struct signature_set *set, const struct element *element,
			      const struct scan_window *window, uint64_t end,
			      uint64_t *next, size_t count)
{
	uint64_t lowest = window->offset;

	switch (element->kind) {
	case ELEMENT_BYTE:
		if (end >= lowest + 1 && byte_matches(&element->byte, *window_at(window, end - 1)))
			next[count++] = end - 1;
		break;
	case ELEMENT_CLASS:
		if (end < lowest + 1)
			break;
		if (char_class_accepts_middle(element->char_class, *window_at(window, end - 1)))
			next[count++] = end - 1;
		if (element->char_class == CLASS_LINE && !element->in_prefix && end >= lowest + 2 &&
		    !memcmp(window_at(window, end - 2), "\r\n", 2))
			next[count++] = end - 2;
		break;
	case ELEMENT_SKIP:
		for (uint64_t skip = element->skip.min; skip <= element->skip.max; ++skip)
			if (end >= lowest + skip)
				next[count++] = end - skip;
		break;
	case ELEMENT_ALTERNATIVES: {
		const struct alternative *alternatives = set->alternatives + element->alternatives.first;
		bool any = false;
		uint32_t length = alternatives[0].length;

		for (uint32_t i = 0; i < element->alternatives.count; ++i) {
			const struct alternative *alternative = &alternatives[i];

			if (end < lowest + alternative->length)
				continue;
			if (!alternative->length && element->in_prefix)
				continue;
			if (!run_matches(set->bytes + alternative->first_byte, alternative->length,
					 window_at(window, end - alternative->length)))
				continue;
			if (element->negated) {
				any = true;
				break;
			}
			next[count++] = end - alternative->length;
		}
		/* Negated groups hold equal-length, wildcard-free alternatives
		 * only (sig-hex.c refuses the rest). */
		if (element->negated && !any && end >= lowest + length)
			next[count++] = end - length;
		break;
	}
	}
	return count;
}

static size_t element_max_starts(const struct signature_set *set, const struct element *element)
{
	switch (element->kind) {
	case ELEMENT_CLASS: return 2;
	case ELEMENT_SKIP: return element->skip.max - element->skip.min + 1;
	case ELEMENT_ALTERNATIVES: return element->alternatives.count;
	default: return 1;
	}
	(void)set;
}

/* ab[x-y]REST: is byte ab x..y bytes before start? */
static bool anchor_present(const struct segment *segment, const struct scan_window *window,
			   uint64_t start)
{
	for (uint64_t skip = segment->anchor_min; skip <= segment->anchor_max; ++skip) {
		uint64_t position;

		if (start < skip + 1)
			break;
		position = start - skip - 1;
		if (position < window->offset)
			break;
		if (*window_at(window, position) == segment->anchor_byte)
			return true;
	}
	return false;
}

int segment_match_starts(const struct signature_set *set, const struct segment *segment,
			 const struct scan_window *window, uint64_t end,
			 struct segment_scratch *scratch, const struct segment_start **ret_starts,
			 size_t *ret_count)
{
	const struct element *elements = set->elements + segment->first_element;
	size_t count = 1, kept = 0;
	int r;

	*ret_count = 0;
	if (end > window->offset + window->length || end < window->offset + segment->min_length)
		return 0;
	r = grow(scratch, 64);
	if (r < 0)
		return r;
	scratch->current[0] = (struct segment_start){ .at = end, .anchor = end };
	for (uint32_t i = segment->element_count; i-- > 0;) {
		const struct element *element = &elements[i];
		size_t most = element_max_starts(set, element), next_count = 0;
		struct segment_start *swap;

		r = grow(scratch, count * most + 1);
		if (r < 0)
			return r;
		for (size_t j = 0; j < count; ++j)
			next_count = element_starts(set, element, window, &scratch->current[j],
						    scratch->next, next_count);
		if (!next_count)
			return 0;
		if (i == segment->anchor_index)
			for (size_t j = 0; j < next_count; ++j)
				scratch->next[j].anchor = scratch->next[j].at;
		if (most > 1 || i == segment->anchor_index)
			next_count = sort_unique(scratch->next, next_count);
		swap = scratch->current;
		scratch->current = scratch->next;
		scratch->next = swap;
		count = next_count;
	}
	if (segment->trailing_class) {
		uint64_t available = window->offset + window->length - end;

		if (end < window->file_size && available < 2 && end + available < window->file_size)
			return -EAGAIN; /* the caller holds the hit until more data */
		if (!char_class_accepts_after(segment->trailing_class,
					      end < window->offset + window->length ?
					      window_at(window, end) : NULL,
					      available > 2 ? 2 : (size_t)available))
			return 0;
	}
	for (size_t j = 0; j < count; ++j) {
		uint64_t start = scratch->current[j].at;

		if (segment->leading_class && start > 0) {
			if (start - 1 < window->offset)
				continue;
			if (!char_class_accepts_before(segment->leading_class,
						       *window_at(window, start - 1)))
				continue;
		}
		if (segment->has_anchor && !anchor_present(segment, window, start))
			continue;
		scratch->current[kept++] = scratch->current[j];
	}
	*ret_starts = scratch->current;
	*ret_count = kept;
	return 0;
}

void segment_scratch_uninit(struct segment_scratch *scratch)
{
	free(scratch->current);
	free(scratch->next);
	memset(scratch, 0, sizeof(*scratch));
}
