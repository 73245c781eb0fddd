// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: unit tests of daemon/cache.c: a clean entry hits only while
 * device, inode, size, mtime, ctime and the bases generation match; it is
 * dropped by invalidation and flush; an insert from a scan that an
 * invalidation overtook is refused; a file open for writing is seen.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigild.h"

Test(cache, keys)
{
	struct cache *cache;
	struct stat st = { .st_dev = 3, .st_ino = 42, .st_size = 10 }, changed;

	cr_assert_eq(cache_new(&cache), 0);
	st.st_mtim.tv_sec = 100;
	st.st_ctim.tv_sec = 100;
	cr_expect(!cache_lookup(cache, &st, 1));
	cache_insert(cache, &st, 1);
	cr_expect(cache_lookup(cache, &st, 1));
	cr_expect(!cache_lookup(cache, &st, 2), "another bases generation hit");
	changed = st;
	changed.st_size = 11;
	cr_expect(!cache_lookup(cache, &changed, 1), "another size hit");
	changed = st;
	changed.st_mtim.tv_nsec = 1;
	cr_expect(!cache_lookup(cache, &changed, 1), "another mtime hit");
	changed = st;
	changed.st_ctim.tv_sec = 101;
	cr_expect(!cache_lookup(cache, &changed, 1), "another ctime hit");
	changed = st;
	changed.st_ino = 43;
	cr_expect(!cache_lookup(cache, &changed, 1), "another inode hit");
	cr_expect_eq(cache_size(cache), 1);
	cache_invalidate(cache, 3, 42);
	cr_expect(!cache_lookup(cache, &st, 1));
	cr_expect_eq(cache_size(cache), 0);
	cache_insert(cache, &st, 1);
	cache_flush(cache);
	cr_expect(!cache_lookup(cache, &st, 1));
	cr_expect_eq(cache_size(cache), 0);
	/* an entry from before the flush is an empty slot: no count below 0 */
	cache_invalidate(cache, 3, 42);
	cr_expect_eq(cache_size(cache), 0);
	cache_insert(cache, &st, 2);
	cr_expect(cache_lookup(cache, &st, 2));
	cr_expect_eq(cache_size(cache), 1);
	cache_invalidate(cache, 3, 42);
	cr_expect_eq(cache_size(cache), 0);
	cache_free(cache);
	cache_free(NULL);
}

Test(cache, insert_refused_after_an_invalidation)
{
	struct cache *cache;
	struct stat st = { .st_dev = 3, .st_ino = 42, .st_size = 10 };
	uint64_t before;

	cr_assert_eq(cache_new(&cache), 0);
	before = cache_changes(cache, 3, 42);
	/* a writer closed the file while it was being scanned */
	cache_invalidate(cache, 3, 42);
	cr_expect_neq(cache_changes(cache, 3, 42), before);
	cr_expect(!cache_insert_unchanged(cache, &st, 1, before), "stale scan inserted");
	cr_expect(!cache_lookup(cache, &st, 1));
	cr_expect_eq(cache_size(cache), 0);
	/* a scan that began after it is inserted */
	before = cache_changes(cache, 3, 42);
	cr_expect(cache_insert_unchanged(cache, &st, 1, before));
	cr_expect(cache_lookup(cache, &st, 1));
	cr_expect_eq(cache_size(cache), 1);
	cache_free(cache);
}

Test(cache, open_for_writing)
{
	char path[] = "/tmp/vigil-cache-test.XXXXXX";
	int writer = mkstemp(path), reader;

	cr_assert(writer >= 0);
	reader = open(path, O_RDONLY);
	cr_assert(reader >= 0);
	cr_expect(file_open_for_writing(reader), "a writer holds it");
	close(writer);
	cr_expect(!file_open_for_writing(reader), "nobody writes any more");
	close(reader);
	unlink(path);
}
