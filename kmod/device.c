// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: /dev/vigil and the daemon's side of every event. This file owns
 * the misc device, the session (one registered daemon: its config, slot
 * array, backlog, delivered list and watchdog), the io_uring passthrough
 * commands parked in slots, and the fds installed in the daemon. It does not
 * own the fsnotify group or the marks' life (notify.c) nor the cache's
 * storage (cache.c).
 *
 *   vigil_dispatch() (opener, device->lock held)
 *     -> a parked slot: take its cmd, io_uring_cmd_complete_in_task()
 *          -> vigil_uring_task_work() in the daemon: fd, slot, CQE res 0
 *     -> else the backlog: wakes VIGIL_IOC_WAIT_EVENT, or is taken by the
 *        next FETCH / COMMIT_AND_FETCH issued
 *     -> else config.overflow_verdict at once
 *   COMMIT* / VIGIL_IOC_ANSWER -> answer() -> vigil_waiter_finish()
 *
 * Ownership: a parked io_uring command belongs to its slot while slot->cmd
 * points to it; whoever clears slot->cmd under device->lock must complete
 * it exactly once (task work, cancel, watchdog). A delivered event's fd
 * belongs to the daemon from the moment it is installed.
 *
 * Daemon death: ->release() of the registered file kills the session: every
 * waiter gets config.release_verdict, then the marks go. Parked commands
 * keep the file open, so they are cancelled first: by io_uring itself where
 * commands are cancelable (6.7+), and by the watchdog, which completes the
 * commands of exiting submitters and kills the session as soon as the
 * daemon's leader is exiting, on every kernel.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/iversion.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "core.h"

static struct vigil_uring_pdu *uring_pdu(struct io_uring_cmd *cmd)
{
	BUILD_BUG_ON(sizeof(struct vigil_uring_pdu) > sizeof(cmd->pdu));
	return (struct vigil_uring_pdu *)cmd->pdu;
}

static void vigil_uring_task_work(struct io_uring_cmd *cmd, unsigned int issue_flags);
static void kill_session(struct vigil_session *session);

/* Called with device->lock held. Queues the slot's command to its task. */
static void kick_slot(struct vigil_session *session, u16 index, bool cancel)
{
	struct vigil_slot *slot = &session->slots[index];
	struct io_uring_cmd *cmd = slot->cmd;

	lockdep_assert_held(&session->device->lock);
	slot->cmd = NULL;
	uring_pdu(cmd)->cancel = cancel;
	io_uring_cmd_complete_in_task(cmd, vigil_uring_task_work);
}

/**
 * vigil_dispatch - hand a new waiter to the daemon, or queue it
 * @session: the live session
 * @waiter: a fresh waiter, not linked anywhere
 *
 * Called with device->lock held.
 */
void vigil_dispatch(struct vigil_session *session, struct vigil_waiter *waiter)
{
	struct vigil_device *device = session->device;
	u32 index;

	lockdep_assert_held(&device->lock);
	for (index = 0; index < session->nr_slots; index++) {
		struct vigil_slot *slot = &session->slots[index];

		if (!slot->cmd || slot->waiter)
			continue;
		waiter->state = VIGIL_WAITER_DELIVERING;
		waiter->slot = index;
		slot->waiter = waiter;
		list_add_tail(&waiter->node, &session->delivered);
		kick_slot(session, index, false);
		return;
	}
	if (session->backlog_length < session->config.max_backlog) {
		waiter->state = VIGIL_WAITER_QUEUED;
		list_add_tail(&waiter->node, &session->backlog);
		session->backlog_length++;
		wake_up(&session->daemon_wait);
		return;
	}
	vigil_count(device, VIGIL_STAT_OVERFLOWS);
	waiter->state = VIGIL_WAITER_QUEUED;	/* finish() unlinks and counts */
	list_add_tail(&waiter->node, &session->backlog);
	session->backlog_length++;
	vigil_waiter_finish(waiter, vigil_verdict_result(session,
							 session->config.overflow_verdict, 0));
}

