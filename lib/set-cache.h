/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The on-disk cache of an engine part (set-cache.c): key building, load
 * and store.
 */
#ifndef VIGIL_LIB_SET_CACHE_H
#define VIGIL_LIB_SET_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "signature.h"

struct set_cache_key {
	EVP_MD_CTX *context;
	uint8_t digest[32];
};

int set_cache_key_init(struct set_cache_key *key);
void set_cache_key_add(struct set_cache_key *key, const char *name, const uint8_t *data,
		       size_t size);
int set_cache_key_finish(struct set_cache_key *key);
void set_cache_key_uninit(struct set_cache_key *key);

/* 0 and a filled set (initialized here, its pools inside a read-only
 * mapping the set owns) plus the serialized matcher (inside the same
 * mapping: use it before signature_set_uninit()), or -ENOENT/-EBADMSG for
 * a miss. */
int set_cache_load(const char *cache_dir, const struct set_cache_key *key,
		   struct signature_set *set, char **ret_matcher_bytes, size_t *ret_matcher_size);
int set_cache_store(const char *cache_dir, const struct set_cache_key *key,
		    const struct signature_set *set, const char *matcher_bytes, size_t matcher_size);
/* Removes the entries of cache_dir (and temporary files) last loaded or
 * stored before unused_since; the count in *ret_removed. 0 or the last
 * -errno (the other entries are still tried). */
int set_cache_prune(const char *cache_dir, time_t unused_since, size_t *ret_removed);

#endif
