// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the quarantine folder. This file owns the files in it: for
 * each entry ID, ID.data (the bytes, mode 0400) and ID.json (where it came
 * from: path as raw bytes in hex, owner, mode, timestamps, size, rules). It
 * must not own events or answers: quarantine_move() runs after the kernel
 * was answered, from the worker, reading only through the event's fd.
 *
 *   worker (denied, quarantine = move) -> quarantine_move(): parent folder
 *   opened with RESOLVE_NO_SYMLINKS -> same device and inode as the event
 *   fd? -> copy bytes from the event fd -> write metadata -> fsync ->
 *   identity checked again -> unlinkat() the original
 *   `vigil quarantine restore ID` -> control.c -> quarantine_restore():
 *   recreate at the original path (O_EXCL, no symlink followed), same
 *   bytes, owner, mode and timestamps -> the entry is removed.
 *
 * A copy, not a rename: the folder is usually on another filesystem.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "quarantine.h"
#include "utf8-escape.h"

#define QUARANTINE_ID_BYTES 8

int quarantine_prepare(const char *folder, char *error, size_t error_size)
{
	struct stat st;

	if (mkdir(folder, 0700) < 0 && errno != EEXIST) {
		int r = -errno;

		snprintf(error, error_size, "quarantine_dir %s: %s", folder, strerror(-r));
		return r;
	}
	if (lstat(folder, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 0077)) {
		snprintf(error, error_size,
			 "quarantine_dir %s: must be a folder owned by root with mode 0700", folder);
		return -EPERM;
	}
	return 0;
}

/* Opens the folder holding path, refusing any symlink on the way. */
static int open_parent(const char *path, char *base, size_t base_size)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS };
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	long fd;

	if (!slash || path[0] != '/' || strlen(slash + 1) >= base_size || !slash[1])
		return -EINVAL;
	snprintf(base, base_size, "%s", slash + 1);
	if (slash == path)
		snprintf(parent, sizeof(parent), "/");
	else
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	fd = syscall(SYS_openat2, AT_FDCWD, parent, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int copy_fd(int from, int to)
{
	char buffer[65536];
	off_t offset = 0;

	for (;;) {
		ssize_t got = pread(from, buffer, sizeof(buffer), offset), done = 0;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return 0;
		while (done < got) {
			ssize_t wrote = write(to, buffer + done, (size_t)(got - done));

			if (wrote < 0 && errno == EINTR)
				continue;
			if (wrote < 0)
				return -errno;
			done += wrote;
		}
		offset += got;
	}
}

static int write_text(int dir_fd, const char *name, const char *text)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t length = strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, length) != (ssize_t)length || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	close(fd);
	return r;
}

static char *hex_encode(const char *bytes)
{
	size_t length = strlen(bytes);
	char *hex = malloc(length * 2 + 1);

	if (!hex)
		return NULL;
	for (size_t i = 0; i < length; i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char)bytes[i]);
	hex[length * 2] = '\0';
	return hex;
}

static char *hex_decode(const char *hex)
{
	size_t length = strlen(hex);
	char *bytes;

	if (length % 2)
		return NULL;
	bytes = malloc(length / 2 + 1);
	if (!bytes)
		return NULL;
	for (size_t i = 0; i < length / 2; i++) {
		unsigned value;

		if (sscanf(hex + 2 * i, "%2x", &value) != 1 || !value) {
			free(bytes);
			return NULL;
		}
		bytes[i] = (char)value;
	}
	bytes[length / 2] = '\0';
	return bytes;
}

