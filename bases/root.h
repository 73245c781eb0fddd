/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: trust roots and the chain of roots a verifier walks. A root
 * lists release keys with a threshold, optionally separate root keys with
 * their own threshold (when absent, the release keys also sign roots), a
 * version and an expiry. Root N+1 joins a chain only when a threshold of
 * root N's root keys AND a threshold of its own root keys signed it.
 *
 *   anchor bytes -> vigil_root_chain_new()      (trusted as given)
 *   root N+1     -> vigil_root_chain_advance()  (rotation verified)
 *   newest root  -> vigil_bundle_open_verified() (verify.h)
 *
 * A struct vigil_root owns a private copy of its file's bytes; a chain owns
 * its roots. Nothing here reads files, logs or reads the clock.
 */
#ifndef VIGIL_BASES_ROOT_H
#define VIGIL_BASES_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

/* The largest root file: its container header, manifest and signatures. */
#define VIGIL_ROOT_FILE_MAX_SIZE (VIGIL_CONTAINER_HEADER_SIZE + VIGIL_MANIFEST_MAX_SIZE + \
				  VIGIL_SIGNATURES_MAX * VIGIL_SIGNATURE_ENTRY_SIZE)

#define VIGIL_ROOT_KEYS_MAX 64
#define VIGIL_KEY_NAME_MAX 64

struct vigil_root_key {
	uint8_t public_key[VIGIL_PUBLIC_KEY_SIZE];
	char name[VIGIL_KEY_NAME_MAX + 1];
};

struct vigil_root {
	uint64_t format;
	uint64_t version;
	int64_t expires;
	uint64_t threshold;
	size_t key_count;
	struct vigil_root_key *keys; /* sorted by public key, distinct */
	uint64_t root_threshold;     /* 0: the release keys sign roots */
	size_t root_key_count;
	struct vigil_root_key *root_keys;
	/* The file as parsed: bytes owns a copy; container points into it. */
	uint8_t *bytes;
	size_t size;
	struct vigil_container container;
};

/*
 * vigil_root_parse - frames and decodes a root file (no signature check)
 * Refuses anything but a canonical, valid root: thresholds of 0 or above
 * the number of keys, unsorted or repeated keys, trailing bytes, a bundle.
 * Returns 0, -ENOMEM, or another negative errno with @reason set.
 */
int vigil_root_parse(const uint8_t *buf, size_t len, struct vigil_root **ret_root, char *reason,
		     size_t reason_size);
struct vigil_root *vigil_root_free(struct vigil_root *root);

/* Canonical manifest bytes of a root (validated); a new allocation. */
int vigil_root_manifest_encode(const struct vigil_root *root, uint8_t **ret_buf, size_t *ret_len, char *reason,
			       size_t reason_size);

/*
 * vigil_keys_count_signatures - how many distinct keys of a set signed
 * The count is the number of listed keys with at least one valid signature
 * over the container's signed message. Signatures by unlisted keys, invalid
 * signatures and repeats are ignored (they neither count nor refuse).
 * @ret_signed: optional, key_count booleans, true for each key that signed.
 */
uint64_t vigil_keys_count_signatures(const struct vigil_root_key *keys, size_t key_count,
				     const struct vigil_container *container, bool *ret_signed);

/* The keys and threshold that sign roots: root keys, else release keys. */
void vigil_root_signing_set(const struct vigil_root *root, const struct vigil_root_key **ret_keys,
			    size_t *ret_count, uint64_t *ret_threshold);

struct vigil_root_chain;

/* A chain starting at a root trusted as given (its signatures unchecked). */
int vigil_root_chain_new(const uint8_t *anchor, size_t len, struct vigil_root_chain **ret_chain, char *reason,
			 size_t reason_size);
struct vigil_root_chain *vigil_root_chain_free(struct vigil_root_chain *chain);

/*
 * vigil_root_chain_advance - verifies a rotation to the next root
 * Returns 0 when the root joined the chain, -EALREADY when its version is
 * not newer than the chain's newest (nothing changes), or another negative
 * errno with @reason set (skipped version, too few signatures, bad root).
 * Intermediate roots' expiry is not checked; see vigil_root_chain_check_expiry().
 */
int vigil_root_chain_advance(struct vigil_root_chain *chain, const uint8_t *buf, size_t len, char *reason,
			     size_t reason_size);

const struct vigil_root *vigil_root_chain_newest(const struct vigil_root_chain *chain);
/* Number of roots in the chain, and the i-th (0: the anchor). */
size_t vigil_root_chain_count(const struct vigil_root_chain *chain);
const struct vigil_root *vigil_root_chain_at(const struct vigil_root_chain *chain, size_t index);
/* The chain's root with this version, or NULL. */
const struct vigil_root *vigil_root_chain_find(const struct vigil_root_chain *chain, uint64_t version);

/* -EKEYEXPIRED with @reason when the newest root has expired at @now. */
int vigil_root_chain_check_expiry(const struct vigil_root_chain *chain, int64_t now, char *reason,
				  size_t reason_size);

#endif
