// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the body-signature matcher. Owns the Hyperscan database built
 * from the signature set (one expression per segment, id = segment index)
 * and, per scanning thread, a struct matcher_scan: Hyperscan scratch and
 * stream, the hits waiting for verification, and per-signature chain state.
 * It does not own the file, the read loop or the digests (engine.c), nor
 * the signature pools (signature-set.c, read-only here).
 *
 *   engine.c read loop -> matcher_scan_block(window)
 *     -> hs_scan_stream() -> on_hit(): exact single-part hit marks the
 *        signature at once; any other hit is queued (segment, end)
 *     -> process_hits(): in end order, segment_match_starts() lists the
 *        true starts; part 0 checks the offset range, part i > 0 checks
 *        the gap from some end of part i - 1; the last part marks the
 *        signature matched
 *   matcher_scan_end() flushes the stream and the held hits.
 *
 * Hyperscan is a prefilter here: every expression matches a superset of
 * its segment (edge assertions and negated multi-byte groups are widened),
 * and only segment_match_starts() decides. Where the expression is exact
 * and the signature has one part with no start constraint beyond what
 * Hyperscan's offset bounds express, the hit is final (HS_FLAG_SINGLEMATCH).
 * Hits are held until two bytes past their end have been read, so trailing
 * (L)/(B)/(W) assertions can be decided.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>
#include <openssl/evp.h>

#include "matcher.h"

#define WINDOW_SLACK 8
/* Bound on remembered ends of one part of one signature in one file. */
#define MAX_CHAIN_ENDS (1u << 20)

enum segment_flags {
	SEGMENT_FINAL = 1 << 0,		/* a hit is a match: no verification */
	SEGMENT_COMPILED = 1 << 1,
};

struct matcher {
	const struct signature_set *set;
	hs_database_t *database;	/* NULL when there are no body signatures */
	uint8_t *segment_flags;
	size_t window_size;
};

struct hit {
	uint64_t end;
	uint32_t segment;
};

/* Ends of one part, as sorted disjoint runs [low, high] of offsets: a
 * part that repeats at every byte (a run of A's) costs one run. */
struct end_run {
	uint64_t low, high;
};

struct end_list {
	struct end_run *runs;
	size_t count, capacity;
};

struct body_state {
	bool matched;
	struct end_list lists[];	/* one per part but the last */
};

struct matcher_scan {
	const struct matcher *matcher;
	hs_scratch_t *scratch;
	hs_stream_t *stream;
	struct file_facts facts;
	struct segment_scratch segment_scratch;
	struct hit *hits;
	size_t hit_count, hit_capacity;
	struct body_state **states;	/* indexed by body signature */
	uint32_t *touched;		/* bodies with a state this scan */
	size_t touched_count;
	uint32_t *matches;
	size_t match_count;
	uint64_t processed_up_to;	/* end of the data hits were decided for */
	int error;			/* first error inside a callback */
};

/* --- building expressions -------------------------------------------- */

struct text {
	char *data;
	size_t length, capacity;
	bool failed;
};

static void text_append(struct text *text, const char *string)
{
	size_t length = strlen(string);

	if (text->failed)
		return;
	if (text->length + length + 1 > text->capacity) {
		size_t capacity = text->capacity ? text->capacity * 2 : 256;
		char *grown;

		while (capacity < text->length + length + 1)
			capacity *= 2;
		grown = realloc(text->data, capacity);
		if (!grown) {
			text->failed = true;
			return;
		}
		text->data = grown;
		text->capacity = capacity;
	}
	memcpy(text->data + text->length, string, length + 1);
	text->length += length;
}

static void append_byte_class(struct text *text, const struct pattern_byte *byte)
{
	char piece[128];

	if (byte->mask == 0xff) {
		snprintf(piece, sizeof(piece), "\\x%02x", byte->value);
	} else if (byte->mask == 0) {
		snprintf(piece, sizeof(piece), ".");
	} else if (byte->mask == 0xf0) {
		snprintf(piece, sizeof(piece), "[\\x%02x-\\x%02x]", byte->value & 0xf0,
			 (byte->value & 0xf0) | 0x0f);
	} else {
		int length = snprintf(piece, sizeof(piece), "[");

		for (int high = 0; high < 16; ++high)
			length += snprintf(piece + length, sizeof(piece) - (size_t)length, "\\x%02x",
					   (high << 4) | (byte->value & 0x0f));
		snprintf(piece + length, sizeof(piece) - (size_t)length, "]");
	}
	text_append(text, piece);
}

