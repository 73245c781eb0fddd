// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the engine object and the scan of one file. Owns the loaded
 * signature set, the compiled matcher, the options and a pool of per-thread
 * scan contexts (Hyperscan scratch, digest contexts, read buffer). An engine
 * is immutable once built; the reference count lets vigild swap engines on
 * reload while scans in flight finish on the one they started with.
 *
 *   vigil_engine_new(): sources -> signature_set_add_source() each
 *     -> signature_set_finish() -> matcher_cache_load_or_compile()
 *   vigil_engine_scan_fd(): context_take() -> size and limits -> ELF facts
 *     -> one read loop: digests the hash index asks for, and
 *        matcher_scan_block() on a window that keeps the look-back bytes
 *     -> matcher_scan_end() -> hash and .fp look-ups -> result
 *     -> context_give_back()
 * Files of 5 bytes or fewer are never matched (clamscan's rule); files
 * beyond max_file_size are not read and come back VIGIL_SCAN_LIMITED, and
 * so does a file cut at max_scan_size in which nothing was found.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "elf-entry.h"
#include "engine.h"
#include "hash-index.h"
#include "matcher-cache.h"
#include "matcher.h"
#include "signature.h"

#define BLOCK_SIZE (256u << 10)
#define SMALLEST_SCANNED_SIZE 6
#define MAX_SOURCE_SIZE (4ULL << 30)

struct scan_context {
	struct scan_context *next;
	struct matcher_scan *matcher_scan;
	EVP_MD_CTX *digest_contexts[__HASH_TYPE_COUNT];
	uint8_t *buffer;
	size_t buffer_size;
};

struct vigil_engine {
	atomic_uint references;
	struct signature_set set;
	struct matcher *matcher;
	uint64_t max_file_size;
	uint64_t max_scan_size;
	bool loaded_from_cache;
	pthread_mutex_t pool_lock;
	struct scan_context *idle_contexts;
};

const char *vigil_verdict_name(enum vigil_verdict verdict)
{
	switch (verdict) {
	case VIGIL_CLEAN: return "clean";
	case VIGIL_INFECTED: return "infected";
	case VIGIL_SCAN_LIMITED: return "limited";
	case VIGIL_SCAN_ERROR: return "error";
	}
	return "unknown";
}

/* Reads a whole fd from offset 0 into memory (sources given as fds). */
static int read_whole_fd(int fd, uint8_t **ret_data, size_t *ret_size)
{
	struct stat st;
	uint8_t *data;
	size_t size = 0, capacity;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > MAX_SOURCE_SIZE)
		return -EFBIG;
	capacity = (size_t)st.st_size + 1;
	data = malloc(capacity);
	if (!data)
		return -ENOMEM;
	for (;;) {
		ssize_t got;

		if (size == capacity) {
			uint8_t *grown;

			if (capacity > MAX_SOURCE_SIZE) {
				free(data);
				return -EFBIG;
			}
			grown = realloc(data, capacity * 2);
			if (!grown) {
				free(data);
				return -ENOMEM;
			}
			data = grown;
			capacity *= 2;
		}
		got = pread(fd, data + size, capacity - size, (off_t)size);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(data);
			return -errno;
		}
		if (!got)
			break;
		size += (size_t)got;
	}
	*ret_data = data;
	*ret_size = size;
	return 0;
}

static void load_error(struct vigil_load_error *error, const char *file, unsigned line,
		       const char *reason)
{
	if (!error)
		return;
	snprintf(error->file, sizeof(error->file), "%s", file ? file : "");
	error->line = line;
	snprintf(error->reason, sizeof(error->reason), "%s", reason);
}

/* clamscan's load order as far as it shows: .ign2 lists first (they act
 * while the rest loads), .hsb after everything else (of one hash in .hdb
 * and .hsb the .hsb name is reported), otherwise the order given. */
static size_t source_load_pass(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot && !strcmp(dot, ".ign2"))
		return 0;
	if (dot && !strcmp(dot, ".hsb"))
		return 2;
	return 1;
}

static int load_source(struct vigil_engine *engine, const struct vigil_source *source,
		       struct vigil_load_error *ret_error)
{
	const uint8_t *data = source->data;
	size_t size = source->size;
	uint8_t *owned = NULL;
	unsigned line = 0;
	char reason[256];
	int r;

