// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: vigil_write_all() and vigil_read_all(), for the engine's cache
 * files and the compile child's pipe. Owns nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "fd-io.h"

int vigil_write_all(int fd, const void *data, size_t size)
{
	const uint8_t *p = data;

	while (size) {
		ssize_t written = write(fd, p, size);

		if (written < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += written;
		size -= (size_t)written;
	}
	return 0;
}

int vigil_read_all(int fd, void *data, size_t size)
{
	uint8_t *p = data;

	while (size) {
		ssize_t got = read(fd, p, size);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!got)
			return -EPIPE;
		p += got;
		size -= (size_t)got;
	}
	return 0;
}
