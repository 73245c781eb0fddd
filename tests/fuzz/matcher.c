// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzz target for the matcher (lib/matcher.c,
 * lib/segment-match.c) with signature and data together: the input's first
 * line (at most 256 bytes) is one .ndb signature line, the rest (at most
 * 16 KiB) the file to scan. The scan must succeed with a clean or infected
 * verdict; the same data scanned from a temporary file must give the same
 * names (buffer and fd paths agree). One short signature keeps the
 * Hyperscan compile per input fast.
 */
// fuzz-sources: lib/matcher.c lib/segment-match.c lib/sig-hex.c lib/engine.c

#include <unistd.h>

#include "fuzz-engine.h"

#define MAX_LINE 256
#define MAX_DATA 16384

static size_t scan_names(struct vigil_engine *engine, int fd, const uint8_t *data, size_t size,
			 char *out, size_t out_size)
{
	struct vigil_scan_result result;
	size_t count;

	if (fd >= 0)
		FUZZ_CHECK(vigil_engine_scan_fd(engine, fd, 0, &result) == 0);
	else
		FUZZ_CHECK(vigil_engine_scan_buffer(engine, data, size, 0, &result) == 0);
	FUZZ_CHECK(result.verdict == VIGIL_CLEAN || result.verdict == VIGIL_INFECTED);
	out[0] = '\0';
	for (size_t i = 0; i < result.match_count; ++i) {
		strncat(out, result.matches[i], out_size - strlen(out) - 1);
		strncat(out, "\n", out_size - strlen(out) - 1);
	}
	count = result.match_count;
	vigil_scan_result_uninit(&result);
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *newline = memchr(data, '\n', size < MAX_LINE ? size : MAX_LINE);
	struct vigil_source source;
	struct vigil_engine *engine;
	const uint8_t *file;
	size_t line_size, file_size;
	char from_buffer[2048], from_fd[2048];
	char path[] = "/tmp/vigil-fuzz-matcher-XXXXXX";
	int fd;

	if (!newline)
		return 0;
	line_size = (size_t)(newline - data);
	file = newline + 1;
	file_size = size - line_size - 1;
	if (file_size > MAX_DATA)
		return 0;
	source = fuzz_source("fuzz.ndb", data, line_size);
	engine = fuzz_load(&source, 1);
	if (!engine)
		return 0;
	scan_names(engine, -1, file, file_size, from_buffer, sizeof(from_buffer));
	fd = mkstemp(path);
	if (fd >= 0) {
		unlink(path);
		if (write(fd, file, file_size) == (ssize_t)file_size) {
			scan_names(engine, fd, NULL, 0, from_fd, sizeof(from_fd));
			FUZZ_CHECK(!strcmp(from_buffer, from_fd));
		}
		close(fd);
	}
	vigil_engine_unref(engine);
	return 0;
}