/* Appends the element's expression; returns false when it is widened. */
static bool append_element(struct text *text, const struct signature_set *set,
			   const struct element *element)
{
	char piece[64];

	switch (element->kind) {
	case ELEMENT_BYTE:
		append_byte_class(text, &element->byte);
		return true;
	case ELEMENT_CLASS:
		if (element->char_class == CLASS_LINE && element->in_prefix)
			text_append(text, "\\n");
		else if (element->char_class == CLASS_LINE)
			text_append(text, "(?:\\n|\\r\\n)");
		else if (element->char_class == CLASS_NONWORD)
			text_append(text, "[^0-9A-Za-z]");
		else
			text_append(text, "[\\x0a\\x0d\\x20\\x22\\x27\\x2d\\x2e\\x2f\\x3c\\x3d\\x3e\\x40\\x5f]");
		return true;
	case ELEMENT_SKIP:
		/* Hyperscan refuses .{0,0}: an empty skip adds nothing. */
		if (element->skip.max) {
			snprintf(piece, sizeof(piece), ".{%u,%u}", element->skip.min, element->skip.max);
			text_append(text, piece);
		}
		return true;
	case ELEMENT_ALTERNATIVES: {
		const struct alternative *alternatives = set->alternatives + element->alternatives.first;

		if (element->negated) {
			if (alternatives[0].length == 1) {
				text_append(text, "[^");
				for (uint32_t i = 0; i < element->alternatives.count; ++i) {
					snprintf(piece, sizeof(piece), "\\x%02x",
						 set->bytes[alternatives[i].first_byte].value);
					text_append(text, piece);
				}
				text_append(text, "]");
				return true;
			}
			snprintf(piece, sizeof(piece), ".{%u}", alternatives[0].length);
			text_append(text, piece);
			return false;
		}
		bool has_empty = false, first = true;

		text_append(text, "(?:");
		for (uint32_t i = 0; i < element->alternatives.count; ++i) {
			if (!alternatives[i].length) {
				has_empty = true;
				continue;
			}
			if (!first)
				text_append(text, "|");
			first = false;
			for (uint32_t j = 0; j < alternatives[i].length; ++j)
				append_byte_class(text, &set->bytes[alternatives[i].first_byte + j]);
		}
		text_append(text, has_empty ? ")?" : ")");
		/* Before the anchor an empty branch never matches (clamscan):
		 * the expression over-reports and the verifier decides. */
		return !(has_empty && element->in_prefix);
	}
	}
	return false;
}

/* Builds the segment's expression; *ret_exact says whether it matches
 * exactly the segment (no assertion, nothing widened). */
static int segment_expression(const struct signature_set *set, const struct segment *segment,
			      char **ret_expression, bool *ret_exact)
{
	struct text text = { 0 };
	bool exact = !segment->leading_class && !segment->trailing_class && !segment->has_anchor;

	for (uint32_t i = 0; i < segment->element_count; ++i)
		if (!append_element(&text, set, &set->elements[segment->first_element + i]))
			exact = false;
	if (text.failed || !text.data) {
		free(text.data);
		return -ENOMEM;
	}
	*ret_expression = text.data;
	*ret_exact = exact;
	return 0;
}

static void compute_window(struct matcher *matcher)
{
	const struct signature_set *set = matcher->set;
	size_t longest = 0;

	for (size_t i = 0; i < set->segment_count; ++i) {
		size_t reach = set->segments[i].max_length + set->segments[i].anchor_max + 1;

		if (reach > longest)
			longest = reach;
	}
	matcher->window_size = longest + 1 + WINDOW_SLACK;
}

/* Flags that decide how a segment's hits are treated; recomputed on load
 * rather than stored in the cache. */
struct segment_expression_out {
	char **expressions;
	unsigned int *flags;
	hs_expr_ext_t *extensions;
	unsigned int *ids;
	size_t count;
};