/*
 * Called with device->lock held. Moves a waiter to the delivered list and
 * copies its metadata into @event; takes a reference on its path for the
 * daemon's fd, which the caller puts with path_put().
 */
static void take_for_delivery(struct vigil_session *session, struct vigil_waiter *waiter,
			      struct vigil_event *event, struct path *ret_path)
{
	lockdep_assert_held(&session->device->lock);
	if (waiter->state == VIGIL_WAITER_QUEUED)
		session->backlog_length--;
	list_move_tail(&waiter->node, &session->delivered);
	if (waiter->slot >= 0 && session->slots[waiter->slot].waiter == waiter)
		session->slots[waiter->slot].waiter = NULL;
	waiter->slot = -1;
	waiter->state = VIGIL_WAITER_DELIVERED;
	*event = waiter->event;
	*ret_path = *waiter->path;
	path_get(ret_path);
}

/* Opens the event's file for the daemon, in the daemon's context. */
static struct file *open_for_daemon(const struct path *path)
{
	return dentry_open(path, O_RDONLY | O_LARGEFILE | VIGIL_OPEN_NONOTIFY, current_cred());
}

/* Daemon context, no locks: give @event an installed fd. */
static void install_fd(struct vigil_device *device, struct vigil_event *event,
		       const struct path *path)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto out_no_fd;
	file = open_for_daemon(path);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto out_no_fd;
	}
	fd_install(fd, file);
	event->fd = fd;
	return;

out_no_fd:
	vigil_count(device, VIGIL_STAT_FD_ERRORS);
	event->fd = fd;
	event->flags |= VIGIL_EVENT_F_NO_FD;
}

/* Daemon context: deliver the first backlog event into a slot. */
static bool deliver_backlog_to_slot(struct vigil_session *session, u16 index)
{
	struct vigil_device *device = session->device;
	struct vigil_event event;
	struct path path;

	spin_lock(&device->lock);
	if (list_empty(&session->backlog)) {
		spin_unlock(&device->lock);
		return false;
	}
	take_for_delivery(session, list_first_entry(&session->backlog,
						    struct vigil_waiter, node),
			  &event, &path);
	spin_unlock(&device->lock);
	install_fd(device, &event, &path);
	path_put(&path);
	session->slot_events[index] = event;
	return true;
}

/*
 * Task work for a command taken out of its slot: runs in the submitter's
 * context, or on a kworker when the submitter is exiting.
 */
static void vigil_uring_task_work(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct vigil_uring_pdu *pdu = uring_pdu(cmd);
	struct vigil_session *session = pdu->session;
	struct vigil_device *device = session->device;
	struct vigil_slot *slot = &session->slots[pdu->slot];
	struct vigil_waiter *waiter;
	struct vigil_event event;
	struct path path;
	bool exiting = current->flags & (PF_EXITING | PF_KTHREAD);

	spin_lock(&device->lock);
	if (exiting && !session->dead && (session->leader->flags & PF_EXITING))
		kill_session(session);
	waiter = slot->waiter;
	if (pdu->cancel || exiting || session->dead) {
		/* A bound waiter goes back to the backlog's head. */
		if (waiter) {
			slot->waiter = NULL;
			waiter->slot = -1;
			waiter->state = VIGIL_WAITER_QUEUED;
			list_move(&waiter->node, &session->backlog);
			session->backlog_length++;
		}
		slot->busy = false;
		spin_unlock(&device->lock);
		io_uring_cmd_done(cmd, -ECANCELED, 0, issue_flags);
		return;
	}
	/* The bound opener may have timed out meanwhile: try the backlog. */
	if (!waiter && !list_empty(&session->backlog))
		waiter = list_first_entry(&session->backlog, struct vigil_waiter, node);
	if (!waiter) {
		slot->cmd = cmd;	/* park again */
		spin_unlock(&device->lock);
		return;
	}
	take_for_delivery(session, waiter, &event, &path);
	spin_unlock(&device->lock);

	install_fd(device, &event, &path);
	path_put(&path);
	session->slot_events[pdu->slot] = event;

	spin_lock(&device->lock);
	slot->busy = false;
	spin_unlock(&device->lock);
	io_uring_cmd_done(cmd, 0, 0, issue_flags);
}

