/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Look-ups in the hash signatures (and .fp entries) by file size, then by
 * type and digest. The arrays are the signature set's own, sorted by
 * signature_set_finish() on (size, type, digest); `*` sizes sort last.
 */
#ifndef VIGIL_LIB_HASH_INDEX_H
#define VIGIL_LIB_HASH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signature.h"

struct hash_digests {
	unsigned valid;			/* bit (1 << enum hash_type) */
	uint8_t digest[__HASH_TYPE_COUNT][32];
};

/* The digest types some entry of this size (or of size *) needs. */
unsigned hash_index_needed(const struct hash_signature *hashes, size_t count, uint64_t size);
/* Calls found() for each entry matching the file; returns how many. */
size_t hash_index_lookup(const struct hash_signature *hashes, size_t count, uint64_t size,
			 const struct hash_digests *digests,
			 void (*found)(const struct hash_signature *hash, void *context),
			 void *context);
size_t hash_digest_length(enum hash_type type);

#endif
