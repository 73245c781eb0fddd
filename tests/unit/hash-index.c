// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of lib/hash-index.c on hand-made sorted arrays: which
 * digests a file size needs (its own run plus the `*` run), and which
 * entries a file's digests match (size and type must agree, only valid
 * digests count, `*` entries match any size). Owns no state.
 */
#include <criterion/criterion.h>

#include "hash-index.h"

static struct hash_signature entry(uint64_t size, enum hash_type type, uint8_t fill, uint32_t name)
{
	struct hash_signature hash = { .size = size, .type = (uint8_t)type, .name = name };

	memset(hash.digest, fill, hash_digest_length(type));
	return hash;
}

/* Sorted on (size, type, digest), `*` last, as signature_set_finish() leaves it. */
static struct hash_signature hashes[6];

static void setup(void)
{
	hashes[0] = entry(10, HASH_MD5, 0xaa, 0);
	hashes[1] = entry(10, HASH_SHA256, 0xbb, 1);
	hashes[2] = entry(20, HASH_SHA1, 0xcc, 2);
	hashes[3] = entry(30, HASH_MD5, 0xaa, 3);
	hashes[4] = entry(HASH_SIZE_ANY, HASH_SHA1, 0xdd, 4);
	hashes[5] = entry(HASH_SIZE_ANY, HASH_SHA1, 0xee, 5);
}

Test(hash_index, digest_lengths)
{
	cr_assert_eq(hash_digest_length(HASH_MD5), 16);
	cr_assert_eq(hash_digest_length(HASH_SHA1), 20);
	cr_assert_eq(hash_digest_length(HASH_SHA256), 32);
	cr_assert_eq(hash_digest_length(__HASH_TYPE_COUNT), 0);
}

Test(hash_index, needed_digests_by_size, .init = setup)
{
	cr_assert_eq(hash_index_needed(hashes, 6, 10),
		     (1u << HASH_MD5) | (1u << HASH_SHA256) | (1u << HASH_SHA1));
	cr_assert_eq(hash_index_needed(hashes, 6, 20), 1u << HASH_SHA1);
	cr_assert_eq(hash_index_needed(hashes, 6, 15), 1u << HASH_SHA1);
	/* without the * entries, a size nobody lists needs nothing */
	cr_assert_eq(hash_index_needed(hashes, 4, 15), 0);
	cr_assert_eq(hash_index_needed(hashes, 4, 30), 1u << HASH_MD5);
	cr_assert_eq(hash_index_needed(hashes, 0, 30), 0);
	cr_assert_eq(hash_index_needed(NULL, 0, 30), 0);
}

static void count_found(const struct hash_signature *hash, void *context)
{
	unsigned *names = context;

	*names |= 1u << hash->name;
}

Test(hash_index, lookup_needs_size_type_and_digest, .init = setup)
{
	struct hash_digests digests = { 0 };
	unsigned found = 0;

	memset(digests.digest[HASH_MD5], 0xaa, 16);
	memset(digests.digest[HASH_SHA256], 0xbb, 32);
	memset(digests.digest[HASH_SHA1], 0xdd, 20);
	/* nothing valid: nothing matches */
	cr_assert_eq(hash_index_lookup(hashes, 6, 10, &digests, count_found, &found), 0);
	cr_assert_eq(found, 0);
	digests.valid = (1u << HASH_MD5) | (1u << HASH_SHA256) | (1u << HASH_SHA1);
	cr_assert_eq(hash_index_lookup(hashes, 6, 10, &digests, count_found, &found), 3);
	cr_assert_eq(found, (1u << 0) | (1u << 1) | (1u << 4));
	found = 0;
	cr_assert_eq(hash_index_lookup(hashes, 6, 30, &digests, count_found, &found), 2);
	cr_assert_eq(found, (1u << 3) | (1u << 4));
	found = 0;
	cr_assert_eq(hash_index_lookup(hashes, 6, 11, &digests, count_found, &found), 1);
	cr_assert_eq(found, 1u << 4);
	/* a digest one bit off */
	digests.digest[HASH_SHA1][19] ^= 1;
	found = 0;
	cr_assert_eq(hash_index_lookup(hashes, 6, 11, &digests, count_found, &found), 0);
	/* NULL callback: just the count */
	cr_assert_eq(hash_index_lookup(hashes, 6, 10, &digests, NULL, NULL), 2);
}
