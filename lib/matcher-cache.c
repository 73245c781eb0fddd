// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: placeholder cache: always compiles in this process.
 */
#include "matcher-cache.h"

int matcher_cache_load_or_compile(const struct signature_set *set,
				  const struct vigil_engine_options *options,
				  struct matcher **ret_matcher, bool *ret_from_cache,
				  char *reason, size_t reason_size)
{
	(void)options;
	*ret_from_cache = false;
	return matcher_compile(set, ret_matcher, reason, reason_size);
}
