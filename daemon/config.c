// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the vigild.conf parser. It owns the text of one config file
 * while parsing and the struct vigild_config it fills; it must not own
 * anything the running daemon does with the values (marks, sockets, logs),
 * nor look at the running system except in config_validate() (group names).
 *
 *   bytes of the file -> read_line() (one line at a time, refuses indented
 *   and over-long lines) -> libinih -> handle_key() -> parse_<kind>()
 *   -> struct vigild_config -> config_validate() -> the caller owns it.
 *
 * The first error wins and is reported as "FILE:LINE: reason". libinih is
 * fed through read_line() so the line of every handler call is known.
 */
#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* libinih reads lines of at most INI_MAX_LINE - 1 characters. */
#define CONFIG_MAX_LINE 200

struct parse_state {
	struct vigild_config *config;
	const char *data;
	size_t size;
	size_t offset;
	unsigned line;			/* line last given to libinih */
	bool line_bad;			/* read_line() found the line unusable */
	char line_reason[128];
	unsigned error_line;		/* first error; 0: none */
	char error[256];
	unsigned seen_line[64];		/* per scalar key: where it was set */
};

void config_init(struct vigild_config *config)
{
	memset(config, 0, sizeof(*config));
	config->scan_on = CONFIG_SCAN_OPEN | CONFIG_SCAN_EXEC | CONFIG_SCAN_CLOSE_WRITE;
	config->action = CONFIG_ACTION_DENY;
	config->deny_errno = EPERM;
	config->timeout_ms = 5000;
	config->worker_spin_us = 50;
	config->loop_scan_kib = 64;
	config->on_timeout = CONFIG_ALLOW;
	config->on_error = CONFIG_ALLOW;
	config->overflow_verdict = CONFIG_ALLOW;
	config->max_file_size = 100ULL << 20;
	config->max_scan_size = 400ULL << 20;
	config->log = CONFIG_LOG_JOURNAL;
	config->backend = CONFIG_BACKEND_AUTO;
	config->quarantine = CONFIG_QUARANTINE_OFF;
}