/*
 * Record the daemon's answer. Returns 0, -ESTALE when the event is no
 * longer waiting, or -EINVAL for a malformed answer.
 */
static int answer(struct vigil_session *session, const struct vigil_answer *reply)
{
	struct vigil_device *device = session->device;
	struct vigil_waiter *waiter;
	void *cache_entry = NULL;
	int result, ret = -ESTALE;

	if (reply->verdict != VIGIL_ALLOW && reply->verdict != VIGIL_DENY)
		return -EINVAL;
	if (reply->deny_errno > VIGIL_ERRNO_MAX || reply->reserved ||
	    (reply->flags & ~VIGIL_ANSWER_F_CACHE))
		return -EINVAL;
	if (reply->flags & VIGIL_ANSWER_F_CACHE)
		cache_entry = vigil_cache_entry_alloc();

	spin_lock(&device->lock);
	list_for_each_entry(waiter, &session->delivered, node) {
		if (waiter->event.event_id != reply->event_id ||
		    waiter->state != VIGIL_WAITER_DELIVERED)
			continue;
		result = vigil_verdict_result(session, reply->verdict, reply->deny_errno);
		vigil_count(device, result ? VIGIL_STAT_DENIED : VIGIL_STAT_ALLOWED);
		if (cache_entry && waiter->cache_generation == session->cache_generation &&
		    !inode_is_open_for_write(waiter->inode) &&
		    ((waiter->event.flags & VIGIL_EVENT_F_I_VERSION) ?
		     inode_query_iversion(waiter->inode) == waiter->event.i_version :
		     atomic64_read(&device->write_sequence) == waiter->write_sequence)) {
			vigil_cache_insert(&device->cache, waiter, result, cache_entry);
			cache_entry = NULL;
		}
		vigil_waiter_finish(waiter, result);
		ret = 0;
		break;
	}
	spin_unlock(&device->lock);
	if (ret == -ESTALE)
		vigil_count(device, VIGIL_STAT_STALE_ANSWERS);
	vigil_cache_entry_free(cache_entry);
	return ret;
}

/* Called with device->lock held: release every waiter, refuse new waits. */
static void kill_session(struct vigil_session *session)
{
	struct vigil_device *device = session->device;
	struct vigil_waiter *waiter, *next;
	int result = vigil_verdict_result(session, session->config.release_verdict, 0);

	lockdep_assert_held(&device->lock);
	session->dead = true;
	list_for_each_entry_safe(waiter, next, &session->backlog, node) {
		vigil_count(device, VIGIL_STAT_RELEASED);
		vigil_waiter_finish(waiter, result);
	}
	list_for_each_entry_safe(waiter, next, &session->delivered, node) {
		vigil_count(device, VIGIL_STAT_RELEASED);
		vigil_waiter_finish(waiter, result);
	}
	wake_up_all(&session->daemon_wait);
}

static void vigil_watchdog(struct work_struct *work)
{
	struct vigil_session *session = container_of(to_delayed_work(work),
						     struct vigil_session, watchdog);
	struct vigil_device *device = session->device;
	u32 index;

	spin_lock(&device->lock);
	if (!session->dead && (session->leader->flags & PF_EXITING))
		kill_session(session);
	for (index = 0; index < session->nr_slots; index++) {
		struct vigil_slot *slot = &session->slots[index];

		if (slot->cmd && (session->dead || (slot->task->flags & PF_EXITING)))
			kick_slot(session, index, true);
	}
	spin_unlock(&device->lock);
	schedule_delayed_work(&session->watchdog, msecs_to_jiffies(VIGIL_WATCHDOG_MS));
}

