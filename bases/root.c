// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the trust root codec, signature counting against a key set,
 * and root rotation. Owns each struct vigil_root (with a private copy of
 * the root file) and each chain (an array of roots, oldest first).
 *
 *   vigil_root_parse():    container framing -> canonical manifest decode
 *                          -> threshold sanity (0 or > keys is invalid)
 *   vigil_root_chain_advance(): version must be newest + 1 -> threshold of
 *                          the newest root's root keys -> threshold of the
 *                          candidate's own root keys -> appended (ownership
 *                          of the parsed root moves into the chain)
 *
 * Must not own: bundles (verify.c), files and clocks (callers), logging.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "manifest-text.h"
#include "root.h"

struct vigil_root_chain {
	struct vigil_root **roots;
	size_t count;
};

struct vigil_root *vigil_root_free(struct vigil_root *root)
{
	if (root) {
		free(root->keys);
		free(root->root_keys);
		free(root->bytes);
		free(root);
	}
	return NULL;
}

static int parse_key_line(const char *value, size_t value_len, struct vigil_root_key *key)
{
	const char *space = memchr(value, ' ', value_len);
	size_t name_len;

	if (!space || !vigil_hex_parse(value, (size_t)(space - value), key->public_key, VIGIL_PUBLIC_KEY_SIZE))
		return -EBADMSG;
	name_len = value_len - (size_t)(space - value) - 1;
	if (!vigil_name_valid(space + 1, name_len, VIGIL_KEY_NAME_MAX))
		return -EBADMSG;
	memcpy(key->name, space + 1, name_len);
	key->name[name_len] = '\0';
	return 0;
}

/* Reads "KEYWORD HEX NAME" lines while they come; strictly ascending keys. */
static int parse_key_list(struct vigil_line_reader *reader, const char *keyword, struct vigil_root_key **ret_keys,
			  size_t *ret_count, char *reason, size_t reason_size)
{
	struct vigil_root_key *keys = NULL;
	size_t count = 0, keyword_len = strlen(keyword);
	int r;

	while (reader->pos < reader->len) {
		const char *rest = reader->text + reader->pos, *value;
		size_t rest_len = reader->len - reader->pos, value_len;

		if (rest_len <= keyword_len || memcmp(rest, keyword, keyword_len) || rest[keyword_len] != ' ')
			break;
		if (count == VIGIL_ROOT_KEYS_MAX) {
			vigil_reason_set(reason, reason_size, "root lists more than %d %ss", VIGIL_ROOT_KEYS_MAX, keyword);
			r = -EBADMSG;
			goto err_free_keys;
		}
		if (!keys) {
			keys = calloc(VIGIL_ROOT_KEYS_MAX, sizeof(*keys));
			if (!keys)
				return -ENOMEM;
		}
		r = vigil_line_expect_field(reader, keyword, &value, &value_len, reason, reason_size);
		if (r < 0)
			goto err_free_keys;
		if (parse_key_line(value, value_len, &keys[count]) < 0) {
			vigil_reason_set(reason, reason_size, "non-canonical root: line %u is not `%s HEX NAME'",
					 reader->number, keyword);
			r = -EBADMSG;
			goto err_free_keys;
		}
		if (count && memcmp(keys[count - 1].public_key, keys[count].public_key, VIGIL_PUBLIC_KEY_SIZE) >= 0) {
			vigil_reason_set(reason, reason_size, "non-canonical root: %s on line %u is %s", keyword,
					 reader->number,
					 memcmp(keys[count - 1].public_key, keys[count].public_key, VIGIL_PUBLIC_KEY_SIZE) ?
						 "out of order" : "listed twice");
			r = -EBADMSG;
			goto err_free_keys;
		}
		count++;
	}
	*ret_keys = keys;
	*ret_count = count;
	return 0;

err_free_keys:
	free(keys);
	return r;
}

