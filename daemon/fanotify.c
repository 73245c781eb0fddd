// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the fanotify backend. This file owns the fanotify group fd, the
 * io_uring ring that reads it and writes the answers, the event loop thread,
 * and the marks (including bind mounts vigild made itself). It must not
 * own scanning, caching, records or reload: every event goes to
 * dispatch_event() and comes back through fanotify_answer().
 *
 *   kernel queue -> IORING_OP_READ (FAN_NONBLOCK: poll-driven, no worker
 *   thread) -> loop thread parses the buffer -> event_alloc() ->
 *   dispatch_event() (ownership of the event and its fd moves to dispatch)
 *   ... any thread: fanotify_answer() -> IORING_OP_WRITE of the response
 *   on that thread's own small answer ring, completed and reaped by the
 *   same thread before it returns, so no other thread wakes for an answer
 *   (a thread without one: the shared ring, whose write holds a reference
 *   the loop drops on the completion)
 *   -> last reference: fanotify_event_free() closes the event fd.
 *
 * What is protected: a path that is the root of its filesystem's mount gets
 * FAN_MARK_FILESYSTEM (every mount of that filesystem, in every mount
 * namespace, so containers and bind mounts too); a mount point that shows
 * only a subtree of a filesystem gets FAN_MARK_MOUNT. A folder that is not
 * a mount point is bind-mounted onto itself and that mount is marked, so
 * the rest of its filesystem never goes through vigild; opens that reach the
 * same files by another mount (a bind elsewhere, a process whose working
 * folder was inside before vigild started) are not seen, and `vigil status`
 * says so. vigild detaches its own bind mounts when it stops. Mounts made
 * under a protected path later are marked when the mount table changes.
 *
 * Kernel-side clean cache: after a clean verdict that dispatch cached, the
 * file's inode gets an evictable ignore mark for the permission events we
 * ask for (FAN_MARK_IGNORE, or the older FAN_MARK_IGNORED_MASK, whichever
 * the kernel accepted when we probed at start; none if neither), so its
 * next opens never leave the kernel. The kernel clears that ignore mask on
 * the file's next write or truncate (FS_MODIFY; no SURV_MODIFY here) and
 * silently refuses it while someone holds the file open for writing; we
 * remove it on FAN_CLOSE_WRITE (stores through a shared writable mmap make
 * no FS_MODIFY: such a change is seen only at close) and FAN_MARK_FLUSH
 * drops them all on reload. Evictable: the marks never pin inodes, so the
 * cache costs no memory the kernel cannot take back.
 *
 * When vigild dies, the kernel answers FAN_ALLOW to every pending event
 * (fanotify_release()): fanotify fails open. FAN_UNLIMITED_QUEUE keeps the
 * kernel from allowing events unread for want of queue room; should it
 * overflow anyway, FAN_Q_OVERFLOW raises an alarm.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "backend.h"
#include "mounts.h"
#include "vigild.h"

#define RING_ENTRIES 512
#define READ_BUFFER_SIZE (64 * 1024)
#define TAG_WRITE 1ULL
#define TAG_READ 2ULL
#define TAG_TICK 3ULL
#define TAG_STOP 4ULL
#define TICK_NS 50000000LL

struct protected_path {
	char *path;
	char method[32];
	char fs_type[64];
	bool covered;
	bool vigild_bind;
	char note[200];
};

/* A ring one answering thread (a scan worker, the watchdog, the loop)
 * keeps for itself; made at start, before the sandbox. */
struct answer_ring {
	struct io_uring ring;
	bool ready;
};

#define ANSWER_RING_ENTRIES 4
#define ANSWER_RINGS_MAX 64

