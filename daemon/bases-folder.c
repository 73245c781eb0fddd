// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the signature files of `bases = FOLDER` (or of one file),
 * opened for a load by vigild's reload thread (daemon/bases.c). This file
 * owns opening them (no symlink followed inside the folder, non-blocking
 * so a FIFO cannot hang a reload, regular files only) and their SHA-256,
 * and a memory of the digests it computed. It hands fds and digests to
 * bases.c, which gives them to the engine as sources: the engine keys its
 * cache and shares parts with the running engine by digest, and reads an
 * fd only to parse a part (checking the bytes against the digest).
 *
 *   folder_open() -> per file: open -> fstat -> digest remembered for
 *   this name and identity? else hash it streaming (a block at a time,
 *   never the whole text in memory) -> sorted by name
 *
 * A remembered digest is used only while the file's identity (device,
 * inode, size, mtime, ctime) is unchanged, and a digest is remembered only
 * for a file whose ctime was at least a second old when hashing began
 * (git's racy-clean rule): a write in the same clock tick as our hash
 * could otherwise leave every stamp as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bases-folder.h"
#include "fd-io.h"
#include "sources.h"
#include "vigild.h"

#define MAX_FILE_SIZE (1ULL << 30)

struct remembered_digest {
	char name[256];
	struct stat identity;	/* as same_file_state() compares it */
	uint8_t sha256[32];
};

struct folder_digests {
	struct remembered_digest *entries;
	size_t count;
	size_t last_hashed;	/* files hashed by the last folder_open() */
};

size_t folder_digests_last_hashed(const struct folder_digests *digests)
{
	return digests ? digests->last_hashed : 0;
}

struct folder_digests *folder_digests_new(void)
{
	return calloc(1, sizeof(struct folder_digests));
}

void folder_digests_free(struct folder_digests *digests)
{
	if (!digests)
		return;
	free(digests->entries);
	free(digests);
}

static const struct remembered_digest *remembered(const struct folder_digests *digests,
						  const char *name, const struct stat *identity)
{
	for (size_t i = 0; digests && i < digests->count; i++)
		if (!strcmp(digests->entries[i].name, name) &&
		    same_file_state(&digests->entries[i].identity, identity))
			return &digests->entries[i];
	return NULL;
}

/* Opens one file and finds its digest; @remember collects what to keep. */
static int open_one(int dir_fd, const char *path, const char *name, int extra_flags,
		    struct folder_digests *digests, struct folder_file *file,
		    struct remembered_digest *remember)
{
	const struct remembered_digest *known;
	struct stat before, after;
	time_t started = time(NULL);
	int fd, r;

	fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | extra_flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &before) < 0) {
		r = -errno;
		goto err_close;
	}
	if (!S_ISREG(before.st_mode) || (uint64_t)before.st_size > MAX_FILE_SIZE) {
		r = S_ISREG(before.st_mode) ? -EFBIG : -EINVAL;
		goto err_close;
	}
	known = remembered(digests, name, &before);
	if (known) {
		memcpy(file->sha256, known->sha256, sizeof(file->sha256));
	} else {
		if (digests)
			digests->last_hashed++;
		r = vigil_sha256_fd(fd, 0, VIGIL_TO_END_OF_FILE, file->sha256);
		if (r < 0)
			goto err_close;
		if (fstat(fd, &after) < 0) {
			r = -errno;
			goto err_close;
		}
		if (!same_file_state(&before, &after)) {
			r = -EAGAIN;	/* written to while we read it */
			goto err_close;
		}
	}
	snprintf(file->name, sizeof(file->name), "%s", name);
	file->fd = fd;
	if (known || before.st_ctim.tv_sec < started - 1) {
		snprintf(remember->name, sizeof(remember->name), "%s", name);
		remember->identity = before;
		memcpy(remember->sha256, file->sha256, sizeof(remember->sha256));
	}
	return 0;
err_close:
	close(fd);
	return r;
}

static int compare_files(const void *a, const void *b)
{
	return strcmp(((const struct folder_file *)a)->name, ((const struct folder_file *)b)->name);
}

static const char *reason_of(int r)
{
	return r == -EAGAIN ? "changed while being read (reload again)" :
	       r == -EINVAL ? "not a regular file" : strerror(-r);
}

int folder_open(const char *path, struct folder_digests *digests, struct folder_file **ret_files,
		char *message, size_t message_size)
{
	struct folder_file *files = calloc(BASES_FOLDER_MAX_FILES, sizeof(*files));
	struct remembered_digest *remember = calloc(BASES_FOLDER_MAX_FILES, sizeof(*remember));
	struct dirent *entry;
	struct stat st;
	size_t count = 0;
	DIR *dir = NULL;
	int r = 0;

	if (!files || !remember) {
		r = -ENOMEM;
		goto out;
	}
	if (digests)
		digests->last_hashed = 0;
	if (stat(path, &st) < 0) {
		r = -errno;
		snprintf(message, message_size, "bases %s: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		const char *slash = strrchr(path, '/');
		const char *name = slash ? slash + 1 : path;

		if (!vigil_source_name_supported(name)) {
			r = -EINVAL;
			snprintf(message, message_size,
				 "bases %s: not a folder, a signature file nor a signed bundle", path);
			goto out;
		}
		r = open_one(AT_FDCWD, path, name, 0, digests, &files[0], &remember[0]);
		if (r < 0) {
			snprintf(message, message_size, "bases %s: %s", path, reason_of(r));
			goto out;
		}
		count = 1;
		goto done;
	}
	dir = opendir(path);
	if (!dir) {
		r = -errno;
		snprintf(message, message_size, "bases %s: %s", path, strerror(-r));
		goto out;
	}
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.' || !vigil_source_name_supported(entry->d_name))
			continue;
		if (count == BASES_FOLDER_MAX_FILES) {
			r = -E2BIG;
			snprintf(message, message_size, "bases %s: more than %d signature files", path,
				 BASES_FOLDER_MAX_FILES);
			goto out;
		}
		r = open_one(dirfd(dir), entry->d_name, entry->d_name, O_NOFOLLOW, digests,
			     &files[count], &remember[count]);
		if (r < 0) {
			snprintf(message, message_size, "bases %s/%s: %s", path, entry->d_name,
				 reason_of(r));
			goto out;
		}
		count++;
	}
	if (!count) {
		r = -ENOENT;
		snprintf(message, message_size,
			 "bases %s: no signature files (.hdb .hsb .ndb .fp .sfp .ign2)", path);
		goto out;
	}
done:
	qsort(files, count, sizeof(*files), compare_files);
	/* What is remembered now is exactly this folder's files. */
	if (digests) {
		size_t kept = 0;

		for (size_t i = 0; i < count; i++)
			if (remember[i].name[0])
				remember[kept++] = remember[i];
		free(digests->entries);
		digests->entries = remember;
		digests->count = kept;
		remember = NULL;
	}
	*ret_files = files;
	files = NULL;
	r = (int)count;
out:
	if (dir)
		closedir(dir);
	folder_files_free(files, count);
	free(remember);
	return r;
}

void folder_files_free(struct folder_file *files, size_t count)
{
	for (size_t i = 0; files && i < count; i++)
		if (files[i].fd >= 0)
			close(files[i].fd);
	free(files);
}
