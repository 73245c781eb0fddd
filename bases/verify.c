// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the bundle verification decision, in a fixed order so the
 * same bytes always get the same reason:
 *   1. framing and kind (a root is never taken for a bundle)
 *   2. the newest root has not expired
 *   3. a threshold of the newest root's release keys signed the manifest
 *      digest (the only work done on unauthenticated bytes is framing and
 *      hashing the manifest)
 *   4. the manifest decodes canonically; format version supported
 *   5. root version, channel, expiry, `issued' not in the future
 *   6. payload: exact total length (no missing, no trailing bytes), then
 *      every file's SHA-256
 * Owns the struct vigil_verified_bundle it returns (not the bytes it points
 * into). Must not own: files, state, clocks, logging.
 *
 * The bytes come from a buffer holding the whole file, or (the *_fd
 * variants) from an open file: then only its head (framing, manifest,
 * signatures; at most VIGIL_BUNDLE_HEAD_MAX_SIZE) is read into memory and
 * step 6 hashes each payload file from the file a block at a time, so a
 * large bundle is verified without holding it (vigild's reload).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-io.h"
#include "verify.h"

struct vigil_verified_bundle *vigil_verified_bundle_free(struct vigil_verified_bundle *bundle)
{
	if (bundle) {
		vigil_bundle_manifest_free(bundle->manifest);
		free(bundle->files);
		free(bundle->signer_names);
		free(bundle);
	}
	return NULL;
}

static int check_signatures(const struct vigil_root *root, const struct vigil_container *container,
			    struct vigil_verified_bundle *bundle, char *reason, size_t reason_size)
{
	bool signed_by[VIGIL_ROOT_KEYS_MAX];
	uint64_t count;

	count = vigil_keys_count_signatures(root->keys, root->key_count, container, signed_by);
	if (count < root->threshold) {
		if (container->signature_count == 0)
			vigil_reason_set(reason, reason_size, "bundle is not signed (root version %" PRIu64 " requires %" PRIu64 " signatures)",
					 root->version, root->threshold);
		else
			vigil_reason_set(reason, reason_size, "below threshold: %" PRIu64 " valid signatures by release keys of root version %" PRIu64 ", %" PRIu64 " required",
					 count, root->version, root->threshold);
		return -EKEYREJECTED;
	}
	bundle->signer_names = calloc(count, sizeof(*bundle->signer_names));
	if (!bundle->signer_names)
		return -ENOMEM;
	for (size_t i = 0; i < root->key_count; i++) {
		if (signed_by[i])
			memcpy(bundle->signer_names[bundle->signer_count++], root->keys[i].name,
			       sizeof(bundle->signer_names[0]));
	}
	return 0;
}

static int check_fields(const struct vigil_bundle_manifest *manifest, const struct vigil_root *root, int64_t now,
			const char *channel, bool check_time, char *reason, size_t reason_size)
{
	char when[VIGIL_RFC3339_SIZE + 1];

	if (manifest->root_version != root->version) {
		vigil_reason_set(reason, reason_size, "%s root version: bundle names root version %" PRIu64 ", the trusted root is version %" PRIu64,
				 manifest->root_version > root->version ? "unknown" : "stale", manifest->root_version,
				 root->version);
		return -ESTALE;
	}
	if (!channel)
		return 0; /* an audit: no clock, any channel */
	if (strcmp(manifest->channel, channel)) {
		vigil_reason_set(reason, reason_size, "wrong channel: bundle is for `%s', this client follows `%s'",
				 manifest->channel, channel);
		return -EXDEV;
	}
	if (!check_time)
		return 0;
	if (now >= manifest->expires) {
		vigil_time_format(manifest->expires, when);
		vigil_reason_set(reason, reason_size, "bundle version %" PRIu64 " expired at %s", manifest->version, when);
		return -EKEYEXPIRED;
	}
	if (manifest->issued > now && manifest->issued - now > VIGIL_ISSUED_SKEW_SECONDS) {
		vigil_time_format(manifest->issued, when);
		vigil_reason_set(reason, reason_size, "bundle version %" PRIu64 " is issued in the future (%s)",
				 manifest->version, when);
		return -ETIME;
	}
	return 0;
}

/* A bundle verified from its file: the payload is not in memory. */
struct payload_in_file {
	int fd;
	uint64_t file_size;
};

