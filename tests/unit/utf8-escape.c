// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of vigil_utf8_escape() (lib/utf8-escape.c): valid UTF-8
 * passes through, every byte of an invalid sequence (overlong, surrogate,
 * beyond U+10FFFF, truncated, stray continuation, NUL) becomes \xNN, and a
 * backslash becomes \\ so the escaping is reversible. Owns no state.
 */
#include <criterion/criterion.h>

#include "utf8-escape.h"

static void check(const char *bytes, size_t length, const char *expected)
{
	char *escaped = vigil_utf8_escape(bytes, length);

	cr_assert_not_null(escaped);
	cr_assert_str_eq(escaped, expected);
	free(escaped);
}

Test(utf8_escape, ascii_and_valid_utf8_pass)
{
	check("/tmp/plain file.txt", 19, "/tmp/plain file.txt");
	check("", 0, "");
	check("caf\xc3\xa9", 5, "caf\xc3\xa9");
	check("\xe2\x82\xac", 3, "\xe2\x82\xac");		/* U+20AC */
	check("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80");	/* U+1F600 */
	check("\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	check("\xed\x9f\xbf", 3, "\xed\x9f\xbf");		/* U+D7FF */
}

Test(utf8_escape, backslash_is_doubled)
{
	check("a\\b", 3, "a\\\\b");
	check("\\x41", 4, "\\\\x41");
}

Test(utf8_escape, invalid_bytes_become_hex)
{
	check("\xff", 1, "\\xff");
	check("a\x80z", 3, "a\\x80z");				/* stray continuation */
	check("\xc0\xaf", 2, "\\xc0\\xaf");			/* overlong '/' */
	check("\xe0\x80\xaf", 3, "\\xe0\\x80\\xaf");		/* overlong, 3 bytes */
	check("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");		/* surrogate U+D800 */
	check("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");	/* U+110000 */
	check("\xf5\x80\x80\x80", 4, "\\xf5\\x80\\x80\\x80");
	check("\xc3", 1, "\\xc3");				/* truncated */
	check("\xe2\x82", 2, "\\xe2\\x82");
	check("\xc3(", 2, "\\xc3(");
	check("a\0b", 3, "a\\x00b");
}
