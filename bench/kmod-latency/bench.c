// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Description: per-open latency of vigil.ko versus fanotify, in one guest.
 *
 * Overview: runs inside the qemu guest of tests/kernel/run (VIGIL_BENCH_BINARY)
 * with vigil.ko loaded. It owns two responder children that answer ALLOW at
 * once and never scan: a /dev/vigil daemon (io_uring passthrough) watching
 * DIR/m and a fanotify FAN_CLASS_CONTENT listener (FAN_OPEN_PERM,
 * FAN_MARK_FILESYSTEM) watching DIR/f, both alive during the measurement.
 * The parent opens one file N times on DIR/n (no marks), DIR/m (module round
 * trip, answers not cached), DIR/f (fanotify round trip) and DIR/c (module,
 * answers cached: every open after the first is a cache hit), round-robin in
 * batches so that drift hits every path alike, and prints ns per open and the
 * ratios. TCG makes absolute figures meaningless; only the ratios count.
 * Then the same again with polling responders: each looks for the next
 * event for POLL_US after an answer before it sleeps (the module responder
 * peeks at its ring, set up with IORING_SETUP_COOP_TASKRUN and
 * TASKRUN_FLAG so that a delivery needs no IPI, only its own io_uring_enter;
 * the fanotify one reads its non-blocking fd), and the module responder
 * registers spin_us = POLL_US, so its openers spin for the answer while it
 * runs (fanotify's openers always sleep). POLL_US is vigild's default
 * worker_spin_us. Both responders answer first and close the event's fd
 * after, as vigild does. The opener's voluntary context switches per open
 * are printed as sleeps/open.
 *
 * Then, when the initramfs carries /vigild and /vigil (tests/kernel/run
 * copies them), it starts two real vigilds at once with the same signature
 * folder: one with backend = kmod on DIR/vk and one with backend = fanotify
 * on DIR/vf (each its own tmpfs). Files with unique content are written
 * before the daemons start, so the first open of each is a scan (cache
 * miss); the parent opens them alternately, one open per file per backend,
 * then opens them all again a few rounds (cache hits: vigil.ko's cache for
 * kmod, vigild's for fanotify), timing each open, and prints p50 and mean
 * ns per open and the kmod/fanotify ratios. The vigilds are children of
 * this process until it stops them with SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/linux/vigil.h"

#define SLOTS 4
#define POLL_US 50

static volatile int *ready;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void queue(struct io_uring *ring, unsigned int op, const struct vigil_answer *answer)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, 0, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->cmd_op = op;
	memcpy(sqe->cmd, answer, sizeof(*answer));
	io_uring_sqe_set_data64(sqe, answer->slot);
}

/* Whether POLL_US have passed since @start (poll_us 0: at once). */
static int poll_over(long long start, int poll_us)
{
	return now_ns() - start >= poll_us * 1000LL;
}

/* Answers ALLOW for DIR/m (uncached) and DIR/c (cached); with poll_us,
 * peeks at the ring that long after each answer before it sleeps, and its
 * openers spin as long. */
static int module_responder(const char *uncached, const char *cached, int poll_us)
{
	struct vigil_register reg = {
		.abi_version = VIGIL_ABI_VERSION, .nr_slots = SLOTS,
		.spin_us = poll_us < VIGIL_SPIN_MAX_US ? poll_us : VIGIL_SPIN_MAX_US,
		.config = { .timeout_ms = VIGIL_TIMEOUT_MAX_MS, .max_backlog = 256,
			    .cache_entries = 1024, .timeout_verdict = VIGIL_ALLOW,
			    .overflow_verdict = VIGIL_ALLOW, .release_verdict = VIGIL_ALLOW },
	};
	const char *dirs[2] = { uncached, cached };
	const struct vigil_event *slots;
	struct stat cached_st;
	struct io_uring ring;
	int device, index;

	device = open("/dev/vigil", O_RDWR | O_CLOEXEC);
	if (device < 0 || ioctl(device, VIGIL_IOC_REGISTER, &reg) < 0)
		return -errno;
	for (index = 0; index < 2; index++) {
		struct vigil_watch watch = { .fd = open(dirs[index], O_PATH) };

		if (ioctl(device, VIGIL_IOC_WATCH, &watch) < 0)
			return -errno;
	}
	if (stat(cached, &cached_st) < 0)
		return -errno;
	slots = mmap(NULL, SLOTS * sizeof(*slots), PROT_READ, MAP_SHARED, device, 0);
	if (slots == MAP_FAILED ||
	    io_uring_queue_init(2 * SLOTS, &ring, poll_us ? IORING_SETUP_COOP_TASKRUN |
				IORING_SETUP_TASKRUN_FLAG : 0) < 0 ||
	    io_uring_register_files(&ring, &device, 1) < 0)
		return -EIO;
	for (index = 0; index < SLOTS; index++) {
		struct vigil_answer fetch = { .slot = index };

		queue(&ring, VIGIL_URING_FETCH, &fetch);
	}
	io_uring_submit(&ring);
	*ready += 1;
	for (;;) {
		struct io_uring_cqe *cqe = NULL;
		struct vigil_answer answer = { .verdict = VIGIL_ALLOW };
		long long start = now_ns();
		int fd;

		while (io_uring_peek_cqe(&ring, &cqe) < 0 && !poll_over(start, poll_us))
			;
		if (!cqe && io_uring_wait_cqe(&ring, &cqe) < 0)
			continue;
		answer.slot = (__u16)cqe->user_data;
		if (cqe->res < 0)
			return cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		answer.event_id = slots[answer.slot].event_id;
		if (slots[answer.slot].dev == (__u64)cached_st.st_dev)
			answer.flags = VIGIL_ANSWER_F_CACHE;
		fd = slots[answer.slot].fd;
		/* the answer first, as the fanotify responder and vigild do */
		queue(&ring, VIGIL_URING_COMMIT_AND_FETCH, &answer);
		io_uring_submit(&ring);
		if (fd >= 0)
			close(fd);
	}
}

/* With poll_us, reads its non-blocking fd that long after each answer
 * before it sleeps in poll(). */
static int fanotify_responder(const char *dir, int poll_us)
{
	char buffer[4096];
	int fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
				O_RDONLY | O_LARGEFILE);
	long long start = now_ns();

	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_PERM,
				     AT_FDCWD, dir) < 0)
		return -errno;
	*ready += 1;
	for (;;) {
		ssize_t length = read(fan, buffer, sizeof(buffer));
		struct fanotify_event_metadata *event = (void *)buffer;

		if (length < 0 && errno == EAGAIN && poll_over(start, poll_us)) {
			struct pollfd wait = { .fd = fan, .events = POLLIN };

			poll(&wait, 1, -1);
			continue;
		}
		if (length <= 0)
			continue;
		start = now_ns();
		for (; FAN_EVENT_OK(event, length); event = FAN_EVENT_NEXT(event, length)) {
			struct fanotify_response response = { event->fd, FAN_ALLOW };

			if (write(fan, &response, sizeof(response)) < 0)
				return -errno;
			close(event->fd);
		}
	}
}

