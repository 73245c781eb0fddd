/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: a signed bundle loaded for the engine -- the one path shared
 * by vigild (`bases = FILE.vbundle', or the installed bundle) and `vigil
 * scan -d BUNDLE' / `vigil scan' without -d (bundle-load.c). Owns the
 * open bundle file and the verified bundle until
 * vigil_loaded_bundle_free(); the engine sources it adds are ranges of
 * that file, so free it only after vigil_engine_new() has returned.
 *
 *   path + trust (a chain, or root files: one root, or a rotation)
 *     -> vigil_bundle_open_fd(): the head read and checked, every payload
 *        hashed from the file a block at a time, never held whole
 *        (fresh: expiry refused; installed: expiry flagged)
 *     -> vigil_loaded_bundle_add_sources(): signature payloads as engine
 *        sources, ranges of the file with their manifest SHA-256 (the
 *        cache key `vigil update' prepares; the engine reads a range only
 *        to parse it, and only bytes that still have that digest), `.vpc'
 *        payloads as precompiled matchers (read only when needed, checked
 *        the same way)
 */
#ifndef VIGIL_BASES_BUNDLE_LOAD_H
#define VIGIL_BASES_BUNDLE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "root.h"
#include "sources.h"
#include "verify.h"

struct vigil_loaded_bundle {
	int fd;		/* the bundle file: its payloads are read from it */
	struct vigil_verified_bundle *bundle;
};

struct vigil_bundle_trust {
	/* Either a chain the caller built ... */
	const struct vigil_root_chain *chain;
	/* ... or root files: [0] trusted as given, each next must rotate. */
	const char *const *root_paths;
	size_t root_count;
	/* Installed bases (vigild, the state's bundle): an expired bundle or
	 * root is flagged, not refused. Else a fresh bundle: refused. */
	bool installed;
	int64_t now;
	const char *channel;
};

/*
 * vigil_bundle_load_file - reads and verifies a bundle file
 * Returns 0; -ENOMEM; another negative errno with @reason set and
 * *@ret_failed_path naming the file concerned (a root or the bundle).
 */
int vigil_bundle_load_file(const char *path, const struct vigil_bundle_trust *trust,
			   struct vigil_loaded_bundle **ret_loaded, const char **ret_failed_path,
			   char *reason, size_t reason_size);

/*
 * vigil_bundle_load_installed - the bundle `vigil update' installed in
 * @state_dir, verified as installed (vigil_state_load_installed()).
 * -ENOENT when nothing is installed; other errors with @reason set.
 */
int vigil_bundle_load_installed(const char *state_dir, const char *anchor_path, int64_t now,
				const char *channel, struct vigil_loaded_bundle **ret_loaded,
				char *reason, size_t reason_size);

/* Adds the bundle's signature payloads (sources, with their SHA-256) and
 * `.vpc' payloads (precompiled matchers) to @list, in bundle order.
 * Returns the number of signature payloads added, or -ENOMEM. */
int vigil_loaded_bundle_add_sources(const struct vigil_loaded_bundle *loaded,
				    struct vigil_source_list *list);

struct vigil_loaded_bundle *vigil_loaded_bundle_free(struct vigil_loaded_bundle *loaded);

#endif
