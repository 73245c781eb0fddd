// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of the hash databases (lib/sig-hash.c): .hdb/.hsb with
 * MD5, SHA-1 and SHA-256 typed by length, sizes and `*` (needing :73),
 * clamscan's "last loaded name wins" for duplicates (.hsb loaded after
 * .hdb), and .fp/.sfp suppressing every detection of a listed file; plus
 * each malformed-line class with FILE:LINE and reason. Digests of the test
 * files are computed here with libcrypto. Owns no state.
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "unit/engine-test.h"

static const uint8_t sample[] = "a sample file for hash signatures\n";
#define SAMPLE_SIZE (sizeof(sample) - 1)

/* Lower-case hex digest of data with md ("md5", "sha1", "sha256"). */
static void hex_digest(const char *md, const void *data, size_t size, char *out)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned length = 0;

	cr_assert(EVP_Digest(data, size, digest, &length, EVP_get_digestbyname(md), NULL));
	for (unsigned i = 0; i < length; ++i)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

static char *scan_sample(struct vigil_engine *engine)
{
	return scan_data(engine, sample, SAMPLE_SIZE, NULL);
}

#define assert_sample_names(engine, expected) do { \
		char *names_ = scan_sample(engine); \
		cr_assert_str_eq(names_, expected); \
		free(names_); \
	} while (0)

/* Loads one source whose text is printf(format, ...). */
static struct vigil_engine *engine_printf(const char *name, const char *format, ...)
{
	char text[4096];
	va_list args;

	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	return engine_from(name, text);
}

Test(sig_hash, each_type_by_length_in_hdb_and_hsb)
{
	static const char *const types[] = { "md5", "sha1", "sha256" };
	static const char *const files[] = { "t.hdb", "t.hsb" };

	for (int f = 0; f < 2; ++f) {
		for (int t = 0; t < 3; ++t) {
			char hash[129];
			struct vigil_engine *engine;

			hex_digest(types[t], sample, SAMPLE_SIZE, hash);
			engine = engine_printf(files[f], "%s:%zu:Hash.%s\n", hash, SAMPLE_SIZE, types[t]);
			{
				char *names = scan_sample(engine);
				char want[32];

				snprintf(want, sizeof(want), "Hash.%s", types[t]);
				cr_assert_str_eq(names, want, "%s in %s", types[t], files[f]);
				free(names);
			}
			vigil_engine_unref(engine);
		}
	}
}

Test(sig_hash, upper_case_hash)
{
	char hash[129];
	struct vigil_engine *engine;

	hex_digest("sha256", sample, SAMPLE_SIZE, hash);
	for (char *p = hash; *p; ++p)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	engine = engine_printf("u.hdb", "%s:%zu:Upper\n", hash, SAMPLE_SIZE);
	assert_sample_names(engine, "Upper");
	vigil_engine_unref(engine);
}

Test(sig_hash, size_must_match)
{
	char hash[129];
	struct vigil_engine *engine;

	hex_digest("md5", sample, SAMPLE_SIZE, hash);
	engine = engine_printf("s.hdb", "%s:%zu:Plus1\n%s:%zu:Minus1\n", hash, SAMPLE_SIZE + 1,
			       hash, SAMPLE_SIZE - 1);
	assert_sample_names(engine, "");
	vigil_engine_unref(engine);
}

Test(sig_hash, wrong_digest_no_match)
{
	char hash[129];
	struct vigil_engine *engine;

	hex_digest("md5", sample, SAMPLE_SIZE, hash);
	hash[31] = hash[31] == '0' ? '1' : '0';
	engine = engine_printf("w.hdb", "%s:%zu:Wrong\n", hash, SAMPLE_SIZE);
	assert_sample_names(engine, "");
	vigil_engine_unref(engine);
}

Test(sig_hash, star_size_needs_flevel_73)
{
	char hash[129], text[512];
	struct vigil_engine *engine;

	hex_digest("sha1", sample, SAMPLE_SIZE, hash);
	engine = engine_printf("star.hsb", "%s:*:Star:73\n", hash);
	assert_sample_names(engine, "Star");
	vigil_engine_unref(engine);
	snprintf(text, sizeof(text), "%s:*:Star\n", hash);
	check_refused("star.hsb", text, 1, "at least 73 for wildcard size");
	snprintf(text, sizeof(text), "%s:*:Star:72\n", hash);
	check_refused("star.hsb", text, 1, "at least 73 for wildcard size");
}

