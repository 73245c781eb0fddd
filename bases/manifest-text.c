// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: line-level reading and writing of manifests, shared by the
 * bundle (bundle.c) and root (root.c) codecs. Owns no state; the text
 * buffer's allocation belongs to the caller, who frees ->data.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "manifest-text.h"

/* A cursor over manifest lines: each ends in "\n"; "\r" and NUL are refused. */

int vigil_line_next(struct vigil_line_reader *reader, const char **ret_line, size_t *ret_len)
{
	const char *start = reader->text + reader->pos, *end;

	if (reader->pos >= reader->len)
		return -ENOENT;
	end = memchr(start, '\n', reader->len - reader->pos);
	if (!end)
		return -EBADMSG;
	reader->number++;
	*ret_line = start;
	*ret_len = (size_t)(end - start);
	reader->pos += *ret_len + 1;
	return 0;
}

/* Splits "KEY VALUE" when the line starts with exactly KEY and one space. */
static bool take_field(const char *line, size_t line_len, const char *key, const char **ret_value,
		       size_t *ret_value_len)
{
	size_t key_len = strlen(key);

	if (line_len < key_len + 1 || memcmp(line, key, key_len) || line[key_len] != ' ')
		return false;
	*ret_value = line + key_len + 1;
	*ret_value_len = line_len - key_len - 1;
	return true;
}

static bool line_clean(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
}

/*
 * Reads the next line as field KEY. Returns 0, or -EBADMSG with a reason
 * naming the line, what was expected and what was found.
 */
int vigil_line_expect_field(struct vigil_line_reader *reader, const char *key, const char **ret_value, size_t *ret_value_len,
			char *reason, size_t reason_size)
{
	const char *line;
	size_t line_len;
	int r = vigil_line_next(reader, &line, &line_len);

	if (r == -ENOENT) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: missing field `%s'", key);
		return -EBADMSG;
	}
	if (r < 0) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: line %u has no line feed", reader->number + 1);
		return -EBADMSG;
	}
	if (!line_clean(line, line_len)) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: line %u has a control or non-ASCII byte",
				 reader->number);
		return -EBADMSG;
	}
	if (!take_field(line, line_len, key, ret_value, ret_value_len)) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: line %u is not field `%s'", reader->number,
				 key);
		return -EBADMSG;
	}
	return 0;
}


/*
 * Reads the first line "KIND VERSION", shared with root.c. A manifest of the
 * other kind or a newer format is refused by name.
 */
int vigil_manifest_read_format(const char *text, size_t len, const char *kind_word, uint64_t *ret_format,
			       char *reason, size_t reason_size)
{
	struct vigil_line_reader reader = { .text = text, .len = len };
	const char *value;
	size_t value_len;
	uint64_t format;
	int r;

	r = vigil_line_expect_field(&reader, kind_word, &value, &value_len, reason, reason_size);
	if (r < 0) {
		const char *other = !strcmp(kind_word, "vigil-bundle") ? "vigil-root " : "vigil-bundle ";

		if (len >= strlen(other) && !memcmp(text, other, strlen(other)))
			vigil_reason_set(reason, reason_size, "manifest is a %s's, not a %s's",
					 other[6] == 'r' ? "trust root" : "bundle",
					 other[6] == 'r' ? "bundle" : "trust root");
		return r;
	}
	if (!vigil_decimal_parse(value, value_len, &format) || format == 0) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: bad format version");
		return -EBADMSG;
	}
	if (format > VIGIL_FORMAT_VERSION) {
		vigil_reason_set(reason, reason_size, "unsupported format version %llu (this vigil reads version %d)",
				 (unsigned long long)format, VIGIL_FORMAT_VERSION);
		return -EPROTONOSUPPORT;
	}
	*ret_format = format;
	return 0;
}

int vigil_line_u64_field(struct vigil_line_reader *reader, const char *key, uint64_t *ret_value, char *reason,
			   size_t reason_size)
{
	const char *value;
	size_t value_len;
	int r = vigil_line_expect_field(reader, key, &value, &value_len, reason, reason_size);

	if (r < 0)
		return r;
	if (!vigil_decimal_parse(value, value_len, ret_value)) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: `%s' is not a canonical decimal", key);
		return -EBADMSG;
	}
	return 0;
}

int vigil_line_time_field(struct vigil_line_reader *reader, const char *key, int64_t *ret_value, char *reason,
			    size_t reason_size)
{
	const char *value;
	size_t value_len;
	int r = vigil_line_expect_field(reader, key, &value, &value_len, reason, reason_size);

	if (r < 0)
		return r;
	if (!vigil_time_parse(value, value_len, ret_value)) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: `%s' is not RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)",
				 key);
		return -EBADMSG;
	}
	return 0;
}

/* A growing text buffer for the encoders; bounded by VIGIL_MANIFEST_MAX_SIZE. */



void vigil_text_append(struct vigil_text_buffer *text, const char *format, ...)
{
	va_list args;
	int needed;

	if (text->failed)
		return;
	va_start(args, format);
	needed = vsnprintf(NULL, 0, format, args);
	va_end(args);
	if (needed < 0 || text->len + (size_t)needed > VIGIL_MANIFEST_MAX_SIZE) {
		text->failed = text->too_big = true;
		return;
	}
	if (text->len + (size_t)needed + 1 > text->capacity) {
		size_t capacity = text->capacity ? text->capacity : 1024;
		char *data;

		while (capacity < text->len + (size_t)needed + 1)
			capacity *= 2;
		data = realloc(text->data, capacity);
		if (!data) {
			text->failed = true;
			return;
		}
		text->data = data;
		text->capacity = capacity;
	}
	va_start(args, format);
	vsnprintf(text->data + text->len, (size_t)needed + 1, format, args);
	va_end(args);
	text->len += (size_t)needed;
}

