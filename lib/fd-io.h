/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Whole reads and writes on an fd, retrying short counts and EINTR, and
 * the SHA-256 of a range of a file.
 */
#ifndef VIGIL_LIB_FD_IO_H
#define VIGIL_LIB_FD_IO_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -errno; vigil_read_all() gives -EPIPE at an early end of file. */
int vigil_write_all(int fd, const void *data, size_t size);
int vigil_read_all(int fd, void *data, size_t size);
/* The same at @offset, with pread (the fd's offset untouched). */
int vigil_pread_all(int fd, void *data, size_t size, uint64_t offset);
/* The same with preadv2() @flags (RWF_NOWAIT: -EAGAIN rather than wait). */
int vigil_preadv2_all(int fd, void *data, size_t size, uint64_t offset, int flags);

/* The SHA-256 of @size bytes at @offset of @fd (pread, a block at a time;
 * -EPIPE if the file ends first), or of everything from @offset to the
 * end with VIGIL_TO_END_OF_FILE. 0 or -errno. */
#define VIGIL_TO_END_OF_FILE UINT64_MAX
int vigil_sha256_fd(int fd, uint64_t offset, uint64_t size, uint8_t out[32]);

#endif
