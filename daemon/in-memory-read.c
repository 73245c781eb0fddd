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

int read_in_memory(int fd, void *data, size_t size)
{
	struct statfs filesystem;
	int r;

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
		r = vigil_preadv2_all(fd, data, size, 0, RWF_NOWAIT);
		return r == -EOPNOTSUPP ? -EAGAIN : r;
	default:
		return -EAGAIN;
	}
}