	if (!data && source->fd >= 0) {
		r = read_whole_fd(source->fd, &owned, &size);
		if (r < 0) {
			snprintf(reason, sizeof(reason), "cannot read: %s", strerror(-r));
			load_error(ret_error, source->name, 0, reason);
			return r;
		}
		data = owned;
	}
	r = signature_set_add_source(&engine->set, source->name, data ? data : (const uint8_t *)"",
				     size, &line, reason, sizeof(reason));
	free(owned);
	if (r < 0)
		load_error(ret_error, source->name, line, reason);
	return r;
}

int vigil_engine_new(const struct vigil_source *sources, size_t count,
		     const struct vigil_engine_options *options,
		     struct vigil_engine **ret_engine, struct vigil_load_error *ret_error)
{
	struct vigil_engine *engine;
	char reason[256];
	int r;

	engine = calloc(1, sizeof(*engine));
	if (!engine)
		return -ENOMEM;
	atomic_init(&engine->references, 1);
	pthread_mutex_init(&engine->pool_lock, NULL);
	signature_set_init(&engine->set);
	engine->max_file_size = options && options->max_file_size ? options->max_file_size :
				VIGIL_DEFAULT_MAX_FILE_SIZE;
	engine->max_scan_size = options && options->max_scan_size ? options->max_scan_size :
				VIGIL_DEFAULT_MAX_SCAN_SIZE;

	for (size_t pass = 0; pass < 3; ++pass) {
		for (size_t i = 0; i < count; ++i) {
			if (source_load_pass(sources[i].name) != pass)
				continue;
			r = load_source(engine, &sources[i], ret_error);
			if (r < 0)
				goto err_free;
		}
	}
	r = signature_set_finish(&engine->set);
	if (r < 0) {
		load_error(ret_error, NULL, 0, strerror(-r));
		goto err_free;
	}
	r = matcher_cache_load_or_compile(&engine->set, options, &engine->matcher,
					  &engine->loaded_from_cache, reason, sizeof(reason));
	if (r < 0) {
		load_error(ret_error, NULL, 0, reason);
		goto err_free;
	}
	*ret_engine = engine;
	return 0;

err_free:
	vigil_engine_unref(engine);
	return r;
}

struct vigil_engine *vigil_engine_ref(struct vigil_engine *engine)
{
	if (engine)
		atomic_fetch_add(&engine->references, 1);
	return engine;
}

static struct scan_context *context_free(struct scan_context *context)
{
	if (!context)
		return NULL;
	matcher_scan_free(context->matcher_scan);
	for (int i = 0; i < __HASH_TYPE_COUNT; ++i)
		EVP_MD_CTX_free(context->digest_contexts[i]);
	free(context->buffer);
	free(context);
	return NULL;
}

struct vigil_engine *vigil_engine_unref(struct vigil_engine *engine)
{
	if (!engine || atomic_fetch_sub(&engine->references, 1) != 1)
		return NULL;
	while (engine->idle_contexts) {
		struct scan_context *next = engine->idle_contexts->next;

		context_free(engine->idle_contexts);
		engine->idle_contexts = next;
	}
	matcher_free(engine->matcher);
	signature_set_uninit(&engine->set);
	pthread_mutex_destroy(&engine->pool_lock);
	free(engine);
	return NULL;
}

void vigil_engine_get_stats(const struct vigil_engine *engine, struct vigil_engine_stats *ret_stats)
{
	size_t bodies = 0;

	for (size_t i = 0; i < engine->set.body_count; ++i)
		if (engine->set.bodies[i].segment_count)
			bodies++;
	*ret_stats = (struct vigil_engine_stats){
		.hash_signatures = engine->set.hash_count,
		.body_signatures = bodies,
		.false_positive_hashes = engine->set.false_positive_count,
		.ignored_names = engine->set.ignored_count,
		.loaded_from_cache = engine->loaded_from_cache,
	};
}

static int context_take(struct vigil_engine *engine, struct scan_context **ret_context)
{
	struct scan_context *context;
	int r;

	pthread_mutex_lock(&engine->pool_lock);
	context = engine->idle_contexts;
	if (context)
		engine->idle_contexts = context->next;
	pthread_mutex_unlock(&engine->pool_lock);
	if (context) {
		*ret_context = context;
		return 0;
	}
	context = calloc(1, sizeof(*context));
	if (!context)
		return -ENOMEM;
	r = matcher_scan_new(engine->matcher, &context->matcher_scan);
	if (r < 0)
		goto err_free;
	r = -ENOMEM;
	for (int i = 0; i < __HASH_TYPE_COUNT; ++i) {
		context->digest_contexts[i] = EVP_MD_CTX_new();
		if (!context->digest_contexts[i])
			goto err_free;
	}
	context->buffer_size = matcher_window_size(engine->matcher) + BLOCK_SIZE;
	context->buffer = malloc(context->buffer_size);
	if (!context->buffer)
		goto err_free;
	*ret_context = context;
	return 0;
err_free:
	context_free(context);
	return r;
}