static void list_free(struct config_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

void config_uninit(struct vigild_config *config)
{
	if (!config)
		return;
	free(config->file);
	list_free(&config->paths);
	list_free(&config->exclude_paths);
	list_free(&config->exclude_executables);
	free(config->exclude_uids);
	free(config->bases);
	free(config->root);
	free(config->state_dir);
	free(config->channel);
	free(config->log_file);
	free(config->socket);
	free(config->socket_group);
	free(config->quarantine_dir);
	memset(config, 0, sizeof(*config));
}

const char *config_verdict_name(enum config_verdict verdict)
{
	return verdict == CONFIG_DENY ? "deny" : "allow";
}

static int fail(struct parse_state *state, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* The keys whose value is one unsigned number in a range; an error names
 * the range and what its minimum means where it means something. */
static const struct number_key {
	const char *key;
	unsigned minimum, maximum;
	const char *minimum_means;
	size_t offset;			/* of the unsigned in struct vigild_config */
} number_keys[] = {
	{ "timeout_ms", 10, 600000, "", offsetof(struct vigild_config, timeout_ms) },
	{ "debug_scan_delay_ms", 0, 600000, "", offsetof(struct vigild_config, debug_scan_delay_ms) },
	{ "workers", 0, 256, " (one per core)", offsetof(struct vigild_config, workers) },
	{ "worker_spin_us", 0, 1000, " (never)", offsetof(struct vigild_config, worker_spin_us) },
	{ "loop_scan_kib", 0, 1024, " (never)", offsetof(struct vigild_config, loop_scan_kib) },
};

static int fail(struct parse_state *state, const char *format, ...)
{
	va_list args;

	if (state->error_line)
		return 0;
	state->error_line = state->line;
	va_start(args, format);
	vsnprintf(state->error, sizeof(state->error), format, args);
	va_end(args);
	return 0;
}

/* Gives libinih the next line; an indented line (libinih would take it as
 * a continuation) or one too long for libinih is marked bad so the
 * handler refuses it instead of seeing half a value. */
static char *read_line(char *buffer, int buffer_size, void *stream)
{
	struct parse_state *state = stream;
	size_t length = 0, end;

	if (state->offset >= state->size)
		return NULL;
	state->line++;
	state->line_bad = false;
	end = state->offset;
	while (end < state->size && state->data[end] != '\n')
		end++;
	length = end - state->offset;
	if (length >= (size_t)buffer_size - 1) {
		state->line_bad = true;
		snprintf(state->line_reason, sizeof(state->line_reason),
			 "line longer than %d characters", buffer_size - 2);
		length = 0;
	} else if (length > 0 && (state->data[state->offset] == ' ' ||
				  state->data[state->offset] == '\t')) {
		size_t i = state->offset;

		while (i < end && (state->data[i] == ' ' || state->data[i] == '\t' ||
				   state->data[i] == '\r'))
			i++;
		if (i < end && state->data[i] != '#' && state->data[i] != ';') {
			state->line_bad = true;
			snprintf(state->line_reason, sizeof(state->line_reason),
				 "indented line (one `key = value` per line, no continuations)");
		}
		length = 0;
	}
	memcpy(buffer, state->data + state->offset, length);
	buffer[length] = '\n';
	buffer[length + 1] = '\0';
	state->offset = end < state->size ? end + 1 : end;
	if (state->line_bad) {
		/* libinih must still call the handler: give it a line it parses. */
		snprintf(buffer, (size_t)buffer_size, "__bad_line__ = x\n");
	}
	return buffer;
}

static int parse_unsigned(const char *value, unsigned long long min, unsigned long long max,
			  unsigned long long *ret)
{
	char *end;
	unsigned long long number;

	if (*value < '0' || *value > '9')
		return -EINVAL;
	errno = 0;
	number = strtoull(value, &end, 10);
	if (errno || *end || number < min || number > max)
		return -ERANGE;
	*ret = number;
	return 0;
}

/* A size: digits with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *value, uint64_t *ret)
{
	char *end;
	unsigned long long number, multiplier = 1;

	if (*value < '0' || *value > '9')
		return -EINVAL;
	errno = 0;
	number = strtoull(value, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		if (end[1])
			return -EINVAL;
		switch (*end) {
		case 'K': case 'k': multiplier = 1ULL << 10; break;
		case 'M': case 'm': multiplier = 1ULL << 20; break;
		case 'G': case 'g': multiplier = 1ULL << 30; break;
		default: return -EINVAL;
		}
	}
	if (number == 0 || number > (1ULL << 40) / multiplier)
		return -ERANGE;
	*ret = number * multiplier;
	return 0;
}

static bool absolute_path_ok(const char *value)
{
	if (value[0] != '/' || strlen(value) >= PATH_MAX)
		return false;
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int set_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int list_add(struct config_list *list, const char *value)
{
	char **items = realloc(list->items, (list->count + 1) * sizeof(*items));

	if (!items)
		return -ENOMEM;
	list->items = items;
	items[list->count] = strdup(value);
	if (!items[list->count])
		return -ENOMEM;
	list->count++;
	return 0;
}

/* Splits value on blanks into words, calling add for each. */
static int for_each_word(struct parse_state *state, const char *key, const char *value,
			 int (*add)(struct parse_state *, const char *, const char *))
{
	char word[CONFIG_MAX_LINE];
	const char *p = value;
	int words = 0;

	while (*p) {
		size_t length;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		length = strcspn(p, " \t");
		memcpy(word, p, length);
		word[length] = '\0';
		p += length;
		if (!add(state, key, word))
			return 0;
		words++;
	}
	if (!words)
		return fail(state, "%s: empty value", key);
	return 1;
}

static int add_path(struct parse_state *state, const char *key, const char *word)
{
	struct vigild_config *config = state->config;
	struct config_list *list = !strcmp(key, "paths") ? &config->paths :
		!strcmp(key, "exclude_paths") ? &config->exclude_paths :
		&config->exclude_executables;

	if (!absolute_path_ok(word))
		return fail(state, "%s: `%s' is not an absolute path", key, word);
	if (list_add(list, word))
		return fail(state, "out of memory");
	return 1;
}

static int add_uid(struct parse_state *state, const char *key, const char *word)
{
	struct vigild_config *config = state->config;
	unsigned long long uid;
	uid_t *uids;

	if (parse_unsigned(word, 0, UINT32_MAX - 1, &uid))
		return fail(state, "%s: `%s' is not a numeric user id", key, word);
	uids = realloc(config->exclude_uids, (config->exclude_uid_count + 1) * sizeof(*uids));
	if (!uids)
		return fail(state, "out of memory");
	config->exclude_uids = uids;
	uids[config->exclude_uid_count++] = (uid_t)uid;
	return 1;
}

static int add_scan_on(struct parse_state *state, const char *key, const char *word)
{
	unsigned bit;

	if (!strcmp(word, "open"))
		bit = CONFIG_SCAN_OPEN;
	else if (!strcmp(word, "exec"))
		bit = CONFIG_SCAN_EXEC;
	else if (!strcmp(word, "close_write"))
		bit = CONFIG_SCAN_CLOSE_WRITE;
	else
		return fail(state, "scan_on: `%s' is not one of open, exec, close_write", word);
	if (state->config->scan_on & bit)
		return fail(state, "scan_on: `%s' given twice", word);
	state->config->scan_on |= bit;
	return 1;
}

static int parse_verdict(struct parse_state *state, const char *key, const char *value,
			 enum config_verdict *ret)
{
	if (!strcmp(value, "allow"))
		*ret = CONFIG_ALLOW;
	else if (!strcmp(value, "deny"))
		*ret = CONFIG_DENY;
	else
		return fail(state, "%s: `%s' is not allow or deny", key, value);
	return 1;
}

static int parse_bool(struct parse_state *state, const char *key, const char *value, bool *ret)
{
	if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on"))
		*ret = true;
	else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off"))
		*ret = false;
	else
		return fail(state, "%s: `%s' is not yes or no", key, value);
	return 1;
}

static int parse_path_value(struct parse_state *state, const char *key, const char *value,
			    char **field)
{
	if (!absolute_path_ok(value))
		return fail(state, "%s: `%s' is not an absolute path", key, value);
	if (set_string(field, value))
		return fail(state, "out of memory");
	return 1;
}

/* Scalar keys may appear once; list keys (multi) may repeat and append. */
static const struct {
	const char *name;
	bool multi;
} keys[] = {
	{ "paths", true }, { "exclude_paths", true }, { "exclude_executables", true },
	{ "exclude_uids", true }, { "scan_on", false }, { "action", false },
	{ "deny_errno", false }, { "timeout_ms", false }, { "on_timeout", false },
	{ "on_error", false }, { "overflow_verdict", false }, { "workers", false },
	{ "worker_spin_us", false }, { "loop_scan_kib", false },
	{ "max_file_size", false }, { "max_scan_size", false }, { "bases", false },
	{ "root", false }, { "state_dir", false }, { "channel", false }, { "log", false },
	{ "log_allowed", false }, { "socket", false }, { "socket_group", false },
	{ "quarantine", false }, { "quarantine_dir", false }, { "backend", false },
	{ "debug_scan_delay_ms", false },
};

static int handle_value(struct parse_state *state, const char *key, const char *value)
{
	struct vigild_config *config = state->config;
	unsigned long long number;

	if (!strcmp(key, "paths") || !strcmp(key, "exclude_paths") ||
	    !strcmp(key, "exclude_executables"))
		return for_each_word(state, key, value, add_path);
	if (!strcmp(key, "exclude_uids"))
		return for_each_word(state, key, value, add_uid);
	if (!*value)
		return fail(state, "%s: empty value", key);
	if (!strcmp(key, "scan_on")) {
		config->scan_on = 0;
		config->scan_on_line = state->line;
		return for_each_word(state, key, value, add_scan_on);
	}
	if (!strcmp(key, "action")) {
		if (!strcmp(value, "deny"))
			config->action = CONFIG_ACTION_DENY;
		else if (!strcmp(value, "audit"))
			config->action = CONFIG_ACTION_AUDIT;
		else
			return fail(state, "action: `%s' is not deny or audit", value);
		return 1;
	}
	if (!strcmp(key, "deny_errno")) {
		if (!strcmp(value, "EPERM"))
			config->deny_errno = EPERM;
		else if (!strcmp(value, "EACCES"))
			config->deny_errno = EACCES;
		else
			return fail(state, "deny_errno: `%s' is not EPERM or EACCES", value);
		config->deny_errno_set = true;
		return 1;
	}
	for (size_t i = 0; i < sizeof(number_keys) / sizeof(number_keys[0]); i++) {
		const struct number_key *number_key = &number_keys[i];

		if (strcmp(key, number_key->key))
			continue;
		if (parse_unsigned(value, number_key->minimum, number_key->maximum, &number))
			return fail(state, "%s: `%s' is not a number from %u%s to %u", key, value,
				    number_key->minimum, number_key->minimum_means,
				    number_key->maximum);
		*(unsigned *)((char *)config + number_key->offset) = (unsigned)number;
		return 1;
	}
	if (!strcmp(key, "on_timeout"))
		return parse_verdict(state, key, value, &config->on_timeout);
	if (!strcmp(key, "on_error"))
		return parse_verdict(state, key, value, &config->on_error);
	if (!strcmp(key, "overflow_verdict")) {
		config->overflow_verdict_set = true;
		return parse_verdict(state, key, value, &config->overflow_verdict);
	}
	if (!strcmp(key, "max_file_size") || !strcmp(key, "max_scan_size")) {
		uint64_t *field = key[4] == 'f' ? &config->max_file_size : &config->max_scan_size;

		if (parse_size(value, field))
			return fail(state, "%s: `%s' is not a size from 1 to 1T (K, M, G suffixes)",
				    key, value);
		return 1;
	}
	if (!strcmp(key, "bases"))
		return parse_path_value(state, key, value, &config->bases);
	if (!strcmp(key, "root"))
		return parse_path_value(state, key, value, &config->root);
	if (!strcmp(key, "state_dir"))
		return parse_path_value(state, key, value, &config->state_dir);
	if (!strcmp(key, "quarantine_dir"))
		return parse_path_value(state, key, value, &config->quarantine_dir);
	if (!strcmp(key, "socket")) {
		if (strlen(value) >= 108)
			return fail(state, "socket: `%s' is longer than a socket path may be", value);
		return parse_path_value(state, key, value, &config->socket);
	}
	if (!strcmp(key, "channel") || !strcmp(key, "socket_group")) {
		if (strlen(value) > 64 || strspn(value, "abcdefghijklmnopqrstuvwxyz"
						  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
						  strlen(value) || value[0] == '-')
			return fail(state, "%s: `%s' is not a name (letters, digits, `.', `_', `-')",
				    key, value);
		if (set_string(key[0] == 'c' ? &config->channel : &config->socket_group, value))
			return fail(state, "out of memory");
		return 1;
	}
	if (!strcmp(key, "log")) {
		if (!strcmp(value, "journal")) {
			config->log = CONFIG_LOG_JOURNAL;
		} else if (!strcmp(value, "syslog")) {
			config->log = CONFIG_LOG_SYSLOG;
		} else if (value[0] == '/') {
			config->log = CONFIG_LOG_FILE;
			return parse_path_value(state, key, value, &config->log_file);
		} else {
			return fail(state, "log: `%s' is not journal, syslog or an absolute file path",
				    value);
		}
		return 1;
	}
	if (!strcmp(key, "log_allowed"))
		return parse_bool(state, key, value, &config->log_allowed);
	if (!strcmp(key, "quarantine")) {
		if (!strcmp(value, "off"))
			config->quarantine = CONFIG_QUARANTINE_OFF;
		else if (!strcmp(value, "move"))
			config->quarantine = CONFIG_QUARANTINE_MOVE;
		else
			return fail(state, "quarantine: `%s' is not off or move", value);
		return 1;
	}
	if (!strcmp(key, "backend")) {
		config->backend_line = state->line;
		if (!strcmp(value, "auto"))
			config->backend = CONFIG_BACKEND_AUTO;
		else if (!strcmp(value, "fanotify"))
			config->backend = CONFIG_BACKEND_FANOTIFY;
		else if (!strcmp(value, "kmod"))
			config->backend = CONFIG_BACKEND_KMOD;
		else
			return fail(state, "backend: `%s' is not auto, fanotify or kmod", value);
		return 1;
	}
	return fail(state, "unknown key `%s'", key);
}

static int handle_key(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *state = user;
	size_t i;

	if (state->error_line)
		return 0;
	if (state->line_bad)
		return fail(state, "%s", state->line_reason);
	if (section[0])
		return fail(state, "sections like [%s] are not used in vigild.conf", section);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, key))
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return fail(state, "unknown key `%s'", key);
	if (!keys[i].multi) {
		if (state->seen_line[i])
			return fail(state, "%s given twice (first on line %u)", key,
				    state->seen_line[i]);
		state->seen_line[i] = state->line;
	}
	return handle_value(state, key, value);
}

int config_parse_buffer(struct vigild_config *config, const char *file,
			const char *data, size_t size, char *error, size_t error_size)
{
	struct parse_state state = { .config = config, .data = data, .size = size };
	int line;

	if (!config->file && set_string(&config->file, file))
		return -ENOMEM;
	if (memchr(data, '\0', size)) {
		snprintf(error, error_size, "%s: contains a NUL byte", file);
		return -EINVAL;
	}
	line = ini_parse_stream(read_line, &state, handle_key, &state);
	if (line < 0) {
		snprintf(error, error_size, "%s: %s", file,
			 line == -2 ? "out of memory" : "cannot be read");
		return line == -2 ? -ENOMEM : -EIO;
	}
	if (line > 0 && (!state.error_line || (unsigned)line < state.error_line)) {
		snprintf(error, error_size, "%s:%d: expected `key = value'", file, line);
		return -EINVAL;
	}
	if (state.error_line) {
		snprintf(error, error_size, "%s:%u: %s", file, state.error_line, state.error);
		return -EINVAL;
	}
	return 0;
}

int config_load_file(struct vigild_config *config, const char *file,
		     char *error, size_t error_size)
{
	FILE *stream;
	char *data = NULL;
	size_t size = 0, capacity = 0;
	int r;

	stream = fopen(file, "re");
	if (!stream) {
		r = -errno;
		snprintf(error, error_size, "%s: %s", file, strerror(-r));
		return r;
	}
	for (;;) {
		size_t got;

		if (size + 4096 > capacity) {
			char *bigger;

			if (capacity >= (1u << 20)) {
				snprintf(error, error_size, "%s: larger than 1 MiB", file);
				r = -EFBIG;
				goto out_close;
			}
			capacity = capacity ? capacity * 2 : 8192;
			bigger = realloc(data, capacity);
			if (!bigger) {
				r = -ENOMEM;
				snprintf(error, error_size, "%s: out of memory", file);
				goto out_close;
			}
			data = bigger;
		}
		got = fread(data + size, 1, capacity - size, stream);
		size += got;
		if (got == 0)
			break;
	}
	if (ferror(stream)) {
		r = -EIO;
		snprintf(error, error_size, "%s: read error", file);
		goto out_close;
	}
	r = config_parse_buffer(config, file, data ? data : "", size, error, error_size);
out_close:
	fclose(stream);
	free(data);
	return r;
}

bool config_path_within(const char *path, const char *folder)
{
	size_t length = strlen(folder);

	while (length > 1 && folder[length - 1] == '/')
		length--;
	if (length == 1)
		return true;
	return !strncmp(path, folder, length) && (path[length] == '/' || !path[length]);
}

int config_validate(const struct vigild_config *config, char *error, size_t error_size)
{
	const char *file = config->file ? config->file : "vigild.conf";

	if (!config->paths.count) {
		snprintf(error, error_size, "%s: `paths' is required (what to protect)", file);
		return -EINVAL;
	}
	if (!(config->scan_on & (CONFIG_SCAN_OPEN | CONFIG_SCAN_EXEC))) {
		snprintf(error, error_size,
			 "%s: scan_on must include open or exec (close_write alone answers nothing)",
			 file);
		return -EINVAL;
	}
	/* vigil.ko has no close-after-write event: asking for both is a contradiction. */
	if (config->backend == CONFIG_BACKEND_KMOD && config->scan_on_line &&
	    (config->scan_on & CONFIG_SCAN_CLOSE_WRITE)) {
		snprintf(error, error_size,
			 "%s:%u: scan_on = close_write needs the fanotify backend: vigil.ko sends no "
			 "close-after-write events (backend = kmod on line %u)",
			 file, config->scan_on_line, config->backend_line);
		return -EINVAL;
	}
	if (config->backend == CONFIG_BACKEND_FANOTIFY && config->deny_errno_set &&
	    config->deny_errno != EPERM) {
		snprintf(error, error_size,
			 "%s: deny_errno = EACCES needs the kmod backend; fanotify always answers EPERM",
			 file);
		return -EINVAL;
	}
	if (config->backend == CONFIG_BACKEND_FANOTIFY && config->overflow_verdict_set &&
	    config->overflow_verdict == CONFIG_DENY) {
		snprintf(error, error_size,
			 "%s: overflow_verdict = deny needs the kmod backend; fanotify allows on overflow",
			 file);
		return -EINVAL;
	}
	if (config->quarantine == CONFIG_QUARANTINE_MOVE && config->action == CONFIG_ACTION_AUDIT) {
		snprintf(error, error_size,
			 "%s: quarantine = move contradicts action = audit (audit never denies)", file);
		return -EINVAL;
	}
	if (config->max_scan_size < config->max_file_size) {
		snprintf(error, error_size, "%s: max_scan_size is smaller than max_file_size", file);
		return -EINVAL;
	}
	if (config->debug_scan_delay_ms && config->debug_scan_delay_ms >= 600000) {
		snprintf(error, error_size, "%s: debug_scan_delay_ms too large", file);
		return -EINVAL;
	}
	for (size_t i = 0; i < config->paths.count; i++) {
		const char *path = config->paths.items[i];

		for (size_t j = 0; j < config->exclude_paths.count; j++) {
			if (config_path_within(path, config->exclude_paths.items[j])) {
				snprintf(error, error_size,
					 "%s: protected path %s lies inside exclude_paths entry %s",
					 file, path, config->exclude_paths.items[j]);
				return -EINVAL;
			}
		}
		if (config->quarantine_dir && config_path_within(config->quarantine_dir, path)) {
			snprintf(error, error_size,
				 "%s: quarantine_dir %s lies inside protected path %s", file,
				 config->quarantine_dir, path);
			return -EINVAL;
		}
	}
	return 0;
}

int config_check_system(const struct vigild_config *config, char *error, size_t error_size)
{
	const char *file = config->file ? config->file : "vigild.conf";

	if (config->socket_group && !getgrnam(config->socket_group)) {
		snprintf(error, error_size, "%s: socket_group: no group named `%s'", file,
			 config->socket_group);
		return -ENOENT;
	}
	return 0;
}
