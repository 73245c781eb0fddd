// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: loads a signed bundle for the engine; see bundle-load.h for
 * the handoff chain. Owns the bytes it reads and the verified bundle
 * until vigil_loaded_bundle_free(); nothing here logs (callers say which
 * file failed, from *ret_failed_path and the reason).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle-load.h"
#include "engine.h"
#include "fileio.h"
#include "state.h"

/* A chain from root files: the first trusted as given, each next one
 * must rotate from the one before (an older version is skipped). */
static int chain_from_files(const char *const *paths, size_t count,
			    struct vigil_root_chain **ret_chain, const char **ret_failed_path,
			    char *reason, size_t reason_size)
{
	struct vigil_root_chain *chain = NULL;
	uint8_t *buf;
	size_t len;
	int r;

	if (!count) {
		snprintf(reason, reason_size, "no trust root given");
		return -EINVAL;
	}
	for (size_t i = 0; i < count; i++) {
		*ret_failed_path = paths[i];
		r = vigil_file_read(paths[i], VIGIL_ROOT_FILE_MAX_SIZE, &buf, &len);
		if (r < 0) {
			snprintf(reason, reason_size, "%s",
				 r == -EFBIG ? "too large for a root" : strerror(-r));
			vigil_root_chain_free(chain);
			return r;
		}
		if (!chain)
			r = vigil_root_chain_new(buf, len, &chain, reason, reason_size);
		else
			r = vigil_root_chain_advance(chain, buf, len, reason, reason_size);
		free(buf);
		if (r == -EALREADY)
			continue;
		if (r < 0) {
			vigil_root_chain_free(chain);
			return r;
		}
	}
	*ret_chain = chain;
	return 0;
}

int vigil_bundle_load_file(const char *path, const struct vigil_bundle_trust *trust,
			   struct vigil_loaded_bundle **ret_loaded, const char **ret_failed_path,
			   char *reason, size_t reason_size)
{
	struct vigil_root_chain *owned_chain = NULL;
	const struct vigil_root_chain *chain = trust->chain;
	struct vigil_loaded_bundle *loaded;
	int r;

	reason[0] = '\0';
	loaded = calloc(1, sizeof(*loaded));
	if (!loaded)
		return -ENOMEM;
	loaded->fd = -1;
	if (!chain) {
		r = chain_from_files(trust->root_paths, trust->root_count, &owned_chain,
				     ret_failed_path, reason, reason_size);
		if (r < 0)
			goto err_free;
		chain = owned_chain;
	}
	*ret_failed_path = path;
	/* Non-blocking: a FIFO named as the bundle cannot hang the load. */
	loaded->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (loaded->fd < 0) {
		r = -errno;
		snprintf(reason, reason_size, "%s", strerror(-r));
		goto err_free;
	}
	r = vigil_bundle_open_fd(loaded->fd, trust->installed, chain, trust->now, trust->channel,
				 &loaded->bundle, reason, reason_size);
	if (r < 0)
		goto err_free;
	vigil_root_chain_free(owned_chain);
	*ret_loaded = loaded;
	return 0;

err_free:
	if (!reason[0])
		snprintf(reason, reason_size, "%s", strerror(-r));
	vigil_root_chain_free(owned_chain);
	vigil_loaded_bundle_free(loaded);
	return r;
}

int vigil_bundle_load_installed(const char *state_dir, const char *anchor_path, int64_t now,
				const char *channel, struct vigil_loaded_bundle **ret_loaded,
				char *reason, size_t reason_size)
{
	struct vigil_loaded_bundle *loaded = calloc(1, sizeof(*loaded));
	int r;

	if (!loaded)
		return -ENOMEM;
	loaded->fd = -1;
	reason[0] = '\0';
	r = vigil_state_load_installed(state_dir, anchor_path, now, channel, &loaded->fd, &loaded->bundle,
				       reason, reason_size);
	if (r < 0) {
		if (!reason[0] && r != -ENOENT)
			snprintf(reason, reason_size, "%s", strerror(-r));
		vigil_loaded_bundle_free(loaded);
		return r;
	}
	*ret_loaded = loaded;
	return 0;
}

int vigil_loaded_bundle_add_sources(const struct vigil_loaded_bundle *loaded,
				    struct vigil_source_list *list)
{
	const struct vigil_verified_bundle *bundle = loaded->bundle;
	int added = 0, r;

	for (size_t i = 0; i < bundle->file_count; ++i) {
		const struct vigil_verified_file *file = &bundle->files[i];

		if (vigil_source_name_supported(file->name)) {
			r = file->data ? vigil_source_list_add_buffer(list, file->name, file->data,
								      file->size, file->sha256) :
					 vigil_source_list_add_range(list, file->name, loaded->fd,
								     file->offset, file->size, file->sha256);
			added++;
		} else if (vigil_precompiled_name(file->name)) {
			r = file->data ? vigil_source_list_add_precompiled(list, file->name, file->data,
									   file->size) :
					 vigil_source_list_add_precompiled_range(list, file->name, loaded->fd,
										 file->offset, file->size,
										 file->sha256);
		} else {
			continue; /* other payloads: not the engine's */
		}
		if (r < 0)
			return r;
	}
	return added;
}

struct vigil_loaded_bundle *vigil_loaded_bundle_free(struct vigil_loaded_bundle *loaded)
{
	if (!loaded)
		return NULL;
	vigil_verified_bundle_free(loaded->bundle);
	if (loaded->fd >= 0)
		close(loaded->fd);
	free(loaded);
	return NULL;
}
