// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the kmod backend, vigild's second event source: vigil.ko through
 * /dev/vigil (the ABI is documented at the top of
 * include/uapi/linux/vigil.h). This file owns the /dev/vigil fd and its
 * registration, the mmap'd event slots, the io_uring ring that parks FETCH
 * commands on them (or the thread blocked in VIGIL_IOC_WAIT_EVENT where
 * io_uring is unavailable), the superblock watches and their coverage. It
 * must not own scanning, caching, exclusions, records or reload: every event
 * goes to dispatch_event() like a fanotify event and comes back through
 * kmod_answer().
 *
 *   module -> parked FETCH on slot s completes -> loop thread copies
 *   slots[s] -> event_alloc() (backend_data = s, slot_event_id[s] = id)
 *   -> dispatch_event() (ownership of the event and its fd moves there)
 *   ... any thread: kmod_answer() -> COMMIT_AND_FETCH on slot s (the
 *   answer and the slot parked again in one command), or COMMIT when
 *   dispatch is at its in-flight cap (the slot rests until the next tick)
 *   -> last reference: kmod_event_free() closes the event fd.
 *
 * Loop B (no io_uring): the loop thread blocks in VIGIL_IOC_WAIT_EVENT and
 * answers go out with VIGIL_IOC_ANSWER (backend_data = event id); stop
 * interrupts the wait with SIGUSR2 (an empty handler, no SA_RESTART).
 *
 * The module watches whole superblocks. A protected path that is not the
 * root of its filesystem is enforced here: an event for a file outside every
 * protected path of that filesystem is allowed at once, unscanned (the
 * fanotify backend bind-mounts such a folder instead). The kernel gives the
 * deadline (timeout_ms, capped by the module), the verdict for openers left
 * when vigild dies (on_timeout), the backlog overflow verdict
 * (overflow_verdict) and the errno of a deny (deny_errno). Clean verdicts
 * that dispatch put in the userspace cache are also cached by the module
 * (VIGIL_ANSWER_F_CACHE; caches_with_answer makes dispatch enter a clean
 * scan's file just before the answer, so the first answer carries it); a
 * reload with new bases flushes both.
 *
 * Polling: after handling events the loop looks for the next completion
 * for worker_spin_us before it sleeps (ring_wait_polling()), and vigil.ko
 * is registered with spin_us = worker_spin_us, so an opener whose event
 * reaches the polling loop spins for its answer instead of sleeping: a
 * steady flow of opens costs no wake-up on either side.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <liburing.h>
#include "uapi/linux/vigil.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "backend.h"
#include "mounts.h"
#include "vigild.h"

#define KMOD_DEVICE "/dev/" VIGIL_DEVICE_NAME
#define KMOD_MAX_SLOTS 256u
#define TAG_SHIFT 32
#define TAG_SLOT (1ULL << TAG_SHIFT)	/* a FETCH or COMMIT_AND_FETCH; low bits: slot */
#define TAG_COMMIT (2ULL << TAG_SHIFT)	/* a COMMIT */
#define TAG_TICK (3ULL << TAG_SHIFT)
#define TAG_STOP (4ULL << TAG_SHIFT)
#define TAG_MASK (0xffffULL << TAG_SHIFT)
#define TICK_NS 50000000LL
#define REGISTER_ATTEMPTS 100u		/* of TICK_NS: 5 s */

/* One watched filesystem region: a whole superblock, or a subtree of it. */
struct watched_region {
	dev_t dev;
	char *prefix;			/* NULL: the whole filesystem */
};

struct protected_path {
	char *path;
	char fs_type[64];
	bool covered;
	bool whole;			/* the root of its filesystem */
	char note[240];
};

struct kmod_backend {
	struct backend base;
	int device_fd;
	struct vigil_info info;
	bool use_uring;
	unsigned nr_slots;
	const struct vigil_event *slots;
	size_t slots_size;
	uint64_t *slot_event_id;	/* while slot s is with dispatch */
	bool *slot_resting;		/* not parked; under submit_lock */
	struct io_uring ring;
	bool ring_ready;
	pthread_mutex_t submit_lock;
	bool closed;			/* under submit_lock */
	struct __kernel_timespec tick;
	pthread_t thread;
	bool thread_started;
	atomic_bool stopping;
	bool session_gone;
	struct protected_path *paths;
	size_t path_count;
	struct watched_region *regions;
	size_t region_count;
	pthread_mutex_t marks_lock;
};

static struct kmod_backend *of(struct backend *backend)
{
	return (struct kmod_backend *)backend;
}

static void wake_handler(int signal_number)
{
	(void)signal_number;
}

/* Called with submit_lock held. */
static struct io_uring_sqe *get_sqe(struct kmod_backend *kmod)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&kmod->ring);

	if (!sqe) {
		io_uring_submit(&kmod->ring);
		sqe = io_uring_get_sqe(&kmod->ring);
	}
	return sqe;
}

