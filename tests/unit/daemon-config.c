// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: unit tests of daemon/config.c: every key parses, bad values,
 * unknown keys and contradictions are refused with FILE:LINE: reason.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "config.h"

static int parse(struct vigild_config *config, const char *text, char *error, size_t size)
{
	config_init(config);
	return config_parse_buffer(config, "test.conf", text, strlen(text), error, size);
}

static void expect_error(const char *text, const char *message)
{
	struct vigild_config config;
	char error[512] = "";

	cr_expect_eq(parse(&config, text, error, sizeof(error)), -EINVAL, "accepted: %s", text);
	cr_expect_str_eq(error, message);
	config_uninit(&config);
}

Test(config, every_key)
{
	struct vigild_config config;
	char error[512] = "";
	const char *text =
		"# comment\n"
		"; another\n"
		"\n"
		"paths = /srv /home\n"
		"paths = /opt\n"
		"exclude_paths = /srv/cache\n"
		"exclude_executables = /usr/bin/backup\n"
		"exclude_uids = 0 34\n"
		"scan_on = open exec\n"
		"action = audit\n"
		"deny_errno = EACCES\n"
		"timeout_ms = 1500\n"
		"on_timeout = deny\n"
		"on_error = deny\n"
		"overflow_verdict = deny\n"
		"workers = 3\n"
		"worker_spin_us = 0\n"
		"loop_scan_kib = 1024\n"
		"max_file_size = 10M\n"
		"max_scan_size = 1G\n"
		"bases = /var/lib/vigil/bases\n"
		"root = /etc/vigil/root\n"
		"state_dir = /var/lib/vigil\n"
		"channel = stable\n"
		"log = /var/log/vigil/verdicts.json\n"
		"log_allowed = yes\n"
		"socket = /run/vigil/vigild.sock\n"
		"socket_group = adm\n"
		"quarantine = off\n"
		"quarantine_dir = /var/lib/vigil/quarantine\n"
		"backend = fanotify\n"
		"debug_scan_delay_ms = 5\n";

	cr_assert_eq(parse(&config, text, error, sizeof(error)), 0, "%s", error);
	cr_expect_eq(config.paths.count, 3);
	cr_expect_str_eq(config.paths.items[2], "/opt");
	cr_expect_eq(config.exclude_uid_count, 2);
	cr_expect_eq(config.exclude_uids[1], 34);
	cr_expect_eq(config.scan_on, CONFIG_SCAN_OPEN | CONFIG_SCAN_EXEC);
	cr_expect_eq(config.action, CONFIG_ACTION_AUDIT);
	cr_expect_eq(config.deny_errno, EACCES);
	cr_expect_eq(config.timeout_ms, 1500);
	cr_expect_eq(config.on_timeout, CONFIG_DENY);
	cr_expect_eq(config.workers, 3);
	cr_expect_eq(config.worker_spin_us, 0);
	cr_expect_eq(config.loop_scan_kib, 1024);
	cr_expect_eq(config.max_file_size, 10ULL << 20);
	cr_expect_eq(config.max_scan_size, 1ULL << 30);
	cr_expect_eq(config.log, CONFIG_LOG_FILE);
	cr_expect_str_eq(config.log_file, "/var/log/vigil/verdicts.json");
	cr_expect(config.log_allowed);
	cr_expect_str_eq(config.socket_group, "adm");
	cr_expect_eq(config.backend, CONFIG_BACKEND_FANOTIFY);
	cr_expect_eq(config.debug_scan_delay_ms, 5);
	config_uninit(&config);
}

Test(config, defaults)
{
	struct vigild_config config;
	char error[512] = "";

	cr_assert_eq(parse(&config, "paths = /srv\nbases = /b\n", error, sizeof(error)), 0);
	cr_expect_eq(config.timeout_ms, 5000);
	cr_expect_eq(config.worker_spin_us, 50);
	cr_expect_eq(config.loop_scan_kib, 64);
	cr_expect_eq(config.on_timeout, CONFIG_ALLOW);
	cr_expect_eq(config.action, CONFIG_ACTION_DENY);
	cr_expect_eq(config.log, CONFIG_LOG_JOURNAL);
	cr_expect_eq(config.scan_on, CONFIG_SCAN_OPEN | CONFIG_SCAN_EXEC | CONFIG_SCAN_CLOSE_WRITE);
	cr_expect_eq(config_validate(&config, error, sizeof(error)), 0, "%s", error);
	config_uninit(&config);
}

