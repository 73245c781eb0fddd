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
 * Lookups take no lock: the buckets are RCU lists, entries are freed after
 * a grace period, and a hit moves its entry to the front of the LRU (under
 * the lock) at most once a jiffy, so a file opened over and over costs its
 * openers no shared write. A lookup that found an entry before a flush or
 * an invalidation removed it answers as if it had run just before them.
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
#include <linux/rculist.h>
#include <linux/rcupdate.h>

#include "core.h"

#define VIGIL_CACHE_HASH_BITS 12

struct vigil_cache_entry {
	struct hlist_node hash_node;
	struct list_head lru_node;
	struct rcu_head rcu;
	unsigned long used;		/* jiffies of its last LRU move */
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

static void entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(vigil_cache_entries, container_of(head, struct vigil_cache_entry, rcu));
}

/* Called with cache->lock held. Lockless readers may still see it. */
static void entry_remove(struct vigil_cache *cache, struct vigil_cache_entry *entry)
{
	lockdep_assert_held(&cache->lock);
	hlist_del_rcu(&entry->hash_node);
	list_del(&entry->lru_node);
	cache->count--;
	call_rcu(&entry->rcu, entry_free_rcu);
}

/* Called with cache->lock or the RCU read lock held. */
static struct vigil_cache_entry *entry_find(struct vigil_cache *cache,
					    const struct inode *inode)
{
	struct vigil_cache_entry *entry;

	hlist_for_each_entry_rcu(entry, bucket_of(cache, inode->i_sb, inode->i_ino), hash_node,
				 lockdep_is_held(&cache->lock)) {
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
	rcu_barrier();		/* every entry_free_rcu() has run */
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
 * Returns true on a hit. Drops an entry whose i_version moved. Takes the
 * lock only for that, and for a hit's LRU move (at most once a jiffy).
 */
bool vigil_cache_lookup(struct vigil_cache *cache, struct inode *inode, int *ret_result)
{
	struct vigil_cache_entry *entry;
	bool hit = false, stale = false, move = false;

	if (!READ_ONCE(cache->max_entries) || inode_is_open_for_write(inode))
		return false;
	rcu_read_lock();
	entry = entry_find(cache, inode);
	if (entry && entry->has_i_version && inode_query_iversion(inode) != entry->i_version) {
		stale = true;
	} else if (entry) {
		*ret_result = entry->result;
		hit = true;
		move = time_after(jiffies, READ_ONCE(entry->used));
	}
	rcu_read_unlock();
	if (!stale && !move)
		return hit;

	spin_lock(&cache->lock);
	entry = entry_find(cache, inode);	/* again: it may be gone or new */
	if (entry && entry->has_i_version && inode_query_iversion(inode) != entry->i_version) {
		entry_remove(cache, entry);
	} else if (entry && hit) {
		list_move(&entry->lru_node, &cache->lru);
		WRITE_ONCE(entry->used, jiffies);
	}
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
	entry->used = jiffies;
	/* Published whole: lockless readers see only initialised entries. */
	hlist_add_head_rcu(&entry->hash_node, bucket_of(cache, entry->sb, entry->ino));
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
