/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the small, strict encoders and decoders every bases file format
 * shares: canonical unsigned decimal, lowercase hex, RFC 3339 UTC times,
 * plain names, SHA-256 and reason strings. Pure functions over caller
 * buffers; nothing here allocates, logs or keeps state.
 */
#ifndef VIGIL_BASES_ENCODING_H
#define VIGIL_BASES_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define VIGIL_SHA256_SIZE 32
#define VIGIL_SHA256_HEX_SIZE 64
#define VIGIL_RFC3339_SIZE 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

/* Writes a one-line reason (printf format) into reason, if reason_size > 0. */
void vigil_reason_set(char *reason, size_t reason_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Canonical decimal: "0" or [1-9][0-9]*, at most UINT64_MAX. */
bool vigil_decimal_parse(const char *text, size_t len, uint64_t *ret_value);

/* Exactly 2*size lowercase hex digits. */
bool vigil_hex_parse(const char *text, size_t len, uint8_t *out, size_t size);
void vigil_hex_format(const uint8_t *bytes, size_t size, char *out /* 2*size+1 */);

/* Exactly "YYYY-MM-DDTHH:MM:SSZ", years 1970..9999, a real calendar date. */
bool vigil_time_parse(const char *text, size_t len, int64_t *ret_seconds);
/* Formats seconds since the epoch; out holds VIGIL_RFC3339_SIZE + 1 bytes. */
void vigil_time_format(int64_t seconds, char *out);

/*
 * A plain name: 1..max_len bytes, the first one [A-Za-z0-9], the rest
 * [A-Za-z0-9._+-]. Excludes "/", "\", "..", dot files, spaces and controls.
 */
bool vigil_name_valid(const char *text, size_t len, size_t max_len);

/* SHA-256 of a buffer (OpenSSL, which uses the CPU's SHA extensions). */
void vigil_sha256(const uint8_t *buf, size_t len, uint8_t out[VIGIL_SHA256_SIZE]);

#endif