static long long time_opens(const char *path, int count)
{
	long long start = now_ns();
	int index;

	for (index = 0; index < count; index++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
	return now_ns() - start;
}

#define VIGILD_FILES 300
#define VIGILD_HIT_ROUNDS 5

struct series {
	const char *label;
	long long samples[VIGILD_FILES * VIGILD_HIT_ROUNDS];
	int count;
};

static int write_text(const char *path, const char *text)
{
	FILE *file = fopen(path, "we");

	if (!file)
		return -errno;
	fputs(text, file);
	return fclose(file) == 0 ? 0 : -errno;
}

/* Starts PROGRAM with ARGV, output to LOG (or /dev/null); its pid. */
static pid_t spawn(const char *program, char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(program, argv);
		_exit(127);
	}
	return pid;
}

/* Starts vigild with BACKEND on WORK/prot; its pid once `vigil status' answers, or -1. */
static pid_t start_vigild(const char *work, const char *backend, const char *bases)
{
	char config[512], text[4096], log[512], socket_path[512];
	char *vigild_argv[] = { "vigild", "--config", config, NULL };
	char *status_argv[] = { "vigil", "status", "--socket", socket_path, NULL };
	pid_t pid;
	int tries;

	snprintf(config, sizeof(config), "%.200s/vigild.conf", work);
	snprintf(log, sizeof(log), "%.200s/vigild.err", work);
	snprintf(socket_path, sizeof(socket_path), "%.200s/vigild.sock", work);
	snprintf(text, sizeof(text),
		 "paths = %s/prot\nbases = %s\nstate_dir = %s/state\nsocket = %s\n"
		 "log = %s/verdicts.json\nbackend = %s\ntimeout_ms = 10000\n",
		 work, bases, work, socket_path, work, backend);
	if (write_text(config, text) < 0)
		return -1;
	pid = spawn("/vigild", vigild_argv, log);
	for (tries = 0; tries < 300; tries++) {
		int status;
		pid_t status_pid = spawn("/vigil", status_argv, NULL);

		if (waitpid(status_pid, &status, 0) == status_pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "bench: vigild (%s) exited; see below\n", backend);
			snprintf(text, sizeof(text), "cat %s", log);
			if (system(text) < 0)
				perror("system");
			return -1;
		}
		usleep(100000);
	}
	kill(pid, SIGKILL);
	fprintf(stderr, "bench: vigild (%s) did not answer `vigil status'\n", backend);
	return -1;
}

