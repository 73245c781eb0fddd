// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: parses the hex body of a ClamAV body signature (the fourth
 * field of an .ndb line) into segments and elements in the signature set's
 * pools. Owns the body grammar and its refusals; does not own the line's
 * other fields (sig-ndb.c) or matching (matcher.c, segment-match.c).
 *
 *   sig_ndb_parse_line() -> sig_hex_parse() -> segments[], elements[],
 *                                              alternatives[], bytes[]
 *
 * Grammar (clamscan 1.4.6, CLAMAV-NOTES.md): hex pairs; ?? a? ?a; {n} with
 * n < 128 as n wildcard bytes inside a segment; *, {n-m}, {n-}, {-n} and
 * {n} with n >= 128 as gaps between segments; (a|b) and !(a|b) with fixed
 * or variable-length alternatives (wildcards and {n} inside, never * or
 * ranges; negation only over fixed-length, wildcard-free alternatives);
 * [x-y] beside a single byte at a segment's edge; (B) (L) (W), which are
 * assertions on the neighbouring byte at a segment's edge and consume one
 * byte inside it. On any refusal nothing is left half-added: the caller
 * truncates the pools back (signature_set_add_source does).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signature.h"

/* Bounds on one signature, checked before anything grows. */
#define MAX_SEGMENT_LENGTH 65536
#define MAX_ALTERNATIVE_LENGTH 255
#define SMALL_FIXED_GAP 128

struct hex_parser {
	struct signature_set *set;
	struct body_signature *body;
	const char *text;
	size_t length;
	size_t position;
	char *reason;
	size_t reason_size;
	/* The segment being built. */
	struct segment segment;
	bool segment_open;
	/* The signature holds a {..} range: clamscan then splits at every
	 * {n} too (CLAMSCAN-SEMANTICS.md), so what follows has a prefix of
	 * its own. */
	bool split_fixed_gaps;
	size_t tokens_in_segment;
	/* [x-y] seen in the open segment: element index, and whether a single
	 * byte preceded it from the segment's start. */
	long pending_skip;
};

static int __attribute__((format(printf, 2, 3)))
refuse(struct hex_parser *parser, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(parser->reason, parser->reason_size, format, args);
	va_end(args);
	return -EINVAL;
}

/* Reads one byte token: two hex digits, ?? , a? or ?a. */
static int parse_pattern_byte(struct hex_parser *parser, struct pattern_byte *ret_byte)
{
	const char *p = parser->text + parser->position;
	int high, low;

	if (parser->position + 2 > parser->length)
		return refuse(parser, "malformed hex string: odd number of digits at column %zu",
			      parser->position + 1);
	high = p[0] == '?' ? -2 : sig_hex_digit(p[0]);
	low = p[1] == '?' ? -2 : sig_hex_digit(p[1]);
	if (high == -1 || low == -1)
		return refuse(parser, "malformed hex string: unexpected '%c' at column %zu",
			      high == -1 ? p[0] : p[1],
			      parser->position + (high == -1 ? 1 : 2));
	ret_byte->value = (uint8_t)(((high < 0 ? 0 : high) << 4) | (low < 0 ? 0 : low));
	ret_byte->mask = (uint8_t)((high < 0 ? 0 : 0xf0) | (low < 0 ? 0 : 0x0f));
	parser->position += 2;
	return 0;
}

static int parse_number(struct hex_parser *parser, uint32_t *ret_value)
{
	const char *start = parser->text + parser->position;
	unsigned long value = 0;
	size_t digits = 0;

	while (parser->position < parser->length &&
	       start[digits] >= '0' && start[digits] <= '9') {
		value = value * 10 + (unsigned long)(start[digits] - '0');
		if (value > 100000000UL)
			return refuse(parser, "number too large at column %zu",
				      parser->position + 1);
		++digits;
		++parser->position;
	}
	if (!digits)
		return -ENOENT;
	*ret_value = (uint32_t)value;
	return 0;
}

static bool at(struct hex_parser *parser, char c)
{
	return parser->position < parser->length && parser->text[parser->position] == c;
}

static int push_element(struct hex_parser *parser, const struct element *element)
{
	struct signature_set *set = parser->set;
	long index = signature_set_push((void **)&set->elements, &set->element_count,
					&set->element_capacity, sizeof(*element), 1);

	if (index < 0)
		return (int)index;
	set->elements[index] = *element;
	if (!parser->segment_open) {
		parser->segment_open = true;
		parser->segment.first_element = (uint32_t)index;
		parser->segment.element_count = 0;
	}
	parser->segment.element_count++;
	parser->tokens_in_segment++;
	return 0;
}

