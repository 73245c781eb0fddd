// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the control socket. This file owns the listening Unix socket,
 * the thread that polls it and the connections until each request is
 * answered. It must not own the bases (reloads go through
 * bases_request_reload()), the records (a `tail` connection is handed to the
 * recorder with recorder_subscribe(), which owns it from then on) nor the
 * events: nothing here is on the answer path.
 *
 *   accept -> SO_PEERCRED (root: anything; socket_group: read-only
 *   requests) -> one line -> control_request_parse() -> reply (one JSON
 *   line) and close | `reload`: a thread waits for the reload and replies
 *   | `tail`: the fd moves to the recorder, which sends the "ok" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control-proto.h"
#include "quarantine.h"
#include "record.h"
#include "utf8-escape.h"
#include "vigild.h"

#define CONTROL_CLIENTS_MAX 32
#define CONTROL_REQUEST_TIMEOUT_NS (2ULL * 1000000000ULL)

struct control_client {
	int fd;
	bool root;
	bool group_member;
	uint64_t deadline_ns;
	size_t length;
	char buffer[CONTROL_REQUEST_MAX + 2];
};

struct control {
	struct vigild *vigild;
	char *path;
	int listen_fd;
	int stop_pipe[2];
	gid_t group;
	bool has_group;
	pthread_t thread;
	bool thread_started;
	struct control_client clients[CONTROL_CLIENTS_MAX];
	size_t client_count;
};

static void send_line(int fd, struct json_object *object)
{
	const char *text = json_object_to_json_string_ext(object, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t length = strlen(text), done = 0;
	char *line = malloc(length + 1);

	if (!line)
		return;
	memcpy(line, text, length);
	line[length] = '\n';
	while (done < length + 1) {
		ssize_t sent = send(fd, line + done, length + 1 - done, MSG_NOSIGNAL);

		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0)
			break;
		done += (size_t)sent;
	}
	free(line);
}

static void reply_error(int fd, const char *reason)
{
	struct json_object *object = json_object_new_object();

	json_object_object_add(object, "ok", json_object_new_boolean(false));
	json_object_object_add(object, "error", json_object_new_string(reason));
	send_line(fd, object);
	json_object_put(object);
}

struct reload_waiter {
	struct vigild *vigild;
	int fd;
	uint64_t ticket;
};

static void *reload_waiter_thread(void *data)
{
	struct reload_waiter *waiter = data;
	struct json_object *object = json_object_new_object();
	char message[512];
	int r = bases_wait_reload(waiter->vigild->bases, waiter->ticket, message, sizeof(message));

	json_object_object_add(object, "ok", json_object_new_boolean(r == 0));
	json_object_object_add(object, r == 0 ? "bases" : "error", json_object_new_string(message));
	send_line(waiter->fd, object);
	json_object_put(object);
	close(waiter->fd);
	free(waiter);
	return NULL;
}

