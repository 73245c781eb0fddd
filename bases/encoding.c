// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: strict field codecs shared by the bundle and root formats
 * (bundle.c, root.c). Each decoder accepts exactly one spelling of a value,
 * which is what makes the manifests canonical: a decoder that accepted
 * "007" or "2026-1-1" would give one content two encodings. Owns no state;
 * callers own every buffer passed in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "encoding.h"

void vigil_reason_set(char *reason, size_t reason_size, const char *format, ...)
{
	va_list args;

	if (!reason || !reason_size)
		return;
	va_start(args, format);
	vsnprintf(reason, reason_size, format, args);
	va_end(args);
}

bool vigil_decimal_parse(const char *text, size_t len, uint64_t *ret_value)
{
	uint64_t value = 0;

	if (len == 0 || len > 20)
		return false;
	if (text[0] == '0' && len > 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned digit;

		if (text[i] < '0' || text[i] > '9')
			return false;
		digit = (unsigned)(text[i] - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*ret_value = value;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool vigil_hex_parse(const char *text, size_t len, uint8_t *out, size_t size)
{
	if (len != 2 * size)
		return false;
	for (size_t i = 0; i < size; i++) {
		int high = hex_digit(text[2 * i]), low = hex_digit(text[2 * i + 1]);

		if (high < 0 || low < 0)
			return false;
		out[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}

void vigil_hex_format(const uint8_t *bytes, size_t size, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < size; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * size] = '\0';
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian). */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
	int64_t era;
	unsigned year_of_era, day_of_year, day_of_era;

	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	year_of_era = (unsigned)(year - era * 400);
	day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + (int64_t)day_of_era - 719468;
}

static bool fixed_digits(const char *text, size_t count, unsigned *ret_value)
{
	unsigned value = 0;

	for (size_t i = 0; i < count; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (unsigned)(text[i] - '0');
	}
	*ret_value = value;
	return true;
}

bool vigil_time_parse(const char *text, size_t len, int64_t *ret_seconds)
{
	static const unsigned month_days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned year, month, day, hour, minute, second;
	bool leap;

	if (len != VIGIL_RFC3339_SIZE || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
	    text[13] != ':' || text[16] != ':' || text[19] != 'Z')
		return false;
	if (!fixed_digits(text, 4, &year) || !fixed_digits(text + 5, 2, &month) ||
	    !fixed_digits(text + 8, 2, &day) || !fixed_digits(text + 11, 2, &hour) ||
	    !fixed_digits(text + 14, 2, &minute) || !fixed_digits(text + 17, 2, &second))
		return false;
	if (year < 1970 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
	    hour > 23 || minute > 59 || second > 59)
		return false;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (month == 2 && day == 29 && !leap)
		return false;
	*ret_seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
	return true;
}

void vigil_time_format(int64_t seconds, char *out)
{
	int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
	int64_t rest = seconds - days * 86400;
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned day_of_era = (unsigned)(z - era * 146097);
	unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t year = (int64_t)year_of_era + era * 400;
	unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	unsigned mp = (5 * day_of_year + 2) / 153;
	unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
	unsigned month = mp < 10 ? mp + 3 : mp - 9;
	char text[64];

	year += month <= 2;
	if (year < 0 || year > 9999) {
		snprintf(out, VIGIL_RFC3339_SIZE + 1, "%s", year < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
		return;
	}
	snprintf(text, sizeof(text), "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)year, month % 100, day % 100,
		 (unsigned)(rest / 3600 % 100), (unsigned)(rest / 60 % 60), (unsigned)(rest % 60));
	memcpy(out, text, VIGIL_RFC3339_SIZE + 1);
}

static bool name_first_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool vigil_name_valid(const char *text, size_t len, size_t max_len)
{
	if (len == 0 || len > max_len || !name_first_byte(text[0]))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = text[i];

		if (!name_first_byte(c) && c != '.' && c != '_' && c != '+' && c != '-')
			return false;
	}
	return true;
}

void vigil_sha256(const uint8_t *buf, size_t len, uint8_t out[VIGIL_SHA256_SIZE])
{
	SHA256(buf, len, out);
}
