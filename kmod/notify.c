// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the fsnotify side. This file owns the module's fsnotify group
 * (content priority, created at load, put at unload), the superblock marks
 * of a session (struct vigil_mark on session->marks), and the life of every
 * blocked opener (struct vigil_waiter, on the opener's stack). It does not
 * own event delivery to the daemon (device.c: slots, io_uring, ioctls) nor
 * the cache's storage (cache.c).
 *
 *   open/exec of a regular file on a marked sb
 *     -> vigil_handle_event() -> vigil_check(): exclusions, cache, kthreads
 *     -> vigil_dispatch() (device.c) puts the waiter in a slot or the backlog
 *     -> with spin_us, vigil_spin() while the slot's parker runs on a CPU
 *     -> the opener sleeps in vigil_wait() until DONE or its deadline
 *   answer (device.c) -> vigil_waiter_finish() under device->lock -> wake
 *
 * The waiter changes hands only under device->lock: whoever sets it DONE
 * (the answer, the session's death, or the opener itself at its deadline)
 * unlinks it, and after that nobody but the opener touches it.
 *
 * When the daemon dies or closes /dev/vigil, every pending opener gets
 * config.release_verdict and the marks are removed (fanotify instead allows
 * everything pending). While a verdict is pending the opener holds the
 * fsnotify SRCU read lock (fsnotify_prepare_user_wait() is not exported), so
 * the wait is always bounded by config.timeout_ms <= VIGIL_TIMEOUT_MAX_MS.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/iversion.h>
#include <linux/jiffies.h>
#include <linux/kdev_t.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "core.h"

#define VIGIL_MARK_MASK (FS_OPEN_PERM | FS_OPEN_EXEC_PERM | FS_CLOSE_WRITE)

int vigil_verdict_result(const struct vigil_session *session, u8 verdict, u16 deny_errno)
{
	if (verdict == VIGIL_ALLOW)
		return 0;
	if (!deny_errno)
		deny_errno = session->config.deny_errno;
	return deny_errno ? -(int)deny_errno : -EPERM;
}

/**
 * vigil_waiter_finish - give a waiter its result and wake it
 * @waiter: a waiter that is not DONE
 * @result: 0 or -errno
 *
 * Called with device->lock held.
 */
void vigil_waiter_finish(struct vigil_waiter *waiter, int result)
{
	struct vigil_session *session = waiter->session;

	lockdep_assert_held(&session->device->lock);
	if (WARN_ON_ONCE(waiter->state == VIGIL_WAITER_DONE))
		return;
	list_del_init(&waiter->node);
	if (waiter->state == VIGIL_WAITER_QUEUED)
		session->backlog_length--;
	if (waiter->slot >= 0 && session->slots[waiter->slot].waiter == waiter)
		session->slots[waiter->slot].waiter = NULL;
	waiter->slot = -1;
	waiter->result = result;
	WRITE_ONCE(waiter->state, VIGIL_WAITER_DONE);
	wake_up(&waiter->wait);
}

static bool is_excluded(const struct vigil_session *session)
{
	u64 current_cgroup;

	if (task_tgid(current) == session->tgid)
		return true;
	if (!session->config.exclude_cgroup_id)
		return false;
	rcu_read_lock();
	current_cgroup = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	return current_cgroup == session->config.exclude_cgroup_id;
}

static void fill_event(struct vigil_waiter *waiter, const struct file *file,
		       struct inode *inode, u32 type)
{
	struct vigil_event *event = &waiter->event;

	event->type = type;
	event->fd = -1;
	if (file->f_mode & FMODE_READ)
		event->flags |= VIGIL_EVENT_F_READ;
	if (file->f_mode & FMODE_WRITE)
		event->flags |= VIGIL_EVENT_F_WRITE;
	if (file->f_flags & O_TRUNC)
		event->flags |= VIGIL_EVENT_F_TRUNC;
	event->uid = from_kuid(&init_user_ns, current_fsuid());
	event->gid = from_kgid(&init_user_ns, current_fsgid());
	event->f_flags = file->f_flags;
	event->dev = new_encode_dev(inode->i_sb->s_dev);
	event->ino = inode->i_ino;
	event->generation = inode->i_generation;
	if (IS_I_VERSION(inode)) {
		event->i_version = inode_query_iversion(inode);
		event->flags |= VIGIL_EVENT_F_I_VERSION;
	}
	event->size = i_size_read(inode);
	event->mtime_ns = vigil_inode_mtime_ns(inode);
	event->ctime_ns = vigil_inode_ctime_ns(inode);
	rcu_read_lock();
	event->cgroup_id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	__get_task_comm((char *)event->comm, sizeof(event->comm), current);
}

/*
 * Sleep until the waiter is DONE or its deadline passes. Returns the result
 * for the opener. The waiter is on the session's lists; the session lives
 * as long as the waiter is not DONE.
 *
 * The sleep is killable and freezable (as fanotify's is from 6.9): suspend
 * and the cgroup v1 freezer freeze a waiting opener in place instead of
 * failing or waiting for the deadline. A frozen waiter keeps fsnotify's SRCU
 * read lock until it is thawed; after the thaw it sees its verdict, or the
 * deadline that passed meanwhile. There is no wait_event_state_timeout() in
 * 6.1, so this is wait_event_killable_timeout() with TASK_FREEZABLE added.
 */
static int vigil_wait(struct vigil_device *device, struct vigil_waiter *waiter,
		      unsigned long deadline)
{
	long left = (long)(deadline - jiffies);
	long ret;

	if (left > 0)
		ret = ___wait_event(waiter->wait,
				    ___wait_cond_timeout(READ_ONCE(waiter->state) ==
							 VIGIL_WAITER_DONE),
				    (TASK_KILLABLE | TASK_FREEZABLE), 0, left,
				    __ret = schedule_timeout(__ret));
	else
		ret = 0;

	spin_lock(&device->lock);
	if (waiter->state != VIGIL_WAITER_DONE) {
		struct vigil_session *session = waiter->session;

		if (ret < 0) {
			vigil_count(device, VIGIL_STAT_INTERRUPTED);
			vigil_waiter_finish(waiter, -EINTR);
		} else {
			vigil_count(device, VIGIL_STAT_TIMEOUTS);
			vigil_waiter_finish(waiter,
					    vigil_verdict_result(session,
								 session->config.timeout_verdict,
								 0));
		}
	}
	spin_unlock(&device->lock);
	atomic64_dec(&device->counters[VIGIL_STAT_PENDING]);
	return waiter->result;
}

/*
 * Optimistic spinning (uapi header, "Opener spinning"), as a mutex waiter
 * spins on a running owner: the event went to a command that @parker
 * parked, so while @parker is on a CPU it is about to take the event and
 * answer, usually sooner than this opener could sleep and be woken. Gives
 * up after @spin_us, or at once when @parker leaves its CPU, when this
 * task should reschedule or is being killed; vigil_wait() then sleeps as
 * usual (and reads the verdict under the lock either way).
 */
static void vigil_spin(struct vigil_waiter *waiter, struct task_struct *parker, u32 spin_us)
{
	u64 end = ktime_get_ns() + (u64)spin_us * NSEC_PER_USEC;

	while (READ_ONCE(waiter->state) != VIGIL_WAITER_DONE) {
		if (need_resched() || fatal_signal_pending(current) || !owner_on_cpu(parker) ||
		    ktime_get_ns() > end)
			return;
		cpu_relax();
	}
}

static int vigil_check(struct vigil_device *device, struct file *file,
		       struct inode *inode, u32 type)
{
	struct vigil_session *session;
	struct vigil_waiter waiter = {};
	struct task_struct *parker = NULL;
	unsigned long deadline;
	u32 spin_us;
	int result;

	if (vigil_cache_lookup(&device->cache, inode, &result)) {
		vigil_count(device, VIGIL_STAT_CACHE_HITS);
		return result;
	}
	if (current->flags & PF_KTHREAD) {
		vigil_count(device, VIGIL_STAT_KTHREAD_SKIPS);
		return 0;
	}

	INIT_LIST_HEAD(&waiter.node);
	init_waitqueue_head(&waiter.wait);
	waiter.slot = -1;
	waiter.path = &file->f_path;
	waiter.inode = inode;
	waiter.write_sequence = atomic64_read(&device->write_sequence);

	spin_lock(&device->lock);
	session = device->session;
	if (!session) {
		spin_unlock(&device->lock);
		return 0;
	}
	if (is_excluded(session)) {
		spin_unlock(&device->lock);
		vigil_count(device, VIGIL_STAT_EXCLUDED);
		return 0;
	}
	if ((session->config.flags & VIGIL_CONFIG_F_SKIP_WRITE_ONLY) &&
	    type == VIGIL_EVENT_OPEN && !(file->f_mode & FMODE_READ)) {
		spin_unlock(&device->lock);
		return 0;
	}
	/*
	 * The daemon is gone; its marks go when its file is released. Like a
	 * session that no longer exists, a dead one intercepts nothing.
	 */
	if (session->dead) {
		spin_unlock(&device->lock);
		return 0;
	}
	vigil_count(device, VIGIL_STAT_CACHE_MISSES);
	vigil_count(device, VIGIL_STAT_EVENTS);
	fill_event(&waiter, file, inode, type);
	waiter.session = session;
	waiter.cache_generation = session->cache_generation;
	waiter.event.event_id = ++session->next_event_id;
	waiter.event.pid = task_pid_nr_ns(current, session->pid_ns);
	waiter.event.tgid = task_tgid_nr_ns(current, session->pid_ns);
	waiter.event.deadline_ns = ktime_get_ns() +
				   (u64)session->config.timeout_ms * NSEC_PER_MSEC;
	deadline = jiffies + msecs_to_jiffies(session->config.timeout_ms);
	atomic64_inc(&device->counters[VIGIL_STAT_PENDING]);
	vigil_dispatch(session, &waiter);
	spin_us = session->spin_us;
	if (spin_us && waiter.slot >= 0 && session->slots[waiter.slot].task)
		parker = get_task_struct(session->slots[waiter.slot].task);
	spin_unlock(&device->lock);

	if (parker) {
		vigil_spin(&waiter, parker, spin_us);
		put_task_struct(parker);
	}
	return vigil_wait(device, &waiter, deadline);
}

static int vigil_handle_event(struct fsnotify_group *group, u32 mask,
			      const void *data, int data_type, struct inode *dir,
			      const struct qstr *file_name, u32 cookie,
			      struct fsnotify_iter_info *iter_info)
{
	struct vigil_device *device = &vigil_device;
	const struct path *path = fsnotify_data_path(data, data_type);
	struct inode *inode;
	struct file *file;

	if (!path || !path->dentry)
		return 0;
	inode = d_inode(path->dentry);
	if (!inode || !S_ISREG(inode->i_mode))
		return 0;

	if (mask & FS_CLOSE_WRITE) {
		atomic64_inc(&device->write_sequence);
		vigil_cache_invalidate(&device->cache, inode);
		return 0;
	}
	if (!(mask & (FS_OPEN_PERM | FS_OPEN_EXEC_PERM)))
		return 0;

	/*
	 * Open permission events pass &file->f_path of the file being opened
	 * (fsnotify_open_perm(), fsnotify_perm()); check before trusting it.
	 */
	file = container_of(path, struct file, f_path);
	if (WARN_ON_ONCE(file->f_inode != inode))
		return 0;
	/* An exec was decided by its FS_OPEN_EXEC_PERM event just before. */
	if ((mask & FS_OPEN_PERM) && (file->f_flags & __FMODE_EXEC))
		return 0;

	return vigil_check(device, file, inode,
			   (mask & FS_OPEN_EXEC_PERM) ? VIGIL_EVENT_EXEC : VIGIL_EVENT_OPEN);
}

/* The mark is going away: umount, unwatch or session end. */
static void vigil_freeing_mark(struct fsnotify_mark *fsn_mark, struct fsnotify_group *group)
{
	struct vigil_mark *mark = container_of(fsn_mark, struct vigil_mark, fsn_mark);

	vigil_cache_purge_sb(&vigil_device.cache, mark->sb);
}

static void vigil_free_mark(struct fsnotify_mark *fsn_mark)
{
	kfree(container_of(fsn_mark, struct vigil_mark, fsn_mark));
}

static const struct fsnotify_ops vigil_fsnotify_ops = {
	.handle_event = vigil_handle_event,
	.freeing_mark = vigil_freeing_mark,
	.free_mark = vigil_free_mark,
};

int vigil_notify_init(struct vigil_device *device)
{
	struct fsnotify_group *group;

	group = fsnotify_alloc_group(&vigil_fsnotify_ops, 0);
	if (IS_ERR(group))
		return PTR_ERR(group);
	/* Before any mark: from 6.10 a lower priority gets no permission events. */
	group->priority = VIGIL_FSNOTIFY_PRIO;
	device->group = group;
	return 0;
}

/* Called after every session ended, so no mark of ours is attached. */
void vigil_notify_uninit(struct vigil_device *device)
{
	/*
	 * The reaper runs synchronize_srcu() on fsnotify's SRCU after the last
	 * marks were detached; once it is flushed no vigil_handle_event() can
	 * still be running module text.
	 */
	fsnotify_wait_marks_destroyed();
	fsnotify_put_group(device->group);
	device->group = NULL;
}

/* Called with session->marks_mutex held. */
static struct vigil_mark *find_mark(struct vigil_session *session, struct super_block *sb)
{
	struct vigil_mark *mark;

	lockdep_assert_held(&session->marks_mutex);
	list_for_each_entry(mark, &session->marks, node) {
		if (mark->sb == sb &&
		    (READ_ONCE(mark->fsn_mark.flags) & FSNOTIFY_MARK_FLAG_ATTACHED))
			return mark;
	}
	return NULL;
}

int vigil_watch(struct vigil_session *session, struct super_block *sb)
{
	struct fsnotify_group *group = session->device->group;
	struct vigil_mark *mark;
	int ret;

	if (sb->s_type->fs_flags & FS_DISALLOW_NOTIFY_PERM)
		return -EINVAL;
	mutex_lock(&session->marks_mutex);
	if (find_mark(session, sb)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	mark = kzalloc(sizeof(*mark), GFP_KERNEL);
	if (!mark) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	fsnotify_init_mark(&mark->fsn_mark, group);
	mark->fsn_mark.mask = VIGIL_MARK_MASK;
	mark->sb = sb;
	ret = vigil_add_sb_mark(&mark->fsn_mark, sb);
	if (ret) {
		/* free_mark frees the struct with the last reference. */
		fsnotify_put_mark(&mark->fsn_mark);
		goto out_unlock;
	}
	list_add(&mark->node, &session->marks);
out_unlock:
	mutex_unlock(&session->marks_mutex);
	return ret;
}

/* Called with session->marks_mutex held. */
static void drop_mark(struct vigil_session *session, struct vigil_mark *mark)
{
	lockdep_assert_held(&session->marks_mutex);
	list_del(&mark->node);
	fsnotify_destroy_mark(&mark->fsn_mark, session->device->group);
	fsnotify_put_mark(&mark->fsn_mark);
}

int vigil_unwatch(struct vigil_session *session, struct super_block *sb)
{
	struct vigil_mark *mark;
	int ret = 0;

	mutex_lock(&session->marks_mutex);
	mark = find_mark(session, sb);
	if (mark)
		drop_mark(session, mark);
	else
		ret = -ENOENT;
	mutex_unlock(&session->marks_mutex);
	return ret;
}

void vigil_unwatch_all(struct vigil_session *session)
{
	struct vigil_mark *mark, *next;

	mutex_lock(&session->marks_mutex);
	list_for_each_entry_safe(mark, next, &session->marks, node)
		drop_mark(session, mark);
	mutex_unlock(&session->marks_mutex);
}