static void element_lengths(const struct signature_set *set, const struct element *element,
			    uint32_t *ret_min, uint32_t *ret_max)
{
	switch (element->kind) {
	case ELEMENT_BYTE:
		*ret_min = *ret_max = 1;
		break;
	case ELEMENT_CLASS:
		*ret_min = 1;
		*ret_max = element->char_class == CLASS_LINE ? 2 : 1;
		break;
	case ELEMENT_SKIP:
		*ret_min = element->skip.min;
		*ret_max = element->skip.max;
		break;
	case ELEMENT_ALTERNATIVES:
		*ret_min = UINT32_MAX;
		*ret_max = 0;
		for (uint32_t i = 0; i < element->alternatives.count; ++i) {
			uint32_t length = set->alternatives[element->alternatives.first + i].length;

			if (length < *ret_min)
				*ret_min = length;
			if (length > *ret_max)
				*ret_max = length;
		}
		break;
	}
}

/* Checks the [x-y] rule once the segment's tokens are known. */
static int check_skip(struct hex_parser *parser)
{
	const struct element *elements;
	size_t skip_index, count;
	bool byte_before, byte_after;

	if (parser->pending_skip < 0)
		return 0;
	elements = parser->set->elements + parser->segment.first_element;
	count = parser->segment.element_count;
	skip_index = (size_t)parser->pending_skip - parser->segment.first_element;
	byte_before = skip_index == 1 && elements[0].kind == ELEMENT_BYTE && elements[0].byte.mask == 0xff;
	byte_after = skip_index + 2 == count && elements[count - 1].kind == ELEMENT_BYTE &&
		     elements[count - 1].byte.mask == 0xff;
	if (!byte_before && !byte_after)
		return refuse(parser, "[x-y] needs a single fixed byte on one side");
	if (byte_before && skip_index + 1 >= count)
		return refuse(parser, "[x-y] needs bytes after it");
	return 0;
}

static bool is_fixed_byte(const struct element *element)
{
	return element->kind == ELEMENT_BYTE && element->byte.mask == 0xff;
}

static bool is_variable_or_empty_group(const struct signature_set *set, const struct element *element)
{
	uint32_t element_min = 0, element_max = 0;

	if (element->kind != ELEMENT_ALTERNATIVES)
		return false;
	element_lengths(set, element, &element_min, &element_max);
	return element_min != element_max || element_min == 0;
}

/* What clamscan's pattern array holds at a unit: a fixed byte's value, or
 * something non-zero for every wildcard, nibble, group or class. */
static unsigned unit_value(const struct element *elements, uint32_t count, uint32_t i)
{
	if (i >= count)
		return 0;
	return is_fixed_byte(&elements[i]) ? elements[i].byte.value : 0x100;
}

/* Where clamscan anchors a part in its Aho-Corasick trie (depth 2 to 3):
 * at 0 when the first three units are fixed and not all zero; else at
 * the first run of three fixed bytes, or failing that the last run of
 * two, avoiding runs that start with two zero bytes when it can. */
static int find_anchor(struct hex_parser *parser, const struct element *elements,
		       uint32_t count, uint32_t *ret_anchor)
{
	enum { MIN_DEPTH = 2, MAX_DEPTH = 3 };
	uint32_t run = 0, position = 0, nonzero_run = 0, nonzero_position = 0;
	bool wildcard_prefix = false, zero_prefix = true;

	for (uint32_t i = 0; i < MAX_DEPTH && i < count; ++i) {
		if (!is_fixed_byte(&elements[i])) {
			wildcard_prefix = true;
			break;
		}
		if (elements[i].byte.value)
			zero_prefix = false;
	}
	if (!wildcard_prefix && !zero_prefix) {
		*ret_anchor = 0;
		return 0;
	}
	for (uint32_t i = 0; i + MIN_DEPTH <= count; ++i) {
		for (uint32_t j = i; j < i + MAX_DEPTH && j < count; ++j) {
			if (!is_fixed_byte(&elements[j]))
				break;
			if (j - i + 1 >= run) {
				run = j - i + 1;
				position = i;
			}
			if (unit_value(elements, count, position) ||
			    unit_value(elements, count, position + 1)) {
				if (run >= MAX_DEPTH)
					break;
				if (run >= MIN_DEPTH && run > nonzero_run) {
					nonzero_run = run;
					nonzero_position = position;
				}
			}
		}
		if (run >= MAX_DEPTH && (unit_value(elements, count, position) ||
					 unit_value(elements, count, position + 1)))
			break;
	}
	if (!unit_value(elements, count, position) && !unit_value(elements, count, position + 1) &&
	    nonzero_run) {
		run = nonzero_run;
		position = nonzero_position;
	}
	if (!run)
		return refuse(parser, "a part of the signature has no fixed byte (all wildcards or classes)");
	if (run < MIN_DEPTH)
		return refuse(parser, "a part of the signature has no run of %d fixed bytes", MIN_DEPTH);
	*ret_anchor = position;
	return 0;
}