static void time_one_open(const char *path, struct series *series)
{
	long long start = now_ns();
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
	series->samples[series->count++] = now_ns() - start;
}

static int compare_samples(const void *left, const void *right)
{
	long long a = *(const long long *)left, b = *(const long long *)right;

	return (a > b) - (a < b);
}

/* Sorts the samples; fills *median and *mean. */
static void summarize(struct series *series, long long *median, long long *mean)
{
	long long sum = 0;
	int index;

	qsort(series->samples, series->count, sizeof(series->samples[0]), compare_samples);
	for (index = 0; index < series->count; index++)
		sum += series->samples[index];
	*median = series->samples[series->count / 2];
	*mean = sum / series->count;
	printf("bench: vigild %-22s p50 %9lld ns/open, mean %9lld ns/open (%d opens)\n",
	       series->label, *median, *mean, series->count);
}

/* The vigild part: kmod versus fanotify, both scanning. 0, or 1 on failure. */
static int bench_vigild(const char *top)
{
	static struct series series[4] = {
		{ .label = "kmod, scan (miss)" }, { .label = "fanotify, scan (miss)" },
		{ .label = "kmod, cached (hit)" }, { .label = "fanotify, cached (hit)" },
	};
	const char *backends[2] = { "kmod", "fanotify" };
	char work[2][256], path[512], bases[256], content[1100];
	long long median[4], mean[4];
	pid_t daemons[2] = { -1, -1 };
	int index, side, round, failed = 1;

	snprintf(bases, sizeof(bases), "%.200s/bases", top);
	mkdir(bases, 0755);
	snprintf(path, sizeof(path), "%s/test.ndb", bases);
	/* EICAR's text and a second body signature: the scan runs Hyperscan over each file. */
	if (write_text(path, "Test.EICAR:0:*:45494341522d5354414e444152442d414e544956495255532d544553542d46494c45\n"
			     "Test.Marker:0:*:766967696c2d62656e63682d6d61726b6572\n") < 0)
		return 1;
	for (side = 0; side < 2; side++) {
		snprintf(work[side], sizeof(work[side]), "%.200s/v%c", top, backends[side][0]);
		mkdir(work[side], 0755);
		snprintf(path, sizeof(path), "%s/state", work[side]);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/prot", work[side]);
		mkdir(path, 0755);
		if (mount("none", path, "tmpfs", 0, NULL) < 0) {
			perror("mount");
			return 1;
		}
		for (index = 0; index < VIGILD_FILES; index++) {
			int length = snprintf(content, sizeof(content), "clean file %d of %s\n", index,
					      backends[side]);

			memset(content + length, 'a' + index % 26, 1024 - length);
			content[1024] = '\0';
			snprintf(path, sizeof(path), "%s/prot/file%d", work[side], index);
			if (write_text(path, content) < 0)
				return 1;
		}
	}
	for (side = 0; side < 2; side++) {
		daemons[side] = start_vigild(work[side], backends[side], bases);
		if (daemons[side] < 0)
			goto stop_daemons;
	}
	/* Misses: every file once, the backends alternating which goes first. */
	for (index = 0; index < VIGILD_FILES; index++) {
		for (side = 0; side < 2; side++) {
			int which = (side + index) % 2;

			snprintf(path, sizeof(path), "%s/prot/file%d", work[which], index);
			time_one_open(path, &series[which]);
		}
	}
	for (round = 0; round < VIGILD_HIT_ROUNDS; round++) {
		for (index = 0; index < VIGILD_FILES; index++) {
			for (side = 0; side < 2; side++) {
				int which = (side + index + round) % 2;

				snprintf(path, sizeof(path), "%s/prot/file%d", work[which], index);
				time_one_open(path, &series[2 + which]);
			}
		}
	}
	for (index = 0; index < 4; index++)
		summarize(&series[index], &median[index], &mean[index]);
	printf("bench: vigild scan (miss): kmod / fanotify = %.2f (p50), %.2f (mean)\n",
	       (double)median[0] / (double)median[1], (double)mean[0] / (double)mean[1]);
	printf("bench: vigild cached (hit): kmod / fanotify = %.2f (p50), %.2f (mean)\n",
	       (double)median[2] / (double)median[3], (double)mean[2] / (double)mean[3]);
	failed = 0;
stop_daemons:
	for (side = 0; side < 2; side++) {
		int status;

		if (daemons[side] < 0)
			continue;
		kill(daemons[side], SIGTERM);
		if (waitpid(daemons[side], &status, 0) != daemons[side] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench: vigild (%s) did not exit 0 on SIGTERM\n",
				backends[side]);
			failed = 1;
		}
	}
	return failed;
}

