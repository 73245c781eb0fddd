// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzz target for the .ign2 loader (lib/sig-ign2.c) and the
 * ignore check applied while the other sources load: the input is an
 * .ign2 source, loaded with a fixed .ndb and .hdb; a fixed sample that
 * every fixed signature matches is then scanned, and what is reported must
 * be a subset of the fixed names.
 */
// fuzz-sources: lib/sig-ign2.c lib/signature-set.c lib/engine.c

#include "fuzz-engine.h"

#define MAX_INPUT 16384

static const char fixed_ndb[] = "Sig1:0:*:31323334\nSig2:0:*:35363738\n";
/* md5 of the sample "12345678" */
static const char fixed_hdb[] = "25d55ad283aa400af464c76d713c07ad:8:Hash1\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_source sources[3];
	struct vigil_engine *engine;
	struct vigil_scan_result result;

	if (size > MAX_INPUT)
		return 0;
	sources[0] = fuzz_source("fixed.ndb", (const uint8_t *)fixed_ndb, sizeof(fixed_ndb) - 1);
	sources[1] = fuzz_source("fuzz.ign2", data, size);
	sources[2] = fuzz_source("fixed.hdb", (const uint8_t *)fixed_hdb, sizeof(fixed_hdb) - 1);
	engine = fuzz_load(sources, 3);
	if (!engine)
		return 0;
	FUZZ_CHECK(vigil_engine_scan_buffer(engine, (const uint8_t *)"12345678", 8, 0, &result) == 0);
	FUZZ_CHECK(result.match_count <= 3);
	for (size_t i = 0; i < result.match_count; ++i)
		FUZZ_CHECK(!strcmp(result.matches[i], "Sig1") || !strcmp(result.matches[i], "Sig2") ||
			   !strcmp(result.matches[i], "Hash1"));
	vigil_scan_result_uninit(&result);
	fuzz_scan(engine, data, size);
	vigil_engine_unref(engine);
	return 0;
}
