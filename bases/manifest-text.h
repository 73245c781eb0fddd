/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the line reader and writer behind both manifest kinds (bundle.c,
 * root.c); internal to bases/. A manifest is "KEY VALUE\n" lines in a fixed
 * order, printable ASCII only; readers expect one key at a time and report
 * the line number of the first deviation.
 */
#ifndef VIGIL_BASES_MANIFEST_TEXT_H
#define VIGIL_BASES_MANIFEST_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vigil_line_reader {
	const char *text;
	size_t len, pos;
	unsigned number; /* of the last line read, from 1 */
};

/* Next line without its "\n": 0, -ENOENT at the end, -EBADMSG if unterminated. */
int vigil_line_next(struct vigil_line_reader *reader, const char **ret_line, size_t *ret_len);
/* Next line must be "KEY VALUE" in printable ASCII; else -EBADMSG and a reason. */
int vigil_line_expect_field(struct vigil_line_reader *reader, const char *key, const char **ret_value,
			    size_t *ret_value_len, char *reason, size_t reason_size);
int vigil_line_u64_field(struct vigil_line_reader *reader, const char *key, uint64_t *ret_value, char *reason,
			 size_t reason_size);
int vigil_line_time_field(struct vigil_line_reader *reader, const char *key, int64_t *ret_value, char *reason,
			  size_t reason_size);
/* First line "KIND FORMAT"; another kind or a newer format is refused by name. */
int vigil_manifest_read_format(const char *text, size_t len, const char *kind_word, uint64_t *ret_format,
			       char *reason, size_t reason_size);

struct vigil_text_buffer {
	char *data;
	size_t len, capacity;
	bool failed, too_big; /* sticky; too_big: past VIGIL_MANIFEST_MAX_SIZE */
};

void vigil_text_append(struct vigil_text_buffer *text, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
