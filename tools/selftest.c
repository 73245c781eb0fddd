// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil selftest [--socket PATH]`: proves, from a process of its
 * own, that the running vigild protects each covered path: it subscribes
 * to the verdict records, plants the EICAR test file in the path, checks
 * that opening it fails with EPERM and that a record of the denial arrives,
 * then removes the file. Owns only the planted files (always removed) and
 * its two connections. Exit 0 all paths pass, 1 any fails, 2 no vigild.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control-client.h"
#include "subcommands.h"

/* Assembled at run time so this binary itself never matches EICAR. */
static void eicar(char *buffer, size_t size)
{
	snprintf(buffer, size, "X5O!P%%@AP[4\\PZX54(P^)7CC)7}$%s-%s-%s-%s!$H+H*", "EICAR",
		 "STANDARD-ANTIVIRUS", "TEST", "FILE");
}

/* Waits up to 5 s for a record denying an open of path. */
static bool wait_for_record(int fd, const char *path)
{
	char buffer[1 << 16];
	size_t length = 0;
	time_t deadline = time(NULL) + 5;

	while (time(NULL) < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char *start = buffer, *newline;
		ssize_t got;

		if (poll(&pfd, 1, 500) <= 0)
			continue;
		got = read(fd, buffer + length, sizeof(buffer) - 1 - length);
		if (got <= 0)
			return false;
		length += (size_t)got;
		while ((newline = memchr(start, '\n', length - (size_t)(start - buffer)))) {
			struct json_object *record;
			bool match;

			*newline = '\0';
			record = json_tokener_parse(start);
			match = record && json_path(record, "file.path") &&
				!strcmp(json_object_get_string(json_path(record, "file.path")), path) &&
				json_path(record, "vigil.answer") &&
				!strcmp(json_object_get_string(json_path(record, "vigil.answer")), "deny");
			json_object_put(record);
			if (match)
				return true;
			start = newline + 1;
		}
		length -= (size_t)(start - buffer);
		memmove(buffer, start, length);
		if (length == sizeof(buffer) - 1)
			length = 0;
	}
	return false;
}

static bool test_path(const char *socket_path, const char *folder)
{
	char path[4096], content[128];
	struct json_object *reply;
	bool passed = false;
	int tail_fd, fd;

	tail_fd = control_open(socket_path, "tail");
	if (tail_fd < 0)
		return false;
	if (control_read_reply(tail_fd, &reply) < 0) {
		close(tail_fd);
		return false;
	}
	json_object_put(reply);
	snprintf(path, sizeof(path), "%s/.vigil-selftest-%d", folder, (int)getpid());
	eicar(content, sizeof(content));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		printf("%s: FAIL: cannot plant the test file: %s\n", folder, strerror(errno));
		goto out_close;
	}
	if (write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
		printf("%s: FAIL: cannot write the test file: %s\n", folder, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		printf("%s: FAIL: the EICAR test file opened (not denied)\n", folder);
		close(fd);
		goto out_unlink;
	}
	if (errno != EPERM) {
		printf("%s: FAIL: the open failed with %s, not EPERM\n", folder, strerror(errno));
		goto out_unlink;
	}
	if (!wait_for_record(tail_fd, path)) {
		printf("%s: FAIL: denied, but no verdict record arrived\n", folder);
		goto out_unlink;
	}
	printf("%s: ok (EICAR denied with EPERM and recorded)\n", folder);
	passed = true;
out_unlink:
	if (unlink(path) < 0 && errno != ENOENT)
		printf("%s: warning: cannot remove %s: %s\n", folder, path, strerror(errno));
out_close:
	close(tail_fd);
	return passed;
}

int selftest_main(int argc, char *argv[])
{
	struct json_object *reply, *coverage;
	const char *socket_path;
	size_t tested = 0, failed = 0;
	int first, r;

	r = control_parse_options(argc, argv, "[--socket PATH]", false, &socket_path, NULL, &first);
	if (r)
		return r > 0 ? 0 : 2;
	if (first != argc) {
		fprintf(stderr, "%s: selftest: unexpected argument `%s'\n", program_name, argv[first]);
		return 2;
	}
	r = control_call(socket_path, "status", &reply);
	if (r) {
		json_object_put(reply);
		return 2;
	}
	coverage = json_path(reply, "coverage");
	for (size_t i = 0; coverage && i < json_object_array_length(coverage); i++) {
		struct json_object *item = json_object_array_get_idx(coverage, i);
		struct json_object *covered = json_path(item, "covered");

		if (!covered || !json_object_get_boolean(covered)) {
			printf("%s: skipped (not covered)\n", json_object_get_string(json_path(item, "path")));
			continue;
		}
		tested++;
		if (!test_path(socket_path, json_object_get_string(json_path(item, "path"))))
			failed++;
	}
	json_object_put(reply);
	if (!tested) {
		printf("no covered path to test\n");
		return 1;
	}
	printf("%zu path(s) tested, %zu failed\n", tested, failed);
	return failed ? 1 : 0;
}
