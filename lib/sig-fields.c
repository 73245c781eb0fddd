// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the small pieces every ClamAV line parser shares: splitting a
 * line at ':', strict decimal and hex digits, and writing a refusal. Owns
 * no state; sig-ndb.c, sig-hash.c, sig-ign2.c and sig-hex.c call in.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "signature.h"

size_t sig_split_fields(const char *line, size_t length, const char **fields, size_t *lengths,
			size_t most)
{
	const char *start = line;
	size_t count = 0;

	for (size_t i = 0; i <= length; ++i) {
		if (i == length || line[i] == ':') {
			if (count == most)
				return most + 1;
			fields[count] = start;
			lengths[count] = (size_t)(line + i - start);
			count++;
			start = line + i + 1;
		}
	}
	return count;
}

bool sig_parse_decimal(const char *text, size_t length, uint64_t max, uint64_t *ret_value)
{
	uint64_t value = 0;

	if (!length || length > 20)
		return false;
	for (size_t i = 0; i < length; ++i) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		if (value > (max - (uint64_t)(text[i] - '0')) / 10)
			return false;
		value = value * 10 + (uint64_t)(text[i] - '0');
	}
	*ret_value = value;
	return true;
}

int sig_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool sig_name_has_control(const char *name, size_t length)
{
	for (size_t i = 0; i < length; ++i)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return true;
	return false;
}

bool sig_parse_hex_bytes(const char *text, size_t length, uint8_t *out)
{
	for (size_t i = 0; i + 1 < length; i += 2) {
		int high = sig_hex_digit(text[i]), low = sig_hex_digit(text[i + 1]);

		if (high < 0 || low < 0)
			return false;
		out[i / 2] = (uint8_t)(high << 4 | low);
	}
	return length % 2 == 0;
}

int sig_refuse(char *reason, size_t reason_size, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(reason, reason_size, format, args);
	va_end(args);
	return -EINVAL;
}