static void handle_request(struct control *control, struct control_client *client)
{
	struct vigild *vigild = control->vigild;
	struct control_request request;
	const char *reason = NULL;
	struct json_object *object;
	struct timeval timeout = { 2, 0 };
	int fd = client->fd;

	client->fd = -1;
	/* Replies may block a little; a reader that never reads is dropped. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (control_request_parse(client->buffer, client->length, &request, &reason) < 0) {
		reply_error(fd, reason);
		close(fd);
		return;
	}
	if (!client->root && !(client->group_member && control_request_read_only(&request))) {
		char message[512];

		if (client->group_member)
			snprintf(message, sizeof(message), "%s needs root (members of socket_group %s "
				 "may only use status, tail and quarantine list)",
				 control_request_name(&request), vigild->config.socket_group);
		else
			snprintf(message, sizeof(message), "permission denied (only root and members "
				 "of socket_group may use vigild's socket)");
		reply_error(fd, message);
		close(fd);
		return;
	}
	switch (request.command) {
	case CONTROL_STATUS:
		object = json_object_new_object();
		json_object_object_add(object, "ok", json_object_new_boolean(true));
		vigild_status(vigild, object);
		send_line(fd, object);
		json_object_put(object);
		break;
	case CONTROL_PING:
		object = json_object_new_object();
		json_object_object_add(object, "ok", json_object_new_boolean(true));
		json_object_object_add(object, "pid", json_object_new_int(vigild->pid));
		send_line(fd, object);
		json_object_put(object);
		break;
	case CONTROL_RELOAD: {
		struct reload_waiter *waiter = malloc(sizeof(*waiter));
		pthread_attr_t attributes;
		pthread_t thread;

		if (!waiter) {
			reply_error(fd, "out of memory");
			break;
		}
		waiter->vigild = vigild;
		waiter->fd = fd;
		waiter->ticket = bases_request_reload(vigild->bases);
		pthread_attr_init(&attributes);
		pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&thread, &attributes, reload_waiter_thread, waiter) != 0) {
			free(waiter);
			reply_error(fd, "reload requested; cannot wait for it");
			pthread_attr_destroy(&attributes);
			break;
		}
		pthread_attr_destroy(&attributes);
		return;	/* the waiter owns fd */
	}
	case CONTROL_TAIL:
		/* The "ok" line is sent by the recorder as it subscribes fd: sent
		 * here first, a record made before the subscription (the client
		 * acting at once on the "ok") would be lost. */
		shutdown(fd, SHUT_RD);
		recorder_subscribe(vigild->recorder, fd,
				   "{\"ok\":true,\"tail\":true}\n");
		return;	/* the recorder owns fd */
	case CONTROL_QUARANTINE_LIST: {
		struct json_object *items = json_object_new_array();

		object = json_object_new_object();
		quarantine_list(vigild->quarantine_dir, items);
		json_object_object_add(object, "ok", json_object_new_boolean(true));
		json_object_object_add(object, "items", items);
		send_line(fd, object);
		json_object_put(object);
		break;
	}
	case CONTROL_QUARANTINE_RESTORE:
	case CONTROL_QUARANTINE_DELETE: {
		char message[4200];
		int r = request.command == CONTROL_QUARANTINE_RESTORE ?
			quarantine_restore(vigild->quarantine_dir, request.id, message, sizeof(message)) :
			quarantine_delete(vigild->quarantine_dir, request.id, message, sizeof(message));

		if (r < 0) {
			reply_error(fd, message);
			break;
		}
		object = json_object_new_object();
		json_object_object_add(object, "ok", json_object_new_boolean(true));
		if (request.command == CONTROL_QUARANTINE_RESTORE) {
			char *shown = vigil_utf8_escape(message, strlen(message));

			json_object_object_add(object, "restored",
					       json_object_new_string(shown ? shown : "?"));
			free(shown);
		}
		send_line(fd, object);
		json_object_put(object);
		break;
	}
	}
	close(fd);
}

static bool peer_in_group(int fd, gid_t group)
{
	gid_t groups[256];
	socklen_t size = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &size) < 0)
		return false;
	for (size_t i = 0; i < size / sizeof(gid_t); i++)
		if (groups[i] == group)
			return true;
	return false;
}

static void accept_client(struct control *control)
{
	struct control_client *client;
	struct ucred credentials;
	socklen_t size = sizeof(credentials);
	int fd = accept4(control->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (control->client_count == CONTROL_CLIENTS_MAX ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) < 0) {
		close(fd);
		return;
	}
	client = &control->clients[control->client_count++];
	memset(client, 0, sizeof(*client));
	client->fd = fd;
	client->root = credentials.uid == 0;
	client->group_member = control->has_group &&
		(credentials.gid == control->group || peer_in_group(fd, control->group));
	client->deadline_ns = monotonic_ns() + CONTROL_REQUEST_TIMEOUT_NS;
}

/* Reads what the client sent; true when the client is done with (answered
 * or dropped). */
static bool read_client(struct control *control, struct control_client *client)
{
	for (;;) {
		ssize_t got = recv(client->fd, client->buffer + client->length,
				   sizeof(client->buffer) - 1 - client->length, 0);
		char *newline;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (got <= 0) {
			if (client->length) {
				handle_request(control, client);
				return true;
			}
			close(client->fd);
			return true;
		}
		client->length += (size_t)got;
		newline = memchr(client->buffer, '\n', client->length);
		if (newline) {
			client->length = (size_t)(newline - client->buffer) + 1;
			handle_request(control, client);
			return true;
		}
		if (client->length >= sizeof(client->buffer) - 1) {
			reply_error(client->fd, "request too long");
			close(client->fd);
			return true;
		}
	}
}

