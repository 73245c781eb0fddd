// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of the precompiled-matcher header (lib/precompiled.c)
 * and of the engine's use of it (lib/engine.c): a header round-trips;
 * every field out of bounds, every truncation and any trailing byte is
 * refused; the engine loads a carried matcher only when the part's
 * sources (name and SHA-256), the Hyperscan version and the CPU features
 * fit, and compiles otherwise with the same verdicts.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>
#include <hs/hs.h>
#include <openssl/evp.h>

#include "engine.h"
#include "precompiled.h"

static const uint8_t expressions[32] = { 1, 2, 3 };
static const uint8_t digest_a[32] = { 0xaa }, digest_b[32] = { 0xbb };

static uint8_t *sample(size_t *ret_len)
{
	const struct precompiled_source sources[] = {
		{ "local.ign2", digest_a }, { "main.ndb", digest_b },
	};
	uint8_t *buf;

	cr_assert_eq(precompiled_encode("main", "5.4.0 2023-01-01", 7, 12, expressions, sources, 2,
					(const uint8_t *)"DATABASE", 8, &buf, ret_len), 0);
	return buf;
}

static void set_u32(uint8_t *p, uint32_t value)
{
	for (int i = 0; i < 4; ++i)
		p[i] = (uint8_t)(value >> (8 * i));
}

Test(precompiled, round_trip)
{
	struct precompiled_header header;
	char name[PRECOMPILED_SOURCE_NAME_SIZE + 1];
	const uint8_t *sha256;
	size_t len;
	uint8_t *buf = sample(&len);

	cr_assert_eq(len, PRECOMPILED_FIXED_SIZE + 2 * PRECOMPILED_SOURCE_SIZE + 8);
	cr_assert_eq(precompiled_parse(buf, len, &header), 0);
	cr_assert_str_eq(header.part, "main");
	cr_assert_str_eq(header.hyperscan_version, "5.4.0 2023-01-01");
	cr_assert_eq(header.tune, 7);
	cr_assert_eq(header.cpu_features, 12);
	cr_assert_eq(memcmp(header.expressions_sha256, expressions, 32), 0);
	cr_assert_eq(header.source_count, 2);
	precompiled_source_at(&header, 1, name, &sha256);
	cr_assert_str_eq(name, "main.ndb");
	cr_assert_eq(memcmp(sha256, digest_b, 32), 0);
	cr_assert_eq(header.database_size, 8);
	cr_assert_eq(memcmp(header.database, "DATABASE", 8), 0);
	free(buf);
}

Test(precompiled, every_truncation_and_trailing_byte_refused)
{
	struct precompiled_header header;
	size_t len;
	uint8_t *buf = sample(&len), *longer = malloc(len + 1);

	for (size_t cut = 0; cut < len; ++cut)
		cr_assert_eq(precompiled_parse(buf, cut, &header), -EBADMSG, "cut at %zu", cut);
	memcpy(longer, buf, len);
	longer[len] = 0;
	cr_assert_eq(precompiled_parse(longer, len + 1, &header), -EBADMSG);
	free(longer);
	free(buf);
}

/* One damaged field at a time: offset, bytes. */
struct damage {
	size_t offset;
	const char *bytes;
	size_t length;
	int expected;
};

Test(precompiled, fields_out_of_bounds_refused)
{
	static const struct damage damages[] = {
		{ 0, "VIGILPC2", 8, -EBADMSG },			/* magic */
		{ 8, "\xb7\x00\x00\x00", 4, -EBADMSG },		/* header size */
		{ 12, "\x02\x00\x00\x00", 4, -EPROTONOSUPPORT },	/* matcher format */
		{ 16, "5.4.0\x01", 6, -EBADMSG },		/* control byte */
		{ 16, "\0x", 2, -EBADMSG },			/* empty version, junk padding */
		{ 40, "xxxxxxxx", 8, -EBADMSG },		/* version without a NUL */
		{ 48, "\x0b", 1, -EBADMSG },			/* tune beyond ICX */
		{ 56, "\x01", 1, -EBADMSG },			/* unknown CPU feature bit */
		{ 63, "\x80", 1, -EBADMSG },			/* unknown CPU feature bit */
		{ 96, "ma.n", 4, -EBADMSG },			/* part with a dot */
		{ 96, "\0", 1, -EBADMSG },			/* empty part */
		{ 96, "-ain", 4, -EBADMSG },			/* part starting with '-' */
		{ 101, "x", 1, -EBADMSG },			/* part padding */
		{ 160, "\x00\x00\x00\x00", 4, -EBADMSG },	/* no sources */
		{ 160, "\x03\x00\x00\x00", 4, -EBADMSG },	/* more sources than fit */
		{ 160, "\x01\x10\x00\x00", 4, -EBADMSG },	/* beyond the source bound */
		{ 164, "\x01", 1, -EBADMSG },			/* reserved */
		{ 168, "\x09", 1, -EBADMSG },			/* database size */
		{ 175, "\x01", 1, -EBADMSG },			/* database size, high byte */
		{ 176, "../x", 4, -EBADMSG },			/* source name */
		{ 176, "\0", 1, -EBADMSG },			/* empty source name */
		{ 176 + 127, "x", 1, -EBADMSG },		/* source name without a NUL */
		{ 176 + 160 + 20, "x", 1, -EBADMSG },		/* source name padding */
	};

	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); ++i) {
		struct precompiled_header header;
		size_t len;
		uint8_t *buf = sample(&len);

		memcpy(buf + damages[i].offset, damages[i].bytes, damages[i].length);
		cr_assert_eq(precompiled_parse(buf, len, &header), damages[i].expected,
			     "damage %zu at offset %zu", i, damages[i].offset);
		free(buf);
	}
}

