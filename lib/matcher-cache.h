/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Getting a compiled matcher for a signature set: from the on-disk cache
 * when one matches, else by compiling (in a memory-capped child process
 * when the options ask for it) and storing the result in the cache.
 */
#ifndef VIGIL_LIB_MATCHER_CACHE_H
#define VIGIL_LIB_MATCHER_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "matcher.h"
#include "signature.h"

int matcher_cache_load_or_compile(const struct signature_set *set,
				  const struct vigil_engine_options *options,
				  struct matcher **ret_matcher, bool *ret_from_cache,
				  char *reason, size_t reason_size);

#endif