struct fanotify_backend {
	struct backend base;
	int fan_fd;
	uint64_t mask;
	struct io_uring ring;
	bool ring_ready;
	struct answer_ring *answer_rings;
	unsigned answer_ring_count;
	atomic_uint answer_rings_claimed;
	pthread_mutex_t submit_lock;	/* the SQ ring: any thread may answer */
	bool closed;			/* under submit_lock */
	pthread_t thread;
	bool thread_started;
	bool read_armed;
	struct __kernel_timespec tick;
	struct protected_path *paths;
	size_t path_count;
	pthread_mutex_t marks_lock;
	char *submounts_note;
	unsigned ignore_flags;		/* FAN_MARK_IGNORE... | EVICTABLE, or 0 */
	uint64_t ignore_mask;		/* our permission events */
	_Alignas(struct fanotify_event_metadata) char buffer[READ_BUFFER_SIZE];
};

static struct fanotify_backend *of(struct backend *backend)
{
	return (struct fanotify_backend *)backend;
}

/* Called with submit_lock held. */
static struct io_uring_sqe *get_sqe(struct fanotify_backend *fanotify)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&fanotify->ring);

	if (!sqe) {
		io_uring_submit(&fanotify->ring);
		sqe = io_uring_get_sqe(&fanotify->ring);
	}
	return sqe;
}

/* This thread's answer ring, claimed on its first answer; NULL when none
 * is left (then the shared ring answers). */
static __thread struct {
	const struct fanotify_backend *owner;
	struct io_uring *ring;
} thread_answer;

static struct io_uring *thread_answer_ring(struct fanotify_backend *fanotify)
{
	if (thread_answer.owner != fanotify) {
		unsigned index = atomic_fetch_add(&fanotify->answer_rings_claimed, 1);

		thread_answer.owner = fanotify;
		thread_answer.ring = index < fanotify->answer_ring_count &&
				     fanotify->answer_rings[index].ready ?
				     &fanotify->answer_rings[index].ring : NULL;
	}
	return thread_answer.ring;
}

/*
 * Writes the response through this thread's ring and reaps its completion
 * here: true when the kernel took the write (its result counted), false
 * when the ring could not submit it (nothing is left queued: the caller
 * answers another way). Called with submit_lock held.
 */
static bool answer_on_own_ring(struct fanotify_backend *fanotify, struct io_uring *ring,
			       const struct fanotify_response *response)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int r;

	if (!sqe)
		return false;
	io_uring_prep_write(sqe, fanotify->fan_fd, response, sizeof(*response), 0);
	io_uring_sqe_set_data64(sqe, TAG_WRITE);
	r = io_uring_submit(ring);
	if (r != 1) {
		/* Not submitted: it must never go later, with a stale buffer. */
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 0);
		return false;
	}
	for (;;) {
		uint64_t tag;

		r = io_uring_wait_cqe(ring, &cqe);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return true;	/* submitted; its result is lost, not the answer */
		tag = io_uring_cqe_get_data64(cqe);
		r = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		if (tag == TAG_WRITE)
			break;		/* a nop left by a failed submit: skipped */
	}
	if (r < 0)
		atomic_fetch_add(&fanotify->base.vigild->stats.answer_errors, 1);
	return true;
}

static void fanotify_answer(struct backend *backend, struct vigild_event *event, bool allow)
{
	struct fanotify_backend *fanotify = of(backend);
	struct fanotify_response *response = (struct fanotify_response *)&event->backend_data;
	struct io_uring_sqe *sqe;
	struct io_uring *ring;
	int r = -EBUSY;

	_Static_assert(sizeof(*response) <= sizeof(event->backend_data), "response fits");
	response->fd = event->fd;
	response->response = allow ? FAN_ALLOW : FAN_DENY;
	pthread_mutex_lock(&fanotify->submit_lock);
	if (fanotify->closed) {
		/* The group is closed: the kernel has answered already. */
		pthread_mutex_unlock(&fanotify->submit_lock);
		return;
	}
	ring = thread_answer_ring(fanotify);
	if (ring && answer_on_own_ring(fanotify, ring, response)) {
		pthread_mutex_unlock(&fanotify->submit_lock);
		return;
	}
	event_get(event);
	sqe = get_sqe(fanotify);
	if (sqe) {
		io_uring_prep_write(sqe, fanotify->fan_fd, response, sizeof(*response), 0);
		io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)event | TAG_WRITE);
		r = io_uring_submit(&fanotify->ring);
	}
	if (r < 0) {
		/* Never leave an opener waiting on a ring problem. */
		if (sqe) {
			/* It may still be submitted later: make it do nothing. */
			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, 0);
		}
		if (write(fanotify->fan_fd, response, sizeof(*response)) < 0)
			atomic_fetch_add(&backend->vigild->stats.answer_errors, 1);
		pthread_mutex_unlock(&fanotify->submit_lock);
		event_put(event);
		return;
	}
	pthread_mutex_unlock(&fanotify->submit_lock);
}

