// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the clean cache. It owns a fixed-size hash table of files found
 * clean, keyed by (device, inode) and valid only while mtime, ctime, size
 * and the bases generation are what they were when the scan began. It must
 * not own events, fds or verdicts other than "clean".
 *
 *   worker: cache_changes() before reading the file -> scan clean, file
 *   unchanged during the scan -> cache_insert_unchanged() (refused when an
 *   invalidation of that slot came in meanwhile)
 *   event loop: cache_lookup() -> hit only if every key field matches and
 *   file_open_for_writing() says no writer holds the file
 *   FAN_CLOSE_WRITE -> cache_invalidate() (also moves the slot's change
 *   counter); reload -> generation moves on (old entries never match
 *   again) and cache_flush() empties the table at once: it moves the
 *   table's epoch, and an entry of an older epoch is an empty slot (a
 *   reload costs the same whatever the table holds).
 *
 * The change counter closes the race between a scan and the insert: the
 * timestamps are coarse (a write in the same clock tick leaves mtime and
 * ctime as they were), but a writer that closed the file in between has
 * sent FAN_CLOSE_WRITE, and either its invalidation is counted before the
 * insert (refused) or it comes after and drops the entry. dispatch.c reads
 * the counter again after the backend added its kernel-side mark.
 *
 * The table is bounded (CACHE_SLOTS, direct-mapped per stripe; a collision
 * replaces the older entry), so memory never grows with the filesystem.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vigild.h"

#define CACHE_SLOTS (1u << 16)
#define CACHE_STRIPES 64u

struct cache_entry {
	dev_t dev;
	ino_t ino;
	struct timespec mtime, ctime;
	off_t size;
	uint64_t generation;	/* 0: empty */
	uint64_t epoch;		/* of the table when written: older is empty */
	uint64_t changes;	/* invalidations of this slot, ever */
};

struct cache {
	pthread_mutex_t locks[CACHE_STRIPES];
	struct cache_entry *slots;
	atomic_uint_fast64_t epoch;	/* moved by cache_flush() */
	/* Entries of this epoch; a flush racing an insert may leave it one
	 * high until the next flush (see fill(); only `vigil status` shows it). */
	atomic_size_t used;
};

int cache_new(struct cache **ret_cache)
{
	struct cache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return -ENOMEM;
	cache->slots = calloc(CACHE_SLOTS, sizeof(*cache->slots));
	if (!cache->slots) {
		free(cache);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < CACHE_STRIPES; i++)
		pthread_mutex_init(&cache->locks[i], NULL);
	atomic_init(&cache->epoch, 1);
	*ret_cache = cache;
	return 0;
}

void cache_free(struct cache *cache)
{
	if (!cache)
		return;
	for (unsigned i = 0; i < CACHE_STRIPES; i++)
		pthread_mutex_destroy(&cache->locks[i]);
	free(cache->slots);
	free(cache);
}

static size_t slot_of(dev_t dev, ino_t ino)
{
	uint64_t hash = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(hash >> 32) & (CACHE_SLOTS - 1);
}

static pthread_mutex_t *lock_of(struct cache *cache, size_t slot)
{
	return &cache->locks[slot % CACHE_STRIPES];
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Called with the slot's lock held. */
static bool live(struct cache *cache, const struct cache_entry *entry)
{
	return entry->generation && entry->epoch == atomic_load(&cache->epoch);
}

/* Called with the slot's lock held. The epoch is read once: an entry
 * written in an epoch a flush just ended is simply not live (at worst
 * counted once too many until the next flush), and one of the new epoch
 * is counted after the flush zeroed the count (cache_flush() zeroes it
 * before it moves the epoch), so an invalidation never takes the count
 * below zero. */
static void fill(struct cache *cache, struct cache_entry *entry, const struct stat *st,
		 uint64_t generation)
{
	uint64_t epoch = atomic_load(&cache->epoch);

	if (!entry->generation || entry->epoch != epoch)
		atomic_fetch_add(&cache->used, 1);
	entry->dev = st->st_dev;
	entry->ino = st->st_ino;
	entry->size = st->st_size;
	entry->mtime = st->st_mtim;
	entry->ctime = st->st_ctim;
	entry->generation = generation;
	entry->epoch = epoch;
}

bool cache_lookup(struct cache *cache, const struct stat *st, uint64_t generation)
{
	size_t slot = slot_of(st->st_dev, st->st_ino);
	struct cache_entry *entry = &cache->slots[slot];
	bool hit;

	pthread_mutex_lock(lock_of(cache, slot));
	hit = live(cache, entry) && entry->generation == generation && entry->dev == st->st_dev &&
	      entry->ino == st->st_ino && entry->size == st->st_size &&
	      same_time(&entry->mtime, &st->st_mtim) && same_time(&entry->ctime, &st->st_ctim);
	pthread_mutex_unlock(lock_of(cache, slot));
	return hit;
}

void cache_insert(struct cache *cache, const struct stat *st, uint64_t generation)
{
	size_t slot = slot_of(st->st_dev, st->st_ino);
	struct cache_entry *entry = &cache->slots[slot];

	pthread_mutex_lock(lock_of(cache, slot));
	fill(cache, entry, st, generation);
	pthread_mutex_unlock(lock_of(cache, slot));
}

uint64_t cache_changes(struct cache *cache, dev_t dev, ino_t ino)
{
	size_t slot = slot_of(dev, ino);
	uint64_t changes;

	pthread_mutex_lock(lock_of(cache, slot));
	changes = cache->slots[slot].changes;
	pthread_mutex_unlock(lock_of(cache, slot));
	return changes;
}

bool cache_insert_unchanged(struct cache *cache, const struct stat *st, uint64_t generation,
			    uint64_t changes)
{
	size_t slot = slot_of(st->st_dev, st->st_ino);
	struct cache_entry *entry = &cache->slots[slot];
	bool inserted = false;

	pthread_mutex_lock(lock_of(cache, slot));
	if (entry->changes == changes) {
		fill(cache, entry, st, generation);
		inserted = true;
	}
	pthread_mutex_unlock(lock_of(cache, slot));
	return inserted;
}

void cache_invalidate(struct cache *cache, dev_t dev, ino_t ino)
{
	size_t slot = slot_of(dev, ino);
	struct cache_entry *entry = &cache->slots[slot];

	pthread_mutex_lock(lock_of(cache, slot));
	entry->changes++;
	if (live(cache, entry) && entry->dev == dev && entry->ino == ino) {
		entry->generation = 0;
		atomic_fetch_sub(&cache->used, 1);
	}
	pthread_mutex_unlock(lock_of(cache, slot));
}

void cache_flush(struct cache *cache)
{
	atomic_store(&cache->used, 0);
	atomic_fetch_add(&cache->epoch, 1);
}

size_t cache_size(struct cache *cache)
{
	return atomic_load(&cache->used);
}

/* Whether two stats of a file show the same file unchanged: identity,
 * size, mtime and ctime (any write moves ctime). */
bool same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       same_time(&a->st_mtim, &b->st_mtim) && same_time(&a->st_ctim, &b->st_ctim);
}

/*
 * A read lease can only be taken when nobody has the inode open for
 * writing (the kernel's check_conflicting_open()), the opener being checked
 * included: its write access is taken before the permission event. So a
 * lease we get and drop at once proves there is no writer right now. Any
 * failure (leases disabled, a filesystem without them) counts as "maybe a
 * writer": no cache hit, the file is scanned.
 */
bool file_open_for_writing(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		return true;
	fcntl(fd, F_SETLEASE, F_UNLCK);
	return false;
}
