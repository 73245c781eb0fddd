// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzzes everything a downloaded bundle meets, in the order it
 * meets it: the pre-authentication framing (vigil_container_split), the full
 * verification (vigil_bundle_open_verified) against a root whose keys
 * nobody holds -- so it must never succeed, which is how this target
 * checks that no unsigned input gets past the signatures --, the same
 * from a file (vigil_bundle_open_fd: the same result and reason), and the
 * manifest parser on its own (the input taken as a manifest), which must
 * accept only bytes that re-encode identically.
 *
 * fuzz-sources: bases/bundle.c bases/manifest-text.c bases/encoding.c bases/root.c bases/verify.c lib/fd-io.c
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A root of two public keys derived from fixed labels: no secret exists. */
static struct vigil_root_chain *unforgeable_chain(void)
{
	static const char manifest[] =
		"vigil-root 1\n"
		"version 1\n"
		"expires 2099-12-31T00:00:00Z\n"
		"threshold 1\n"
		"key 373a6c88fb463d97c82d4eca5b8e549deaabecebcf2c9bb101ffb1c5269ff1a9 PLACEHOLDER-production-3\n"
		"key 5b50d706e057f3832ca8ad183d6d0c9cc6aab2790f0c22946dd67400bd97d061 PLACEHOLDER-production-1\n";
	struct vigil_root_chain *chain = NULL;
	char reason[VIGIL_REASON_SIZE];
	uint8_t *root;
	size_t len;

	if (vigil_container_encode(VIGIL_CONTAINER_ROOT, (const uint8_t *)manifest, sizeof(manifest) - 1, NULL, 0,
				   NULL, 0, &root, &len) < 0)
		abort();
	if (vigil_root_chain_new(root, len, &chain, reason, sizeof(reason)) < 0)
		abort();
	free(root);
	return chain;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vigil_root_chain *chain;
	static int file;
	struct vigil_verified_bundle *bundle = NULL;
	char file_reason[VIGIL_REASON_SIZE];
	int r;
	struct vigil_bundle_manifest *manifest = NULL;
	struct vigil_container container;
	char reason[VIGIL_REASON_SIZE];
	uint8_t *encoded;
	size_t encoded_len;

	if (!chain)
		chain = unforgeable_chain();
	if (vigil_container_split(data, size, &container, reason, sizeof(reason)) == 0) {
		if (container.manifest < data || container.payload + container.payload_size != data + size)
			abort();
	}
	r = vigil_bundle_open_verified(data, size, chain, 1767225600, "stable", &bundle, reason, sizeof(reason));
	if (r == 0)
		abort(); /* accepted without a signature anyone could make */
	if (!reason[0] || strchr(reason, '\n'))
		abort(); /* every refusal is one line */

	/* From a file (vigild's reload): the same decision, the same reason. */
	if (!file)
		file = memfd_create("bundle", MFD_CLOEXEC);
	if (file < 0 || ftruncate(file, 0) < 0 || pwrite(file, data, size, 0) != (ssize_t)size)
		abort();
	if (vigil_bundle_open_fd(file, false, chain, 1767225600, "stable", &bundle, file_reason,
				 sizeof(file_reason)) != r || strcmp(file_reason, reason))
		abort();

	if (vigil_bundle_manifest_parse(data, size, &manifest, reason, sizeof(reason)) == 0) {
		if (vigil_bundle_manifest_encode(manifest, &encoded, &encoded_len, reason, sizeof(reason)) < 0)
			abort();
		if (encoded_len != size || memcmp(encoded, data, size))
			abort(); /* two encodings of one content */
		free(encoded);
		vigil_bundle_manifest_free(manifest);
	}
	return 0;
}
