/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Verdict records: what happened to one event (or one reload), rendered as
 * one ECS JSON object per line and written, after the answer, by the
 * recorder thread to a file, the journal or syslog, and to `vigil tail`
 * subscribers.
 */
#ifndef VIGIL_DAEMON_RECORD_H
#define VIGIL_DAEMON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

enum record_kind {
	RECORD_DETECTION,	/* a signature matched */
	RECORD_ALLOWED,		/* clean, with log_allowed */
	RECORD_TIMEOUT,		/* answered on_timeout */
	RECORD_ERROR,		/* answered on_error */
	RECORD_LIMITED,		/* beyond max_file_size/max_scan_size: allowed unscanned */
	RECORD_RELOAD,		/* bases reloaded, or a reload refused */
};

struct verdict_record {
	enum record_kind kind;
	uint64_t timestamp_ns;		/* CLOCK_REALTIME */
	const char *action;		/* "open", "exec", "close_write", "reload" */
	bool answered;			/* a permission event was answered */
	bool denied;
	bool success;			/* for RECORD_RELOAD */
	char *path;			/* raw bytes, any encoding */
	uint64_t inode;
	uint64_t size;
	bool sha256_valid;
	uint8_t sha256[32];
	pid_t pid;			/* 0: none */
	pid_t parent_pid;
	char *executable;
	long long uid;			/* -1: unknown */
	char **rules;
	size_t rule_count;
	char *bases_version;
	uint64_t latency_us;
	char *message;
};

struct recorder;
struct json_object;

void verdict_record_free(struct verdict_record *record);

/* The JSON line (no newline) for a record; NULL on allocation failure. */
char *verdict_record_to_json(const struct verdict_record *record, const char *host_name);

/* vigil_utf8_escape() of a C string: bytes that are not UTF-8 become
 * `\xNN`, a backslash `\\`; valid text is left alone. */
char *utf8_escape(const char *text);

int recorder_new(const struct vigild_config *config, const char *host_name,
		 struct recorder **ret_recorder, char *error, size_t error_size);
void recorder_free(struct recorder *recorder);
/* Takes over the record; never blocks (a full queue drops and counts). */
void recorder_submit(struct recorder *recorder, struct verdict_record *record);
void recorder_reopen(struct recorder *recorder);
/* `vigil tail`: sends greeting (the reply line, newline included) to fd,
 * then every later record line until the peer is gone or falls behind (then
 * it is cut off and counted). No record made after the greeting is missed.
 * Takes over fd. */
int recorder_subscribe(struct recorder *recorder, int fd, const char *greeting);
void recorder_status(struct recorder *recorder, struct json_object *object);
/* Waits until every record submitted so far is written (tests, shutdown). */
void recorder_drain(struct recorder *recorder);

#endif