/* Marks the units before the anchor, where clamscan matches backwards:
 * (L) takes only \n there and an empty alternative never matches empty;
 * and it checks a signature's offset also at the anchor less the prefix's
 * length counting classes as 0 (CLAMSCAN-SEMANTICS.md). */
static int mark_prefix(struct hex_parser *parser, struct element *elements, uint32_t count)
{
	uint32_t anchor = 0, prefix_length = 0, prefix_min_length = 0;
	int r;

	r = find_anchor(parser, elements, count, &anchor);
	if (r < 0)
		return r;
	if (count >= 2 && elements[0].kind == ELEMENT_BYTE && anchor > 0) {
		const struct element *next = &elements[1];

		if (elements[0].byte.mask && (next->kind == ELEMENT_CLASS ||
					      is_variable_or_empty_group(parser->set, next)))
			return refuse(parser, "a single byte before a class or a variable-length group at the start of a part (clamscan refuses it)");
		if (!elements[0].byte.mask && next->kind == ELEMENT_CLASS)
			return refuse(parser, "?? before a class at the start of a part (clamscan refuses it)");
	}
	for (uint32_t i = 0; i < anchor; ++i) {
		uint32_t element_min = 0, element_max = 0;

		elements[i].in_prefix = 1;
		if (elements[i].kind != ELEMENT_CLASS) {
			element_lengths(parser->set, &elements[i], &element_min, &element_max);
			prefix_length += element_max;
			prefix_min_length += element_min;
		}
	}
	parser->segment.anchor_index = anchor;
	parser->segment.prefix_length = prefix_length;
	parser->segment.prefix_min_length = prefix_min_length;
	return 0;
}

/* Closes the open segment: moves edge classes out into assertions, checks
 * what the matcher needs, and appends it to the signature. */
