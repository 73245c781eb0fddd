// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzzes the trust-root parser (vigil_root_parse) and rotation
 * (vigil_root_chain_advance): whatever parses must be a valid root (1 <=
 * threshold <= distinct keys) whose manifest re-encodes to the same bytes,
 * and a rotation from a root nobody can sign for must never succeed.
 *
 * fuzz-sources: bases/root.c bases/bundle.c bases/manifest-text.c bases/encoding.c
 */
#include <stdlib.h>
#include <string.h>

#include "root.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char anchor_manifest[] =
		"vigil-root 1\n"
		"version 1\n"
		"expires 2099-12-31T00:00:00Z\n"
		"threshold 1\n"
		"key dab0857efb4e353ba8ae30de0c5f27f176314d729b08638ea2ee6aa7ad8c5b5d PLACEHOLDER-production-2\n";
	struct vigil_root_chain *chain;
	char reason[VIGIL_REASON_SIZE];
	struct vigil_root *root;
	uint8_t *anchor, *encoded;
	size_t anchor_len, encoded_len;
	int r;

	if (vigil_root_parse(data, size, &root, reason, sizeof(reason)) == 0) {
		if (root->threshold == 0 || root->threshold > root->key_count ||
		    (root->root_key_count && (root->root_threshold == 0 || root->root_threshold > root->root_key_count)))
			abort();
		if (vigil_root_manifest_encode(root, &encoded, &encoded_len, reason, sizeof(reason)) < 0)
			abort();
		if (encoded_len != root->container.manifest_size || memcmp(encoded, root->container.manifest, encoded_len))
			abort();
		free(encoded);
		vigil_root_free(root);
	} else if (!reason[0] || strchr(reason, '\n')) {
		abort();
	}
	if (vigil_container_encode(VIGIL_CONTAINER_ROOT, (const uint8_t *)anchor_manifest, sizeof(anchor_manifest) - 1,
				   NULL, 0, NULL, 0, &anchor, &anchor_len) < 0)
		abort();
	if (vigil_root_chain_new(anchor, anchor_len, &chain, reason, sizeof(reason)) < 0)
		abort();
	free(anchor);
	r = vigil_root_chain_advance(chain, data, size, reason, sizeof(reason));
	if (r == 0)
		abort(); /* rotated without the anchor's key */
	vigil_root_chain_free(chain);
	return 0;
}
