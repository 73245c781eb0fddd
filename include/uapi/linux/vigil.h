/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Documentation
 * =============
 *
 * The vigil kernel module (vigil.ko) turns open and exec permission checks on
 * chosen filesystems into events for one userspace daemon (vigild) and
 * blocks each opener until the daemon answers or a kernel-side deadline
 * passes. This header is the whole ABI between the module and the daemon; it
 * is included by kmod/ and by daemon/ and must stay free of pointers and of
 * types wider than __u64. Every struct has a fixed size (checked with
 * BUILD_BUG_ON in the module) and explicit padding that must be zero.
 *
 * ABI version
 * -----------
 * VIGIL_ABI_VERSION is bumped on any incompatible change. The daemon passes
 * the version it was built with in struct vigil_register; the module refuses
 * a different one with -EPROTO. VIGIL_IOC_GET_INFO works before registering.
 *
 * The device
 * ----------
 * /dev/vigil is a misc device, mode 0600. Any number of processes may open
 * it and call VIGIL_IOC_GET_INFO, VIGIL_IOC_STATS and VIGIL_IOC_CACHE_FLUSH;
 * exactly one open file at a time may be registered (VIGIL_IOC_REGISTER,
 * -EBUSY otherwise). The registering thread group is the daemon: its own
 * opens, and those of every task in config.exclude_cgroup_id when that is
 * non-zero, never produce events. All other commands need the registered
 * file.
 *
 * Daemon life cycle, the simple way round:
 *
 *   fd = open("/dev/vigil", O_RDWR | O_CLOEXEC);
 *   ioctl(fd, VIGIL_IOC_GET_INFO, &info);          features, limits
 *   ioctl(fd, VIGIL_IOC_REGISTER, &reg);           slots, deadline, verdicts
 *   slots = mmap(NULL, reg.nr_slots * sizeof(struct vigil_event),
 *                PROT_READ, MAP_SHARED, fd, 0);    read-only event slots
 *   ioctl(fd, VIGIL_IOC_WATCH, &watch);            once per filesystem
 *   then either loop A (io_uring) or loop B (ioctl), and close(fd) to stop.
 *
 * Loop A, io_uring passthrough (IORING_OP_URING_CMD on the /dev/vigil fd;
 * the 16-byte struct vigil_answer goes in sqe->cmd, so plain 64-byte SQEs
 * work and IORING_SETUP_SQE128 is not needed; sqe->cmd_op is one of the
 * VIGIL_URING_* opcodes; with liburing 2.3 fill the SQE with
 * io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0) and set cmd_op
 * afterwards):
 *
 *   for each slot s: submit VIGIL_URING_FETCH { .slot = s }
 *   on a CQE for slot s with res == 0:
 *       ev = &slots[s]; scan ev->fd; close(ev->fd);
 *       submit VIGIL_URING_COMMIT_AND_FETCH { .slot = s,
 *              .event_id = ev->event_id, .verdict = VIGIL_ALLOW or DENY }
 *   on a CQE with res < 0: -ECANCELED means the module or the daemon is going
 *       away (stop using the slot); other values are errors for that SQE.
 *
 *   A slot is owned by the daemon from the CQE until it submits the next
 *   command for that slot; the module writes a slot only while a FETCH or
 *   COMMIT_AND_FETCH for it is parked. VIGIL_URING_COMMIT answers without
 *   parking the slot again (shutdown, or to shrink the number of parked
 *   slots). A slot may be answered out of order with respect to others.
 *
 * Loop B, blocking ioctls (where io_uring is disabled, e.g. by
 * kernel.io_uring_disabled or a seccomp filter):
 *
 *   ioctl(fd, VIGIL_IOC_WAIT_EVENT, &ev);    blocks; -EINTR on a signal
 *   ioctl(fd, VIGIL_IOC_ANSWER, &answer);    .slot is ignored here
 *
 * Both loops may be mixed on one registration.
 *
 * A daemon's registration ends when its file is released, which happens
 * after the daemon's exit has finished tearing down its io_uring; until then
 * VIGIL_IOC_REGISTER by a successor fails with -EBUSY (retry; the
 * stats.registered counter drops to 0 when the old registration is gone).
 *
 * Events
 * ------
 * An event is one open (VIGIL_EVENT_OPEN) or one exec (VIGIL_EVENT_EXEC; an
 * exec produces exactly one event, not an exec event plus an open event) of
 * a regular file on a watched filesystem, by a task that is not excluded.
 * struct vigil_event carries an fd for the file, opened read-only with
 * O_CLOEXEC in the daemon's file table with the daemon's credentials (it
 * does not produce events, because the daemon is excluded); the daemon must
 * close it. When the module could not open the file, fd is a negative errno
 * and VIGIL_EVENT_F_NO_FD is set; answer anyway. The event also carries the
 * opener's pid, tgid, fsuid, fsgid, open flags and command name, the file's
 * identity (dev as new_encode_dev(), ino, generation, i_version when
 * VIGIL_EVENT_F_I_VERSION is set, size, mtime, ctime), the opener's cgroup
 * (v2) id and deadline_ns.
 *
 * Deadline
 * --------
 * Every opener waits at most config.timeout_ms, counted from the event's
 * creation (deadline_ns, CLOCK_MONOTONIC, in the event), whether the event
 * is still queued or already with the daemon; then it gets
 * config.timeout_verdict. timeout_ms is capped at VIGIL_TIMEOUT_MAX_MS
 * because every waiting opener holds fsnotify's global SRCU read lock, which
 * delays inotify and fanotify closes and umounts system-wide. Waits are
 * killable and freezable (a frozen opener waits past the deadline until it
 * is thawed, and holds that lock meanwhile). An answer after the deadline is dropped (counted in
 * stats.stale_answers).
 *
 * Opener spinning
 * ---------------
 * With reg.spin_us non-zero (VIGIL_FEATURE_OPENER_SPIN), an opener whose
 * event went to a parked io_uring command spins for its verdict, for at
 * most spin_us, while the thread that parked that command is running on a
 * CPU (it is about to take the event and answer), like a mutex waiter
 * spinning on a running owner: a daemon that polls its ring for a moment
 * after each answer then answers the next open with no sleep and no
 * wake-up on either side. The opener stops spinning, and sleeps as usual,
 * as soon as that thread is off its CPU, the opener should reschedule or
 * has a fatal signal pending. 0: never spin; at most VIGIL_SPIN_MAX_US.
 *
 * Backlog and overflow
 * --------------------
 * Events for which no slot is parked and no VIGIL_IOC_WAIT_EVENT caller is
 * waiting queue in a backlog of at most config.max_backlog events. An event
 * that finds the backlog full gets config.overflow_verdict at once. Nothing
 * is ever allowed silently: every release is counted in the statistics.
 *
 * Daemon death
 * ------------
 * When the registered file is released (close or exit), or the module sees
 * the daemon's thread group leader exiting (checked every
 * VIGIL_WATCHDOG_MS), every waiting opener gets config.release_verdict, the
 * filesystem marks are removed and parked io_uring commands complete with
 * -ECANCELED. From then on the module intercepts nothing until a daemon
 * registers again (as with fanotify, whose marks die with its group). On kernels with cancelable uring_cmds (VIGIL_FEATURE_CANCELABLE)
 * io_uring cancels parked commands of an exiting task at once; on older ones
 * the watchdog does it.
 *
 * What the daemon must not do before answering
 * ---------------------------------------------
 * An opener waits inside open(2) or execve(2) and may hold locks there: an
 * O_TRUNC opener (VIGIL_EVENT_F_TRUNC) holds the filesystem's freeze
 * protection, so a daemon that writes to that filesystem before answering
 * deadlocks against fsfreeze until the deadline; an exec holds the exec'ing
 * process's cred_guard_mutex, so ptrace-like access to the opener stalls.
 * Answer first, then log, quarantine or inspect. Waits are killable and
 * freezable: suspend and the cgroup v1 freezer freeze a waiting opener in
 * place; it gets its verdict, or the deadline's, once thawed.
 *
 * Kernel threads
 * --------------
 * Opens by kernel threads (nfsd, firmware and module loading, ...) never
 * wait for the daemon: a kernel thread may be what the daemon itself waits
 * on. They get the cached verdict when there is one and are allowed
 * otherwise, counted in stats.kthread_skips.
 *
 * Verdict cache
 * -------------
 * An answer with VIGIL_ANSWER_F_CACHE stores the verdict under (superblock,
 * inode number, inode generation). Later opens of the same file take the
 * cached verdict without an event while all of these hold: the inode is not
 * open for write; VIGIL_IOC_CACHE_FLUSH has not been called since the event
 * (call it when the signatures change); and, on filesystems with i_version,
 * i_version is unchanged. On filesystems without i_version an entry lives
 * only until the next close of the file after a write. Entries are not
 * stored when the file changed between the event and the answer. The cache
 * holds at most config.cache_entries entries (LRU) and is emptied when the
 * daemon unregisters or the filesystem is unmounted.
 *
 * Errors returned to openers
 * --------------------------
 * A deny returns answer.deny_errno, or config.deny_errno when that is 0, or
 * EPERM when both are 0. Only 1..VIGIL_ERRNO_MAX is accepted.
 */

