/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Turning a path (a ClamAV-format file, or a folder of them) into engine
 * sources: opened fds with their names, in name order.
 */
#ifndef VIGIL_LIB_SOURCES_H
#define VIGIL_LIB_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct vigil_source_list {
	struct vigil_source *sources;
	size_t count, capacity;
	size_t skipped;		/* files with an unknown extension in a folder */
	/* Precompiled matchers of verified bundles (engine options). */
	struct vigil_precompiled *precompiled;
	size_t precompiled_count, precompiled_capacity;
};

/* Adds path: a supported file, or every supported file directly inside a
 * folder (sorted by name). Names are kept as given (folder/file). Returns
 * -EPROTONOSUPPORT for a file of unknown type, -ENOENT for a folder with
 * no database, other -errno from open/read. */
int vigil_source_list_add_path(struct vigil_source_list *list, const char *path);
/* Adds bytes already in memory (a verified bundle's payload file); the
 * caller keeps them (and sha256, their digest when known, else NULL)
 * alive while the list is used. */
int vigil_source_list_add_buffer(struct vigil_source_list *list, const char *name,
				 const uint8_t *data, size_t size, const uint8_t *sha256);
/* Adds an open fd (the list closes it from then on; on failure it is
 * still the caller's) with the SHA-256 of its bytes: the engine keys
 * its cache by the digest, reads the fd only to parse, and refuses bytes
 * that no longer match it. */
int vigil_source_list_add_fd(struct vigil_source_list *list, const char *name, int fd,
			     const uint8_t *sha256);
/* Adds @size bytes at @offset of @fd, with their SHA-256 (a payload
 * inside a verified bundle's file): the engine reads them only to parse
 * and only if they still have that digest. The fd stays the caller's
 * (the loaded bundle's) and must stay open while the list is used. */
int vigil_source_list_add_range(struct vigil_source_list *list, const char *name, int fd,
				uint64_t offset, size_t size, const uint8_t *sha256);
/* Adds a `.vpc' payload the same way (read only if a part looks for a
 * carried matcher, ignored unless it has its digest). */
int vigil_source_list_add_precompiled_range(struct vigil_source_list *list, const char *name, int fd,
					    uint64_t offset, size_t size, const uint8_t *sha256);
/* Adds a verified bundle's `.vpc' payload (kept alive by the caller);
 * pass list->precompiled to the engine options. */
int vigil_source_list_add_precompiled(struct vigil_source_list *list, const char *name,
				      const uint8_t *data, size_t size);
void vigil_source_list_uninit(struct vigil_source_list *list);
/* True for the extensions the engine loads (.ndb .hdb .hsb .fp .sfp .ign2). */
bool vigil_source_name_supported(const char *name);

#endif