Test(config, bad_lines)
{
	expect_error("paths = /srv\nfrobnicate = 1\n", "test.conf:2: unknown key `frobnicate'");
	expect_error("timeout_ms = 5s\n",
		     "test.conf:1: timeout_ms: `5s' is not a number from 10 to 600000");
	expect_error("timeout_ms = 99999999999999999999999\n",
		     "test.conf:1: timeout_ms: `99999999999999999999999' is not a number from 10 to 600000");
	expect_error("timeout_ms = -1\n", "test.conf:1: timeout_ms: `-1' is not a number from 10 to 600000");
	expect_error("\n\non_timeout = maybe\n", "test.conf:3: on_timeout: `maybe' is not allow or deny");
	expect_error("paths = srv\n", "test.conf:1: paths: `srv' is not an absolute path");
	expect_error("paths =\n", "test.conf:1: paths: empty value");
	expect_error("a line without equals\n", "test.conf:1: expected `key = value'");
	expect_error("action = deny\naction = audit\n", "test.conf:2: action given twice (first on line 1)");
	expect_error("[section]\npaths = /srv\n", "test.conf:2: sections like [section] are not used in vigild.conf");
	expect_error("paths = /srv\n  /home\n",
		     "test.conf:2: indented line (one `key = value` per line, no continuations)");
	expect_error("scan_on = open open\n", "test.conf:1: scan_on: `open' given twice");
	expect_error("scan_on = read\n", "test.conf:1: scan_on: `read' is not one of open, exec, close_write");
	expect_error("max_file_size = 10X\n",
		     "test.conf:1: max_file_size: `10X' is not a size from 1 to 1T (K, M, G suffixes)");
	expect_error("log = stderr\n", "test.conf:1: log: `stderr' is not journal, syslog or an absolute file path");
	expect_error("log_allowed = perhaps\n", "test.conf:1: log_allowed: `perhaps' is not yes or no");
	expect_error("socket_group = a b\n",
		     "test.conf:1: socket_group: `a b' is not a name (letters, digits, `.', `_', `-')");
	expect_error("backend = bpf\n", "test.conf:1: backend: `bpf' is not auto, fanotify or kmod");
	expect_error("exclude_uids = root\n", "test.conf:1: exclude_uids: `root' is not a numeric user id");
	expect_error("workers = 1000\n",
		     "test.conf:1: workers: `1000' is not a number from 0 (one per core) to 256");
	expect_error("worker_spin_us = 2000\n",
		     "test.conf:1: worker_spin_us: `2000' is not a number from 0 (never) to 1000");
	expect_error("loop_scan_kib = 1025\n",
		     "test.conf:1: loop_scan_kib: `1025' is not a number from 0 (never) to 1024");
}

Test(config, long_line_and_nul)
{
	char text[400];
	struct vigild_config config;
	char error[512] = "";

	memset(text, 'a', sizeof(text));
	memcpy(text, "paths = /", 9);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	expect_error(text, "test.conf:1: line longer than 198 characters");
	config_init(&config);
	cr_expect_eq(config_parse_buffer(&config, "test.conf", "paths = /a\0b\n", 13, error,
					 sizeof(error)), -EINVAL);
	cr_expect_str_eq(error, "test.conf: contains a NUL byte");
	config_uninit(&config);
}

static void expect_contradiction(const char *text, const char *message)
{
	struct vigild_config config;
	char error[512] = "";

	cr_assert_eq(parse(&config, text, error, sizeof(error)), 0, "%s", error);
	cr_expect_eq(config_validate(&config, error, sizeof(error)), -EINVAL, "accepted: %s", text);
	cr_expect_str_eq(error, message);
	config_uninit(&config);
}

/* Settings that look close to a contradiction but are not one. */
Test(config, kmod_scan_on_accepted)
{
	static const char *const texts[] = {
		"paths = /srv\nbases = /b\nbackend = kmod\n",	/* default scan_on */
		"paths = /srv\nbases = /b\nbackend = kmod\nscan_on = open exec\n",
		"paths = /srv\nbases = /b\nbackend = auto\nscan_on = open close_write\n",
		"paths = /srv\nbases = /b\nbackend = fanotify\nscan_on = open close_write\n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct vigild_config config;
		char error[512] = "";

		cr_assert_eq(parse(&config, texts[i], error, sizeof(error)), 0, "%s", error);
		cr_expect_eq(config_validate(&config, error, sizeof(error)), 0, "%s: %s", texts[i],
			     error);
		config_uninit(&config);
	}
}

Test(config, contradictions)
{
	expect_contradiction("bases = /b\n", "test.conf: `paths' is required (what to protect)");
	expect_contradiction("paths = /srv\nbases = /b\nscan_on = close_write\n",
			     "test.conf: scan_on must include open or exec (close_write alone answers nothing)");
	expect_contradiction("paths = /srv\nbases = /b\nbackend = fanotify\ndeny_errno = EACCES\n",
			     "test.conf: deny_errno = EACCES needs the kmod backend; fanotify always answers EPERM");
	expect_contradiction("paths = /srv\nbases = /b\nbackend = kmod\nscan_on = open close_write\n",
			     "test.conf:4: scan_on = close_write needs the fanotify backend: vigil.ko "
			     "sends no close-after-write events (backend = kmod on line 3)");
	expect_contradiction("paths = /srv\nscan_on = exec close_write\nbases = /b\nbackend = kmod\n",
			     "test.conf:2: scan_on = close_write needs the fanotify backend: vigil.ko "
			     "sends no close-after-write events (backend = kmod on line 4)");
	expect_contradiction("paths = /srv\nbases = /b\nbackend = fanotify\noverflow_verdict = deny\n",
			     "test.conf: overflow_verdict = deny needs the kmod backend; fanotify allows on overflow");
	expect_contradiction("paths = /srv\nbases = /b\nquarantine = move\naction = audit\n",
			     "test.conf: quarantine = move contradicts action = audit (audit never denies)");
	expect_contradiction("paths = /srv\nbases = /b\nmax_file_size = 2G\nmax_scan_size = 1G\n",
			     "test.conf: max_scan_size is smaller than max_file_size");
	expect_contradiction("paths = /srv/data\nbases = /b\nexclude_paths = /srv\n",
			     "test.conf: protected path /srv/data lies inside exclude_paths entry /srv");
	expect_contradiction("paths = /srv\nbases = /b\nquarantine_dir = /srv/q\n",
			     "test.conf: quarantine_dir /srv/q lies inside protected path /srv");
}
