// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: opens the database files a path names, for `vigil scan -d`
 * and vigild's `bases = FOLDER`. Owns the fds and names it opens until
 * vigil_source_list_uninit(); the engine reads them by fd (never by path
 * again) inside vigil_engine_new(). Files are opened O_NOFOLLOW inside a
 * folder and O_NONBLOCK, so a FIFO planted there cannot hang a load.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signature.h"
#include "sources.h"

bool vigil_source_name_supported(const char *name)
{
	return signature_source_supported(name);
}

/* Appends a copy of @source, with a copy of its name. */
static int list_push_source(struct vigil_source_list *list, const struct vigil_source *source)
{
	char *copy;

	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 8;
		struct vigil_source *grown = realloc(list->sources, capacity * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		list->sources = grown;
		list->capacity = capacity;
	}
	copy = strdup(source->name);
	if (!copy)
		return -ENOMEM;
	list->sources[list->count] = *source;
	list->sources[list->count++].name = copy;
	return 0;
}

static int list_push(struct vigil_source_list *list, const char *name, int fd)
{
	return list_push_source(list, &(struct vigil_source){ .name = name, .fd = fd });
}

int vigil_source_list_add_buffer(struct vigil_source_list *list, const char *name,
				 const uint8_t *data, size_t size, const uint8_t *sha256)
{
	return list_push_source(list, &(struct vigil_source){
		.name = name, .data = data, .size = size, .fd = -1, .sha256 = sha256,
	});
}

int vigil_source_list_add_fd(struct vigil_source_list *list, const char *name, int fd,
			     const uint8_t *sha256)
{
	return list_push_source(list, &(struct vigil_source){
		.name = name, .fd = fd, .sha256 = sha256,
	});
}

int vigil_source_list_add_range(struct vigil_source_list *list, const char *name, int fd,
				uint64_t offset, size_t size, const uint8_t *sha256)
{
	return list_push_source(list, &(struct vigil_source){
		.name = name, .fd = fd, .size = size, .sha256 = sha256, .range = true, .offset = offset,
	});
}

static int list_push_precompiled(struct vigil_source_list *list, const struct vigil_precompiled *entry)
{
	if (list->precompiled_count == list->precompiled_capacity) {
		size_t capacity = list->precompiled_capacity ? list->precompiled_capacity * 2 : 8;
		struct vigil_precompiled *grown = realloc(list->precompiled, capacity * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		list->precompiled = grown;
		list->precompiled_capacity = capacity;
	}
	list->precompiled[list->precompiled_count++] = *entry;
	return 0;
}

int vigil_source_list_add_precompiled(struct vigil_source_list *list, const char *name,
				      const uint8_t *data, size_t size)
{
	return list_push_precompiled(list, &(struct vigil_precompiled){
		.name = name, .data = data, .size = size, .fd = -1,
	});
}

int vigil_source_list_add_precompiled_range(struct vigil_source_list *list, const char *name, int fd,
					    uint64_t offset, size_t size, const uint8_t *sha256)
{
	return list_push_precompiled(list, &(struct vigil_precompiled){
		.name = name, .size = size, .fd = fd, .offset = offset, .sha256 = sha256,
	});
}

static int open_regular(int directory_fd, const char *path, int extra_flags, int *ret_fd)
{
	struct stat st;
	int fd = openat(directory_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | extra_flags);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	*ret_fd = fd;
	return 0;
}

static int compare_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int add_folder(struct vigil_source_list *list, const char *path)
{
	struct dirent **entries;
	size_t added = 0;
	int directory_fd, count, r = 0;

	directory_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (directory_fd < 0)
		return -errno;
	count = scandir(path, &entries, NULL, compare_names);
	if (count < 0) {
		r = -errno;
		goto out_close;
	}
	for (int i = 0; i < count; ++i) {
		const char *name = entries[i]->d_name;
		char joined[4096];
		int fd;

		if (r < 0 || name[0] == '.')
			continue;
		if (!vigil_source_name_supported(name)) {
			list->skipped++;
			continue;
		}
		r = open_regular(directory_fd, name, O_NOFOLLOW, &fd);
		if (r < 0)
			continue;
		snprintf(joined, sizeof(joined), "%s/%s", path, name);
		r = list_push(list, joined, fd);
		if (r < 0)
			close(fd);
		else
			added++;
	}
	for (int i = 0; i < count; ++i)
		free(entries[i]);
	free(entries);
	if (!r && !added)
		r = -ENOENT;
out_close:
	close(directory_fd);
	return r;
}

int vigil_source_list_add_path(struct vigil_source_list *list, const char *path)
{
	struct stat st;
	int fd, r;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return add_folder(list, path);
	if (!vigil_source_name_supported(path))
		return -EPROTONOSUPPORT;
	r = open_regular(AT_FDCWD, path, 0, &fd);
	if (r < 0)
		return r;
	r = list_push(list, path, fd);
	if (r < 0)
		close(fd);
	return r;
}

void vigil_source_list_uninit(struct vigil_source_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; ++i) {
		free((char *)list->sources[i].name);
		if (list->sources[i].fd >= 0 && !list->sources[i].range)
			close(list->sources[i].fd);
	}
	free(list->sources);
	free(list->precompiled);
	memset(list, 0, sizeof(*list));
}
