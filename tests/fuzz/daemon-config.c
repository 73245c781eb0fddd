// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzz target for vigild.conf parsing and validation: any bytes
 * must give either a config or one "FILE:LINE: reason", never a crash, a
 * leak or a read out of bounds. The parser is included whole, as
 * wireguard-tools' fuzzers do, because daemon/ is not in libvigil.a.
 */
// fuzz-sources: daemon/config.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/config.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigild_config config;
	char error[1024];
	/* A copy of exactly size bytes: the parser must not read past it. */
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	config_init(&config);
	if (config_parse_buffer(&config, "fuzz.conf", copy, size, error, sizeof(error)) == 0)
		config_validate(&config, error, sizeof(error));
	else if (strncmp(error, "fuzz.conf", 9))
		abort();	/* every refusal names the file */
	config_uninit(&config);
	free(copy);
	return 0;
}
