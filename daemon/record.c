// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: verdict records. This file owns the recorder thread, its
 * bounded queue, the log sink (file fd, journal or syslog) and the list of
 * `vigil tail` subscriber sockets. It must not own events or answers: a
 * record is made after the kernel was answered, and nothing here can delay
 * an answer (a full queue drops and counts; a full disk counts errors; a
 * slow tail reader is cut off).
 *
 *   worker/watchdog/reload -> recorder_submit() (ownership of the record
 *   moves here) -> queue -> recorder thread -> verdict_record_to_json()
 *   -> sink write + send to each subscriber -> verdict_record_free()
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "utf8-escape.h"

#define RECORD_QUEUE_MAX 8192
#define SUBSCRIBERS_MAX 64

struct queued_record {
	struct verdict_record *record;
	struct queued_record *next;
};

struct recorder {
	enum config_log log;
	char *log_file;
	char host_name[256];
	int log_fd;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t drained;
	struct queued_record *head, *tail;
	size_t queued;
	bool busy;			/* thread holds a record being written */
	bool stopping;
	bool reopen;
	int subscribers[SUBSCRIBERS_MAX];
	size_t subscriber_count;
	/* counters, under lock */
	uint64_t written, dropped, write_errors, tail_cut_off, tail_sent;
	char last_error[300];
};

void verdict_record_free(struct verdict_record *record)
{
	if (!record)
		return;
	free(record->path);
	free(record->executable);
	for (size_t i = 0; i < record->rule_count; i++)
		free(record->rules[i]);
	free(record->rules);
	free(record->bases_version);
	free(record->message);
	free(record);
}

char *utf8_escape(const char *text)
{
	return vigil_utf8_escape(text, strlen(text));
}

static void add_string(struct json_object *object, const char *key, const char *value)
{
	char *escaped;

	if (!value)
		return;
	escaped = utf8_escape(value);
	if (escaped)
		json_object_object_add(object, key, json_object_new_string(escaped));
	free(escaped);
}

static struct json_object *string_array(const char *first, const char *second)
{
	struct json_object *array = json_object_new_array();

	json_object_array_add(array, json_object_new_string(first));
	if (second)
		json_object_array_add(array, json_object_new_string(second));
	return array;
}

static const char *verdict_word(enum record_kind kind)
{
	switch (kind) {
	case RECORD_DETECTION: return "infected";
	case RECORD_ALLOWED: return "clean";
	case RECORD_TIMEOUT: return "timeout";
	case RECORD_ERROR: return "error";
	case RECORD_LIMITED: return "limited";
	default: return "reload";
	}
}