static int check_config(const struct vigil_config *config)
{
	if (!config->timeout_ms || config->timeout_ms > VIGIL_TIMEOUT_MAX_MS)
		return -EINVAL;
	if (config->max_backlog > VIGIL_BACKLOG_MAX || config->cache_entries > VIGIL_CACHE_MAX)
		return -EINVAL;
	if (config->flags & ~VIGIL_CONFIG_F_SKIP_WRITE_ONLY)
		return -EINVAL;
	if (config->deny_errno > VIGIL_ERRNO_MAX)
		return -EINVAL;
	if (config->reserved[0] || config->reserved[1] || config->reserved[2])
		return -EINVAL;
	if (config->timeout_verdict < VIGIL_ALLOW || config->timeout_verdict > VIGIL_DENY ||
	    config->overflow_verdict < VIGIL_ALLOW || config->overflow_verdict > VIGIL_DENY ||
	    config->release_verdict < VIGIL_ALLOW || config->release_verdict > VIGIL_DENY)
		return -EINVAL;
	return 0;
}

static void session_free(struct vigil_session *session)
{
	if (!session)
		return;
	kfree(session->slots);
	vfree(session->slot_events);
	if (session->pid_ns)
		put_pid_ns(session->pid_ns);
	if (session->leader)
		put_task_struct(session->leader);
	put_pid(session->tgid);
	kfree(session);
}

static int vigil_register(struct vigil_device *device, struct file *file,
			  const struct vigil_register __user *argp)
{
	struct vigil_session *session;
	struct vigil_register reg;
	int ret;

	if (copy_from_user(&reg, argp, sizeof(reg)))
		return -EFAULT;
	if (reg.abi_version != VIGIL_ABI_VERSION)
		return -EPROTO;
	if (!reg.nr_slots || reg.nr_slots > VIGIL_SLOTS_MAX || reg.spin_us > VIGIL_SPIN_MAX_US ||
	    reg.reserved)
		return -EINVAL;
	ret = check_config(&reg.config);
	if (ret)
		return ret;

	session = kzalloc(sizeof(*session), GFP_KERNEL);
	if (!session)
		return -ENOMEM;
	session->device = device;
	session->config = reg.config;
	session->spin_us = reg.spin_us;
	session->nr_slots = reg.nr_slots;
	INIT_LIST_HEAD(&session->backlog);
	INIT_LIST_HEAD(&session->delivered);
	INIT_LIST_HEAD(&session->marks);
	init_waitqueue_head(&session->daemon_wait);
	mutex_init(&session->marks_mutex);
	INIT_DELAYED_WORK(&session->watchdog, vigil_watchdog);
	session->tgid = get_pid(task_tgid(current));
	session->leader = get_task_struct(current->group_leader);
	session->pid_ns = get_pid_ns(task_active_pid_ns(current));
	session->slots = kcalloc(reg.nr_slots, sizeof(*session->slots), GFP_KERNEL);
	session->slot_events = vmalloc_user(PAGE_ALIGN(reg.nr_slots *
						       sizeof(struct vigil_event)));
	if (!session->slots || !session->slot_events) {
		ret = -ENOMEM;
		goto err_free_session;
	}

	mutex_lock(&device->register_mutex);
	if (device->session || file->private_data) {
		ret = -EBUSY;
		goto err_unlock;
	}
	vigil_cache_set_limit(&device->cache, reg.config.cache_entries);
	spin_lock(&device->lock);
	device->session = session;
	spin_unlock(&device->lock);
	file->private_data = session;
	mutex_unlock(&device->register_mutex);
	schedule_delayed_work(&session->watchdog, msecs_to_jiffies(VIGIL_WATCHDOG_MS));
	return 0;

err_unlock:
	mutex_unlock(&device->register_mutex);
err_free_session:
	session_free(session);
	return ret;
}