#ifndef _UAPI_LINUX_VIGIL_H
#define _UAPI_LINUX_VIGIL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VIGIL_ABI_VERSION	1
#define VIGIL_DEVICE_NAME	"vigil"

/* 'Y' is not taken in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define VIGIL_IOC_MAGIC		'Y'

/* Hard limits, also reported by VIGIL_IOC_GET_INFO. */
#define VIGIL_TIMEOUT_MAX_MS	10000
#define VIGIL_SLOTS_MAX		1024
#define VIGIL_BACKLOG_MAX	16384
#define VIGIL_CACHE_MAX		(1U << 20)
#define VIGIL_ERRNO_MAX		133
#define VIGIL_WATCHDOG_MS	250
#define VIGIL_SPIN_MAX_US	1000

enum vigil_verdict {
	VIGIL_VERDICT_UNSET,	/* invalid in every field that takes a verdict */
	VIGIL_ALLOW,
	VIGIL_DENY,
	__VIGIL_VERDICT_MAX
};
#define VIGIL_VERDICT_MAX (__VIGIL_VERDICT_MAX - 1)

enum vigil_event_type {
	VIGIL_EVENT_UNSET,
	VIGIL_EVENT_OPEN,	/* open(2) and friends, including O_WRONLY */
	VIGIL_EVENT_EXEC,	/* execve(2) of the file, one event per exec */
	__VIGIL_EVENT_MAX
};
#define VIGIL_EVENT_MAX (__VIGIL_EVENT_MAX - 1)

