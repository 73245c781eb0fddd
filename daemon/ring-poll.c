// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: ring_wait_polling(), how the kmod backend's event loop waits
 * for its next io_uring completion: right after it handled some, it first
 * looks for the next one without sleeping, for worker_spin_us, yielding
 * the CPU between looks; only then does it sleep in the kernel. With a
 * steady flow of opens the next event is there by then and costs no
 * wake-up of the loop's thread, and the opener meanwhile spins for its
 * answer instead of sleeping (VIGIL_FEATURE_OPENER_SPIN), since the thread
 * that will answer is on a CPU. A stop is a completion like any other.
 * (The fanotify loop does not poll: its openers sleep whatever the loop
 * does, and polling there cost more than it saved, bench/README.md.)
 * Owns nothing.
 */
#include <errno.h>
#include <liburing.h>
#include <sched.h>

#include "vigild.h"

int ring_wait_polling(struct io_uring *ring, struct io_uring_cqe **ret_cqe, uint64_t poll_ns)
{
	if (poll_ns) {
		uint64_t end = monotonic_ns() + poll_ns;

		do {
			if (io_uring_peek_cqe(ring, ret_cqe) == 0)
				return 0;
			sched_yield();
		} while (monotonic_ns() < end);
	}
	return io_uring_wait_cqe(ring, ret_cqe);
}
