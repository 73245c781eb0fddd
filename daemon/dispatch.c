// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: what happens to an event between the backend and the answer.
 * This file owns the scan worker threads, their queue, the in-flight list
 * the watchdog walks, the watchdog thread and the counters. It must not own
 * the kernel side (the backend reads and writes it) nor the bases (workers
 * borrow a snapshot) nor the log (records are handed to the recorder).
 *
 *   backend loop -> dispatch_event(): own pid, not a regular file, cache
 *   hit (no writer), excluded -> event_answer() at once, in the loop
 *   otherwise -> in-flight list (+1 ref, for the watchdog) -> worker queue
 *   (the backend's reference moves to the queue) -> worker: scan on a
 *   snapshot -> event_answer() -> clean and unchanged: clean cache, then
 *   the backend's kernel-side cache (ops->remember_clean) -> record ->
 *   event_put()
 *   FAN_CLOSE_WRITE -> cache_invalidate() and ops->remember_clean(false)
 *   watchdog: any listed event past its deadline -> event_answer(on_timeout)
 *
 * event_answer() lets exactly one caller answer (atomic exchange); the
 * other finds the event answered and only records. The fd stays open until
 * the last reference is gone, so a stuck worker never reads a closed or
 * reused fd; that is why the number of live events is capped well below
 * the fd limit (backends stop reading at the cap, never deny for it).
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "engine.h"
#include "quarantine.h"
#include "record.h"
#include "vigild.h"

#define OVERDUE_BATCH 256
/* The journal's processes, found by a walk of /proc this often. */
#define EXEMPT_PIDS_MAX 8
#define EXEMPT_REFRESH_NS (2ULL * 1000000000ULL)

struct dispatch {
	struct vigild *vigild;
	pthread_mutex_t queue_lock;
	pthread_cond_t queue_cond;
	struct vigild_event *queue_head, *queue_tail;
	atomic_size_t queued;		/* written under queue_lock; a spinning worker reads it */
	bool spinner;			/* a worker spins for work (under queue_lock) */
	/* scan_in_loop()'s copy of a small file (loop_scan_kib), NULL if 0 */
	pthread_mutex_t loop_buffer_lock;
	uint8_t *loop_buffer;
	size_t loop_buffer_size;
	pthread_t *workers;
	unsigned worker_count;
	unsigned busy_workers;
	pthread_mutex_t list_lock;
	struct vigild_event *list_head;
	pthread_t watchdog;
	bool watchdog_started;
	atomic_bool stopping;
	atomic_uint in_flight;
	unsigned in_flight_cap;
	uint64_t tick_ns;
	/* Candidates for always_exempt[] (a hit is confirmed by its exe):
	 * written by the watchdog thread, read by the event loop. */
	_Atomic pid_t exempt_pids[EXEMPT_PIDS_MAX];
	uint64_t exempt_refreshed_ns;
	/* For dispatch_healthy(): when the watchdog thread last ran, and when
	 * a worker last finished a scan. */
	atomic_uint_fast64_t watchdog_beat_ns;
	atomic_uint_fast64_t last_completion_ns;
};

uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

static uint64_t realtime_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

struct vigild_event *event_alloc(struct backend *backend, int fd, pid_t pid, unsigned kind)
{
	struct vigild_event *event = calloc(1, sizeof(*event));

	if (!event)
		return NULL;
	event->backend = backend;
	event->fd = fd;
	event->pid = pid;
	event->kind = kind;
	event->needs_answer = kind & (EVENT_OPEN | EVENT_EXEC);
	event->start_ns = monotonic_ns();
	atomic_init(&event->refs, 1);
	atomic_fetch_add(&backend->vigild->dispatch->in_flight, 1);
	return event;
}

struct vigild_event *event_get(struct vigild_event *event)
{
	atomic_fetch_add(&event->refs, 1);
	return event;
}

void event_put(struct vigild_event *event)
{
	struct backend *backend;

	if (!event || atomic_fetch_sub(&event->refs, 1) != 1)
		return;
	backend = event->backend;
	atomic_fetch_sub(&backend->vigild->dispatch->in_flight, 1);
	backend->ops->event_free(backend, event);
}

static unsigned latency_bucket(uint64_t microseconds)
{
	unsigned bucket;

	if (microseconds == 0)
		return 0;
	bucket = (unsigned)(log2((double)microseconds) * 4.0) + 1;
	return bucket < LATENCY_BUCKETS ? bucket : LATENCY_BUCKETS - 1;
}

bool event_answer(struct vigild_event *event, bool allow)
{
	struct vigild *vigild = event->backend->vigild;

	int expected = EVENT_UNANSWERED;
	uint64_t now;

	if (!atomic_compare_exchange_strong(&event->answer, &expected,
					    allow ? EVENT_ALLOWED : EVENT_DENIED))
		return false;
	now = monotonic_ns();
	atomic_store(&event->answer_ns, now);
	event->backend->ops->answer(event->backend, event, allow);
	atomic_fetch_add(allow ? &vigild->stats.allowed : &vigild->stats.denied, 1);
	atomic_fetch_add(&vigild->stats.latency[latency_bucket((now - event->start_ns) / 1000)], 1);
	return true;
}

unsigned dispatch_in_flight(struct vigild *vigild)
{
	return atomic_load(&vigild->dispatch->in_flight);
}

unsigned dispatch_in_flight_cap(struct vigild *vigild)
{
	return vigild->dispatch->in_flight_cap;
}

void dispatch_note_overflow(struct vigild *vigild)
{
	struct verdict_record *record = calloc(1, sizeof(*record));

	atomic_fetch_add(&vigild->stats.overflows, 1);
	fprintf(stderr, "vigild: ALARM: the kernel's event queue overflowed; "
		"the kernel allowed opens that were never scanned\n");
	if (!record)
		return;
	record->kind = RECORD_ERROR;
	record->timestamp_ns = realtime_ns();
	record->action = "queue-overflow";
	record->uid = -1;
	record->message = strdup("ALARM: the kernel's event queue overflowed; opens were "
				 "allowed unscanned");
	recorder_submit(vigild->recorder, record);
}

static void list_add_event(struct dispatch *dispatch, struct vigild_event *event)
{
	pthread_mutex_lock(&dispatch->list_lock);
	event->prev = NULL;
	event->next = dispatch->list_head;
	if (dispatch->list_head)
		dispatch->list_head->prev = event;
	dispatch->list_head = event;
	event->listed = true;
	event_get(event);
	pthread_mutex_unlock(&dispatch->list_lock);
}

static void list_remove_event(struct dispatch *dispatch, struct vigild_event *event)
{
	bool was_listed;

	pthread_mutex_lock(&dispatch->list_lock);
	was_listed = event->listed;
	if (was_listed) {
		if (event->prev)
			event->prev->next = event->next;
		else
			dispatch->list_head = event->next;
		if (event->next)
			event->next->prev = event->prev;
		event->listed = false;
	}
	pthread_mutex_unlock(&dispatch->list_lock);
	if (was_listed)
		event_put(event);
}

/* Reads "Key:\tvalue" from /proc/PID/status. */
static long long proc_status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t key_length = strlen(key);
	long long value = -1;
	FILE *stream;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	stream = fopen(path, "re");
	if (!stream)
		return -1;
	while (fgets(line, sizeof(line), stream)) {
		if (!strncmp(line, key, key_length) && line[key_length] == ':') {
			char *end;

			value = strtoll(line + key_length + 1, &end, 10);
			if (end == line + key_length + 1)
				value = -1;
			break;
		}
	}
	fclose(stream);
	return value;
}