/* struct vigil_event.flags */
enum vigil_event_flag {
	VIGIL_EVENT_F_READ = 1U << 0,		/* opened for reading */
	VIGIL_EVENT_F_WRITE = 1U << 1,		/* opened for writing */
	VIGIL_EVENT_F_TRUNC = 1U << 2,		/* O_TRUNC: opener holds sb_writers */
	VIGIL_EVENT_F_NO_FD = 1U << 3,		/* fd is -errno, not a file */
	VIGIL_EVENT_F_I_VERSION = 1U << 4,	/* i_version field is valid */
	__VIGIL_EVENT_F_MAX
};

/* struct vigil_config.flags */
enum vigil_config_flag {
	/* Allow opens without FMODE_READ (O_WRONLY) without an event. */
	VIGIL_CONFIG_F_SKIP_WRITE_ONLY = 1U << 0,
	__VIGIL_CONFIG_F_MAX
};

/* struct vigil_answer.flags */
enum vigil_answer_flag {
	VIGIL_ANSWER_F_CACHE = 1U << 0,		/* store this verdict in the cache */
	__VIGIL_ANSWER_F_MAX
};

/* struct vigil_info.features */
enum vigil_feature {
	VIGIL_FEATURE_URING_CMD = 1U << 0,	/* loop A is available */
	VIGIL_FEATURE_CANCELABLE = 1U << 1,	/* io_uring cancels parked cmds */
	VIGIL_FEATURE_NONOTIFY_FD = 1U << 2,	/* event fds are FMODE_NONOTIFY */
	VIGIL_FEATURE_OPENER_SPIN = 1U << 3,	/* reg.spin_us is taken */
	__VIGIL_FEATURE_MAX
};

