// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the client end of vigild's control socket. It owns one
 * connection at a time and the JSON it reads; it must not format a
 * subcommand's output (each subcommand does) nor retry: a failure is
 * printed once and returned.
 *
 *   subcommand -> control_open() (connect, send the line) ->
 *   control_read_reply() (one JSON line) -> subcommand prints -> close
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control-client.h"
#include "subcommands.h"

int control_connect(const char *socket_path, const char *request)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	size_t length = strlen(request);
	int fd, r;

	if (strlen(socket_path) >= sizeof(address.sun_path))
		return -ENAMETOOLONG;
	memcpy(address.sun_path, socket_path, strlen(socket_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0)
		goto err_close;
	if (send(fd, request, length, MSG_NOSIGNAL) != (ssize_t)length ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) != 1)
		goto err_close;
	return fd;

err_close:
	r = -errno;
	close(fd);
	return r;
}

int control_open(const char *socket_path, const char *request)
{
	int fd = control_connect(socket_path, request);

	if (fd == -ENAMETOOLONG)
		fprintf(stderr, "%s: %s: socket path too long\n", program_name, socket_path);
	else if (fd == -EPIPE || fd == -ECONNRESET)
		fprintf(stderr, "%s: sending to vigild: %s\n", program_name, strerror(-fd));
	else if (fd < 0)
		fprintf(stderr, "%s: cannot reach vigild at %s: %s%s\n", program_name, socket_path,
			strerror(-fd), fd == -ENOENT || fd == -ECONNREFUSED ?
			" (is vigild running? another socket: --socket PATH)" :
			fd == -EACCES ? " (only root and members of vigild's socket_group may connect)" :
			"");
	return fd;
}

int control_receive(int fd, struct json_object **ret_reply)
{
	char buffer[1 << 16];
	size_t length = 0;

	while (length < sizeof(buffer) - 1) {
		ssize_t got = recv(fd, buffer + length, 1, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (buffer[length] == '\n')
			break;
		length += (size_t)got;
	}
	buffer[length] = '\0';
	*ret_reply = length ? json_tokener_parse(buffer) : NULL;
	return *ret_reply ? 0 : -EPROTO;
}

int control_read_reply(int fd, struct json_object **ret_reply)
{
	int r = control_receive(fd, ret_reply);

	if (r < 0)
		fprintf(stderr, "%s: vigild closed the connection without a reply\n", program_name);
	return r;
}

int control_call(const char *socket_path, const char *request, struct json_object **ret_reply)
{
	struct json_object *reply, *ok, *error;
	int fd = control_open(socket_path, request);

	*ret_reply = NULL;
	if (fd < 0)
		return 2;
	if (control_read_reply(fd, &reply) < 0) {
		close(fd);
		return 2;
	}
	close(fd);
	*ret_reply = reply;
	if (json_object_object_get_ex(reply, "ok", &ok) && json_object_get_boolean(ok))
		return 0;
	fprintf(stderr, "%s: %s\n", program_name,
		json_object_object_get_ex(reply, "error", &error) ? json_object_get_string(error) :
		"vigild refused");
	return 1;
}

struct json_object *json_path(struct json_object *root, const char *dotted)
{
	char copy[256], *save = NULL;
	struct json_object *node = root;

	snprintf(copy, sizeof(copy), "%s", dotted);
	for (char *part = strtok_r(copy, ".", &save); part && node; part = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(node, part, &node))
			return NULL;
	return node;
}

int control_parse_options(int argc, char *argv[], const char *usage, bool allow_json,
			  const char **ret_socket, bool *ret_json, int *ret_first)
{
	int i;

	*ret_socket = VIGIL_DEFAULT_SOCKET;
	if (ret_json)
		*ret_json = false;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			*ret_socket = argv[++i];
		} else if (!strncmp(argv[i], "--socket=", 9)) {
			*ret_socket = argv[i] + 9;
		} else if (allow_json && !strcmp(argv[i], "--json")) {
			*ret_json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: %s %s %s\n", program_name, argv[0], usage);
			return 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s: %s: unknown option `%s'\nUsage: %s %s %s\n", program_name,
				argv[0], argv[i], program_name, argv[0], usage);
			return -1;
		} else {
			break;
		}
	}
	*ret_first = i;
	return 0;
}
