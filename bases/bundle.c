// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the container framing shared by bundles and roots, and the
 * bundle manifest codec. Owns no state: framing returns views into the
 * caller's buffer; the manifest parser returns one new allocation.
 *
 *   vigil_container_split()  runs on untrusted bytes: it only checks the
 *                            magic and that declared sizes fit, and hashes
 *                            the manifest bytes for the signature check.
 *   vigil_bundle_manifest_parse() runs after the signatures were counted
 *                            (verify.c); it is strict anyway, and proves
 *                            canonical form by re-encoding and comparing.
 *
 * Must not own: keys, thresholds, clocks or installed state (verify.c,
 * root.c, state.c). Every size is checked against its bound before
 * anything is allocated for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "manifest-text.h"

static uint32_t read_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int vigil_container_split(const uint8_t *buf, size_t len, struct vigil_container *ret_container,
			  char *reason, size_t reason_size)
{
	struct vigil_container container = { 0 };
	size_t manifest_size, signature_count, signatures_end;

	if (len < VIGIL_MAGIC_SIZE) {
		vigil_reason_set(reason, reason_size, "truncated: %zu bytes is too short for a header", len);
		return -EBADMSG;
	}
	if (!memcmp(buf, VIGIL_BUNDLE_MAGIC, VIGIL_MAGIC_SIZE)) {
		container.kind = VIGIL_CONTAINER_BUNDLE;
	} else if (!memcmp(buf, VIGIL_ROOT_MAGIC, VIGIL_MAGIC_SIZE)) {
		container.kind = VIGIL_CONTAINER_ROOT;
	} else {
		vigil_reason_set(reason, reason_size, "not a vigil bundle or root (bad magic)");
		return -EBADMSG;
	}
	if (len < VIGIL_CONTAINER_HEADER_SIZE) {
		vigil_reason_set(reason, reason_size, "truncated: %zu bytes is too short for a header", len);
		return -EBADMSG;
	}
	manifest_size = read_be32(buf + 8);
	signature_count = (size_t)buf[12] << 8 | buf[13];
	if (manifest_size == 0 || manifest_size > VIGIL_MANIFEST_MAX_SIZE) {
		vigil_reason_set(reason, reason_size, "manifest size %zu outside 1..%u", manifest_size,
				 VIGIL_MANIFEST_MAX_SIZE);
		return -EBADMSG;
	}
	if (signature_count > VIGIL_SIGNATURES_MAX) {
		vigil_reason_set(reason, reason_size, "%zu signatures, more than the %d allowed", signature_count,
				 VIGIL_SIGNATURES_MAX);
		return -EBADMSG;
	}
	/* Both bounded above: no overflow on any size_t of 32 bits or more. */
	signatures_end = VIGIL_CONTAINER_HEADER_SIZE + manifest_size + signature_count * VIGIL_SIGNATURE_ENTRY_SIZE;
	if (len < signatures_end) {
		vigil_reason_set(reason, reason_size, "truncated: header promises %zu bytes of manifest and signatures, file has %zu",
				 signatures_end, len);
		return -EBADMSG;
	}
	container.manifest = buf + VIGIL_CONTAINER_HEADER_SIZE;
	container.manifest_size = manifest_size;
	container.signatures = container.manifest + manifest_size;
	container.signature_count = signature_count;
	container.payload = buf + signatures_end;
	container.payload_size = len - signatures_end;
	vigil_sha256(container.manifest, manifest_size, container.manifest_digest);
	*ret_container = container;
	return 0;
}

size_t vigil_signed_message(enum vigil_container_kind kind, const uint8_t digest[VIGIL_SHA256_SIZE],
			    uint8_t out[VIGIL_SIGNED_MESSAGE_MAX_SIZE])
{
	const char *context = kind == VIGIL_CONTAINER_ROOT ? VIGIL_ROOT_SIGNING_CONTEXT : VIGIL_BUNDLE_SIGNING_CONTEXT;
	size_t context_size = strlen(context);

	memcpy(out, context, context_size);
	out[context_size] = 0;
	memcpy(out + context_size + 1, digest, VIGIL_SHA256_SIZE);
	return context_size + 1 + VIGIL_SHA256_SIZE;
}