static void *control_thread(void *data)
{
	struct control *control = data;

	for (;;) {
		struct pollfd fds[CONTROL_CLIENTS_MAX + 2];
		size_t count = 0;
		uint64_t now;

		fds[count++] = (struct pollfd){ .fd = control->stop_pipe[0], .events = POLLIN };
		fds[count++] = (struct pollfd){ .fd = control->listen_fd, .events = POLLIN };
		for (size_t i = 0; i < control->client_count; i++)
			fds[count++] = (struct pollfd){ .fd = control->clients[i].fd, .events = POLLIN };
		if (poll(fds, count, 500) < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			break;
		now = monotonic_ns();
		for (size_t i = 0; i < control->client_count;) {
			struct control_client *client = &control->clients[i];
			bool done;

			if (fds[i + 2].revents)
				done = read_client(control, client);
			else if (now > client->deadline_ns) {
				close(client->fd);
				done = true;
			} else {
				done = false;
			}
			if (done) {
				/* Keep fds[] in step with clients[]. */
				control->clients[i] = control->clients[--control->client_count];
				fds[i + 2] = fds[control->client_count + 2];
			} else {
				i++;
			}
		}
		if (fds[1].revents & POLLIN)
			accept_client(control);
	}
	return NULL;
}

int control_new(struct vigild *vigild, struct control **ret_control, char *error,
		size_t error_size)
{
	const struct vigild_config *config = &vigild->config;
	struct control *control = calloc(1, sizeof(*control));
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	char folder[sizeof(address.sun_path)];
	char *slash;
	int r, probe;

	if (!control)
		return -ENOMEM;
	control->vigild = vigild;
	control->listen_fd = -1;
	control->stop_pipe[0] = control->stop_pipe[1] = -1;
	control->path = strdup(config->socket ? config->socket : VIGILD_DEFAULT_SOCKET);
	if (!control->path) {
		r = -ENOMEM;
		goto err_free;
	}
	if (strlen(control->path) >= sizeof(address.sun_path)) {
		r = -ENAMETOOLONG;
		snprintf(error, error_size, "socket %s: path too long", control->path);
		goto err_free;
	}
	if (config->socket_group) {
		struct group *group = getgrnam(config->socket_group);

		if (!group) {
			r = -ENOENT;
			snprintf(error, error_size, "socket_group: no group named `%s'",
				 config->socket_group);
			goto err_free;
		}
		control->group = group->gr_gid;
		control->has_group = true;
	}
	snprintf(folder, sizeof(folder), "%s", control->path);
	slash = strrchr(folder, '/');
	if (slash && slash != folder) {
		*slash = '\0';
		if (mkdir(folder, 0755) < 0 && errno != EEXIST) {
			r = -errno;
			snprintf(error, error_size, "socket folder %s: %s", folder, strerror(-r));
			goto err_free;
		}
	}
	memcpy(address.sun_path, control->path, strlen(control->path) + 1);
	/* A live socket there belongs to another vigild: never steal it. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&address, sizeof(address)) == 0) {
		close(probe);
		r = -EADDRINUSE;
		snprintf(error, error_size, "socket %s: another vigild answers there", control->path);
		goto err_free;
	}
	if (probe >= 0)
		close(probe);
	unlink(control->path);
	control->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (control->listen_fd < 0 ||
	    bind(control->listen_fd, (struct sockaddr *)&address, sizeof(address)) < 0 ||
	    chmod(control->path, control->has_group ? 0660 : 0600) < 0 ||
	    (control->has_group && chown(control->path, 0, control->group) < 0) ||
	    listen(control->listen_fd, 64) < 0) {
		r = -errno;
		snprintf(error, error_size, "socket %s: %s", control->path, strerror(-r));
		goto err_free;
	}
	if (pipe2(control->stop_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(error, error_size, "pipe: %s", strerror(-r));
		goto err_free;
	}
	r = -pthread_create(&control->thread, NULL, control_thread, control);
	if (r < 0) {
		snprintf(error, error_size, "control thread: %s", strerror(-r));
		goto err_free;
	}
	control->thread_started = true;
	*ret_control = control;
	return 0;

err_free:
	control_free(control);
	return r;
}

void control_free(struct control *control)
{
	if (!control)
		return;
	if (control->thread_started) {
		if (write(control->stop_pipe[1], "x", 1) < 0)
			perror("vigild: control stop");
		pthread_join(control->thread, NULL);
	}
	for (size_t i = 0; i < control->client_count; i++)
		close(control->clients[i].fd);
	if (control->listen_fd >= 0) {
		close(control->listen_fd);
		unlink(control->path);
	}
	if (control->stop_pipe[0] >= 0)
		close(control->stop_pipe[0]);
	if (control->stop_pipe[1] >= 0)
		close(control->stop_pipe[1]);
	free(control->path);
	free(control);
}
