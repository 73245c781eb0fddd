// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: read_in_memory(), which reads a whole small file only when its
 * bytes are already in memory, so that the thread calling it (a backend's
 * event loop, through dispatch.c's scan in the loop) can never wait on a
 * disk, a network server or a FUSE daemon. Owns nothing; the caller owns
 * the buffer and decides what to do with the bytes.
 *
 * Which filesystems: tmpfs and ramfs keep file bytes in memory (a tmpfs
 * page pushed out to swap is read back in, a bounded local read); ext4,
 * XFS, btrfs and f2fs honour RWF_NOWAIT, which returns EAGAIN instead of
 * waiting for a page that is not cached. Everything else (NFS, SMB, FUSE,
 * overlayfs, ...) is refused without a read: whether a read there can
 * wait, and for how long, is up to someone else.
 */
#include <errno.h>
#include <linux/magic.h>
#include <stdint.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fd-io.h"
#include "vigild.h"

#ifndef F2FS_SUPER_MAGIC
#define F2FS_SUPER_MAGIC 0xF2F52010
#endif

/* The bytes from @offset on, or -EAGAIN if any of them would have to be
 * waited for. */
static int read_nowait(int fd, uint8_t *data, size_t size)
{
	uint64_t offset = 0;

	while (size) {
		struct iovec vector = { .iov_base = data, .iov_len = size };
		ssize_t got = preadv2(fd, &vector, 1, (off_t)offset, RWF_NOWAIT);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return errno == EOPNOTSUPP ? -EAGAIN : -errno;
		}
		if (!got)
			return -EPIPE;
		data += got;
		offset += (uint64_t)got;
		size -= (size_t)got;
	}
	return 0;
}

int read_in_memory(int fd, void *data, size_t size)
{
	struct statfs filesystem;

	if (fstatfs(fd, &filesystem) < 0)
		return -errno;
	switch ((unsigned long)filesystem.f_type) {
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
		return vigil_pread_all(fd, data, size, 0);
	case EXT4_SUPER_MAGIC:
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case F2FS_SUPER_MAGIC:
		return read_nowait(fd, data, size);
	default:
		return -EAGAIN;
	}
}
