// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: answers two questions about a file of a given size against a
 * sorted array of hash entries (detections or .fp): which digests must be
 * computed for it, and which entries its digests match. Owns no memory:
 * the arrays belong to the signature set. A size's entries form one run
 * (binary search), and the `*` entries the final run.
 */
#include <string.h>

#include "hash-index.h"

size_t hash_digest_length(enum hash_type type)
{
	switch (type) {
	case HASH_MD5: return 16;
	case HASH_SHA1: return 20;
	case HASH_SHA256: return 32;
	default: return 0;
	}
}

/* First index whose size is >= size. */
static size_t lower_bound(const struct hash_signature *hashes, size_t count, uint64_t size)
{
	size_t low = 0, high = count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (hashes[middle].size < size)
			low = middle + 1;
		else
			high = middle;
	}
	return low;
}

static unsigned run_types(const struct hash_signature *hashes, size_t count, uint64_t size)
{
	unsigned types = 0;

	for (size_t i = lower_bound(hashes, count, size); i < count && hashes[i].size == size; ++i)
		if (hashes[i].type < __HASH_TYPE_COUNT)
			types |= 1u << hashes[i].type;
	return types;
}

unsigned hash_index_needed(const struct hash_signature *hashes, size_t count, uint64_t size)
{
	return run_types(hashes, count, size) | run_types(hashes, count, HASH_SIZE_ANY);
}

static size_t lookup_run(const struct hash_signature *hashes, size_t count, uint64_t size,
			 const struct hash_digests *digests,
			 void (*found)(const struct hash_signature *hash, void *context),
			 void *context)
{
	size_t matched = 0;

	for (size_t i = lower_bound(hashes, count, size); i < count && hashes[i].size == size; ++i) {
		const struct hash_signature *hash = &hashes[i];

		/* Entries may come from a cache file: check what is followed. */
		if (hash->type >= __HASH_TYPE_COUNT || !(digests->valid & (1u << hash->type)))
			continue;
		if (memcmp(hash->digest, digests->digest[hash->type], hash_digest_length(hash->type)))
			continue;
		if (found)
			found(hash, context);
		matched++;
	}
	return matched;
}

size_t hash_index_lookup(const struct hash_signature *hashes, size_t count, uint64_t size,
			 const struct hash_digests *digests,
			 void (*found)(const struct hash_signature *hash, void *context),
			 void *context)
{
	return lookup_run(hashes, count, size, digests, found, context) +
	       lookup_run(hashes, count, HASH_SIZE_ANY, digests, found, context);
}
