/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * `vigil update`'s last step: asking a running vigild to reload after an
 * install (tools/update-reload.c). Kept apart from tools/update.c, which
 * only calls the three functions below.
 */
#ifndef VIGIL_TOOLS_UPDATE_RELOAD_H
#define VIGIL_TOOLS_UPDATE_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

/* Installed, but the running vigild did not take the new bases (it refused
 * them, runs other bases, or could not be asked): exit status of update. */
#define EXIT_NOT_RELOADED 3

struct update_reload {
	const char *socket_path;	/* vigild's control socket */
	bool enabled;			/* false with --no-reload */
	bool parent_asks;		/* this is update_reload_split()'s child */
};

void update_reload_init(struct update_reload *reload);

/*
 * update_reload_split - called before vigil update gives up root for the
 * state folder's owner. Only root may ask vigild to reload, so when the
 * privileges will be dropped the process forks: the child returns 0 and
 * goes on with the update unprivileged; the parent waits for it, asks
 * vigild to reload when the child installed a new bundle (the state's
 * `current' link changed), and returns 1 with the exit status to use in
 * *ret_status. Returns 0 in the process that should run the update (in
 * the child, with reload->parent_asks set).
 */
int update_reload_split(struct update_reload *reload, const char *state_dir, int *ret_status);

/*
 * update_reload_ask - after an install of @version: asks the vigild at
 * reload->socket_path to reload and prints the outcome. Returns the exit
 * status: @status when vigild runs the new bases or no vigild runs,
 * EXIT_NOT_RELOADED otherwise (one `vigil: warning: ...' line printed).
 */
int update_reload_ask(const struct update_reload *reload, uint64_t version, int status);

#endif
