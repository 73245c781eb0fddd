// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the header of a precompiled matcher (a bundle's `.vpc`
 * payload), its parser and its encoder. Owns no memory beyond the buffer
 * precompiled_encode() returns to its caller; a parsed header points into
 * the caller's buffer. It must not decide whether a header fits this
 * machine or these signatures (engine.c does, field by field), nor touch
 * Hyperscan: the database bytes are only located here.
 *
 *   vigil bases build --precompile -> engine.c vigil_engine_precompile()
 *     -> precompiled_encode() -> bundle payload `<part>.<target>.vpc`
 *   bundle (verified) -> engine.c carried_candidates() -> precompiled_parse()
 *     -> version, platform, sources, expression digest compared
 *     -> hs_deserialize_database() of header.database
 *
 * The bytes are signed before they get here, yet every field is
 * bound-checked: sizes add up to the buffer exactly, strings are
 * NUL-padded with zero padding, counts and enums within their ranges. All
 * integers are little-endian (docs/bundle-format.md section 11).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "precompiled.h"

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void put_u32(uint8_t *p, uint32_t value)
{
	for (int i = 0; i < 4; ++i)
		p[i] = (uint8_t)(value >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t value)
{
	put_u32(p, (uint32_t)value);
	put_u32(p + 4, (uint32_t)(value >> 32));
}

static bool name_byte(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '.' || c == '_' || c == '+' || c == '-');
}

bool precompiled_name_valid(const char *name, size_t max_length)
{
	size_t length = strnlen(name, max_length + 1);

	if (!length || length > max_length)
		return false;
	for (size_t i = 0; i < length; ++i)
		if (!name_byte(name[i], i == 0))
			return false;
	return true;
}

/* A NUL-padded string field: printable text, at least one NUL, then
 * zeros only. Copies it out NUL-terminated. */
static bool padded_string(const uint8_t *field, size_t size, char *out)
{
	size_t length = strnlen((const char *)field, size);

	if (length == size)
		return false;
	for (size_t i = 0; i < length; ++i)
		if (field[i] < 0x20 || field[i] > 0x7e)
			return false;
	for (size_t i = length; i < size; ++i)
		if (field[i])
			return false;
	memcpy(out, field, length);
	out[length] = '\0';
	return true;
}

/* Fixed part: offsets of docs/bundle-format.md section 11. */
enum {
	OFFSET_MAGIC = 0,
	OFFSET_HEADER_SIZE = 8,
	OFFSET_FORMAT = 12,
	OFFSET_VERSION = 16,
	OFFSET_TUNE = 48,
	OFFSET_FEATURES = 56,
	OFFSET_EXPRESSIONS = 64,
	OFFSET_PART = 96,
	OFFSET_SOURCE_COUNT = 160,
	OFFSET_RESERVED = 164,
	OFFSET_DATABASE_SIZE = 168,
	OFFSET_SOURCES = PRECOMPILED_FIXED_SIZE,
};

int precompiled_parse(const uint8_t *buf, size_t len, struct precompiled_header *ret_header)
{
	struct precompiled_header header = { 0 };
	uint64_t header_size, database_size, source_count;

	if (len < PRECOMPILED_FIXED_SIZE || memcmp(buf + OFFSET_MAGIC, PRECOMPILED_MAGIC, 8))
		return -EBADMSG;
	header.matcher_format = get_u32(buf + OFFSET_FORMAT);
	if (header.matcher_format != PRECOMPILED_FORMAT)
		return -EPROTONOSUPPORT;
	source_count = get_u32(buf + OFFSET_SOURCE_COUNT);
	if (!source_count || source_count > PRECOMPILED_SOURCES_MAX)
		return -EBADMSG;
	header_size = get_u32(buf + OFFSET_HEADER_SIZE);
	if (header_size != PRECOMPILED_FIXED_SIZE + source_count * PRECOMPILED_SOURCE_SIZE)
		return -EBADMSG;
	database_size = get_u64(buf + OFFSET_DATABASE_SIZE);
	if (database_size > PRECOMPILED_DATABASE_MAX || header_size > len ||
	    database_size != len - header_size)
		return -EBADMSG;
	if (get_u32(buf + OFFSET_RESERVED))
		return -EBADMSG;
	if (!padded_string(buf + OFFSET_VERSION, PRECOMPILED_VERSION_SIZE, header.hyperscan_version) ||
	    !header.hyperscan_version[0])
		return -EBADMSG;
	header.tune = get_u64(buf + OFFSET_TUNE);
	header.cpu_features = get_u64(buf + OFFSET_FEATURES);
	if (header.tune > PRECOMPILED_TUNE_MAX || header.cpu_features & ~PRECOMPILED_KNOWN_FEATURES)
		return -EBADMSG;
	memcpy(header.expressions_sha256, buf + OFFSET_EXPRESSIONS, 32);
	if (!padded_string(buf + OFFSET_PART, PRECOMPILED_PART_SIZE, header.part) ||
	    !precompiled_name_valid(header.part, PRECOMPILED_PART_SIZE - 1) ||
	    strchr(header.part, '.'))
		return -EBADMSG;
	header.source_count = (size_t)source_count;
	header.sources = buf + OFFSET_SOURCES;
	for (size_t i = 0; i < header.source_count; ++i) {
		char name[PRECOMPILED_SOURCE_NAME_SIZE + 1];

		if (!padded_string(header.sources + i * PRECOMPILED_SOURCE_SIZE,
				   PRECOMPILED_SOURCE_NAME_SIZE, name) ||
		    !precompiled_name_valid(name, PRECOMPILED_SOURCE_NAME_SIZE - 1))
			return -EBADMSG;
	}
	header.database = buf + header_size;
	header.database_size = (size_t)database_size;
	*ret_header = header;
	return 0;
}