static int compute_flags(struct matcher *matcher, struct segment_expression_out *out)
{
	const struct signature_set *set = matcher->set;

	matcher->segment_flags = calloc(set->segment_count ? set->segment_count : 1, 1);
	if (!matcher->segment_flags)
		return -ENOMEM;
	for (size_t b = 0; b < set->body_count; ++b) {
		const struct body_signature *body = &set->bodies[b];

		for (uint32_t i = 0; i < body->segment_count; ++i) {
			uint32_t index = body->first_segment + i;
			const struct segment *segment = &set->segments[index];
			hs_expr_ext_t extension = { 0 };
			char *expression = NULL;
			bool exact, final;
			int r;

			r = segment_expression(set, segment, &expression, &exact);
			if (r < 0)
				return r;
			final = exact && body->segment_count == 1 &&
				(body->offset_kind == OFFSET_ANY ||
				 (body->offset_kind == OFFSET_ABSOLUTE && !segment->anchor_index &&
				  segment->min_length == segment->max_length));
			if (i == 0 && body->offset_kind == OFFSET_ABSOLUTE) {
				extension.flags = HS_EXT_FLAG_MIN_OFFSET | HS_EXT_FLAG_MAX_OFFSET;
				extension.min_offset = (unsigned long long)body->offset + segment->min_length;
				extension.max_offset = (unsigned long long)body->offset + body->offset_range +
						       segment->max_length;
			}
			matcher->segment_flags[index] = SEGMENT_COMPILED | (final ? SEGMENT_FINAL : 0);
			if (out) {
				out->expressions[out->count] = expression;
				out->flags[out->count] = HS_FLAG_DOTALL |
							 (final ? HS_FLAG_SINGLEMATCH : 0);
				out->extensions[out->count] = extension;
				out->ids[out->count] = index;
				out->count++;
			} else {
				free(expression);
			}
		}
	}
	return 0;
}

/* The expressions, flags, extensions and ids the compile feeds Hyperscan. */
struct expressions {
	struct segment_expression_out out;
	const hs_expr_ext_t **extension_pointers;
};

static void expressions_free(struct expressions *expressions)
{
	for (size_t i = 0; i < expressions->out.count; ++i)
		free(expressions->out.expressions[i]);
	free(expressions->out.expressions);
	free(expressions->out.flags);
	free(expressions->out.extensions);
	free(expressions->out.ids);
	free(expressions->extension_pointers);
}

static int expressions_build(struct matcher *matcher, struct expressions *expressions)
{
	size_t segments = matcher->set->segment_count;
	struct segment_expression_out *out = &expressions->out;
	int r;

	memset(expressions, 0, sizeof(*expressions));
	out->expressions = calloc(segments + 1, sizeof(*out->expressions));
	out->flags = calloc(segments + 1, sizeof(*out->flags));
	out->extensions = calloc(segments + 1, sizeof(*out->extensions));
	out->ids = calloc(segments + 1, sizeof(*out->ids));
	expressions->extension_pointers = calloc(segments + 1, sizeof(*expressions->extension_pointers));
	if (!out->expressions || !out->flags || !out->extensions || !out->ids ||
	    !expressions->extension_pointers)
		return -ENOMEM;
	r = compute_flags(matcher, out);
	if (r < 0)
		return r;
	for (size_t i = 0; i < out->count; ++i)
		expressions->extension_pointers[i] = out->extensions[i].flags ? &out->extensions[i] : NULL;
	return 0;
}

int matcher_compile(const struct signature_set *set, struct matcher **ret_matcher,
		    char *reason, size_t reason_size)
{
	return matcher_compile_for(set, NULL, ret_matcher, reason, reason_size);
}

int matcher_compile_for(const struct signature_set *set, const struct matcher_target *target,
			struct matcher **ret_matcher, char *reason, size_t reason_size)
{
	struct expressions expressions;
	struct segment_expression_out *out = &expressions.out;
	hs_compile_error_t *compile_error = NULL;
	hs_platform_info_t platform = { 0 };
	struct matcher *matcher;
	int r;

