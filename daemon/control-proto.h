/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The control-socket protocol. A client sends one request line:
 *   status | reload | tail | ping | quarantine list |
 *   quarantine restore ID | quarantine delete ID
 * and reads one JSON object per line back: one reply for every request but
 * `tail`, which streams verdict records until either side closes. Replies
 * carry "ok": true/false and, on false, "error": "reason".
 */
#ifndef VIGIL_DAEMON_CONTROL_PROTO_H
#define VIGIL_DAEMON_CONTROL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_REQUEST_MAX 512
#define CONTROL_ID_MAX 64

enum control_command {
	CONTROL_STATUS,
	CONTROL_RELOAD,
	CONTROL_TAIL,
	CONTROL_PING,
	CONTROL_QUARANTINE_LIST,
	CONTROL_QUARANTINE_RESTORE,
	CONTROL_QUARANTINE_DELETE,
};

struct control_request {
	enum control_command command;
	char id[CONTROL_ID_MAX + 1];	/* quarantine restore/delete */
};

/* Parses one request (the line, with or without its newline). Returns 0,
 * or -EINVAL with a reason. Nothing beyond data[0..size) is read. */
int control_request_parse(const char *data, size_t size, struct control_request *ret_request,
			  const char **ret_reason);

/* Whether a member of socket_group (not root) may make this request. */
bool control_request_read_only(const struct control_request *request);
/* The request's words as a user types them after `vigil' ("quarantine restore"). */
const char *control_request_name(const struct control_request *request);

#endif
