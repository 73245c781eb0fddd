// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzz target for the ELF entry-point reader (lib/elf-entry.c):
 * the input is a whole file read through a bounds-checked callback. The
 * reader may only ask for bytes through the callback, must call a file
 * without the magic not ELF, and may give an entry point only to an ELF
 * file.
 */
// fuzz-sources: lib/elf-entry.c

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "elf-entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *data;
	size_t size;
};

static ssize_t input_read(void *context, void *buffer, size_t size, uint64_t offset)
{
	const struct input *input = context;

	if (offset >= input->size)
		return 0;
	if (size > input->size - offset)
		size = (size_t)(input->size - offset);
	memcpy(buffer, input->data + offset, size);
	return (ssize_t)size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input input = { data, size };
	struct elf_facts facts;

	if (elf_facts_read(input_read, &input, size, &facts) != 0)
		abort();
	if (facts.is_elf != (size >= 4 && !memcmp(data, "\x7f" "ELF", 4)))
		abort();
	if (facts.entry_point_valid && !facts.is_elf)
		abort();
	return 0;
}