static int parse_root_manifest(const uint8_t *buf, size_t len, struct vigil_root *root, char *reason,
			       size_t reason_size)
{
	struct vigil_line_reader reader = { .text = (const char *)buf, .len = len };
	const char *line;
	size_t line_len;
	uint8_t *encoded;
	size_t encoded_len;
	int r;

	r = vigil_manifest_read_format((const char *)buf, len, "vigil-root", &root->format, reason, reason_size);
	if (r < 0)
		return r;
	(void)vigil_line_next(&reader, &line, &line_len);
	r = vigil_line_u64_field(&reader, "version", &root->version, reason, reason_size);
	if (r < 0)
		return r;
	r = vigil_line_time_field(&reader, "expires", &root->expires, reason, reason_size);
	if (r < 0)
		return r;
	r = vigil_line_u64_field(&reader, "threshold", &root->threshold, reason, reason_size);
	if (r < 0)
		return r;
	r = parse_key_list(&reader, "key", &root->keys, &root->key_count, reason, reason_size);
	if (r < 0)
		return r;
	if (reader.pos < reader.len) {
		r = vigil_line_u64_field(&reader, "root-threshold", &root->root_threshold, reason, reason_size);
		if (r < 0)
			return r;
		r = parse_key_list(&reader, "root-key", &root->root_keys, &root->root_key_count, reason, reason_size);
		if (r < 0)
			return r;
		if (reader.pos < reader.len) {
			vigil_reason_set(reason, reason_size, "non-canonical root: unexpected line %u", reader.number + 1);
			return -EBADMSG;
		}
		if (root->root_threshold == 0 || root->root_threshold > root->root_key_count) {
			vigil_reason_set(reason, reason_size, "invalid root: root threshold %llu with %zu distinct root keys",
					 (unsigned long long)root->root_threshold, root->root_key_count);
			return -EBADMSG;
		}
	}
	if (root->version == 0) {
		vigil_reason_set(reason, reason_size, "invalid root: version 0");
		return -EBADMSG;
	}
	if (root->threshold == 0 || root->threshold > root->key_count) {
		vigil_reason_set(reason, reason_size, "invalid root: threshold %llu with %zu distinct release keys",
				 (unsigned long long)root->threshold, root->key_count);
		return -EBADMSG;
	}
	r = vigil_root_manifest_encode(root, &encoded, &encoded_len, reason, reason_size);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || encoded_len != len || memcmp(encoded, buf, len)) {
		if (r == 0)
			free(encoded);
		vigil_reason_set(reason, reason_size, "non-canonical root: bytes differ from the canonical encoding");
		return -EBADMSG;
	}
	free(encoded);
	return 0;
}

int vigil_root_parse(const uint8_t *buf, size_t len, struct vigil_root **ret_root, char *reason,
		     size_t reason_size)
{
	struct vigil_container container;
	struct vigil_root *root;
	int r;

	r = vigil_container_split(buf, len, &container, reason, reason_size);
	if (r < 0)
		return r;
	if (container.kind != VIGIL_CONTAINER_ROOT) {
		vigil_reason_set(reason, reason_size, "not a trust root (this is a bundle)");
		return -EBADMSG;
	}
	if (container.payload_size) {
		vigil_reason_set(reason, reason_size, "trailing bytes: %zu after the root's signatures",
				 container.payload_size);
		return -EBADMSG;
	}
	root = calloc(1, sizeof(*root));
	if (!root)
		return -ENOMEM;
	root->bytes = malloc(len);
	if (!root->bytes) {
		r = -ENOMEM;
		goto err_free_root;
	}
	memcpy(root->bytes, buf, len);
	root->size = len;
	r = vigil_container_split(root->bytes, len, &root->container, reason, reason_size);
	if (r < 0)
		goto err_free_root;
	r = parse_root_manifest(root->container.manifest, root->container.manifest_size, root, reason, reason_size);
	if (r < 0)
		goto err_free_root;
	*ret_root = root;
	return 0;

err_free_root:
	vigil_root_free(root);
	return r;
}

static bool keys_valid(const struct vigil_root_key *keys, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (!vigil_name_valid(keys[i].name, strnlen(keys[i].name, sizeof(keys[i].name)), VIGIL_KEY_NAME_MAX))
			return false;
		if (i && memcmp(keys[i - 1].public_key, keys[i].public_key, VIGIL_PUBLIC_KEY_SIZE) >= 0)
			return false;
	}
	return true;
}