/* VIGIL_IOC_GET_INFO: what this module supports. 32 bytes. */
struct vigil_info {
	__u32 abi_version;
	__u32 features;			/* enum vigil_feature bits */
	__u32 event_size;		/* sizeof(struct vigil_event) */
	__u32 max_slots;		/* VIGIL_SLOTS_MAX */
	__u32 max_timeout_ms;		/* VIGIL_TIMEOUT_MAX_MS */
	__u32 max_backlog;		/* VIGIL_BACKLOG_MAX */
	__u32 max_cache_entries;	/* VIGIL_CACHE_MAX */
	__u32 reserved;
};

/* Policy; part of VIGIL_IOC_REGISTER, changed by VIGIL_IOC_SET_CONFIG. 32 bytes. */
struct vigil_config {
	__u32 timeout_ms;		/* 1..VIGIL_TIMEOUT_MAX_MS */
	__u32 max_backlog;		/* 0..VIGIL_BACKLOG_MAX */
	__u32 cache_entries;		/* 0 disables the cache; <= VIGIL_CACHE_MAX */
	__u32 flags;			/* enum vigil_config_flag bits */
	__u16 deny_errno;		/* 0 means EPERM */
	__u8 timeout_verdict;		/* after timeout_ms */
	__u8 overflow_verdict;		/* backlog full */
	__u8 release_verdict;		/* daemon gone, module unloading */
	__u8 reserved[3];		/* zero */
	__u64 exclude_cgroup_id;	/* cgroup v2 id never blocked; 0: none */
};

/* VIGIL_IOC_REGISTER. 48 bytes. */
struct vigil_register {
	__u32 abi_version;		/* VIGIL_ABI_VERSION */
	__u32 nr_slots;			/* 1..VIGIL_SLOTS_MAX mmap'able slots */
	__u32 spin_us;			/* 0..VIGIL_SPIN_MAX_US: opener spinning */
	__u32 reserved;			/* zero */
	struct vigil_config config;
};

/* VIGIL_IOC_WATCH, VIGIL_IOC_UNWATCH: the filesystem holding fd. 16 bytes. */
struct vigil_watch {
	__s32 fd;			/* any fd on the filesystem, O_PATH is fine */
	__u32 flags;			/* zero */
	__u64 reserved;			/* zero */
};

/*
 * One event, as found in the mmap'd slot array (loop A) or filled in by
 * VIGIL_IOC_WAIT_EVENT (loop B). 128 bytes, naturally aligned.
 */
struct vigil_event {
	__u64 event_id;			/* echo in struct vigil_answer */
	__u32 type;			/* enum vigil_event_type */
	__u32 flags;			/* enum vigil_event_flag bits */
	__s32 fd;			/* O_RDONLY|O_CLOEXEC fd, or -errno */
	__s32 pid;			/* opener, in the daemon's pid namespace */
	__s32 tgid;
	__u32 uid;			/* opener's fsuid, init_user_ns */
	__u32 gid;			/* opener's fsgid, init_user_ns */
	__u32 f_flags;			/* opener's O_* flags */
	__u64 dev;			/* new_encode_dev(sb->s_dev), as st_dev */
	__u64 ino;
	__u32 generation;		/* inode->i_generation */
	__u32 reserved0;
	__u64 i_version;		/* with VIGIL_EVENT_F_I_VERSION */
	__s64 size;
	__s64 mtime_ns;
	__s64 ctime_ns;
	__u64 deadline_ns;		/* CLOCK_MONOTONIC */
	__u64 cgroup_id;		/* opener's cgroup v2 id, 0 if unknown */
	__u8 comm[16];			/* opener's command name, NUL-terminated */
};