Test(sig_hash, duplicate_hash_reports_the_last_loaded_name)
{
	char hash[129];
	struct vigil_engine *engine;

	hex_digest("md5", sample, SAMPLE_SIZE, hash);
	engine = engine_printf("d.hdb", "%s:%zu:First\n%s:%zu:Second\n", hash, SAMPLE_SIZE, hash,
			       SAMPLE_SIZE);
	assert_sample_names(engine, "Second");
	vigil_engine_unref(engine);
	engine = engine_printf("d.hdb", "%s:%zu:First\n%s:%zu:Second\n%s:%zu:Third\n", hash,
			       SAMPLE_SIZE, hash, SAMPLE_SIZE, hash, SAMPLE_SIZE);
	assert_sample_names(engine, "Third");
	vigil_engine_unref(engine);
	engine = engine_printf("d.hsb", "%s:*:StarFirst:73\n%s:*:StarSecond:73\n", hash, hash);
	assert_sample_names(engine, "StarSecond");
	vigil_engine_unref(engine);
}

Test(sig_hash, hsb_loads_after_hdb)
{
	char hash[129], first[512], second[512];
	struct vigil_engine *engine;

	hex_digest("sha256", sample, SAMPLE_SIZE, hash);
	snprintf(first, sizeof(first), "%s:%zu:First\n", hash, SAMPLE_SIZE);
	snprintf(second, sizeof(second), "%s:%zu:Second\n", hash, SAMPLE_SIZE);
	engine = engine_from2("a.hdb", first, "b.hsb", second);
	assert_sample_names(engine, "Second");
	vigil_engine_unref(engine);
	/* a.hsb given first still loads after b.hdb */
	engine = engine_from2("a.hsb", first, "b.hdb", second);
	assert_sample_names(engine, "First");
	vigil_engine_unref(engine);
	/* two .hdb: the order given */
	engine = engine_from2("a.hdb", first, "b.hdb", second);
	assert_sample_names(engine, "Second");
	vigil_engine_unref(engine);
}

Test(sig_hash, sized_and_star_entries_are_both_reported)
{
	char hash[129];
	struct vigil_engine *engine;
	char *names;

	hex_digest("md5", sample, SAMPLE_SIZE, hash);
	engine = engine_printf("b.hdb", "%s:%zu:Sized\n%s:*:Star:73\n", hash, SAMPLE_SIZE, hash);
	names = scan_sample(engine);
	cr_assert(!strcmp(names, "Sized Star") || !strcmp(names, "Star Sized"), "got '%s'", names);
	free(names);
	vigil_engine_unref(engine);
}

Test(sig_hash, functionality_levels_skip_lines)
{
	char hash[129];
	struct vigil_engine *engine;
	struct vigil_engine_stats stats;

	hex_digest("md5", sample, SAMPLE_SIZE, hash);
	engine = engine_printf("f.hdb", "%s:%zu:New:300\n%s:%zu:Old:1:2\n%s:%zu:Now:51:255\n",
			       hash, SAMPLE_SIZE, hash, SAMPLE_SIZE, hash, SAMPLE_SIZE);
	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.hash_signatures, 1);
	assert_sample_names(engine, "Now");
	vigil_engine_unref(engine);
}

Test(sig_hash, small_files_are_never_matched)
{
	char five[129], six[129];
	struct vigil_engine *engine;
	char *names;

	hex_digest("md5", "12345", 5, five);
	hex_digest("md5", "123456", 6, six);
	engine = engine_printf("small.hdb", "%s:5:Five\n%s:6:Six\n%s:*:FiveStar:73\n", five, six,
			       five);
	names = scan_data(engine, (const uint8_t *)"12345", 5, NULL);
	cr_assert_str_eq(names, "");
	free(names);
	names = scan_data(engine, (const uint8_t *)"123456", 6, NULL);
	cr_assert_str_eq(names, "Six");
	free(names);
	vigil_engine_unref(engine);
}

/* --- .fp and .sfp -------------------------------------------------------- */

static void check_suppressed(const char *fp_name, const char *md, bool star)
{
	char hash[129], fp[512];
	struct vigil_engine *engine;

	hex_digest(md, sample, SAMPLE_SIZE, hash);
	if (star)
		snprintf(fp, sizeof(fp), "%s:*:Allowed:73\n", hash);
	else
		snprintf(fp, sizeof(fp), "%s:%zu:Allowed\n", hash, SAMPLE_SIZE);
	/* a body signature and a hash signature both hit the sample */
	{
		char db[512], sha[129];

		hex_digest("sha1", sample, SAMPLE_SIZE, sha);
		snprintf(db, sizeof(db), "Body:0:*:73616d706c65\n");
		engine = engine_from2("b.ndb", db, fp_name, fp);
		assert_sample_names(engine, "");
		vigil_engine_unref(engine);
		snprintf(db, sizeof(db), "%s:%zu:HashSig\n", sha, SAMPLE_SIZE);
		engine = engine_from2("h.hdb", db, fp_name, fp);
		assert_sample_names(engine, "");
		vigil_engine_unref(engine);
	}
}