/* Called with submit_lock held. liburing 2.3 has no io_uring_prep_uring_cmd(). */
static int queue_command(struct kmod_backend *kmod, uint32_t op, const struct vigil_answer *answer,
			 uint64_t tag)
{
	struct io_uring_sqe *sqe = get_sqe(kmod);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, kmod->device_fd, NULL, 0, 0);
	sqe->cmd_op = op;
	memcpy(sqe->cmd, answer, sizeof(*answer));
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

/* Called with submit_lock held: parks every resting slot while dispatch
 * has room. */
static void park_resting(struct kmod_backend *kmod)
{
	struct vigild *vigild = kmod->base.vigild;

	for (unsigned slot = 0; slot < kmod->nr_slots; slot++) {
		struct vigil_answer fetch = { .slot = (uint16_t)slot };

		if (!kmod->slot_resting[slot])
			continue;
		if (dispatch_in_flight(vigild) >= dispatch_in_flight_cap(vigild))
			break;
		if (queue_command(kmod, VIGIL_URING_FETCH, &fetch, TAG_SLOT | slot) < 0)
			break;
		kmod->slot_resting[slot] = false;
	}
}

/* Called with submit_lock held. */
static void arm_tick(struct kmod_backend *kmod)
{
	struct io_uring_sqe *sqe = get_sqe(kmod);

	if (!sqe)
		return;
	kmod->tick.tv_sec = 0;
	kmod->tick.tv_nsec = TICK_NS;
	io_uring_prep_timeout(sqe, &kmod->tick, 0, 0);
	io_uring_sqe_set_data64(sqe, TAG_TICK);
}

/* Answers one event; slot is the io_uring slot it came on (loop A) or
 * ignored (loop B). Never blocks. */
static void send_answer(struct kmod_backend *kmod, uint64_t event_id, unsigned slot, bool allow,
			bool cache)
{
	struct vigild *vigild = kmod->base.vigild;
	struct vigil_answer answer = {
		.event_id = event_id,
		.slot = (uint16_t)slot,
		.flags = cache ? VIGIL_ANSWER_F_CACHE : 0,
		.verdict = allow ? VIGIL_ALLOW : VIGIL_DENY,
	};
	bool park;
	int r = -EBUSY;

	pthread_mutex_lock(&kmod->submit_lock);
	if (kmod->closed) {
		/* The registration is gone: the module released the opener. */
		pthread_mutex_unlock(&kmod->submit_lock);
		return;
	}
	if (!kmod->use_uring) {
		pthread_mutex_unlock(&kmod->submit_lock);
		if (ioctl(kmod->device_fd, VIGIL_IOC_ANSWER, &answer) < 0 && errno != ESTALE)
			atomic_fetch_add(&vigild->stats.answer_errors, 1);
		return;
	}
	/* Backpressure, never denial: past the cap the slot rests and
	 * events wait in the module's backlog. */
	park = dispatch_in_flight(vigild) < dispatch_in_flight_cap(vigild) &&
	       !atomic_load(&kmod->stopping);
	if (park)
		r = queue_command(kmod, VIGIL_URING_COMMIT_AND_FETCH, &answer, TAG_SLOT | slot);
	else
		r = queue_command(kmod, VIGIL_URING_COMMIT, &answer, TAG_COMMIT);
	if (r == 0)
		r = io_uring_submit(&kmod->ring);
	if (r < 0 || !park)
		kmod->slot_resting[slot] = true;
	pthread_mutex_unlock(&kmod->submit_lock);
	/* Never leave an opener waiting on a ring problem. */
	if (r < 0 && ioctl(kmod->device_fd, VIGIL_IOC_ANSWER, &answer) < 0 && errno != ESTALE)
		atomic_fetch_add(&vigild->stats.answer_errors, 1);
}

