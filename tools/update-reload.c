// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the end of `vigil update`: after a new bundle is installed,
 * ask a running vigild to reload (the same `reload' request `vigil reload'
 * sends) and say what came of it. Owns one control connection for the time
 * of the request and, when update gives up root, the parent process that
 * keeps root to send it. Must not own the install (tools/update.c) nor the
 * reload itself (vigild verifies and loads the installed bundle again).
 *
 *   update_main -> update_reload_split() (fork only when privileges will
 *   be dropped: the child updates, the parent waits and compares the
 *   state's `current' link) -> install -> update_reload_ask() ->
 *   control_connect("reload") -> one reply line -> outcome printed.
 *
 * Outcomes: no vigild (no socket, or nobody listening) is one line on
 * stdout and not an error; vigild refused the new bases, runs other bases
 * (its `bases' names another source) or could not be asked (permission,
 * no reply) is one `vigil: warning: ...' line and EXIT_NOT_RELOADED.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bases-common.h"
#include "control-client.h"
#include "state.h"
#include "subcommands.h"
#include "update-reload.h"

void update_reload_init(struct update_reload *reload)
{
	reload->parent_asks = false;
	reload->socket_path = VIGIL_DEFAULT_SOCKET;
	reload->enabled = true;
}

/* The leading version of a bases version string ("7", "7-EXPIRED",
 * "7 unchanged", "7 (12 signatures)"); false when there is none. */
static bool leading_version(const char *text, uint64_t *ret_version)
{
	char *end;

	if (!text || text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	*ret_version = strtoull(text, &end, 10);
	return errno == 0 && (*end == '\0' || *end == ' ' || *end == '-');
}

int update_reload_ask(const struct update_reload *reload, uint64_t version, int status)
{
	struct json_object *reply = NULL, *ok, *field;
	const char *message;
	uint64_t running;
	int fd, r;

	if (!reload->enabled || reload->parent_asks)
		return status;
	fd = control_connect(reload->socket_path, "reload");
	if (fd == -ENOENT || fd == -ECONNREFUSED) {
		printf("no vigild running at %s; nothing to reload\n", reload->socket_path);
		return status;
	}
	if (fd < 0)
		return say(EXIT_NOT_RELOADED, "warning: installed version %" PRIu64 ", but cannot ask vigild at %s to reload: %s%s",
			   version, reload->socket_path, strerror(-fd),
			   fd == -EACCES ? " (only root may; run vigil reload as root)" : "");
	r = control_receive(fd, &reply);
	close(fd);
	if (r < 0)
		return say(EXIT_NOT_RELOADED, "warning: installed version %" PRIu64 ", but vigild at %s gave no answer to the reload",
			   version, reload->socket_path);
	if (!json_object_object_get_ex(reply, "ok", &ok) || !json_object_get_boolean(ok)) {
		message = json_object_object_get_ex(reply, "error", &field) ? json_object_get_string(field) :
			"no reason given";
		status = say(EXIT_NOT_RELOADED, "warning: installed version %" PRIu64 ", but vigild refused it and keeps its running bases: %s",
			     version, message);
		goto out;
	}
	message = json_object_object_get_ex(reply, "bases", &field) ? json_object_get_string(field) : "";
	if (!leading_version(message, &running) || running != version) {
		status = say(EXIT_NOT_RELOADED, "warning: installed version %" PRIu64 ", but vigild runs bases %s (does its `bases' setting name other bases?)",
			     version, message[0] ? message : "of unknown version");
		goto out;
	}
	printf("vigild reloaded: bases %s\n", message);
out:
	json_object_put(reply);
	return status;
}

/* The generation `current' names, or "" when none. */
static void current_generation(const char *state_dir, char *name, size_t size)
{
	char path[4200];
	ssize_t length;

	snprintf(path, sizeof(path), "%s/%s", state_dir, VIGIL_STATE_CURRENT_NAME);
	length = readlink(path, name, size - 1);
	name[length > 0 ? length : 0] = '\0';
}

int update_reload_split(struct update_reload *reload, const char *state_dir, int *ret_status)
{
	char before[256], after[256];
	uint64_t version;
	struct stat st;
	pid_t child;
	int status;

	if (!reload->enabled || geteuid() != 0 || stat(state_dir, &st) < 0 || st.st_uid == 0)
		return 0;	/* update keeps its privileges (or has none to give up) */
	current_generation(state_dir, before, sizeof(before));
	fflush(NULL);
	child = fork();
	if (child < 0) {
		*ret_status = say(EXIT_TROUBLE, "fork: %s", strerror(errno));
		return 1;
	}
	if (child == 0) {
		reload->parent_asks = true;
		return 0;
	}
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			*ret_status = say(EXIT_TROUBLE, "waitpid: %s", strerror(errno));
			return 1;
		}
	}
	if (!WIFEXITED(status)) {
		*ret_status = say(EXIT_TROUBLE, "the update process died of signal %d", WTERMSIG(status));
		return 1;
	}
	*ret_status = WEXITSTATUS(status);
	current_generation(state_dir, after, sizeof(after));
	/* `current' -> gen-<version>-<digest> (bases/state.h) */
	if (*ret_status == EXIT_OK && after[0] && strcmp(before, after) &&
	    !strncmp(after, "gen-", 4) && leading_version(after + 4, &version))
		*ret_status = update_reload_ask(reload, version, *ret_status);
	return 1;
}