/*
 * The bare part: both responders at once (poll_us as above), the opener
 * round-robin over the four paths; prints ns per open and the ratios,
 * each line prefixed by @label. 0, or 1 when a responder failed to start.
 */
static int measure_bare(char dirs[4][256], char files[4][300], int poll_us, const char *label)
{
	const char *labels[4] = { "no marks", "module round trip", "fanotify round trip",
				  "module cache hit" };
	long long total[4] = { 0 }, sleeps[4] = { 0 };
	int rounds = 20, batch = 200, index, round;
	pid_t children[2];

	*ready = 0;
	children[0] = fork();
	if (children[0] == 0)
		_exit(-module_responder(dirs[1], dirs[3], poll_us));
	children[1] = fork();
	if (children[1] == 0)
		_exit(-fanotify_responder(dirs[2], poll_us));
	for (index = 0; index < 1000 && *ready < 2; index++)
		usleep(10000);
	if (*ready < 2) {
		fprintf(stderr, "bench: responders did not start\n");
		return 1;
	}
	for (index = 0; index < 4; index++)
		time_opens(files[index], 20);	/* warm up; fills the cache for DIR/c */
	for (round = 0; round < rounds; round++) {
		for (index = 0; index < 4; index++) {
			struct rusage before, after;

			getrusage(RUSAGE_SELF, &before);
			total[index] += time_opens(files[index], batch);
			getrusage(RUSAGE_SELF, &after);
			sleeps[index] += after.ru_nvcsw - before.ru_nvcsw;
		}
	}
	/* sleeps: voluntary context switches of the opener, per open */
	for (index = 0; index < 4; index++)
		printf("bench: %s%-20s %8lld ns/open, %.2f sleeps/open\n", label, labels[index],
		       total[index] / (rounds * batch), (double)sleeps[index] / (rounds * batch));
	printf("bench: %smodule round trip / fanotify round trip = %.2f\n", label,
	       (double)total[1] / (double)total[2]);
	printf("bench: %smodule cache hit / no marks = %.2f\n", label,
	       (double)total[3] / (double)total[0]);
	fflush(stdout);
	kill(children[0], SIGKILL);
	kill(children[1], SIGKILL);
	waitpid(children[0], NULL, 0);
	waitpid(children[1], NULL, 0);
	/* A killed registrant's registration can outlive it briefly (6.1): wait it out. */
	sleep(4);
	return 0;
}

int main(int argc, char *argv[])
{
	const char *names[4] = { "n", "m", "f", "c" };
	char dirs[4][256], files[4][300];
	char polling[64];
	int index;

	if (argc != 2) {
		fprintf(stderr, "usage: bench DIR\n");
		return 2;
	}
	ready = mmap(NULL, sizeof(*ready), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	for (index = 0; index < 4; index++) {
		int fd;

		snprintf(dirs[index], sizeof(dirs[index]), "%.200s/%s", argv[1], names[index]);
		snprintf(files[index], sizeof(files[index]), "%.200s/%s/file", argv[1], names[index]);
		mkdir(dirs[index], 0755);
		if (mount("none", dirs[index], "tmpfs", 0, NULL) < 0) {
			perror("mount");
			return 1;
		}
		fd = open(files[index], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "clean\n", 6) != 6)
			return 1;
		close(fd);
	}
	if (measure_bare(dirs, files, 0, ""))
		return 1;
	snprintf(polling, sizeof(polling), "polling %d us: ", POLL_US);
	if (measure_bare(dirs, files, POLL_US, polling))
		return 1;
	if (access("/vigild", X_OK) != 0)
		return 0;
	return bench_vigild(argv[1]);
}