static void kmod_answer(struct backend *backend, struct vigild_event *event, bool allow)
{
	struct kmod_backend *kmod = of(backend);
	struct vigild *vigild = backend->vigild;
	uint64_t event_id;
	unsigned slot = 0;
	bool cache;

	if (kmod->use_uring) {
		slot = (unsigned)event->backend_data;
		event_id = kmod->slot_event_id[slot];
	} else {
		event_id = event->backend_data;
	}
	/* What dispatch holds as clean in its own cache (a clean scan of
	 * this very state, or a hit) the module may cache too; never a
	 * timeout, an error, an exclusion or a deny. */
	cache = allow && event->st.st_ino &&
		cache_lookup(vigild->cache, &event->st, bases_generation(vigild->bases));
	send_answer(kmod, event_id, slot, allow, cache);
}

static void kmod_event_free(struct backend *backend, struct vigild_event *event)
{
	(void)backend;
	if (event->fd >= 0)
		close(event->fd);
	free(event);
}

/* Whether the file behind fd on dev lies in a protected region. */
static bool in_protected_region(struct kmod_backend *kmod, dev_t dev, int fd)
{
	char link[64], path[PATH_MAX];
	bool subtree = false, result = false;
	ssize_t length = -1;

	pthread_mutex_lock(&kmod->marks_lock);
	for (size_t i = 0; i < kmod->region_count && !result; i++) {
		if (kmod->regions[i].dev != dev)
			continue;
		if (!kmod->regions[i].prefix) {
			result = true;
			break;
		}
		if (!subtree) {
			subtree = true;
			snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
			length = fd >= 0 ? readlink(link, path, sizeof(path) - 1) : -1;
			if (length < 0) {
				result = true;	/* cannot tell: scan it */
				break;
			}
			path[length] = '\0';
		}
		result = config_path_within(path, kmod->regions[i].prefix);
	}
	pthread_mutex_unlock(&kmod->marks_lock);
	return result;
}

/* One event from the module (a copy of the slot or the ioctl's result). */
static void handle_event(struct kmod_backend *kmod, const struct vigil_event *kernel_event,
			 unsigned slot, bool last)
{
	struct vigild *vigild = kmod->base.vigild;
	unsigned scan_on = vigild->config.scan_on;
	struct vigild_event *event;
	uint64_t timeout_ns = (uint64_t)vigild->config.timeout_ms * 1000000ULL;
	int fd = (kernel_event->flags & VIGIL_EVENT_F_NO_FD) ? -1 : kernel_event->fd;
	unsigned kind;

	/* The module sends one event for an exec; fanotify would have sent
	 * an open too, so scan_on = open alone still scans executables. */
	if (kernel_event->type == VIGIL_EVENT_EXEC && (scan_on & CONFIG_SCAN_EXEC))
		kind = EVENT_EXEC;
	else if (scan_on & CONFIG_SCAN_OPEN)
		kind = EVENT_OPEN;
	else
		kind = 0;
	if (!kind || !in_protected_region(kmod, (dev_t)kernel_event->dev, fd)) {
		if (fd >= 0)
			close(fd);
		send_answer(kmod, kernel_event->event_id, slot, true, false);
		return;
	}
	event = event_alloc(&kmod->base, fd, kernel_event->tgid, kind);
	if (!event) {
		if (fd >= 0)
			close(fd);
		send_answer(kmod, kernel_event->event_id, slot, true, false);
		return;
	}
	/* The opener has waited since the module made the event: count the
	 * deadline and the latency from there, as the module does. */
	if (kernel_event->deadline_ns > timeout_ns &&
	    kernel_event->deadline_ns - timeout_ns < event->start_ns)
		event->start_ns = kernel_event->deadline_ns - timeout_ns;
	if (kmod->use_uring) {
		kmod->slot_event_id[slot] = kernel_event->event_id;
		event->backend_data = slot;
	} else {
		event->backend_data = kernel_event->event_id;
	}
	event->loop_may_scan = last;
	dispatch_event(vigild, event);
}

static void session_lost(struct kmod_backend *kmod, int error)
{
	if (kmod->session_gone || atomic_load(&kmod->stopping))
		return;
	kmod->session_gone = true;
	fprintf(stderr, "vigild: ALARM: vigil.ko ended the session (%s): no more events are "
		"scanned; restart vigild\n", strerror(-error));
}

