// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of lib/signature-set.c through its internal API
 * (signature.h): source types by extension, line splitting (LF, CRLF, no
 * final newline, comments), the line number of an error, refusal of NUL
 * bytes and over-long lines, the rewinding of every pool when a source is
 * refused (so the set is as before), and signature_set_finish()'s
 * last-loaded-wins rule for duplicate hashes. Owns no state.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "signature.h"
#include "unit/engine-test.h"

static int add(struct signature_set *set, const char *name, const char *text, size_t size,
	       unsigned *ret_line, char *reason)
{
	return signature_set_add_source(set, name, (const uint8_t *)text, size, ret_line, reason,
					256);
}

Test(signature_set, source_types_by_extension)
{
	cr_assert(signature_source_supported("a.ndb"));
	cr_assert(signature_source_supported("dir/a.hdb"));
	cr_assert(signature_source_supported("a.hsb"));
	cr_assert(signature_source_supported("a.fp"));
	cr_assert(signature_source_supported("a.sfp"));
	cr_assert(signature_source_supported("x.y.ign2"));
	cr_assert_not(signature_source_supported("a.ldb"));
	cr_assert_not(signature_source_supported("a.NDB"));
	cr_assert_not(signature_source_supported("ndb"));
	cr_assert_not(signature_source_supported("a.ndb.bak"));
	cr_assert_not(signature_source_supported("a.ign"));
}

Test(signature_set, unknown_type_is_refused_without_a_line)
{
	struct signature_set set;
	unsigned line = 99;
	char reason[256] = "";

	signature_set_init(&set);
	cr_assert_eq(add(&set, "a.ldb", "X;1", 3, &line, reason), -EPROTONOSUPPORT);
	cr_assert_eq(line, 0);
	cr_assert(strstr(reason, "unknown database type"), "%s", reason);
	signature_set_uninit(&set);
	check_refused("sigs.cvd", "whatever\n", 0, "unknown database type");
}

Test(signature_set, refused_source_leaves_the_set_as_it_was)
{
	struct signature_set set;
	unsigned line;
	char reason[256];
	const char *good = "A:0:*:11223344(aa|bb)*55667788\n"
			   "44d88612fea8a8f36de82e1278abb02f:68:H\n";
	const char *bad = "B:0:*:99887766(cc|dd)*55443322\nC:0:*:11(\n";

	signature_set_init(&set);
	cr_assert_eq(add(&set, "good.ndb", good, 31, &line, reason), 0, "%s", reason);
	cr_assert_eq(add(&set, "good.hdb", good + 31, strlen(good) - 31, &line, reason), 0, "%s",
		     reason);
	struct signature_set before = set;

	cr_assert_eq(add(&set, "bad.ndb", bad, strlen(bad), &line, reason), -EINVAL);
	cr_assert_eq(line, 2);
	cr_assert_eq(set.body_count, before.body_count);
	cr_assert_eq(set.segment_count, before.segment_count);
	cr_assert_eq(set.element_count, before.element_count);
	cr_assert_eq(set.alternative_count, before.alternative_count);
	cr_assert_eq(set.byte_count, before.byte_count);
	cr_assert_eq(set.hash_count, before.hash_count);
	cr_assert_eq(set.names_size, before.names_size);
	cr_assert_eq(set.body_count, 1);
	cr_assert_eq(set.hash_count, 1);
	cr_assert_str_eq(set.names + set.bodies[0].name, "A");
	signature_set_uninit(&set);
}

Test(signature_set, line_numbers_count_every_line)
{
	check_refused("n.ndb", "A:0:*:11223344\r\n# c\r\nB:0:*:zz\r\n", 3, "unexpected 'z'");
	check_refused("n.ndb", "A:0:*:11223344\nB:0:*:11223344\nC:0:*:1", 3, "odd number");
	check_refused("n.hdb", "# c\n# c\n# c\n# c\nbad\n", 5, "too few fields");
}

Test(signature_set, refuses_nul_bytes)
{
	static const char text[] = "A:0:*:11223344\nB:0:*:1122\0" "3344\n";

	struct vigil_source source = { .name = "nul.ndb", .data = (const uint8_t *)text,
				       .size = sizeof(text) - 1, .fd = -1 };
	struct vigil_engine *engine = NULL;
	struct vigil_load_error error;

	cr_assert_lt(try_load_sources(&source, 1, NULL, &engine, &error), 0);
	cr_assert_eq(error.line, 2);
	cr_assert(strstr(error.reason, "NUL byte"), "%s", error.reason);
}

Test(signature_set, refuses_overlong_lines)
{
	size_t length = (1u << 20) + 16;
	char *text = malloc(length + 32);

	cr_assert_not_null(text);
	strcpy(text, "A:0:*:11223344\nL:0:*:");
	memset(text + strlen(text), 'a', length);
	text[length] = '\n';
	text[length + 1] = '\0';
	check_refused("long.ndb", text, 2, "line longer than");
	free(text);
}

Test(signature_set, finish_keeps_the_last_loaded_of_each_hash)
{
	struct signature_set set;
	unsigned line;
	char reason[256];
	const char *text = "44d88612fea8a8f36de82e1278abb02f:68:First\n"
			   "44d88612fea8a8f36de82e1278abb02f:69:OtherSize\n"
			   "44d88612fea8a8f36de82e1278abb02f:68:Second\n"
			   "44d88612fea8a8f36de82e1278abb02f:*:Star:73\n"
			   "3395856ce81f2b7382dee72602f798b642f14140:68:Sha1\n";

	signature_set_init(&set);
	cr_assert_eq(add(&set, "d.hdb", text, strlen(text), &line, reason), 0, "%s", reason);
	cr_assert_eq(set.hash_count, 5);
	cr_assert_eq(signature_set_finish(&set), 0);
	cr_assert_eq(set.hash_count, 4);
	/* sorted by size: 68 (md5 Second, sha1), 69, * last */
	cr_assert_eq(set.hashes[0].size, 68);
	cr_assert_eq(set.hashes[0].type, HASH_MD5);
	cr_assert_str_eq(set.names + set.hashes[0].name, "Second");
	cr_assert_eq(set.hashes[1].type, HASH_SHA1);
	cr_assert_str_eq(set.names + set.hashes[2].name, "OtherSize");
	cr_assert_eq(set.hashes[3].size, HASH_SIZE_ANY);
	cr_assert_str_eq(set.names + set.hashes[3].name, "Star");
	signature_set_uninit(&set);
}

Test(signature_set, push_grows_and_bounds)
{
	uint32_t *pool = NULL;
	size_t count = 0, capacity = 0;

	for (long i = 0; i < 1000; ++i) {
		long index = signature_set_push((void **)&pool, &count, &capacity, sizeof(*pool), 1);

		cr_assert_eq(index, i);
		pool[index] = (uint32_t)i;
	}
	cr_assert_eq(count, 1000);
	cr_assert_geq(capacity, 1000);
	cr_assert_eq(pool[999], 999);
	cr_assert_eq(signature_set_push((void **)&pool, &count, &capacity, sizeof(*pool),
					(size_t)1 << 40), -E2BIG);
	cr_assert_eq(count, 1000);
	free(pool);
}

Test(signature_set, uninit_accepts_null_and_twice)
{
	struct signature_set set;

	signature_set_uninit(NULL);
	signature_set_init(&set);
	signature_set_uninit(&set);
	signature_set_uninit(&set);
	cr_assert_eq(set.body_count, 0);
}
