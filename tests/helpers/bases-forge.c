// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: a test-only forger for bundle and root files, used by
 * tests/bases/make-vectors.sh to build the conformance vectors that the
 * real tools refuse to make (non-canonical manifests, hostile names,
 * garbage signatures). It signs exactly the manifest bytes it is given.
 *
 *   bases-forge bundle|root MANIFEST PAYLOAD|- OUT [SIGNER...]
 *   SIGNER: KEYFILE            a valid signature by that key
 *           garbage:KEYFILE    that key's public half with a bad signature
 *           other:KEYFILE      a valid signature over the other kind's message
 *
 * Owns nothing past main(); secret keys are wiped before exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "fileio.h"

static int load_key(const char *path, unsigned char public_key[32], unsigned char secret_key[64])
{
	unsigned char seed[32];
	uint8_t *buf;
	size_t len;

	if (vigil_file_read(path, 4096, &buf, &len) < 0 || len < 20 + 64 ||
	    !vigil_hex_parse((const char *)buf + 20, 64, seed, 32)) {
		fprintf(stderr, "bases-forge: %s: not a secret key\n", path);
		return -1;
	}
	crypto_sign_seed_keypair(public_key, secret_key, seed);
	sodium_memzero(seed, sizeof(seed));
	free(buf);
	return 0;
}

int main(int argc, char *argv[])
{
	uint8_t *manifest, *payload = NULL, *signatures, *out;
	size_t manifest_len, payload_len = 0, out_len, count = 0;
	uint8_t digest[VIGIL_SHA256_SIZE], message[VIGIL_SIGNED_MESSAGE_MAX_SIZE];
	enum vigil_container_kind kind;
	size_t message_len;

	if (argc < 5 || sodium_init() < 0) {
		fprintf(stderr, "usage: bases-forge bundle|root MANIFEST PAYLOAD|- OUT [SIGNER...]\n");
		return 2;
	}
	kind = !strcmp(argv[1], "root") ? VIGIL_CONTAINER_ROOT : VIGIL_CONTAINER_BUNDLE;
	if (vigil_file_read(argv[2], 1 << 24, &manifest, &manifest_len) < 0 ||
	    (strcmp(argv[3], "-") && vigil_file_read(argv[3], 1 << 28, &payload, &payload_len) < 0)) {
		fprintf(stderr, "bases-forge: cannot read inputs\n");
		return 2;
	}
	vigil_sha256(manifest, manifest_len, digest);
	signatures = calloc((size_t)argc, VIGIL_SIGNATURE_ENTRY_SIZE);
	for (int i = 5; i < argc; i++) {
		unsigned char public_key[32], secret_key[64];
		const char *spec = argv[i], *path = strchr(spec, ':') ? strchr(spec, ':') + 1 : spec;
		uint8_t *entry = signatures + count * VIGIL_SIGNATURE_ENTRY_SIZE;
		enum vigil_container_kind sign_kind = kind;

		if (load_key(path, public_key, secret_key) < 0)
			return 2;
		if (!strncmp(spec, "other:", 6))
			sign_kind = kind == VIGIL_CONTAINER_ROOT ? VIGIL_CONTAINER_BUNDLE : VIGIL_CONTAINER_ROOT;
		message_len = vigil_signed_message(sign_kind, digest, message);
		memcpy(entry, public_key, 32);
		crypto_sign_detached(entry + 32, NULL, message, message_len, secret_key);
		if (!strncmp(spec, "garbage:", 8))
			entry[32 + 7] ^= 0x40;
		sodium_memzero(secret_key, sizeof(secret_key));
		count++;
	}
	/* Raw layout, without the encoder's bounds, so oversize tests can be made. */
	out_len = VIGIL_CONTAINER_HEADER_SIZE + manifest_len + count * VIGIL_SIGNATURE_ENTRY_SIZE + payload_len;
	out = malloc(out_len);
	memcpy(out, kind == VIGIL_CONTAINER_ROOT ? VIGIL_ROOT_MAGIC : VIGIL_BUNDLE_MAGIC, 8);
	out[8] = (uint8_t)(manifest_len >> 24);
	out[9] = (uint8_t)(manifest_len >> 16);
	out[10] = (uint8_t)(manifest_len >> 8);
	out[11] = (uint8_t)manifest_len;
	out[12] = (uint8_t)(count >> 8);
	out[13] = (uint8_t)count;
	memcpy(out + 14, manifest, manifest_len);
	memcpy(out + 14 + manifest_len, signatures, count * VIGIL_SIGNATURE_ENTRY_SIZE);
	if (payload_len)
		memcpy(out + 14 + manifest_len + count * VIGIL_SIGNATURE_ENTRY_SIZE, payload, payload_len);
	if (vigil_file_write_atomic(argv[4], out, out_len, 0644) < 0) {
		fprintf(stderr, "bases-forge: cannot write %s\n", argv[4]);
		return 2;
	}
	free(out);
	free(signatures);
	free(manifest);
	free(payload);
	return 0;
}
