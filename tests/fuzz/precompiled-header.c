// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzzes the precompiled-matcher header parser (a bundle's
 * `.vpc' payload, lib/precompiled.c). Whatever it accepts must lie wholly
 * inside the input (the database ends exactly at its end, every source
 * entry inside the header) and must re-encode to the very same bytes: the
 * parser accepts one encoding per content and nothing it did not check.
 * Hyperscan is never called here; the engine checks version, platform,
 * sources and expressions before it deserializes (tests/unit/precompiled.c).
 *
 * fuzz-sources: lib/precompiled.c
 */
#include <stdlib.h>
#include <string.h>

#include "precompiled.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct precompiled_header header;
	struct precompiled_source *sources;
	char (*names)[PRECOMPILED_SOURCE_NAME_SIZE + 1];
	uint8_t *encoded = NULL;
	size_t encoded_size = 0;

	if (precompiled_parse(data, size, &header) < 0)
		return 0;
	if (header.database < data || header.database + header.database_size != data + size ||
	    header.sources + header.source_count * PRECOMPILED_SOURCE_SIZE > header.database ||
	    !header.source_count || header.source_count > PRECOMPILED_SOURCES_MAX)
		abort();
	sources = calloc(header.source_count, sizeof(*sources));
	names = calloc(header.source_count, sizeof(*names));
	if (!sources || !names)
		abort();
	for (size_t i = 0; i < header.source_count; ++i) {
		precompiled_source_at(&header, i, names[i], &sources[i].sha256);
		sources[i].name = names[i];
	}
	if (precompiled_encode(header.part, header.hyperscan_version, header.tune,
			       header.cpu_features, header.expressions_sha256, sources,
			       header.source_count, header.database, header.database_size, &encoded,
			       &encoded_size) < 0)
		abort();
	if (encoded_size != size || memcmp(encoded, data, size))
		abort();
	free(encoded);
	free(names);
	free(sources);
	return 0;
}