void precompiled_source_at(const struct precompiled_header *header, size_t i,
			   char name[PRECOMPILED_SOURCE_NAME_SIZE + 1], const uint8_t **ret_sha256)
{
	const uint8_t *entry = header->sources + i * PRECOMPILED_SOURCE_SIZE;

	memcpy(name, entry, PRECOMPILED_SOURCE_NAME_SIZE);
	name[PRECOMPILED_SOURCE_NAME_SIZE] = '\0';
	*ret_sha256 = entry + PRECOMPILED_SOURCE_NAME_SIZE;
}

int precompiled_encode(const char *part, const char *hyperscan_version, uint64_t tune,
		       uint64_t cpu_features, const uint8_t expressions_sha256[32],
		       const struct precompiled_source *sources, size_t source_count,
		       const uint8_t *database, size_t database_size, uint8_t **ret_buf,
		       size_t *ret_len)
{
	size_t header_size = PRECOMPILED_FIXED_SIZE + source_count * PRECOMPILED_SOURCE_SIZE;
	size_t version_length = strlen(hyperscan_version);
	uint8_t *buf;

	if (!precompiled_name_valid(part, PRECOMPILED_PART_SIZE - 1) || strchr(part, '.') ||
	    !version_length || version_length >= PRECOMPILED_VERSION_SIZE ||
	    !source_count || source_count > PRECOMPILED_SOURCES_MAX ||
	    tune > PRECOMPILED_TUNE_MAX || cpu_features & ~PRECOMPILED_KNOWN_FEATURES ||
	    database_size > PRECOMPILED_DATABASE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < version_length; ++i)
		if (hyperscan_version[i] < 0x20 || hyperscan_version[i] > 0x7e)
			return -EINVAL;
	for (size_t i = 0; i < source_count; ++i)
		if (!precompiled_name_valid(sources[i].name, PRECOMPILED_SOURCE_NAME_SIZE - 1))
			return -EINVAL;
	buf = calloc(1, header_size + database_size);
	if (!buf)
		return -ENOMEM;
	memcpy(buf + OFFSET_MAGIC, PRECOMPILED_MAGIC, 8);
	put_u32(buf + OFFSET_HEADER_SIZE, (uint32_t)header_size);
	put_u32(buf + OFFSET_FORMAT, PRECOMPILED_FORMAT);
	memcpy(buf + OFFSET_VERSION, hyperscan_version, version_length);
	put_u64(buf + OFFSET_TUNE, tune);
	put_u64(buf + OFFSET_FEATURES, cpu_features);
	memcpy(buf + OFFSET_EXPRESSIONS, expressions_sha256, 32);
	memcpy(buf + OFFSET_PART, part, strlen(part));
	put_u32(buf + OFFSET_SOURCE_COUNT, (uint32_t)source_count);
	put_u64(buf + OFFSET_DATABASE_SIZE, database_size);
	for (size_t i = 0; i < source_count; ++i) {
		uint8_t *entry = buf + OFFSET_SOURCES + i * PRECOMPILED_SOURCE_SIZE;

		memcpy(entry, sources[i].name, strlen(sources[i].name));
		memcpy(entry + PRECOMPILED_SOURCE_NAME_SIZE, sources[i].sha256, 32);
	}
	if (database_size)
		memcpy(buf + header_size, database, database_size);
	*ret_buf = buf;
	*ret_len = header_size + database_size;
	return 0;
}