static int check_payload(const struct vigil_container *container, const struct payload_in_file *in_file,
			 uint64_t payload_offset, struct vigil_verified_bundle *bundle, char *reason,
			 size_t reason_size)
{
	const struct vigil_bundle_manifest *manifest = bundle->manifest;
	uint64_t total = 0;
	size_t offset = 0;

	for (size_t i = 0; i < manifest->file_count; i++)
		total += manifest->files[i].size; /* bounded by VIGIL_PAYLOAD_TOTAL_MAX_SIZE */
	if (total > container->payload_size) {
		vigil_reason_set(reason, reason_size, "truncated: manifest lists %" PRIu64 " payload bytes, file has %zu",
				 total, container->payload_size);
		return -EBADMSG;
	}
	if (total < container->payload_size) {
		vigil_reason_set(reason, reason_size, "trailing bytes: %" PRIu64 " after the last payload file",
				 (uint64_t)container->payload_size - total);
		return -EBADMSG;
	}
	bundle->files = calloc(manifest->file_count, sizeof(*bundle->files));
	if (!bundle->files)
		return -ENOMEM;
	for (size_t i = 0; i < manifest->file_count; i++) {
		const struct vigil_payload_file *listed = &manifest->files[i];
		struct vigil_verified_file *file = &bundle->files[i];

		file->name = listed->name;
		file->size = (size_t)listed->size;
		file->offset = payload_offset + offset;
		if (in_file) {
			int r;

			r = vigil_sha256_fd(in_file->fd, file->offset, file->size, file->sha256);
			if (r == -EPIPE) {
				vigil_reason_set(reason, reason_size, "truncated while being read: payload file `%s'",
						 listed->name);
				return -EBADMSG;
			}
			if (r < 0)
				return r;
		} else {
			file->data = container->payload + offset;
			vigil_sha256(file->data, file->size, file->sha256);
		}
		if (memcmp(file->sha256, listed->sha256, VIGIL_SHA256_SIZE)) {
			vigil_reason_set(reason, reason_size, "digest mismatch: payload file `%s'", listed->name);
			return -EBADMSG;
		}
		offset += file->size;
	}
	bundle->file_count = manifest->file_count;
	return 0;
}

/* Frames buf and insists it holds a bundle, so a root fed as one says so. */
static int split_bundle_container(const uint8_t *buf, size_t len, struct vigil_container *container, char *reason,
				  size_t reason_size)
{
	int r = vigil_container_split(buf, len, container, reason, reason_size);

	if (r < 0)
		return r;
	if (container->kind != VIGIL_CONTAINER_BUNDLE) {
		vigil_reason_set(reason, reason_size, "not a bundle (this is a trust root)");
		return -EBADMSG;
	}
	return 0;
}

static int open_bundle(const uint8_t *buf, size_t len, struct payload_in_file *in_file,
		       const struct vigil_root *root, int64_t now, const char *channel, bool check_time,
		       struct vigil_verified_bundle **ret_bundle, char *reason, size_t reason_size)
{
	struct vigil_verified_bundle *bundle;
	struct vigil_container container;
	uint64_t payload_offset;
	int r;

	r = split_bundle_container(buf, len, &container, reason, reason_size);
	if (r < 0)
		return r;
	payload_offset = (uint64_t)(container.payload - buf);
	if (in_file) {
		/* buf is the head: the payload is the rest of the file. */
		container.payload = NULL;
		container.payload_size = (size_t)(in_file->file_size - payload_offset);
	}
	bundle = calloc(1, sizeof(*bundle));
	if (!bundle)
		return -ENOMEM;
	memcpy(bundle->digest, container.manifest_digest, VIGIL_SHA256_SIZE);
	bundle->root_version = root->version;
	r = check_signatures(root, &container, bundle, reason, reason_size);
	if (r < 0)
		goto err_free_bundle;
	/* From here on the manifest bytes are authenticated. */
	r = vigil_bundle_manifest_parse(container.manifest, container.manifest_size, &bundle->manifest, reason,
					reason_size);
	if (r < 0)
		goto err_free_bundle;
	r = check_fields(bundle->manifest, root, now, channel, check_time, reason, reason_size);
	if (r < 0)
		goto err_free_bundle;
	r = check_payload(&container, in_file, payload_offset, bundle, reason, reason_size);
	if (r < 0)
		goto err_free_bundle;
	*ret_bundle = bundle;
	return 0;

err_free_bundle:
	vigil_verified_bundle_free(bundle);
	return r;
}

static int open_verified(const uint8_t *buf, size_t len, struct payload_in_file *in_file,
			 const struct vigil_root_chain *roots, int64_t now, const char *channel,
			 struct vigil_verified_bundle **ret_bundle, char *reason, size_t reason_size)
{
	struct vigil_container container;
	int r;

	/* Framing and kind first, so a root fed as a bundle says so. */
	r = split_bundle_container(buf, len, &container, reason, reason_size);
	if (r < 0)
		return r;
	r = vigil_root_chain_check_expiry(roots, now, reason, reason_size);
	if (r < 0)
		return r;
	return open_bundle(buf, len, in_file, vigil_root_chain_newest(roots), now, channel ? channel : "stable",
			   true, ret_bundle, reason, reason_size);
}

static int open_installed(const uint8_t *buf, size_t len, struct payload_in_file *in_file,
			  const struct vigil_root_chain *roots, int64_t now, const char *channel,
			  struct vigil_verified_bundle **ret_bundle, char *reason, size_t reason_size)
{
	const struct vigil_root *root = vigil_root_chain_newest(roots);
	struct vigil_verified_bundle *bundle;
	int r;

	r = open_bundle(buf, len, in_file, root, now, channel ? channel : "stable", false, &bundle, reason,
			reason_size);
	if (r < 0)
		return r;
	bundle->expired = now >= bundle->manifest->expires || now >= root->expires;
	*ret_bundle = bundle;
	return 0;
}

