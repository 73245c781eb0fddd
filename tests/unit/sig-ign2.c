// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of .ign2 lists (lib/sig-ign2.c): the three forms NAME,
 * NAME:MD5 (MD5 of the signature's database line as written) and
 * DB:LINE:NAME, exact case-sensitive names, body and hash signatures alike,
 * .ign2 acting whatever the order the sources are given in, and the
 * refusals (blank line, bad MD5, too many fields) with FILE:LINE. Owns no
 * state.
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "unit/engine-test.h"

#define P "11223344"
#define NDB "Sig1:0:*:" P "\nSig2:0:*:55667788\n"
#define FILE_SPEC "00 " P " 55667788 00"

static void md5_hex(const char *text, char *out)
{
	uint8_t digest[16];

	cr_assert(EVP_Digest(text, strlen(text), digest, NULL, EVP_md5(), NULL));
	for (int i = 0; i < 16; ++i)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

/* Names found in FILE_SPEC with NDB and the given .ign2 text. */
static char *names_with_ignore(const char *ign2)
{
	struct vigil_engine *engine = engine_from2("db.ndb", NDB, "list.ign2", ign2);
	char *names = scan_spec(engine, FILE_SPEC);

	vigil_engine_unref(engine);
	return names;
}

#define assert_ignored(ign2, expected) do { \
		char *names_ = names_with_ignore(ign2); \
		cr_assert_str_eq(names_, expected, "with .ign2 '%s'", ign2); \
		free(names_); \
	} while (0)

Test(sig_ign2, nothing_ignored_without_a_list_entry)
{
	assert_ignored("# just a comment\n", "Sig1 Sig2");
	assert_ignored("", "Sig1 Sig2");
}

Test(sig_ign2, plain_name)
{
	assert_ignored("Sig1\n", "Sig2");
	assert_ignored("Sig1\nSig2\n", "");
	assert_ignored("Sig2\r\n", "Sig1");
}

Test(sig_ign2, names_compare_exactly)
{
	assert_ignored("sig1\n", "Sig1 Sig2");
	assert_ignored("Sig1.UNOFFICIAL\n", "Sig1 Sig2");
	assert_ignored("Sig1 \n", "Sig1 Sig2");
	assert_ignored("Sig\n", "Sig1 Sig2");
	assert_ignored("Sig12\n", "Sig1 Sig2");
}

Test(sig_ign2, name_with_md5_of_the_line)
{
	char md5[33], text[128];

	md5_hex("Sig1:0:*:" P, md5);
	snprintf(text, sizeof(text), "Sig1:%s\n", md5);
	assert_ignored(text, "Sig2");
	/* upper-case md5 is the same */
	for (char *p = text; *p; ++p)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_ignored(text, "Sig2");
	/* md5 of the line with its newline: not this line */
	md5_hex("Sig1:0:*:" P "\n", md5);
	snprintf(text, sizeof(text), "Sig1:%s\n", md5);
	assert_ignored(text, "Sig1 Sig2");
	/* the right md5 under another name */
	md5_hex("Sig1:0:*:" P, md5);
	snprintf(text, sizeof(text), "Sig2:%s\n", md5);
	assert_ignored(text, "Sig1 Sig2");
}

Test(sig_ign2, old_ign_form)
{
	assert_ignored("a.ndb:1:Sig1\n", "Sig2");
	assert_ignored("whatever.ndb:99:Sig2\n", "Sig1");
}

Test(sig_ign2, hash_signatures_are_ignored_by_name)
{
	/* md5("123456") */
	const char *hdb = "e10adc3949ba59abbe56e057f20f883e:6:Hash1\n";
	struct vigil_engine *engine = engine_from2("h.hdb", hdb, "l.ign2", "Hash1\n");
	char *names = scan_data(engine, (const uint8_t *)"123456", 6, NULL);

	cr_assert_str_eq(names, "");
	free(names);
	vigil_engine_unref(engine);
	engine = engine_from2("h.hdb", hdb, "l.ign2", "Hash2\n");
	names = scan_data(engine, (const uint8_t *)"123456", 6, NULL);
	cr_assert_str_eq(names, "Hash1");
	free(names);
	vigil_engine_unref(engine);
}

Test(sig_ign2, list_acts_whatever_the_source_order)
{
	struct vigil_source sources[2] = {
		{ .name = "l.ign2", .data = (const uint8_t *)"Sig2\n", .size = 5, .fd = -1 },
		{ .name = "db.ndb", .data = (const uint8_t *)NDB, .size = strlen(NDB), .fd = -1 },
	};
	struct vigil_engine *engine = engine_from_sources(sources, 2, NULL);
	struct vigil_engine_stats stats;
	char *names = scan_spec(engine, FILE_SPEC);

	cr_assert_str_eq(names, "Sig1");
	free(names);
	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.ignored_names, 1);
	cr_assert_eq(stats.body_signatures, 1);
	vigil_engine_unref(engine);
}

Test(sig_ign2, ignore_list_alone_loads)
{
	struct vigil_engine *engine = engine_from("only.ign2", "Sig1\n");
	char *names = scan_spec(engine, FILE_SPEC);

	cr_assert_str_eq(names, "");
	free(names);
	vigil_engine_unref(engine);
}

Test(sig_ign2, refuses_blank_lines)
{
	check_refused("l.ign2", "Sig1\n\nSig2\n", 2, "no signature name provided");
	check_refused("l.ign2", "\n", 1, "no signature name provided");
}

Test(sig_ign2, refuses_bad_md5)
{
	check_refused("l.ign2", "Sig1:zz3456789012345678901234567890\n", 1, "malformed MD5 string");
	check_refused("l.ign2", "Sig1\nSig1:1234\n", 2, "malformed MD5 string");
	check_refused("l.ign2", "Sig1:\n", 1, "malformed MD5 string");
}

Test(sig_ign2, refuses_bad_fields_and_names)
{
	check_refused("l.ign2", "a:b:c:d\n", 1, "too many fields");
	check_refused("l.ign2", "a.ndb:1:\n", 1, "no signature name provided");
	check_refused("l.ign2", ":0123456789abcdef0123456789abcdef\n", 1,
		      "no signature name provided");
	check_refused("l.ign2", "A\x02" "B\n", 1, "control character");
}