	matcher = calloc(1, sizeof(*matcher));
	if (!matcher)
		return -ENOMEM;
	matcher->set = set;
	compute_window(matcher);
	if (target) {
		platform.tune = (unsigned int)target->tune;
		platform.cpu_features = target->cpu_features;
	} else {
		hs_populate_platform(&platform);
	}
	r = expressions_build(matcher, &expressions);
	if (r < 0)
		goto err_free;
	if (out->count) {
		if (hs_compile_ext_multi((const char *const *)out->expressions, out->flags, out->ids,
					 expressions.extension_pointers, (unsigned)out->count,
					 HS_MODE_STREAM, &platform, &matcher->database,
					 &compile_error) != HS_SUCCESS) {
			snprintf(reason, reason_size, "matcher compile failed%s%s",
				 compile_error && compile_error->message ? ": " : "",
				 compile_error && compile_error->message ? compile_error->message : "");
			if (compile_error && compile_error->expression >= 0 &&
			    (size_t)compile_error->expression < out->count) {
				uint32_t segment = out->ids[compile_error->expression];
				const char *name = set->names +
					set->bodies[set->segments[segment].signature].name;
				size_t used = strlen(reason);

				snprintf(reason + used, reason_size - used, " (signature %s)", name);
			}
			hs_free_compile_error(compile_error);
			r = -EINVAL;
			goto err_free;
		}
	}
	r = 0;
	*ret_matcher = matcher;
	matcher = NULL;
err_free:
	expressions_free(&expressions);
	matcher_free(matcher);
	return r;
}

int matcher_expressions_digest(const struct signature_set *set, uint8_t digest[32])
{
	struct matcher matcher = { .set = set };
	struct expressions expressions;
	EVP_MD_CTX *context = EVP_MD_CTX_new();
	int r;

	if (!context)
		return -ENOMEM;
	r = expressions_build(&matcher, &expressions);
	if (r < 0 || !EVP_DigestInit_ex(context, EVP_sha256(), NULL)) {
		r = r < 0 ? r : -ENOMEM;
		goto out_free;
	}
	/* Everything hs_compile_ext_multi() sees, with explicit lengths. */
	for (size_t i = 0; i < expressions.out.count; ++i) {
		const hs_expr_ext_t *extension = expressions.extension_pointers[i];
		uint64_t fields[6] = {
			strlen(expressions.out.expressions[i]), expressions.out.flags[i],
			expressions.out.ids[i], extension ? extension->flags : 0,
			extension ? extension->min_offset : 0, extension ? extension->max_offset : 0,
		};

		EVP_DigestUpdate(context, fields, sizeof(fields));
		EVP_DigestUpdate(context, expressions.out.expressions[i], (size_t)fields[0]);
	}
	r = EVP_DigestFinal_ex(context, digest, NULL) ? 0 : -ENOMEM;
out_free:
	expressions_free(&expressions);
	free(matcher.segment_flags);
	EVP_MD_CTX_free(context);
	return r;
}

int matcher_serialize(const struct matcher *matcher, char **ret_bytes, size_t *ret_size)
{
	if (!matcher->database) {
		*ret_bytes = NULL;
		*ret_size = 0;
		return 0;
	}
	if (hs_serialize_database(matcher->database, ret_bytes, ret_size) != HS_SUCCESS)
		return -ENOMEM;
	return 0;
}

int matcher_deserialize(const struct signature_set *set, const char *bytes, size_t size,
			struct matcher **ret_matcher)
{
	struct matcher *matcher = calloc(1, sizeof(*matcher));
	int r;

	if (!matcher)
		return -ENOMEM;
	matcher->set = set;
	compute_window(matcher);
	r = compute_flags(matcher, NULL);
	if (r < 0)
		goto err_free;
	if (size && hs_deserialize_database(bytes, size, &matcher->database) != HS_SUCCESS) {
		r = -EBADMSG;
		goto err_free;
	}
	*ret_matcher = matcher;
	return 0;
err_free:
	matcher_free(matcher);
	return r;
}

struct matcher *matcher_free(struct matcher *matcher)
{
	if (!matcher)
		return NULL;
	hs_free_database(matcher->database);
	free(matcher->segment_flags);
	free(matcher);
	return NULL;
}

size_t matcher_window_size(const struct matcher *matcher)
{
	return matcher->window_size;
}

/* --- scanning -------------------------------------------------------- */

