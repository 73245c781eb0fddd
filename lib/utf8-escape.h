/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Making arbitrary bytes (file paths) safe for JSON text without losing
 * them: valid UTF-8 passes through, every other byte becomes the four
 * characters \xNN, and a literal backslash becomes \\ so the escaping can
 * be undone unambiguously.
 */
#ifndef VIGIL_LIB_UTF8_ESCAPE_H
#define VIGIL_LIB_UTF8_ESCAPE_H

#include <stddef.h>

/* Returns a new NUL-terminated string (free() it), or NULL on ENOMEM. */
char *vigil_utf8_escape(const char *bytes, size_t length);

#endif