static void fanotify_event_free(struct backend *backend, struct vigild_event *event)
{
	if (event->fd >= 0)
		close(event->fd);
	free(event);
}

/* Called with submit_lock held. */
static void arm_read(struct fanotify_backend *fanotify)
{
	struct vigild *vigild = fanotify->base.vigild;
	unsigned in_flight = dispatch_in_flight(vigild), cap = dispatch_in_flight_cap(vigild);
	struct io_uring_sqe *sqe;
	size_t size;

	if (fanotify->read_armed || fanotify->closed || in_flight >= cap)
		return;
	/* Each event read is an fd in our table: read no more events than
	 * there is room for under the cap (the kernel denies an event whose fd
	 * it cannot create). Our events carry no info records, so each takes
	 * FAN_EVENT_METADATA_LEN bytes. */
	size = (size_t)(cap - in_flight) * FAN_EVENT_METADATA_LEN;
	if (size > sizeof(fanotify->buffer))
		size = sizeof(fanotify->buffer);
	sqe = get_sqe(fanotify);
	if (!sqe)
		return;	/* retried on the next tick */
	io_uring_prep_read(sqe, fanotify->fan_fd, fanotify->buffer, (unsigned)size, 0);
	io_uring_sqe_set_data64(sqe, TAG_READ);
	fanotify->read_armed = true;
}

/* Called with submit_lock held. */
static void arm_tick(struct fanotify_backend *fanotify)
{
	struct io_uring_sqe *sqe = get_sqe(fanotify);

	if (!sqe)
		return;
	fanotify->tick.tv_sec = 0;
	fanotify->tick.tv_nsec = TICK_NS;
	io_uring_prep_timeout(sqe, &fanotify->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, TAG_TICK);
}

static void allow_directly(struct fanotify_backend *fanotify, int fd)
{
	struct fanotify_response response = { .fd = fd, .response = FAN_ALLOW };

	if (write(fanotify->fan_fd, &response, sizeof(response)) < 0)
		atomic_fetch_add(&fanotify->base.vigild->stats.answer_errors, 1);
}

