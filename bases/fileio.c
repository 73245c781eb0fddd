// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: file reading and writing for the bases tools (tools/bases*.c,
 * tools/update.c) and state.c. Owns only the fds it opens inside each call;
 * every buffer returned belongs to the caller. The atomic writer follows
 * the one recipe that survives a crash at any point: write a temp file in
 * the same folder, fsync it, rename it over the target, fsync the folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int vigil_fd_read_all(int fd, size_t max_size, uint8_t **ret_buf, size_t *ret_len)
{
	struct stat st;
	size_t capacity, len = 0;
	uint8_t *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_size)
		return -EFBIG;
	capacity = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	buf = malloc(capacity);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == capacity) {
			size_t new_capacity = capacity * 2;
			uint8_t *bigger;

			if (new_capacity > max_size + 1)
				new_capacity = max_size + 1;
			if (new_capacity <= len) {
				free(buf);
				return -EFBIG;
			}
			bigger = realloc(buf, new_capacity);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
			capacity = new_capacity;
		}
		n = read(fd, buf + len, capacity - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_size) {
			free(buf);
			return -EFBIG;
		}
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int vigil_file_read(const char *path, size_t max_size, uint8_t **ret_buf, size_t *ret_len)
{
	return vigil_file_read_at(AT_FDCWD, path, 0, max_size, ret_buf, ret_len);
}

int vigil_file_read_at(int dir_fd, const char *name, int open_flags, size_t max_size, uint8_t **ret_buf,
		       size_t *ret_len)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | open_flags);
	int r;

	if (fd < 0)
		return -errno;
	r = vigil_fd_read_all(fd, max_size, ret_buf, ret_len);
	close(fd);
	return r;
}

int vigil_fd_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_parent(const char *path)
{
	char copy[PATH_MAX];
	int fd, r = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Writes buf to a fresh fd, sets mode, fsyncs and closes it (always). */
static int write_and_close_durably(int fd, const uint8_t *buf, size_t len, mode_t mode)
{
	int r = vigil_fd_write_all(fd, buf, len);

	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int vigil_file_write_atomic(const char *path, const uint8_t *buf, size_t len, mode_t mode)
{
	char temp[PATH_MAX];
	int fd, r;

	if (snprintf(temp, sizeof(temp), "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof(temp))
		return -ENAMETOOLONG;
	fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	r = write_and_close_durably(fd, buf, len, mode);
	if (r == 0 && rename(temp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(temp);
		return r;
	}
	return fsync_parent(path);
}

int vigil_file_write_exclusive(const char *path, const uint8_t *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	int r;

	if (fd < 0)
		return -errno;
	r = write_and_close_durably(fd, buf, len, mode);
	if (r < 0) {
		unlink(path);
		return r;
	}
	return fsync_parent(path);
}
