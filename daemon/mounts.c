// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: reading the mount table for the backends (which mounts lie
 * under a protected path, which filesystem holds it). It owns nothing past
 * the array it returns; the caller frees it. It must not mark, watch or log.
 *
 *   /proc/self/mountinfo -> one struct mount_entry a line, in order ->
 *   mounts_at() / mounts_holding() answer on that snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "mounts.h"

/* "\040" and friends, in place */
static void unescape_octal(char *text)
{
	char *out = text;

	for (char *p = text; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPER" */
int mounts_read(struct mount_entry **ret_entries, size_t *ret_count)
{
	FILE *stream = fopen("/proc/self/mountinfo", "re");
	struct mount_entry *entries = NULL;
	size_t count = 0;
	char *line = NULL;
	size_t line_size = 0;

	if (!stream)
		return -errno;
	while (getline(&line, &line_size, stream) > 0) {
		struct mount_entry entry;
		char *separator = strstr(line, " - ");
		struct mount_entry *bigger;

		if (!separator ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", entry.root, entry.point) != 2 ||
		    sscanf(separator + 3, "%63s", entry.fs_type) != 1)
			continue;
		unescape_octal(entry.root);
		unescape_octal(entry.point);
		bigger = realloc(entries, (count + 1) * sizeof(*entries));
		if (!bigger)
			break;
		entries = bigger;
		entries[count++] = entry;
	}
	free(line);
	fclose(stream);
	*ret_entries = entries;
	*ret_count = count;
	return 0;
}

const struct mount_entry *mounts_at(const struct mount_entry *entries, size_t count,
				    const char *point)
{
	const struct mount_entry *found = NULL;

	for (size_t i = 0; i < count; i++)
		if (!strcmp(entries[i].point, point))
			found = &entries[i];
	return found;
}

const struct mount_entry *mounts_holding(const struct mount_entry *entries, size_t count,
					 const char *path)
{
	const struct mount_entry *found = NULL;
	size_t best = 0;

	for (size_t i = 0; i < count; i++) {
		size_t length = strlen(entries[i].point);

		if (config_path_within(path, entries[i].point) && length >= best) {
			best = length;
			found = &entries[i];
		}
	}
	return found;
}

int mounts_resolve_folder(const char *configured, char **ret_path, char *error, size_t error_size)
{
	char resolved[PATH_MAX];
	struct stat st;
	int r;

	if (!realpath(configured, resolved) || stat(resolved, &st) < 0) {
		r = -errno;
		snprintf(error, error_size, "paths: %s: %s", configured, strerror(-r));
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(error, error_size, "paths: %s: not a folder", configured);
		return -ENOTDIR;
	}
	*ret_path = strdup(resolved);
	return *ret_path ? 0 : -ENOMEM;
}
