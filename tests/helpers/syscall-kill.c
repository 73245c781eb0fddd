// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: a crash injector for tests. Runs a command under ptrace and
 * numbers, in order, every system call it makes that changes something
 * under one folder (creating, writing, syncing, renaming, linking,
 * removing); with --list it prints them, with --kill N it SIGKILLs the
 * command at the entry of the Nth one, before the kernel carries it out.
 * The program under test is the real, unmodified binary: no switch in it.
 * Owns the traced process (and any thread or child it starts) until it
 * exits; PTRACE_O_EXITKILL kills them should this helper die.
 *
 *   fork -> child: PTRACE_TRACEME, SIGSTOP, exec COMMAND -> parent:
 *   PTRACE_SYSCALL loop -> PTRACE_GET_SYSCALL_INFO at each entry ->
 *   a mutating call whose path (or fd) lies under --under -> counted
 *   (printed) -> the Nth: kill(SIGKILL)
 *
 * Usage: syscall-kill --under DIR (--list | --kill N) -- COMMAND [ARG]...
 * Exit status: the command's own, 128 + signal when it was killed, 2 on
 * misuse or a tracing failure. x86_64 and other architectures whose
 * <sys/syscall.h> names these calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

enum argument_kind { PATH_AT, PATH, FD, OPEN_AT, OPEN };

struct watched_call {
	long number;
	const char *name;
	enum argument_kind kind;
	int dir_argument;	/* PATH_AT / OPEN_AT: which argument is the dirfd */
	int path_argument;	/* the path (or fd for FD) */
};

static const struct watched_call watched[] = {
	{ SYS_openat, "openat", OPEN_AT, 0, 1 },
#ifdef SYS_open
	{ SYS_open, "open", OPEN, -1, 0 },
#endif
#ifdef SYS_creat
	{ SYS_creat, "creat", PATH, -1, 0 },
#endif
	{ SYS_write, "write", FD, -1, 0 },
	{ SYS_pwrite64, "pwrite64", FD, -1, 0 },
	{ SYS_writev, "writev", FD, -1, 0 },
	{ SYS_pwritev, "pwritev", FD, -1, 0 },
	{ SYS_fsync, "fsync", FD, -1, 0 },
	{ SYS_fdatasync, "fdatasync", FD, -1, 0 },
	{ SYS_syncfs, "syncfs", FD, -1, 0 },
	{ SYS_ftruncate, "ftruncate", FD, -1, 0 },
	{ SYS_fallocate, "fallocate", FD, -1, 0 },
	{ SYS_fchmod, "fchmod", FD, -1, 0 },
	{ SYS_fchown, "fchown", FD, -1, 0 },
	{ SYS_renameat, "renameat", PATH_AT, 2, 3 },
	{ SYS_renameat2, "renameat2", PATH_AT, 2, 3 },
#ifdef SYS_rename
	{ SYS_rename, "rename", PATH, -1, 1 },
#endif
	{ SYS_linkat, "linkat", PATH_AT, 2, 3 },
	{ SYS_symlinkat, "symlinkat", PATH_AT, 1, 2 },
#ifdef SYS_symlink
	{ SYS_symlink, "symlink", PATH, -1, 1 },
#endif
	{ SYS_unlinkat, "unlinkat", PATH_AT, 0, 1 },
#ifdef SYS_unlink
	{ SYS_unlink, "unlink", PATH, -1, 0 },
#endif
#ifdef SYS_rmdir
	{ SYS_rmdir, "rmdir", PATH, -1, 0 },
#endif
	{ SYS_mkdirat, "mkdirat", PATH_AT, 0, 1 },
#ifdef SYS_mkdir
	{ SYS_mkdir, "mkdir", PATH, -1, 0 },
#endif
	{ SYS_truncate, "truncate", PATH, -1, 0 },
	{ SYS_fchmodat, "fchmodat", PATH_AT, 0, 1 },
	{ SYS_fchownat, "fchownat", PATH_AT, 0, 1 },
};

static void usage(void)
{
	fprintf(stderr, "Usage: syscall-kill --under DIR (--list | --kill N) -- COMMAND [ARG]...\n");
	exit(2);
}

/* A NUL-terminated string from the tracee; false when unreadable. */
static bool read_string(pid_t pid, uint64_t address, char *buffer, size_t size)
{
	struct iovec local = { buffer, size - 1 }, remote = { (void *)(uintptr_t)address, size - 1 };
	ssize_t got;

	/* Page by page would be exact; a short read near the end of a
	 * mapping is retried with a smaller length. */
	for (size_t length = size - 1; length >= 16; length /= 2) {
		local.iov_len = remote.iov_len = length;
		got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (got > 0) {
			buffer[got] = '\0';
			return memchr(buffer, '\0', (size_t)got + 1) != NULL;
		}
	}
	return false;
}