char *verdict_record_to_json(const struct verdict_record *record, const char *host_name)
{
	struct json_object *root = json_object_new_object(), *event = json_object_new_object();
	struct json_object *vigil = json_object_new_object(), *host = json_object_new_object();
	char timestamp[40], number[32], message[512];
	time_t seconds = (time_t)(record->timestamp_ns / 1000000000ULL);
	struct tm tm;
	/* A notification (close_write) was never answered: no allowed/denied. */
	const char *outcome, *allow_word = !record->answered ? NULL :
		record->denied ? "denied" : "allowed";
	char *line;

	gmtime_r(&seconds, &tm);
	strftime(timestamp, sizeof(timestamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(timestamp + strlen(timestamp), sizeof(timestamp) - strlen(timestamp), ".%03uZ",
		 (unsigned)(record->timestamp_ns / 1000000ULL % 1000));
	json_object_object_add(root, "@timestamp", json_object_new_string(timestamp));

	switch (record->kind) {
	case RECORD_DETECTION:
		json_object_object_add(event, "kind", json_object_new_string("alert"));
		json_object_object_add(event, "category",
				       string_array("malware", "intrusion_detection"));
		json_object_object_add(event, "type", string_array("info", allow_word));
		outcome = "success";
		break;
	case RECORD_ALLOWED:
		json_object_object_add(event, "kind", json_object_new_string("event"));
		json_object_object_add(event, "category", string_array("file", NULL));
		json_object_object_add(event, "type", string_array("access", allow_word));
		outcome = "success";
		break;
	case RECORD_RELOAD:
		json_object_object_add(event, "kind", json_object_new_string("event"));
		json_object_object_add(event, "category", string_array("configuration", NULL));
		json_object_object_add(event, "type", string_array("change", NULL));
		outcome = record->success ? "success" : "failure";
		break;
	case RECORD_LIMITED:
		json_object_object_add(event, "kind", json_object_new_string("event"));
		json_object_object_add(event, "category", string_array("file", NULL));
		json_object_object_add(event, "type", string_array("info", allow_word));
		outcome = "unknown";
		break;
	default:
		json_object_object_add(event, "kind", json_object_new_string("event"));
		json_object_object_add(event, "category", string_array("file", NULL));
		json_object_object_add(event, "type", string_array("info", allow_word));
		outcome = "failure";
		break;
	}
	json_object_object_add(event, "action", json_object_new_string(record->action));
	json_object_object_add(event, "outcome", json_object_new_string(outcome));
	json_object_object_add(event, "module", json_object_new_string("vigil"));
	json_object_object_add(root, "event", event);

	if (record->path) {
		struct json_object *file = json_object_new_object();

		add_string(file, "path", record->path);
		snprintf(number, sizeof(number), "%llu", (unsigned long long)record->inode);
		json_object_object_add(file, "inode", json_object_new_string(number));
		json_object_object_add(file, "size", json_object_new_int64((int64_t)record->size));
		if (record->sha256_valid) {
			struct json_object *hash = json_object_new_object();
			char hex[65];

			for (int i = 0; i < 32; i++)
				sprintf(hex + 2 * i, "%02x", record->sha256[i]);
			json_object_object_add(hash, "sha256", json_object_new_string(hex));
			json_object_object_add(file, "hash", hash);
		}
		json_object_object_add(root, "file", file);
	}
	if (record->pid > 0) {
		struct json_object *process = json_object_new_object();

		json_object_object_add(process, "pid", json_object_new_int(record->pid));
		add_string(process, "executable", record->executable);
		if (record->parent_pid > 0) {
			struct json_object *parent = json_object_new_object();

			json_object_object_add(parent, "pid", json_object_new_int(record->parent_pid));
			json_object_object_add(process, "parent", parent);
		}
		json_object_object_add(root, "process", process);
	}
	if (record->uid >= 0) {
		struct json_object *user = json_object_new_object();

		snprintf(number, sizeof(number), "%lld", record->uid);
		json_object_object_add(user, "id", json_object_new_string(number));
		json_object_object_add(root, "user", user);
	}
	json_object_object_add(host, "name", json_object_new_string(host_name));
	json_object_object_add(root, "host", host);
	if (record->rule_count) {
		struct json_object *rule = json_object_new_object();
		struct json_object *names = json_object_new_array(), *ids = json_object_new_array();

		for (size_t i = 0; i < record->rule_count; i++) {
			char *escaped = utf8_escape(record->rules[i]);

			if (!escaped)
				continue;
			json_object_array_add(names, json_object_new_string(escaped));
			json_object_array_add(ids, json_object_new_string(escaped));
			free(escaped);
		}
		json_object_object_add(rule, "name", names);
		json_object_object_add(rule, "id", ids);
		json_object_object_add(root, "rule", rule);
	}
	if (record->bases_version) {
		struct json_object *bases = json_object_new_object();

		add_string(bases, "version", record->bases_version);
		json_object_object_add(vigil, "bases", bases);
	}
	json_object_object_add(vigil, "verdict", json_object_new_string(verdict_word(record->kind)));
	if (record->answered)
		json_object_object_add(vigil, "answer",
				       json_object_new_string(record->denied ? "deny" : "allow"));
	if (record->kind != RECORD_RELOAD)
		json_object_object_add(vigil, "latency_us",
				       json_object_new_int64((int64_t)record->latency_us));
	json_object_object_add(root, "vigil", vigil);

	if (record->kind == RECORD_DETECTION)
		snprintf(message, sizeof(message), "%s %s: %s%s%s",
			 !record->answered ? "found after" : record->denied ? "denied" : "audited",
			 record->action, record->rule_count ? record->rules[0] : "?",
			 record->message ? "; " : "", record->message ? record->message : "");
	else if (record->kind == RECORD_RELOAD)
		snprintf(message, sizeof(message), "bases reload %s%s%s",
			 record->success ? "done" : "refused",
			 record->message ? ": " : "", record->message ? record->message : "");
	else
		snprintf(message, sizeof(message), "%s %s (%s)%s%s",
			 allow_word ? allow_word : "scanned after", record->action,
			 verdict_word(record->kind), record->message ? ": " : "",
			 record->message ? record->message : "");
	add_string(root, "message", message);

	line = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return line;
}

static int open_log_file(const char *path, char *error, size_t error_size)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0) {
		int r = -errno;

		snprintf(error, error_size, "log %s: %s", path, strerror(-r));
		return r;
	}
	return fd;
}

