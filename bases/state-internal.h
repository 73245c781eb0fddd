/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the crash-safety test's hook into vigil_state_install(). The
 * hook runs before each numbered step; a negative return aborts the install
 * there (fault injection), and the test may also kill the process inside it.
 * Not for production callers.
 */
#ifndef VIGIL_BASES_STATE_INTERNAL_H
#define VIGIL_BASES_STATE_INTERNAL_H

#include "state.h"

typedef int (*vigil_state_step_hook)(void *context, unsigned step, const char *what);

int vigil_state_install_hooked(struct vigil_state *state, const uint8_t *bundle, size_t bundle_len,
			       const uint8_t *root, size_t root_len, uint64_t version,
			       const uint8_t digest[VIGIL_SHA256_SIZE], vigil_state_step_hook hook, void *context);

#endif
