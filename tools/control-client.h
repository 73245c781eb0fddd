/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The client side of vigild's control socket (protocol in
 * daemon/control-proto.h), shared by status, reload, tail, quarantine and
 * selftest. Errors are printed once, as "vigil: REASON", by these helpers.
 */
#ifndef VIGIL_TOOLS_CONTROL_CLIENT_H
#define VIGIL_TOOLS_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stdio.h>

struct json_object;

#define VIGIL_DEFAULT_SOCKET "/run/vigil/vigild.sock"

/* Connects and sends one request line; the fd, or -errno (not printed). */
int control_connect(const char *socket_path, const char *request);
/* control_connect(), with a failure printed. */
int control_open(const char *socket_path, const char *request);
/* Reads one reply line as JSON; 0, or -EPROTO (not printed). */
int control_receive(int fd, struct json_object **ret_reply);
/* control_receive(), with a failure printed. */
int control_read_reply(int fd, struct json_object **ret_reply);
/* control_open + control_read_reply + close. Returns 0 when the reply says
 * ok, 1 when vigild refused (reason printed), 2 on any other failure. */
int control_call(const char *socket_path, const char *request, struct json_object **ret_reply);
/* A dotted field of a reply ("events.denied"), or NULL. */
struct json_object *json_path(struct json_object *root, const char *dotted);

/* Common options: --socket PATH, --json, --help. Leaves the rest in place
 * (argv[*ret_first] onwards). Returns -1 on misuse (usage printed), 1 when
 * help was printed, 0 otherwise. */
int control_parse_options(int argc, char *argv[], const char *usage, bool allow_json,
			  const char **ret_socket, bool *ret_json, int *ret_first);

#endif
