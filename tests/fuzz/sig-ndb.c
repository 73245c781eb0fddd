// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzz target for the .ndb loader (lib/sig-ndb.c, lib/sig-hex.c,
 * lib/signature-set.c) through the public API: the input is one .ndb
 * source given to vigil_engine_new(); a loaded engine then scans the
 * input itself and a fixed sample. Inputs are capped at 2 KiB so a
 * Hyperscan compile stays well under the 10 s time-out.
 */
// fuzz-sources: lib/sig-ndb.c lib/sig-hex.c lib/signature-set.c lib/engine.c lib/matcher.c

#include "fuzz-engine.h"

#define MAX_INPUT 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sample[] = "\x7f" "ELF\x02\x01\x01 sample \x11\x22\x33\x44 text\n\r\n";
	struct vigil_source source;
	struct vigil_engine *engine;

	if (size > MAX_INPUT)
		return 0;
	source = fuzz_source("fuzz.ndb", data, size);
	engine = fuzz_load(&source, 1);
	if (!engine)
		return 0;
	fuzz_scan(engine, data, size);
	fuzz_scan(engine, sample, sizeof(sample) - 1);
	vigil_engine_unref(engine);
	return 0;
}
