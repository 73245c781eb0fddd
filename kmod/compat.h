/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: every kernel-version and kernel-feature difference the module
 * cares about, and nothing else. Other files never test LINUX_VERSION_CODE
 * or probe headers; they use the vigil_* helpers and VIGIL_HAVE_* switches
 * defined here. Feature probes (a macro or a header that appeared with the
 * change, tested here or by the probes in Kbuild) are used instead of version
 * numbers, because distributions backport: Debian's 6.12 already has the 6.14
 * FMODE_NONOTIFY rework. Version numbers appear only in the #error range.
 *
 * Supported range: 6.1.27 (the io_uring_cmd_done() with issue_flags) up to
 * but excluding 6.14 (pre-content events move the open hook, and the 6.18
 * io_uring_cmd_done() has three arguments). packaging/dkms.conf's
 * BUILD_EXCLUSIVE_KERNEL says the same thing in dkms' terms.
 */
#ifndef VIGIL_KMOD_COMPAT_H
#define VIGIL_KMOD_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/mm.h>

#if LINUX_VERSION_MAJOR != 6 || LINUX_VERSION_PATCHLEVEL < 1 || \
	(LINUX_VERSION_PATCHLEVEL == 1 && LINUX_VERSION_SUBLEVEL < 27)
#error "vigil needs Linux 6.1.27 or later (io_uring_cmd_done with issue_flags)"
#endif
#if LINUX_VERSION_PATCHLEVEL > 13
#error "vigil supports Linux up to 6.13; check fsnotify and io_uring changes first"
#endif

/*
 * io_uring passthrough. 6.7 moved struct io_uring_cmd to its own header,
 * replaced ->cmd with ->sqe and added cancelable commands; Kbuild's probe for
 * that header stands for all three.
 */
#ifdef VIGIL_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>
#define VIGIL_HAVE_URING_CANCEL 1
static inline const void *vigil_uring_payload(const struct io_uring_cmd *cmd)
{
	return io_uring_sqe_cmd(cmd->sqe);
}

static inline bool vigil_uring_is_cancel(unsigned int issue_flags)
{
	return issue_flags & IO_URING_F_CANCEL;
}

static inline void vigil_uring_mark_cancelable(struct io_uring_cmd *cmd,
					       unsigned int issue_flags)
{
	io_uring_cmd_mark_cancelable(cmd, issue_flags);
}
#else
#include <linux/io_uring.h>
#define VIGIL_HAVE_URING_CANCEL 0
static inline const void *vigil_uring_payload(const struct io_uring_cmd *cmd)
{
	return cmd->cmd;
}

static inline bool vigil_uring_is_cancel(unsigned int issue_flags)
{
	return false;
}

static inline void vigil_uring_mark_cancelable(struct io_uring_cmd *cmd,
					       unsigned int issue_flags)
{
}
#endif

/*
 * fsnotify. 6.10 replaced the FS_PRIO_* macros by an enum, moved superblock
 * marks into struct fsnotify_sb_info and dropped fsnotify_add_mark()'s fsid
 * argument, in one series: FS_PRIO_1 is the probe. From 6.10 a group below
 * content priority gets no permission events at all.
 */
#ifdef FS_PRIO_1
#define VIGIL_FSNOTIFY_PRIO	FS_PRIO_1
static inline int vigil_add_sb_mark(struct fsnotify_mark *mark,
				    struct super_block *sb)
{
	return fsnotify_add_mark(mark, &sb->s_fsnotify_marks,
				 FSNOTIFY_OBJ_TYPE_SB, 0, NULL);
}
#else
#define VIGIL_FSNOTIFY_PRIO	FSNOTIFY_PRIO_CONTENT
static inline int vigil_add_sb_mark(struct fsnotify_mark *mark,
				    struct super_block *sb)
{
	return fsnotify_add_mark(mark, sb, FSNOTIFY_OBJ_TYPE_SB, 0);
}
#endif

/*
 * Files opened for the daemon should not generate fsnotify events. The
 * __FMODE_NONOTIFY open flag went away with the FMODE_NONOTIFY_PERM rework
 * (6.14, backported to Debian's 6.12); without it the daemon's exclusion by
 * thread group is what keeps its own opens from waiting on itself.
 */
#ifdef __FMODE_NONOTIFY
#define VIGIL_OPEN_NONOTIFY	__FMODE_NONOTIFY
#define VIGIL_HAVE_NONOTIFY	1
#else
#define VIGIL_OPEN_NONOTIFY	0
#define VIGIL_HAVE_NONOTIFY	0
#endif

/* Timestamps became accessor-only in 6.7 (i_mtime split into sec/nsec). */
static inline s64 vigil_inode_mtime_ns(const struct inode *inode)
{
#ifdef VIGIL_HAVE_INODE_TIME_ACCESSORS
	return timespec64_to_ns(&(struct timespec64){ inode_get_mtime_sec(inode),
						      inode_get_mtime_nsec(inode) });
#else
	return timespec64_to_ns(&inode->i_mtime);
#endif
}

static inline s64 vigil_inode_ctime_ns(const struct inode *inode)
{
#ifdef VIGIL_HAVE_INODE_TIME_ACCESSORS
	return timespec64_to_ns(&(struct timespec64){ inode_get_ctime_sec(inode),
						      inode_get_ctime_nsec(inode) });
#else
	return timespec64_to_ns(&inode->i_ctime);
#endif
}

/* vm_flags became read-only for drivers in 6.3; vm_flags_clear() arrived. */
static inline void vigil_vma_forbid_write(struct vm_area_struct *vma)
{
#ifdef VIGIL_HAVE_VM_FLAGS_CLEAR
	vm_flags_clear(vma, VM_MAYWRITE);
#else
	vma->vm_flags &= ~VM_MAYWRITE;
#endif
}

#endif /* VIGIL_KMOD_COMPAT_H */
