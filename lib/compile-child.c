// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: compiles a part's matcher in a child process whose address
 * space is capped, so that a compile too large for its limits ends as a
 * clear error instead of an out-of-memory kill of the caller (vigild must
 * never compile large sets in its own process). The child inherits the
 * parsed set, compiles, serializes the Hyperscan database and writes it to
 * a pipe, framed by its length; the parent reads it, reaps the child and
 * hands the bytes back. Nothing the child touches outlives it.
 *
 *   engine.c -> compile_in_child() -> fork -> child: setrlimit(RLIMIT_AS),
 *     matcher_compile_for() (this machine, or a bundle's target), matcher_serialize(), write(pipe), _exit()
 *   parent: read(pipe) -> waitpid() -> bytes or the child's reason
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile-child.h"
#include "fd-io.h"

#define MAX_MATCHER_BYTES (4ULL << 30)

/* Frame: u8 status (0 ok, 1 error), u64 length, then the bytes (the
 * serialized database, or the reason text). */
static void __attribute__((noreturn)) child_main(int fd, const struct signature_set *set,
						  const struct matcher_target *target,
						  uint64_t memory_limit)
{
	struct rlimit limit = { .rlim_cur = memory_limit, .rlim_max = memory_limit };
	struct matcher *matcher = NULL;
	char reason[256] = "", *bytes = NULL;
	size_t size = 0;
	uint8_t status = 1;
	uint64_t length;
	int r;

	/* The child must not keep the parent's fds (vigild's fanotify and
	 * io_uring fds would hold blocked openers) nor outlive it. */
	if (fd > 3)
		close_range(3, (unsigned int)fd - 1, 0);
	close_range((unsigned int)fd + 1, ~0U, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#ifdef __SANITIZE_ADDRESS__
	/* ASan reserves terabytes of address space up front. */
	memory_limit = 0;
#endif
	if (memory_limit && setrlimit(RLIMIT_AS, &limit) < 0)
		snprintf(reason, sizeof(reason), "cannot cap the compile's memory: %s", strerror(errno));
	else if ((r = matcher_compile_for(set, target, &matcher, reason, sizeof(reason))) < 0) {
		if (r == -ENOMEM || !reason[0] || strstr(reason, "allocate memory"))
			snprintf(reason, sizeof(reason),
				 "compiling the matcher needs more memory than its limit of %llu MiB",
				 (unsigned long long)(memory_limit >> 20));
	} else if (matcher_serialize(matcher, &bytes, &size) < 0) {
		snprintf(reason, sizeof(reason), "cannot serialize the compiled matcher (out of memory)");
	} else {
		status = 0;
	}
	length = status ? strlen(reason) : size;
	if (!vigil_write_all(fd, &status, 1) && !vigil_write_all(fd, &length, sizeof(length)))
		vigil_write_all(fd, status ? reason : bytes, (size_t)length);
	_exit(status);
}

int compile_in_child(const struct signature_set *set, const struct matcher_target *target,
		     uint64_t memory_limit, char **ret_bytes, size_t *ret_size, char *reason, size_t reason_size)
{
	int pipe_fds[2], wait_status, r;
	uint8_t status;
	uint64_t length;
	char *bytes = NULL;
	pid_t pid;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return r;
	}
	if (pid == 0) {
		close(pipe_fds[0]);
		child_main(pipe_fds[1], set, target, memory_limit);
	}
	close(pipe_fds[1]);
	r = vigil_read_all(pipe_fds[0], &status, 1);
	if (!r)
		r = vigil_read_all(pipe_fds[0], &length, sizeof(length));
	if (!r && length > MAX_MATCHER_BYTES)
		r = -EBADMSG;
	if (!r) {
		bytes = malloc(length + 1);
		r = bytes ? vigil_read_all(pipe_fds[0], bytes, (size_t)length) : -ENOMEM;
	}
	close(pipe_fds[0]);
	while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR)
		;
	if (r < 0) {
		free(bytes);
		if (WIFSIGNALED(wait_status))
			snprintf(reason, reason_size, "the matcher compile was killed by signal %d (memory limit %llu MiB?)",
				 WTERMSIG(wait_status), (unsigned long long)(memory_limit >> 20));
		else
			snprintf(reason, reason_size, "the matcher compile failed: %s", strerror(-r));
		return -ECHILD;
	}
	if (status) {
		bytes[length] = '\0';
		snprintf(reason, reason_size, "%s", bytes);
		free(bytes);
		return -EINVAL;
	}
	*ret_bytes = bytes;
	*ret_size = (size_t)length;
	return 0;
}