static void context_give_back(struct vigil_engine *engine, struct scan_context *context)
{
	pthread_mutex_lock(&engine->pool_lock);
	context->next = engine->idle_contexts;
	engine->idle_contexts = context;
	pthread_mutex_unlock(&engine->pool_lock);
}

/* Where the bytes come from: an fd (pread) or a buffer. */
struct file_source {
	int fd;
	const uint8_t *data;
	uint64_t size;
};

static ssize_t source_read(void *opaque, void *buffer, size_t size, uint64_t offset)
{
	const struct file_source *source = opaque;
	size_t done = 0;

	if (source->fd < 0) {
		if (offset >= source->size)
			return 0;
		if (size > source->size - offset)
			size = (size_t)(source->size - offset);
		memcpy(buffer, source->data + offset, size);
		return (ssize_t)size;
	}
	while (done < size) {
		ssize_t got = pread(source->fd, (uint8_t *)buffer + done, size - done,
				    (off_t)(offset + done));

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!got)
			break;
		done += (size_t)got;
	}
	return (ssize_t)done;
}

static const EVP_MD *digest_algorithm(enum hash_type type)
{
	switch (type) {
	case HASH_MD5: return EVP_md5();
	case HASH_SHA1: return EVP_sha1();
	default: return EVP_sha256();
	}
}

struct name_list {
	const char **names;
	size_t count, capacity;
	const char *pool;
	int error;
};

static void name_list_add(struct name_list *list, const char *name)
{
	if (list->error)
		return;
	for (size_t i = 0; i < list->count; ++i)
		if (list->names[i] == name)
			return;
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 8;
		const char **names = realloc(list->names, capacity * sizeof(*names));

		if (!names) {
			list->error = -ENOMEM;
			return;
		}
		list->names = names;
		list->capacity = capacity;
	}
	list->names[list->count++] = name;
}

static void add_hash_name(const struct hash_signature *hash, void *opaque)
{
	struct name_list *list = opaque;

	name_list_add(list, list->pool + hash->name);
}

/* The read loop: digests and matcher over [0, limit). */
static int scan_bytes(struct vigil_engine *engine, struct scan_context *context,
		      const struct file_source *source, uint64_t limit, unsigned digest_types,
		      bool match, struct hash_digests *digests, uint64_t *ret_scanned)
{
	size_t window_size = matcher_window_size(engine->matcher);
	size_t carry = 0;
	uint64_t scanned = 0;
	struct scan_window window = { .data = context->buffer, .file_size = limit };
	int r;

	for (int type = 0; type < __HASH_TYPE_COUNT; ++type)
		if (digest_types & (1u << type) &&
		    !EVP_DigestInit_ex(context->digest_contexts[type], digest_algorithm(type), NULL))
			return -ENOMEM;
	while (scanned < limit) {
		size_t want = limit - scanned > BLOCK_SIZE ? BLOCK_SIZE : (size_t)(limit - scanned);
		ssize_t got = source_read((void *)source, context->buffer + carry, want, scanned);

		if (got < 0)
			return (int)got;
		if (!got) {
			/* The file shrank under us: what was read is the file. */
			limit = scanned;
			window.file_size = limit;
			break;
		}
		for (int type = 0; type < __HASH_TYPE_COUNT; ++type)
			if (digest_types & (1u << type))
				EVP_DigestUpdate(context->digest_contexts[type], context->buffer + carry,
						 (size_t)got);
		window.offset = scanned - carry;
		window.length = carry + (size_t)got;
		if (match) {
			r = matcher_scan_block(context->matcher_scan, &window, scanned);
			if (r < 0)
				return r;
		}
		scanned += (size_t)got;
		carry = window.length < window_size ? window.length : window_size;
		memmove(context->buffer, context->buffer + window.length - carry, carry);
	}
	window.offset = scanned - carry;
	window.length = carry;
	if (match) {
		r = matcher_scan_end(context->matcher_scan, &window);
		if (r < 0)
			return r;
	}
	for (int type = 0; type < __HASH_TYPE_COUNT; ++type) {
		if (!(digest_types & (1u << type)))
			continue;
		if (!EVP_DigestFinal_ex(context->digest_contexts[type], digests->digest[type], NULL))
			return -ENOMEM;
		digests->valid |= 1u << type;
	}
	*ret_scanned = scanned;
	return 0;
}

