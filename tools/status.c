// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil status [--json] [--socket PATH]`: asks the running
 * vigild for its state and prints it (JSON as vigild sent it, or a summary
 * for people). Owns nothing beyond the reply it prints.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "control-client.h"
#include "subcommands.h"

static long long number(struct json_object *reply, const char *dotted)
{
	struct json_object *node = json_path(reply, dotted);

	return node ? (long long)json_object_get_int64(node) : 0;
}

static const char *text(struct json_object *reply, const char *dotted)
{
	struct json_object *node = json_path(reply, dotted);

	return node ? json_object_get_string(node) : "?";
}

static void print_human(struct json_object *reply)
{
	struct json_object *coverage = json_path(reply, "coverage");
	long long uptime = number(reply, "uptime_seconds");

	printf("vigild %s (pid %lld) on %s, up %lldh%02lldm%02llds, backend %s\n",
	       text(reply, "version"), number(reply, "pid"), text(reply, "host"), uptime / 3600,
	       uptime / 60 % 60, uptime % 60, text(reply, "backend"));
	printf("bases: %s, %lld signatures, loaded %llds ago; reloads %lld, refused %lld\n",
	       text(reply, "bases.version"), number(reply, "bases.signatures"),
	       number(reply, "bases.age_seconds"), number(reply, "bases.reloads"),
	       number(reply, "bases.reloads_failed"));
	if (json_path(reply, "bases.last_reload_message"))
		printf("last reload: %s: %s\n", text(reply, "bases.last_reload_result"),
		       text(reply, "bases.last_reload_message"));
	printf("events: %lld (cache hits %lld, scans %lld), detections %lld, denied %lld, "
	       "timeouts %lld, errors %lld, overflows %lld\n",
	       number(reply, "events.events"), number(reply, "events.cache_hits"),
	       number(reply, "events.scans"), number(reply, "events.detections"),
	       number(reply, "events.denied"), number(reply, "events.timeouts"),
	       number(reply, "events.errors"), number(reply, "events.overflows"));
	printf("latency: p50 %lld us, p99 %lld us; in flight %lld of %lld\n",
	       number(reply, "latency.p50_us"), number(reply, "latency.p99_us"),
	       number(reply, "events.in_flight"), number(reply, "events.in_flight_cap"));
	if (json_path(reply, "module.error"))
		printf("vigil.ko: counters unavailable: %s\n", text(reply, "module.error"));
	else if (json_path(reply, "module"))
		printf("vigil.ko (since loaded): events %lld, allowed %lld, denied %lld, "
		       "kernel timeouts %lld, overflows %lld, released %lld, cache hits %lld, "
		       "misses %lld, entries %lld, pending %lld, stale answers %lld, "
		       "interrupted %lld\n",
		       number(reply, "module.events"), number(reply, "module.allowed"),
		       number(reply, "module.denied"), number(reply, "module.timeouts"),
		       number(reply, "module.overflows"), number(reply, "module.released"),
		       number(reply, "module.cache_hits"), number(reply, "module.cache_misses"),
		       number(reply, "module.cache_entries"), number(reply, "module.pending"),
		       number(reply, "module.stale_answers"), number(reply, "module.interrupted"));
	printf("records: %s, written %lld, dropped %lld, write errors %lld, tail readers %lld, "
	       "cut off %lld\n", text(reply, "records.sink"), number(reply, "records.written"),
	       number(reply, "records.dropped"), number(reply, "records.write_errors"),
	       number(reply, "records.tail_subscribers"), number(reply, "records.tail_cut_off"));
	if (json_path(reply, "records.last_error"))
		printf("last record error: %s\n", text(reply, "records.last_error"));
	printf("coverage:\n");
	for (size_t i = 0; coverage && i < json_object_array_length(coverage); i++) {
		struct json_object *path = json_object_array_get_idx(coverage, i);
		struct json_object *covered = json_path(path, "covered");

		printf("  %s: %s (%s, %s)\n", text(path, "path"),
		       covered && json_object_get_boolean(covered) ? "covered" : "NOT COVERED",
		       text(path, "method"), text(path, "filesystem"));
		if (json_path(path, "note"))
			printf("    %s\n", text(path, "note"));
	}
}

int status_main(int argc, char *argv[])
{
	struct json_object *reply;
	const char *socket_path;
	bool json;
	int first, r;

	r = control_parse_options(argc, argv, "[--json] [--socket PATH]", true, &socket_path, &json,
				  &first);
	if (r)
		return r > 0 ? 0 : 2;
	if (first != argc) {
		fprintf(stderr, "%s: status: unexpected argument `%s'\n", program_name, argv[first]);
		return 2;
	}
	r = control_call(socket_path, "status", &reply);
	if (r == 0) {
		if (json)
			printf("%s\n", json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			print_human(reply);
	}
	json_object_put(reply);
	return r;
}
