// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil tail [--json] [--socket PATH]`: streams verdict records
 * from the running vigild until it stops or we are interrupted. --json
 * prints each record as vigild sent it (one ECS JSON object per line);
 * otherwise one summary line per record. A reader too slow for vigild is
 * cut off by it; then this exits 1 with a note.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control-client.h"
#include "subcommands.h"

static const char *text(struct json_object *record, const char *dotted)
{
	struct json_object *node = json_path(record, dotted);

	return node ? json_object_get_string(node) : "-";
}

static void print_summary(const char *line)
{
	struct json_object *record = json_tokener_parse(line);
	struct json_object *rules;

	if (!record) {
		printf("%s\n", line);
		return;
	}
	rules = json_path(record, "rule.name");
	printf("%s %-8s %-6s %-11s %s%s%s\n", text(record, "@timestamp"),
	       text(record, "vigil.verdict"), text(record, "vigil.answer"),
	       text(record, "event.action"), json_path(record, "file.path") ?
	       text(record, "file.path") : text(record, "message"),
	       rules ? " " : "", rules ? json_object_get_string(json_object_array_get_idx(rules, 0)) : "");
	json_object_put(record);
}

int tail_main(int argc, char *argv[])
{
	struct json_object *reply, *ok;
	const char *socket_path;
	char buffer[1 << 16];
	size_t length = 0;
	bool json;
	int first, fd, r;

	r = control_parse_options(argc, argv, "[--json] [--socket PATH]", true, &socket_path, &json,
				  &first);
	if (r)
		return r > 0 ? 0 : 2;
	if (first != argc) {
		fprintf(stderr, "%s: tail: unexpected argument `%s'\n", program_name, argv[first]);
		return 2;
	}
	fd = control_open(socket_path, "tail");
	if (fd < 0)
		return 2;
	if (control_read_reply(fd, &reply) < 0) {
		close(fd);
		return 2;
	}
	if (!json_object_object_get_ex(reply, "ok", &ok) || !json_object_get_boolean(ok)) {
		fprintf(stderr, "%s: %s\n", program_name, json_object_get_string(reply));
		json_object_put(reply);
		close(fd);
		return 1;
	}
	json_object_put(reply);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		ssize_t got = read(fd, buffer + length, sizeof(buffer) - 1 - length);
		char *start = buffer, *newline;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		length += (size_t)got;
		while ((newline = memchr(start, '\n', length - (size_t)(start - buffer)))) {
			*newline = '\0';
			if (json)
				printf("%s\n", start);
			else
				print_summary(start);
			start = newline + 1;
		}
		length -= (size_t)(start - buffer);
		memmove(buffer, start, length);
		if (length == sizeof(buffer) - 1)
			length = 0;	/* a line longer than any record: drop it */
	}
	close(fd);
	fprintf(stderr, "%s: tail: vigild closed the stream (it stopped, or this reader fell behind)\n",
		program_name);
	return 1;
}