static void handle_buffer(struct fanotify_backend *fanotify, size_t length)
{
	struct vigild *vigild = fanotify->base.vigild;
	struct fanotify_event_metadata *metadata = (struct fanotify_event_metadata *)fanotify->buffer;
	ssize_t left = (ssize_t)length;

	for (; FAN_EVENT_OK(metadata, left); metadata = FAN_EVENT_NEXT(metadata, left)) {
		struct vigild_event *event;
		ssize_t rest = left;
		struct fanotify_event_metadata *next = FAN_EVENT_NEXT(metadata, rest);
		bool last = !FAN_EVENT_OK(next, rest);	/* nothing read waits behind it */
		unsigned kind = 0;

		if (metadata->vers != FANOTIFY_METADATA_VERSION)
			continue;
		if (metadata->mask & FAN_Q_OVERFLOW)
			dispatch_note_overflow(vigild);
		if (metadata->fd < 0)
			continue;
		if (metadata->mask & FAN_OPEN_EXEC_PERM)
			kind |= EVENT_EXEC;
		if (metadata->mask & FAN_OPEN_PERM)
			kind |= EVENT_OPEN;
		if (!kind && (metadata->mask & FAN_CLOSE_WRITE))
			kind = EVENT_CLOSE_WRITE;
		if (!kind) {
			close(metadata->fd);
			continue;
		}
		/* Our own opens (bases, logs): allowed before anything else. */
		if (metadata->pid == vigild->pid && (kind & (EVENT_OPEN | EVENT_EXEC))) {
			atomic_fetch_add(&vigild->stats.events, 1);
			atomic_fetch_add(&vigild->stats.own_opens, 1);
			allow_directly(fanotify, metadata->fd);
			close(metadata->fd);
			continue;
		}
		event = event_alloc(&fanotify->base, metadata->fd, metadata->pid, kind);
		if (!event) {
			if (kind & (EVENT_OPEN | EVENT_EXEC))
				allow_directly(fanotify, metadata->fd);
			close(metadata->fd);
			continue;
		}
		event->loop_may_scan = last;
		dispatch_event(vigild, event);
	}
}

static void *loop_thread(void *data)
{
	struct fanotify_backend *fanotify = data;
	struct vigild *vigild = fanotify->base.vigild;
	bool stopping = false;

	pthread_mutex_lock(&fanotify->submit_lock);
	arm_read(fanotify);
	arm_tick(fanotify);
	io_uring_submit(&fanotify->ring);
	pthread_mutex_unlock(&fanotify->submit_lock);

	while (!stopping) {
		struct io_uring_cqe *cqe;
		int r = io_uring_wait_cqe(&fanotify->ring, &cqe);
		bool rearm = false;

		if (r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "vigild: io_uring wait: %s\n", strerror(-r));
			break;
		}
		do {
			uint64_t tag = io_uring_cqe_get_data64(cqe);
			int result = cqe->res;

			io_uring_cqe_seen(&fanotify->ring, cqe);
			if (tag == TAG_READ) {
				fanotify->read_armed = false;
				if (result > 0)
					handle_buffer(fanotify, (size_t)result);
				else if (result < 0 && result != -EAGAIN && result != -EINTR)
					fprintf(stderr, "vigild: reading fanotify: %s\n", strerror(-result));
				rearm = result >= 0 || result == -EAGAIN || result == -EINTR;
			} else if (tag == TAG_TICK) {
				pthread_mutex_lock(&fanotify->submit_lock);
				arm_tick(fanotify);
				pthread_mutex_unlock(&fanotify->submit_lock);
				rearm = true;
			} else if (tag == TAG_STOP) {
				stopping = true;
			} else if (tag & TAG_WRITE) {
				struct vigild_event *event = (void *)(uintptr_t)(tag & ~TAG_WRITE);

				if (result < 0)
					atomic_fetch_add(&vigild->stats.answer_errors, 1);
				event_put(event);
			}
		} while (!stopping && io_uring_peek_cqe(&fanotify->ring, &cqe) == 0);
		if (stopping)
			break;
		pthread_mutex_lock(&fanotify->submit_lock);
		/* Backpressure, never denial: past the cap, events wait in the
		 * kernel's (unlimited) queue until scans finish. */
		if (rearm)
			arm_read(fanotify);
		io_uring_submit(&fanotify->ring);
		pthread_mutex_unlock(&fanotify->submit_lock);
	}
	return NULL;
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPER" */
static bool strictly_within(const char *path, const char *folder)
{
	size_t length = strlen(folder);

	if (!strcmp(folder, "/"))
		return strcmp(path, "/") != 0;
	return !strncmp(path, folder, length) && path[length] == '/';
}