int quarantine_move(const char *folder, int fd, const struct stat *st, const char *path,
		    char *const *rules, size_t rule_count, char *ret_id, size_t id_size,
		    char *error, size_t error_size)
{
	unsigned char random_bytes[QUARANTINE_ID_BYTES];
	char id[QUARANTINE_ID_BYTES * 2 + 1], name[64], base[NAME_MAX + 1];
	struct json_object *meta = NULL, *rule_array;
	struct stat now;
	char *hex = NULL, *shown = NULL;
	int parent_fd = -1, dir_fd = -1, data_fd = -1, r;

	if (getrandom(random_bytes, sizeof(random_bytes), 0) != sizeof(random_bytes)) {
		snprintf(error, error_size, "getrandom: %s", strerror(errno));
		return -EIO;
	}
	for (size_t i = 0; i < sizeof(random_bytes); i++)
		sprintf(id + 2 * i, "%02x", random_bytes[i]);
	parent_fd = open_parent(path, base, sizeof(base));
	if (parent_fd < 0) {
		r = parent_fd;
		snprintf(error, error_size, "%s: parent folder: %s", path, strerror(-r));
		goto out;
	}
	if (fstatat(parent_fd, base, &now, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(now.st_mode) ||
	    now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		r = -ESTALE;
		snprintf(error, error_size, "%s: no longer the scanned file; left in place", path);
		goto out;
	}
	dir_fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "%s: %s", folder, strerror(-r));
		goto out;
	}
	snprintf(name, sizeof(name), "%s.data", id);
	data_fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400);
	if (data_fd < 0 || (r = copy_fd(fd, data_fd)) < 0 || fsync(data_fd) < 0) {
		r = data_fd < 0 || !r ? -errno : r;
		snprintf(error, error_size, "%s/%s: %s", folder, name, strerror(-r));
		unlinkat(dir_fd, name, 0);
		goto out;
	}
	hex = hex_encode(path);
	shown = vigil_utf8_escape(path, strlen(path));
	meta = json_object_new_object();
	rule_array = json_object_new_array();
	for (size_t i = 0; i < rule_count; i++)
		json_object_array_add(rule_array, json_object_new_string(rules[i]));
	json_object_object_add(meta, "id", json_object_new_string(id));
	json_object_object_add(meta, "time", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(meta, "path", json_object_new_string(shown ? shown : "?"));
	json_object_object_add(meta, "path_hex", json_object_new_string(hex ? hex : ""));
	json_object_object_add(meta, "uid", json_object_new_int64(st->st_uid));
	json_object_object_add(meta, "gid", json_object_new_int64(st->st_gid));
	json_object_object_add(meta, "mode", json_object_new_int64(st->st_mode & 07777));
	json_object_object_add(meta, "size", json_object_new_int64((int64_t)st->st_size));
	json_object_object_add(meta, "atime_sec", json_object_new_int64(st->st_atim.tv_sec));
	json_object_object_add(meta, "atime_nsec", json_object_new_int64(st->st_atim.tv_nsec));
	json_object_object_add(meta, "mtime_sec", json_object_new_int64(st->st_mtim.tv_sec));
	json_object_object_add(meta, "mtime_nsec", json_object_new_int64(st->st_mtim.tv_nsec));
	json_object_object_add(meta, "rules", rule_array);
	snprintf(name, sizeof(name), "%s.json", id);
	r = write_text(dir_fd, name, json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN));
	if (r < 0) {
		snprintf(error, error_size, "%s/%s: %s", folder, name, strerror(-r));
		snprintf(name, sizeof(name), "%s.data", id);
		unlinkat(dir_fd, name, 0);
		goto out;
	}
	fsync(dir_fd);
	/* The identity once more, right before the removal. */
	if (fstatat(parent_fd, base, &now, AT_SYMLINK_NOFOLLOW) < 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino || unlinkat(parent_fd, base, 0) < 0) {
		r = -ESTALE;
		snprintf(error, error_size, "%s: changed during quarantine; left in place", path);
		unlinkat(dir_fd, name, 0);
		snprintf(name, sizeof(name), "%s.data", id);
		unlinkat(dir_fd, name, 0);
		goto out;
	}
	snprintf(ret_id, id_size, "%s", id);
	r = 0;
out:
	json_object_put(meta);
	free(hex);
	free(shown);
	if (data_fd >= 0)
		close(data_fd);
	if (dir_fd >= 0)
		close(dir_fd);
	if (parent_fd >= 0)
		close(parent_fd);
	return r;
}

static struct json_object *read_meta(int dir_fd, const char *id)
{
	char name[96], buffer[65536];
	ssize_t length;
	int fd;

	snprintf(name, sizeof(name), "%s.json", id);
	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	length = read(fd, buffer, sizeof(buffer) - 1);
	close(fd);
	if (length <= 0)
		return NULL;
	buffer[length] = '\0';
	return json_tokener_parse(buffer);
}