static int scan_source(struct vigil_engine *engine, const struct file_source *source,
		       unsigned flags, struct vigil_scan_result *result)
{
	const struct signature_set *set = &engine->set;
	struct name_list names = { .pool = set->names };
	struct hash_digests digests = { 0 };
	struct scan_context *context;
	struct file_facts facts = { 0 };
	struct elf_facts elf;
	uint64_t limit;
	unsigned digest_types = 0;
	bool truncated, match;
	int r;

	memset(result, 0, sizeof(*result));
	result->size = source->size;
	if (source->size > engine->max_file_size) {
		result->verdict = VIGIL_SCAN_LIMITED;
		return 0;
	}
	truncated = source->size > engine->max_scan_size;
	limit = truncated ? engine->max_scan_size : source->size;
	match = source->size >= SMALLEST_SCANNED_SIZE;

	r = context_take(engine, &context);
	if (r < 0)
		return r;
	if (match && !truncated) {
		digest_types |= hash_index_needed(set->hashes, set->hash_count, source->size);
		digest_types |= hash_index_needed(set->false_positives, set->false_positive_count,
						  source->size);
	}
	if (flags & VIGIL_SCAN_WANT_SHA256 && !truncated)
		digest_types |= 1u << HASH_SHA256;
	if (match) {
		r = elf_facts_read(source_read, (void *)source, limit, &elf);
		if (r < 0)
			goto out_error;
		facts = (struct file_facts){
			.size = limit, .is_elf = elf.is_elf,
			.entry_point_valid = elf.entry_point_valid, .entry_point = elf.entry_point,
		};
		r = matcher_scan_begin(context->matcher_scan, &facts);
		if (r < 0)
			goto out_error;
	}
	r = scan_bytes(engine, context, source, limit, digest_types, match, &digests,
		       &result->scanned);
	if (r < 0)
		goto out_error;
	if (digests.valid & (1u << HASH_SHA256) && flags & VIGIL_SCAN_WANT_SHA256) {
		memcpy(result->sha256, digests.digest[HASH_SHA256], 32);
		result->sha256_valid = true;
	}
	if (match) {
		const uint32_t *bodies;
		size_t count = matcher_scan_matches(context->matcher_scan, &bodies);

		for (size_t i = 0; i < count; ++i)
			name_list_add(&names, set->names + set->bodies[bodies[i]].name);
		if (!truncated)
			hash_index_lookup(set->hashes, set->hash_count, result->size, &digests,
					  add_hash_name, &names);
		if (names.error) {
			r = names.error;
			goto out_error;
		}
		if (names.count && !truncated &&
		    hash_index_lookup(set->false_positives, set->false_positive_count,
				      result->size, &digests, NULL, NULL))
			names.count = 0;
	}
	context_give_back(engine, context);
	if (names.count) {
		result->verdict = VIGIL_INFECTED;
		result->matches = names.names;
		result->match_count = names.count;
		return 0;
	}
	free(names.names);
	result->verdict = truncated ? VIGIL_SCAN_LIMITED : VIGIL_CLEAN;
	return 0;

out_error:
	/* A context that failed mid-scan may hold stale state: drop it. */
	context_free(context);
	free(names.names);
	result->verdict = VIGIL_SCAN_ERROR;
	result->error = r;
	return r == -ENOMEM ? r : 0;
}

int vigil_engine_scan_fd(struct vigil_engine *engine, int fd, unsigned flags,
			 struct vigil_scan_result *ret_result)
{
	struct file_source source = { .fd = fd };
	struct stat st;

	if (fstat(fd, &st) < 0) {
		memset(ret_result, 0, sizeof(*ret_result));
		ret_result->verdict = VIGIL_SCAN_ERROR;
		ret_result->error = -errno;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		memset(ret_result, 0, sizeof(*ret_result));
		ret_result->verdict = VIGIL_SCAN_ERROR;
		ret_result->error = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		return 0;
	}
	source.size = (uint64_t)st.st_size;
	return scan_source(engine, &source, flags, ret_result);
}

int vigil_engine_scan_buffer(struct vigil_engine *engine, const uint8_t *data, size_t size,
			     unsigned flags, struct vigil_scan_result *ret_result)
{
	struct file_source source = { .fd = -1, .data = data, .size = size };

	return scan_source(engine, &source, flags, ret_result);
}

void vigil_scan_result_uninit(struct vigil_scan_result *result)
{
	if (!result)
		return;
	free((void *)result->matches);
	result->matches = NULL;
	result->match_count = 0;
}