static const char *fs_note(const char *fs_type)
{
	static const char *const network[] = { "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph",
					      "afs", "glusterfs", NULL };

	for (size_t i = 0; network[i]; i++)
		if (!strcmp(fs_type, network[i]))
			return "network filesystem: changes made by other hosts are not seen; "
			       "files are scanned when opened here";
	if (!strncmp(fs_type, "fuse", 4))
		return "FUSE filesystem: the content comes from a userspace process; "
		       "a FUSE server in a protected path may deadlock";
	if (!strcmp(fs_type, "overlay"))
		return "overlay: covered through this filesystem; changes made directly in "
		       "the lower or upper layers are seen only where those are protected too";
	return NULL;
}

static int mark_one(struct fanotify_backend *fanotify, const char *point, bool whole_fs)
{
	unsigned flags = FAN_MARK_ADD | (whole_fs ? FAN_MARK_FILESYSTEM : FAN_MARK_MOUNT);

	if (fanotify_mark(fanotify->fan_fd, flags, fanotify->mask, AT_FDCWD, point) == 0)
		return 0;
	if (whole_fs && (errno == EXDEV || errno == ENODEV || errno == EOPNOTSUPP) &&
	    fanotify_mark(fanotify->fan_fd, FAN_MARK_ADD | FAN_MARK_MOUNT, fanotify->mask,
			  AT_FDCWD, point) == 0)
		return 1;
	return -errno;
}

/* Marks one protected path and the mounts below it; fills its coverage. */
static int mark_path(struct fanotify_backend *fanotify, struct protected_path *protected,
		     const struct mount_entry *entries, size_t count, bool at_start,
		     char *error, size_t error_size)
{
	const struct mount_entry *existing = mounts_at(entries, count, protected->path);
	const char *note;
	int r;

	if (!existing && at_start) {
		if (mount(protected->path, protected->path, NULL, MS_BIND, NULL) < 0) {
			r = -errno;
			snprintf(error, error_size, "paths: %s: bind-mounting it onto itself: %s",
				 protected->path, strerror(-r));
			return r;
		}
		protected->vigild_bind = true;
	}
	if (protected->vigild_bind) {
		r = mark_one(fanotify, protected->path, false);
		snprintf(protected->method, sizeof(protected->method), "bind-mount");
	} else if (existing) {
		bool whole = !strcmp(existing->root, "/");

		r = mark_one(fanotify, protected->path, whole);
		snprintf(protected->method, sizeof(protected->method), "%s",
			 whole && r == 0 ? "filesystem" : "mount");
	} else {
		r = -ENOENT;
	}
	if (r < 0) {
		protected->covered = false;
		snprintf(protected->note, sizeof(protected->note), "not covered: %s%s",
			 strerror(-r), r == -EINVAL ? " (this filesystem refuses permission events)" : "");
		if (at_start) {
			snprintf(error, error_size, "paths: %s: fanotify_mark: %s", protected->path,
				 strerror(-r));
			return r;
		}
		return 0;
	}
	protected->covered = true;
	if (existing)
		snprintf(protected->fs_type, sizeof(protected->fs_type), "%s", existing->fs_type);
	else {
		/* A bind vigild just made is not in this table yet: it shows
		 * the filesystem of the mount holding the folder. */
		const struct mount_entry *self = mounts_at(entries, count, protected->path);

		if (!self)
			self = mounts_holding(entries, count, protected->path);
		snprintf(protected->fs_type, sizeof(protected->fs_type), "%s",
			 self ? self->fs_type : "?");
	}
	note = fs_note(protected->fs_type);
	if (protected->vigild_bind)
		snprintf(protected->note, sizeof(protected->note),
			 "not a mount point: vigild bind-mounted it onto itself; opens through "
			 "other mounts of the same files are not seen");
	else if (note)
		snprintf(protected->note, sizeof(protected->note), "%s", note);
	else
		protected->note[0] = '\0';

	/* Mounts below: their own filesystems need their own marks. */
	for (size_t i = 0; i < count; i++) {
		if (!strictly_within(entries[i].point, protected->path))
			continue;
		r = mark_one(fanotify, entries[i].point, !strcmp(entries[i].root, "/"));
		if (r < 0 && at_start)
			fprintf(stderr, "vigild: warning: %s (under %s) is not covered: %s\n",
				entries[i].point, protected->path, strerror(-r));
	}
	return 0;
}

