// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil quarantine list|restore ID|delete ID [--socket PATH]`:
 * asks the running vigild, which owns the quarantine folder, and prints its
 * answer. Exit 0 done, 1 refused (reason printed), 2 usage or no vigild.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "control-client.h"
#include "subcommands.h"

int quarantine_main(int argc, char *argv[])
{
	static const char usage[] = "list|restore ID|delete ID [--socket PATH]";
	struct json_object *reply, *items;
	const char *socket_path = VIGIL_DEFAULT_SOCKET;
	const char *words[2] = { NULL, NULL };
	size_t word_count = 0;
	char request[256];
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			socket_path = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: %s quarantine %s\n", program_name, usage);
			return 0;
		} else if (argv[i][0] == '-' || word_count == 2) {
			fprintf(stderr, "Usage: %s quarantine %s\n", program_name, usage);
			return 2;
		} else {
			words[word_count++] = argv[i];
		}
	}
	if (word_count == 1 && !strcmp(words[0], "list")) {
		snprintf(request, sizeof(request), "quarantine list");
	} else if (word_count == 2 && (!strcmp(words[0], "restore") || !strcmp(words[0], "delete")) &&
		   strlen(words[1]) < 100) {
		snprintf(request, sizeof(request), "quarantine %s %s", words[0], words[1]);
	} else {
		fprintf(stderr, "Usage: %s quarantine %s\n", program_name, usage);
		return 2;
	}
	r = control_call(socket_path, request, &reply);
	if (r == 0 && json_object_object_get_ex(reply, "items", &items)) {
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			struct json_object *item = json_object_array_get_idx(items, i);

			printf("%s  %s  %s\n", json_object_get_string(json_path(item, "id")),
			       json_object_get_string(json_path(item, "time")),
			       json_object_get_string(json_path(item, "path")));
		}
	} else if (r == 0 && json_object_object_get_ex(reply, "restored", &items)) {
		printf("restored %s\n", json_object_get_string(items));
	} else if (r == 0) {
		printf("deleted\n");
	}
	json_object_put(reply);
	return r;
}
