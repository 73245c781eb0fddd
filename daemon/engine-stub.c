// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: TEMPORARY stand-in for lib/engine.c until the engine lands on
 * main; delete this file then. It implements just enough of lib/engine.h
 * for vigild's tests: .ndb lines `Name:0:*:HEX` with plain hex bodies
 * (found anywhere in the file) and .hdb lines `MD5:SIZE:Name`. It owns
 * nothing beyond the engines it makes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"

struct stub_signature {
	char *name;
	uint8_t *body;		/* NULL for a hash signature */
	size_t body_size;
	uint8_t md5[16];
	uint64_t size;
};

struct vigil_engine {
	atomic_int refs;
	struct stub_signature *signatures;
	size_t count;
	const char **names;
	uint64_t max_file_size;
};

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int add_line(struct vigil_engine *engine, const char *file, char *line, bool ndb)
{
	struct stub_signature signature = { 0 };
	char *fields[4] = { 0 };
	size_t count = 0;
	char *save = NULL;
	struct stub_signature *bigger;

	for (char *field = strtok_r(line, ":", &save); field && count < 4;
	     field = strtok_r(NULL, ":", &save))
		fields[count++] = field;
	if (ndb) {
		size_t length;

		if (count != 4 || strcmp(fields[1], "0") || strcmp(fields[2], "*"))
			return -EINVAL;
		length = strlen(fields[3]);
		if (!length || length % 2)
			return -EINVAL;
		signature.body = malloc(length / 2);
		if (!signature.body)
			return -ENOMEM;
		for (size_t i = 0; i < length / 2; i++) {
			int high = hex_value(fields[3][2 * i]), low = hex_value(fields[3][2 * i + 1]);

			if (high < 0 || low < 0) {
				free(signature.body);
				return -EINVAL;
			}
			signature.body[i] = (uint8_t)(high << 4 | low);
		}
		signature.body_size = length / 2;
		signature.name = strdup(fields[0]);
	} else {
		char *end;

		if (count != 3 || strlen(fields[0]) != 32)
			return -EINVAL;
		for (size_t i = 0; i < 16; i++) {
			int high = hex_value(fields[0][2 * i]), low = hex_value(fields[0][2 * i + 1]);

			if (high < 0 || low < 0)
				return -EINVAL;
			signature.md5[i] = (uint8_t)(high << 4 | low);
		}
		signature.size = strtoull(fields[1], &end, 10);
		if (*end)
			return -EINVAL;
		signature.name = strdup(fields[2]);
	}
	(void)file;
	bigger = realloc(engine->signatures, (engine->count + 1) * sizeof(*bigger));
	if (!bigger || !signature.name) {
		free(signature.body);
		free(signature.name);
		return -ENOMEM;
	}
	engine->signatures = bigger;
	engine->signatures[engine->count++] = signature;
	return 0;
}

static int read_fd(int fd, uint8_t **ret_data, size_t *ret_size)
{
	size_t size = 0, capacity = 0;
	uint8_t *data = NULL;

	for (;;) {
		ssize_t got;

		if (size == capacity) {
			uint8_t *bigger = realloc(data, capacity = capacity ? capacity * 2 : 65536);

			if (!bigger) {
				free(data);
				return -ENOMEM;
			}
			data = bigger;
		}
		got = pread(fd, data + size, capacity - size, (off_t)size);
		if (got < 0) {
			free(data);
			return -errno;
		}
		if (got == 0)
			break;
		size += (size_t)got;
	}
	*ret_data = data;
	*ret_size = size;
	return 0;
}

int vigil_engine_new(const struct vigil_source *sources, size_t count,
		     const struct vigil_engine_options *options,
		     struct vigil_engine **ret_engine, struct vigil_load_error *ret_error)
{
	struct vigil_engine *engine = calloc(1, sizeof(*engine));
	int r = 0;