static int mark_all(struct fanotify_backend *fanotify, bool at_start, char *error,
		    size_t error_size)
{
	struct mount_entry *entries = NULL;
	size_t count = 0;
	int r;

	r = mounts_read(&entries, &count);
	if (r < 0) {
		snprintf(error, error_size, "/proc/self/mountinfo: %s", strerror(-r));
		return r;
	}
	pthread_mutex_lock(&fanotify->marks_lock);
	for (size_t i = 0; i < fanotify->path_count; i++) {
		r = mark_path(fanotify, &fanotify->paths[i], entries, count, at_start, error,
			      error_size);
		if (r < 0)
			break;
		/* A bind we made shows up only in a fresh mount table. */
		if (fanotify->paths[i].vigild_bind && at_start) {
			free(entries);
			r = mounts_read(&entries, &count);
			if (r < 0)
				break;
		}
	}
	pthread_mutex_unlock(&fanotify->marks_lock);
	free(entries);
	return r < 0 ? r : 0;
}

static void fanotify_refresh_marks(struct backend *backend)
{
	char error[256];

	mark_all(of(backend), false, error, sizeof(error));
}

static void fanotify_coverage(struct backend *backend, struct json_object *array)
{
	struct fanotify_backend *fanotify = of(backend);

	pthread_mutex_lock(&fanotify->marks_lock);
	for (size_t i = 0; i < fanotify->path_count; i++) {
		struct protected_path *protected = &fanotify->paths[i];
		struct json_object *object = json_object_new_object();

		json_object_object_add(object, "path", json_object_new_string(protected->path));
		json_object_object_add(object, "covered", json_object_new_boolean(protected->covered));
		json_object_object_add(object, "method", json_object_new_string(protected->method));
		json_object_object_add(object, "filesystem",
				       json_object_new_string(protected->fs_type));
		if (protected->note[0])
			json_object_object_add(object, "note",
					       json_object_new_string(protected->note));
		json_object_array_add(array, object);
	}
	pthread_mutex_unlock(&fanotify->marks_lock);
}

/* The group fd, or -1 once stopped (workers may still call us then). */
static int group_fd(struct fanotify_backend *fanotify)
{
	return __atomic_load_n(&fanotify->fan_fd, __ATOMIC_ACQUIRE);
}

static void fanotify_remember_clean(struct backend *backend, struct vigild_event *event,
				    bool clean)
{
	struct fanotify_backend *fanotify = of(backend);
	int fan_fd = group_fd(fanotify);

	if (!fanotify->ignore_flags || fan_fd < 0)
		return;
	if (clean) {
		/* Returns 0 but adds nothing when the file is open for writing
		 * somewhere: counted anyway, the kernel does not tell. */
		if (fanotify_mark(fan_fd, FAN_MARK_ADD | fanotify->ignore_flags,
				  fanotify->ignore_mask, event->fd, NULL) == 0)
			atomic_fetch_add(&backend->vigild->stats.ignore_marks_added, 1);
	} else {
		/* ENOENT (no mark) is the common case: nothing to do. */
		fanotify_mark(fan_fd, FAN_MARK_REMOVE | (fanotify->ignore_flags & ~FAN_MARK_EVICTABLE),
			      fanotify->ignore_mask, event->fd, NULL);
	}
}

static void fanotify_flush_cache(struct backend *backend)
{
	struct fanotify_backend *fanotify = of(backend);
	int fan_fd = group_fd(fanotify);

	/* No type flag: every inode mark of the group, that is every ignore
	 * mark (what we protect is marked per mount or filesystem). */
	if (fanotify->ignore_flags && fan_fd >= 0 &&
	    fanotify_mark(fan_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL) < 0)
		fprintf(stderr, "vigild: warning: flushing the ignore marks: %s\n", strerror(errno));
}