static int close_segment(struct hex_parser *parser, uint32_t next_gap_min, uint32_t next_gap_max)
{
	struct signature_set *set = parser->set;
	struct segment *segment = &parser->segment;
	struct element *elements;
	bool has_fixed_byte = false;
	uint64_t min_length = 0, max_length = 0;
	long index;
	int r;

	if (!parser->segment_open)
		return refuse(parser, "empty part of the signature before column %zu (leading, trailing or doubled gap)",
			      parser->position + 1);
	r = check_skip(parser);
	if (r < 0)
		return r;
	elements = set->elements + segment->first_element;
	if (segment->element_count > 1 && elements[0].kind == ELEMENT_CLASS) {
		segment->leading_class = elements[0].char_class;
		segment->first_element++;
		segment->element_count--;
		elements++;
	}
	if (segment->element_count > 1 && elements[segment->element_count - 1].kind == ELEMENT_CLASS) {
		segment->trailing_class = elements[segment->element_count - 1].char_class;
		segment->element_count--;
		/* The element stays in the pool, unused; harmless. */
	}
	if (parser->pending_skip == (long)segment->first_element + 1 && !segment->leading_class) {
		/* ab[x-y]REST: ab becomes a look-behind anchor, and the part
		 * (and the signature's offset) starts at REST, as in clamscan. */
		segment->has_anchor = 1;
		segment->anchor_byte = elements[0].byte.value;
		segment->anchor_min = elements[1].skip.min;
		segment->anchor_max = elements[1].skip.max;
		segment->first_element += 2;
		segment->element_count -= 2;
		elements += 2;
	}
	/* clamscan's Aho-Corasick trie needs parts of two units at least. */
	if (segment->element_count < 2)
		return refuse(parser, "a part of the signature is shorter than 2 bytes (clamscan refuses it)");
	/* A trailing [x-y]ab is no unit of clamscan's pattern. */
	r = mark_prefix(parser, elements, segment->element_count -
			(parser->pending_skip >= 0 && !segment->has_anchor ? 2 : 0));
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < segment->element_count; ++i) {
		uint32_t element_min = 0, element_max = 0;

		element_lengths(set, &elements[i], &element_min, &element_max);
		min_length += element_min;
		max_length += element_max;
		if (elements[i].kind == ELEMENT_BYTE && elements[i].byte.mask == 0xff)
			has_fixed_byte = true;
		if (elements[i].kind == ELEMENT_ALTERNATIVES)
			has_fixed_byte = true;
	}
	if (!has_fixed_byte)
		return refuse(parser, "a part of the signature has no fixed byte (all wildcards or classes)");
	if (max_length > MAX_SEGMENT_LENGTH)
		return refuse(parser, "a part of the signature is longer than %d bytes", MAX_SEGMENT_LENGTH);
	if (min_length == 0)
		return refuse(parser, "a part of the signature can match nothing");
	segment->min_length = (uint32_t)min_length;
	segment->max_length = (uint32_t)max_length;

	index = signature_set_push((void **)&set->segments, &set->segment_count,
				   &set->segment_capacity, sizeof(*segment), 1);
	if (index < 0)
		return (int)index;
	if (!parser->body->segment_count)
		parser->body->first_segment = (uint32_t)index;
	parser->body->segment_count++;
	set->segments[index] = *segment;

	memset(segment, 0, sizeof(*segment));
	segment->gap_min = next_gap_min;
	segment->gap_max = next_gap_max;
	segment->signature = (uint32_t)parser->set->body_count;
	parser->segment_open = false;
	parser->tokens_in_segment = 0;
	parser->pending_skip = -1;
	return 0;
}

/* One alternative inside ( ): bytes, ??, nibbles and {n}. Appends to the
 * byte pool; returns the alternative in *ret. */
static int parse_alternative(struct hex_parser *parser, struct alternative *ret,
			     bool *ret_has_wildcard, unsigned *depth)
{
	struct signature_set *set = parser->set;

	ret->first_byte = (uint32_t)set->byte_count;
	ret->length = 0;
	while (parser->position < parser->length && !at(parser, '|') &&
	       !(at(parser, ')') && !*depth)) {
		struct pattern_byte byte;
		uint32_t repeat = 1;
		long index;
		int r;

		/* clamscan flattens nested groups: (aa|(bb|cc)) is (aa|bb|cc). */
		if (at(parser, '(')) {
			parser->position++;
			++*depth;
			continue;
		}
		if (at(parser, ')')) {
			parser->position++;
			--*depth;
			continue;
		}
		if (at(parser, '!'))
			return refuse(parser, "negation inside an alternative group (column %zu)",
				      parser->position + 1);
		if (at(parser, '*') || at(parser, '['))
			return refuse(parser, "alternative match cannot contain unbounded wildcards or ranges (column %zu)",
				      parser->position + 1);
		if (at(parser, '{')) {
			parser->position++;
			r = parse_number(parser, &repeat);
			if (r < 0 || !at(parser, '}'))
				return refuse(parser, "alternative may hold only {n} with a fixed n (column %zu)",
					      parser->position + 1);
			parser->position++;
			byte.value = 0;
			byte.mask = 0;
		} else {
			r = parse_pattern_byte(parser, &byte);
			if (r < 0)
				return r;
		}
		if (ret->length + repeat > MAX_ALTERNATIVE_LENGTH)
			return refuse(parser, "alternative longer than %d bytes", MAX_ALTERNATIVE_LENGTH);
		if (byte.mask != 0xff)
			*ret_has_wildcard = true;
		index = signature_set_push((void **)&set->bytes, &set->byte_count,
					   &set->byte_capacity, sizeof(byte), repeat);
		if (index < 0)
			return (int)index;
		for (uint32_t i = 0; i < repeat; ++i)
			set->bytes[index + i] = byte;
		ret->length += repeat;
	}
	return 0;
}

