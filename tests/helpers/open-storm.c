// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: an opener for vigild's end-to-end tests. It opens files
 * without pause and counts what it sees; it owns only its fds.
 *
 *   open-storm --count N FILE...        N rounds over FILE...; prints
 *                                       "opens=.. allowed=.. denied=.. errors=.."
 *   open-storm --seconds S --phase PHASE A_ONLY B_ONLY BOTH CLEAN
 *        the reload storm: PHASE holds "SEQ SET STABLE" written by the
 *        reloader (SET A or B; STABLE 1 once that set is running). BOTH
 *        must always be denied, CLEAN always allowed; when the phase read
 *        before and after a round is the same stable one, A_ONLY must be
 *        denied exactly under set A and B_ONLY exactly under set B.
 *        Prints the counts and "violations=N"; exits 1 if any.
 *   SIGTERM stops either mode after the current round, counts printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int signal_number)
{
	(void)signal_number;
	stop = 1;
}

struct phase {
	unsigned long sequence;
	char set;
	int stable;
};

static int read_phase(const char *path, struct phase *phase)
{
	char buffer[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t length;

	if (fd < 0)
		return -1;
	length = read(fd, buffer, sizeof(buffer) - 1);
	close(fd);
	if (length <= 0)
		return -1;
	buffer[length] = '\0';
	return sscanf(buffer, "%lu %c %d", &phase->sequence, &phase->set, &phase->stable) == 3 ? 0 : -1;
}

/* 1 allowed, 0 denied (EPERM), -1 another error. */
static int try_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EPERM ? 0 : -1;
}

int main(int argc, char *argv[])
{
	unsigned long opens = 0, allowed = 0, denied = 0, errors = 0, violations = 0, checked = 0;
	long count = -1, seconds = -1;
	const char *phase_path = NULL;
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--phase") && i + 1 < argc)
			phase_path = argv[++i];
		else
			break;
		i++;
	}
	if (i >= argc || (count < 0 && seconds < 0) || (phase_path && argc - i != 4)) {
		fprintf(stderr, "usage: open-storm (--count N | --seconds S [--phase FILE]) FILE...\n");
		return 2;
	}
	time_t end = seconds >= 0 ? time(NULL) + seconds : 0;
	struct sigaction action = { .sa_handler = on_term, .sa_flags = SA_RESTART };

	/* SIGTERM ends the run cleanly, with the counts printed. */
	sigaction(SIGTERM, &action, NULL);
	for (long round = 0; !stop && (count < 0 || round < count); round++) {
		struct phase before = { 0 }, after = { 0 };
		int results[4];

		if (seconds >= 0 && time(NULL) >= end)
			break;
		if (phase_path && read_phase(phase_path, &before) < 0)
			continue;
		for (int f = i; f < argc; f++) {
			int result = try_open(argv[f]);

			opens++;
			if (result > 0)
				allowed++;
			else if (result == 0)
				denied++;
			else
				errors++;
			if (phase_path)
				results[f - i] = result;
		}
		if (!phase_path)
			continue;
		if (results[2] != 0) {
			violations++;
			fprintf(stderr, "violation: %s (bad in both sets) %s\n", argv[i + 2],
				results[2] > 0 ? "allowed" : "failed");
		}
		if (results[3] != 1) {
			violations++;
			fprintf(stderr, "violation: %s (clean in both sets) %s\n", argv[i + 3],
				results[3] == 0 ? "denied" : "failed");
		}
		if (read_phase(phase_path, &after) < 0 || after.sequence != before.sequence ||
		    !before.stable)
			continue;
		checked++;
		if (results[0] != (before.set == 'A' ? 0 : 1)) {
			violations++;
			fprintf(stderr, "violation: set %c (phase %lu): %s %s\n", before.set,
				before.sequence, argv[i], results[0] ? "allowed" : "denied");
		}
		if (results[1] != (before.set == 'B' ? 0 : 1)) {
			violations++;
			fprintf(stderr, "violation: set %c (phase %lu): %s %s\n", before.set,
				before.sequence, argv[i + 1], results[1] ? "allowed" : "denied");
		}
	}
	printf("opens=%lu allowed=%lu denied=%lu errors=%lu", opens, allowed, denied, errors);
	if (phase_path)
		printf(" checked_rounds=%lu violations=%lu", checked, violations);
	printf("\n");
	return violations || errors ? 1 : 0;
}
