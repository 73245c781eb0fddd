// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the on-disk cache of one engine part: its parsed signature set
 * and its serialized Hyperscan database, in one file named by the part's
 * key (hex SHA-256 over the cache format, the Hyperscan version, the CPU
 * features Hyperscan targets, and the names and identities of the part's
 * sources and of every .ign2 source: their SHA-256, their bytes, or for an
 * fd its device, inode, size, mtime and ctime). A hit skips both the parsing and the
 * compile; loading is a read, bounds checks and hs_deserialize_database().
 *
 * File layout (native byte order; the key pins the platform):
 *   "VIGILPC2" | key[32] | u64 counts[10] | pools in struct order, each
 *   padded to 8 bytes | hs bytes
 * A hit maps the file: the pools are used where they lie (shared with the
 * page cache, no copy), and only the small pools are checked at load; hash
 * entries are checked as they are looked up (hash-index.c).
 * The loader checks the magic, the key, that the sizes add up to the file's
 * size, and every index the matcher will follow, so a truncated or damaged
 * file is a miss, never a crash. Stores go to a temporary file renamed into
 * place, so readers see a whole file or none.
 *
 *   engine.c -> set_cache_key() -> set_cache_load() ... or, after a
 *   compile, set_cache_store()
 *
 * A load or a store sets the entry's mtime, so it says when the entry was
 * last used; set_cache_prune() removes entries (and temporary files a
 * killed writer left) unused since a given time. Removing an entry a
 * process has mapped is safe: the mapping keeps its pages.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>
#include <openssl/evp.h>

#include "fd-io.h"
#include "set-cache.h"

#define CACHE_MAGIC "VIGILPC2"
#define COUNT_FIELDS 10
#define MAX_CACHE_FILE (8ULL << 30)

struct cache_layout {
	uint64_t counts[COUNT_FIELDS];
};

enum {
	COUNT_BODIES, COUNT_SEGMENTS, COUNT_ELEMENTS, COUNT_ALTERNATIVES, COUNT_BYTES,
	COUNT_HASHES, COUNT_FALSE_POSITIVES, COUNT_NAMES, COUNT_RESERVED, COUNT_MATCHER,
};

static const size_t item_sizes[COUNT_FIELDS] = {
	sizeof(struct body_signature), sizeof(struct segment), sizeof(struct element),
	sizeof(struct alternative), sizeof(struct pattern_byte), sizeof(struct hash_signature),
	sizeof(struct hash_signature), 1, 1, 1,
};

int set_cache_key_init(struct set_cache_key *key)
{
	hs_platform_info_t platform = { 0 };
	const char *version = hs_version();

	key->context = EVP_MD_CTX_new();
	if (!key->context)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(key->context, EVP_sha256(), NULL))
		return -ENOMEM;
	hs_populate_platform(&platform);
	EVP_DigestUpdate(key->context, CACHE_MAGIC, sizeof(CACHE_MAGIC));
	EVP_DigestUpdate(key->context, version, strlen(version) + 1);
	EVP_DigestUpdate(key->context, &platform, sizeof(platform));
	/* The struct sizes: a layout change is a new key. */
	EVP_DigestUpdate(key->context, item_sizes, sizeof(item_sizes));
	return 0;
}

void set_cache_key_add(struct set_cache_key *key, const char *name, const uint8_t *data,
		       size_t size)
{
	uint64_t size64 = size;

	EVP_DigestUpdate(key->context, name, strlen(name) + 1);
	EVP_DigestUpdate(key->context, data, size);
	EVP_DigestUpdate(key->context, &size64, sizeof(size64));
}

int set_cache_key_finish(struct set_cache_key *key)
{
	int ok = EVP_DigestFinal_ex(key->context, key->digest, NULL);

	EVP_MD_CTX_free(key->context);
	key->context = NULL;
	return ok ? 0 : -ENOMEM;
}

void set_cache_key_uninit(struct set_cache_key *key)
{
	EVP_MD_CTX_free(key->context);
	key->context = NULL;
}

static void cache_path(const char *cache_dir, const struct set_cache_key *key, char *path,
		       size_t size)
{
	int used = snprintf(path, size, "%s/part-", cache_dir);

	for (int i = 0; i < 32 && used + 3 < (int)size; ++i)
		used += snprintf(path + used, size - (size_t)used, "%02x", key->digest[i]);
}