/* ->release() of the registered file: no command can still be parked. */
static void session_end(struct vigil_session *session)
{
	struct vigil_device *device = session->device;
	u32 index;

	mutex_lock(&device->register_mutex);
	spin_lock(&device->lock);
	kill_session(session);
	for (index = 0; index < session->nr_slots; index++) {
		if (WARN_ON_ONCE(session->slots[index].cmd))
			session->slots[index].cmd = NULL;
	}
	spin_unlock(&device->lock);

	cancel_delayed_work_sync(&session->watchdog);
	/* Before a successor can register: its marks would collide with ours. */
	vigil_unwatch_all(session);
	vigil_cache_set_limit(&device->cache, 0);
	vigil_cache_flush(&device->cache);
	spin_lock(&device->lock);
	device->session = NULL;
	spin_unlock(&device->lock);
	mutex_unlock(&device->register_mutex);
	for (index = 0; index < session->nr_slots; index++) {
		if (session->slots[index].task)
			put_task_struct(session->slots[index].task);
	}
	session_free(session);
}

static int vigil_set_config(struct vigil_session *session,
			    const struct vigil_config __user *argp)
{
	struct vigil_device *device = session->device;
	struct vigil_config config;
	int ret;

	if (copy_from_user(&config, argp, sizeof(config)))
		return -EFAULT;
	ret = check_config(&config);
	if (ret)
		return ret;
	vigil_cache_set_limit(&device->cache, config.cache_entries);
	spin_lock(&device->lock);
	session->config = config;
	spin_unlock(&device->lock);
	return 0;
}

static int vigil_watch_ioctl(struct vigil_session *session, unsigned int cmd,
			     const struct vigil_watch __user *argp)
{
	struct vigil_watch watch;
	struct file *file;
	int ret;

	if (copy_from_user(&watch, argp, sizeof(watch)))
		return -EFAULT;
	if (watch.flags || watch.reserved)
		return -EINVAL;
	file = fget_raw(watch.fd);
	if (!file)
		return -EBADF;
	if (cmd == VIGIL_IOC_WATCH)
		ret = vigil_watch(session, file_inode(file)->i_sb);
	else
		ret = vigil_unwatch(session, file_inode(file)->i_sb);
	fput(file);
	return ret;
}

static int vigil_wait_event(struct vigil_session *session, struct vigil_event __user *argp)
{
	struct vigil_device *device = session->device;
	struct vigil_event event;
	struct file *file;
	struct path path;
	int fd, ret;

	for (;;) {
		ret = wait_event_interruptible(session->daemon_wait,
					       !list_empty(&session->backlog) ||
					       READ_ONCE(session->dead));
		if (ret)
			return -EINTR;
		spin_lock(&device->lock);
		if (session->dead) {
			spin_unlock(&device->lock);
			return -ECANCELED;
		}
		if (!list_empty(&session->backlog))
			break;
		spin_unlock(&device->lock);
	}
	take_for_delivery(session, list_first_entry(&session->backlog, struct vigil_waiter, node),
			  &event, &path);
	spin_unlock(&device->lock);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		file = ERR_PTR(fd);
	} else {
		file = open_for_daemon(&path);
		if (IS_ERR(file))
			put_unused_fd(fd);
	}
	path_put(&path);
	if (IS_ERR(file)) {
		vigil_count(device, VIGIL_STAT_FD_ERRORS);
		event.fd = PTR_ERR(file);
		event.flags |= VIGIL_EVENT_F_NO_FD;
	} else {
		event.fd = fd;
	}
	if (copy_to_user(argp, &event, sizeof(event))) {
		if (!IS_ERR(file)) {
			put_unused_fd(fd);
			fput(file);
		}
		return -EFAULT;
	}
	if (!IS_ERR(file))
		fd_install(fd, file);
	return 0;
}

