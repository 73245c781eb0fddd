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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/linux/vigil.h"

#define SLOTS 4

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

/* Answers ALLOW for DIR/m (uncached) and DIR/c (cached). */
static int module_responder(const char *uncached, const char *cached)
{
	struct vigil_register reg = {
		.abi_version = VIGIL_ABI_VERSION, .nr_slots = SLOTS,
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
	if (slots == MAP_FAILED || io_uring_queue_init(2 * SLOTS, &ring, 0) < 0 ||
	    io_uring_register_files(&ring, &device, 1) < 0)
		return -EIO;
	for (index = 0; index < SLOTS; index++) {
		struct vigil_answer fetch = { .slot = index };

		queue(&ring, VIGIL_URING_FETCH, &fetch);
	}
	io_uring_submit(&ring);
	*ready += 1;
	for (;;) {
		struct io_uring_cqe *cqe;
		struct vigil_answer answer = { .verdict = VIGIL_ALLOW };

		if (io_uring_wait_cqe(&ring, &cqe) < 0)
			continue;
		answer.slot = (__u16)cqe->user_data;
		if (cqe->res < 0)
			return cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		answer.event_id = slots[answer.slot].event_id;
		if (slots[answer.slot].dev == (__u64)cached_st.st_dev)
			answer.flags = VIGIL_ANSWER_F_CACHE;
		if (slots[answer.slot].fd >= 0)
			close(slots[answer.slot].fd);
		queue(&ring, VIGIL_URING_COMMIT_AND_FETCH, &answer);
		io_uring_submit(&ring);
	}
}

static int fanotify_responder(const char *dir)
{
	char buffer[4096];
	int fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE);

	if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_PERM,
				     AT_FDCWD, dir) < 0)
		return -errno;
	*ready += 1;
	for (;;) {
		ssize_t length = read(fan, buffer, sizeof(buffer));
		struct fanotify_event_metadata *event = (void *)buffer;

		if (length <= 0)
			continue;
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

int main(int argc, char *argv[])
{
	const char *names[4] = { "n", "m", "f", "c" };
	const char *labels[4] = { "no marks", "module round trip", "fanotify round trip",
				  "module cache hit" };
	char dirs[4][256], files[4][300];
	long long total[4] = { 0 };
	int rounds = 20, batch = 200, index, round;
	pid_t children[2];

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
	children[0] = fork();
	if (children[0] == 0)
		_exit(-module_responder(dirs[1], dirs[3]));
	children[1] = fork();
	if (children[1] == 0)
		_exit(-fanotify_responder(dirs[2]));
	for (index = 0; index < 1000 && *ready < 2; index++)
		usleep(10000);
	if (*ready < 2) {
		fprintf(stderr, "bench: responders did not start\n");
		return 1;
	}
	for (index = 0; index < 4; index++)
		time_opens(files[index], 20);	/* warm up; fills the cache for DIR/c */
	for (round = 0; round < rounds; round++) {
		for (index = 0; index < 4; index++)
			total[index] += time_opens(files[index], batch);
	}
	for (index = 0; index < 4; index++)
		printf("bench: %-20s %8lld ns/open\n", labels[index],
		       total[index] / (rounds * batch));
	printf("bench: module round trip / fanotify round trip = %.2f\n",
	       (double)total[1] / (double)total[2]);
	printf("bench: module cache hit / no marks = %.2f\n", (double)total[3] / (double)total[0]);
	kill(children[0], SIGKILL);
	kill(children[1], SIGKILL);
	waitpid(children[0], NULL, 0);
	waitpid(children[1], NULL, 0);
	return 0;
}