int vigil_container_encode(enum vigil_container_kind kind, const uint8_t *manifest, size_t manifest_size,
			   const uint8_t *signatures, size_t signature_count, const uint8_t *payload,
			   size_t payload_size, uint8_t **ret_buf, size_t *ret_len)
{
	size_t head, len;
	uint8_t *buf;

	if (manifest_size == 0 || manifest_size > VIGIL_MANIFEST_MAX_SIZE || signature_count > VIGIL_SIGNATURES_MAX)
		return -E2BIG;
	head = VIGIL_CONTAINER_HEADER_SIZE + manifest_size + signature_count * VIGIL_SIGNATURE_ENTRY_SIZE;
	if (payload_size > SIZE_MAX - head)
		return -E2BIG;
	len = head + payload_size;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, kind == VIGIL_CONTAINER_ROOT ? VIGIL_ROOT_MAGIC : VIGIL_BUNDLE_MAGIC, VIGIL_MAGIC_SIZE);
	buf[8] = (uint8_t)(manifest_size >> 24);
	buf[9] = (uint8_t)(manifest_size >> 16);
	buf[10] = (uint8_t)(manifest_size >> 8);
	buf[11] = (uint8_t)manifest_size;
	buf[12] = (uint8_t)(signature_count >> 8);
	buf[13] = (uint8_t)signature_count;
	memcpy(buf + VIGIL_CONTAINER_HEADER_SIZE, manifest, manifest_size);
	if (signature_count)
		memcpy(buf + VIGIL_CONTAINER_HEADER_SIZE + manifest_size, signatures,
		       signature_count * VIGIL_SIGNATURE_ENTRY_SIZE);
	if (payload_size)
		memcpy(buf + head, payload, payload_size);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

bool vigil_channel_valid(const char *channel, size_t len)
{
	if (len == 0 || len > VIGIL_CHANNEL_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = channel[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0)))
			return false;
	}
	return true;
}

struct vigil_bundle_manifest *vigil_bundle_manifest_free(struct vigil_bundle_manifest *manifest)
{
	if (manifest) {
		free(manifest->files);
		free(manifest);
	}
	return NULL;
}

static int parse_file_line(const char *value, size_t value_len, struct vigil_payload_file *file, char *reason,
			   size_t reason_size, unsigned line_number)
{
	const char *name = value, *space1, *size_text, *space2, *digest;

	space1 = memchr(value, ' ', value_len);
	if (!space1)
		goto bad_line;
	size_text = space1 + 1;
	space2 = memchr(size_text, ' ', value_len - (size_t)(size_text - value));
	if (!space2)
		goto bad_line;
	digest = space2 + 1;
	if (!vigil_name_valid(name, (size_t)(space1 - name), VIGIL_PAYLOAD_NAME_MAX)) {
		vigil_reason_set(reason, reason_size, "payload name on line %u is not a plain file name", line_number);
		return -EBADMSG;
	}
	if (!vigil_decimal_parse(size_text, (size_t)(space2 - size_text), &file->size))
		goto bad_line;
	if (file->size > VIGIL_PAYLOAD_FILE_MAX_SIZE) {
		vigil_reason_set(reason, reason_size, "payload file on line %u is larger than %llu bytes", line_number,
				 (unsigned long long)VIGIL_PAYLOAD_FILE_MAX_SIZE);
		return -EBADMSG;
	}
	if (!vigil_hex_parse(digest, value_len - (size_t)(digest - value), file->sha256, VIGIL_SHA256_SIZE))
		goto bad_line;
	memcpy(file->name, name, (size_t)(space1 - name));
	file->name[space1 - name] = '\0';
	return 0;

bad_line:
	vigil_reason_set(reason, reason_size, "non-canonical manifest: line %u is not `file NAME SIZE SHA256'",
			 line_number);
	return -EBADMSG;
}

