// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the benchmark's opener (bench/daemon-run.sh). It owns only the
 * files it makes and the timings it prints; whoever answers the opens (no
 * one, the bare responder, vigild, clamonacc) is set up by the script.
 *
 *   make DIR COUNT SIZE
 *       writes DIR/000000 ... random bytes, SIZE each (before any responder
 *       runs, so every one of them is fresh to the responder measured)
 *   latency DIR FIRST COUNT REPEAT [PACE_US]
 *       opens DIR/FIRST ... DIR/FIRST+COUNT-1 in order, REPEAT passes, each
 *       open timed alone (open() returns once the permission event is
 *       answered), read 1 byte, closed; PACE_US sleeps between opens.
 *       Prints "opens=N p50_ns=.. p99_ns=.. mean_ns=.. max_ns=.. errors=E".
 *   interleave COUNT DIR...
 *       the same, one open of each DIR in turn (DIR1/000000, DIR2/000000,
 *       ..., DIR1/000001, ...): responders on separate filesystems measured
 *       under the same machine state; one line per DIR, "DIR opens=...".
 *   rate DIR COUNT PROCESSES SECONDS
 *       PROCESSES processes open, read 1 byte and close DIR/000000 ...
 *       DIR/COUNT-1 round-robin for SECONDS; prints "opens=N rate=R" (opens
 *       per second, all processes together).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCESSES 64

static uint64_t now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

static int parse_number(const char *text, unsigned long maximum, unsigned long *ret_value)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || end == text || *end || value > maximum) {
		fprintf(stderr, "open-latency: bad number `%s'\n", text);
		return -EINVAL;
	}
	*ret_value = value;
	return 0;
}

static void file_name(char *buffer, size_t size, const char *dir, unsigned long index)
{
	snprintf(buffer, size, "%s/%06lu", dir, index);
}

static int make_files(const char *dir, unsigned long count, unsigned long size)
{
	char *data = malloc(size ? size : 1), path[4200];

	if (!data)
		return 1;
	for (unsigned long index = 0; index < count; index++) {
		int fd;

		if (getrandom(data, size, 0) != (ssize_t)size)
			goto err_free;
		file_name(path, sizeof(path), dir, index);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
			perror(path);
			if (fd >= 0)
				close(fd);
			goto err_free;
		}
		close(fd);
	}
	free(data);
	return 0;

err_free:
	free(data);
	return 1;
}

