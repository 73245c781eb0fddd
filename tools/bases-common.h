/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: what the `vigil bases` and `vigil update` commands share:
 * exit statuses, the one-line refusal, key files, file mapping and root
 * chains built from --root options. Every function here either returns a
 * value or prints one line and returns an exit status; none exits.
 */
#ifndef VIGIL_TOOLS_BASES_COMMON_H
#define VIGIL_TOOLS_BASES_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state.h"
#include "verify.h"

#define EXIT_OK 0
#define EXIT_REFUSED 1
#define EXIT_TROUBLE 2

#define SECRET_KEY_HEADER "vigil-secret-key-v1"
#define PUBLIC_KEY_HEADER "vigil-public-key-v1"
#define ROOT_FILE_MAX_SIZE VIGIL_ROOT_FILE_MAX_SIZE

/* Prints "vigil: MESSAGE" on stderr and returns status. */
int say(int status, const char *format, ...) __attribute__((format(printf, 2, 3)));

struct mapped_file {
	uint8_t *data;
	size_t len;
	bool mapped;
};

/* Maps a regular file read-only (or reads a pipe). Returns 0 or -errno. */
int map_file(const char *path, size_t max_size, struct mapped_file *ret_file);
void unmap_file(struct mapped_file *file);

bool parse_time_option(const char *text, int64_t *ret_seconds);
bool parse_u64_option(const char *text, uint64_t *ret_value);

/* Reads "vigil-public-key-v1 HEX NAME\n". Returns an exit status. */
int read_public_key(const char *path, struct vigil_root_key *ret_key);

/* Builds a chain: roots[0] is trusted as given, each next one must rotate. */
int load_root_chain(char *const *roots, size_t count, struct vigil_root_chain **ret_chain);

#endif
