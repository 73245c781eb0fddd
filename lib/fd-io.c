// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: vigil_write_all(), vigil_read_all() and vigil_pread_all() (and
 * vigil_preadv2_all() with preadv2 flags, for vigild's RWF_NOWAIT reads;
 * the three reads share one loop, read_all_at()), for
 * the engine's cache files, the compile child's pipe and ranges of bundle
 * files, and vigil_sha256_fd(), the SHA-256
 * of a file's bytes read a block at a time (a bundle's payloads, vigild's
 * signature folder). Owns nothing.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
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

/*
 * The one read-all loop: preadv2(2) at @offset, or with @offset -1 at the
 * fd's own offset, moving it (so pipes too, as read(2) would); @flags as
 * preadv2's (RWF_NOWAIT: -EAGAIN rather than wait).
 */
static int read_all_at(int fd, void *data, size_t size, off_t offset, int flags)
{
	uint8_t *p = data;

	while (size) {
		struct iovec vector = { .iov_base = p, .iov_len = size };
		ssize_t got = preadv2(fd, &vector, 1, offset, flags);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!got)
			return -EPIPE;
		p += got;
		if (offset >= 0)
			offset += got;
		size -= (size_t)got;
	}
	return 0;
}

int vigil_read_all(int fd, void *data, size_t size)
{
	return read_all_at(fd, data, size, -1, 0);
}

int vigil_pread_all(int fd, void *data, size_t size, uint64_t offset)
{
	return vigil_preadv2_all(fd, data, size, offset, 0);
}

int vigil_preadv2_all(int fd, void *data, size_t size, uint64_t offset, int flags)
{
	/* An offset beyond off_t was EINVAL for pread(); never "the fd's own". */
	if (offset > INT64_MAX)
		return -EINVAL;
	return read_all_at(fd, data, size, (off_t)offset, flags);
}

#define HASH_BLOCK_SIZE (256u << 10)

int vigil_sha256_fd(int fd, uint64_t offset, uint64_t size, uint8_t out[32])
{
	EVP_MD_CTX *context = EVP_MD_CTX_new();
	uint8_t *block = malloc(HASH_BLOCK_SIZE);
	int r = -ENOMEM;

	if (!context || !block || !EVP_DigestInit_ex(context, EVP_sha256(), NULL))
		goto out;
	while (size) {
		size_t want = size < HASH_BLOCK_SIZE ? (size_t)size : HASH_BLOCK_SIZE;
		ssize_t got = pread(fd, block, want, (off_t)offset);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			goto out;
		}
		if (got == 0) {
			if (size != VIGIL_TO_END_OF_FILE) {
				r = -EPIPE;
				goto out;
			}
			break;
		}
		EVP_DigestUpdate(context, block, (size_t)got);
		offset += (uint64_t)got;
		if (size != VIGIL_TO_END_OF_FILE)
			size -= (uint64_t)got;
	}
	r = EVP_DigestFinal_ex(context, out, NULL) ? 0 : -ENOMEM;
out:
	free(block);
	EVP_MD_CTX_free(context);
	return r;
}
