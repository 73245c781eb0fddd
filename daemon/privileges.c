// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: least privilege. This file owns nothing after it returns.
 * privileges_drop_capabilities() runs before any thread is made and drops
 * every capability vigild does not need (effective, permitted, inheritable
 * and bounding sets) and sets no_new_privs; privileges_restrict_syscalls()
 * runs once setup is done and installs a seccomp allowlist on every thread
 * (libseccomp, TSYNC). Anything outside the list fails with EPERM rather
 * than killing vigild: a missed syscall must never hang an open.
 *
 * Kept, and why:
 *   CAP_SYS_ADMIN       fanotify_mark for mounts made later; umount2 of our
 *                       bind mounts at stop
 *   CAP_FOWNER          the kernel opens event fds O_NOATIME with our creds
 *   CAP_LEASE           the read-lease test for writers on any file
 *   CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH   bases, quarantine and restores
 *   CAP_CHOWN           exact quarantine restore (owner)
 *   CAP_SYS_PTRACE      /proc/PID/exe of any opener (records, exclusions)
 *
 * Under AddressSanitizer the seccomp filter is left out: LeakSanitizer
 * stops the world with ptrace at exit.
 */
#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vigild.h"

static const int kept_capabilities[] = {
	CAP_SYS_ADMIN, CAP_FOWNER, CAP_LEASE, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_CHOWN,
	CAP_SYS_PTRACE,
};

static bool kept(int capability)
{
	for (size_t i = 0; i < sizeof(kept_capabilities) / sizeof(kept_capabilities[0]); i++)
		if (kept_capabilities[i] == capability)
			return true;
	return false;
}

static int drop_capabilities(char *error, size_t error_size)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	for (int capability = 0; capability <= CAP_LAST_CAP; capability++) {
		if (kept(capability)) {
			data[capability / 32].effective |= 1u << (capability % 32);
			data[capability / 32].permitted |= 1u << (capability % 32);
		} else if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) < 0 && errno != EINVAL) {
			snprintf(error, error_size, "dropping capability %d: %s", capability,
				 strerror(errno));
			return -errno;
		}
	}
	/* Capability sets are per thread: this runs before any thread exists,
	 * so every thread inherits them. */
	if (syscall(SYS_capset, &header, data) < 0) {
		snprintf(error, error_size, "capset: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static const char *const allowed_syscalls[] = {
	"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv2", "close", "fstat", "newfstatat",
	"statx", "lseek", "mmap", "munmap", "mprotect", "madvise", "mremap", "brk",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "futex", "futex_waitv",
	"set_robust_list", "rseq", "clone", "clone3", "exit", "exit_group", "gettid", "getpid",
	"tgkill", "nanosleep", "clock_nanosleep", "clock_gettime", "gettimeofday", "sched_yield",
	"sched_getaffinity", "getrandom", "openat", "openat2", "readlink", "readlinkat",
	"getdents64", "fcntl", "socket", "connect", "sendmsg", "sendto", "recvfrom", "recvmsg",
	"accept4", "poll", "ppoll", "getsockopt", "setsockopt", "shutdown", "unlink", "unlinkat",
	"mkdir", "mkdirat", "fsync", "fdatasync", "fchown", "fchmod", "utimensat", "ftruncate",
	"pipe2", "rename", "renameat", "renameat2", "io_uring_enter", "fanotify_mark", "umount2", "getuid", "geteuid", "getgid",
	"getegid", "getrlimit", "prlimit64", "dup", "dup3", "memfd_create", "uname",
	"restart_syscall", "getcwd", "faccessat", "faccessat2", "access", "stat", "lstat",
	"open", "mount", "statfs", "fstatfs", "sysinfo", "getppid", "eventfd2", "epoll_wait",
	"epoll_pwait", "epoll_ctl", "epoll_create1", "ioctl", "kill", "wait4",
};

static __attribute__((unused)) int install_seccomp(char *error, size_t error_size)
{
	scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!filter) {
		snprintf(error, error_size, "seccomp_init failed");
		return -ENOMEM;
	}
	r = seccomp_attr_set(filter, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; r == 0 && i < sizeof(allowed_syscalls) / sizeof(allowed_syscalls[0]); i++) {
		int number = seccomp_syscall_resolve_name(allowed_syscalls[i]);

		if (number == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		r = seccomp_rule_add(filter, SCMP_ACT_ALLOW, number, 0);
	}
	if (r == 0)
		r = seccomp_load(filter);
	if (r < 0)
		snprintf(error, error_size, "seccomp: %s", strerror(-r));
	seccomp_release(filter);
	return r;
}

int privileges_drop_capabilities(char *error, size_t error_size)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(error, error_size, "no_new_privs: %s", strerror(errno));
		return -errno;
	}
	return drop_capabilities(error, error_size);
}

int privileges_restrict_syscalls(char *summary, size_t summary_size)
{
#ifdef VIGILD_UNDER_ASAN
	snprintf(summary, summary_size, "seccomp off (AddressSanitizer build)");
	return 0;
#else
	int r = install_seccomp(summary, summary_size);

	if (r == 0)
		snprintf(summary, summary_size, "seccomp allowlist");
	return r;
#endif
}
