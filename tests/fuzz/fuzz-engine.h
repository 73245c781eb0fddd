/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: what the engine fuzz targets share (included by
 * tests/fuzz/<name>.c; not a target of its own): loading named in-memory
 * sources through vigil_engine_new() and checking the API's promises on
 * every input, aborting (so libFuzzer and the replay runner report it) when
 * one is broken: a refused load names a file and a reason and returns no
 * engine; a scan of a loaded engine never fails on a buffer and reports
 * names exactly when the verdict is INFECTED.
 */
#ifndef VIGIL_TESTS_FUZZ_FUZZ_ENGINE_H
#define VIGIL_TESTS_FUZZ_FUZZ_ENGINE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(condition) do { \
		if (!(condition)) { \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, \
				#condition); \
			abort(); \
		} \
	} while (0)

/* Loads the sources; checks the load-error contract. */
static inline struct vigil_engine *fuzz_load(const struct vigil_source *sources, size_t count)
{
	struct vigil_engine *engine = NULL;
	struct vigil_load_error error;
	int r;

	memset(&error, 0, sizeof(error));
	r = vigil_engine_new(sources, count, NULL, &engine, &error);
	if (r < 0) {
		FUZZ_CHECK(engine == NULL);
		FUZZ_CHECK(error.reason[0] != '\0');
		FUZZ_CHECK(memchr(error.reason, '\0', sizeof(error.reason)) != NULL);
		if (error.line) {
			bool named = false;

			for (size_t i = 0; i < count; ++i)
				named |= !strcmp(error.file, sources[i].name);
			FUZZ_CHECK(named);
		}
		return NULL;
	}
	FUZZ_CHECK(r == 0 && engine != NULL);
	return engine;
}

/* Scans bytes; checks the result contract; returns the match count. */
static inline size_t fuzz_scan(struct vigil_engine *engine, const uint8_t *data, size_t size)
{
	struct vigil_scan_result result;
	size_t count;

	FUZZ_CHECK(vigil_engine_scan_buffer(engine, data, size, 0, &result) == 0);
	FUZZ_CHECK(result.verdict == VIGIL_CLEAN || result.verdict == VIGIL_INFECTED);
	FUZZ_CHECK((result.verdict == VIGIL_INFECTED) == (result.match_count > 0));
	FUZZ_CHECK(result.size == size);
	if (size <= 5)
		FUZZ_CHECK(result.match_count == 0);
	for (size_t i = 0; i < result.match_count; ++i)
		FUZZ_CHECK(result.matches[i] != NULL && result.matches[i][0] != '\0');
	count = result.match_count;
	vigil_scan_result_uninit(&result);
	return count;
}

static inline struct vigil_source fuzz_source(const char *name, const uint8_t *data, size_t size)
{
	struct vigil_source source = { .name = name, .data = data, .size = size, .fd = -1 };

	return source;
}

#endif