static void pools_of(struct signature_set *set, void **pools[COUNT_FIELDS], size_t *counts[COUNT_FIELDS],
		     size_t *capacities[COUNT_FIELDS])
{
	static size_t unused_count, unused_capacity;

	pools[COUNT_BODIES] = (void **)&set->bodies;
	counts[COUNT_BODIES] = &set->body_count;
	capacities[COUNT_BODIES] = &set->body_capacity;
	pools[COUNT_SEGMENTS] = (void **)&set->segments;
	counts[COUNT_SEGMENTS] = &set->segment_count;
	capacities[COUNT_SEGMENTS] = &set->segment_capacity;
	pools[COUNT_ELEMENTS] = (void **)&set->elements;
	counts[COUNT_ELEMENTS] = &set->element_count;
	capacities[COUNT_ELEMENTS] = &set->element_capacity;
	pools[COUNT_ALTERNATIVES] = (void **)&set->alternatives;
	counts[COUNT_ALTERNATIVES] = &set->alternative_count;
	capacities[COUNT_ALTERNATIVES] = &set->alternative_capacity;
	pools[COUNT_BYTES] = (void **)&set->bytes;
	counts[COUNT_BYTES] = &set->byte_count;
	capacities[COUNT_BYTES] = &set->byte_capacity;
	pools[COUNT_HASHES] = (void **)&set->hashes;
	counts[COUNT_HASHES] = &set->hash_count;
	capacities[COUNT_HASHES] = &set->hash_capacity;
	pools[COUNT_FALSE_POSITIVES] = (void **)&set->false_positives;
	counts[COUNT_FALSE_POSITIVES] = &set->false_positive_count;
	capacities[COUNT_FALSE_POSITIVES] = &set->false_positive_capacity;
	pools[COUNT_NAMES] = (void **)&set->names;
	counts[COUNT_NAMES] = &set->names_size;
	capacities[COUNT_NAMES] = &set->names_capacity;
	pools[COUNT_RESERVED] = NULL;
	counts[COUNT_RESERVED] = &unused_count;
	capacities[COUNT_RESERVED] = &unused_capacity;
	pools[COUNT_MATCHER] = NULL;
	counts[COUNT_MATCHER] = &unused_count;
	capacities[COUNT_MATCHER] = &unused_capacity;
}

int set_cache_store(const char *cache_dir, const struct set_cache_key *key,
		    const struct signature_set *set, const char *matcher_bytes, size_t matcher_size)
{
	void **pools[COUNT_FIELDS];
	size_t *counts[COUNT_FIELDS], *capacities[COUNT_FIELDS];
	struct cache_layout layout = { 0 };
	char path[4096], temporary[4200];
	int fd, r = 0;

	mkdir(cache_dir, 0700);
	cache_path(cache_dir, key, path, sizeof(path));
	snprintf(temporary, sizeof(temporary), "%s.tmp.%ld", path, (long)getpid());
	pools_of((struct signature_set *)set, pools, counts, capacities);
	for (int i = 0; i < COUNT_FIELDS; ++i)
		layout.counts[i] = *counts[i];
	layout.counts[COUNT_RESERVED] = 0;
	layout.counts[COUNT_MATCHER] = matcher_size;
	fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	r = vigil_write_all(fd, CACHE_MAGIC, 8);
	if (!r)
		r = vigil_write_all(fd, key->digest, 32);
	if (!r)
		r = vigil_write_all(fd, layout.counts, sizeof(layout.counts));
	for (int i = 0; i < COUNT_FIELDS && !r; ++i) {
		static const uint8_t zeros[8];
		size_t bytes = layout.counts[i] * item_sizes[i];

		if (!pools[i] || !bytes)
			continue;
		r = vigil_write_all(fd, *pools[i], bytes);
		if (!r && bytes % 8)
			r = vigil_write_all(fd, zeros, 8 - bytes % 8);
	}
	if (!r && matcher_size)
		r = vigil_write_all(fd, matcher_bytes, matcher_size);
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(temporary, path) < 0)
		r = -errno;
	if (r)
		unlink(temporary);
	return r;
}

