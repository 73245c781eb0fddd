// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzz target for the hash loaders (lib/sig-hash.c,
 * lib/hash-index.c): the first byte picks the source type (.hdb, .hsb,
 * .fp, .sfp), the rest is its text. It loads beside a fixed .hdb (so .fp
 * inputs have something to suppress and duplicates meet a second file),
 * then scans the input itself and the fixed sample, whose hash lines
 * (md5, sha1, sha256, sized and `*`) a mutated input may copy.
 */
// fuzz-sources: lib/sig-hash.c lib/hash-index.c lib/signature-set.c lib/engine.c

#include "fuzz-engine.h"

#define MAX_INPUT 16384

/* sample is the 6 bytes "123456" */
static const char fixed_hdb[] =
	"e10adc3949ba59abbe56e057f20f883e:6:Fixed.Md5\n"
	"7c4a8d09ca3762af61e59520943dc26494f8941b:*:Fixed.Sha1:73\n"
	"8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92:6:Fixed.Sha256\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "fuzz.hdb", "fuzz.hsb", "fuzz.fp", "fuzz.sfp" };
	struct vigil_source sources[2];
	struct vigil_engine *engine;

	if (!size || size > MAX_INPUT)
		return 0;
	sources[0] = fuzz_source("fixed.hdb", (const uint8_t *)fixed_hdb, sizeof(fixed_hdb) - 1);
	sources[1] = fuzz_source(names[data[0] % 4], data + 1, size - 1);
	engine = fuzz_load(sources, 2);
	if (!engine)
		return 0;
	fuzz_scan(engine, data, size);
	fuzz_scan(engine, (const uint8_t *)"123456", 6);
	vigil_engine_unref(engine);
	return 0;
}
