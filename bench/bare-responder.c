// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the benchmark's bare fanotify responder. It links vigild's own
 * fanotify backend (daemon/fanotify.o: the same marks, the same io_uring
 * loop reading events and writing answers) with a dispatch that allows
 * every permission event at once in the loop thread, without fstat, cache,
 * exclusions or scanning. What it measures is the cost of the kernel round
 * trip through vigild's loop, the floor under every vigild figure. It owns
 * nothing but the struct vigild it fills; it is not installed.
 *
 *   kernel -> fanotify.c loop -> event_alloc() -> dispatch_event() here ->
 *   event_answer(allow) -> fanotify.c writes the answer -> event_put()
 *
 * Usage: bare-responder PATH... ; prints "ready" on stdout once the marks
 * are in place; stops on SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "vigild.h"

#define IN_FLIGHT_CAP 4096

struct bare_dispatch {
	atomic_uint in_flight;
};

/* The one struct dispatch of this program: only the in-flight count. */
struct dispatch {
	struct bare_dispatch bare;
};

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
	atomic_init(&event->refs, 1);
	atomic_fetch_add(&backend->vigild->dispatch->bare.in_flight, 1);
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
	atomic_fetch_sub(&backend->vigild->dispatch->bare.in_flight, 1);
	backend->ops->event_free(backend, event);
}

bool event_answer(struct vigild_event *event, bool allow)
{
	int expected = EVENT_UNANSWERED;

	if (!atomic_compare_exchange_strong(&event->answer, &expected,
					    allow ? EVENT_ALLOWED : EVENT_DENIED))
		return false;
	event->backend->ops->answer(event->backend, event, allow);
	return true;
}

void dispatch_event(struct vigild *vigild, struct vigild_event *event)
{
	atomic_fetch_add(&vigild->stats.events, 1);
	if (event->needs_answer)
		event_answer(event, true);
	event_put(event);
}

unsigned dispatch_in_flight(struct vigild *vigild)
{
	return atomic_load(&vigild->dispatch->bare.in_flight);
}

unsigned dispatch_in_flight_cap(struct vigild *vigild)
{
	return IN_FLIGHT_CAP;
}

void dispatch_note_overflow(struct vigild *vigild)
{
	atomic_fetch_add(&vigild->stats.overflows, 1);
}

int main(int argc, char *argv[])
{
	static struct vigild vigild;
	static struct dispatch dispatch;
	struct backend *backend = NULL;
	char error[512] = "";
	sigset_t signals;
	int signal_number, r;

	if (argc < 2) {
		fprintf(stderr, "usage: bare-responder PATH...\n");
		return 2;
	}
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);	/* the loop thread inherits it */

	vigild.pid = getpid();
	vigild.dispatch = &dispatch;
	vigild.config.paths.items = argv + 1;
	vigild.config.paths.count = (size_t)(argc - 1);
	vigild.config.scan_on = CONFIG_SCAN_OPEN | CONFIG_SCAN_EXEC;
	r = fanotify_backend_new(&vigild, &backend, error, sizeof(error));
	if (r < 0) {
		fprintf(stderr, "bare-responder: %s\n", error[0] ? error : strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&signals, &signal_number);
	backend->ops->stop(backend);
	fprintf(stderr, "bare-responder: %llu events, %llu overflows, %llu answer errors\n",
		(unsigned long long)atomic_load(&vigild.stats.events),
		(unsigned long long)atomic_load(&vigild.stats.overflows),
		(unsigned long long)atomic_load(&vigild.stats.answer_errors));
	backend->ops->free(backend);
	return 0;
}
