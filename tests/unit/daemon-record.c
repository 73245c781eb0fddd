// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: unit tests of daemon/record.c and daemon/control-proto.c:
 * the ECS fields of a verdict record, escaping of paths that are not
 * UTF-8, and the control request parser.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control-proto.h"
#include "record.h"

static const char *field(struct json_object *root, const char *dotted)
{
	char copy[128], *save = NULL;
	struct json_object *node = root;

	snprintf(copy, sizeof(copy), "%s", dotted);
	for (char *part = strtok_r(copy, ".", &save); part; part = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(node, part, &node))
			return NULL;
	return json_object_get_string(node);
}

Test(record, detection_fields)
{
	struct verdict_record record = {
		.kind = RECORD_DETECTION, .timestamp_ns = 1795000000123000000ULL, .action = "open",
		.answered = true, .denied = true, .path = "/srv/a\xff" "b", .inode = 42, .size = 68,
		.sha256_valid = true, .pid = 77, .parent_pid = 1, .executable = "/usr/bin/cat",
		.uid = 1000, .bases_version = "folder-1", .latency_us = 12,
	};
	char *rules[] = { "Eicar-Test" };
	struct json_object *root;
	char *line;

	record.rules = rules;
	record.rule_count = 1;
	line = verdict_record_to_json(&record, "host1");
	cr_assert(line);
	cr_expect(!strchr(line, '\n'));
	root = json_tokener_parse(line);
	cr_assert(root, "not JSON: %s", line);
	cr_expect_str_eq(field(root, "@timestamp"), "2026-11-18T11:06:40.123Z");
	cr_expect_str_eq(field(root, "event.kind"), "alert");
	cr_expect_str_eq(json_object_to_json_string_ext(json_object_object_get(
		json_object_object_get(root, "event"), "category"), JSON_C_TO_STRING_PLAIN),
		"[\"malware\",\"intrusion_detection\"]");
	cr_expect_str_eq(json_object_to_json_string_ext(json_object_object_get(
		json_object_object_get(root, "event"), "type"), JSON_C_TO_STRING_PLAIN),
		"[\"info\",\"denied\"]");
	cr_expect_str_eq(field(root, "event.action"), "open");
	cr_expect_str_eq(field(root, "file.path"), "/srv/a\\xffb");
	cr_expect_str_eq(field(root, "file.inode"), "42");
	cr_expect_str_eq(field(root, "file.size"), "68");
	cr_expect_str_eq(field(root, "file.hash.sha256"),
			 "0000000000000000000000000000000000000000000000000000000000000000");
	cr_expect_str_eq(field(root, "process.pid"), "77");
	cr_expect_str_eq(field(root, "process.executable"), "/usr/bin/cat");
	cr_expect_str_eq(field(root, "process.parent.pid"), "1");
	cr_expect_str_eq(field(root, "user.id"), "1000");
	cr_expect_str_eq(field(root, "host.name"), "host1");
	cr_expect_str_eq(field(root, "vigil.bases.version"), "folder-1");
	cr_expect_str_eq(field(root, "vigil.latency_us"), "12");
	cr_expect_str_eq(field(root, "vigil.answer"), "deny");
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(json_object_object_get(
		json_object_object_get(root, "rule"), "name"), 0)), "Eicar-Test");
	json_object_put(root);
	free(line);
}

Test(record, utf8_escape)
{
	char *escaped = utf8_escape("caf\xc3\xa9 \xc3 \xed\xa0\x80 a\\b");

	cr_expect_str_eq(escaped, "caf\xc3\xa9 \\xc3 \\xed\\xa0\\x80 a\\\\b");
	free(escaped);
}

Test(control, requests)
{
	struct control_request request;
	const char *reason = NULL;

	cr_expect_eq(control_request_parse("status\n", 7, &request, &reason), 0);
	cr_expect_eq(request.command, CONTROL_STATUS);
	cr_expect_eq(control_request_parse("quarantine restore 0a-1f", 24, &request, &reason), 0);
	cr_expect_eq(request.command, CONTROL_QUARANTINE_RESTORE);
	cr_expect_str_eq(request.id, "0a-1f");
	cr_expect(!control_request_read_only(&request));
	cr_expect_eq(control_request_parse("quarantine restore ../x", 23, &request, &reason), -EINVAL);
	cr_expect_str_eq(reason, "not a quarantine id");
	cr_expect_eq(control_request_parse("stat\x01us", 7, &request, &reason), -EINVAL);
	cr_expect_eq(control_request_parse("", 0, &request, &reason), -EINVAL);
	cr_expect_eq(control_request_parse("a b c d e", 9, &request, &reason), -EINVAL);
	cr_expect_eq(control_request_parse("reload now", 10, &request, &reason), -EINVAL);
}