int matcher_scan_new(const struct matcher *matcher, struct matcher_scan **ret_scan)
{
	struct matcher_scan *scan = calloc(1, sizeof(*scan));
	size_t bodies = matcher->set->body_count;

	if (!scan)
		return -ENOMEM;
	scan->matcher = matcher;
	scan->states = calloc(bodies ? bodies : 1, sizeof(*scan->states));
	scan->touched = calloc(bodies ? bodies : 1, sizeof(*scan->touched));
	scan->matches = calloc(bodies ? bodies : 1, sizeof(*scan->matches));
	if (!scan->states || !scan->touched || !scan->matches)
		goto err_free;
	if (matcher->database && hs_alloc_scratch(matcher->database, &scan->scratch) != HS_SUCCESS)
		goto err_free;
	*ret_scan = scan;
	return 0;
err_free:
	matcher_scan_free(scan);
	return -ENOMEM;
}

static void reset_states(struct matcher_scan *scan)
{
	const struct signature_set *set = scan->matcher->set;

	for (size_t i = 0; i < scan->touched_count; ++i) {
		uint32_t body = scan->touched[i];
		struct body_state *state = scan->states[body];

		for (uint32_t j = 0; j + 1 < set->bodies[body].segment_count; ++j)
			free(state->lists[j].runs);
		free(state);
		scan->states[body] = NULL;
	}
	scan->touched_count = 0;
	scan->match_count = 0;
	scan->hit_count = 0;
	scan->processed_up_to = 0;
	scan->error = 0;
}

struct matcher_scan *matcher_scan_free(struct matcher_scan *scan)
{
	if (!scan)
		return NULL;
	reset_states(scan);
	if (scan->stream)
		hs_close_stream(scan->stream, scan->scratch, NULL, NULL);
	hs_free_scratch(scan->scratch);
	segment_scratch_uninit(&scan->segment_scratch);
	free(scan->hits);
	free(scan->states);
	free(scan->touched);
	free(scan->matches);
	free(scan);
	return NULL;
}

static struct body_state *body_state(struct matcher_scan *scan, uint32_t body)
{
	const struct signature_set *set = scan->matcher->set;
	struct body_state *state = scan->states[body];

	if (state)
		return state;
	state = calloc(1, sizeof(*state) +
			  (set->bodies[body].segment_count - 1) * sizeof(struct end_list));
	if (!state)
		return NULL;
	scan->states[body] = state;
	scan->touched[scan->touched_count++] = body;
	return state;
}

static void mark_matched(struct matcher_scan *scan, uint32_t body, struct body_state *state)
{
	state->matched = true;
	scan->matches[scan->match_count++] = body;
}

static bool target_applies(const struct matcher_scan *scan, const struct body_signature *body)
{
	return body->target != TARGET_ELF || scan->facts.is_elf;
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
		  unsigned int flags, void *context)
{
	struct matcher_scan *scan = context;
	const struct matcher *matcher = scan->matcher;
	const struct segment *segment = &matcher->set->segments[id];
	struct body_state *state = scan->states[segment->signature];

	(void)from;
	(void)flags;
	if (state && state->matched)
		return 0;
	if (matcher->segment_flags[id] & SEGMENT_FINAL) {
		if (!target_applies(scan, &matcher->set->bodies[segment->signature]))
			return 0;
		state = body_state(scan, segment->signature);
		if (!state) {
			scan->error = -ENOMEM;
			return 1;
		}
		mark_matched(scan, segment->signature, state);
		return 0;
	}
	if (scan->hit_count == scan->hit_capacity) {
		size_t capacity = scan->hit_capacity ? scan->hit_capacity * 2 : 256;
		struct hit *hits = realloc(scan->hits, capacity * sizeof(*hits));

		if (!hits) {
			scan->error = -ENOMEM;
			return 1;
		}
		scan->hits = hits;
		scan->hit_capacity = capacity;
	}
	scan->hits[scan->hit_count++] = (struct hit){ .end = to, .segment = id };
	return 0;
}

