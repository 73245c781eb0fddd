/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * vigild.conf: the parsed configuration. config_parse_buffer() turns the
 * bytes of one file into a struct vigild_config or one error
 * "FILE:LINE: reason"; config_validate() refuses contradictions and checks
 * what needs the running system (group names). Nothing here logs.
 */
#ifndef VIGIL_DAEMON_CONFIG_H
#define VIGIL_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VIGILD_DEFAULT_CONFIG VIGIL_SYSCONFDIR "/vigil/vigild.conf"
#define VIGILD_DEFAULT_STATE_DIR VIGIL_LOCALSTATEDIR "/lib/vigil"
#define VIGILD_DEFAULT_SOCKET "/run/vigil/vigild.sock"

enum config_verdict { CONFIG_ALLOW = 0, CONFIG_DENY };
enum config_action { CONFIG_ACTION_DENY = 0, CONFIG_ACTION_AUDIT };
enum config_log { CONFIG_LOG_JOURNAL = 0, CONFIG_LOG_SYSLOG, CONFIG_LOG_FILE };
enum config_backend { CONFIG_BACKEND_AUTO = 0, CONFIG_BACKEND_FANOTIFY, CONFIG_BACKEND_KMOD };
enum config_quarantine { CONFIG_QUARANTINE_OFF = 0, CONFIG_QUARANTINE_MOVE };

#define CONFIG_SCAN_OPEN (1u << 0)
#define CONFIG_SCAN_EXEC (1u << 1)
#define CONFIG_SCAN_CLOSE_WRITE (1u << 2)

struct config_list {
	char **items;
	size_t count;
};

struct vigild_config {
	char *file;			/* the file it came from, for messages */
	struct config_list paths;
	struct config_list exclude_paths;
	struct config_list exclude_executables;
	uid_t *exclude_uids;
	size_t exclude_uid_count;
	unsigned scan_on;		/* CONFIG_SCAN_* */
	unsigned scan_on_line;		/* where scan_on was set; 0: the default */
	enum config_action action;
	int deny_errno;			/* EPERM or EACCES */
	bool deny_errno_set;
	unsigned timeout_ms;
	enum config_verdict on_timeout;
	enum config_verdict on_error;
	enum config_verdict overflow_verdict;
	bool overflow_verdict_set;
	unsigned workers;		/* 0: one per core */
	unsigned worker_spin_us;	/* an idle worker looks for work this long before sleeping */
	unsigned loop_scan_kib;		/* files up to this size, bytes in memory: scanned in the loop */
	uint64_t max_file_size;
	uint64_t max_scan_size;
	char *bases;
	char *root;
	char *state_dir;
	char *channel;
	enum config_log log;
	char *log_file;			/* with CONFIG_LOG_FILE */
	bool log_allowed;
	char *socket;
	char *socket_group;
	enum config_quarantine quarantine;
	char *quarantine_dir;
	enum config_backend backend;
	unsigned backend_line;		/* where backend was set; 0: the default */
	unsigned debug_scan_delay_ms;	/* tests only: every scan sleeps first */
};

/* Fills config with the defaults; config_uninit() frees what it holds. */
void config_init(struct vigild_config *config);
void config_uninit(struct vigild_config *config);

/* Parses one file's bytes (NUL bytes refused). On failure returns -EINVAL
 * and writes "FILE:LINE: reason" (or "FILE: reason") to error. */
int config_parse_buffer(struct vigild_config *config, const char *file,
			const char *data, size_t size, char *error, size_t error_size);

/* Reads and parses a file; -errno on I/O failure with a message too. */
int config_load_file(struct vigild_config *config, const char *file,
		     char *error, size_t error_size);

/* Contradictions and missing keys, after parsing: -EINVAL and a message. */
int config_validate(const struct vigild_config *config, char *error, size_t error_size);

/* What needs the running system (the socket group exists): -ENOENT and a
 * message. Kept apart so the fuzz target never asks NSS. */
int config_check_system(const struct vigild_config *config, char *error, size_t error_size);

const char *config_verdict_name(enum config_verdict verdict);
/* Whether path is folder or lies below it (both absolute, normalized). */
bool config_path_within(const char *path, const char *folder);

#endif
