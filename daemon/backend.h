/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The event-source interface. A backend (fanotify today, the kernel module
 * later) turns what the kernel asks into struct vigild_event and hands each
 * one to dispatch_event(); it answers when the core calls ops->answer. It
 * knows nothing of scanning, caching, records or reload.
 *
 *   kernel -> backend read loop -> event_alloc() -> dispatch_event()
 *          -> (cache hit | exclusion | worker scan | watchdog) -> event_answer()
 *          -> ops->answer() (exactly once, from any thread, never blocks)
 *          -> last event_put() -> ops->event_free() (closes the fd)
 */
#ifndef VIGIL_DAEMON_BACKEND_H
#define VIGIL_DAEMON_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct vigild;
struct backend;
struct json_object;

#define EVENT_OPEN (1u << 0)
#define EVENT_EXEC (1u << 1)
#define EVENT_CLOSE_WRITE (1u << 2)

#define EVENT_UNANSWERED 0
#define EVENT_ALLOWED 1
#define EVENT_DENIED 2

struct vigild_event {
	struct backend *backend;
	int fd;				/* read the file only through this */
	pid_t pid;			/* who opened (tgid) */
	unsigned kind;			/* EVENT_* */
	bool needs_answer;		/* a permission event */
	uint64_t start_ns;		/* CLOCK_MONOTONIC when read */
	/* Set by the backend when nothing else it has read waits behind this
	 * event: dispatch may then scan a small file in memory on the
	 * backend's own thread (loop_scan_kib) instead of waking a worker. */
	bool loop_may_scan;
	uint64_t deadline_ns;		/* on_timeout after this */
	struct stat st;			/* of fd, when dispatched */
	atomic_int refs;
	/* EVENT_UNANSWERED until one caller of event_answer() wins and stores
	 * EVENT_ALLOWED or EVENT_DENIED in one step; answer_ns follows. */
	atomic_int answer;
	atomic_uint_fast64_t answer_ns;
	/* dispatch's in-flight list (watchdog), under its lock */
	struct vigild_event *prev, *next;
	bool listed;
	struct vigild_event *queue_next;	/* worker queue */
	uint64_t backend_data;		/* the backend's own use */
};

struct backend_ops {
	const char *name;
	/* Sends the answer for a permission event. Thread-safe, never blocks;
	 * may take a reference on the event until the answer is written. */
	void (*answer)(struct backend *backend, struct vigild_event *event, bool allow);
	/* Closes the fd and frees the event (last reference gone). */
	void (*event_free)(struct backend *backend, struct vigild_event *event);
	/* Adds one JSON object per configured path: what is really covered. */
	void (*coverage)(struct backend *backend, struct json_object *array);
	/* Optional (NULL: none): adds the kernel side's own counters to a
	 * status reply (vigil.ko: "module"). */
	void (*statistics)(struct backend *backend, struct json_object *object);
	/* Re-examines the mounts under the protected paths (mount table changed). */
	void (*refresh_marks)(struct backend *backend);
	/* Optional (NULL: the backend has no kernel-side clean cache). With
	 * clean true: the event's file was just found clean on the running
	 * bases and entered the clean cache, so the backend may let the kernel
	 * skip its next opens (fanotify: an evictable ignore mark, which the
	 * kernel drops on the next write or truncate). With clean false: forget
	 * that (a writer closed it, or it changed while the mark was added).
	 * Called from workers and from the event loop; never blocks. */
	void (*remember_clean)(struct backend *backend, struct vigild_event *event, bool clean);
	/* Flushes any kernel-side clean cache (bases changed). */
	void (*flush_cache)(struct backend *backend);
	/* The kernel side takes a clean verdict into its cache with the answer
	 * itself (vigil.ko: VIGIL_ANSWER_F_CACHE when dispatch's cache holds
	 * the file): a clean scan then enters dispatch's cache just before it
	 * answers, so the first clean answer is cacheable, not the second. */
	bool caches_with_answer;
	/* Stops reading and closes the kernel side (the kernel then releases
	 * every pending open); later answers are no-ops. */
	void (*stop)(struct backend *backend);
	/* Frees the backend; call when no event is alive any more. */
	void (*free)(struct backend *backend);
};

struct backend {
	const struct backend_ops *ops;
	struct vigild *vigild;
};

/* dispatch.c, for backends */
struct vigild_event *event_alloc(struct backend *backend, int fd, pid_t pid, unsigned kind);
struct vigild_event *event_get(struct vigild_event *event);
void event_put(struct vigild_event *event);
/* Answers once; returns true when this call gave the answer. */
bool event_answer(struct vigild_event *event, bool allow);
/* Takes over the caller's reference. */
void dispatch_event(struct vigild *vigild, struct vigild_event *event);
/* Events alive (read and not yet freed); a backend stops reading at the cap. */
unsigned dispatch_in_flight(struct vigild *vigild);
unsigned dispatch_in_flight_cap(struct vigild *vigild);
void dispatch_note_overflow(struct vigild *vigild);

int fanotify_backend_new(struct vigild *vigild, struct backend **ret_backend,
			 char *error, size_t error_size);
/* kmod.c: vigil.ko through /dev/vigil */
bool kmod_backend_available(void);
int kmod_backend_new(struct vigild *vigild, struct backend **ret_backend,
		     char *error, size_t error_size);

#endif
