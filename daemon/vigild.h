/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The daemon's context, passed to every part (no globals but signal flags),
 * and the small APIs the parts offer each other:
 *   bases.c    the running bases snapshot and the reload thread
 *   cache.c    the clean cache
 *   dispatch.c event handling, scan workers, watchdog, counters
 *   record.c   verdict records and where they go
 *   control.c  the control socket
 */
#ifndef VIGIL_DAEMON_VIGILD_H
#define VIGIL_DAEMON_VIGILD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"

/* AddressSanitizer builds (tests): no seccomp (LeakSanitizer uses ptrace)
 * and no address-space cap on the compile child (ASan reserves terabytes). */
#if defined(__SANITIZE_ADDRESS__)
#define VIGILD_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIGILD_UNDER_ASAN 1
#endif
#endif

struct backend;
struct cache;
struct recorder;
struct control;
struct dispatch;
struct bases;
struct json_object;

#define LATENCY_BUCKETS 96

struct vigild_stats {
	atomic_uint_fast64_t events;
	atomic_uint_fast64_t cache_hits;
	atomic_uint_fast64_t scans;
	atomic_uint_fast64_t loop_scans;	/* of these, in the backend's thread */
	atomic_uint_fast64_t detections;
	atomic_uint_fast64_t denied;
	atomic_uint_fast64_t allowed;
	atomic_uint_fast64_t timeouts;
	atomic_uint_fast64_t errors;
	atomic_uint_fast64_t overflows;
	atomic_uint_fast64_t excluded;
	atomic_uint_fast64_t not_regular;
	atomic_uint_fast64_t own_opens;
	atomic_uint_fast64_t answer_errors;
	atomic_uint_fast64_t ignore_marks_added;	/* kernel-side clean cache */
	atomic_uint_fast64_t latency[LATENCY_BUCKETS];
};

struct vigild {
	struct vigild_config config;
	char host_name[256];
	pid_t pid;
	uint64_t started_ns;		/* CLOCK_MONOTONIC */
	time_t started_at;
	struct vigild_stats stats;
	struct bases *bases;
	struct cache *cache;
	struct dispatch *dispatch;
	struct recorder *recorder;
	struct control *control;
	struct backend *backend;
	int lock_fd;
	char quarantine_dir[4096];
	char hardening[256];
};

uint64_t monotonic_ns(void);

/* bases.c: the running bases, swapped as one pointer */
struct bases_snapshot {
	atomic_int refs;
	struct vigil_engine *engine;
	uint64_t generation;
	char version[80];
	time_t loaded_at;
	size_t signatures;
	bool parsed;		/* some part was parsed from its text (not shared nor cached) */
	/* Signed bases only: what a reload compares against (rollback,
	 * equivocation). */
	bool from_bundle;
	bool expired;
	uint64_t bundle_version;
	uint8_t bundle_digest[32];
};
int bases_new(struct vigild *vigild, struct bases **ret_bases, char *error, size_t error_size);
void bases_free(struct bases *bases);
struct bases_snapshot *bases_acquire(struct bases *bases);
void bases_release(struct bases_snapshot *snapshot);
uint64_t bases_generation(struct bases *bases);
/* Asks the reload thread for a reload; returns a ticket to wait on. */
uint64_t bases_request_reload(struct bases *bases);
/* Waits for the reload with that ticket; 0 and the new version, or -errno
 * and the reason (running bases unchanged). */
int bases_wait_reload(struct bases *bases, uint64_t ticket, char *message, size_t message_size);
void bases_status(struct bases *bases, struct json_object *object);

/* cache.c */
int cache_new(struct cache **ret_cache);
void cache_free(struct cache *cache);
bool cache_lookup(struct cache *cache, const struct stat *st, uint64_t generation);
void cache_insert(struct cache *cache, const struct stat *st, uint64_t generation);
void cache_invalidate(struct cache *cache, dev_t dev, ino_t ino);
/* How many invalidations the file's slot has seen; sample it before a
 * scan and pass it to cache_insert_unchanged(), which inserts (and returns
 * true) only if no invalidation came in between. */
uint64_t cache_changes(struct cache *cache, dev_t dev, ino_t ino);
bool cache_insert_unchanged(struct cache *cache, const struct stat *st, uint64_t generation,
			    uint64_t changes);
void cache_flush(struct cache *cache);
size_t cache_size(struct cache *cache);
/* Whether anyone holds the file open for writing (a read lease tells). */
bool file_open_for_writing(int fd);
/* Same device, inode, size, mtime and ctime. */
bool same_file_state(const struct stat *a, const struct stat *b);

/* ring-poll.c: io_uring_wait_cqe(), after looking for a completion
 * without sleeping for poll_ns (0: not at all), yielding between looks. */
struct io_uring;
struct io_uring_cqe;
int ring_wait_polling(struct io_uring *ring, struct io_uring_cqe **ret_cqe, uint64_t poll_ns);

/* in-memory-read.c: the whole first @size bytes of the file, only if they
 * are in memory (tmpfs, ramfs; the page cache of ext4, XFS, btrfs, f2fs
 * through RWF_NOWAIT); -EAGAIN when reading them could wait, -EPIPE when
 * the file is shorter, or another -errno. Never blocks on I/O. */
int read_in_memory(int fd, void *data, size_t size);

/* dispatch.c */
int dispatch_new(struct vigild *vigild, struct dispatch **ret_dispatch);
void dispatch_free(struct dispatch *dispatch);
void dispatch_status(struct vigild *vigild, struct json_object *object);
/* Whether scanning makes progress (systemd watchdog pings); else why. */
bool dispatch_healthy(struct dispatch *dispatch, char *why, size_t why_size);

/* control.c */
int control_new(struct vigild *vigild, struct control **ret_control, char *error,
		size_t error_size);
void control_free(struct control *control);

/* privileges.c: -errno and a message on failure */
int privileges_drop_capabilities(char *error, size_t error_size);
int privileges_restrict_syscalls(char *summary, size_t summary_size);

/* main.c */
void vigild_status(struct vigild *vigild, struct json_object *object);

#endif