/*
 * An answer, or a FETCH: the io_uring command payload (sqe->cmd) and the
 * VIGIL_IOC_ANSWER argument. 16 bytes, so it fits a plain 64-byte SQE.
 */
struct vigil_answer {
	__u64 event_id;			/* ignored by VIGIL_URING_FETCH */
	__u16 slot;			/* io_uring only: 0..nr_slots-1 */
	__u16 flags;			/* enum vigil_answer_flag bits */
	__u16 deny_errno;		/* 0: config.deny_errno */
	__u8 verdict;			/* enum vigil_verdict; ignored by FETCH */
	__u8 reserved;			/* zero */
};

/* VIGIL_IOC_STATS: counters since the module was loaded. 128 bytes. */
struct vigil_stats {
	__u64 events;			/* events created (delivered or not) */
	__u64 allowed;			/* answered allow by the daemon */
	__u64 denied;			/* answered deny by the daemon */
	__u64 timeouts;			/* released by the deadline */
	__u64 overflows;		/* released because the backlog was full */
	__u64 released;			/* released by daemon death or unload */
	__u64 cache_hits;
	__u64 cache_misses;
	__u64 cache_entries;		/* current */
	__u64 stale_answers;		/* answers for events no longer waiting */
	__u64 kthread_skips;		/* kernel-thread opens not sent */
	__u64 excluded;			/* daemon or excluded cgroup opens */
	__u64 pending;			/* current waiting openers */
	__u64 fd_errors;		/* events delivered with VIGIL_EVENT_F_NO_FD */
	__u64 interrupted;		/* openers killed while waiting */
	__u64 registered;		/* 1 while a daemon is registered */
};

#define VIGIL_IOC_GET_INFO	_IOR(VIGIL_IOC_MAGIC, 0x00, struct vigil_info)
#define VIGIL_IOC_REGISTER	_IOW(VIGIL_IOC_MAGIC, 0x01, struct vigil_register)
#define VIGIL_IOC_SET_CONFIG	_IOW(VIGIL_IOC_MAGIC, 0x02, struct vigil_config)
#define VIGIL_IOC_WATCH		_IOW(VIGIL_IOC_MAGIC, 0x03, struct vigil_watch)
#define VIGIL_IOC_UNWATCH	_IOW(VIGIL_IOC_MAGIC, 0x04, struct vigil_watch)
#define VIGIL_IOC_CACHE_FLUSH	_IO(VIGIL_IOC_MAGIC, 0x05)
#define VIGIL_IOC_STATS		_IOR(VIGIL_IOC_MAGIC, 0x06, struct vigil_stats)
#define VIGIL_IOC_WAIT_EVENT	_IOR(VIGIL_IOC_MAGIC, 0x07, struct vigil_event)
#define VIGIL_IOC_ANSWER	_IOW(VIGIL_IOC_MAGIC, 0x08, struct vigil_answer)

/* io_uring passthrough opcodes (sqe->cmd_op); payload struct vigil_answer. */
#define VIGIL_URING_FETCH		_IOW(VIGIL_IOC_MAGIC, 0x20, struct vigil_answer)
#define VIGIL_URING_COMMIT_AND_FETCH	_IOW(VIGIL_IOC_MAGIC, 0x21, struct vigil_answer)
#define VIGIL_URING_COMMIT		_IOW(VIGIL_IOC_MAGIC, 0x22, struct vigil_answer)

#endif /* _UAPI_LINUX_VIGIL_H */