/*
 * Which ignore marks this kernel takes: FAN_MARK_IGNORE (6.0, backported
 * to 5.15/5.10 stable), else FAN_MARK_IGNORED_MASK, each with
 * FAN_MARK_EVICTABLE (5.19); without evictable marks none (a mark would
 * pin its inode). Probed on our own executable, then removed.
 */
static void probe_ignore_marks(struct fanotify_backend *fanotify)
{
	static const unsigned candidates[] = {
		FAN_MARK_IGNORE | FAN_MARK_EVICTABLE,
		FAN_MARK_IGNORED_MASK | FAN_MARK_EVICTABLE,
	};
	uint64_t mask = fanotify->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM);
	int fd;

	if (!mask)
		return;	/* scan_on has neither open nor exec */
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (fanotify_mark(fanotify->fan_fd, FAN_MARK_ADD | candidates[i], mask, fd, NULL) < 0)
			continue;
		fanotify_mark(fanotify->fan_fd, FAN_MARK_REMOVE | (candidates[i] & ~FAN_MARK_EVICTABLE),
			      mask, fd, NULL);
		fanotify->ignore_flags = candidates[i];
		fanotify->ignore_mask = mask;
		break;
	}
	close(fd);
	if (!fanotify->ignore_flags)
		fprintf(stderr, "vigild: note: this kernel has no evictable fanotify ignore marks; "
			"the clean cache is vigild's own only\n");
}

static void fanotify_stop(struct backend *backend)
{
	struct fanotify_backend *fanotify = of(backend);

	if (fanotify->thread_started) {
		struct io_uring_sqe *sqe;

		pthread_mutex_lock(&fanotify->submit_lock);
		sqe = get_sqe(fanotify);
		if (sqe) {
			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, TAG_STOP);
			io_uring_submit(&fanotify->ring);
		}
		pthread_mutex_unlock(&fanotify->submit_lock);
		pthread_join(fanotify->thread, NULL);
		fanotify->thread_started = false;
	}
	pthread_mutex_lock(&fanotify->submit_lock);
	fanotify->closed = true;
	/* The rings first: an in-flight read holds a reference to the group. */
	if (fanotify->ring_ready) {
		io_uring_queue_exit(&fanotify->ring);
		fanotify->ring_ready = false;
	}
	for (unsigned i = 0; i < fanotify->answer_ring_count; i++) {
		if (fanotify->answer_rings[i].ready)
			io_uring_queue_exit(&fanotify->answer_rings[i].ring);
		fanotify->answer_rings[i].ready = false;
	}
	if (fanotify->fan_fd >= 0) {
		int fan_fd = fanotify->fan_fd;

		__atomic_store_n(&fanotify->fan_fd, -1, __ATOMIC_RELEASE);
		close(fan_fd);	/* the kernel allows every pending open */
	}
	pthread_mutex_unlock(&fanotify->submit_lock);
	for (size_t i = 0; i < fanotify->path_count; i++) {
		if (fanotify->paths[i].vigild_bind &&
		    umount2(fanotify->paths[i].path, MNT_DETACH) == 0)
			fanotify->paths[i].vigild_bind = false;
	}
}

static void fanotify_free(struct backend *backend)
{
	struct fanotify_backend *fanotify = of(backend);

	if (!backend)
		return;
	fanotify_stop(backend);
	for (size_t i = 0; i < fanotify->path_count; i++)
		free(fanotify->paths[i].path);
	free(fanotify->paths);
	free(fanotify->answer_rings);
	pthread_mutex_destroy(&fanotify->submit_lock);
	pthread_mutex_destroy(&fanotify->marks_lock);
	free(fanotify);
}

static const struct backend_ops fanotify_ops = {
	.name = "fanotify",
	.answer = fanotify_answer,
	.event_free = fanotify_event_free,
	.coverage = fanotify_coverage,
	.refresh_marks = fanotify_refresh_marks,
	.remember_clean = fanotify_remember_clean,
	.flush_cache = fanotify_flush_cache,
	.stop = fanotify_stop,
	.free = fanotify_free,
};

