// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: vigil_utf8_escape(), shared by `vigil scan --json` and vigild's
 * verdict records so a path that is not UTF-8 is escaped, never dropped,
 * the same way everywhere. Owns nothing past the returned string.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "utf8-escape.h"

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
	uint32_t code;
	size_t length;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		length = 2, code = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		length = 3, code = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		length = 4, code = p[0] & 0x07;
	else
		return 0;
	if (left < length)
		return 0;
	for (size_t i = 1; i < length; ++i) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		code = code << 6 | (p[i] & 0x3f);
	}
	if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000) ||
	    code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
		return 0;
	return length;
}

char *vigil_utf8_escape(const char *bytes, size_t length)
{
	const unsigned char *p = (const unsigned char *)bytes;
	char *out = malloc(length * 4 + 1), *q = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < length;) {
		size_t sequence = p[i] ? utf8_sequence(p + i, length - i) : 0;

		if (p[i] == '\\') {
			*q++ = '\\';
			*q++ = '\\';
			i++;
		} else if (sequence) {
			for (size_t j = 0; j < sequence; ++j)
				*q++ = (char)p[i + j];
			i += sequence;
		} else {
			q += sprintf(q, "\\x%02x", p[i]);
			i++;
		}
	}
	*q = '\0';
	return out;
}
