/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * `bases = FOLDER` (or one signature file) for vigild's reload thread:
 * the signature files opened once each, with the SHA-256 of their bytes
 * (bases-folder.c). The engine gets the fds and the digests: its cache key
 * is the digest, and it reads an fd only when a part must be parsed, so a
 * reload that finds the compiled parts in the cache or in the running
 * engine never holds the signature text in memory.
 */
#ifndef VIGILD_BASES_FOLDER_H
#define VIGILD_BASES_FOLDER_H

#include <stddef.h>
#include <stdint.h>

#define BASES_FOLDER_MAX_FILES 256

struct folder_file {
	char name[256];
	int fd;			/* -1 once handed to a source list */
	uint8_t sha256[32];
};

/* The digests of files already hashed, by name and identity; only the
 * reload thread uses it. */
struct folder_digests;

struct folder_digests *folder_digests_new(void);
void folder_digests_free(struct folder_digests *digests);
/* How many files the last folder_open() had to hash (the others were
 * remembered): for tests and the reload's message. */
size_t folder_digests_last_hashed(const struct folder_digests *digests);

/*
 * folder_open - opens the signature files @path names
 * @path: a folder (its .hdb .hsb .ndb .fp .sfp .ign2 files) or one such file
 * @digests: updated with what was hashed now
 * Returns the number of files (> 0) in *@ret_files, sorted by name, each
 * with an open fd and its digest; or -errno with @message set.
 */
int folder_open(const char *path, struct folder_digests *digests, struct folder_file **ret_files,
		char *message, size_t message_size);
void folder_files_free(struct folder_file *files, size_t count);

#endif
