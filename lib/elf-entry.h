/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * ELF facts for target-type-6 signatures: is it ELF, and the file offset
 * of its entry point (for EP+n offsets), computed as clamscan does.
 */
#ifndef VIGIL_LIB_ELF_ENTRY_H
#define VIGIL_LIB_ELF_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads up to size bytes at offset; returns the count read (short at the
 * end of the file) or a negative errno. */
typedef ssize_t (*file_read_fn)(void *context, void *buffer, size_t size, uint64_t offset);

struct elf_facts {
	bool is_elf;
	bool entry_point_valid;
	uint64_t entry_point;
};

int elf_facts_read(file_read_fn read_at, void *context, uint64_t file_size,
		   struct elf_facts *ret_facts);

#endif
