/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Signed bundles as `vigil scan` databases (tools/scan-bundle.c).
 */
#ifndef VIGIL_TOOLS_SCAN_BUNDLE_H
#define VIGIL_TOOLS_SCAN_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "sources.h"

struct scan_bundles;

/* Verifies the bundle at path against roots (or, with none, the installed
 * root, else the packaged one) and adds its payload files to list. NULL
 * path: the installed bundle. Prints `vigil: REASON` and returns -errno
 * on refusal. The bundles' bytes live in *bundles until freed. */
int scan_bundle_add(struct scan_bundles **bundles, struct vigil_source_list *list,
		    const char *path, char *const *roots, size_t root_count);
void scan_bundles_free(struct scan_bundles *bundles);

#endif
