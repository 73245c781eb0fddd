/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the signed container shared by bundles and trust roots, and the
 * bundle manifest. docs/bundle-format.md is the byte-level specification;
 * this header is its C face.
 *
 *   file bytes -> vigil_container_split()        (framing only, pre-auth)
 *              -> signatures checked (verify.c)  (over a digest of the manifest)
 *              -> vigil_bundle_manifest_parse()  (authenticated bytes only)
 *
 * Nothing here reads files, checks signatures against keys or logs.
 * struct vigil_container points into the caller's buffer and owns nothing;
 * a parsed manifest is a fresh allocation owned by the caller until
 * vigil_bundle_manifest_free().
 */
#ifndef VIGIL_BASES_BUNDLE_H
#define VIGIL_BASES_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encoding.h"

#define VIGIL_MAGIC_SIZE 8
#define VIGIL_BUNDLE_MAGIC "VIGILBDL"
#define VIGIL_ROOT_MAGIC "VIGILROT"
#define VIGIL_CONTAINER_HEADER_SIZE 14 /* magic, u32 manifest size, u16 signature count */
#define VIGIL_MANIFEST_MAX_SIZE (1u << 20)
#define VIGIL_SIGNATURES_MAX 64
#define VIGIL_PUBLIC_KEY_SIZE 32
#define VIGIL_SIGNATURE_SIZE 64
#define VIGIL_SIGNATURE_ENTRY_SIZE (VIGIL_PUBLIC_KEY_SIZE + VIGIL_SIGNATURE_SIZE)
#define VIGIL_FORMAT_VERSION 1

#define VIGIL_PAYLOAD_FILES_MAX 4096
#define VIGIL_PAYLOAD_NAME_MAX 128
#define VIGIL_PAYLOAD_FILE_MAX_SIZE (4ULL << 30)
#define VIGIL_PAYLOAD_TOTAL_MAX_SIZE (16ULL << 30)
/* The framing, manifest and signatures of a bundle: what is read into
 * memory to verify a bundle from its file (verify.c). */
#define VIGIL_BUNDLE_HEAD_MAX_SIZE \
	(VIGIL_CONTAINER_HEADER_SIZE + VIGIL_MANIFEST_MAX_SIZE + VIGIL_SIGNATURES_MAX * VIGIL_SIGNATURE_ENTRY_SIZE)
#define VIGIL_BUNDLE_MAX_SIZE (VIGIL_BUNDLE_HEAD_MAX_SIZE + VIGIL_PAYLOAD_TOTAL_MAX_SIZE)
#define VIGIL_CHANNEL_MAX 32
/* `issued` may lie this far ahead of the verifier's clock. */
#define VIGIL_ISSUED_SKEW_SECONDS 600

/* Signed messages: context, one NUL byte, SHA-256 of the manifest. */
#define VIGIL_BUNDLE_SIGNING_CONTEXT "vigil bundle manifest v1"
#define VIGIL_ROOT_SIGNING_CONTEXT "vigil root manifest v1"
#define VIGIL_SIGNED_MESSAGE_MAX_SIZE 64

enum vigil_container_kind {
	VIGIL_CONTAINER_BUNDLE,
	VIGIL_CONTAINER_ROOT,
};

struct vigil_container {
	enum vigil_container_kind kind;
	const uint8_t *manifest;
	size_t manifest_size;
	const uint8_t *signatures; /* signature_count entries of 32 + 64 bytes */
	size_t signature_count;
	const uint8_t *payload; /* everything after the signatures */
	size_t payload_size;
	uint8_t manifest_digest[VIGIL_SHA256_SIZE];
};

/*
 * vigil_container_split - frames a bundle or root file, before any trust
 * @buf, @len: the whole file
 * @ret_container: views into @buf, and the manifest digest
 * Checks the magic, the manifest size bound and that the manifest and the
 * signature entries fit in @len. Returns 0, or -EBADMSG with @reason set.
 */
int vigil_container_split(const uint8_t *buf, size_t len, struct vigil_container *ret_container,
			  char *reason, size_t reason_size);

/* Builds the signed message for a manifest digest; returns its length. */
size_t vigil_signed_message(enum vigil_container_kind kind, const uint8_t digest[VIGIL_SHA256_SIZE],
			    uint8_t out[VIGIL_SIGNED_MESSAGE_MAX_SIZE]);

/*
 * vigil_container_encode - lays out magic, sizes, manifest, signatures and
 * payload into one new allocation (*ret_buf, *ret_len), owned by the caller.
 * Returns 0, -E2BIG when a bound is exceeded, -ENOMEM.
 */
int vigil_container_encode(enum vigil_container_kind kind, const uint8_t *manifest, size_t manifest_size,
			   const uint8_t *signatures, size_t signature_count, const uint8_t *payload,
			   size_t payload_size, uint8_t **ret_buf, size_t *ret_len);

struct vigil_payload_file {
	char name[VIGIL_PAYLOAD_NAME_MAX + 1];
	uint64_t size;
	uint8_t sha256[VIGIL_SHA256_SIZE];
};

struct vigil_bundle_manifest {
	uint64_t format;
	char channel[VIGIL_CHANNEL_MAX + 1];
	uint64_t version;
	int64_t issued;
	int64_t expires;
	bool first;
	uint8_t previous[VIGIL_SHA256_SIZE];
	uint64_t root_version;
	size_t file_count;
	struct vigil_payload_file *files; /* sorted by name, bytewise */
};

/*
 * vigil_bundle_manifest_parse - decodes a bundle manifest
 * Accepts exactly the bytes vigil_bundle_manifest_encode() would produce
 * for the decoded content and refuses anything else (-EBADMSG, reason set);
 * a format newer than VIGIL_FORMAT_VERSION is refused by number
 * (-EPROTONOSUPPORT). Call it on authenticated bytes only.
 */
int vigil_bundle_manifest_parse(const uint8_t *buf, size_t len, struct vigil_bundle_manifest **ret_manifest,
				char *reason, size_t reason_size);

/* Encodes the canonical form (validating every field) into a new allocation. */
int vigil_bundle_manifest_encode(const struct vigil_bundle_manifest *manifest, uint8_t **ret_buf,
				 size_t *ret_len, char *reason, size_t reason_size);

struct vigil_bundle_manifest *vigil_bundle_manifest_free(struct vigil_bundle_manifest *manifest);

/* Channel names: 1..VIGIL_CHANNEL_MAX bytes of [a-z0-9-], first one [a-z0-9]. */
bool vigil_channel_valid(const char *channel, size_t len);
/* Does the file at path start with the bundle magic? (vigil scan -d, vigild's bases) */
bool vigil_file_is_bundle(const char *path);

#endif