/* Writes one line; 0, or -errno with a reason in error. Called without the
 * lock: a slow or full disk stalls only this thread. */
static int write_file(struct recorder *recorder, const char *line, char *error, size_t error_size)
{
	size_t length = strlen(line), done = 0;
	char *buffer = malloc(length + 1);
	int r = 0;

	if (!buffer)
		return -ENOMEM;
	memcpy(buffer, line, length);
	buffer[length++] = '\n';
	while (done < length) {
		ssize_t wrote = write(recorder->log_fd, buffer + done, length - done);

		if (wrote < 0 && errno == EINTR)
			continue;
		if (wrote <= 0) {
			r = wrote < 0 ? -errno : -EIO;
			snprintf(error, error_size, "%s: %s", recorder->log_file, strerror(-r));
			break;
		}
		done += (size_t)wrote;
	}
	free(buffer);
	return r;
}

static int write_journal(const struct verdict_record *record, const char *line, char *error,
			 size_t error_size)
{
	int priority = record->kind == RECORD_DETECTION ? LOG_WARNING :
		record->kind == RECORD_ALLOWED ? LOG_INFO : LOG_NOTICE;
	char *path = record->path ? utf8_escape(record->path) : NULL;
	int r;

	r = sd_journal_send("MESSAGE=vigil %s: %s%s%s", verdict_word(record->kind),
			    record->action, path ? " " : "", path ? path : "",
			    "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=vigild",
			    "VIGIL_VERDICT=%s", verdict_word(record->kind),
			    "VIGIL_ANSWER=%s", record->denied ? "deny" : "allow",
			    "FILE_PATH=%s", path ? path : "",
			    "RULE_NAME=%s", record->rule_count ? record->rules[0] : "",
			    "PROCESS_PID=%d", (int)record->pid,
			    "VIGIL_BASES_VERSION=%s", record->bases_version ? record->bases_version : "",
			    "VIGIL_RECORD=%s", line, NULL);
	free(path);
	if (r < 0)
		snprintf(error, error_size, "journal: %s", strerror(-r));
	return r < 0 ? r : 0;
}

/* Sends to every subscriber without waiting; one that cannot take the
 * whole line now is cut off (a half line would corrupt its stream). */
