// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the in-kernel verdict cache, keyed by (superblock, inode number,
 * inode generation). It owns its entries, their hash buckets and their LRU
 * list, all under cache->lock. It does not own the rules for when an answer
 * may be stored (notify.c and device.c decide, under device->lock) nor the
 * superblocks it is keyed by: a superblock pointer is only compared, and
 * every entry of a superblock is purged when its mark is freed (umount) or
 * the session ends, so a recycled superblock address never hits.
 *
 *   answer with VIGIL_ANSWER_F_CACHE -> vigil_cache_insert()
 *   open of a watched file -> vigil_cache_lookup() -> hit: no event
 *   close after write -> vigil_cache_invalidate()
 *   VIGIL_IOC_CACHE_FLUSH, session end -> vigil_cache_flush()
 *
 * A hit needs the inode not open for write and, on filesystems with
 * i_version, an unchanged i_version; without i_version, the close-after-write
 * invalidation is what ends an entry's life.
 */
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/iversion.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "core.h"

#define VIGIL_CACHE_HASH_BITS 12

struct vigil_cache_entry {
	struct hlist_node hash_node;
	struct list_head lru_node;
	const struct super_block *sb;
	unsigned long ino;
	u32 generation;
	bool has_i_version;
	u64 i_version;
	int result;
};

static struct kmem_cache *vigil_cache_entries;

static struct hlist_head *bucket_of(struct vigil_cache *cache,
				    const struct super_block *sb,
				    unsigned long ino)
{
	return &cache->buckets[hash_long((unsigned long)sb ^ ino, VIGIL_CACHE_HASH_BITS)];
}

/* Called with cache->lock held. */
static void entry_remove(struct vigil_cache *cache, struct vigil_cache_entry *entry)
{
	lockdep_assert_held(&cache->lock);
	hlist_del(&entry->hash_node);
	list_del(&entry->lru_node);
	cache->count--;
	kmem_cache_free(vigil_cache_entries, entry);
}

/* Called with cache->lock held. */
static struct vigil_cache_entry *entry_find(struct vigil_cache *cache,
					    const struct inode *inode)
{
	struct vigil_cache_entry *entry;

	lockdep_assert_held(&cache->lock);
	hlist_for_each_entry(entry, bucket_of(cache, inode->i_sb, inode->i_ino), hash_node) {
		if (entry->sb == inode->i_sb && entry->ino == inode->i_ino &&
		    entry->generation == inode->i_generation)
			return entry;
	}
	return NULL;
}

int vigil_cache_init(struct vigil_cache *cache)
{
	spin_lock_init(&cache->lock);
	INIT_LIST_HEAD(&cache->lru);
	cache->count = 0;
	cache->max_entries = 0;
	cache->buckets = kvcalloc(1U << VIGIL_CACHE_HASH_BITS, sizeof(*cache->buckets),
				  GFP_KERNEL);
	if (!cache->buckets)
		return -ENOMEM;
	vigil_cache_entries = KMEM_CACHE(vigil_cache_entry, 0);
	if (!vigil_cache_entries)
		goto err_free_buckets;
	return 0;

err_free_buckets:
	kvfree(cache->buckets);
	cache->buckets = NULL;
	return -ENOMEM;
}

void vigil_cache_uninit(struct vigil_cache *cache)
{
	vigil_cache_flush(cache);
	kmem_cache_destroy(vigil_cache_entries);
	kvfree(cache->buckets);
	cache->buckets = NULL;
}

/**
 * vigil_cache_lookup - the cached verdict for an inode being opened
 * @cache: the cache
 * @inode: the inode; pinned by the caller's open file
 * @ret_result: set to 0 (allow) or -errno (deny) on a hit
 *
 * Returns true on a hit. Drops an entry whose i_version moved.
 */
