// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil reload [--socket PATH]`: asks the running vigild to
 * reload its bases and waits for the outcome. Exit 0 when the new bases
 * run (or nothing changed), 1 when vigild refused them (the running bases
 * stay; the reason is printed), 2 when vigild cannot be reached.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "control-client.h"
#include "subcommands.h"

int reload_main(int argc, char *argv[])
{
	struct json_object *reply, *bases;
	const char *socket_path;
	int first, r;

	r = control_parse_options(argc, argv, "[--socket PATH]", false, &socket_path, NULL, &first);
	if (r)
		return r > 0 ? 0 : 2;
	if (first != argc) {
		fprintf(stderr, "%s: reload: unexpected argument `%s'\n", program_name, argv[first]);
		return 2;
	}
	r = control_call(socket_path, "reload", &reply);
	if (r == 0 && json_object_object_get_ex(reply, "bases", &bases))
		printf("bases: %s\n", json_object_get_string(bases));
	json_object_put(reply);
	return r;
}