Test(precompiled, header_size_must_match_source_count)
{
	struct precompiled_header header;
	size_t len;
	uint8_t *buf = sample(&len);

	/* one source, the second entry then counted as database bytes */
	set_u32(buf + 160, 1);
	cr_assert_eq(precompiled_parse(buf, len, &header), -EBADMSG);
	set_u32(buf + 8, PRECOMPILED_FIXED_SIZE + PRECOMPILED_SOURCE_SIZE);
	cr_assert_eq(precompiled_parse(buf, len, &header), -EBADMSG);
	free(buf);
}

Test(precompiled, encoder_refuses_what_the_parser_would)
{
	const struct precompiled_source good = { "main.ndb", digest_a }, bad = { "a/b", digest_a };
	uint8_t *buf = NULL;
	size_t len;

	cr_assert_eq(precompiled_encode("ma.in", "5.4.0", 0, 0, expressions, &good, 1, NULL, 0, &buf,
					&len), -EINVAL);
	cr_assert_eq(precompiled_encode("main", "", 0, 0, expressions, &good, 1, NULL, 0, &buf, &len),
		     -EINVAL);
	cr_assert_eq(precompiled_encode("main", "5.4.0", 11, 0, expressions, &good, 1, NULL, 0, &buf,
					&len), -EINVAL);
	cr_assert_eq(precompiled_encode("main", "5.4.0", 0, 1, expressions, &good, 1, NULL, 0, &buf,
					&len), -EINVAL);
	cr_assert_eq(precompiled_encode("main", "5.4.0", 0, 0, expressions, &bad, 1, NULL, 0, &buf,
					&len), -EINVAL);
	cr_assert_eq(precompiled_encode("main", "5.4.0", 0, 0, expressions, &good, 0, NULL, 0, &buf,
					&len), -EINVAL);
	cr_assert_null(buf);
}

/* --- the engine with carried matchers -------------------------------- */

struct carried {
	uint8_t *bytes[4];
	size_t sizes[4];
	char names[4][64];
	size_t count;
};

static int keep(void *opaque, const char *part, const uint8_t *bytes, size_t size)
{
	struct carried *carried = opaque;

	cr_assert_lt(carried->count, 4);
	carried->bytes[carried->count] = malloc(size);
	memcpy(carried->bytes[carried->count], bytes, size);
	carried->sizes[carried->count] = size;
	snprintf(carried->names[carried->count], 64, "%s.native.vpc", part);
	carried->count++;
	return 0;
}

static void sha256(const char *text, uint8_t digest[32])
{
	EVP_Digest(text, strlen(text), digest, NULL, EVP_sha256(), NULL);
}

#define MAIN_NDB "One:0:*:11223344\nTwo:0:*:aabb??ccdd\n"
#define DAILY_NDB "Three:0:0:5566778899\n"

/* Loads main.ndb (text @main) and daily.ndb with the carried matchers;
 * returns the stats and the names found in @file. */
static void load(const char *main, const uint8_t main_sha256[32], struct carried *carried,
		 struct vigil_engine_stats *stats, const char *file, size_t file_size, char *found)
{
	uint8_t daily_sha256[32];
	struct vigil_precompiled precompiled[4];
	struct vigil_source sources[2] = {
		{ .name = "daily.ndb", .data = (const uint8_t *)DAILY_NDB, .size = strlen(DAILY_NDB),
		  .fd = -1, .sha256 = daily_sha256 },
		{ .name = "main.ndb", .data = (const uint8_t *)main, .size = strlen(main), .fd = -1,
		  .sha256 = main_sha256 },
	};
	struct vigil_engine_options options = { .precompiled = precompiled,
						.precompiled_count = carried->count };
	struct vigil_load_error error = { 0 };
	struct vigil_scan_result result;
	struct vigil_engine *engine;