static int vigil_stats(struct vigil_device *device, struct vigil_stats __user *argp)
{
	u64 values[__VIGIL_STAT_MAX];
	int index;

	BUILD_BUG_ON(sizeof(values) != sizeof(struct vigil_stats));
	for (index = 0; index < __VIGIL_STAT_MAX; index++)
		values[index] = atomic64_read(&device->counters[index]);
	values[VIGIL_STAT_CACHE_ENTRIES] = READ_ONCE(device->cache.count);
	values[VIGIL_STAT_REGISTERED] = !!READ_ONCE(device->session);
	return copy_to_user(argp, values, sizeof(values)) ? -EFAULT : 0;
}

static int vigil_info(struct vigil_info __user *argp)
{
	struct vigil_info info = {
		.abi_version = VIGIL_ABI_VERSION,
		.features = VIGIL_FEATURE_URING_CMD | VIGIL_FEATURE_OPENER_SPIN,
		.event_size = sizeof(struct vigil_event),
		.max_slots = VIGIL_SLOTS_MAX,
		.max_timeout_ms = VIGIL_TIMEOUT_MAX_MS,
		.max_backlog = VIGIL_BACKLOG_MAX,
		.max_cache_entries = VIGIL_CACHE_MAX,
	};

	if (VIGIL_HAVE_URING_CANCEL)
		info.features |= VIGIL_FEATURE_CANCELABLE;
	if (VIGIL_HAVE_NONOTIFY)
		info.features |= VIGIL_FEATURE_NONOTIFY_FD;
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long vigil_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vigil_device *device = &vigil_device;
	struct vigil_session *session = READ_ONCE(file->private_data);
	void __user *argp = (void __user *)arg;
	struct vigil_answer reply;

	switch (cmd) {
	case VIGIL_IOC_GET_INFO:
		return vigil_info(argp);
	case VIGIL_IOC_STATS:
		return vigil_stats(device, argp);
	case VIGIL_IOC_CACHE_FLUSH:
		spin_lock(&device->lock);
		if (device->session)
			device->session->cache_generation++;
		spin_unlock(&device->lock);
		vigil_cache_flush(&device->cache);
		return 0;
	case VIGIL_IOC_REGISTER:
		return vigil_register(device, file, argp);
	}

	if (!session)
		return cmd == VIGIL_IOC_SET_CONFIG || cmd == VIGIL_IOC_WATCH ||
		       cmd == VIGIL_IOC_UNWATCH || cmd == VIGIL_IOC_WAIT_EVENT ||
		       cmd == VIGIL_IOC_ANSWER ? -ENOTCONN : -ENOTTY;
	switch (cmd) {
	case VIGIL_IOC_SET_CONFIG:
		return vigil_set_config(session, argp);
	case VIGIL_IOC_WATCH:
	case VIGIL_IOC_UNWATCH:
		return vigil_watch_ioctl(session, cmd, argp);
	case VIGIL_IOC_WAIT_EVENT:
		return vigil_wait_event(session, argp);
	case VIGIL_IOC_ANSWER:
		if (copy_from_user(&reply, argp, sizeof(reply)))
			return -EFAULT;
		return answer(session, &reply);
	}
	return -ENOTTY;
}

/* IO_URING_F_CANCEL: io_uring tears down a parked command (6.7+). */
static int vigil_uring_cancel(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct vigil_uring_pdu *pdu = uring_pdu(cmd);
	struct vigil_session *session = pdu->session;
	struct vigil_device *device = session->device;
	struct vigil_slot *slot = &session->slots[pdu->slot];
	bool mine;

	spin_lock(&device->lock);
	if (!session->dead && (session->leader->flags & PF_EXITING))
		kill_session(session);
	mine = slot->cmd == cmd;
	if (mine) {
		slot->cmd = NULL;
		slot->busy = false;
	}
	spin_unlock(&device->lock);
	/* Otherwise task work already owns it and completes it soon. */
	if (mine)
		io_uring_cmd_done(cmd, -ECANCELED, 0, issue_flags);
	return 0;
}

