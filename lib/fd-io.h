/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Whole reads and writes on an fd, retrying short counts and EINTR.
 */
#ifndef VIGIL_LIB_FD_IO_H
#define VIGIL_LIB_FD_IO_H

#include <stddef.h>

/* 0, or -errno; vigil_read_all() gives -EPIPE at an early end of file. */
int vigil_write_all(int fd, const void *data, size_t size);
int vigil_read_all(int fd, void *data, size_t size);

#endif