/* One answer ring per thread that may answer: the workers, the watchdog,
 * the loop. Any that cannot be made leaves its thread on the shared ring. */
static void make_answer_rings(struct fanotify_backend *fanotify)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned workers = fanotify->base.vigild->config.workers;
	unsigned count = (workers ? workers : cores > 0 ? (unsigned)cores : 1) + 2;

	if (count > ANSWER_RINGS_MAX)
		count = ANSWER_RINGS_MAX;
	fanotify->answer_rings = calloc(count, sizeof(*fanotify->answer_rings));
	if (!fanotify->answer_rings)
		return;
	fanotify->answer_ring_count = count;
	for (unsigned i = 0; i < count; i++)
		fanotify->answer_rings[i].ready =
			io_uring_queue_init(ANSWER_RING_ENTRIES, &fanotify->answer_rings[i].ring, 0) == 0;
}

int fanotify_backend_new(struct vigild *vigild, struct backend **ret_backend,
			 char *error, size_t error_size)
{
	const struct vigild_config *config = &vigild->config;
	struct fanotify_backend *fanotify = calloc(1, sizeof(*fanotify));
	int r;

	if (!fanotify)
		return -ENOMEM;
	fanotify->base.ops = &fanotify_ops;
	fanotify->base.vigild = vigild;
	fanotify->fan_fd = -1;
	pthread_mutex_init(&fanotify->submit_lock, NULL);
	pthread_mutex_init(&fanotify->marks_lock, NULL);

	fanotify->paths = calloc(config->paths.count, sizeof(*fanotify->paths));
	if (!fanotify->paths) {
		r = -ENOMEM;
		goto err_free;
	}
	for (size_t i = 0; i < config->paths.count; i++) {
		r = mounts_resolve_folder(config->paths.items[i], &fanotify->paths[i].path, error, error_size);
		if (r < 0)
			goto err_free;
		fanotify->path_count++;
	}

	if (config->scan_on & CONFIG_SCAN_OPEN)
		fanotify->mask |= FAN_OPEN_PERM;
	if (config->scan_on & CONFIG_SCAN_EXEC)
		fanotify->mask |= FAN_OPEN_EXEC_PERM;
	fanotify->mask |= FAN_CLOSE_WRITE;	/* always: it invalidates the cache */

	/* Event fds non-blocking: opening a FIFO must never wait. */
	fanotify->fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK |
					 FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS,
					 O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME | O_NONBLOCK);
	if (fanotify->fan_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "fanotify_init: %s%s", strerror(-r),
			 r == -EPERM ? " (vigild needs CAP_SYS_ADMIN)" :
			 r == -EINVAL ? " (this kernel has no fanotify permission events)" : "");
		goto err_free;
	}
	probe_ignore_marks(fanotify);
	r = io_uring_queue_init(RING_ENTRIES, &fanotify->ring, 0);
	if (r < 0) {
		snprintf(error, error_size, "io_uring: %s%s", strerror(-r),
			 r == -EPERM ? " (io_uring disabled: kernel.io_uring_disabled?)" : "");
		goto err_free;
	}
	fanotify->ring_ready = true;
	make_answer_rings(fanotify);
	r = -pthread_create(&fanotify->thread, NULL, loop_thread, fanotify);
	if (r < 0) {
		snprintf(error, error_size, "event loop thread: %s", strerror(-r));
		goto err_free;
	}
	fanotify->thread_started = true;
	/* Marks last: from here on opens wait for us, and the loop runs. */
	r = mark_all(fanotify, true, error, error_size);
	if (r < 0)
		goto err_free;
	*ret_backend = &fanotify->base;
	return 0;

err_free:
	fanotify_free(&fanotify->base);
	return r;
}