int quarantine_list(const char *folder, struct json_object *array)
{
	DIR *dir = opendir(folder);
	struct dirent *entry;

	if (!dir)
		return -errno;
	while ((entry = readdir(dir))) {
		char id[64];
		size_t length = strlen(entry->d_name);
		struct json_object *meta, *item, *value;

		if (length < 6 || length - 5 >= sizeof(id) || strcmp(entry->d_name + length - 5, ".json"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(length - 5), entry->d_name);
		meta = read_meta(dirfd(dir), id);
		if (!meta)
			continue;
		item = json_object_new_object();
		json_object_object_add(item, "id", json_object_new_string(id));
		if (json_object_object_get_ex(meta, "path", &value))
			json_object_object_add(item, "path", json_object_get(value));
		if (json_object_object_get_ex(meta, "time", &value)) {
			time_t when = (time_t)json_object_get_int64(value);
			char text[32];
			struct tm tm;

			gmtime_r(&when, &tm);
			strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
			json_object_object_add(item, "time", json_object_new_string(text));
		}
		if (json_object_object_get_ex(meta, "rules", &value))
			json_object_object_add(item, "rules", json_object_get(value));
		json_object_array_add(array, item);
		json_object_put(meta);
	}
	closedir(dir);
	return 0;
}

static long long meta_number(struct json_object *meta, const char *key)
{
	struct json_object *value;

	return json_object_object_get_ex(meta, key, &value) ? (long long)json_object_get_int64(value) : -1;
}

int quarantine_restore(const char *folder, const char *id, char *error, size_t error_size)
{
	struct json_object *meta = NULL, *value;
	char name[96], base[NAME_MAX + 1], *path = NULL;
	struct timespec times[2];
	int dir_fd, data_fd = -1, parent_fd = -1, out_fd = -1, r;

	dir_fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "%s: %s", folder, strerror(-r));
		return r;
	}
	meta = read_meta(dir_fd, id);
	if (!meta || !json_object_object_get_ex(meta, "path_hex", &value) ||
	    !(path = hex_decode(json_object_get_string(value)))) {
		r = -ENOENT;
		snprintf(error, error_size, "no quarantine entry %s", id);
		goto out;
	}
	snprintf(name, sizeof(name), "%s.data", id);
	data_fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (data_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "%s/%s: %s", folder, name, strerror(-r));
		goto out;
	}
	parent_fd = open_parent(path, base, sizeof(base));
	if (parent_fd >= 0) {
		int real_parent = openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		close(parent_fd);
		parent_fd = real_parent;
	}
	if (parent_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "cannot restore to %s: parent folder: %s", path,
			 strerror(errno));
		goto out;
	}
	out_fd = openat(parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "cannot restore to %s: %s", path, strerror(-r));
		goto out;
	}
	r = copy_fd(data_fd, out_fd);
	times[0] = (struct timespec){ meta_number(meta, "atime_sec"), meta_number(meta, "atime_nsec") };
	times[1] = (struct timespec){ meta_number(meta, "mtime_sec"), meta_number(meta, "mtime_nsec") };
	if (r == 0 && (fchown(out_fd, (uid_t)meta_number(meta, "uid"), (gid_t)meta_number(meta, "gid")) < 0 ||
		       fchmod(out_fd, (mode_t)meta_number(meta, "mode")) < 0 ||
		       fsync(out_fd) < 0 || futimens(out_fd, times) < 0))
		r = -errno;
	if (r < 0) {
		snprintf(error, error_size, "restoring %s: %s", path, strerror(-r));
		unlinkat(parent_fd, base, 0);
		goto out;
	}
	unlinkat(dir_fd, name, 0);
	snprintf(name, sizeof(name), "%s.json", id);
	unlinkat(dir_fd, name, 0);
	snprintf(error, error_size, "%s", path);
	r = 0;
out:
	json_object_put(meta);
	free(path);
	if (out_fd >= 0)
		close(out_fd);
	if (parent_fd >= 0)
		close(parent_fd);
	if (data_fd >= 0)
		close(data_fd);
	close(dir_fd);
	return r;
}

int quarantine_delete(const char *folder, const char *id, char *error, size_t error_size)
{
	char name[96];
	int dir_fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW), r = 0;

	if (dir_fd < 0) {
		r = -errno;
		snprintf(error, error_size, "%s: %s", folder, strerror(-r));
		return r;
	}
	snprintf(name, sizeof(name), "%s.json", id);
	if (unlinkat(dir_fd, name, 0) < 0) {
		r = -errno;
		snprintf(error, error_size, "no quarantine entry %s", id);
	} else {
		snprintf(name, sizeof(name), "%s.data", id);
		unlinkat(dir_fd, name, 0);
	}
	close(dir_fd);
	return r;
}
