// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the control-socket request parser. It owns nothing but the
 * request it fills; it must not act on requests (control.c does) nor trust
 * the peer: any byte sequence is refused or parsed within its bounds.
 *
 *   bytes from the socket -> control_request_parse() -> struct
 *   control_request -> control.c acts and replies.
 */
#include <errno.h>
#include <string.h>

#include "control-proto.h"

static bool id_ok(const char *text, size_t length)
{
	if (!length || length > CONTROL_ID_MAX)
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = text[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'))
			return false;
	}
	return true;
}

int control_request_parse(const char *data, size_t size, struct control_request *ret_request,
			  const char **ret_reason)
{
	const char *words[4];
	size_t lengths[4], count = 0, i = 0;

	if (size && data[size - 1] == '\n')
		size--;
	if (size && data[size - 1] == '\r')
		size--;
	if (size > CONTROL_REQUEST_MAX) {
		*ret_reason = "request too long";
		return -EINVAL;
	}
	for (size_t j = 0; j < size; j++) {
		if ((unsigned char)data[j] < 0x20 || (unsigned char)data[j] > 0x7e) {
			*ret_reason = "request has a control or non-ASCII byte";
			return -EINVAL;
		}
	}
	while (i < size) {
		size_t start;

		while (i < size && data[i] == ' ')
			i++;
		if (i == size)
			break;
		if (count == 4) {
			*ret_reason = "too many words";
			return -EINVAL;
		}
		start = i;
		while (i < size && data[i] != ' ')
			i++;
		words[count] = data + start;
		lengths[count++] = i - start;
	}
	if (!count) {
		*ret_reason = "empty request";
		return -EINVAL;
	}
#define IS(n, word) (lengths[n] == sizeof(word) - 1 && !memcmp(words[n], word, sizeof(word) - 1))
	memset(ret_request, 0, sizeof(*ret_request));
	if (count == 1 && IS(0, "status"))
		ret_request->command = CONTROL_STATUS;
	else if (count == 1 && IS(0, "reload"))
		ret_request->command = CONTROL_RELOAD;
	else if (count == 1 && IS(0, "tail"))
		ret_request->command = CONTROL_TAIL;
	else if (count == 1 && IS(0, "ping"))
		ret_request->command = CONTROL_PING;
	else if (count == 2 && IS(0, "quarantine") && IS(1, "list"))
		ret_request->command = CONTROL_QUARANTINE_LIST;
	else if (count == 3 && IS(0, "quarantine") && (IS(1, "restore") || IS(1, "delete"))) {
		if (!id_ok(words[2], lengths[2])) {
			*ret_reason = "not a quarantine id";
			return -EINVAL;
		}
		ret_request->command = IS(1, "restore") ? CONTROL_QUARANTINE_RESTORE :
			CONTROL_QUARANTINE_DELETE;
		memcpy(ret_request->id, words[2], lengths[2]);
		ret_request->id[lengths[2]] = '\0';
	} else {
		*ret_reason = "unknown request";
		return -EINVAL;
	}
#undef IS
	return 0;
}

bool control_request_read_only(const struct control_request *request)
{
	return request->command == CONTROL_STATUS || request->command == CONTROL_TAIL ||
	       request->command == CONTROL_PING || request->command == CONTROL_QUARANTINE_LIST;
}

const char *control_request_name(const struct control_request *request)
{
	switch (request->command) {
	case CONTROL_STATUS: return "status";
	case CONTROL_RELOAD: return "reload";
	case CONTROL_TAIL: return "tail";
	case CONTROL_PING: return "ping";
	case CONTROL_QUARANTINE_LIST: return "quarantine list";
	case CONTROL_QUARANTINE_RESTORE: return "quarantine restore";
	case CONTROL_QUARANTINE_DELETE: return "quarantine delete";
	}
	return "this request";
}