static void *uring_loop_thread(void *data)
{
	struct kmod_backend *kmod = data;
	struct vigild *vigild = kmod->base.vigild;
	uint64_t poll_ns = 0;	/* after events: worker_spin_us */
	bool stopping = false;

	pthread_mutex_lock(&kmod->submit_lock);
	park_resting(kmod);
	arm_tick(kmod);
	io_uring_submit(&kmod->ring);
	pthread_mutex_unlock(&kmod->submit_lock);

	while (!stopping) {
		struct io_uring_cqe *cqe;
		int r = ring_wait_polling(&kmod->ring, &cqe, poll_ns);

		if (r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "vigild: io_uring wait: %s\n", strerror(-r));
			break;
		}
		poll_ns = 0;
		do {
			uint64_t tag = io_uring_cqe_get_data64(cqe);
			int result = cqe->res;

			io_uring_cqe_seen(&kmod->ring, cqe);
			if ((tag & TAG_MASK) == TAG_SLOT) {
				unsigned slot = (unsigned)(tag & 0xffff);

				if (result == 0 && slot < kmod->nr_slots) {
					struct vigil_event copy;

					poll_ns = (uint64_t)vigild->config.worker_spin_us * 1000ULL;
					memcpy(&copy, &kmod->slots[slot], sizeof(copy));
					/* last: no other completion waits */
					handle_event(kmod, &copy, slot,
						     io_uring_cq_ready(&kmod->ring) == 0);
				} else if (result == -ECANCELED) {
					session_lost(kmod, result);
				} else if (result != -EBUSY && slot < kmod->nr_slots) {
					/* The answer or the fetch failed: the
					 * module's deadline frees the opener; park
					 * the slot again on the next tick. */
					atomic_fetch_add(&vigild->stats.answer_errors, 1);
					pthread_mutex_lock(&kmod->submit_lock);
					kmod->slot_resting[slot] = true;
					pthread_mutex_unlock(&kmod->submit_lock);
				}
			} else if (tag == TAG_COMMIT) {
				if (result < 0 && result != -ESTALE)
					atomic_fetch_add(&vigild->stats.answer_errors, 1);
			} else if (tag == TAG_TICK) {
				pthread_mutex_lock(&kmod->submit_lock);
				if (!kmod->session_gone)
					park_resting(kmod);
				arm_tick(kmod);
				io_uring_submit(&kmod->ring);
				pthread_mutex_unlock(&kmod->submit_lock);
			} else if (tag == TAG_STOP) {
				stopping = true;
			}
		} while (!stopping && io_uring_peek_cqe(&kmod->ring, &cqe) == 0);
	}
	return NULL;
}

static void *ioctl_loop_thread(void *data)
{
	struct kmod_backend *kmod = data;

	while (!atomic_load(&kmod->stopping)) {
		struct vigil_event event;
		struct vigild *vigild = kmod->base.vigild;

		/* Backpressure: wait for room under the cap. */
		if (dispatch_in_flight(vigild) >= dispatch_in_flight_cap(vigild)) {
			struct timespec pause = { 0, TICK_NS };

			nanosleep(&pause, NULL);
			continue;
		}
		if (ioctl(kmod->device_fd, VIGIL_IOC_WAIT_EVENT, &event) < 0) {
			if (errno == EINTR)
				continue;
			session_lost(kmod, -errno);
			break;
		}
		handle_event(kmod, &event, 0, true);
	}
	return NULL;
}