int vigil_bundle_open_verified(const uint8_t *buf, size_t len, const struct vigil_root_chain *roots, int64_t now,
			       const char *channel, struct vigil_verified_bundle **ret_bundle, char *reason,
			       size_t reason_size)
{
	return open_verified(buf, len, NULL, roots, now, channel, ret_bundle, reason, reason_size);
}

int vigil_bundle_open_audited(const uint8_t *buf, size_t len, const struct vigil_root *root,
			      struct vigil_verified_bundle **ret_bundle, char *reason, size_t reason_size)
{
	return open_bundle(buf, len, NULL, root, 0, NULL, false, ret_bundle, reason, reason_size);
}

int vigil_bundle_open_installed(const uint8_t *buf, size_t len, const struct vigil_root_chain *roots, int64_t now,
				const char *channel, struct vigil_verified_bundle **ret_bundle, char *reason,
				size_t reason_size)
{
	return open_installed(buf, len, NULL, roots, now, channel, ret_bundle, reason, reason_size);
}

/* Reads the head of the bundle in @fd: the whole file when it is smaller
 * than the largest head there can be. */
static int read_head(int fd, uint8_t **ret_head, size_t *ret_len, uint64_t *ret_file_size, char *reason,
		     size_t reason_size)
{
	struct stat st;
	uint8_t *head;
	size_t want;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		vigil_reason_set(reason, reason_size, "not a regular file");
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > VIGIL_BUNDLE_MAX_SIZE) {
		vigil_reason_set(reason, reason_size, "too large for a bundle");
		return -EFBIG;
	}
	want = (uint64_t)st.st_size < VIGIL_BUNDLE_HEAD_MAX_SIZE ? (size_t)st.st_size : VIGIL_BUNDLE_HEAD_MAX_SIZE;
	head = malloc(want ? want : 1);
	if (!head)
		return -ENOMEM;
	r = vigil_pread_all(fd, head, want, 0);
	if (r < 0) {
		free(head);
		if (r != -EPIPE)
			return r;
		vigil_reason_set(reason, reason_size, "truncated while being read");
		return -EBADMSG;
	}
	*ret_head = head;
	*ret_len = want;
	*ret_file_size = (uint64_t)st.st_size;
	return 0;
}

int vigil_bundle_open_fd(int fd, bool installed, const struct vigil_root_chain *roots, int64_t now,
			 const char *channel, struct vigil_verified_bundle **ret_bundle, char *reason,
			 size_t reason_size)
{
	struct payload_in_file in_file = { .fd = fd };
	uint8_t *head = NULL;
	size_t len = 0;
	int r;

	r = read_head(fd, &head, &len, &in_file.file_size, reason, reason_size);
	if (r < 0)
		return r;
	r = (installed ? open_installed : open_verified)(head, len, &in_file, roots, now, channel, ret_bundle,
							  reason, reason_size);
	free(head);
	return r;
}

enum vigil_install_verdict vigil_bundle_check_installed(const struct vigil_verified_bundle *offered,
							const struct vigil_bundle_manifest *installed,
							const uint8_t installed_digest[VIGIL_SHA256_SIZE],
							char *reason, size_t reason_size)
{
	char offered_hex[VIGIL_SHA256_HEX_SIZE + 1], installed_hex[VIGIL_SHA256_HEX_SIZE + 1];
	uint64_t version = offered->manifest->version;

	if (!installed || version > installed->version)
		return VIGIL_INSTALL_NEW;
	if (version < installed->version) {
		vigil_reason_set(reason, reason_size, "rollback: offered version %" PRIu64 " is lower than installed version %" PRIu64,
				 version, installed->version);
		return VIGIL_INSTALL_ROLLBACK;
	}
	vigil_hex_format(offered->digest, VIGIL_SHA256_SIZE, offered_hex);
	if (!memcmp(offered->digest, installed_digest, VIGIL_SHA256_SIZE)) {
		vigil_reason_set(reason, reason_size, "version %" PRIu64 " (%.16s) is already installed", version,
				 offered_hex);
		return VIGIL_INSTALL_ALREADY_INSTALLED;
	}
	vigil_hex_format(installed_digest, VIGIL_SHA256_SIZE, installed_hex);
	vigil_reason_set(reason, reason_size, "EQUIVOCATION: version %" PRIu64 " is installed as %.16s and offered as %.16s",
			 version, installed_hex, offered_hex);
	return VIGIL_INSTALL_EQUIVOCATION;
}

int vigil_bundle_read_manifest(const uint8_t *buf, size_t len, struct vigil_bundle_manifest **ret_manifest,
			       uint8_t ret_digest[VIGIL_SHA256_SIZE], char *reason, size_t reason_size)
{
	struct vigil_container container;
	int r;

	r = split_bundle_container(buf, len, &container, reason, reason_size);
	if (r < 0)
		return r;
	r = vigil_bundle_manifest_parse(container.manifest, container.manifest_size, ret_manifest, reason,
					reason_size);
	if (r < 0)
		return r;
	memcpy(ret_digest, container.manifest_digest, VIGIL_SHA256_SIZE);
	return 0;
}
