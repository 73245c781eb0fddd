// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: decides whether a file is ELF (its first four bytes are
 * 7f 45 4c 46, as clamscan's type detection has it) and where its entry
 * point lies in the file, following clamscan 1.4's rules so that EP+n
 * signatures hit exactly where clamscan's do:
 *   - class 1 (32-bit) or 2 (64-bit); byte order from e_ident[5] (1 little,
 *     anything else big);
 *   - at most 128 program headers of the right entry size, all readable;
 *     with program headers and a non-zero e_entry, the entry address maps
 *     through the first program header (any type) whose [vaddr, vaddr +
 *     memsz) holds it, to offset - vaddr + p_offset; otherwise EP is 0;
 *   - at most 256 section headers of the right entry size, all readable.
 * Any failure leaves the file ELF but without a valid entry point, so EP
 * signatures do not match (clamscan's behaviour). Reads through a callback
 * so a file descriptor and a buffer are treated alike; owns no state.
 */
#include <errno.h>
#include <string.h>

#include "elf-entry.h"

#define MAX_PROGRAM_HEADERS 128
#define MAX_SECTION_HEADERS 256

struct elf_reader {
	file_read_fn read_at;
	void *context;
	bool big_endian;
	bool is64;
};

static uint64_t load(const uint8_t *bytes, size_t width, bool big_endian)
{
	uint64_t value = 0;

	for (size_t i = 0; i < width; ++i) {
		size_t index = big_endian ? i : width - 1 - i;

		value = value << 8 | bytes[index];
	}
	return value;
}

static bool read_exact(const struct elf_reader *reader, void *buffer, size_t size, uint64_t offset)
{
	return reader->read_at(reader->context, buffer, size, offset) == (ssize_t)size;
}

/* Field offsets in the file header, 32-bit then 64-bit. */
struct header_layout {
	size_t entry, phoff, shoff, phentsize, phnum, shentsize, shnum, size;
	size_t word;
	size_t program_header_size, section_header_size;
	size_t p_offset, p_vaddr, p_memsz;
};

static const struct header_layout layout32 = {
	.entry = 24, .phoff = 28, .shoff = 32, .phentsize = 42, .phnum = 44,
	.shentsize = 46, .shnum = 48, .size = 52, .word = 4,
	.program_header_size = 32, .section_header_size = 40,
	.p_offset = 4, .p_vaddr = 8, .p_memsz = 20,
};

static const struct header_layout layout64 = {
	.entry = 24, .phoff = 32, .shoff = 40, .phentsize = 54, .phnum = 56,
	.shentsize = 58, .shnum = 60, .size = 64, .word = 8,
	.program_header_size = 56, .section_header_size = 64,
	.p_offset = 8, .p_vaddr = 16, .p_memsz = 40,
};

static bool entry_point_offset(const struct elf_reader *reader, const uint8_t *header,
			       const struct header_layout *layout, uint64_t *ret_offset)
{
	bool big = reader->big_endian;
	uint64_t entry = load(header + layout->entry, layout->word, big);
	uint64_t phoff = load(header + layout->phoff, layout->word, big);
	uint64_t shoff = load(header + layout->shoff, layout->word, big);
	uint64_t phnum = load(header + layout->phnum, 2, big);
	uint64_t shnum = load(header + layout->shnum, 2, big);
	uint64_t mapped = 0;
	bool found = false;
	uint8_t entry_bytes[64];

	if (phnum > MAX_PROGRAM_HEADERS)
		return false;
	if (phnum && entry) {
		if (load(header + layout->phentsize, 2, big) != layout->program_header_size)
			return false;
		for (uint64_t i = 0; i < phnum; ++i) {
			uint64_t vaddr, memsz, offset;

			if (!read_exact(reader, entry_bytes, layout->program_header_size,
					phoff + i * layout->program_header_size))
				return false;
			if (found)
				continue;
			vaddr = load(entry_bytes + layout->p_vaddr, layout->word, big);
			memsz = load(entry_bytes + layout->p_memsz, layout->word, big);
			offset = load(entry_bytes + layout->p_offset, layout->word, big);
			if (layout->word == 4) {
				/* clamscan adds in 32 bits for 32-bit files */
				if (vaddr <= entry && (uint32_t)(vaddr + memsz) > entry) {
					mapped = (uint32_t)(entry - vaddr + offset);
					found = true;
				}
			} else if (vaddr <= entry && vaddr + memsz > entry) {
				mapped = entry - vaddr + offset;
				found = true;
			}
		}
		if (!found)
			return false;
	}
	if (shnum > MAX_SECTION_HEADERS)
		return false;
	if (load(header + layout->shentsize, 2, big) != layout->section_header_size)
		return false;
	for (uint64_t i = 0; i < shnum; ++i)
		if (!read_exact(reader, entry_bytes, layout->section_header_size,
				shoff + i * layout->section_header_size))
			return false;
	*ret_offset = mapped;
	return true;
}

int elf_facts_read(file_read_fn read_at, void *context, uint64_t file_size,
		   struct elf_facts *ret_facts)
{
	struct elf_reader reader = { .read_at = read_at, .context = context };
	const struct header_layout *layout;
	uint8_t header[64];
	ssize_t got;

	memset(ret_facts, 0, sizeof(*ret_facts));
	if (file_size < 4)
		return 0;
	got = read_at(context, header, sizeof(header), 0);
	if (got < 0)
		return (int)got;
	if (got < 4 || memcmp(header, "\x7f" "ELF", 4))
		return 0;
	ret_facts->is_elf = true;
	if (got < 52)
		return 0;
	if (header[4] == 1)
		layout = &layout32;
	else if (header[4] == 2)
		layout = &layout64;
	else
		return 0;
	if ((size_t)got < layout->size)
		return 0;
	reader.big_endian = header[5] != 1;
	reader.is64 = layout == &layout64;
	ret_facts->entry_point_valid = entry_point_offset(&reader, header, layout,
							  &ret_facts->entry_point);
	return 0;
}