static bool open_once(const char *path)
{
	char byte;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &byte, 1) < 0) {
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Opens one file as the measurements do: the open timed alone, 1 byte
 * read, closed. Returns the open's time; counts failures in *errors. */
static uint64_t timed_open(const char *path, unsigned long *errors)
{
	uint64_t start, end;
	int fd;

	start = now_ns();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	end = now_ns();
	if (fd < 0) {
		(*errors)++;
	} else {
		char byte;

		if (read(fd, &byte, 1) < 0)
			(*errors)++;
		close(fd);
	}
	return end - start;
}

static void print_samples(uint64_t *samples, unsigned long taken, unsigned long errors)
{
	uint64_t sum = 0;

	for (unsigned long i = 0; i < taken; i++)
		sum += samples[i];
	qsort(samples, taken, sizeof(*samples), compare_u64);
	printf("opens=%lu p50_ns=%llu p99_ns=%llu mean_ns=%llu max_ns=%llu errors=%lu\n", taken,
	       taken ? (unsigned long long)samples[taken / 2] : 0ULL,
	       taken ? (unsigned long long)samples[(taken * 99) / 100] : 0ULL,
	       taken ? (unsigned long long)(sum / taken) : 0ULL,
	       taken ? (unsigned long long)samples[taken - 1] : 0ULL, errors);
}

static int latency(const char *dir, unsigned long first, unsigned long count,
		   unsigned long repeat, unsigned long pace_us)
{
	uint64_t *samples = calloc(count * repeat + 1, sizeof(*samples));
	unsigned long taken = 0, errors = 0;
	char path[4200];

	if (!samples)
		return 1;
	for (unsigned long pass = 0; pass < repeat; pass++) {
		for (unsigned long index = first; index < first + count; index++) {
			struct timespec pause = { 0, (long)pace_us * 1000L };

			file_name(path, sizeof(path), dir, index);
			samples[taken++] = timed_open(path, &errors);
			if (pace_us)
				nanosleep(&pause, NULL);
		}
	}
	print_samples(samples, taken, errors);
	free(samples);
	return errors ? 1 : 0;
}

/* The same, over several folders in turn (DIR1/0, DIR2/0, ..., DIR1/1,
 * ...), each on its own filesystem and responder, so that every responder
 * is measured under the same machine state; one line per folder. */
static int interleave(unsigned long count, char **dirs, int dir_count)
{
	uint64_t *samples = calloc((size_t)dir_count * count + 1, sizeof(*samples));
	unsigned long *errors = calloc((size_t)dir_count, sizeof(*errors));
	char path[4200];
	int failed = 0;

	if (!samples || !errors)
		return 1;
	for (unsigned long index = 0; index < count; index++) {
		for (int d = 0; d < dir_count; d++) {
			file_name(path, sizeof(path), dirs[d], index);
			samples[(size_t)d * count + index] = timed_open(path, &errors[d]);
		}
	}
	for (int d = 0; d < dir_count; d++) {
		printf("%s ", dirs[d]);
		print_samples(samples + (size_t)d * count, count, errors[d]);
		failed |= errors[d] != 0;
	}
	free(samples);
	free(errors);
	return failed;
}

static int rate(const char *dir, unsigned long count, unsigned long processes,
		unsigned long seconds)
{
	pid_t children[MAX_PROCESSES];
	int pipes[MAX_PROCESSES][2];
	unsigned long long total = 0;
	uint64_t start = now_ns(), elapsed;
	int failed = 0;

	for (unsigned long child = 0; child < processes; child++) {
		if (pipe(pipes[child]) < 0)
			return 1;
		children[child] = fork();
		if (children[child] < 0)
			return 1;
		if (children[child] == 0) {
			uint64_t deadline = now_ns() + seconds * 1000000000ULL;
			unsigned long long opens = 0;
			char path[4200];

			close(pipes[child][0]);
			while (now_ns() < deadline) {
				for (int batch = 0; batch < 256; batch++) {
					file_name(path, sizeof(path), dir, (opens + child) % count);
					if (!open_once(path))
						_exit(1);
					opens++;
				}
			}
			if (write(pipes[child][1], &opens, sizeof(opens)) != sizeof(opens))
				_exit(1);
			_exit(0);
		}
		close(pipes[child][1]);
	}
	for (unsigned long child = 0; child < processes; child++) {
		unsigned long long opens = 0;
		int status;

		if (read(pipes[child][0], &opens, sizeof(opens)) != sizeof(opens))
			failed = 1;
		close(pipes[child][0]);
		total += opens;
		if (waitpid(children[child], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	}
	elapsed = now_ns() - start;
	printf("opens=%llu rate=%.0f errors=%d\n", total,
	       (double)total * 1e9 / (double)(elapsed ? elapsed : 1), failed);
	return failed;
}

int main(int argc, char *argv[])
{
	unsigned long a, b, c, d = 0;

	if (argc == 5 && !strcmp(argv[1], "make") && !parse_number(argv[3], 10000000, &a) &&
	    !parse_number(argv[4], 1UL << 30, &b))
		return make_files(argv[2], a, b);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "latency") &&
	    !parse_number(argv[3], 10000000, &a) && !parse_number(argv[4], 10000000, &b) &&
	    !parse_number(argv[5], 10000000, &c) &&
	    (argc == 6 || !parse_number(argv[6], 1000000, &d)))
		return latency(argv[2], a, b, c, d);
	if (argc >= 4 && !strcmp(argv[1], "interleave") && !parse_number(argv[2], 10000000, &a))
		return interleave(a, argv + 3, argc - 3);
	if (argc == 6 && !strcmp(argv[1], "rate") && !parse_number(argv[3], 10000000, &a) &&
	    a > 0 && !parse_number(argv[4], MAX_PROCESSES, &b) && b > 0 &&
	    !parse_number(argv[5], 3600, &c))
		return rate(argv[2], a, b, c);
	fprintf(stderr, "usage: open-latency make DIR COUNT SIZE\n"
		"       open-latency latency DIR FIRST COUNT REPEAT [PACE_US]\n"
		"       open-latency interleave COUNT DIR...\n"
		"       open-latency rate DIR COUNT PROCESSES SECONDS\n");
	return 2;
}
