/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: whole-file reads with a size cap and the two ways bases files
 * are written: atomically (temp, fsync, rename, fsync folder) for bundles
 * and roots, and exclusively with mode 0600 for secret keys. Returns
 * negative errno; never logs. Buffers returned are owned by the caller.
 */
#ifndef VIGIL_BASES_FILEIO_H
#define VIGIL_BASES_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads all of fd (regular file or pipe); -EFBIG past max_size. */
int vigil_fd_read_all(int fd, size_t max_size, uint8_t **ret_buf, size_t *ret_len);
int vigil_file_read(const char *path, size_t max_size, uint8_t **ret_buf, size_t *ret_len);
/* The same for name relative to dir_fd (AT_FDCWD for a plain path); extra
 * open flags such as O_NOFOLLOW go in open_flags. */
int vigil_file_read_at(int dir_fd, const char *name, int open_flags, size_t max_size, uint8_t **ret_buf,
		       size_t *ret_len);
/* Writes all of buf, retrying short writes and EINTR. */
int vigil_fd_write_all(int fd, const uint8_t *buf, size_t len);
/* Replaces path atomically: PATH.tmp-PID, fsync, rename, fsync of the folder. */
int vigil_file_write_atomic(const char *path, const uint8_t *buf, size_t len, mode_t mode);
/* Creates path with O_EXCL and mode, writes, fsyncs; -EEXIST if it exists. */
int vigil_file_write_exclusive(const char *path, const uint8_t *buf, size_t len, mode_t mode);

#endif
