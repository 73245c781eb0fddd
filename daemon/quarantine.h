/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Quarantine (`quarantine = move`): a denied file's bytes and metadata are
 * kept in a root-only folder and the original is removed, by identity; an
 * entry can be restored exactly or deleted.
 */
#ifndef VIGIL_DAEMON_QUARANTINE_H
#define VIGIL_DAEMON_QUARANTINE_H

#include <stddef.h>
#include <sys/stat.h>

struct json_object;

/* Creates the folder (0700) if needed; -errno and a message. */
int quarantine_prepare(const char *folder, char *error, size_t error_size);
/* Moves the file behind fd (whose stat is st) into the folder. The path is
 * re-resolved without following symlinks and must still be the same device
 * and inode. Writes the new entry's id. */
int quarantine_move(const char *folder, int fd, const struct stat *st, const char *path,
		    char *const *rules, size_t rule_count, char *ret_id, size_t id_size,
		    char *error, size_t error_size);
/* Adds one object per entry to array. */
int quarantine_list(const char *folder, struct json_object *array);
int quarantine_restore(const char *folder, const char *id, char *error, size_t error_size);
int quarantine_delete(const char *folder, const char *id, char *error, size_t error_size);

#endif