static int parse_alternatives(struct hex_parser *parser, bool negated)
{
	struct signature_set *set = parser->set;
	struct element element = { .kind = ELEMENT_ALTERNATIVES, .negated = negated };
	size_t open_column = parser->position;
	bool has_wildcard = false, variable_length = false;
	uint32_t first_length = 0;
	unsigned depth = 0;

	parser->position++; /* ( */
	element.alternatives.first = (uint32_t)set->alternative_count;
	for (;;) {
		struct alternative alternative;
		long index;
		int r = parse_alternative(parser, &alternative, &has_wildcard, &depth);

		if (r < 0)
			return r;
		if (!element.alternatives.count)
			first_length = alternative.length;
		else if (alternative.length != first_length)
			variable_length = true;
		index = signature_set_push((void **)&set->alternatives, &set->alternative_count,
					   &set->alternative_capacity, sizeof(alternative), 1);
		if (index < 0)
			return (int)index;
		set->alternatives[index] = alternative;
		if (++element.alternatives.count > MAX_ALTERNATIVES)
			return refuse(parser, "more than %d alternatives in the group at column %zu",
				      MAX_ALTERNATIVES, open_column + 1);
		if (at(parser, '|')) {
			parser->position++;
			continue;
		}
		if (at(parser, ')')) {
			parser->position++;
			break;
		}
		return refuse(parser, "unterminated alternative group at column %zu", open_column + 1);
	}
	if (!first_length && !variable_length)
		return refuse(parser, "alternative group at column %zu matches nothing", open_column + 1);
	if (negated && (variable_length || has_wildcard || !first_length))
		return refuse(parser, "can't apply negation operation to generic alternate strings (column %zu)",
			      open_column + 1);
	return push_element(parser, &element);
}

/* (B), (L) or (W); the caller saw '('. Returns 1 when it was one. */
static int parse_class(struct hex_parser *parser)
{
	const char *p = parser->text + parser->position;
	struct element element = { .kind = ELEMENT_CLASS };
	int r;

	if (parser->position + 3 > parser->length || p[2] != ')')
		return 0;
	switch (p[1]) {
	case 'B': element.char_class = CLASS_BOUNDARY; break;
	case 'L': element.char_class = CLASS_LINE; break;
	case 'W': element.char_class = CLASS_NONWORD; break;
	default: return 0;
	}
	parser->position += 3;
	r = push_element(parser, &element);
	return r < 0 ? r : 1;
}

/* {...}: a small fixed run stays in the segment; anything else is a gap. */
static int parse_brace(struct hex_parser *parser)
{
	size_t open_column = parser->position;
	uint32_t low = 0, high = GAP_UNBOUNDED;
	bool has_low, has_dash = false;
	int r;

	parser->position++;
	r = parse_number(parser, &low);
	if (r < 0 && r != -ENOENT)
		return r;
	has_low = r == 0;
	if (at(parser, '-')) {
		has_dash = true;
		parser->position++;
		r = parse_number(parser, &high);
		if (r < 0 && r != -ENOENT)
			return r;
		if (r == -ENOENT)
			high = GAP_UNBOUNDED;
	}
	if (!at(parser, '}') || (!has_low && !has_dash) || (!has_low && high == GAP_UNBOUNDED))
		return refuse(parser, "malformed {} range at column %zu", open_column + 1);
	parser->position++;
	/* clamscan reads {0}, {0-}, {-0} and {n-0} as * (any gap). */
	if ((!has_dash && low == 0) || (has_dash && high == 0))
		return close_segment(parser, 0, GAP_UNBOUNDED);
	if (!has_dash) {
		high = low;
		if (low < SMALL_FIXED_GAP && !parser->split_fixed_gaps) {
			struct element element = { .kind = ELEMENT_BYTE, .byte = { 0, 0 } };

			if (!parser->segment_open)
				return refuse(parser, "signature can't start with a gap (column %zu)",
					      open_column + 1);
			for (uint32_t i = 0; i < low; ++i) {
				r = push_element(parser, &element);
				if (r < 0)
					return r;
			}
			return 0;
		}
	}
	return close_segment(parser, low, high);
}

