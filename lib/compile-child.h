/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Compiling a matcher in a memory-capped child process (compile-child.c).
 */
#ifndef VIGIL_LIB_COMPILE_CHILD_H
#define VIGIL_LIB_COMPILE_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include "matcher.h"
#include "signature.h"

/* Compiles for @target (NULL: this machine). Returns 0 with the serialized
 * database (malloc'd; NULL and 0 when the set has no body signatures), or
 * a negative errno with a reason. */
int compile_in_child(const struct signature_set *set, const struct matcher_target *target,
		     uint64_t memory_limit,
		     char **ret_bytes, size_t *ret_size, char *reason, size_t reason_size);

#endif