	sha256(DAILY_NDB, daily_sha256);
	for (size_t i = 0; i < carried->count; ++i)
		precompiled[i] = (struct vigil_precompiled){ .name = carried->names[i],
							     .data = carried->bytes[i],
							     .size = carried->sizes[i], .fd = -1 };
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &engine, &error), 0, "%s", error.reason);
	vigil_engine_get_stats(engine, stats);
	cr_assert_eq(vigil_engine_scan_buffer(engine, (const uint8_t *)file, file_size, 0, &result), 0);
	found[0] = '\0';
	for (size_t i = 0; i < result.match_count; ++i)
		sprintf(found + strlen(found), "%s%s", i ? " " : "", result.matches[i]);
	vigil_scan_result_uninit(&result);
	vigil_engine_unref(engine);
}

static void precompile(struct carried *carried)
{
	uint8_t main_sha256[32], daily_sha256[32];
	struct vigil_source sources[2] = {
		{ .name = "daily.ndb", .data = (const uint8_t *)DAILY_NDB, .size = strlen(DAILY_NDB),
		  .fd = -1, .sha256 = daily_sha256 },
		{ .name = "main.ndb", .data = (const uint8_t *)MAIN_NDB, .size = strlen(MAIN_NDB),
		  .fd = -1, .sha256 = main_sha256 },
	};
	struct vigil_precompile_target target;
	struct vigil_load_error error = { 0 };

	sha256(MAIN_NDB, main_sha256);
	sha256(DAILY_NDB, daily_sha256);
	cr_assert_eq(vigil_precompile_target_parse("native", &target), 0);
	cr_assert_eq(vigil_precompile_target_parse("sparc", &target), -EINVAL);
	cr_assert_eq(vigil_precompile_target_parse("native", &target), 0);
	cr_assert_eq(vigil_engine_precompile(sources, 2, &target, 0, keep, carried, &error), 0,
		     "%s", error.reason);
	cr_assert_eq(carried->count, 2);
}

static void carried_free(struct carried *carried)
{
	for (size_t i = 0; i < carried->count; ++i)
		free(carried->bytes[i]);
}

static const char file[] = "xx\xaa\xbb\x00\xcc\xddyy \x11\x22\x33\x44";

Test(precompiled, engine_loads_a_fitting_carried_matcher)
{
	struct carried carried = { 0 };
	struct vigil_engine_stats stats;
	uint8_t main_sha256[32];
	char found[256];

	precompile(&carried);
	sha256(MAIN_NDB, main_sha256);
	load(MAIN_NDB, main_sha256, &carried, &stats, file, sizeof(file) - 1, found);
	cr_assert_eq(stats.parts_precompiled, 2);
	cr_assert_eq(stats.parts_compiled, 0);
	cr_assert_str_eq(found, "One Two");
	carried_free(&carried);
}

Test(precompiled, engine_ignores_a_matcher_of_other_sources)
{
	static const char other[] = MAIN_NDB "Four:0:*:0102030405\n";
	static const char file4[] = "xx\x01\x02\x03\x04\x05 \x11\x22\x33\x44";
	struct carried carried = { 0 };
	struct vigil_engine_stats stats;
	uint8_t other_sha256[32], main_sha256[32];
	char found[256];

	precompile(&carried);
	sha256(other, other_sha256);
	load(other, other_sha256, &carried, &stats, file4, sizeof(file4) - 1, found);
	cr_assert_eq(stats.parts_precompiled, 1);
	cr_assert_eq(stats.parts_compiled, 1);
	cr_assert_str_eq(found, "One Four");
	/* other bytes under the old digest: the expressions differ, compiled */
	sha256(MAIN_NDB, main_sha256);
	load(other, main_sha256, &carried, &stats, file4, sizeof(file4) - 1, found);
	cr_assert_eq(stats.parts_compiled, 1);
	cr_assert_str_eq(found, "One Four");
	carried_free(&carried);
}

Test(precompiled, engine_ignores_other_versions_and_cpu_features)
{
	struct carried carried = { 0 };
	struct vigil_engine_stats stats;
	hs_platform_info_t machine;
	uint8_t main_sha256[32];
	char found[256];

	precompile(&carried);
	sha256(MAIN_NDB, main_sha256);
	carried.bytes[0][16] ^= 1;	/* Hyperscan version */
	load(MAIN_NDB, main_sha256, &carried, &stats, file, sizeof(file) - 1, found);
	cr_assert_eq(stats.parts_precompiled, 1);
	cr_assert_eq(stats.parts_compiled, 1);
	cr_assert_str_eq(found, "One Two");
	carried.bytes[0][16] ^= 1;
	/* a CPU feature this machine lacks */
	cr_assert_eq(hs_populate_platform(&machine), HS_SUCCESS);
	if (!(machine.cpu_features & HS_CPU_FEATURES_AVX512VBMI)) {
		carried.bytes[1][56] |= (uint8_t)HS_CPU_FEATURES_AVX512VBMI;
		load(MAIN_NDB, main_sha256, &carried, &stats, file, sizeof(file) - 1, found);
		cr_assert_eq(stats.parts_precompiled, 1);
		cr_assert_eq(stats.parts_compiled, 1);
		cr_assert_str_eq(found, "One Two");
	}
	carried_free(&carried);
}