static int vigil_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct vigil_session *session = READ_ONCE(cmd->file->private_data);
	struct vigil_device *device = &vigil_device;
	struct vigil_answer reply;
	struct vigil_slot *slot;
	int ret;

	if (vigil_uring_is_cancel(issue_flags))
		return vigil_uring_cancel(cmd, issue_flags);
	if (!session)
		return -ENOTCONN;
	if (cmd->cmd_op != VIGIL_URING_FETCH && cmd->cmd_op != VIGIL_URING_COMMIT &&
	    cmd->cmd_op != VIGIL_URING_COMMIT_AND_FETCH)
		return -EOPNOTSUPP;
	/* The payload lives in the shared SQ ring: copy it once, now. */
	memcpy(&reply, vigil_uring_payload(cmd), sizeof(reply));
	if (reply.slot >= session->nr_slots)
		return -EINVAL;
	slot = &session->slots[reply.slot];

	if (cmd->cmd_op != VIGIL_URING_FETCH) {
		ret = answer(session, &reply);
		if (cmd->cmd_op == VIGIL_URING_COMMIT || ret == -EINVAL)
			return ret;
	}

	spin_lock(&device->lock);
	if (session->dead) {
		spin_unlock(&device->lock);
		return -ECANCELED;
	}
	if (slot->busy) {
		spin_unlock(&device->lock);
		return -EBUSY;
	}
	slot->busy = true;
	spin_unlock(&device->lock);

	if (deliver_backlog_to_slot(session, reply.slot)) {
		spin_lock(&device->lock);
		slot->busy = false;
		spin_unlock(&device->lock);
		return 0;
	}

	uring_pdu(cmd)->session = session;
	uring_pdu(cmd)->slot = reply.slot;
	uring_pdu(cmd)->cancel = false;
	vigil_uring_mark_cancelable(cmd, issue_flags);
	spin_lock(&device->lock);
	if (slot->task != current) {
		if (slot->task)
			put_task_struct(slot->task);
		slot->task = get_task_struct(current);
	}
	slot->cmd = cmd;
	spin_unlock(&device->lock);
	return -EIOCBQUEUED;
}

static int vigil_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vigil_session *session = READ_ONCE(file->private_data);
	unsigned long size = vma->vm_end - vma->vm_start;

	if (!session)
		return -ENOTCONN;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff ||
	    size > PAGE_ALIGN(session->nr_slots * sizeof(struct vigil_event)))
		return -EINVAL;
	vigil_vma_forbid_write(vma);
	return remap_vmalloc_range(vma, session->slot_events, 0);
}

static int vigil_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

static int vigil_release(struct inode *inode, struct file *file)
{
	struct vigil_session *session = file->private_data;

	if (session)
		session_end(session);
	return 0;
}

static const struct file_operations vigil_fops = {
	.owner = THIS_MODULE,
	.open = vigil_open,
	.release = vigil_release,
	.unlocked_ioctl = vigil_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vigil_mmap,
	.uring_cmd = vigil_uring_cmd,
	.llseek = noop_llseek,
};

int vigil_device_init(struct vigil_device *device)
{
	BUILD_BUG_ON(sizeof(struct vigil_info) != 32);
	BUILD_BUG_ON(sizeof(struct vigil_config) != 32);
	BUILD_BUG_ON(sizeof(struct vigil_register) != 48);
	BUILD_BUG_ON(sizeof(struct vigil_watch) != 16);
	BUILD_BUG_ON(sizeof(struct vigil_event) != 128);
	BUILD_BUG_ON(sizeof(struct vigil_answer) != 16);
	BUILD_BUG_ON(sizeof(struct vigil_stats) != 128);

	device->misc.minor = MISC_DYNAMIC_MINOR;
	device->misc.name = VIGIL_DEVICE_NAME;
	device->misc.fops = &vigil_fops;
	device->misc.mode = 0600;
	return misc_register(&device->misc);
}

void vigil_device_uninit(struct vigil_device *device)
{
	misc_deregister(&device->misc);
}