int vigil_bundle_manifest_parse(const uint8_t *buf, size_t len, struct vigil_bundle_manifest **ret_manifest,
				char *reason, size_t reason_size)
{
	struct vigil_line_reader reader = { .text = (const char *)buf, .len = len };
	struct vigil_bundle_manifest *manifest;
	const char *value, *line;
	size_t value_len, line_len, capacity = 0;
	uint8_t *encoded = NULL;
	size_t encoded_len;
	uint64_t total = 0;
	int r;

	if (len > VIGIL_MANIFEST_MAX_SIZE) {
		vigil_reason_set(reason, reason_size, "manifest larger than %u bytes", VIGIL_MANIFEST_MAX_SIZE);
		return -EBADMSG;
	}
	manifest = calloc(1, sizeof(*manifest));
	if (!manifest)
		return -ENOMEM;
	r = vigil_manifest_read_format((const char *)buf, len, "vigil-bundle", &manifest->format, reason, reason_size);
	if (r < 0)
		goto err_free_manifest;
	(void)vigil_line_next(&reader, &line, &line_len);

	r = vigil_line_expect_field(&reader, "channel", &value, &value_len, reason, reason_size);
	if (r < 0)
		goto err_free_manifest;
	if (!vigil_channel_valid(value, value_len)) {
		vigil_reason_set(reason, reason_size, "bad channel name in manifest");
		r = -EBADMSG;
		goto err_free_manifest;
	}
	memcpy(manifest->channel, value, value_len);
	manifest->channel[value_len] = '\0';

	r = vigil_line_u64_field(&reader, "version", &manifest->version, reason, reason_size);
	if (r < 0)
		goto err_free_manifest;
	r = vigil_line_time_field(&reader, "issued", &manifest->issued, reason, reason_size);
	if (r < 0)
		goto err_free_manifest;
	r = vigil_line_time_field(&reader, "expires", &manifest->expires, reason, reason_size);
	if (r < 0)
		goto err_free_manifest;
	if (manifest->expires <= manifest->issued) {
		vigil_reason_set(reason, reason_size, "bundle expires before it is issued");
		r = -EBADMSG;
		goto err_free_manifest;
	}
	r = vigil_line_expect_field(&reader, "previous", &value, &value_len, reason, reason_size);
	if (r < 0)
		goto err_free_manifest;
	if (value_len == 5 && !memcmp(value, "first", 5)) {
		manifest->first = true;
	} else if (!vigil_hex_parse(value, value_len, manifest->previous, VIGIL_SHA256_SIZE)) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: `previous' is neither `first' nor a lowercase SHA-256");
		r = -EBADMSG;
		goto err_free_manifest;
	}
	r = vigil_line_u64_field(&reader, "root-version", &manifest->root_version, reason, reason_size);
	if (r < 0)
		goto err_free_manifest;
	if (manifest->root_version == 0) {
		vigil_reason_set(reason, reason_size, "bundle names root version 0");
		r = -EBADMSG;
		goto err_free_manifest;
	}

	while (reader.pos < reader.len) {
		struct vigil_payload_file *file;

		r = vigil_line_expect_field(&reader, "file", &value, &value_len, reason, reason_size);
		if (r < 0)
			goto err_free_manifest;
		if (manifest->file_count == VIGIL_PAYLOAD_FILES_MAX) {
			vigil_reason_set(reason, reason_size, "more than %d payload files", VIGIL_PAYLOAD_FILES_MAX);
			r = -EBADMSG;
			goto err_free_manifest;
		}
		if (manifest->file_count == capacity) {
			size_t new_capacity = capacity ? capacity * 2 : 16;
			struct vigil_payload_file *files;

			if (new_capacity > VIGIL_PAYLOAD_FILES_MAX)
				new_capacity = VIGIL_PAYLOAD_FILES_MAX;
			files = realloc(manifest->files, new_capacity * sizeof(*files));
			if (!files) {
				r = -ENOMEM;
				goto err_free_manifest;
			}
			manifest->files = files;
			capacity = new_capacity;
		}
		file = &manifest->files[manifest->file_count];
		r = parse_file_line(value, value_len, file, reason, reason_size, reader.number);
		if (r < 0)
			goto err_free_manifest;
		if (manifest->file_count && strcmp(manifest->files[manifest->file_count - 1].name, file->name) >= 0) {
			vigil_reason_set(reason, reason_size, "%s payload name `%s' (names must be unique and sorted)",
					 strcmp(manifest->files[manifest->file_count - 1].name, file->name) ? "unsorted" : "duplicate",
					 file->name);
			r = -EBADMSG;
			goto err_free_manifest;
		}
		total += file->size;
		if (total > VIGIL_PAYLOAD_TOTAL_MAX_SIZE) {
			vigil_reason_set(reason, reason_size, "payload larger than %llu bytes in total",
					 (unsigned long long)VIGIL_PAYLOAD_TOTAL_MAX_SIZE);
			r = -EBADMSG;
			goto err_free_manifest;
		}
		manifest->file_count++;
	}
	if (manifest->file_count == 0) {
		vigil_reason_set(reason, reason_size, "bundle lists no payload files");
		r = -EBADMSG;
		goto err_free_manifest;
	}

	/* The proof of canonical form: our encoder gives back the same bytes. */
	r = vigil_bundle_manifest_encode(manifest, &encoded, &encoded_len, reason, reason_size);
	if (r == -ENOMEM)
		goto err_free_manifest;
	if (r < 0 || encoded_len != len || memcmp(encoded, buf, len)) {
		vigil_reason_set(reason, reason_size, "non-canonical manifest: bytes differ from the canonical encoding");
		r = -EBADMSG;
		goto err_free_encoded;
	}
	free(encoded);
	*ret_manifest = manifest;
	return 0;

