/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The mount table as the backends need it: /proc/self/mountinfo read into
 * an array (root inside its filesystem, mount point, filesystem type), with
 * the kernel's octal escapes undone. Nothing here logs.
 */
#ifndef VIGIL_DAEMON_MOUNTS_H
#define VIGIL_DAEMON_MOUNTS_H

#include <limits.h>
#include <stddef.h>

struct mount_entry {
	char root[PATH_MAX];		/* "/" when the whole filesystem shows */
	char point[PATH_MAX];
	char fs_type[64];
};

/* The current table, in mountinfo order; free(*ret_entries) when done. */
int mounts_read(struct mount_entry **ret_entries, size_t *ret_count);
/* A configured protected path made absolute and canonical (*ret_path is
 * malloc'd); -errno with "paths: PATH: reason" when it is not a folder. */
int mounts_resolve_folder(const char *configured, char **ret_path, char *error, size_t error_size);
/* The topmost mount at exactly this point, or NULL. */
const struct mount_entry *mounts_at(const struct mount_entry *entries, size_t count,
				    const char *point);
/* The topmost mount holding path (the longest point containing it), or NULL. */
const struct mount_entry *mounts_holding(const struct mount_entry *entries, size_t count,
					 const char *path);

#endif