	if (!engine)
		return -ENOMEM;
	atomic_init(&engine->refs, 1);
	engine->max_file_size = options && options->max_file_size ? options->max_file_size :
		VIGIL_DEFAULT_MAX_FILE_SIZE;
	for (size_t i = 0; i < count && !r; i++) {
		const char *name = sources[i].name, *dot = strrchr(name, '.');
		uint8_t *owned = NULL;
		const uint8_t *data = sources[i].data;
		size_t size = sources[i].size;
		char *text, *save = NULL;
		unsigned line_number = 0;
		bool ndb;

		if (!dot || (strcmp(dot, ".ndb") && strcmp(dot, ".hdb"))) {
			r = -EINVAL;
			snprintf(ret_error->file, sizeof(ret_error->file), "%s", name);
			snprintf(ret_error->reason, sizeof(ret_error->reason),
				 "the stub engine reads only .ndb and .hdb");
			break;
		}
		ndb = !strcmp(dot, ".ndb");
		if (!data && (r = read_fd(sources[i].fd, &owned, &size)) < 0)
			break;
		if (owned)
			data = owned;
		text = malloc(size + 1);
		if (!text) {
			free(owned);
			r = -ENOMEM;
			break;
		}
		memcpy(text, data, size);
		text[size] = '\0';
		free(owned);
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			line_number++;
			line[strcspn(line, "\r")] = '\0';
			if (!*line)
				continue;
			r = add_line(engine, name, line, ndb);
			if (r) {
				snprintf(ret_error->file, sizeof(ret_error->file), "%s", name);
				ret_error->line = line_number;
				snprintf(ret_error->reason, sizeof(ret_error->reason), "malformed signature");
				break;
			}
		}
		free(text);
	}
	if (!r) {
		engine->names = calloc(engine->count + 1, sizeof(*engine->names));
		if (!engine->names)
			r = -ENOMEM;
	}
	if (r) {
		vigil_engine_unref(engine);
		return r;
	}
	*ret_engine = engine;
	return 0;
}

struct vigil_engine *vigil_engine_ref(struct vigil_engine *engine)
{
	atomic_fetch_add(&engine->refs, 1);
	return engine;
}

struct vigil_engine *vigil_engine_unref(struct vigil_engine *engine)
{
	if (!engine || atomic_fetch_sub(&engine->refs, 1) != 1)
		return NULL;
	for (size_t i = 0; i < engine->count; i++) {
		free(engine->signatures[i].name);
		free(engine->signatures[i].body);
	}
	free(engine->signatures);
	free(engine->names);
	free(engine);
	return NULL;
}

void vigil_engine_get_stats(const struct vigil_engine *engine, struct vigil_engine_stats *ret_stats)
{
	memset(ret_stats, 0, sizeof(*ret_stats));
	for (size_t i = 0; i < engine->count; i++) {
		if (engine->signatures[i].body)
			ret_stats->body_signatures++;
		else
			ret_stats->hash_signatures++;
	}
}

int vigil_engine_scan_buffer(struct vigil_engine *engine, const uint8_t *data, size_t size,
			     unsigned flags, struct vigil_scan_result *ret_result)
{
	uint8_t md5[16];
	unsigned length = 0;

	memset(ret_result, 0, sizeof(*ret_result));
	ret_result->size = size;
	ret_result->scanned = size;
	ret_result->matches = calloc(engine->count + 1, sizeof(char *));
	if (!ret_result->matches)
		return -ENOMEM;
	EVP_Digest(data, size, md5, &length, EVP_md5(), NULL);
	if (flags & VIGIL_SCAN_WANT_SHA256) {
		EVP_Digest(data, size, ret_result->sha256, &length, EVP_sha256(), NULL);
		ret_result->sha256_valid = true;
	}
	for (size_t i = 0; i < engine->count; i++) {
		const struct stub_signature *signature = &engine->signatures[i];
		bool hit;

		if (signature->body)
			hit = size >= signature->body_size &&
			      memmem(data, size, signature->body, signature->body_size);
		else
			hit = signature->size == size && !memcmp(signature->md5, md5, 16);
		if (hit)
			ret_result->matches[ret_result->match_count++] = signature->name;
	}
	ret_result->verdict = ret_result->match_count ? VIGIL_INFECTED : VIGIL_CLEAN;
	return 0;
}

int vigil_engine_scan_fd(struct vigil_engine *engine, int fd, unsigned flags,
			 struct vigil_scan_result *ret_result)
{
	struct stat st;
	uint8_t *data;
	size_t size;
	int r;

	memset(ret_result, 0, sizeof(*ret_result));
	if (fstat(fd, &st) < 0) {
		ret_result->verdict = VIGIL_SCAN_ERROR;
		ret_result->error = -errno;
		return 0;
	}
	if ((uint64_t)st.st_size > engine->max_file_size) {
		ret_result->verdict = VIGIL_SCAN_LIMITED;
		ret_result->size = (uint64_t)st.st_size;
		return 0;
	}
	r = read_fd(fd, &data, &size);
	if (r < 0) {
		memset(ret_result, 0, sizeof(*ret_result));
		ret_result->verdict = VIGIL_SCAN_ERROR;
		ret_result->error = r;
		return 0;
	}
	r = vigil_engine_scan_buffer(engine, data, size, flags, ret_result);
	free(data);
	return r;
}

void vigil_scan_result_uninit(struct vigil_scan_result *result)
{
	if (!result)
		return;
	free(result->matches);
	result->matches = NULL;
}

const char *vigil_verdict_name(enum vigil_verdict verdict)
{
	switch (verdict) {
	case VIGIL_CLEAN: return "clean";
	case VIGIL_INFECTED: return "infected";
	case VIGIL_SCAN_LIMITED: return "limited";
	default: return "error";
	}
}
