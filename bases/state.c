// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the state folder (layout in state.h). Owns the folder fd and
 * the writer's flock for the life of a struct vigil_state; the bytes it
 * writes were verified by the caller (verify.c) and the bytes it returns
 * are the caller's to verify again before use.
 *
 * Opening for writing (under the lock) removes what a killed writer left
 * beside `current'. Install, each step a hook point for the crash-safety
 * test (and tests/e2e/update-crash.sh kills the real binary at each
 * system call):
 *   remove leftovers -> mkdir gen.tmp -> write+fsync bundle -> write+fsync
 *   root -> fsync gen.tmp -> rename gen.tmp gen -> fsync folder ->
 *   symlink current.tmp -> rename current.tmp current (the commit point)
 *   -> fsync folder -> remove the old generation
 * Must not own: verification, logging, the clock (callers pass `now').
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fileio.h"
#include "state-internal.h"
#include "verify.h"

#define GENERATION_PREFIX "gen-"
#define CURRENT_TEMP_NAME "current.tmp"

struct vigil_state {
	int dir_fd;
	int lock_fd;
};

static int current_generation(struct vigil_state *state, char *name, size_t name_size);
static void remove_leftovers(struct vigil_state *state, const char *keep, const char *keep2);

int vigil_state_open(const char *path, bool writable, struct vigil_state **ret_state)
{
	struct vigil_state *state;
	char name[256];
	int r;

	if (writable && mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	state = calloc(1, sizeof(*state));
	if (!state)
		return -ENOMEM;
	state->lock_fd = -1;
	state->dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (state->dir_fd < 0) {
		r = -errno;
		goto err_free_state;
	}
	if (writable) {
		state->lock_fd = openat(state->dir_fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (state->lock_fd < 0) {
			r = -errno;
			goto err_free_state;
		}
		if (flock(state->lock_fd, LOCK_EX | LOCK_NB) < 0) {
			r = -errno;
			goto err_free_state;
		}
		/* A writer killed after its commit point left the old
		 * generation (or one killed before it, a half-made new one). */
		if (current_generation(state, name, sizeof(name)) == 0)
			remove_leftovers(state, name, NULL);
	}
	*ret_state = state;
	return 0;

err_free_state:
	vigil_state_free(state);
	return r;
}

struct vigil_state *vigil_state_free(struct vigil_state *state)
{
	if (state) {
		if (state->lock_fd >= 0)
			close(state->lock_fd);
		if (state->dir_fd >= 0)
			close(state->dir_fd);
		free(state);
	}
	return NULL;
}

/* The generation `current' names; -ENOENT when nothing is installed. */
static int current_generation(struct vigil_state *state, char *name, size_t name_size)
{
	ssize_t n = readlinkat(state->dir_fd, VIGIL_STATE_CURRENT_NAME, name, name_size - 1);

	if (n < 0)
		return -errno;
	name[n] = '\0';
	if (strncmp(name, GENERATION_PREFIX, strlen(GENERATION_PREFIX)) || strchr(name, '/') || (size_t)n >= name_size - 1)
		return -EUCLEAN;
	return 0;
}

static int read_generation_file(struct vigil_state *state, const char *file, uint8_t **ret_buf, size_t *ret_len)
{
	char generation[128], path[256];
	int r = current_generation(state, generation, sizeof(generation));

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", generation, file);
	r = vigil_file_read_at(state->dir_fd, path, O_NOFOLLOW, VIGIL_BUNDLE_FILE_MAX_SIZE, ret_buf, ret_len);
	return r == -ENOENT ? -EUCLEAN : r;
}

int vigil_state_read_installed(struct vigil_state *state, uint8_t **ret_bundle, size_t *ret_bundle_len,
			       uint8_t **ret_root, size_t *ret_root_len)
{
	uint8_t *bundle;
	size_t bundle_len;
	int r;

	r = read_generation_file(state, VIGIL_STATE_BUNDLE_NAME, &bundle, &bundle_len);
	if (r < 0)
		return r;
	r = read_generation_file(state, VIGIL_STATE_ROOT_NAME, ret_root, ret_root_len);
	if (r < 0) {
		free(bundle);
		return r;
	}
	*ret_bundle = bundle;
	*ret_bundle_len = bundle_len;
	return 0;
}

/* The installed bundle, opened (not read) for vigil_bundle_open_fd(). */
static int open_installed_bundle(struct vigil_state *state, int *ret_fd)
{
	char generation[128], path[256];
	int r = current_generation(state, generation, sizeof(generation)), fd;

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", generation, VIGIL_STATE_BUNDLE_NAME);
	fd = openat(state->dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? -EUCLEAN : -errno;
	*ret_fd = fd;
	return 0;
}

int vigil_state_read_root(struct vigil_state *state, uint8_t **ret_root, size_t *ret_root_len)
{
	return read_generation_file(state, VIGIL_STATE_ROOT_NAME, ret_root, ret_root_len);
}

/* Removes a generation folder (two known files at most, then the folder). */
static int remove_generation(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *dir;
	struct dirent *entry;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((entry = readdir(dir))) {
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		unlinkat(dirfd(dir), entry->d_name, 0);
	}
	closedir(dir);
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Removes every generation but @keep (and @keep2), and a stale current.tmp. */
static void remove_leftovers(struct vigil_state *state, const char *keep, const char *keep2)
{
	int fd = openat(state->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	struct dirent *entry;

	unlinkat(state->dir_fd, CURRENT_TEMP_NAME, 0);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((entry = readdir(dir))) {
		if (strncmp(entry->d_name, GENERATION_PREFIX, strlen(GENERATION_PREFIX)))
			continue;
		if ((keep && !strcmp(entry->d_name, keep)) || (keep2 && !strcmp(entry->d_name, keep2)))
			continue;
		remove_generation(state->dir_fd, entry->d_name);
	}
	closedir(dir);
}

static int write_file_at(int dir_fd, const char *name, const uint8_t *buf, size_t len)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	int r;

	if (fd < 0)
		return -errno;
	r = vigil_fd_write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int fsync_at(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

#define STEP(number, what)                                           \
	do {                                                         \
		if (hook) {                                          \
			r = hook(context, number, what);             \
			if (r < 0)                                   \
				goto out;                            \
		}                                                    \
	} while (0)

int vigil_state_install_hooked(struct vigil_state *state, const uint8_t *bundle, size_t bundle_len,
			       const uint8_t *root, size_t root_len, uint64_t version,
			       const uint8_t digest[VIGIL_SHA256_SIZE], vigil_state_step_hook hook, void *context)
{
	char old[128], generation[128], temp[160], hex[VIGIL_SHA256_HEX_SIZE + 1], path[256];
	bool have_old;
	int temp_fd = -1, r = 0;

	vigil_hex_format(digest, VIGIL_SHA256_SIZE, hex);
	snprintf(generation, sizeof(generation), GENERATION_PREFIX "%" PRIu64 "-%.16s", version, hex);
	snprintf(temp, sizeof(temp), "%s.tmp", generation);
	have_old = current_generation(state, old, sizeof(old)) == 0;
	if (have_old && !strcmp(old, generation))
		return -EEXIST;

	STEP(1, "remove leftovers");
	remove_leftovers(state, have_old ? old : NULL, NULL);
	STEP(2, "mkdir the new generation");
	if (mkdirat(state->dir_fd, temp, 0755) < 0) {
		r = -errno;
		goto out;
	}
	temp_fd = openat(state->dir_fd, temp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (temp_fd < 0) {
		r = -errno;
		goto out;
	}
	STEP(3, "write the bundle");
	r = write_file_at(temp_fd, VIGIL_STATE_BUNDLE_NAME, bundle, bundle_len);
	if (r < 0)
		goto out;
	STEP(4, "write the root");
	r = write_file_at(temp_fd, VIGIL_STATE_ROOT_NAME, root, root_len);
	if (r < 0)
		goto out;
	STEP(5, "fsync the new generation");
	if (fsync(temp_fd) < 0) {
		r = -errno;
		goto out;
	}
	STEP(6, "rename the new generation into place");
	if (renameat(state->dir_fd, temp, state->dir_fd, generation) < 0) {
		r = -errno;
		goto out;
	}
	STEP(7, "fsync the state folder");
	r = fsync_at(state->dir_fd, ".");
	if (r < 0)
		goto out;
	STEP(8, "create current.tmp");
	if (symlinkat(generation, state->dir_fd, CURRENT_TEMP_NAME) < 0) {
		r = -errno;
		goto out;
	}
	STEP(9, "rename current.tmp over current");
	if (renameat(state->dir_fd, CURRENT_TEMP_NAME, state->dir_fd, VIGIL_STATE_CURRENT_NAME) < 0) {
		r = -errno;
		goto out;
	}
	STEP(10, "fsync the state folder");
	r = fsync_at(state->dir_fd, ".");
	if (r < 0)
		goto out;
	STEP(11, "remove the old generation");
	remove_leftovers(state, generation, NULL);
	r = fsync_at(state->dir_fd, ".");

out:
	if (temp_fd >= 0)
		close(temp_fd);
	if (r < 0) {
		/* Leave `current' as it was; tidy what this attempt made. */
		if (current_generation(state, path, sizeof(path)) == 0)
			remove_leftovers(state, path, NULL);
	}
	return r;
}

int vigil_state_install(struct vigil_state *state, const uint8_t *bundle, size_t bundle_len, const uint8_t *root,
			size_t root_len, uint64_t version, const uint8_t digest[VIGIL_SHA256_SIZE])
{
	return vigil_state_install_hooked(state, bundle, bundle_len, root, root_len, version, digest, NULL, NULL);
}

/*
 * One record, one write() of the line and its newline, so a crash leaves a
 * whole line or none. Should an earlier writer have died mid-line (a torn
 * last line, no newline), the record starts on a line of its own.
 */
static int append_line(int fd, const char *line)
{
	size_t length = strlen(line);
	char *buffer = malloc(length + 2), last = '\n';
	struct stat st;
	size_t start = 1;
	int r;

	if (!buffer)
		return -ENOMEM;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		last = '\n';
	buffer[0] = '\n';
	if (last != '\n')
		start = 0;
	memcpy(buffer + 1, line, length);
	buffer[length + 1] = '\n';
	r = vigil_fd_write_all(fd, (const uint8_t *)buffer + start, length + 2 - start);
	free(buffer);
	return r;
}

int vigil_state_record_decision(struct vigil_state *state, const struct vigil_decision *decision, int64_t now)
{
	char when[VIGIL_RFC3339_SIZE + 1], hex[VIGIL_SHA256_HEX_SIZE + 1];
	json_object *record, *event, *vigil, *bases;
	const char *line;
	int fd, r;

	vigil_time_format(now, when);
	record = json_object_new_object();
	event = json_object_new_object();
	vigil = json_object_new_object();
	bases = json_object_new_object();
	if (!record || !event || !vigil || !bases) {
		json_object_put(record);
		json_object_put(event);
		json_object_put(vigil);
		json_object_put(bases);
		return -ENOMEM;
	}
	json_object_object_add(record, "@timestamp", json_object_new_string(when));
	json_object_object_add(event, "kind", json_object_new_string("event"));
	json_object_object_add(event, "category", json_object_new_string("configuration"));
	json_object_object_add(event, "action", json_object_new_string("bases-update"));
	json_object_object_add(event, "outcome", json_object_new_string(
		!strcmp(decision->outcome, "installed") || !strcmp(decision->outcome, "already-installed") ?
			"success" : "failure"));
	if (decision->reason)
		json_object_object_add(event, "reason", json_object_new_string(decision->reason));
	json_object_object_add(record, "event", event);
	json_object_object_add(vigil, "decision", json_object_new_string(decision->outcome));
	if (decision->source)
		json_object_object_add(vigil, "source", json_object_new_string(decision->source));
	if (decision->channel)
		json_object_object_add(bases, "channel", json_object_new_string(decision->channel));
	if (decision->has_bundle) {
		vigil_hex_format(decision->digest, VIGIL_SHA256_SIZE, hex);
		json_object_object_add(bases, "version", json_object_new_uint64(decision->version));
		json_object_object_add(bases, "digest", json_object_new_string(hex));
		json_object_object_add(bases, "root_version", json_object_new_uint64(decision->root_version));
	}
	if (decision->has_installed)
		json_object_object_add(bases, "installed_version", json_object_new_uint64(decision->installed_version));
	json_object_object_add(vigil, "bases", bases);
	json_object_object_add(record, "vigil", vigil);

	line = json_object_to_json_string_ext(record, JSON_C_TO_STRING_PLAIN);
	fd = openat(state->dir_fd, VIGIL_STATE_DECISIONS_NAME, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0644);
	if (fd < 0) {
		r = -errno;
		goto out_put_record;
	}
	r = append_line(fd, line);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
out_put_record:
	json_object_put(record);
	return r;
}

int vigil_state_load_verified(const char *state_dir, const uint8_t *anchor, size_t anchor_len, int64_t now,
			      const char *channel, int *ret_fd, struct vigil_verified_bundle **ret_bundle,
			      char *reason, size_t reason_size)
{
	struct vigil_root_chain *chain = NULL, *anchor_chain = NULL;
	struct vigil_state *state;
	uint8_t *root;
	size_t root_len;
	int fd = -1, r;

	r = vigil_state_open(state_dir, false, &state);
	if (r < 0)
		return r;
	r = open_installed_bundle(state, &fd);
	if (r >= 0)
		r = vigil_state_read_root(state, &root, &root_len);
	vigil_state_free(state);
	if (r < 0)
		goto err_close;
	r = vigil_root_chain_new(root, root_len, &chain, reason, reason_size);
	free(root);
	if (r < 0)
		goto err_close;
	if (anchor && vigil_root_chain_new(anchor, anchor_len, &anchor_chain, NULL, 0) == 0 &&
	    vigil_root_chain_newest(anchor_chain)->version > vigil_root_chain_newest(chain)->version) {
		vigil_root_chain_free(chain);
		chain = anchor_chain;
		anchor_chain = NULL;
	}
	r = vigil_bundle_open_fd(fd, true, chain, now, channel, ret_bundle, reason, reason_size);
	vigil_root_chain_free(anchor_chain);
	vigil_root_chain_free(chain);
	if (r < 0)
		goto err_close;
	*ret_fd = fd;
	return 0;

err_close:
	if (fd >= 0)
		close(fd);
	return r;
}

int vigil_state_load_installed(const char *state_dir, const char *anchor_path, int64_t now,
			       const char *channel, int *ret_fd, struct vigil_verified_bundle **ret_bundle,
			       char *reason, size_t reason_size)
{
	uint8_t *anchor = NULL;
	size_t anchor_len = 0;
	int r;

	if (vigil_file_read(anchor_path, VIGIL_ROOT_FILE_MAX_SIZE, &anchor, &anchor_len) < 0)
		anchor = NULL;
	r = vigil_state_load_verified(state_dir, anchor, anchor_len, now, channel, ret_fd, ret_bundle,
				      reason, reason_size);
	free(anchor);
	return r;
}
