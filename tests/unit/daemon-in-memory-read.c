// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: unit tests of daemon/in-memory-read.c: a file on tmpfs is read
 * whole; a file in the page cache of a filesystem that honours RWF_NOWAIT
 * is read whole; a filesystem outside the list (procfs), a pipe and a
 * file shorter than asked are refused, never read partly or waited on.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "vigild.h"

/* A file of @size bytes (i % 251) made in @folder, opened read-only. */
static int make_file(const char *folder, size_t size, char *path, size_t path_size)
{
	uint8_t *bytes = malloc(size ? size : 1);
	int fd, reader;

	cr_assert(bytes);
	for (size_t i = 0; i < size; i++)
		bytes[i] = (uint8_t)(i % 251);
	snprintf(path, path_size, "%s/vigil-in-memory.XXXXXX", folder);
	fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp in %s: %s", folder, strerror(errno));
	cr_assert_eq(write(fd, bytes, size), (ssize_t)size);
	close(fd);
	free(bytes);
	reader = open(path, O_RDONLY);
	cr_assert(reader >= 0);
	return reader;
}

static void expect_whole(int fd, size_t size)
{
	uint8_t *got = calloc(1, size);

	cr_assert(got);
	cr_expect_eq(read_in_memory(fd, got, size), 0);
	for (size_t i = 0; i < size; i++)
		if (got[i] != (uint8_t)(i % 251))
			cr_assert_fail("byte %zu differs", i);
	free(got);
}

static bool on_filesystem(const char *folder, unsigned long type)
{
	struct statfs filesystem;

	return statfs(folder, &filesystem) == 0 && (unsigned long)filesystem.f_type == type;
}

Test(in_memory_read, tmpfs_whole_and_short)
{
	char path[256], small[8];
	int fd;

	if (!on_filesystem("/dev/shm", TMPFS_MAGIC))
		cr_skip_test("/dev/shm is not a tmpfs here");
	fd = make_file("/dev/shm", 70000, path, sizeof(path));
	expect_whole(fd, 70000);
	/* more than the file holds: refused, not half a file */
	{
		uint8_t *buffer = malloc(70001);

		cr_assert(buffer);
		cr_expect_eq(read_in_memory(fd, buffer, 70001), -EPIPE);
		free(buffer);
	}
	close(fd);
	unlink(path);
	fd = make_file("/dev/shm", 0, path, sizeof(path));
	cr_expect_eq(read_in_memory(fd, small, 0), 0, "an empty file is read whole");
	close(fd);
	unlink(path);
}

Test(in_memory_read, page_cache_with_nowait)
{
	static const unsigned long types[] = { EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC };
	const char *folder = NULL;
	char path[256];
	int fd;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && !folder; i++) {
		if (on_filesystem("/var/tmp", types[i]))
			folder = "/var/tmp";
		else if (on_filesystem("/tmp", types[i]))
			folder = "/tmp";
	}
	if (!folder)
		cr_skip_test("neither /tmp nor /var/tmp is ext4, XFS or btrfs here");
	/* just written: its pages are in the page cache */
	fd = make_file(folder, 12345, path, sizeof(path));
	expect_whole(fd, 12345);
	close(fd);
	unlink(path);
}

Test(in_memory_read, other_filesystems_refused)
{
	uint8_t buffer[16];
	int pipe_fds[2], fd;

	fd = open("/proc/self/status", O_RDONLY);
	cr_assert(fd >= 0);
	cr_expect_eq(read_in_memory(fd, buffer, sizeof(buffer)), -EAGAIN, "procfs read");
	close(fd);
	cr_assert_eq(pipe(pipe_fds), 0);
	/* an empty pipe: a plain read would wait for ever */
	cr_expect_eq(read_in_memory(pipe_fds[0], buffer, sizeof(buffer)), -EAGAIN, "pipe read");
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}