/* The start range [low, high] the body's first part must begin in. */
static bool start_range(const struct matcher_scan *scan, const struct body_signature *body,
			uint64_t *ret_low, uint64_t *ret_high)
{
	int64_t low;

	switch (body->offset_kind) {
	case OFFSET_ANY:
		*ret_low = 0;
		*ret_high = UINT64_MAX;
		return true;
	case OFFSET_ABSOLUTE:
		*ret_low = (uint64_t)body->offset;
		*ret_high = (uint64_t)body->offset + body->offset_range;
		return true;
	case OFFSET_END:
		/* clamscan cannot place EOF-n in an ELF file whose entry point
		 * it could not work out. */
		if ((uint64_t)body->offset > scan->facts.size ||
		    (scan->facts.is_elf && !scan->facts.entry_point_valid))
			return false;
		*ret_low = scan->facts.size - (uint64_t)body->offset;
		*ret_high = *ret_low + body->offset_range;
		return true;
	case OFFSET_ENTRY_POINT:
		if (!scan->facts.entry_point_valid)
			return false;
		low = (int64_t)scan->facts.entry_point + body->offset;
		if (low + (int64_t)body->offset_range < 0)
			return false;
		*ret_low = low < 0 ? 0 : (uint64_t)low;
		*ret_high = (uint64_t)(low + (int64_t)body->offset_range);
		return true;
	}
	return false;
}

/* Is there a remembered end e with gap_min <= start - e <= gap_max? */
static bool chain_reaches(const struct end_list *list, const struct segment *segment,
			  uint64_t start)
{
	size_t low = 0, high = list->count;
	uint64_t lowest_end, highest_end;

	if (!list->count || segment->gap_min > segment->gap_max || start < segment->gap_min)
		return false;
	highest_end = start - segment->gap_min;
	if (segment->gap_max == GAP_UNBOUNDED)
		return list->runs[0].low <= highest_end;
	lowest_end = start > segment->gap_max ? start - segment->gap_max : 0;
	/* the first run that ends at or after lowest_end */
	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (list->runs[middle].high < lowest_end)
			low = middle + 1;
		else
			high = middle;
	}
	return low < list->count && list->runs[low].low <= highest_end;
}

/* Remembers an end of part i; next is part i + 1, now the decided end. */
static int chain_remember(struct end_list *list, const struct segment *next, uint64_t end,
			  uint64_t now)
{
	struct end_run *last = list->count ? &list->runs[list->count - 1] : NULL;

	if (last && end <= last->high)
		return 0;
	if (last && (next->gap_max == GAP_UNBOUNDED || end == last->high + 1)) {
		/* With an unbounded gap only the earliest end can matter. */
		if (next->gap_max != GAP_UNBOUNDED)
			last->high = end;
		return 0;
	}
	if (list->count == list->capacity && next->gap_max != GAP_UNBOUNDED) {
		/* Drop runs no later part can reach any more. */
		uint64_t reach = (uint64_t)next->max_length + next->gap_max;
		uint64_t oldest = now > reach ? now - reach : 0;
		size_t drop = 0;

		while (drop < list->count && list->runs[drop].high < oldest)
			++drop;
		if (drop) {
			memmove(list->runs, list->runs + drop,
				(list->count - drop) * sizeof(*list->runs));
			list->count -= drop;
		}
	}
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 16;
		struct end_run *runs;

		if (capacity > MAX_CHAIN_ENDS)
			return -E2BIG;
		runs = realloc(list->runs, capacity * sizeof(*runs));
		if (!runs)
			return -ENOMEM;
		list->runs = runs;
		list->capacity = capacity;
	}
	list->runs[list->count++] = (struct end_run){ .low = end, .high = end };
	return 0;
}

/* The first part's start must lie in [low, high]; so must, for clamscan,
 * some offset its anchor less the prefix's length could give (classes
 * counted as 0, alternatives anywhere from their shortest to longest). */
static bool start_allowed(const struct segment *segment, const struct segment_start *start,
			  bool any_offset, uint64_t low, uint64_t high)
{
	uint64_t earliest, latest;

	if (start->at < low || start->at > high)
		return false;
	if (any_offset)
		return true;
	if (start->anchor < segment->prefix_min_length)
		return false;
	latest = start->anchor - segment->prefix_min_length;
	earliest = start->anchor > segment->prefix_length ? start->anchor - segment->prefix_length : 0;
	return earliest <= high && latest >= low;
}

