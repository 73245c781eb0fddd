// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tells an end-to-end test whether this machine gives fanotify
 * permission events: exit 0 yes, 77 no (with the reason on stdout, which
 * the test runner shows for a skip). Owns one fanotify fd for a moment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	const char *path = argc > 1 ? argv[1] : "/tmp";
	int fd;

	if (geteuid() != 0) {
		printf("not root: fanotify permission events need CAP_SYS_ADMIN\n");
		return 77;
	}
	fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY);
	if (fd < 0) {
		printf("fanotify_init(FAN_CLASS_CONTENT): %s\n", strerror(errno));
		return 77;
	}
	if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM,
			  AT_FDCWD, path) < 0) {
		printf("fanotify_mark(FAN_OPEN_PERM) on %s: %s\n", path, strerror(errno));
		close(fd);
		return 77;
	}
	close(fd);
	return 0;
}