/* Every index the matcher and the scan follow must stay in its pool. */
static bool set_is_consistent(const struct signature_set *set)
{
	for (size_t i = 0; i < set->body_count; ++i) {
		const struct body_signature *body = &set->bodies[i];

		if (body->name >= set->names_size ||
		    body->first_segment > set->segment_count ||
		    body->segment_count > set->segment_count - body->first_segment)
			return false;
		for (uint32_t j = 0; j < body->segment_count; ++j)
			if (set->segments[body->first_segment + j].signature != i)
				return false;
	}
	for (size_t i = 0; i < set->segment_count; ++i) {
		const struct segment *segment = &set->segments[i];

		if (segment->signature >= set->body_count ||
		    segment->first_element > set->element_count ||
		    segment->element_count > set->element_count - segment->first_element ||
		    segment->max_length > 65536 || segment->anchor_max > 64)
			return false;
	}
	for (size_t i = 0; i < set->element_count; ++i) {
		const struct element *element = &set->elements[i];

		if (element->kind == ELEMENT_ALTERNATIVES &&
		    (element->alternatives.first > set->alternative_count ||
		     element->alternatives.count > set->alternative_count - element->alternatives.first ||
		     !element->alternatives.count))
			return false;
		if (element->kind == ELEMENT_SKIP && element->skip.max > 64)
			return false;
	}
	for (size_t i = 0; i < set->alternative_count; ++i)
		if (set->alternatives[i].first_byte > set->byte_count ||
		    set->alternatives[i].length > set->byte_count - set->alternatives[i].first_byte)
			return false;
	/* Hash entries (a million, maybe) are checked when looked up. */
	return !set->names_size || set->names[set->names_size - 1] == '\0';
}

static size_t padded(uint64_t bytes)
{
	return (size_t)((bytes + 7) & ~7ULL);
}

int set_cache_load(const char *cache_dir, const struct set_cache_key *key,
		   struct signature_set *set, char **ret_matcher_bytes, size_t *ret_matcher_size)
{
	void **pools[COUNT_FIELDS];
	size_t *counts[COUNT_FIELDS], *capacities[COUNT_FIELDS];
	struct cache_layout layout;
	char path[4096];
	const uint8_t *map, *cursor;
	uint64_t total = 40 + sizeof(layout.counts);
	struct stat st;
	int fd, r = -EBADMSG;

	cache_path(cache_dir, key, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size > MAX_CACHE_FILE ||
	    (uint64_t)st.st_size < total) {
		close(fd);
		return -EBADMSG;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	if (memcmp(map, CACHE_MAGIC, 8) || memcmp(map + 8, key->digest, 32))
		goto err_unmap;
	memcpy(layout.counts, map + 40, sizeof(layout.counts));
	for (int i = 0; i < COUNT_FIELDS; ++i) {
		if (layout.counts[i] > MAX_CACHE_FILE / item_sizes[i])
			goto err_unmap;
		total += i == COUNT_MATCHER ? layout.counts[i] : padded(layout.counts[i] * item_sizes[i]);
	}
	if (total != (uint64_t)st.st_size || layout.counts[COUNT_RESERVED])
		goto err_unmap;
	signature_set_init(set);
	pools_of(set, pools, counts, capacities);
	cursor = map + 40 + sizeof(layout.counts);
	for (int i = 0; i < COUNT_MATCHER; ++i) {
		if (!pools[i])
			continue;
		*pools[i] = layout.counts[i] ? (void *)cursor : NULL;
		*counts[i] = *capacities[i] = layout.counts[i];
		cursor += padded(layout.counts[i] * item_sizes[i]);
	}
	set->mapping = (void *)map;
	set->mapping_size = (size_t)st.st_size;
	if (!set_is_consistent(set)) {
		signature_set_uninit(set);
		return -EBADMSG;
	}
	/* A hit marks the entry as used, for set_cache_prune() (best effort:
	 * a reader without write access leaves the time as it was). */
	utimensat(AT_FDCWD, path, (const struct timespec[2]){ { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW } },
		  AT_SYMLINK_NOFOLLOW);
	/* Hyperscan copies the database out of these bytes. */
	*ret_matcher_bytes = (char *)cursor;
	*ret_matcher_size = layout.counts[COUNT_MATCHER];
	return 0;

err_unmap:
	munmap((void *)map, (size_t)st.st_size);
	return r;
}

int set_cache_prune(const char *cache_dir, time_t unused_since, size_t *ret_removed)
{
	struct dirent *entry;
	size_t removed = 0;
	DIR *dir;
	int r = 0;

	dir = opendir(cache_dir);
	if (!dir)
		return -errno;
	while ((entry = readdir(dir))) {
		struct stat st;

		if (strncmp(entry->d_name, "part-", 5))
			continue;
		if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_mtime >= unused_since)
			continue;
		if (unlinkat(dirfd(dir), entry->d_name, 0) < 0) {
			if (errno != ENOENT)
				r = -errno;
			continue;
		}
		removed++;
	}
	closedir(dir);
	if (ret_removed)
		*ret_removed = removed;
	return r;
}