/* What one of the tracee's fds (or AT_FDCWD) names, as an absolute path. */
static bool fd_path(pid_t pid, long fd, char *buffer, size_t size)
{
	char link[64];
	ssize_t length;

	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%ld", (int)pid, fd);
	length = readlink(link, buffer, size - 1);
	if (length <= 0)
		return false;
	buffer[length] = '\0';
	return true;
}

/* The absolute path a call acts on, lexically; false when unknown. */
static bool call_path(pid_t pid, const struct watched_call *call, const uint64_t *args, char *buffer,
		      size_t size)
{
	char relative[PATH_MAX], base[PATH_MAX];

	if (call->kind == FD)
		return fd_path(pid, (long)(int)args[call->path_argument], buffer, size);
	if (!read_string(pid, args[call->path_argument], relative, sizeof(relative)))
		return false;
	if (relative[0] == '/') {
		snprintf(buffer, size, "%s", relative);
		return true;
	}
	if (!fd_path(pid, call->dir_argument < 0 ? AT_FDCWD : (long)(int)args[call->dir_argument], base,
		     sizeof(base)))
		return false;
	snprintf(buffer, size, "%s/%s", base, relative);
	return true;
}

static bool opens_for_change(const struct watched_call *call, const uint64_t *args)
{
	int flags = (int)args[call->kind == OPEN_AT ? 2 : 1];

	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

static bool under(const char *path, const char *folder)
{
	size_t length = strlen(folder);

	return !strncmp(path, folder, length) && (path[length] == '/' || path[length] == '\0');
}

int main(int argc, char *argv[])
{
	const char *folder_arg = NULL;
	char folder[PATH_MAX], path[PATH_MAX * 2];
	unsigned long kill_at = 0, counted = 0;
	bool list = false;
	int i, status, exit_status = 2;
	pid_t command;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--under") && i + 1 < argc) {
			folder_arg = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			list = true;
		} else if (!strcmp(argv[i], "--kill") && i + 1 < argc) {
			char *end;

			errno = 0;
			kill_at = strtoul(argv[++i], &end, 10);
			if (errno || *end || !kill_at)
				usage();
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			usage();
		}
	}
	if (!folder_arg || i >= argc || list == (kill_at != 0))
		usage();
	if (!realpath(folder_arg, folder)) {
		fprintf(stderr, "syscall-kill: %s: %s\n", folder_arg, strerror(errno));
		return 2;
	}

	command = fork();
	if (command < 0) {
		perror("syscall-kill: fork");
		return 2;
	}
	if (command == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
			perror("syscall-kill: PTRACE_TRACEME");
			_exit(2);
		}
		raise(SIGSTOP);
		execvp(argv[i], argv + i);
		fprintf(stderr, "syscall-kill: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	if (waitpid(command, &status, 0) != command || !WIFSTOPPED(status)) {
		fprintf(stderr, "syscall-kill: the command did not stop for tracing\n");
		return 2;
	}
	if (ptrace(PTRACE_SETOPTIONS, command, NULL,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE |
				  PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)) < 0) {
		perror("syscall-kill: PTRACE_SETOPTIONS");
		kill(command, SIGKILL);
		return 2;
	}
	ptrace(PTRACE_SYSCALL, command, NULL, NULL);

	for (;;) {
		pid_t pid = waitpid(-1, &status, __WALL);
		int deliver = 0;

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;	/* ECHILD: everything traced is gone */
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (pid == command)
				exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info info;

			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info) > 0 &&
			    info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				for (size_t w = 0; w < sizeof(watched) / sizeof(watched[0]); w++) {
					const struct watched_call *call = &watched[w];

					if ((long)info.entry.nr != call->number)
						continue;
					if ((call->kind == OPEN_AT || call->kind == OPEN) &&
					    !opens_for_change(call, info.entry.args))
						break;
					if (!call_path(pid, call, info.entry.args, path, sizeof(path)) ||
					    !under(path, folder))
						break;
					counted++;
					if (list)
						printf("%lu %s %s\n", counted, call->name,
						       path[strlen(folder)] ? path + strlen(folder) + 1 : ".");
					if (counted == kill_at) {
						fflush(stdout);
						kill(pid, SIGKILL);
					}
					break;
				}
			}
		} else if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_CLONE << 8)) ||
			   status >> 8 == (SIGTRAP | (PTRACE_EVENT_FORK << 8)) ||
			   status >> 8 == (SIGTRAP | (PTRACE_EVENT_VFORK << 8)) ||
			   status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)) ||
			   WSTOPSIG(status) == SIGSTOP) {
			/* new threads and children are traced from their start */
		} else {
			deliver = WSTOPSIG(status);
		}
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)deliver);
	}
	fflush(stdout);
	return exit_status;
}
