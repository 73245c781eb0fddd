/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: helpers shared by the engine's Criterion tests (included by
 * tests/unit/<module>.c; not a test of its own). They build engines from
 * in-memory sources through the public API, turn readable hex ("1122 aabb",
 * spaces ignored) into file bytes, and give back what a user of the engine
 * sees: the verdict and the matched names joined by spaces. Every helper
 * asserts on resource failures so a test reads as what it checks.
 *
 *   test -> engine_from()/try_load() -> vigil_engine_new()
 *        -> scan_names() -> vigil_engine_scan_buffer() -> "Name1 Name2"
 */
#ifndef VIGIL_TESTS_UNIT_ENGINE_TEST_H
#define VIGIL_TESTS_UNIT_ENGINE_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "engine.h"

/* Test bytes: hex pairs, spaces ignored; "'text'" pieces are literal. */
static inline uint8_t *test_bytes(const char *spec, size_t *ret_size)
{
	size_t capacity = strlen(spec) + 1, size = 0;
	uint8_t *out = malloc(capacity);

	cr_assert_not_null(out);
	for (const char *p = spec; *p;) {
		if (*p == ' ') {
			p++;
		} else if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			cr_assert_not_null(end, "unterminated quote in test bytes %s", spec);
			memcpy(out + size, p + 1, (size_t)(end - p - 1));
			size += (size_t)(end - p - 1);
			p = end + 1;
		} else {
			unsigned value;

			cr_assert(sscanf(p, "%2x", &value) == 1 && p[1], "bad test bytes at %s", p);
			out[size++] = (uint8_t)value;
			p += 2;
		}
	}
	*ret_size = size;
	return out;
}

static inline int try_load_sources(const struct vigil_source *sources, size_t count,
				   const struct vigil_engine_options *options,
				   struct vigil_engine **ret_engine,
				   struct vigil_load_error *ret_error)
{
	memset(ret_error, 0, sizeof(*ret_error));
	return vigil_engine_new(sources, count, options, ret_engine, ret_error);
}

/* One source named name holding text. */
static inline int try_load(const char *name, const char *text, struct vigil_engine **ret_engine,
			   struct vigil_load_error *ret_error)
{
	struct vigil_source source = {
		.name = name, .data = (const uint8_t *)text, .size = strlen(text), .fd = -1,
	};

	return try_load_sources(&source, 1, NULL, ret_engine, ret_error);
}

static inline struct vigil_engine *engine_from_sources(const struct vigil_source *sources,
							size_t count,
							const struct vigil_engine_options *options)
{
	struct vigil_engine *engine = NULL;
	struct vigil_load_error error;
	int r = try_load_sources(sources, count, options, &engine, &error);

	cr_assert_eq(r, 0, "load failed (%d): %s:%u: %s", r, error.file, error.line, error.reason);
	cr_assert_not_null(engine);
	return engine;
}

static inline struct vigil_engine *engine_from(const char *name, const char *text)
{
	struct vigil_source source = {
		.name = name, .data = (const uint8_t *)text, .size = strlen(text), .fd = -1,
	};

	return engine_from_sources(&source, 1, NULL);
}

/* Two sources, e.g. a database and its .fp. */
static inline struct vigil_engine *engine_from2(const char *name1, const char *text1,
						const char *name2, const char *text2)
{
	struct vigil_source sources[2] = {
		{ .name = name1, .data = (const uint8_t *)text1, .size = strlen(text1), .fd = -1 },
		{ .name = name2, .data = (const uint8_t *)text2, .size = strlen(text2), .fd = -1 },
	};

	return engine_from_sources(sources, 2, NULL);
}

/* Joins a result's names with single spaces ("" when none). */
static inline char *result_names(const struct vigil_scan_result *result)
{
	size_t length = 1;
	char *joined;

	for (size_t i = 0; i < result->match_count; ++i)
		length += strlen(result->matches[i]) + 1;
	joined = calloc(1, length);
	cr_assert_not_null(joined);
	for (size_t i = 0; i < result->match_count; ++i) {
		if (i)
			strcat(joined, " ");
		strcat(joined, result->matches[i]);
	}
	return joined;
}

/* Scans bytes; returns the names (free() them) and the verdict. */
static inline char *scan_data(struct vigil_engine *engine, const uint8_t *data, size_t size,
			      enum vigil_verdict *ret_verdict)
{
	struct vigil_scan_result result;
	char *names;
	int r = vigil_engine_scan_buffer(engine, data, size, 0, &result);

	cr_assert_eq(r, 0, "scan_buffer returned %d", r);
	cr_assert_neq(result.verdict, VIGIL_SCAN_ERROR, "scan error %d", result.error);
	cr_assert_eq(result.verdict == VIGIL_INFECTED, result.match_count > 0,
		     "verdict %s with %zu matches", vigil_verdict_name(result.verdict),
		     result.match_count);
	names = result_names(&result);
	if (ret_verdict)
		*ret_verdict = result.verdict;
	vigil_scan_result_uninit(&result);
	return names;
}

/* Scans the test bytes spec; returns the names (free() them). */
static inline char *scan_spec(struct vigil_engine *engine, const char *spec)
{
	size_t size;
	uint8_t *data = test_bytes(spec, &size);
	char *names = scan_data(engine, data, size, NULL);

	free(data);
	return names;
}

/* Does the one-line .ndb database `line` match the file spec? */
static inline bool ndb_hits(const char *line, const char *spec)
{
	struct vigil_engine *engine = engine_from("t.ndb", line);
	char *names = scan_spec(engine, spec);
	bool hit = names[0] != '\0';

	free(names);
	vigil_engine_unref(engine);
	return hit;
}

#define assert_hits(line, spec) \
	cr_assert(ndb_hits(line, spec), "%s should match %s", line, spec)
#define assert_misses(line, spec) \
	cr_assert(!ndb_hits(line, spec), "%s should not match %s", line, spec)

/* The whole set must be refused with error at file:line, reason holding
 * every fragment given. */
static inline void check_refused(const char *name, const char *text, unsigned line,
				 const char *fragment)
{
	struct vigil_engine *engine = NULL;
	struct vigil_load_error error;
	int r = try_load(name, text, &engine, &error);

	cr_assert_lt(r, 0, "%s loaded but should be refused: %s", name, text);
	cr_assert_null(engine);
	cr_assert_str_eq(error.file, name);
	cr_assert_eq(error.line, line, "line %u, want %u (reason: %s) for %s", error.line, line,
		     error.reason, text);
	cr_assert(strstr(error.reason, fragment), "reason '%s' lacks '%s' (for %s)", error.reason,
		  fragment, text);
}

/* One .ndb line after a good one: refused at line 2. */
static inline void check_ndb_refused(const char *line, const char *fragment)
{
	char text[4096];

	snprintf(text, sizeof(text), "Good:0:*:11223344\n%s\n", line);
	check_refused("bad.ndb", text, 2, fragment);
}

static inline void check_loads(const char *name, const char *text)
{
	vigil_engine_unref(engine_from(name, text));
}

#endif
