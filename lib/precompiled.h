/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * A precompiled matcher as carried in a signed bundle (precompiled.c): the
 * header that binds a serialized Hyperscan database to the exact signature
 * payloads it was compiled from, to the Hyperscan version and to a CPU
 * platform. docs/bundle-format.md section 11 is the byte layout.
 */
#ifndef VIGIL_LIB_PRECOMPILED_H
#define VIGIL_LIB_PRECOMPILED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRECOMPILED_MAGIC "VIGILPM1"
#define PRECOMPILED_FORMAT 1
#define PRECOMPILED_FIXED_SIZE 176
#define PRECOMPILED_VERSION_SIZE 32
#define PRECOMPILED_PART_SIZE 64
#define PRECOMPILED_SOURCE_NAME_SIZE 128
#define PRECOMPILED_SOURCE_SIZE (PRECOMPILED_SOURCE_NAME_SIZE + 32)
#define PRECOMPILED_SOURCES_MAX 4096
#define PRECOMPILED_DATABASE_MAX (4ULL << 30)
/* Hyperscan's tune families go up to HS_TUNE_FAMILY_ICX (10). */
#define PRECOMPILED_TUNE_MAX 10
/* HS_CPU_FEATURES_AVX2 | AVX512 | AVX512VBMI. */
#define PRECOMPILED_KNOWN_FEATURES ((1ULL << 2) | (1ULL << 3) | (1ULL << 4))

/* A parsed header: views into the caller's buffer. */
struct precompiled_header {
	uint32_t matcher_format;
	char hyperscan_version[PRECOMPILED_VERSION_SIZE + 1];
	uint64_t tune;
	uint64_t cpu_features;
	uint8_t expressions_sha256[32];
	char part[PRECOMPILED_PART_SIZE + 1];
	size_t source_count;
	const uint8_t *sources;		/* source_count entries of name[128], sha256[32] */
	const uint8_t *database;
	size_t database_size;
};

/* One source the matcher was compiled from, in the engine's load order. */
struct precompiled_source {
	const char *name;
	const uint8_t *sha256;
};

/*
 * precompiled_parse - checks every header field before anything uses it
 * Returns 0 with @ret_header filled (pointing into @buf), or -EBADMSG
 * (malformed: bad magic, sizes that do not add up to @len exactly, a field
 * out of range, non-zero padding) or -EPROTONOSUPPORT (another matcher
 * format). Never reads beyond @len.
 */
int precompiled_parse(const uint8_t *buf, size_t len, struct precompiled_header *ret_header);

/* The i-th source entry (i < source_count): its name (NUL-terminated
 * copy into @name, 129 bytes) and a pointer to its SHA-256. */
void precompiled_source_at(const struct precompiled_header *header, size_t i,
			   char name[PRECOMPILED_SOURCE_NAME_SIZE + 1], const uint8_t **ret_sha256);

/*
 * precompiled_encode - lays out a header and the database in one new
 * allocation. Returns 0, -EINVAL for a field the parser would refuse, or
 * -ENOMEM.
 */
int precompiled_encode(const char *part, const char *hyperscan_version, uint64_t tune,
		       uint64_t cpu_features, const uint8_t expressions_sha256[32],
		       const struct precompiled_source *sources, size_t source_count,
		       const uint8_t *database, size_t database_size, uint8_t **ret_buf,
		       size_t *ret_len);

/* Part and source names: 1..size-1 bytes, first [A-Za-z0-9], then [A-Za-z0-9._+-]. */
bool precompiled_name_valid(const char *name, size_t max_length);

#endif