bool vigil_cache_lookup(struct vigil_cache *cache, struct inode *inode, int *ret_result)
{
	struct vigil_cache_entry *entry;
	bool hit = false;

	if (!READ_ONCE(cache->max_entries) || inode_is_open_for_write(inode))
		return false;
	spin_lock(&cache->lock);
	entry = entry_find(cache, inode);
	if (!entry)
		goto out_unlock;
	if (entry->has_i_version && inode_query_iversion(inode) != entry->i_version) {
		entry_remove(cache, entry);
		goto out_unlock;
	}
	list_move(&entry->lru_node, &cache->lru);
	*ret_result = entry->result;
	hit = true;
out_unlock:
	spin_unlock(&cache->lock);
	return hit;
}

void vigil_cache_invalidate(struct vigil_cache *cache, struct inode *inode)
{
	struct vigil_cache_entry *entry;

	spin_lock(&cache->lock);
	entry = entry_find(cache, inode);
	if (entry)
		entry_remove(cache, entry);
	spin_unlock(&cache->lock);
}

void *vigil_cache_entry_alloc(void)
{
	return kmem_cache_zalloc(vigil_cache_entries, GFP_KERNEL);
}

void vigil_cache_entry_free(void *entry)
{
	if (entry)
		kmem_cache_free(vigil_cache_entries, entry);
}

/**
 * vigil_cache_insert - store a verdict for the waiter's inode
 * @cache: the cache
 * @waiter: the answered waiter; its inode is pinned by the opener
 * @result: 0 or -errno
 * @new_entry: from vigil_cache_entry_alloc(); consumed
 *
 * The caller has already checked that the file did not change since the
 * event. Called with device->lock held (the waiter is not yet DONE).
 */
void vigil_cache_insert(struct vigil_cache *cache, struct vigil_waiter *waiter,
			int result, void *new_entry)
{
	struct vigil_cache_entry *entry = new_entry, *old;
	struct inode *inode = waiter->inode;

	if (!entry)
		return;
	entry->sb = inode->i_sb;
	entry->ino = inode->i_ino;
	entry->generation = inode->i_generation;
	entry->has_i_version = waiter->event.flags & VIGIL_EVENT_F_I_VERSION;
	entry->i_version = waiter->event.i_version;
	entry->result = result;

	spin_lock(&cache->lock);
	if (!cache->max_entries) {
		spin_unlock(&cache->lock);
		kmem_cache_free(vigil_cache_entries, entry);
		return;
	}
	old = entry_find(cache, inode);
	if (old)
		entry_remove(cache, old);
	hlist_add_head(&entry->hash_node, bucket_of(cache, entry->sb, entry->ino));
	list_add(&entry->lru_node, &cache->lru);
	cache->count++;
	while (cache->count > cache->max_entries)
		entry_remove(cache, list_last_entry(&cache->lru, struct vigil_cache_entry,
						    lru_node));
	spin_unlock(&cache->lock);
}

void vigil_cache_set_limit(struct vigil_cache *cache, u32 max_entries)
{
	spin_lock(&cache->lock);
	WRITE_ONCE(cache->max_entries, max_entries);
	while (cache->count > cache->max_entries)
		entry_remove(cache, list_last_entry(&cache->lru, struct vigil_cache_entry,
						    lru_node));
	spin_unlock(&cache->lock);
}

void vigil_cache_flush(struct vigil_cache *cache)
{
	struct vigil_cache_entry *entry, *next;

	spin_lock(&cache->lock);
	list_for_each_entry_safe(entry, next, &cache->lru, lru_node)
		entry_remove(cache, entry);
	spin_unlock(&cache->lock);
}

void vigil_cache_purge_sb(struct vigil_cache *cache, const struct super_block *sb)
{
	struct vigil_cache_entry *entry, *next;

	spin_lock(&cache->lock);
	list_for_each_entry_safe(entry, next, &cache->lru, lru_node) {
		if (entry->sb == sb)
			entry_remove(cache, entry);
	}
	spin_unlock(&cache->lock);
}