int vigil_root_manifest_encode(const struct vigil_root *root, uint8_t **ret_buf, size_t *ret_len, char *reason,
			       size_t reason_size)
{
	struct vigil_text_buffer text = { 0 };
	char expires[VIGIL_RFC3339_SIZE + 1], hex[2 * VIGIL_PUBLIC_KEY_SIZE + 1];
	int64_t check;

	vigil_time_format(root->expires, expires);
	if (root->format != VIGIL_FORMAT_VERSION || root->version == 0 || root->threshold == 0 ||
	    root->threshold > root->key_count || root->key_count > VIGIL_ROOT_KEYS_MAX ||
	    !keys_valid(root->keys, root->key_count) || root->root_key_count > VIGIL_ROOT_KEYS_MAX ||
	    (root->root_key_count && (root->root_threshold == 0 || root->root_threshold > root->root_key_count)) ||
	    (!root->root_key_count && root->root_threshold) || !keys_valid(root->root_keys, root->root_key_count) ||
	    !vigil_time_parse(expires, VIGIL_RFC3339_SIZE, &check) || check != root->expires) {
		vigil_reason_set(reason, reason_size, "invalid root: a threshold, key or field is out of range");
		return -EINVAL;
	}
	vigil_text_append(&text, "vigil-root %llu\n", (unsigned long long)root->format);
	vigil_text_append(&text, "version %llu\n", (unsigned long long)root->version);
	vigil_text_append(&text, "expires %s\n", expires);
	vigil_text_append(&text, "threshold %llu\n", (unsigned long long)root->threshold);
	for (size_t i = 0; i < root->key_count; i++) {
		vigil_hex_format(root->keys[i].public_key, VIGIL_PUBLIC_KEY_SIZE, hex);
		vigil_text_append(&text, "key %s %s\n", hex, root->keys[i].name);
	}
	if (root->root_key_count) {
		vigil_text_append(&text, "root-threshold %llu\n", (unsigned long long)root->root_threshold);
		for (size_t i = 0; i < root->root_key_count; i++) {
			vigil_hex_format(root->root_keys[i].public_key, VIGIL_PUBLIC_KEY_SIZE, hex);
			vigil_text_append(&text, "root-key %s %s\n", hex, root->root_keys[i].name);
		}
	}
	if (text.failed) {
		free(text.data);
		return text.too_big ? -E2BIG : -ENOMEM;
	}
	*ret_buf = (uint8_t *)text.data;
	*ret_len = text.len;
	return 0;
}

uint64_t vigil_keys_count_signatures(const struct vigil_root_key *keys, size_t key_count,
				     const struct vigil_container *container, bool *ret_signed)
{
	uint8_t message[VIGIL_SIGNED_MESSAGE_MAX_SIZE];
	size_t message_len = vigil_signed_message(container->kind, container->manifest_digest, message);
	uint64_t count = 0;

	for (size_t i = 0; i < key_count; i++) {
		bool valid = false;

		for (size_t j = 0; j < container->signature_count && !valid; j++) {
			const uint8_t *entry = container->signatures + j * VIGIL_SIGNATURE_ENTRY_SIZE;

			if (memcmp(entry, keys[i].public_key, VIGIL_PUBLIC_KEY_SIZE))
				continue;
			valid = crypto_sign_verify_detached(entry + VIGIL_PUBLIC_KEY_SIZE, message, message_len,
							    keys[i].public_key) == 0;
		}
		if (ret_signed)
			ret_signed[i] = valid;
		count += valid;
	}
	return count;
}

void vigil_root_signing_set(const struct vigil_root *root, const struct vigil_root_key **ret_keys,
			    size_t *ret_count, uint64_t *ret_threshold)
{
	if (root->root_key_count) {
		*ret_keys = root->root_keys;
		*ret_count = root->root_key_count;
		*ret_threshold = root->root_threshold;
	} else {
		*ret_keys = root->keys;
		*ret_count = root->key_count;
		*ret_threshold = root->threshold;
	}
}

static int chain_append(struct vigil_root_chain *chain, struct vigil_root *root)
{
	struct vigil_root **roots = realloc(chain->roots, (chain->count + 1) * sizeof(*roots));

	if (!roots)
		return -ENOMEM;
	roots[chain->count++] = root;
	chain->roots = roots;
	return 0;
}