err_free_encoded:
	free(encoded);
err_free_manifest:
	vigil_bundle_manifest_free(manifest);
	return r;
}

int vigil_bundle_manifest_encode(const struct vigil_bundle_manifest *manifest, uint8_t **ret_buf,
				 size_t *ret_len, char *reason, size_t reason_size)
{
	struct vigil_text_buffer text = { 0 };
	char issued[VIGIL_RFC3339_SIZE + 1], expires[VIGIL_RFC3339_SIZE + 1];
	char hex[VIGIL_SHA256_HEX_SIZE + 1];
	int64_t check;

	if (manifest->format != VIGIL_FORMAT_VERSION ||
	    !vigil_channel_valid(manifest->channel, strnlen(manifest->channel, sizeof(manifest->channel))) ||
	    manifest->root_version == 0 || manifest->file_count == 0 ||
	    manifest->file_count > VIGIL_PAYLOAD_FILES_MAX || manifest->expires <= manifest->issued) {
		vigil_reason_set(reason, reason_size, "manifest field out of range");
		return -EINVAL;
	}
	vigil_time_format(manifest->issued, issued);
	vigil_time_format(manifest->expires, expires);
	if (!vigil_time_parse(issued, VIGIL_RFC3339_SIZE, &check) || check != manifest->issued ||
	    !vigil_time_parse(expires, VIGIL_RFC3339_SIZE, &check) || check != manifest->expires) {
		vigil_reason_set(reason, reason_size, "manifest time out of range");
		return -EINVAL;
	}
	vigil_text_append(&text, "vigil-bundle %llu\n", (unsigned long long)manifest->format);
	vigil_text_append(&text, "channel %s\n", manifest->channel);
	vigil_text_append(&text, "version %llu\n", (unsigned long long)manifest->version);
	vigil_text_append(&text, "issued %s\n", issued);
	vigil_text_append(&text, "expires %s\n", expires);
	if (manifest->first) {
		vigil_text_append(&text, "previous first\n");
	} else {
		vigil_hex_format(manifest->previous, VIGIL_SHA256_SIZE, hex);
		vigil_text_append(&text, "previous %s\n", hex);
	}
	vigil_text_append(&text, "root-version %llu\n", (unsigned long long)manifest->root_version);
	for (size_t i = 0; i < manifest->file_count; i++) {
		const struct vigil_payload_file *file = &manifest->files[i];

		if (!vigil_name_valid(file->name, strnlen(file->name, sizeof(file->name)), VIGIL_PAYLOAD_NAME_MAX) ||
		    file->size > VIGIL_PAYLOAD_FILE_MAX_SIZE ||
		    (i && strcmp(manifest->files[i - 1].name, file->name) >= 0)) {
			free(text.data);
			vigil_reason_set(reason, reason_size, "payload file `%.*s' has a bad name, size or order",
					 VIGIL_PAYLOAD_NAME_MAX, file->name);
			return -EINVAL;
		}
		vigil_hex_format(file->sha256, VIGIL_SHA256_SIZE, hex);
		vigil_text_append(&text, "file %s %llu %s\n", file->name, (unsigned long long)file->size, hex);
	}
	if (text.failed) {
		free(text.data);
		if (text.too_big) {
			vigil_reason_set(reason, reason_size, "manifest larger than %u bytes", VIGIL_MANIFEST_MAX_SIZE);
			return -E2BIG;
		}
		return -ENOMEM;
	}
	*ret_buf = (uint8_t *)text.data;
	*ret_len = text.len;
	return 0;
}

bool vigil_file_is_bundle(const char *path)
{
	char magic[VIGIL_MAGIC_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	bool is_bundle;

	if (fd < 0)
		return false;
	is_bundle = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
		    !memcmp(magic, VIGIL_BUNDLE_MAGIC, VIGIL_MAGIC_SIZE);
	close(fd);
	return is_bundle;
}