static int process_hit(struct matcher_scan *scan, const struct scan_window *window,
		       const struct hit *hit)
{
	const struct signature_set *set = scan->matcher->set;
	const struct segment *segment = &set->segments[hit->segment];
	const struct body_signature *body = &set->bodies[segment->signature];
	uint32_t part = hit->segment - body->first_segment;
	struct body_state *state = scan->states[segment->signature];
	const struct segment_start *starts;
	size_t count;
	bool reached = false;
	int r;

	if ((state && state->matched) || !target_applies(scan, body))
		return 0;
	if (part > 0 && !state)
		return 0; /* no earlier part seen */
	r = segment_match_starts(set, segment, window, hit->end, &scan->segment_scratch,
				 &starts, &count);
	if (r < 0)
		return r;
	if (part == 0) {
		uint64_t low, high;

		if (!start_range(scan, body, &low, &high))
			return 0;
		for (size_t i = 0; i < count && !reached; ++i)
			reached = start_allowed(segment, &starts[i], body->offset_kind == OFFSET_ANY,
						low, high);
	} else {
		for (size_t i = 0; i < count && !reached; ++i)
			reached = chain_reaches(&state->lists[part - 1], segment, starts[i].at);
	}
	if (!reached)
		return 0;
	state = body_state(scan, segment->signature);
	if (!state)
		return -ENOMEM;
	if (part + 1 == body->segment_count) {
		mark_matched(scan, segment->signature, state);
		return 0;
	}
	return chain_remember(&state->lists[part], segment + 1, hit->end, hit->end);
}

static int compare_hits(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->segment < y->segment ? -1 : x->segment > y->segment;
}

/* Decides the held hits whose end is at least two bytes before the end of
 * what was read (all of them at the end of the file). */
static int process_hits(struct matcher_scan *scan, const struct scan_window *window, bool final)
{
	uint64_t window_end = window->offset + window->length;
	size_t decided = 0, kept = 0;
	int r = 0;

	if (!scan->hit_count)
		return 0;
	qsort(scan->hits, scan->hit_count, sizeof(*scan->hits), compare_hits);
	for (; decided < scan->hit_count; ++decided) {
		const struct hit *hit = &scan->hits[decided];

		if (!final && hit->end + 2 > window_end)
			break;
		r = process_hit(scan, window, hit);
		if (r == -EAGAIN && !final)
			break;
		if (r < 0 && r != -EAGAIN)
			return r;
	}
	for (size_t i = decided; i < scan->hit_count; ++i)
		scan->hits[kept++] = scan->hits[i];
	scan->hit_count = kept;
	return 0;
}

int matcher_scan_begin(struct matcher_scan *scan, const struct file_facts *facts)
{
	reset_states(scan);
	scan->facts = *facts;
	if (!scan->matcher->database)
		return 0;
	if (scan->stream) {
		hs_close_stream(scan->stream, scan->scratch, NULL, NULL);
		scan->stream = NULL;
	}
	if (hs_open_stream(scan->matcher->database, 0, &scan->stream) != HS_SUCCESS)
		return -ENOMEM;
	return 0;
}

int matcher_scan_block(struct matcher_scan *scan, const struct scan_window *window,
		       uint64_t new_offset)
{
	const uint8_t *data = window->data + (new_offset - window->offset);
	size_t length = (size_t)(window->offset + window->length - new_offset);
	hs_error_t error;

	if (!scan->stream)
		return 0;
	while (length) {
		unsigned int piece = length > (1u << 30) ? (1u << 30) : (unsigned int)length;

		error = hs_scan_stream(scan->stream, (const char *)data, piece, 0, scan->scratch,
				       on_hit, scan);
		if (scan->error)
			return scan->error;
		if (error != HS_SUCCESS)
			return -EIO;
		data += piece;
		length -= piece;
	}
	return process_hits(scan, window, false);
}

int matcher_scan_end(struct matcher_scan *scan, const struct scan_window *window)
{
	hs_error_t error;

	if (!scan->stream)
		return 0;
	error = hs_close_stream(scan->stream, scan->scratch, on_hit, scan);
	scan->stream = NULL;
	if (scan->error)
		return scan->error;
	if (error != HS_SUCCESS)
		return -EIO;
	return process_hits(scan, window, true);
}

static int compare_bodies(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t matcher_scan_matches(struct matcher_scan *scan, const uint32_t **ret_bodies)
{
	qsort(scan->matches, scan->match_count, sizeof(*scan->matches), compare_bodies);
	*ret_bodies = scan->matches;
	return scan->match_count;
}