/* [x-y]: the caller saw '['. */
static int parse_skip(struct hex_parser *parser)
{
	size_t open_column = parser->position;
	struct element element = { .kind = ELEMENT_SKIP };
	int r;

	parser->position++;
	r = parse_number(parser, &element.skip.min);
	if (r < 0 || !at(parser, '-'))
		return refuse(parser, "malformed [x-y] at column %zu", open_column + 1);
	parser->position++;
	r = parse_number(parser, &element.skip.max);
	if (r < 0 || !at(parser, ']'))
		return refuse(parser, "malformed [x-y] at column %zu", open_column + 1);
	parser->position++;
	if (element.skip.min > element.skip.max || element.skip.max > MAX_SKIP)
		return refuse(parser, "[%u-%u] at column %zu: the range must be ascending and at most %d",
			      element.skip.min, element.skip.max, open_column + 1, MAX_SKIP);
	/* A single fixed byte must stand on one side of [x-y]: either it is
	 * the segment's only element so far, or exactly one byte follows it
	 * to the segment's end (checked in sig_hex_parse). */
	if (!parser->segment_open)
		return refuse(parser, "[x-y] at column %zu needs a single byte before or after it",
			      open_column + 1);
	parser->pending_skip = (long)(parser->set->element_count);
	return push_element(parser, &element);
}

/* Does the body hold {n-m}, {n-}, {-n} or {n} with n >= 128 (outside
 * alternative groups)? */
static bool holds_range(const char *hex, size_t length)
{
	unsigned depth = 0;

	for (size_t i = 0; i < length; ++i) {
		if (hex[i] == '(')
			depth++;
		else if (hex[i] == ')' && depth)
			depth--;
		else if (hex[i] == '{' && !depth) {
			unsigned long value = 0;
			size_t j = i + 1;

			for (; j < length && hex[j] != '}'; ++j) {
				if (hex[j] == '-')
					return true;
				if (hex[j] >= '0' && hex[j] <= '9' && value < 1000000)
					value = value * 10 + (unsigned long)(hex[j] - '0');
			}
			if (value >= SMALL_FIXED_GAP)
				return true;
		}
	}
	return false;
}

/* A signature of fixed bytes only goes to clamscan's Boyer-Moore matcher,
 * which wants three bytes at least. */
static int check_static_length(struct hex_parser *parser)
{
	const struct signature_set *set = parser->set;
	const struct segment *segment = &set->segments[parser->body->first_segment];

	if (parser->body->segment_count != 1 || segment->leading_class || segment->trailing_class ||
	    segment->has_anchor || segment->element_count >= 3)
		return 0;
	for (uint32_t i = 0; i < segment->element_count; ++i)
		if (!is_fixed_byte(&set->elements[segment->first_element + i]))
			return 0;
	return refuse(parser, "a signature of fixed bytes only must be 3 bytes long at least (clamscan refuses it)");
}

int sig_hex_parse(struct signature_set *set, struct body_signature *body,
		  const char *hex, size_t length, char *reason, size_t reason_size)
{
	struct hex_parser parser = {
		.set = set, .body = body, .text = hex, .length = length,
		.reason = reason, .reason_size = reason_size, .pending_skip = -1,
	};
	int r;

	parser.segment.signature = (uint32_t)set->body_count;
	if (!length)
		return refuse(&parser, "empty hex signature");
	parser.split_fixed_gaps = holds_range(hex, length);
	body->segment_count = 0;
	while (parser.position < parser.length) {
		char c = hex[parser.position];

		if (c == '*') {
			parser.position++;
			r = close_segment(&parser, 0, GAP_UNBOUNDED);
		} else if (c == '{') {
			r = parse_brace(&parser);
		} else if (c == '[') {
			if (parser.pending_skip >= 0)
				return refuse(&parser, "only one [x-y] per part (column %zu)", parser.position + 1);
			r = parse_skip(&parser);
		} else if (c == '!') {
			parser.position++;
			if (!at(&parser, '('))
				return refuse(&parser, "'!' must be followed by '(' (column %zu)", parser.position);
			r = parse_alternatives(&parser, true);
		} else if (c == '(') {
			r = parse_class(&parser);
			if (r == 0)
				r = parse_alternatives(&parser, false);
		} else {
			struct pattern_byte byte;
			struct element element = { .kind = ELEMENT_BYTE };

			r = parse_pattern_byte(&parser, &byte);
			if (r == 0) {
				element.byte = byte;
				r = push_element(&parser, &element);
			}
		}
		if (r < 0)
			return r;
	}
	if (!parser.segment_open)
		return refuse(&parser, "signature ends with a gap");
	r = close_segment(&parser, 0, 0);
	if (r < 0)
		return r;
	return check_static_length(&parser);
}