int vigil_root_chain_new(const uint8_t *anchor, size_t len, struct vigil_root_chain **ret_chain, char *reason,
			 size_t reason_size)
{
	struct vigil_root_chain *chain;
	struct vigil_root *root;
	int r;

	if (sodium_init() < 0)
		return -ENOTRECOVERABLE;
	r = vigil_root_parse(anchor, len, &root, reason, reason_size);
	if (r < 0)
		return r;
	chain = calloc(1, sizeof(*chain));
	if (!chain) {
		vigil_root_free(root);
		return -ENOMEM;
	}
	r = chain_append(chain, root);
	if (r < 0) {
		vigil_root_free(root);
		free(chain);
		return r;
	}
	*ret_chain = chain;
	return 0;
}

struct vigil_root_chain *vigil_root_chain_free(struct vigil_root_chain *chain)
{
	if (chain) {
		for (size_t i = 0; i < chain->count; i++)
			vigil_root_free(chain->roots[i]);
		free(chain->roots);
		free(chain);
	}
	return NULL;
}

const struct vigil_root *vigil_root_chain_newest(const struct vigil_root_chain *chain)
{
	return chain->roots[chain->count - 1];
}

size_t vigil_root_chain_count(const struct vigil_root_chain *chain)
{
	return chain->count;
}

const struct vigil_root *vigil_root_chain_at(const struct vigil_root_chain *chain, size_t index)
{
	return index < chain->count ? chain->roots[index] : NULL;
}

const struct vigil_root *vigil_root_chain_find(const struct vigil_root_chain *chain, uint64_t version)
{
	for (size_t i = 0; i < chain->count; i++) {
		if (chain->roots[i]->version == version)
			return chain->roots[i];
	}
	return NULL;
}

int vigil_root_chain_advance(struct vigil_root_chain *chain, const uint8_t *buf, size_t len, char *reason,
			     size_t reason_size)
{
	const struct vigil_root *newest = vigil_root_chain_newest(chain);
	const struct vigil_root_key *keys;
	struct vigil_root *candidate;
	size_t key_count;
	uint64_t threshold, count;
	int r;

	r = vigil_root_parse(buf, len, &candidate, reason, reason_size);
	if (r < 0)
		return r;
	if (candidate->version <= newest->version) {
		r = -EALREADY;
		goto err_free_candidate;
	}
	if (candidate->version != newest->version + 1) {
		vigil_reason_set(reason, reason_size, "skipped root version: trusted root is version %llu, offered version %llu",
				 (unsigned long long)newest->version, (unsigned long long)candidate->version);
		r = -EBADMSG;
		goto err_free_candidate;
	}
	vigil_root_signing_set(newest, &keys, &key_count, &threshold);
	count = vigil_keys_count_signatures(keys, key_count, &candidate->container, NULL);
	if (count < threshold) {
		vigil_reason_set(reason, reason_size, "root version %llu has %llu of the %llu signatures root version %llu requires",
				 (unsigned long long)candidate->version, (unsigned long long)count,
				 (unsigned long long)threshold, (unsigned long long)newest->version);
		r = -EKEYREJECTED;
		goto err_free_candidate;
	}
	vigil_root_signing_set(candidate, &keys, &key_count, &threshold);
	count = vigil_keys_count_signatures(keys, key_count, &candidate->container, NULL);
	if (count < threshold) {
		vigil_reason_set(reason, reason_size, "root version %llu has %llu of the %llu signatures its own root keys require",
				 (unsigned long long)candidate->version, (unsigned long long)count,
				 (unsigned long long)threshold);
		r = -EKEYREJECTED;
		goto err_free_candidate;
	}
	r = chain_append(chain, candidate);
	if (r < 0)
		goto err_free_candidate;
	return 0;

err_free_candidate:
	vigil_root_free(candidate);
	return r;
}

int vigil_root_chain_check_expiry(const struct vigil_root_chain *chain, int64_t now, char *reason,
				  size_t reason_size)
{
	const struct vigil_root *newest = vigil_root_chain_newest(chain);
	char expires[VIGIL_RFC3339_SIZE + 1];

	if (now >= newest->expires) {
		vigil_time_format(newest->expires, expires);
		vigil_reason_set(reason, reason_size, "trust root version %llu expired at %s",
				 (unsigned long long)newest->version, expires);
		return -EKEYEXPIRED;
	}
	return 0;
}