Test(sig_hash, false_positive_lists_suppress_every_detection)
{
	check_suppressed("a.fp", "md5", false);
	check_suppressed("a.fp", "sha1", false);
	check_suppressed("a.fp", "sha256", false);
	check_suppressed("a.sfp", "sha256", false);
	check_suppressed("a.sfp", "md5", true);
	check_suppressed("a.fp", "sha1", true);
}

Test(sig_hash, false_positive_needs_the_exact_size)
{
	char hash[129], fp[512];
	struct vigil_engine *engine;

	hex_digest("md5", sample, SAMPLE_SIZE, hash);
	snprintf(fp, sizeof(fp), "%s:%zu:Allowed\n", hash, SAMPLE_SIZE + 1);
	engine = engine_from2("b.ndb", "Body:0:*:73616d706c65\n", "a.fp", fp);
	assert_sample_names(engine, "Body");
	vigil_engine_unref(engine);
}

Test(sig_hash, false_positive_of_another_file_changes_nothing)
{
	char hash[129], fp[512];
	struct vigil_engine *engine;

	hex_digest("md5", "something else", 14, hash);
	snprintf(fp, sizeof(fp), "%s:%zu:Other\n", hash, SAMPLE_SIZE);
	engine = engine_from2("b.ndb", "Body:0:*:73616d706c65\n", "a.sfp", fp);
	assert_sample_names(engine, "Body");
	vigil_engine_unref(engine);
}

Test(sig_hash, false_positive_stats)
{
	char hash[129], fp[512];
	struct vigil_engine *engine;
	struct vigil_engine_stats stats;

	hex_digest("md5", sample, SAMPLE_SIZE, hash);
	snprintf(fp, sizeof(fp), "%s:%zu:A\n%s:*:B:73\n", hash, SAMPLE_SIZE, hash);
	engine = engine_from2("b.ndb", "Body:0:*:73616d706c65\n", "a.fp", fp);
	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.false_positive_hashes, 2);
	cr_assert_eq(stats.hash_signatures, 0);
	cr_assert_eq(stats.body_signatures, 1);
	vigil_engine_unref(engine);
}

/* --- refusals ------------------------------------------------------------- */

#define MD5_HEX "44d88612fea8a8f36de82e1278abb02f"
#define SHA256_63 "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0"

Test(sig_hash, refuses_bad_hash_lengths_and_digits)
{
	check_refused("l.hdb", MD5_HEX ":68:Good\n" SHA256_63 ":68:Short\n", 2,
		      "63 hex digits");
	check_refused("l.hsb", "44d88612fea8a8f36de82e1278abb02:68:Short\n", 1, "31 hex digits");
	check_refused("l.hdb", "44d88612fea8a8f36de82e1278abb02g:68:Bad\n", 1, "not hexadecimal");
	check_refused("l.fp", ":68:Empty\n", 1, "0 hex digits");
}

Test(sig_hash, refuses_bad_sizes)
{
	check_refused("z.hdb", MD5_HEX ":0:Zero\n", 1, "invalid value for the size field '0'");
	check_refused("z.hdb", MD5_HEX ":-1:Neg\n", 1, "invalid value for the size field '-1'");
	check_refused("z.hsb", MD5_HEX ":12x:Junk\n", 1, "invalid value for the size field '12x'");
	check_refused("z.hdb", MD5_HEX "::Empty\n", 1, "invalid value for the size field ''");
	check_refused("z.fp", MD5_HEX ":0:Zero\n", 1, "invalid value for the size field");
	check_refused("z.sfp", MD5_HEX ":*:Star\n", 1, "at least 73");
}

Test(sig_hash, refuses_bad_field_counts_names_and_levels)
{
	check_refused("f.hdb", MD5_HEX ":68\n", 1, "too few fields");
	check_refused("f.hdb", MD5_HEX ":68:A:1:2:3\n", 1, "too many fields");
	check_refused("f.hdb", MD5_HEX ":68:\n", 1, "name empty");
	check_refused("f.hdb", MD5_HEX ":68:A\x01" "B\n", 1, "control character");
	check_refused("f.hdb", MD5_HEX ":68:A:x\n", 1, "invalid minimum functionality level 'x'");
	check_refused("f.hdb", MD5_HEX ":68:A:51:y\n", 1, "invalid maximum functionality level 'y'");
}

Test(sig_hash, refuses_empty_lines_and_files)
{
	check_refused("e.hdb", "", 0, "empty database file");
	check_refused("e.hsb", "# nothing\n", 0, "empty database file");
	check_refused("e.fp", "", 0, "empty database file");
	check_refused("e.sfp", "", 0, "empty database file");
	check_refused("e.hdb", MD5_HEX ":68:A\n\n", 2, "empty line");
}