/* Called with marks_lock held. Adds a region unless it is there already. */
static int add_region(struct kmod_backend *kmod, dev_t dev, const char *prefix)
{
	struct watched_region *bigger;

	for (size_t i = 0; i < kmod->region_count; i++)
		if (kmod->regions[i].dev == dev &&
		    ((!prefix && !kmod->regions[i].prefix) ||
		     (prefix && kmod->regions[i].prefix && !strcmp(prefix, kmod->regions[i].prefix))))
			return 0;
	bigger = realloc(kmod->regions, (kmod->region_count + 1) * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	kmod->regions = bigger;
	kmod->regions[kmod->region_count].dev = dev;
	kmod->regions[kmod->region_count].prefix = prefix ? strdup(prefix) : NULL;
	if (prefix && !kmod->regions[kmod->region_count].prefix)
		return -ENOMEM;
	kmod->region_count++;
	return 0;
}

/* Called with marks_lock held. Watches the superblock holding path. */
static int watch_one(struct kmod_backend *kmod, const char *path, bool whole, dev_t *ret_dev)
{
	struct vigil_watch watch = { .fd = open(path, O_PATH | O_CLOEXEC) };
	struct stat st;
	int r = 0;

	if (watch.fd < 0)
		return -errno;
	/* EEXIST: watched already (another path on it, or a refresh). */
	if (fstat(watch.fd, &st) < 0 ||
	    (ioctl(kmod->device_fd, VIGIL_IOC_WATCH, &watch) < 0 && errno != EEXIST))
		r = -errno;
	close(watch.fd);
	if (r == 0)
		r = add_region(kmod, st.st_dev, whole ? NULL : path);
	if (r == 0 && ret_dev)
		*ret_dev = st.st_dev;
	return r;
}

static int watch_all(struct kmod_backend *kmod, bool at_start, char *error, size_t error_size)
{
	struct mount_entry *entries = NULL;
	size_t count = 0;
	int r;

	r = mounts_read(&entries, &count);
	if (r < 0) {
		snprintf(error, error_size, "/proc/self/mountinfo: %s", strerror(-r));
		return r;
	}
	pthread_mutex_lock(&kmod->marks_lock);
	for (size_t i = 0; i < kmod->path_count; i++) {
		struct protected_path *protected = &kmod->paths[i];
		const struct mount_entry *exact = mounts_at(entries, count, protected->path);
		const struct mount_entry *holder = mounts_holding(entries, count, protected->path);

		protected->whole = exact && !strcmp(exact->root, "/");
		r = watch_one(kmod, protected->path, protected->whole, NULL);
		if (r < 0) {
			protected->covered = false;
			snprintf(protected->note, sizeof(protected->note), "not covered: %s%s",
				 strerror(-r), r == -EINVAL ?
				 " (vigil.ko cannot watch this filesystem)" : "");
			if (at_start) {
				snprintf(error, error_size, "paths: %s: VIGIL_IOC_WATCH: %s",
					 protected->path, strerror(-r));
				break;
			}
			r = 0;
			continue;
		}
		protected->covered = true;
		snprintf(protected->fs_type, sizeof(protected->fs_type), "%s",
			 holder ? holder->fs_type : "?");
		if (protected->whole)
			protected->note[0] = '\0';
		else
			snprintf(protected->note, sizeof(protected->note),
				 "not the root of its filesystem: vigil.ko sees the whole "
				 "filesystem, vigild allows opens outside this folder unscanned");
		/* Mounts below: their own superblocks need their own watches. */
		for (size_t j = 0; j < count; j++) {
			if (strcmp(entries[j].point, protected->path) == 0 ||
			    !config_path_within(entries[j].point, protected->path))
				continue;
			r = watch_one(kmod, entries[j].point, !strcmp(entries[j].root, "/"), NULL);
			if (r < 0 && at_start)
				fprintf(stderr, "vigild: warning: %s (under %s) is not covered: %s\n",
					entries[j].point, protected->path, strerror(-r));
			r = 0;
		}
	}
	pthread_mutex_unlock(&kmod->marks_lock);
	free(entries);
	return r < 0 ? r : 0;
}

static void kmod_refresh_marks(struct backend *backend)
{
	char error[256];

	watch_all(of(backend), false, error, sizeof(error));
}

/* scan_on includes close_write (the default does): say that nothing does it. */
#define CLOSE_WRITE_NOTE "close_write not scanned (vigil.ko sends no close-after-write events)"

static void kmod_coverage(struct backend *backend, struct json_object *array)
{
	struct kmod_backend *kmod = of(backend);
	bool close_write = backend->vigild->config.scan_on & CONFIG_SCAN_CLOSE_WRITE;
	char note[sizeof(kmod->paths[0].note) + sizeof(CLOSE_WRITE_NOTE) + 2];

	pthread_mutex_lock(&kmod->marks_lock);
	for (size_t i = 0; i < kmod->path_count; i++) {
		struct protected_path *protected = &kmod->paths[i];
		struct json_object *object = json_object_new_object();
		bool covered = protected->covered && !kmod->session_gone;

		json_object_object_add(object, "path", json_object_new_string(protected->path));
		json_object_object_add(object, "covered", json_object_new_boolean(covered));
		json_object_object_add(object, "method", json_object_new_string(
			protected->whole ? "vigil.ko filesystem" : "vigil.ko filesystem, folder filter"));
		json_object_object_add(object, "filesystem",
				       json_object_new_string(protected->fs_type));
		if (kmod->session_gone)
			json_object_object_add(object, "note", json_object_new_string(
				"vigil.ko ended the session: restart vigild"));
		else if (protected->note[0] || close_write) {
			snprintf(note, sizeof(note), "%s%s%s", protected->note,
				 protected->note[0] && close_write ? "; " : "",
				 close_write ? CLOSE_WRITE_NOTE : "");
			json_object_object_add(object, "note", json_object_new_string(note));
		}
		json_object_array_add(array, object);
	}
	pthread_mutex_unlock(&kmod->marks_lock);
}

/* VIGIL_IOC_STATS as "module": counters since vigil.ko was loaded. */
static void kmod_statistics(struct backend *backend, struct json_object *object)
{
	struct kmod_backend *kmod = of(backend);
	struct json_object *module;
	struct vigil_stats stats;
	int r = -ENODEV;

	pthread_mutex_lock(&kmod->submit_lock);
	if (!kmod->closed && kmod->device_fd >= 0)
		r = ioctl(kmod->device_fd, VIGIL_IOC_STATS, &stats) < 0 ? -errno : 0;
	pthread_mutex_unlock(&kmod->submit_lock);
	module = json_object_new_object();
	if (r < 0) {
		json_object_object_add(module, "error", json_object_new_string(strerror(-r)));
		json_object_object_add(object, "module", module);
		return;
	}
#define ADD_COUNTER(field) \
	json_object_object_add(module, #field, json_object_new_int64((int64_t)stats.field))
	ADD_COUNTER(events);
	ADD_COUNTER(allowed);
	ADD_COUNTER(denied);
	ADD_COUNTER(timeouts);
	ADD_COUNTER(overflows);
	ADD_COUNTER(released);
	ADD_COUNTER(cache_hits);
	ADD_COUNTER(cache_misses);
	ADD_COUNTER(cache_entries);
	ADD_COUNTER(stale_answers);
	ADD_COUNTER(kthread_skips);
	ADD_COUNTER(excluded);
	ADD_COUNTER(pending);
	ADD_COUNTER(fd_errors);
	ADD_COUNTER(interrupted);
	ADD_COUNTER(registered);
#undef ADD_COUNTER
	json_object_object_add(object, "module", module);
}

static void kmod_flush_cache(struct backend *backend)
{
	struct kmod_backend *kmod = of(backend);

	if (ioctl(kmod->device_fd, VIGIL_IOC_CACHE_FLUSH) < 0)
		fprintf(stderr, "vigild: warning: flushing vigil.ko's cache: %s\n",
			strerror(errno));
}

static void kmod_stop(struct backend *backend)
{
	struct kmod_backend *kmod = of(backend);

	atomic_store(&kmod->stopping, true);
	if (kmod->thread_started) {
		if (kmod->use_uring) {
			struct io_uring_sqe *sqe;

			pthread_mutex_lock(&kmod->submit_lock);
			sqe = get_sqe(kmod);
			if (sqe) {
				io_uring_prep_nop(sqe);
				io_uring_sqe_set_data64(sqe, TAG_STOP);
				io_uring_submit(&kmod->ring);
			}
			pthread_mutex_unlock(&kmod->submit_lock);
			pthread_join(kmod->thread, NULL);
		} else {
			/* Until it leaves: a signal that came just before it
			 * entered VIGIL_IOC_WAIT_EVENT interrupted nothing. */
			struct timespec until;

			do {
				pthread_kill(kmod->thread, SIGUSR2);
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_nsec += TICK_NS;
				if (until.tv_nsec >= 1000000000L) {
					until.tv_sec++;
					until.tv_nsec -= 1000000000L;
				}
			} while (pthread_timedjoin_np(kmod->thread, NULL, &until) == ETIMEDOUT);
		}
		kmod->thread_started = false;
	}
	pthread_mutex_lock(&kmod->submit_lock);
	kmod->closed = true;
	/* The ring first: parked commands hold the device file. On kernels
	 * without cancelable uring_cmds the module's watchdog ends the
	 * session when vigild exits; either way every pending opener then
	 * gets on_timeout. */
	if (kmod->ring_ready) {
		io_uring_queue_exit(&kmod->ring);
		kmod->ring_ready = false;
	}
	if (kmod->slots) {
		munmap((void *)kmod->slots, kmod->slots_size);
		kmod->slots = NULL;
	}
	if (kmod->device_fd >= 0) {
		close(kmod->device_fd);
		kmod->device_fd = -1;
	}
	pthread_mutex_unlock(&kmod->submit_lock);
}

static void kmod_free(struct backend *backend)
{
	struct kmod_backend *kmod = of(backend);

	if (!backend)
		return;
	kmod_stop(backend);
	for (size_t i = 0; i < kmod->path_count; i++)
		free(kmod->paths[i].path);
	free(kmod->paths);
	for (size_t i = 0; i < kmod->region_count; i++)
		free(kmod->regions[i].prefix);
	free(kmod->regions);
	free(kmod->slot_event_id);
	free(kmod->slot_resting);
	pthread_mutex_destroy(&kmod->submit_lock);
	pthread_mutex_destroy(&kmod->marks_lock);
	free(kmod);
}

static const struct backend_ops kmod_ops = {
	.name = "kmod",
	.answer = kmod_answer,
	.event_free = kmod_event_free,
	.coverage = kmod_coverage,
	.statistics = kmod_statistics,
	.refresh_marks = kmod_refresh_marks,
	.flush_cache = kmod_flush_cache,
	.stop = kmod_stop,
	.free = kmod_free,
	.caches_with_answer = true,
};

bool kmod_backend_available(void)
{
	return access(KMOD_DEVICE, F_OK) == 0;
}

static int kmod_register(struct kmod_backend *kmod, char *error, size_t error_size)
{
	const struct vigild_config *config = &kmod->base.vigild->config;
	struct vigil_register registration = {
		.abi_version = VIGIL_ABI_VERSION,
		.config = {
			.timeout_ms = config->timeout_ms,
			.max_backlog = VIGIL_BACKLOG_MAX,
			.cache_entries = 65536,
			.deny_errno = (uint16_t)config->deny_errno,
			.timeout_verdict = config->on_timeout == CONFIG_ALLOW ? VIGIL_ALLOW : VIGIL_DENY,
			.overflow_verdict = config->overflow_verdict == CONFIG_ALLOW ?
				VIGIL_ALLOW : VIGIL_DENY,
			.release_verdict = config->on_timeout == CONFIG_ALLOW ? VIGIL_ALLOW : VIGIL_DENY,
		},
	};
	unsigned cap = dispatch_in_flight_cap(kmod->base.vigild);
	int r;

	if (ioctl(kmod->device_fd, VIGIL_IOC_GET_INFO, &kmod->info) < 0) {
		r = -errno;
		snprintf(error, error_size, "%s: VIGIL_IOC_GET_INFO: %s", KMOD_DEVICE, strerror(-r));
		return r;
	}
	if (kmod->info.abi_version != VIGIL_ABI_VERSION ||
	    kmod->info.event_size != sizeof(struct vigil_event)) {
		snprintf(error, error_size, "%s: vigil.ko speaks ABI %u, this vigild %u: install "
			 "matching versions", KMOD_DEVICE, kmod->info.abi_version, VIGIL_ABI_VERSION);
		return -EPROTO;
	}
	if (config->timeout_ms > kmod->info.max_timeout_ms) {
		snprintf(error, error_size, "timeout_ms = %u is above vigil.ko's cap of %u ms "
			 "(every waiting open holds a system-wide lock); lower it or set "
			 "backend = fanotify", config->timeout_ms, kmod->info.max_timeout_ms);
		return -EINVAL;
	}
	if (registration.config.max_backlog > kmod->info.max_backlog)
		registration.config.max_backlog = kmod->info.max_backlog;
	if (registration.config.cache_entries > kmod->info.max_cache_entries)
		registration.config.cache_entries = kmod->info.max_cache_entries;
	/* Openers spin for the answer while the thread that will give it is
	 * on a CPU, as long as vigild's own threads look for work. */
	if (kmod->info.features & VIGIL_FEATURE_OPENER_SPIN)
		registration.spin_us = config->worker_spin_us < VIGIL_SPIN_MAX_US ?
				       config->worker_spin_us : VIGIL_SPIN_MAX_US;
	kmod->nr_slots = KMOD_MAX_SLOTS;
	if (kmod->nr_slots > kmod->info.max_slots)
		kmod->nr_slots = kmod->info.max_slots;
	if (kmod->nr_slots > cap)
		kmod->nr_slots = cap;
	if (kmod->nr_slots < 1)
		kmod->nr_slots = 1;
	registration.nr_slots = kmod->nr_slots;
	/* A predecessor's registration ends only once its exit has torn down
	 * its io_uring (and, before 6.7, the module's watchdog noticed):
	 * give that a few seconds. */
	for (unsigned attempt = 0;; attempt++) {
		struct timespec pause = { 0, TICK_NS };

		r = ioctl(kmod->device_fd, VIGIL_IOC_REGISTER, &registration) < 0 ? -errno : 0;
		if (r != -EBUSY || attempt >= REGISTER_ATTEMPTS)
			break;
		nanosleep(&pause, NULL);
	}
	if (r < 0) {
		snprintf(error, error_size, "%s: VIGIL_IOC_REGISTER: %s%s", KMOD_DEVICE, strerror(-r),
			 r == -EBUSY ? " (another daemon is registered, or the last one is "
			 "still exiting)" : "");
		return r;
	}
	return 0;
}

/* Loop A when the module and the kernel can: slots, ring, parked fetches. */
static int kmod_setup_uring(struct kmod_backend *kmod)
{
	unsigned entries = 64;
	void *slots;
	int r;

	if (!(kmod->info.features & VIGIL_FEATURE_URING_CMD))
		return -EOPNOTSUPP;
	kmod->slots_size = (size_t)kmod->nr_slots * sizeof(struct vigil_event);
	slots = mmap(NULL, kmod->slots_size, PROT_READ, MAP_SHARED, kmod->device_fd, 0);
	if (slots == MAP_FAILED)
		return -errno;
	kmod->slots = slots;
	while (entries < 2 * kmod->nr_slots + 8)
		entries *= 2;
	r = io_uring_queue_init(entries, &kmod->ring, 0);
	if (r < 0) {
		munmap(slots, kmod->slots_size);
		kmod->slots = NULL;
		return r;
	}
	kmod->ring_ready = true;
	kmod->slot_event_id = calloc(kmod->nr_slots, sizeof(*kmod->slot_event_id));
	kmod->slot_resting = calloc(kmod->nr_slots, sizeof(*kmod->slot_resting));
	if (!kmod->slot_event_id || !kmod->slot_resting)
		return -ENOMEM;
	for (unsigned slot = 0; slot < kmod->nr_slots; slot++)
		kmod->slot_resting[slot] = true;	/* parked by the loop thread */
	kmod->use_uring = true;
	return 0;
}

int kmod_backend_new(struct vigild *vigild, struct backend **ret_backend,
		     char *error, size_t error_size)
{
	const struct vigild_config *config = &vigild->config;
	struct kmod_backend *kmod = calloc(1, sizeof(*kmod));
	struct sigaction wake = { .sa_handler = wake_handler };
	int r;

	if (!kmod)
		return -ENOMEM;
	kmod->base.ops = &kmod_ops;
	kmod->base.vigild = vigild;
	kmod->device_fd = -1;
	pthread_mutex_init(&kmod->submit_lock, NULL);
	pthread_mutex_init(&kmod->marks_lock, NULL);

	kmod->paths = calloc(config->paths.count, sizeof(*kmod->paths));
	if (!kmod->paths) {
		r = -ENOMEM;
		goto err_free;
	}
	for (size_t i = 0; i < config->paths.count; i++) {
		r = mounts_resolve_folder(config->paths.items[i], &kmod->paths[i].path, error, error_size);
		if (r < 0)
			goto err_free;
		kmod->path_count++;
	}

	kmod->device_fd = open(KMOD_DEVICE, O_RDWR | O_CLOEXEC);
	if (kmod->device_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "%s: %s%s", KMOD_DEVICE, strerror(-r),
			 r == -ENOENT ? " (vigil.ko is not loaded)" : "");
		goto err_free;
	}
	r = kmod_register(kmod, error, error_size);
	if (r < 0)
		goto err_free;
	r = kmod_setup_uring(kmod);
	if (r == -ENOMEM) {
		snprintf(error, error_size, "event slots: %s", strerror(-r));
		goto err_free;
	}
	if (r < 0) {
		fprintf(stderr, "vigild: warning: vigil.ko over io_uring: %s; using blocking "
			"ioctls\n", strerror(-r));
		/* The stop signal must interrupt VIGIL_IOC_WAIT_EVENT. */
		sigemptyset(&wake.sa_mask);
		sigaction(SIGUSR2, &wake, NULL);
	}
	r = -pthread_create(&kmod->thread, NULL,
			    kmod->use_uring ? uring_loop_thread : ioctl_loop_thread, kmod);
	if (r < 0) {
		snprintf(error, error_size, "event loop thread: %s", strerror(-r));
		goto err_free;
	}
	kmod->thread_started = true;
	/* Watches last: from here on opens wait for us, and the loop runs. */
	r = watch_all(kmod, true, error, error_size);
	if (r < 0)
		goto err_free;
	*ret_backend = &kmod->base;
	return 0;

err_free:
	kmod_free(&kmod->base);
	return r;
}
