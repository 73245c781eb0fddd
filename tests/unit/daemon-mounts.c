// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: unit tests of daemon/mounts.c on this machine's own mount
 * table: the root and /proc are found with their filesystem types, the
 * mount holding a path is the deepest one, and a path that is no mount
 * point has no exact entry.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mounts.h"

Test(mounts, own_table)
{
	struct mount_entry *entries = NULL;
	const struct mount_entry *entry;
	size_t count = 0;

	cr_assert_eq(mounts_read(&entries, &count), 0);
	cr_assert_gt(count, 1);
	entry = mounts_at(entries, count, "/");
	cr_assert_not_null(entry, "no mount at /");
	entry = mounts_at(entries, count, "/proc");
	cr_assert_not_null(entry, "no mount at /proc");
	cr_expect_str_eq(entry->fs_type, "proc");
	cr_expect_str_eq(entry->root, "/");
	entry = mounts_holding(entries, count, "/proc/self/status");
	cr_assert_not_null(entry);
	cr_expect_str_eq(entry->point, "/proc");
	cr_expect_null(mounts_at(entries, count, "/proc/self"), "/proc/self is no mount point");
	entry = mounts_holding(entries, count, "/no/such/folder/here");
	cr_assert_not_null(entry);
	cr_expect_str_eq(entry->point, "/", "only / holds a path nothing else does: %s",
			 entry->point);
	free(entries);
}
