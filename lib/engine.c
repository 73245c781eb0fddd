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
 *   vigil_engine_new(): sources -> parts by file-name stem -> per part:
 *     the cache (set-cache.c), else signature_set_add_source() each ->
 *     signature_set_finish() -> a matcher carried in the bundle
 *     (precompiled.c: same Hyperscan, CPU features this machine has, the
 *     part's exact sources and expressions), else a compile
 *   vigil_engine_precompile(): the same parts, each compiled for a target
 *     platform and wrapped in a precompiled header (`vigil bases build`)
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

#include <hs/hs.h>
#include <openssl/evp.h>

#include "elf-entry.h"
#include "engine.h"
#include "fd-io.h"
#include "hash-index.h"
#include "compile-child.h"
#include "matcher.h"
#include "precompiled.h"
#include "set-cache.h"
#include "signature.h"

#define BLOCK_SIZE (256u << 10)
#define SMALLEST_SCANNED_SIZE 6
#define MAX_SOURCE_SIZE (4ULL << 30)

struct scan_context {
	struct scan_context *next;
	struct matcher_scan **matcher_scans;	/* one per part */
	EVP_MD_CTX *digest_contexts[__HASH_TYPE_COUNT];
	uint8_t *buffer;
	size_t buffer_size;
};

/* Sources sharing a file-name stem (main.ndb, main.hdb) form a part with
 * its own matcher and cache entry, so that an update of daily.* leaves
 * main.* compiled. */
enum part_origin {
	PART_COMPILED,
	PART_PRECOMPILED,	/* carried in the bundle */
	PART_FROM_CACHE,
};

/* A part is immutable once built and reference-counted: an engine built
 * with options->previous takes the previous engine's part whenever the
 * part's key (its sources, as the cache knows them) is the same, so a
 * reload that changes one part loads only that one. */
struct engine_part {
	atomic_uint references;
	char name[64];
	struct signature_set set;
	struct matcher *matcher;
	enum part_origin origin;
	size_t body_signatures;		/* bodies with segments, counted once */
	bool keyed;
	uint8_t key[32];
	/* Matcher scans (Hyperscan scratch, per-signature state) given back
	 * by engines that are gone: the next engine sharing this part takes
	 * them instead of allocating, so the first scans after a reload cost
	 * what the others do. */
	pthread_mutex_t scans_lock;
	struct matcher_scan **idle_scans;
	size_t idle_count, idle_capacity;
};

/* Kept per part at most: enough for every worker of two engines. */
#define PART_IDLE_SCANS_MAX 64

struct part_name {
	char name[64];
};

struct vigil_engine {
	atomic_uint references;
	struct engine_part **parts;
	size_t part_count;
	size_t parts_shared;
	size_t parts_parsed;	/* built now from their sources' text */
	size_t window_size;
	uint64_t max_file_size;
	uint64_t max_scan_size;
	size_t ignored_count;
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

/* Reads exactly @size bytes at @offset of @fd (a payload in a bundle
 * file); -EBADMSG if the file ends first. */
static int read_range_fd(int fd, uint64_t offset, size_t size, uint8_t **ret_data)
{
	uint8_t *data;
	int r;

	if ((uint64_t)size > MAX_SOURCE_SIZE)
		return -EFBIG;
	data = malloc(size + 1);
	if (!data)
		return -ENOMEM;
	r = vigil_pread_all(fd, data, size, offset);
	if (r < 0) {
		free(data);
		return r == -EPIPE ? -EBADMSG : r;
	}
	*ret_data = data;
	return 0;
}

static bool digest_matches(const uint8_t *data, size_t size, const uint8_t *sha256)
{
	uint8_t digest[32];

	return EVP_Digest(data, size, digest, NULL, EVP_sha256(), NULL) &&
	       !memcmp(digest, sha256, sizeof(digest));
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

#define MAX_SOURCES UINT16_MAX

/* A source as the engine uses it: bytes in memory, or an fd read only
 * when the part must be parsed (a cache hit only hashes it, streaming). */
struct loaded_source {
	const char *name;
	const uint8_t *data;
	size_t size;
	uint8_t *owned;
	int fd;
	bool range;		/* size bytes at offset of fd, not the whole file */
	uint64_t offset;
	const uint8_t *sha256;
	char part[64];
	bool ignore_list;
};

static int source_bytes(struct loaded_source *source, struct vigil_load_error *ret_error)
{
	char reason[256];
	int r;

	if (source->data)
		return 0;
	if (source->fd < 0) {
		source->data = (const uint8_t *)"";
		return 0;
	}
	if (source->range)
		r = read_range_fd(source->fd, source->offset, source->size, &source->owned);
	else
		r = read_whole_fd(source->fd, &source->owned, &source->size);
	if (r < 0) {
		snprintf(reason, sizeof(reason), "cannot read: %s", strerror(-r));
		load_error(ret_error, source->name, 0, reason);
		return r;
	}
	/* The key was made from the digest: parse only those bytes. */
	if (source->sha256) {
		if (!digest_matches(source->owned, source->size, source->sha256)) {
			load_error(ret_error, source->name, 0,
				   "changed while being loaded (its SHA-256 is not the one given)");
			return -EAGAIN;
		}
	}
	source->data = source->owned;
	return 0;
}

/* Feeds a source to the cache key: its SHA-256 when known, an fd's
 * identity (a write changes its ctime), else its bytes. */
static int source_key_add(struct set_cache_key *key, const char *label,
			  const struct loaded_source *source)
{
	struct stat st;

	if (source->sha256) {
		set_cache_key_add(key, label, source->sha256, 32);
		return 0;
	}
	if (!source->data && source->fd >= 0) {
		uint64_t identity[7];

		if (fstat(source->fd, &st) < 0)
			return -errno;
		identity[0] = (uint64_t)st.st_dev;
		identity[1] = (uint64_t)st.st_ino;
		identity[2] = (uint64_t)st.st_size;
		identity[3] = (uint64_t)st.st_mtim.tv_sec;
		identity[4] = (uint64_t)st.st_mtim.tv_nsec;
		identity[5] = (uint64_t)st.st_ctim.tv_sec;
		identity[6] = (uint64_t)st.st_ctim.tv_nsec;
		set_cache_key_add(key, label, (const uint8_t *)identity, sizeof(identity));
		return 0;
	}
	set_cache_key_add(key, label, source->data ? source->data : (const uint8_t *)"",
			  source->size);
	return 0;
}

/* The part a source belongs to: its file name up to the first dot. */
static void part_of(const char *name, char *part, size_t size)
{
	const char *base = strrchr(name, '/');
	size_t length;

	base = base ? base + 1 : name;
	length = strcspn(base, ".");
	if (length >= size)
		length = size - 1;
	memcpy(part, base, length);
	part[length] = '\0';
}

static int compare_load_order(const void *a, const void *b, void *opaque)
{
	const struct loaded_source *sources = opaque;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t pass_x = source_load_pass(sources[x].name), pass_y = source_load_pass(sources[y].name);

	if (pass_x != pass_y)
		return pass_x < pass_y ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Parses the .ign2 sources and then the part's own into part->set. */
static int parse_part(struct engine_part *part, struct loaded_source *sources,
		      const size_t *order, size_t count, struct vigil_load_error *ret_error)
{
	char reason[256];
	int r;

	signature_set_init(&part->set);
	for (size_t rank = 0; rank < count; ++rank) {
		struct loaded_source *source = &sources[order[rank]];
		unsigned line = 0;

		if (!source->ignore_list && strcmp(source->part, part->name))
			continue;
		r = source_bytes(source, ret_error);
		if (r < 0)
			return r;
		part->set.current_rank = (uint16_t)rank;
		r = signature_set_add_source(&part->set, source->name, source->data, source->size,
					     &line, reason, sizeof(reason));
		if (r < 0) {
			load_error(ret_error, source->name, line, reason);
			return r;
		}
	}
	return signature_set_finish(&part->set);
}

/* The sources a part is made of, in load order: every .ign2 list and the
 * part's own files. */
static size_t part_source_list(const struct engine_part *part, const struct loaded_source *sources,
			       const size_t *order, size_t count, const struct loaded_source **list)
{
	size_t used = 0;

	for (size_t rank = 0; rank < count; ++rank) {
		const struct loaded_source *source = &sources[order[rank]];

		if (source->ignore_list || !strcmp(source->part, part->name))
			list[used++] = source;
	}
	return used;
}

bool vigil_precompiled_name(const char *name)
{
	size_t length = strlen(name), suffix = strlen(VIGIL_PRECOMPILED_SUFFIX);

	return length > suffix && !strcmp(name + length - suffix, VIGIL_PRECOMPILED_SUFFIX);
}

static unsigned feature_count(uint64_t features)
{
	return (unsigned)__builtin_popcountll(features);
}

/* Does a carried header fit this part and this machine, before parsing?
 * Same part, same Hyperscan, CPU features this machine has, and exactly
 * the part's sources, name by name and SHA-256 by SHA-256. */
static bool carried_fits(const struct precompiled_header *header, const struct engine_part *part,
			 const struct loaded_source *const *list, size_t list_count,
			 const hs_platform_info_t *machine)
{
	if (strcmp(header->part, part->name) || strcmp(header->hyperscan_version, hs_version()) ||
	    header->cpu_features & ~(uint64_t)machine->cpu_features ||
	    header->source_count != list_count)
		return false;
	for (size_t i = 0; i < list_count; ++i) {
		char name[PRECOMPILED_SOURCE_NAME_SIZE + 1];
		const uint8_t *sha256;

		precompiled_source_at(header, i, name, &sha256);
		if (!list[i]->sha256 || strcmp(name, list[i]->name) ||
		    memcmp(sha256, list[i]->sha256, 32))
			return false;
	}
	return true;
}

/* Best first: more CPU features, then this machine's tuning. */
static bool carried_better(const struct precompiled_header *a, const struct precompiled_header *b,
			   const hs_platform_info_t *machine)
{
	if (feature_count(a->cpu_features) != feature_count(b->cpu_features))
		return feature_count(a->cpu_features) > feature_count(b->cpu_features);
	return a->tune == machine->tune && b->tune != machine->tune;
}

/* The bytes of the carried matchers, read from their file only when a
 * part first looks for one (a reload that shares or finds every part in
 * the cache never reads them) and only if they have their SHA-256. */
struct carried_bytes {
	const uint8_t *data;	/* NULL: not read (yet), or unusable */
	size_t size;
	uint8_t *owned;
};

struct carried_store {
	const struct vigil_precompiled *given;
	size_t count;
	struct carried_bytes *items;
	bool read;
};

static void carried_read(struct carried_store *store)
{
	if (store->read)
		return;
	store->read = true;
	for (size_t i = 0; i < store->count; ++i) {
		const struct vigil_precompiled *given = &store->given[i];
		struct carried_bytes *item = &store->items[i];

		if (given->data) {
			item->data = given->data;
			item->size = given->size;
			continue;
		}
		/* From the bundle file: ignored unless intact (a carried matcher
		 * is only ever an optimisation). */
		if (!given->sha256 || read_range_fd(given->fd, given->offset, given->size, &item->owned) < 0)
			continue;
		if (!digest_matches(item->owned, given->size, given->sha256)) {
			free(item->owned);
			item->owned = NULL;
			continue;
		}
		item->data = item->owned;
		item->size = given->size;
	}
}

static void carried_store_uninit(struct carried_store *store)
{
	for (size_t i = 0; store->items && i < store->count; ++i)
		free(store->items[i].owned);
	free(store->items);
}

/* The carried matchers that fit the part, best first. */
static size_t carried_candidates(const struct engine_part *part, const struct loaded_source *sources,
				 const size_t *order, size_t count, struct carried_store *store,
				 struct precompiled_header *candidates)
{
	const struct loaded_source **list;
	hs_platform_info_t machine = { 0 };
	size_t list_count, found = 0;

	if (!store->count)
		return 0;
	carried_read(store);
	list = calloc(count + 1, sizeof(*list));
	if (!list || hs_populate_platform(&machine) != HS_SUCCESS) {
		free(list);
		return 0;
	}
	list_count = part_source_list(part, sources, order, count, list);
	for (size_t i = 0; i < store->count; ++i) {
		const struct carried_bytes *carried = &store->items[i];
		struct precompiled_header header;
		size_t at;

		if (!carried->data || precompiled_parse(carried->data, carried->size, &header) < 0 ||
		    !carried_fits(&header, part, list, list_count, &machine))
			continue;
		for (at = found; at > 0 && carried_better(&header, &candidates[at - 1], &machine); --at)
			candidates[at] = candidates[at - 1];
		candidates[at] = header;
		found++;
	}
	free(list);
	return found;
}

/* Loads the best carried matcher whose expressions are exactly the ones
 * this parse of the part would compile. 0 with the database bytes used
 * (inside the caller's bundle), or -ENOENT. */
static int load_carried(struct engine_part *part, const struct precompiled_header *candidates,
			size_t candidate_count, const char **ret_bytes, size_t *ret_size)
{
	uint8_t expressions[32];

	if (!candidate_count || matcher_expressions_digest(&part->set, expressions) < 0)
		return -ENOENT;
	for (size_t i = 0; i < candidate_count; ++i) {
		const struct precompiled_header *header = &candidates[i];

		if (memcmp(header->expressions_sha256, expressions, 32))
			continue;
		if (matcher_deserialize(&part->set, (const char *)header->database,
					header->database_size, &part->matcher) < 0)
			continue;
		*ret_bytes = (const char *)header->database;
		*ret_size = header->database_size;
		return 0;
	}
	return -ENOENT;
}

/*
 * After a compile or a carried matcher was stored in the cache, runs the
 * part on the stored form instead: its pools are then pages of the cache
 * file, shared with the page cache and with every other process that maps
 * it, rather than a private heap copy (about half of a large set's
 * memory). When the stored form cannot be read back, the part keeps what
 * it has.
 */
static void adopt_stored_form(struct engine_part *part, const char *cache_dir, const struct set_cache_key *key)
{
	struct signature_set built = part->set;
	struct matcher *built_matcher = part->matcher;
	char *bytes;
	size_t size;

	if (set_cache_load(cache_dir, key, &part->set, &bytes, &size)) {
		part->set = built;
		return;
	}
	/* The matcher points at part->set, so it is made there. */
	if (matcher_deserialize(&part->set, bytes, size, &part->matcher)) {
		signature_set_uninit(&part->set);
		part->set = built;
		part->matcher = built_matcher;
		return;
	}
	matcher_free(built_matcher);
	signature_set_uninit(&built);
}

/* The part's cache key: its own sources and every .ign2 list, each
 * labelled by its place among them, so that adding or removing another
 * part's file (which may sort between them) keeps this part's key. */
static int part_key(struct engine_part *part, const struct loaded_source *sources,
		    const size_t *order, size_t count, struct set_cache_key *key)
{
	int r = set_cache_key_init(key);

	if (r < 0)
		return r;
	for (size_t rank = 0, place = 0; rank < count; ++rank) {
		const struct loaded_source *source = &sources[order[rank]];
		char label[300];

		if (!source->ignore_list && strcmp(source->part, part->name))
			continue;
		snprintf(label, sizeof(label), "%zu:%s", place++, source->name);
		r = source_key_add(key, label, source);
		if (r < 0) {
			set_cache_key_uninit(key);
			return r;
		}
	}
	r = set_cache_key_finish(key);
	if (r < 0)
		return r;
	memcpy(part->key, key->digest, sizeof(part->key));
	part->keyed = true;
	return 0;
}

static int build_part(struct engine_part *part, struct loaded_source *sources,
		      const size_t *order, size_t count, const struct vigil_engine_options *options,
		      const struct set_cache_key *key, struct carried_store *store,
		      struct vigil_load_error *ret_error)
{
	const char *cache_dir = options && part->keyed ? options->cache_dir : NULL;
	uint64_t memory_limit = options ? options->compile_memory_limit : 0;
	struct precompiled_header *candidates = NULL;
	char reason[256] = "", *bytes = NULL;
	const char *carried_bytes = NULL;
	size_t candidate_count = 0;
	bool cacheable = false;
	size_t size = 0;
	int r;

	if (cache_dir && !set_cache_load(cache_dir, key, &part->set, &bytes, &size)) {
		r = matcher_deserialize(&part->set, bytes, size, &part->matcher);
		bytes = NULL; /* inside the set's mapping */
		if (!r) {
			part->origin = PART_FROM_CACHE;
			return 0;
		}
		signature_set_uninit(&part->set);
	}
	if (store->count) {
		candidates = calloc(store->count, sizeof(*candidates));
		if (!candidates)
			return -ENOMEM;
		candidate_count = carried_candidates(part, sources, order, count, store, candidates);
	}
	r = parse_part(part, sources, order, count, ret_error);
	if (r < 0)
		goto out_free;
	if (!load_carried(part, candidates, candidate_count, &carried_bytes, &size)) {
		/* Signed and checked: no compile, and the cache learns it. */
		part->origin = PART_PRECOMPILED;
		if (cache_dir && !set_cache_store(cache_dir, key, &part->set, carried_bytes, size))
			adopt_stored_form(part, cache_dir, key);
		r = 0;
		goto out_free;
	}
	part->origin = PART_COMPILED;
	if (memory_limit) {
		r = compile_in_child(&part->set, NULL, memory_limit, &bytes, &size, reason,
				     sizeof(reason));
		if (!r) {
			cacheable = true;
			r = matcher_deserialize(&part->set, bytes, size, &part->matcher);
			if (r < 0)
				snprintf(reason, sizeof(reason), "cannot load the compiled matcher: %s",
					 strerror(-r));
		}
	} else {
		r = matcher_compile(&part->set, &part->matcher, reason, sizeof(reason));
		if (!r && cache_dir)
			cacheable = matcher_serialize(part->matcher, &bytes, &size) == 0;
	}
	if (r < 0) {
		load_error(ret_error, part->name, 0, reason);
		free(bytes);
		goto out_free;
	}
	/* A cache that cannot be written only costs the next load time. */
	if (cache_dir && cacheable && !set_cache_store(cache_dir, key, &part->set, bytes, size))
		adopt_stored_form(part, cache_dir, key);
	free(bytes);
out_free:
	free(candidates);
	return r;
}

/* Fills loaded[] and order[] (count + 1 entries each) from the caller's
 * sources, in load order; reads the bytes now when @read_now. */
static int load_sources(const struct vigil_source *sources, size_t count, bool read_now,
			struct loaded_source *loaded, size_t *order, struct vigil_load_error *ret_error)
{
	int r;

	for (size_t i = 0; i < count; ++i) {
		struct loaded_source *source = &loaded[i];

		source->name = sources[i].name;
		source->data = sources[i].data;
		source->size = sources[i].size;
		source->fd = sources[i].data ? -1 : sources[i].fd;
		source->range = source->fd >= 0 && sources[i].range;
		source->offset = sources[i].offset;
		source->sha256 = sources[i].sha256;
		if (source->range && !source->sha256) {
			load_error(ret_error, source->name, 0, "a range of a file needs its SHA-256");
			return -EINVAL;
		}
		if (read_now) {
			r = source_bytes(source, ret_error);
			if (r < 0)
				return r;
		}
		source->ignore_list = source_load_pass(source->name) == 0;
		part_of(source->name, source->part, sizeof(source->part));
		order[i] = i;
	}
	qsort_r(order, count, sizeof(*order), compare_load_order, loaded);
	return 0;
}

/* Parts in order of their first source; .ign2 lists belong to all. */
static size_t list_parts(const struct loaded_source *loaded, const size_t *order, size_t count,
			 struct part_name *parts)
{
	size_t part_count = 0;

	for (size_t rank = 0; rank < count; ++rank) {
		const struct loaded_source *source = &loaded[order[rank]];
		bool known = source->ignore_list;

		for (size_t p = 0; p < part_count && !known; ++p)
			known = !strcmp(parts[p].name, source->part);
		if (!known)
			snprintf(parts[part_count++].name, sizeof(parts[0].name), "%s", source->part);
	}
	return part_count;
}

static struct engine_part *part_ref(struct engine_part *part)
{
	atomic_fetch_add(&part->references, 1);
	return part;
}

static int part_take_scan(struct engine_part *part, struct matcher_scan **ret_scan)
{
	struct matcher_scan *scan = NULL;

	pthread_mutex_lock(&part->scans_lock);
	if (part->idle_count)
		scan = part->idle_scans[--part->idle_count];
	pthread_mutex_unlock(&part->scans_lock);
	if (scan) {
		*ret_scan = scan;
		return 0;
	}
	return matcher_scan_new(part->matcher, ret_scan);
}

/* Keeps a scan that finished cleanly for the next engine; frees it when
 * the pool is full or cannot grow. */
static void part_keep_scan(struct engine_part *part, struct matcher_scan *scan)
{
	if (!scan)
		return;
	pthread_mutex_lock(&part->scans_lock);
	if (part->idle_count == part->idle_capacity && part->idle_capacity < PART_IDLE_SCANS_MAX) {
		size_t capacity = part->idle_capacity ? part->idle_capacity * 2 : 4;
		struct matcher_scan **grown = realloc(part->idle_scans, capacity * sizeof(*grown));

		if (grown) {
			part->idle_scans = grown;
			part->idle_capacity = capacity;
		}
	}
	if (part->idle_count < part->idle_capacity) {
		part->idle_scans[part->idle_count++] = scan;
		scan = NULL;
	}
	pthread_mutex_unlock(&part->scans_lock);
	matcher_scan_free(scan);
}

static void part_unref(struct engine_part *part)
{
	if (!part || atomic_fetch_sub(&part->references, 1) != 1)
		return;
	for (size_t i = 0; i < part->idle_count; ++i)
		matcher_scan_free(part->idle_scans[i]);
	free(part->idle_scans);
	pthread_mutex_destroy(&part->scans_lock);
	matcher_free(part->matcher);
	signature_set_uninit(&part->set);
	free(part);
}

/* The previous engine's part with this name and key, if it has one. */
static struct engine_part *previous_part(const struct vigil_engine *previous,
					 const struct engine_part *part)
{
	for (size_t p = 0; previous && part->keyed && p < previous->part_count; ++p) {
		struct engine_part *candidate = previous->parts[p];

		if (candidate->keyed && !strcmp(candidate->name, part->name) &&
		    !memcmp(candidate->key, part->key, sizeof(part->key)))
			return candidate;
	}
	return NULL;
}

/* One part of a new engine: the previous engine's when its key matches,
 * else built (cache, carried matcher or compile). */
static int make_part(const char *name, struct loaded_source *loaded, const size_t *order,
		     size_t count, const struct vigil_engine_options *options,
		     struct carried_store *store, struct engine_part **ret_part, bool *ret_shared,
		     struct vigil_load_error *ret_error)
{
	const struct vigil_engine *previous = options ? options->previous : NULL;
	struct set_cache_key key = { 0 };
	struct engine_part *part = calloc(1, sizeof(*part)), *running;
	int r;

	if (!part)
		return -ENOMEM;
	atomic_init(&part->references, 1);
	pthread_mutex_init(&part->scans_lock, NULL);
	snprintf(part->name, sizeof(part->name), "%s", name);
	*ret_shared = false;
	if (options && (options->cache_dir || previous)) {
		r = part_key(part, loaded, order, count, &key);
		if (r < 0) {
			part_unref(part);
			return r;
		}
	}
	running = previous_part(previous, part);
	if (running) {
		part_unref(part);
		*ret_part = part_ref(running);
		*ret_shared = true;
		return 0;
	}
	r = build_part(part, loaded, order, count, options, &key, store, ret_error);
	if (r < 0) {
		part_unref(part);
		return r;
	}
	/* Once, here: vigil_engine_get_stats() runs after every reload. */
	for (size_t i = 0; i < part->set.body_count; ++i)
		part->body_signatures += part->set.bodies[i].segment_count > 0;
	*ret_part = part;
	return 0;
}

/* Whether any part must read its sources: without a cache or a previous
 * engine to take parts from, the bytes are needed anyway. */
static bool sources_needed_now(const struct vigil_engine_options *options)
{
	return !(options && (options->cache_dir || options->previous));
}

int vigil_engine_new(const struct vigil_source *sources, size_t count,
		     const struct vigil_engine_options *options,
		     struct vigil_engine **ret_engine, struct vigil_load_error *ret_error)
{
	struct loaded_source *loaded = NULL;
	struct part_name *names = NULL;
	struct carried_store store = { 0 };
	size_t *order = NULL;
	struct vigil_engine *engine;
	int r = -ENOMEM;

	if (count > MAX_SOURCES) {
		load_error(ret_error, NULL, 0, "too many database files");
		return -E2BIG;
	}
	engine = calloc(1, sizeof(*engine));
	if (!engine)
		return -ENOMEM;
	atomic_init(&engine->references, 1);
	pthread_mutex_init(&engine->pool_lock, NULL);
	engine->max_file_size = options && options->max_file_size ? options->max_file_size :
				VIGIL_DEFAULT_MAX_FILE_SIZE;
	engine->max_scan_size = options && options->max_scan_size ? options->max_scan_size :
				VIGIL_DEFAULT_MAX_SCAN_SIZE;
	loaded = calloc(count + 1, sizeof(*loaded));
	order = calloc(count + 1, sizeof(*order));
	names = calloc(count + 1, sizeof(*names));
	engine->parts = calloc(count + 1, sizeof(*engine->parts));
	if (!loaded || !order || !names || !engine->parts)
		goto err_free;
	if (options && options->precompiled_count) {
		store.given = options->precompiled;
		store.count = options->precompiled_count;
		store.items = calloc(store.count, sizeof(*store.items));
		if (!store.items)
			goto err_free;
	}

	r = load_sources(sources, count, sources_needed_now(options), loaded, order, ret_error);
	if (r < 0)
		goto err_free;
	engine->part_count = list_parts(loaded, order, count, names);
	if (!engine->part_count) {
		/* Only .ign2 lists: still check them. */
		struct engine_part check = { .name = "" };

		r = parse_part(&check, loaded, order, count, ret_error);
		signature_set_uninit(&check.set);
		if (r < 0)
			goto err_free;
	}
	for (size_t p = 0; p < engine->part_count; ++p) {
		struct engine_part *part;
		bool shared;

		r = make_part(names[p].name, loaded, order, count, options, &store,
			      &engine->parts[p], &shared, ret_error);
		if (r < 0) {
			engine->part_count = p;
			goto err_free;
		}
		part = engine->parts[p];
		engine->parts_shared += shared;
		engine->parts_parsed += !shared && part->origin != PART_FROM_CACHE;
		engine->ignored_count = part->set.ignored_count;
		if (part->matcher && matcher_window_size(part->matcher) > engine->window_size)
			engine->window_size = matcher_window_size(part->matcher);
	}
	if (!engine->window_size)
		engine->window_size = 64;
	for (size_t i = 0; i < count; ++i)
		free(loaded[i].owned);
	free(loaded);
	free(order);
	free(names);
	carried_store_uninit(&store);
	*ret_engine = engine;
	return 0;

err_free:
	for (size_t i = 0; loaded && i < count; ++i)
		free(loaded[i].owned);
	free(loaded);
	free(order);
	free(names);
	carried_store_uninit(&store);
	vigil_engine_unref(engine);
	return r;
}

int vigil_precompile_target_parse(const char *name, struct vigil_precompile_target *ret_target)
{
	static const struct vigil_precompile_target targets[] = {
		{ "generic", HS_TUNE_FAMILY_GENERIC, 0 },
		{ "avx2", HS_TUNE_FAMILY_HSW, HS_CPU_FEATURES_AVX2 },
		{ "avx512", HS_TUNE_FAMILY_SKX, HS_CPU_FEATURES_AVX2 | HS_CPU_FEATURES_AVX512 },
		{ "avx512vbmi", HS_TUNE_FAMILY_ICL,
		  HS_CPU_FEATURES_AVX2 | HS_CPU_FEATURES_AVX512 | HS_CPU_FEATURES_AVX512VBMI },
	};
	hs_platform_info_t machine = { 0 };

	if (!strcmp(name, "native")) {
		if (hs_populate_platform(&machine) != HS_SUCCESS)
			return -ENOTSUP;
		*ret_target = (struct vigil_precompile_target){
			.name = "native", .tune = machine.tune, .cpu_features = machine.cpu_features,
		};
		return 0;
	}
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); ++i) {
		if (!strcmp(name, targets[i].name)) {
			*ret_target = targets[i];
			return 0;
		}
	}
	return -EINVAL;
}

/* Compiles one part for the target and hands its `.vpc` bytes to emit. */
static int precompile_part(struct engine_part *part, const struct loaded_source *sources,
			   const size_t *order, size_t count,
			   const struct vigil_precompile_target *target, uint64_t memory_limit,
			   vigil_precompiled_emit_fn emit, void *opaque,
			   struct vigil_load_error *ret_error)
{
	struct matcher_target platform = { .tune = target->tune, .cpu_features = target->cpu_features };
	const struct loaded_source **list = calloc(count + 1, sizeof(*list));
	struct precompiled_source *entries = calloc(count + 1, sizeof(*entries));
	struct matcher *matcher = NULL;
	char reason[256] = "", *database = NULL;
	uint8_t expressions[32], *bytes = NULL;
	size_t list_count, database_size = 0, size = 0;
	int r = -ENOMEM;

	if (!list || !entries)
		goto out_free;
	list_count = part_source_list(part, sources, order, count, list);
	for (size_t i = 0; i < list_count; ++i) {
		if (!list[i]->sha256) {
			r = -EINVAL;
			load_error(ret_error, list[i]->name, 0, "no SHA-256 given for this source");
			goto out_free;
		}
		entries[i] = (struct precompiled_source){ .name = list[i]->name,
							  .sha256 = list[i]->sha256 };
	}
	if (memory_limit) {
		r = compile_in_child(&part->set, &platform, memory_limit, &database, &database_size,
				     reason, sizeof(reason));
	} else {
		r = matcher_compile_for(&part->set, &platform, &matcher, reason, sizeof(reason));
		if (!r)
			r = matcher_serialize(matcher, &database, &database_size);
	}
	if (r < 0) {
		load_error(ret_error, part->name, 0, reason[0] ? reason : strerror(-r));
		goto out_free;
	}
	r = matcher_expressions_digest(&part->set, expressions);
	if (r < 0)
		goto out_free;
	r = precompiled_encode(part->name, hs_version(), target->tune, target->cpu_features,
			       expressions, entries, list_count, (const uint8_t *)database,
			       database_size, &bytes, &size);
	if (r < 0) {
		load_error(ret_error, part->name, 0,
			   "cannot describe this part in a precompiled header (names too long?)");
		goto out_free;
	}
	r = emit(opaque, part->name, bytes, size);
out_free:
	free(bytes);
	free(database);
	matcher_free(matcher);
	free(entries);
	free(list);
	return r;
}

int vigil_engine_precompile(const struct vigil_source *sources, size_t count,
			    const struct vigil_precompile_target *target,
			    uint64_t compile_memory_limit, vigil_precompiled_emit_fn emit,
			    void *opaque, struct vigil_load_error *ret_error)
{
	struct loaded_source *loaded = NULL;
	struct part_name *names = NULL;
	size_t *order = NULL, part_count;
	int r = -ENOMEM;

	if (count > MAX_SOURCES) {
		load_error(ret_error, NULL, 0, "too many database files");
		return -E2BIG;
	}
	loaded = calloc(count + 1, sizeof(*loaded));
	order = calloc(count + 1, sizeof(*order));
	names = calloc(count + 1, sizeof(*names));
	if (!loaded || !order || !names)
		goto out_free;
	r = load_sources(sources, count, true, loaded, order, ret_error);
	if (r < 0)
		goto out_free;
	part_count = list_parts(loaded, order, count, names);
	for (size_t p = 0; p < part_count; ++p) {
		struct engine_part part = { 0 };

		snprintf(part.name, sizeof(part.name), "%s", names[p].name);
		r = parse_part(&part, loaded, order, count, ret_error);
		if (!r)
			r = precompile_part(&part, loaded, order, count, target,
					    compile_memory_limit, emit, opaque, ret_error);
		signature_set_uninit(&part.set);
		if (r < 0)
			break;
	}
out_free:
	for (size_t i = 0; loaded && i < count; ++i)
		free(loaded[i].owned);
	free(loaded);
	free(order);
	free(names);
	return r;
}

struct vigil_engine *vigil_engine_ref(struct vigil_engine *engine)
{
	if (engine)
		atomic_fetch_add(&engine->references, 1);
	return engine;
}

/*
 * What a scan context holds that no part owns (its read buffer, its digest
 * contexts), kept by the process when an engine goes, for the next
 * engine's contexts: after a reload the first scans then allocate and
 * fault in nothing, as the matcher scans the parts keep.
 */
struct spare_context {
	EVP_MD_CTX *digest_contexts[__HASH_TYPE_COUNT];
	uint8_t *buffer;
	size_t buffer_size;
};

#define SPARE_CONTEXTS_MAX 32

static struct {
	pthread_mutex_t lock;
	struct spare_context items[SPARE_CONTEXTS_MAX];
	size_t count;
} spare_contexts = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Takes a spare with a buffer of at least @buffer_size, if there is one. */
static bool spare_take(size_t buffer_size, struct spare_context *ret_spare)
{
	bool found = false;

	pthread_mutex_lock(&spare_contexts.lock);
	for (size_t i = spare_contexts.count; i-- > 0;) {
		if (spare_contexts.items[i].buffer_size >= buffer_size) {
			*ret_spare = spare_contexts.items[i];
			spare_contexts.items[i] = spare_contexts.items[--spare_contexts.count];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&spare_contexts.lock);
	return found;
}

/* Keeps a spare; false when the pool is full (the caller frees it). */
static bool spare_keep(const struct spare_context *spare)
{
	bool kept = false;

	pthread_mutex_lock(&spare_contexts.lock);
	if (spare_contexts.count < SPARE_CONTEXTS_MAX) {
		spare_contexts.items[spare_contexts.count++] = *spare;
		kept = true;
	}
	pthread_mutex_unlock(&spare_contexts.lock);
	return kept;
}

/* Frees a context; its matcher scans go back to their parts, its buffer
 * and digest contexts to the spares, when @clean (they finished their last
 * scan), else they are freed. */
static struct scan_context *context_free(struct vigil_engine *engine, struct scan_context *context,
					 bool clean)
{
	if (!context)
		return NULL;
	for (size_t p = 0; context->matcher_scans && p < engine->part_count; ++p) {
		if (clean)
			part_keep_scan(engine->parts[p], context->matcher_scans[p]);
		else
			matcher_scan_free(context->matcher_scans[p]);
	}
	free(context->matcher_scans);
	if (clean && context->buffer && context->digest_contexts[__HASH_TYPE_COUNT - 1]) {
		struct spare_context spare = { .buffer = context->buffer,
					       .buffer_size = context->buffer_size };

		memcpy(spare.digest_contexts, context->digest_contexts, sizeof(spare.digest_contexts));
		if (spare_keep(&spare)) {
			free(context);
			return NULL;
		}
	}
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

		context_free(engine, engine->idle_contexts, true);
		engine->idle_contexts = next;
	}
	for (size_t p = 0; engine->parts && p < engine->part_count; ++p)
		part_unref(engine->parts[p]);
	free(engine->parts);
	pthread_mutex_destroy(&engine->pool_lock);
	free(engine);
	return NULL;
}

void vigil_engine_get_stats(const struct vigil_engine *engine, struct vigil_engine_stats *ret_stats)
{
	memset(ret_stats, 0, sizeof(*ret_stats));
	ret_stats->ignored_names = engine->ignored_count;
	ret_stats->loaded_from_cache = engine->part_count > 0;
	ret_stats->parts = engine->part_count;
	for (size_t p = 0; p < engine->part_count; ++p) {
		const struct signature_set *set = &engine->parts[p]->set;

		ret_stats->body_signatures += engine->parts[p]->body_signatures;
		ret_stats->hash_signatures += set->hash_count;
		ret_stats->false_positive_hashes += set->false_positive_count;
		ret_stats->loaded_from_cache &= engine->parts[p]->origin == PART_FROM_CACHE;
		ret_stats->parts_from_cache += engine->parts[p]->origin == PART_FROM_CACHE;
		ret_stats->parts_precompiled += engine->parts[p]->origin == PART_PRECOMPILED;
		ret_stats->parts_compiled += engine->parts[p]->origin == PART_COMPILED;
	}
	ret_stats->parts_shared = engine->parts_shared;
	ret_stats->parts_parsed = engine->parts_parsed;
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
	context->matcher_scans = calloc(engine->part_count + 1, sizeof(*context->matcher_scans));
	r = -ENOMEM;
	if (!context->matcher_scans)
		goto err_free;
	for (size_t p = 0; p < engine->part_count; ++p) {
		r = part_take_scan(engine->parts[p], &context->matcher_scans[p]);
		if (r < 0)
			goto err_free;
	}
	r = -ENOMEM;
	{
		struct spare_context spare;

		if (spare_take(engine->window_size + BLOCK_SIZE, &spare)) {
			memcpy(context->digest_contexts, spare.digest_contexts,
			       sizeof(context->digest_contexts));
			context->buffer = spare.buffer;
			context->buffer_size = spare.buffer_size;
			*ret_context = context;
			return 0;
		}
	}
	for (int i = 0; i < __HASH_TYPE_COUNT; ++i) {
		context->digest_contexts[i] = EVP_MD_CTX_new();
		if (!context->digest_contexts[i])
			goto err_free;
	}
	context->buffer_size = engine->window_size + BLOCK_SIZE;
	context->buffer = malloc(context->buffer_size);
	if (!context->buffer)
		goto err_free;
	*ret_context = context;
	return 0;
err_free:
	context_free(engine, context, true);
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
	int error;
};

static void name_list_add(struct name_list *list, const char *name)
{
	if (list->error)
		return;
	/* One line per matching signature, as clamscan --allmatch prints
	 * them: two signatures of one name are both reported. */
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

/* Hash matches across parts: of one (type, digest, size) the entry from
 * the source loaded last is reported (clamscan's rule). */
struct hash_matches {
	const struct hash_signature **hashes;
	const char **names;
	size_t count, capacity;
	const char *pool;	/* the name pool of the part being looked up */
	size_t pool_size;
	int error;
};

static void add_hash_match(const struct hash_signature *hash, void *opaque)
{
	struct hash_matches *matches = opaque;

	if (hash->name >= matches->pool_size)
		return; /* a damaged cache entry: no name to report */
	for (size_t i = 0; i < matches->count; ++i) {
		const struct hash_signature *other = matches->hashes[i];

		if (other->type == hash->type && other->size == hash->size &&
		    !memcmp(other->digest, hash->digest, 32)) {
			if (hash->source_rank >= other->source_rank) {
				matches->hashes[i] = hash;
				matches->names[i] = matches->pool + hash->name;
			}
			return;
		}
	}
	if (matches->count == matches->capacity) {
		size_t capacity = matches->capacity ? matches->capacity * 2 : 8;
		const struct hash_signature **hashes = realloc(matches->hashes, capacity * sizeof(*hashes));
		const char **names;

		if (!hashes) {
			matches->error = -ENOMEM;
			return;
		}
		matches->hashes = hashes;
		names = realloc(matches->names, capacity * sizeof(*names));
		if (!names) {
			matches->error = -ENOMEM;
			return;
		}
		matches->names = names;
		matches->capacity = capacity;
	}
	matches->hashes[matches->count] = hash;
	matches->names[matches->count++] = matches->pool + hash->name;
}

/* The read loop: digests and every part's matcher over [0, limit). */
static int scan_bytes(struct vigil_engine *engine, struct scan_context *context,
		      const struct file_source *source, uint64_t limit, unsigned digest_types,
		      bool match, struct hash_digests *digests, uint64_t *ret_scanned)
{
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
		for (size_t p = 0; match && p < engine->part_count; ++p) {
			r = matcher_scan_block(context->matcher_scans[p], &window, scanned);
			if (r < 0)
				return r;
		}
		scanned += (size_t)got;
		carry = window.length < engine->window_size ? window.length : engine->window_size;
		memmove(context->buffer, context->buffer + window.length - carry, carry);
	}
	window.offset = scanned - carry;
	window.length = carry;
	for (size_t p = 0; match && p < engine->part_count; ++p) {
		r = matcher_scan_end(context->matcher_scans[p], &window);
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

static unsigned needed_digests(const struct vigil_engine *engine, uint64_t size)
{
	unsigned types = 0;

	for (size_t p = 0; p < engine->part_count; ++p) {
		const struct signature_set *set = &engine->parts[p]->set;

		types |= hash_index_needed(set->hashes, set->hash_count, size);
		types |= hash_index_needed(set->false_positives, set->false_positive_count, size);
	}
	return types;
}

/* Names found: body signatures part by part, then hashes; none when an
 * .fp entry of any part lists the file. */
static int collect_names(struct vigil_engine *engine, struct scan_context *context,
			 uint64_t size, bool hashes_valid, const struct hash_digests *digests,
			 struct name_list *names)
{
	struct hash_matches matches = { 0 };

	for (size_t p = 0; p < engine->part_count; ++p) {
		const struct signature_set *set = &engine->parts[p]->set;
		const uint32_t *bodies;
		size_t count = matcher_scan_matches(context->matcher_scans[p], &bodies);

		for (size_t i = 0; i < count; ++i)
			name_list_add(names, set->names + set->bodies[bodies[i]].name);
		if (hashes_valid) {
			matches.pool = set->names;
			matches.pool_size = set->names_size;
			hash_index_lookup(set->hashes, set->hash_count, size, digests, add_hash_match,
					  &matches);
		}
	}
	for (size_t i = 0; i < matches.count; ++i)
		name_list_add(names, matches.names[i]);
	free(matches.hashes);
	free(matches.names);
	if (matches.error || names->error)
		return matches.error ? matches.error : names->error;
	for (size_t p = 0; hashes_valid && names->count && p < engine->part_count; ++p) {
		const struct signature_set *set = &engine->parts[p]->set;

		if (hash_index_lookup(set->false_positives, set->false_positive_count, size, digests,
				      NULL, NULL))
			names->count = 0;
	}
	return 0;
}

static int scan_source(struct vigil_engine *engine, const struct file_source *source,
		       unsigned flags, struct vigil_scan_result *result)
{
	struct name_list names = { 0 };
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
	if (match && !truncated)
		digest_types |= needed_digests(engine, source->size);
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
		for (size_t p = 0; p < engine->part_count; ++p) {
			r = matcher_scan_begin(context->matcher_scans[p], &facts);
			if (r < 0)
				goto out_error;
		}
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
		r = collect_names(engine, context, result->size, !truncated, &digests, &names);
		if (r < 0)
			goto out_error;
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
	context_free(engine, context, false);
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

int vigil_engine_cache_prune(const char *cache_dir, time_t unused_since, size_t *ret_removed)
{
	return set_cache_prune(cache_dir, unused_since, ret_removed);
}