static char *read_link(const char *path)
{
	char buffer[4096];
	ssize_t length = readlink(path, buffer, sizeof(buffer) - 1);

	if (length < 0)
		return NULL;
	buffer[length] = '\0';
	return strdup(buffer);
}

static char *process_executable(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return read_link(path);
}

static char *event_path(const struct vigild_event *event)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", event->fd);
	return read_link(path);
}

/* The journal is always exempt: logging must never wait on a blocked open. */
static const char *const always_exempt[] = {
	"/usr/lib/systemd/systemd-journald", "/lib/systemd/systemd-journald",
};

static bool always_exempt_executable(const char *executable)
{
	for (size_t i = 0; i < sizeof(always_exempt) / sizeof(always_exempt[0]); i++)
		if (!strcmp(executable, always_exempt[i]))
			return true;
	return false;
}

/*
 * Reading /proc/PID/exe for every event costs a miss about a third of its
 * time, so the journal's pids are found by a walk of /proc every
 * EXEMPT_REFRESH_NS instead, and only an event from one of them reads its
 * exe (a reused pid is not exempt). A journal restarted since the last
 * walk is scanned like anyone else until the next one: slower, never
 * stuck, because answers never wait on logging.
 */
static void refresh_exempt_pids(struct dispatch *dispatch)
{
	pid_t found[EXEMPT_PIDS_MAX] = { 0 };
	struct dirent *entry;
	size_t count = 0;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((entry = readdir(proc)) && count < EXEMPT_PIDS_MAX) {
		char *end, *executable;
		long pid = strtol(entry->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		executable = process_executable((pid_t)pid);
		if (executable && always_exempt_executable(executable))
			found[count++] = (pid_t)pid;
		free(executable);
	}
	closedir(proc);
	for (size_t i = 0; i < EXEMPT_PIDS_MAX; i++)
		atomic_store(&dispatch->exempt_pids[i], found[i]);
	dispatch->exempt_refreshed_ns = monotonic_ns();
}

static bool maybe_exempt_pid(struct dispatch *dispatch, pid_t pid)
{
	for (size_t i = 0; i < EXEMPT_PIDS_MAX; i++)
		if (atomic_load_explicit(&dispatch->exempt_pids[i], memory_order_relaxed) == pid)
			return true;
	return false;
}

static bool excluded(struct vigild *vigild, const struct vigild_event *event)
{
	const struct vigild_config *config = &vigild->config;
	char *executable = NULL;
	bool result = false;

	if (config->exclude_executables.count || maybe_exempt_pid(vigild->dispatch, event->pid))
		executable = process_executable(event->pid);

	if (executable) {
		result = always_exempt_executable(executable);
		for (size_t i = 0; i < config->exclude_executables.count; i++)
			result |= !strcmp(executable, config->exclude_executables.items[i]);
		free(executable);
	}
	if (!result && config->exclude_uid_count) {
		long long uid = proc_status_field(event->pid, "Uid");

		for (size_t i = 0; i < config->exclude_uid_count; i++)
			result |= uid == (long long)config->exclude_uids[i];
	}
	if (!result && config->exclude_paths.count) {
		char *path = event_path(event);

		for (size_t i = 0; path && i < config->exclude_paths.count; i++)
			result |= config_path_within(path, config->exclude_paths.items[i]);
		free(path);
	}
	return result;
}

static const char *event_action(const struct vigild_event *event)
{
	if (event->kind & EVENT_EXEC)
		return "exec";
	if (event->kind & EVENT_OPEN)
		return "open";
	return "close_write";
}

/* A record for an event. Who opened the file is read from /proc while the
 * opener still waits (a denied process exits at once after the answer);
 * the answer itself is noted by record_note_answer() afterwards. */
static struct verdict_record *event_record(struct vigild *vigild, struct vigild_event *event,
					   enum record_kind kind, const char *bases_version)
{
	struct verdict_record *record = calloc(1, sizeof(*record));

	if (!record)
		return NULL;
	record->kind = kind;
	record->timestamp_ns = realtime_ns();
	record->action = event_action(event);
	record->path = event_path(event);
	record->inode = (uint64_t)event->st.st_ino;
	record->size = (uint64_t)event->st.st_size;
	record->pid = event->pid;
	record->executable = process_executable(event->pid);
	record->parent_pid = (pid_t)proc_status_field(event->pid, "PPid");
	record->uid = proc_status_field(event->pid, "Uid");
	record->bases_version = bases_version ? strdup(bases_version) : NULL;
	(void)vigild;
	return record;
}

static void record_note_answer(struct verdict_record *record, struct vigild_event *event)
{
	int answer = atomic_load(&event->answer);

	if (!record)
		return;
	record->answered = event->needs_answer && answer != EVENT_UNANSWERED;
	record->denied = record->answered && answer == EVENT_DENIED;
	if (record->answered) {
		uint64_t answered_at = atomic_load(&event->answer_ns);

		/* the winner stores the time just after its exchange */
		record->latency_us = ((answered_at ? answered_at : monotonic_ns()) - event->start_ns) / 1000;
	}
}

static void answer_now(struct vigild *vigild, struct vigild_event *event, bool allow)
{
	if (event->needs_answer)
		event_answer(event, allow);
	event_put(event);
}

/*
 * A hit in our cache that the kernel's cache did not serve: its mark was
 * evicted with the inode (evictable marks do not pin it) or never taken.
 * Marked again, in the event loop, after the answer; taken back if the
 * file changed meanwhile (a truncate(2) opens nothing, so no close event
 * would tell) or the entry or the bases moved on. A FAN_CLOSE_WRITE for it
 * is handled by this same loop, before this event or after the mark.
 */
static void remember_clean_again(struct vigild *vigild, struct vigild_event *event)
{
	struct backend *backend = event->backend;
	struct stat after;

	if (!backend->ops->remember_clean)
		return;
	backend->ops->remember_clean(backend, event, true);
	if (fstat(event->fd, &after) < 0 || !same_file_state(&event->st, &after) ||
	    !cache_lookup(vigild->cache, &after, bases_generation(vigild->bases)))
		backend->ops->remember_clean(backend, event, false);
}

static bool scan_in_loop(struct vigild *vigild, struct vigild_event *event);

void dispatch_event(struct vigild *vigild, struct vigild_event *event)
{
	const struct vigild_config *config = &vigild->config;
	struct dispatch *dispatch = vigild->dispatch;
	bool wake;

	atomic_fetch_add(&vigild->stats.events, 1);
	if (event->pid == vigild->pid) {
		atomic_fetch_add(&vigild->stats.own_opens, 1);
		answer_now(vigild, event, true);
		return;
	}
	if (fstat(event->fd, &event->st) < 0) {
		atomic_fetch_add(&vigild->stats.errors, 1);
		answer_now(vigild, event, config->on_error == CONFIG_ALLOW);
		return;
	}
	if (!S_ISREG(event->st.st_mode)) {
		atomic_fetch_add(&vigild->stats.not_regular, 1);
		answer_now(vigild, event, true);
		return;
	}
	if (!event->needs_answer) {
		cache_invalidate(vigild->cache, event->st.st_dev, event->st.st_ino);
		if (event->backend->ops->remember_clean)
			event->backend->ops->remember_clean(event->backend, event, false);
		if (!(config->scan_on & CONFIG_SCAN_CLOSE_WRITE)) {
			event_put(event);
			return;
		}
	} else {
		if (cache_lookup(vigild->cache, &event->st, bases_generation(vigild->bases)) &&
		    !file_open_for_writing(event->fd)) {
			atomic_fetch_add(&vigild->stats.cache_hits, 1);
			event_answer(event, true);
			remember_clean_again(vigild, event);
			event_put(event);
			return;
		}
		if (excluded(vigild, event)) {
			atomic_fetch_add(&vigild->stats.excluded, 1);
			answer_now(vigild, event, true);
			return;
		}
		event->deadline_ns = event->start_ns + (uint64_t)config->timeout_ms * 1000000ULL;
		list_add_event(dispatch, event);
		if (scan_in_loop(vigild, event)) {
			list_remove_event(dispatch, event);
			event_put(event);
			return;
		}
	}
	pthread_mutex_lock(&dispatch->queue_lock);
	event->queue_next = NULL;
	if (dispatch->queue_tail)
		dispatch->queue_tail->queue_next = event;
	else
		dispatch->queue_head = event;
	dispatch->queue_tail = event;
	dispatch->queued++;
	/* A spinning worker takes one event without a wake-up. */
	wake = !dispatch->spinner || dispatch->queued > 1;
	pthread_mutex_unlock(&dispatch->queue_lock);
	/* After the unlock: the woken worker does not block on the lock. */
	if (wake)
		pthread_cond_signal(&dispatch->queue_cond);
}

static void sleep_ms(unsigned milliseconds)
{
	struct timespec duration = { milliseconds / 1000, (long)(milliseconds % 1000) * 1000000L };

	while (nanosleep(&duration, &duration) < 0 && errno == EINTR)
		;
}

/*
 * After a clean verdict on the snapshot's bases: into the clean cache, if
 * the file did not change since the event came (same identity, size,
 * mtime, ctime; no invalidation of its slot since `changes` was sampled
 * before the scan) and nobody holds it open for writing. True if entered.
 */
static bool enter_clean_cache(struct vigild *vigild, struct vigild_event *event,
			      const struct bases_snapshot *snapshot, uint64_t changes)
{
	struct stat after;

	return fstat(event->fd, &after) == 0 && same_file_state(&event->st, &after) &&
	       !file_open_for_writing(event->fd) &&
	       cache_insert_unchanged(vigild->cache, &after, snapshot->generation, changes);
}

/*
 * A file enter_clean_cache() took, into the backend's kernel-side cache,
 * if the bases are still the running ones. Checked again after the
 * kernel-side mark is added: a change that slipped in before the mark
 * shows then (and the mark is taken back); a later write or truncate
 * clears the mark in the kernel, and a later FAN_CLOSE_WRITE removes it.
 */
static void remember_clean(struct vigild *vigild, struct vigild_event *event,
			   const struct bases_snapshot *snapshot, uint64_t changes)
{
	struct backend *backend = event->backend;
	struct stat after;

	if (!backend->ops->remember_clean)
		return;
	backend->ops->remember_clean(backend, event, true);
	if (fstat(event->fd, &after) < 0 || !same_file_state(&event->st, &after) ||
	    cache_changes(vigild->cache, after.st_dev, after.st_ino) != changes ||
	    bases_generation(vigild->bases) != snapshot->generation)
		backend->ops->remember_clean(backend, event, false);
}

/*
 * The file's SHA-256 for its record. The scan computes it only when allowed
 * opens are logged (a clean scan, the common case, then skips the hashing
 * on the opener's time); a detection's record gets it from a second scan
 * on the same snapshot, after the answer.
 */
static void record_sha256(const struct bases_snapshot *snapshot, const struct vigild_event *event,
			  const struct vigil_scan_result *result, struct verdict_record *record)
{
	struct vigil_scan_result again;

	if (result->sha256_valid) {
		record->sha256_valid = true;
		memcpy(record->sha256, result->sha256, sizeof(record->sha256));
		return;
	}
	if (result->verdict != VIGIL_INFECTED)
		return;
	if (vigil_engine_scan_fd(snapshot->engine, event->fd, VIGIL_SCAN_WANT_SHA256, &again) == 0 &&
	    again.sha256_valid) {
		record->sha256_valid = true;
		memcpy(record->sha256, again.sha256, sizeof(record->sha256));
	}
	vigil_scan_result_uninit(&again);
}

/*
 * The answer to a scanned event, with the clean cache: after the answer, or
 * (three cheap calls) before it where the kernel side takes the verdict
 * with the answer itself, so that the module caches this very verdict;
 * then the backend's kernel-side cache.
 */
static void answer_scanned(struct vigild *vigild, struct vigild_event *event,
			   const struct bases_snapshot *snapshot, uint64_t changes, bool clean,
			   bool allow)
{
	bool entered_early, entered;

	entered_early = clean && event->needs_answer && event->backend->ops->caches_with_answer;
	entered = entered_early && enter_clean_cache(vigild, event, snapshot, changes);
	if (event->needs_answer)
		event_answer(event, allow);	/* the kernel first */
	if (clean && !entered_early)
		entered = enter_clean_cache(vigild, event, snapshot, changes);
	if (entered)
		remember_clean(vigild, event, snapshot, changes);
}

static void scan_event(struct vigild *vigild, struct vigild_event *event)
{
	const struct vigild_config *config = &vigild->config;
	struct vigil_scan_result result = { 0 };
	struct bases_snapshot *snapshot;
	struct verdict_record *record = NULL;
	enum record_kind kind;
	uint64_t changes;
	bool allow;
	int r;

	if (event->needs_answer && atomic_load(&event->answer) != EVENT_UNANSWERED)
		return;	/* the watchdog answered while it waited in the queue */
	/* Before the first byte is read: a writer closing it after this
	 * moves the counter, and the verdict is then not cached. */
	changes = cache_changes(vigild->cache, event->st.st_dev, event->st.st_ino);
	snapshot = bases_acquire(vigild->bases);
	if (config->debug_scan_delay_ms)
		sleep_ms(config->debug_scan_delay_ms);
	atomic_fetch_add(&vigild->stats.scans, 1);
	r = vigil_engine_scan_fd(snapshot->engine, event->fd,
				 config->log_allowed ? VIGIL_SCAN_WANT_SHA256 : 0, &result);
	if (r < 0) {
		result.verdict = VIGIL_SCAN_ERROR;
		result.error = r;
	}
	switch (result.verdict) {
	case VIGIL_CLEAN:
		allow = true;
		kind = RECORD_ALLOWED;
		break;
	case VIGIL_INFECTED:
		allow = config->action == CONFIG_ACTION_AUDIT;
		kind = RECORD_DETECTION;
		atomic_fetch_add(&vigild->stats.detections, 1);
		break;
	case VIGIL_SCAN_LIMITED:
		allow = true;
		kind = RECORD_LIMITED;
		break;
	default:
		allow = config->on_error == CONFIG_ALLOW;
		kind = RECORD_ERROR;
		atomic_fetch_add(&vigild->stats.errors, 1);
		break;
	}
	/* Who is asking, read while they still wait: cheap /proc reads, no
	 * file I/O that could block. */
	if (kind != RECORD_ALLOWED || (config->log_allowed && event->needs_answer))
		record = event_record(vigild, event, kind, snapshot->version);
	answer_scanned(vigild, event, snapshot, changes, result.verdict == VIGIL_CLEAN, allow);
	record_note_answer(record, event);
	if (record) {
		record_sha256(snapshot, event, &result, record);
		if (result.match_count) {
			record->rules = calloc(result.match_count, sizeof(char *));
			for (size_t i = 0; record->rules && i < result.match_count; i++) {
				record->rules[i] = strdup(result.matches[i]);
				if (record->rules[i])
					record->rule_count++;
			}
		}
		if (kind == RECORD_DETECTION && record->denied &&
		    config->quarantine == CONFIG_QUARANTINE_MOVE && record->path) {
			char id[64], error[512], message[600];

			/* After the answer: the opener already has its EPERM. */
			if (quarantine_move(vigild->quarantine_dir, event->fd, &event->st,
					    record->path, record->rules, record->rule_count, id,
					    sizeof(id), error, sizeof(error)) == 0)
				snprintf(message, sizeof(message), "quarantined as %s", id);
			else
				snprintf(message, sizeof(message), "quarantine failed: %s", error);
			record->message = strdup(message);
		}
		if (kind == RECORD_ERROR) {
			char message[128];

			snprintf(message, sizeof(message), "scan error: %s", strerror(-result.error));
			record->message = strdup(message);
		}
		recorder_submit(vigild->recorder, record);
	}
	vigil_scan_result_uninit(&result);
	bases_release(snapshot);
}

/*
 * Scans a small file on the backend's own thread, which read the event,
 * instead of handing it to a worker: a hand-over wakes a sleeping thread,
 * often on another CPU, which costs more than the scan of a few KiB. Only
 * when nothing else the backend read waits behind this event, the file
 * fits in loop_scan_kib and every byte of it is in memory
 * (read_in_memory(), which never waits on I/O), so the backend's thread
 * never waits on a disk, a network or another daemon. Only a clean
 * verdict is answered here, with the clean cache as a worker would; a
 * detection, a limit or an error (each with a record to write, perhaps a
 * quarantine) goes to a worker, which scans it again from its fd. Same
 * bases snapshot rules as a worker; the event is on the watchdog's list
 * meanwhile. True when the event was answered here.
 */
static bool scan_in_loop(struct vigild *vigild, struct vigild_event *event)
{
	const struct vigild_config *config = &vigild->config;
	struct dispatch *dispatch = vigild->dispatch;
	size_t size = (size_t)event->st.st_size;
	struct vigil_scan_result result;
	struct bases_snapshot *snapshot;
	uint64_t changes;
	bool clean;

	if (!event->loop_may_scan || !dispatch->loop_buffer || event->st.st_size < 0 ||
	    (uint64_t)event->st.st_size > dispatch->loop_buffer_size || config->log_allowed ||
	    config->debug_scan_delay_ms)
		return false;
	/* One backend thread calls this; never wait for another caller. */
	if (pthread_mutex_trylock(&dispatch->loop_buffer_lock))
		return false;
	changes = cache_changes(vigild->cache, event->st.st_dev, event->st.st_ino);
	if (read_in_memory(event->fd, dispatch->loop_buffer, size) < 0) {
		pthread_mutex_unlock(&dispatch->loop_buffer_lock);
		return false;
	}
	snapshot = bases_acquire(vigild->bases);
	clean = vigil_engine_scan_buffer(snapshot->engine, dispatch->loop_buffer, size, 0,
					 &result) == 0 && result.verdict == VIGIL_CLEAN;
	vigil_scan_result_uninit(&result);
	pthread_mutex_unlock(&dispatch->loop_buffer_lock);
	if (clean) {
		atomic_fetch_add(&vigild->stats.scans, 1);
		atomic_fetch_add(&vigild->stats.loop_scans, 1);
		answer_scanned(vigild, event, snapshot, changes, true, true);
	}
	bases_release(snapshot);
	return clean;
}

/*
 * The next event for a worker, NULL when vigild stops. A worker that has
 * just finished a scan (@may_spin) and finds the queue empty keeps looking
 * for worker_spin_us before it sleeps, yielding the CPU between looks:
 * with a steady flow of opens the next event is usually there by then, and
 * taking it costs no futex wake-up of a sleeping thread (and no wake-up of
 * an idle CPU). One worker spins at a time; dispatch_event() does not wake
 * anyone for the one event the spinner will take. The spinner clears its
 * flag under the lock and looks at the queue again before it sleeps, so
 * an event queued while it spun is never left waiting.
 */
static struct vigild_event *take_event(struct dispatch *dispatch, bool may_spin)
{
	uint64_t spin_ns = (uint64_t)dispatch->vigild->config.worker_spin_us * 1000ULL;
	struct vigild_event *event;

	pthread_mutex_lock(&dispatch->queue_lock);
	for (;;) {
		event = dispatch->queue_head;
		if (event || atomic_load(&dispatch->stopping))
			break;
		if (may_spin && spin_ns && !dispatch->spinner) {
			uint64_t deadline = monotonic_ns() + spin_ns;

			dispatch->spinner = true;
			pthread_mutex_unlock(&dispatch->queue_lock);
			while (!atomic_load(&dispatch->queued) && !atomic_load(&dispatch->stopping) &&
			       monotonic_ns() < deadline)
				sched_yield();
			pthread_mutex_lock(&dispatch->queue_lock);
			dispatch->spinner = false;
			may_spin = false;
			continue;
		}
		pthread_cond_wait(&dispatch->queue_cond, &dispatch->queue_lock);
	}
	if (event) {
		dispatch->queue_head = event->queue_next;
		if (!dispatch->queue_head)
			dispatch->queue_tail = NULL;
		dispatch->queued--;
		dispatch->busy_workers++;
	}
	pthread_mutex_unlock(&dispatch->queue_lock);
	return event;
}

static void *worker_thread(void *data)
{
	struct vigild *vigild = data;
	struct dispatch *dispatch = vigild->dispatch;
	struct vigild_event *event;
	bool scanned = false;

	while ((event = take_event(dispatch, scanned))) {
		scan_event(vigild, event);
		list_remove_event(dispatch, event);
		event_put(event);
		atomic_store(&dispatch->last_completion_ns, monotonic_ns());

		pthread_mutex_lock(&dispatch->queue_lock);
		dispatch->busy_workers--;
		pthread_mutex_unlock(&dispatch->queue_lock);
		scanned = true;
	}
	return NULL;
}

/*
 * Whether scanning still makes progress, for systemd's watchdog: false,
 * with the reason, when the deadline watchdog thread has not run, or when
 * every worker has been busy and events have waited, with no scan
 * finishing, for ten deadlines plus 5 s. Openers do not hang then (the
 * watchdog answers them with on_timeout), but nothing is scanned any more:
 * a restart is the cure. A stuck backend read loop is not seen here.
 */
bool dispatch_healthy(struct dispatch *dispatch, char *why, size_t why_size)
{
	uint64_t now = monotonic_ns();
	uint64_t stuck_ns = (10ULL * dispatch->vigild->config.timeout_ms + 5000ULL) * 1000000ULL;
	uint64_t beat = atomic_load(&dispatch->watchdog_beat_ns);
	uint64_t completion = atomic_load(&dispatch->last_completion_ns);
	size_t queued;
	unsigned busy;

	if (now > beat && now - beat > stuck_ns) {
		snprintf(why, why_size, "the deadline watchdog has not run for %llu s",
			 (unsigned long long)((now - beat) / 1000000000ULL));
		return false;
	}
	pthread_mutex_lock(&dispatch->queue_lock);
	queued = dispatch->queued;
	busy = dispatch->busy_workers;
	pthread_mutex_unlock(&dispatch->queue_lock);
	if (queued && busy >= dispatch->worker_count && now > completion && now - completion > stuck_ns) {
		snprintf(why, why_size, "all %u scan workers stuck for %llu s, %zu events waiting",
			 dispatch->worker_count, (unsigned long long)((now - completion) / 1000000000ULL), queued);
		return false;
	}
	return true;
}

/* Answers every listed event past its deadline with on_timeout, then
 * records them. Runs on its own thread: a stuck worker cannot stop it. */
static void *watchdog_thread(void *data)
{
	struct vigild *vigild = data;
	struct dispatch *dispatch = vigild->dispatch;
	bool allow = vigild->config.on_timeout == CONFIG_ALLOW;

	while (!atomic_load(&dispatch->stopping)) {
		struct vigild_event *overdue[OVERDUE_BATCH];
		size_t count = 0;
		uint64_t now;
		struct timespec tick = { 0, (long)dispatch->tick_ns };

		nanosleep(&tick, NULL);
		now = monotonic_ns();
		atomic_store(&dispatch->watchdog_beat_ns, now);
		if (now - dispatch->exempt_refreshed_ns >= EXEMPT_REFRESH_NS)
			refresh_exempt_pids(dispatch);
		pthread_mutex_lock(&dispatch->list_lock);
		for (struct vigild_event *event = dispatch->list_head; event && count < OVERDUE_BATCH;
		     event = event->next)
			if (now >= event->deadline_ns &&
			    atomic_load(&event->answer) == EVENT_UNANSWERED)
				overdue[count++] = event_get(event);
		pthread_mutex_unlock(&dispatch->list_lock);

		for (size_t i = 0; i < count; i++)
			if (!event_answer(overdue[i], allow)) {
				event_put(overdue[i]);
				overdue[i] = NULL;
			}
		for (size_t i = 0; i < count; i++) {
			struct verdict_record *record;
			char message[96];

			if (!overdue[i])
				continue;
			atomic_fetch_add(&vigild->stats.timeouts, 1);
			record = event_record(vigild, overdue[i], RECORD_TIMEOUT, NULL);
			record_note_answer(record, overdue[i]);
			if (record) {
				snprintf(message, sizeof(message), "no verdict within timeout_ms = %u",
					 vigild->config.timeout_ms);
				record->message = strdup(message);
				recorder_submit(vigild->recorder, record);
			}
			event_put(overdue[i]);
		}
	}
	return NULL;
}

int dispatch_new(struct vigild *vigild, struct dispatch **ret_dispatch)
{
	struct dispatch *dispatch = calloc(1, sizeof(*dispatch));
	struct rlimit limit;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t tick_ms;
	int r;

	if (!dispatch)
		return -ENOMEM;
	dispatch->vigild = vigild;
	vigild->dispatch = dispatch;
	pthread_mutex_init(&dispatch->queue_lock, NULL);
	pthread_cond_init(&dispatch->queue_cond, NULL);
	pthread_mutex_init(&dispatch->list_lock, NULL);
	pthread_mutex_init(&dispatch->loop_buffer_lock, NULL);
	if (vigild->config.loop_scan_kib) {
		dispatch->loop_buffer_size = (size_t)vigild->config.loop_scan_kib << 10;
		dispatch->loop_buffer = malloc(dispatch->loop_buffer_size);
		if (!dispatch->loop_buffer) {
			r = -ENOMEM;
			goto err_free;
		}
	}

	/* Half the fd limit for events: the kernel denies an event whose fd it
	 * cannot create, so we stop reading long before that. */
	if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
		limit.rlim_cur = 1024;
	dispatch->in_flight_cap = limit.rlim_cur > 128 ? (unsigned)(limit.rlim_cur / 2 - 32) : 16;
	if (dispatch->in_flight_cap > 65536)
		dispatch->in_flight_cap = 65536;
	tick_ms = vigild->config.timeout_ms / 20;
	dispatch->tick_ns = (tick_ms < 1 ? 1 : tick_ms > 50 ? 50 : tick_ms) * 1000000ULL;
	refresh_exempt_pids(dispatch);
	atomic_store(&dispatch->watchdog_beat_ns, monotonic_ns());
	atomic_store(&dispatch->last_completion_ns, monotonic_ns());

	dispatch->worker_count = vigild->config.workers ? vigild->config.workers :
		(unsigned)(cores > 0 ? cores : 2);
	dispatch->workers = calloc(dispatch->worker_count, sizeof(*dispatch->workers));
	if (!dispatch->workers) {
		r = -ENOMEM;
		goto err_free;
	}
	for (unsigned i = 0; i < dispatch->worker_count; i++) {
		r = -pthread_create(&dispatch->workers[i], NULL, worker_thread, vigild);
		if (r < 0) {
			dispatch->worker_count = i;
			goto err_free;
		}
	}
	r = -pthread_create(&dispatch->watchdog, NULL, watchdog_thread, vigild);
	if (r < 0)
		goto err_free;
	dispatch->watchdog_started = true;
	*ret_dispatch = dispatch;
	return 0;

err_free:
	dispatch_free(dispatch);
	return r;
}

/* Call after the backend is gone (no new events). Workers stuck in a scan
 * are not waited for: the process is about to exit. */
void dispatch_free(struct dispatch *dispatch)
{
	if (!dispatch)
		return;
	atomic_store(&dispatch->stopping, true);
	pthread_mutex_lock(&dispatch->queue_lock);
	pthread_cond_broadcast(&dispatch->queue_cond);
	pthread_mutex_unlock(&dispatch->queue_lock);
	if (dispatch->watchdog_started)
		pthread_join(dispatch->watchdog, NULL);
	for (unsigned i = 0; i < dispatch->worker_count; i++)
		pthread_join(dispatch->workers[i], NULL);
	free(dispatch->workers);
	free(dispatch->loop_buffer);
	dispatch->vigild->dispatch = NULL;
	free(dispatch);
}

static uint64_t latency_percentile(struct vigild *vigild, double fraction)
{
	uint64_t counts[LATENCY_BUCKETS], total = 0, seen = 0;

	for (unsigned i = 0; i < LATENCY_BUCKETS; i++)
		total += counts[i] = atomic_load(&vigild->stats.latency[i]);
	if (!total)
		return 0;
	for (unsigned i = 0; i < LATENCY_BUCKETS; i++) {
		seen += counts[i];
		if ((double)seen >= fraction * (double)total)
			return i == 0 ? 1 : (uint64_t)ceil(pow(2.0, (double)i / 4.0));
	}
	return 0;
}

void dispatch_status(struct vigild *vigild, struct json_object *object)
{
	struct dispatch *dispatch = vigild->dispatch;
	struct vigild_stats *stats = &vigild->stats;
	struct json_object *events = json_object_new_object(), *latency = json_object_new_object();
	struct json_object *workers = json_object_new_object();

#define ADD_COUNTER(name) \
	json_object_object_add(events, #name, json_object_new_int64((int64_t)atomic_load(&stats->name)))
	ADD_COUNTER(events);
	ADD_COUNTER(cache_hits);
	ADD_COUNTER(scans);
	ADD_COUNTER(loop_scans);
	ADD_COUNTER(detections);
	ADD_COUNTER(denied);
	ADD_COUNTER(allowed);
	ADD_COUNTER(timeouts);
	ADD_COUNTER(errors);
	ADD_COUNTER(overflows);
	ADD_COUNTER(excluded);
	ADD_COUNTER(not_regular);
	ADD_COUNTER(own_opens);
	ADD_COUNTER(answer_errors);
	ADD_COUNTER(ignore_marks_added);
#undef ADD_COUNTER
	json_object_object_add(events, "in_flight", json_object_new_int64(dispatch_in_flight(vigild)));
	json_object_object_add(events, "in_flight_cap",
			       json_object_new_int64(dispatch->in_flight_cap));
	json_object_object_add(object, "events", events);
	json_object_object_add(latency, "p50_us",
			       json_object_new_int64((int64_t)latency_percentile(vigild, 0.50)));
	json_object_object_add(latency, "p99_us",
			       json_object_new_int64((int64_t)latency_percentile(vigild, 0.99)));
	json_object_object_add(object, "latency", latency);
	pthread_mutex_lock(&dispatch->queue_lock);
	json_object_object_add(workers, "count", json_object_new_int64(dispatch->worker_count));
	json_object_object_add(workers, "busy", json_object_new_int64(dispatch->busy_workers));
	json_object_object_add(workers, "queued", json_object_new_int64((int64_t)dispatch->queued));
	pthread_mutex_unlock(&dispatch->queue_lock);
	json_object_object_add(object, "workers", workers);
	json_object_object_add(object, "cache_entries",
			       json_object_new_int64((int64_t)cache_size(vigild->cache)));
}
