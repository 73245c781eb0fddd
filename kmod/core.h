/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the module's shared types. struct vigil_device is the one
 * instance behind /dev/vigil (created in main.c, lives until module exit);
 * struct vigil_session is one registration of a daemon (device.c creates it
 * on VIGIL_IOC_REGISTER and frees it when the registered file is released);
 * struct vigil_waiter is one blocked opener, on the opener's own stack
 * (notify.c). This header owns no state and no code beyond declarations.
 *
 * Locking, outermost first:
 *   session->marks_mutex   the session's list of filesystem marks
 *   device->lock           (spinlock) device->session, and for that session
 *                          the backlog, the delivered list, the slots, dead
 *   cache->lock            (spinlock) the verdict cache (cache.c)
 * A waiter is linked on exactly one of session->backlog (QUEUED) or
 * session->delivered (DELIVERING, DELIVERED) until it is DONE; whoever moves
 * it to DONE does so under device->lock and wakes it while still holding the
 * lock, so the opener's stack frame is valid for the waker.
 */
#ifndef VIGIL_KMOD_CORE_H
#define VIGIL_KMOD_CORE_H

#include <linux/atomic.h>
#include <linux/fsnotify_backend.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/vigil.h>

#include "compat.h"

struct io_uring_cmd;
struct pid;
struct pid_namespace;

enum vigil_waiter_state {
	VIGIL_WAITER_QUEUED,		/* on session->backlog */
	VIGIL_WAITER_DELIVERING,	/* bound to a slot, task work pending */
	VIGIL_WAITER_DELIVERED,		/* the daemon has it; on ->delivered */
	VIGIL_WAITER_DONE,		/* result is final; unlinked */
};

struct vigil_session;

struct vigil_waiter {
	struct list_head node;
	wait_queue_head_t wait;
	enum vigil_waiter_state state;
	int result;			/* 0 or -errno once DONE */
	int slot;			/* while DELIVERING, else -1 */
	struct vigil_session *session;	/* valid until DONE */
	const struct path *path;	/* the opener's; valid until DONE */
	struct inode *inode;
	u64 cache_generation;		/* session->cache_generation at creation */
	s64 write_sequence;		/* device->write_sequence at creation */
	struct vigil_event event;	/* metadata; fd is filled per delivery */
};

struct vigil_slot {
	struct io_uring_cmd *cmd;	/* parked FETCH, owned while set */
	struct task_struct *task;	/* submitter of cmd, referenced */
	struct vigil_waiter *waiter;	/* bound, delivery task work queued */
	bool busy;			/* a command for this slot is in flight */
};

/* What a parked io_uring command carries in its pdu. */
struct vigil_uring_pdu {
	struct vigil_session *session;
	u16 slot;
	bool cancel;
};

struct vigil_session {
	struct vigil_device *device;
	struct pid *tgid;		/* the daemon's thread group */
	struct task_struct *leader;	/* its leader, watched for exit */
	struct pid_namespace *pid_ns;	/* pids in events are in this one */
	struct vigil_config config;
	u32 spin_us;			/* reg.spin_us: opener spinning */
	u32 nr_slots;
	struct vigil_event *slot_events;	/* vmalloc_user, mmap'd read-only */
	struct vigil_slot *slots;
	struct list_head backlog;
	u32 backlog_length;
	struct list_head delivered;
	wait_queue_head_t daemon_wait;	/* VIGIL_IOC_WAIT_EVENT callers */
	bool dead;			/* daemon gone: release, do not wait */
	u64 next_event_id;
	u64 cache_generation;
	struct delayed_work watchdog;
	struct mutex marks_mutex;
	struct list_head marks;
};

struct vigil_mark {
	struct fsnotify_mark fsn_mark;
	struct list_head node;		/* on session->marks */
	struct super_block *sb;		/* identity only, never dereferenced */
};

struct vigil_cache {
	spinlock_t lock;
	struct hlist_head *buckets;
	struct list_head lru;		/* most recently used first */
	u32 count;
	u32 max_entries;
};

enum vigil_counter {
	VIGIL_STAT_EVENTS,
	VIGIL_STAT_ALLOWED,
	VIGIL_STAT_DENIED,
	VIGIL_STAT_TIMEOUTS,
	VIGIL_STAT_OVERFLOWS,
	VIGIL_STAT_RELEASED,
	VIGIL_STAT_CACHE_HITS,
	VIGIL_STAT_CACHE_MISSES,
	VIGIL_STAT_CACHE_ENTRIES,
	VIGIL_STAT_STALE_ANSWERS,
	VIGIL_STAT_KTHREAD_SKIPS,
	VIGIL_STAT_EXCLUDED,
	VIGIL_STAT_PENDING,
	VIGIL_STAT_FD_ERRORS,
	VIGIL_STAT_INTERRUPTED,
	VIGIL_STAT_REGISTERED,
	__VIGIL_STAT_MAX
};

struct vigil_device {
	spinlock_t lock;
	struct vigil_session *session;	/* the registered daemon, or NULL */
	struct mutex register_mutex;	/* serialises register and release */
	struct fsnotify_group *group;
	struct vigil_cache cache;
	atomic64_t write_sequence;	/* close-after-writes seen */
	atomic64_t counters[__VIGIL_STAT_MAX];
	struct miscdevice misc;
};

extern struct vigil_device vigil_device;

static inline void vigil_count(struct vigil_device *device, enum vigil_counter counter)
{
	atomic64_inc(&device->counters[counter]);
}

/* notify.c */
int vigil_notify_init(struct vigil_device *device);
void vigil_notify_uninit(struct vigil_device *device);
int vigil_watch(struct vigil_session *session, struct super_block *sb);
int vigil_unwatch(struct vigil_session *session, struct super_block *sb);
void vigil_unwatch_all(struct vigil_session *session);
int vigil_verdict_result(const struct vigil_session *session, u8 verdict, u16 deny_errno);
void vigil_waiter_finish(struct vigil_waiter *waiter, int result);

/* device.c */
int vigil_device_init(struct vigil_device *device);
void vigil_device_uninit(struct vigil_device *device);
void vigil_dispatch(struct vigil_session *session, struct vigil_waiter *waiter);

/* cache.c */
int vigil_cache_init(struct vigil_cache *cache);
void vigil_cache_uninit(struct vigil_cache *cache);
bool vigil_cache_lookup(struct vigil_cache *cache, struct inode *inode, int *ret_result);
void vigil_cache_invalidate(struct vigil_cache *cache, struct inode *inode);
void vigil_cache_insert(struct vigil_cache *cache, struct vigil_waiter *waiter,
			int result, void *entry);
void *vigil_cache_entry_alloc(void);
void vigil_cache_entry_free(void *entry);
void vigil_cache_set_limit(struct vigil_cache *cache, u32 max_entries);
void vigil_cache_flush(struct vigil_cache *cache);
void vigil_cache_purge_sb(struct vigil_cache *cache, const struct super_block *sb);

#endif /* VIGIL_KMOD_CORE_H */