static void send_subscribers(struct recorder *recorder, const char *line)
{
	size_t length = strlen(line);
	char *buffer;

	if (!recorder->subscriber_count)
		return;
	buffer = malloc(length + 1);
	if (!buffer)
		return;
	memcpy(buffer, line, length);
	buffer[length] = '\n';
	for (size_t i = 0; i < recorder->subscriber_count;) {
		ssize_t sent = send(recorder->subscribers[i], buffer, length + 1,
				    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (sent == (ssize_t)length + 1) {
			recorder->tail_sent++;
			i++;
			continue;
		}
		if (sent >= 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			recorder->tail_cut_off++;
		close(recorder->subscribers[i]);
		recorder->subscribers[i] = recorder->subscribers[--recorder->subscriber_count];
	}
	free(buffer);
}

static void *recorder_thread(void *data)
{
	struct recorder *recorder = data;

	pthread_mutex_lock(&recorder->lock);
	for (;;) {
		struct queued_record *item;
		char *line, error[256];
		int r;

		while (!recorder->head && !recorder->stopping && !recorder->reopen)
			pthread_cond_wait(&recorder->wake, &recorder->lock);
		if (recorder->reopen) {
			recorder->reopen = false;
			if (recorder->log == CONFIG_LOG_FILE) {
				char open_error[256];
				int fd = open_log_file(recorder->log_file, open_error, sizeof(open_error));

				if (fd >= 0) {
					close(recorder->log_fd);
					recorder->log_fd = fd;
				} else {
					recorder->write_errors++;
					snprintf(recorder->last_error, sizeof(recorder->last_error),
						 "%s", open_error);
				}
			}
			continue;
		}
		if (!recorder->head) {
			if (recorder->stopping)
				break;
			continue;
		}
		item = recorder->head;
		recorder->head = item->next;
		if (!recorder->head)
			recorder->tail = NULL;
		recorder->queued--;
		recorder->busy = true;
		pthread_mutex_unlock(&recorder->lock);

		line = verdict_record_to_json(item->record, recorder->host_name);
		error[0] = '\0';
		r = -ENOMEM;
		if (line && recorder->log == CONFIG_LOG_FILE) {
			r = write_file(recorder, line, error, sizeof(error));
		} else if (line && recorder->log == CONFIG_LOG_JOURNAL) {
			r = write_journal(item->record, line, error, sizeof(error));
		} else if (line) {
			syslog(item->record->kind == RECORD_DETECTION ? LOG_WARNING : LOG_NOTICE,
			       "%s", line);
			r = 0;
		}

		pthread_mutex_lock(&recorder->lock);
		if (r < 0) {
			recorder->write_errors++;
			if (error[0])
				snprintf(recorder->last_error, sizeof(recorder->last_error), "%s", error);
		} else {
			recorder->written++;
		}
		if (line) {
			send_subscribers(recorder, line);
			free(line);
		}
		verdict_record_free(item->record);
		free(item);
		recorder->busy = false;
		if (!recorder->head)
			pthread_cond_broadcast(&recorder->drained);
	}
	pthread_mutex_unlock(&recorder->lock);
	return NULL;
}

int recorder_new(const struct vigild_config *config, const char *host_name,
		 struct recorder **ret_recorder, char *error, size_t error_size)
{
	struct recorder *recorder = calloc(1, sizeof(*recorder));
	int r;

	if (!recorder)
		return -ENOMEM;
	recorder->log = config->log;
	recorder->log_fd = -1;
	snprintf(recorder->host_name, sizeof(recorder->host_name), "%s", host_name);
	pthread_mutex_init(&recorder->lock, NULL);
	pthread_cond_init(&recorder->wake, NULL);
	pthread_cond_init(&recorder->drained, NULL);
	if (config->log == CONFIG_LOG_FILE) {
		recorder->log_file = strdup(config->log_file);
		if (!recorder->log_file) {
			r = -ENOMEM;
			goto err_free;
		}
		r = open_log_file(config->log_file, error, error_size);
		if (r < 0)
			goto err_free;
		recorder->log_fd = r;
	} else if (config->log == CONFIG_LOG_SYSLOG) {
		openlog("vigild", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	r = -pthread_create(&recorder->thread, NULL, recorder_thread, recorder);
	if (r < 0) {
		snprintf(error, error_size, "recorder thread: %s", strerror(-r));
		goto err_free;
	}
	recorder->thread_started = true;
	*ret_recorder = recorder;
	return 0;

err_free:
	recorder_free(recorder);
	return r;
}

void recorder_free(struct recorder *recorder)
{
	struct queued_record *item;

	if (!recorder)
		return;
	if (recorder->thread_started) {
		pthread_mutex_lock(&recorder->lock);
		recorder->stopping = true;
		pthread_cond_broadcast(&recorder->wake);
		pthread_mutex_unlock(&recorder->lock);
		pthread_join(recorder->thread, NULL);
	}
	while ((item = recorder->head)) {
		recorder->head = item->next;
		verdict_record_free(item->record);
		free(item);
	}
	for (size_t i = 0; i < recorder->subscriber_count; i++)
		close(recorder->subscribers[i]);
	if (recorder->log_fd >= 0)
		close(recorder->log_fd);
	if (recorder->log == CONFIG_LOG_SYSLOG)
		closelog();
	free(recorder->log_file);
	pthread_mutex_destroy(&recorder->lock);
	pthread_cond_destroy(&recorder->wake);
	pthread_cond_destroy(&recorder->drained);
	free(recorder);
}

void recorder_submit(struct recorder *recorder, struct verdict_record *record)
{
	struct queued_record *item = malloc(sizeof(*item));

	pthread_mutex_lock(&recorder->lock);
	if (!item || recorder->queued >= RECORD_QUEUE_MAX || recorder->stopping) {
		recorder->dropped++;
		pthread_mutex_unlock(&recorder->lock);
		free(item);
		verdict_record_free(record);
		return;
	}
	item->record = record;
	item->next = NULL;
	if (recorder->tail)
		recorder->tail->next = item;
	else
		recorder->head = item;
	recorder->tail = item;
	recorder->queued++;
	pthread_cond_signal(&recorder->wake);
	pthread_mutex_unlock(&recorder->lock);
}

void recorder_reopen(struct recorder *recorder)
{
	pthread_mutex_lock(&recorder->lock);
	recorder->reopen = true;
	pthread_cond_signal(&recorder->wake);
	pthread_mutex_unlock(&recorder->lock);
}

/*
 * The greeting goes out under the lock that send_subscribers() runs under:
 * a record is sent to fd after it, or not at all, and every record the
 * recorder takes after the peer has read the greeting reaches the peer
 * (`vigil selftest' triggers a denial as soon as it has read it).
 */
int recorder_subscribe(struct recorder *recorder, int fd, const char *greeting)
{
	size_t length = strlen(greeting);
	int size = 1 << 20, r = 0;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	pthread_mutex_lock(&recorder->lock);
	if (recorder->subscriber_count >= SUBSCRIBERS_MAX) {
		r = -EBUSY;
		goto out_close;
	}
	/* A fresh socket with a large buffer takes one short line at once. */
	if (send(fd, greeting, length, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)length) {
		r = -EPIPE;
		goto out_close;
	}
	recorder->subscribers[recorder->subscriber_count++] = fd;
	pthread_mutex_unlock(&recorder->lock);
	return 0;
out_close:
	pthread_mutex_unlock(&recorder->lock);
	close(fd);
	return r;
}

void recorder_status(struct recorder *recorder, struct json_object *object)
{
	struct json_object *records = json_object_new_object();

	pthread_mutex_lock(&recorder->lock);
	json_object_object_add(records, "sink", json_object_new_string(
		recorder->log == CONFIG_LOG_FILE ? "file" :
		recorder->log == CONFIG_LOG_JOURNAL ? "journal" : "syslog"));
	if (recorder->log_file)
		add_string(records, "file", recorder->log_file);
	json_object_object_add(records, "written", json_object_new_int64((int64_t)recorder->written));
	json_object_object_add(records, "queued", json_object_new_int64((int64_t)recorder->queued));
	json_object_object_add(records, "dropped", json_object_new_int64((int64_t)recorder->dropped));
	json_object_object_add(records, "write_errors",
			       json_object_new_int64((int64_t)recorder->write_errors));
	if (recorder->last_error[0])
		add_string(records, "last_error", recorder->last_error);
	json_object_object_add(records, "tail_subscribers",
			       json_object_new_int64((int64_t)recorder->subscriber_count));
	json_object_object_add(records, "tail_cut_off",
			       json_object_new_int64((int64_t)recorder->tail_cut_off));
	pthread_mutex_unlock(&recorder->lock);
	json_object_object_add(object, "records", records);
}

void recorder_drain(struct recorder *recorder)
{
	pthread_mutex_lock(&recorder->lock);
	while (recorder->head || recorder->busy)
		pthread_cond_wait(&recorder->drained, &recorder->lock);
	pthread_mutex_unlock(&recorder->lock);
}
