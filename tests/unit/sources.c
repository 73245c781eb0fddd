// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of lib/sources.c in a private temporary folder: a file
 * or every supported file of a folder becomes an fd source named
 * folder/file in name order (hidden and unknown files skipped and
 * counted); unknown types, missing paths and empty folders are refused
 * with their errno; a FIFO or a symbolic link planted among the databases
 * is refused at once instead of hanging or being followed; and the list
 * loads into an engine. Each test removes what it made.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "sources.h"
#include "unit/engine-test.h"

static char folder[64];

static void make_folder(void)
{
	strcpy(folder, "/tmp/vigil-sources-XXXXXX");
	cr_assert_not_null(mkdtemp(folder));
}

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", folder, name);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	fputs(text, file);
	fclose(file);
}

static void remove_folder(void)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf '%s'", folder);
	cr_assert_eq(system(command), 0);
}

TestSuite(sources, .init = make_folder, .fini = remove_folder);

Test(sources, supported_names)
{
	cr_assert(vigil_source_name_supported("x/a.ndb"));
	cr_assert(vigil_source_name_supported("a.sfp"));
	cr_assert_not(vigil_source_name_supported("a.cvd"));
	cr_assert_not(vigil_source_name_supported("a"));
}

Test(sources, folder_in_name_order_skipping_hidden_and_unknown)
{
	struct vigil_source_list list = { 0 };

	put("b.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Eicar\n");
	put("a.ndb", "A:0:*:11223344\n");
	put("c.txt", "not a database\n");
	put(".hidden.ndb", "H:0:*:11223344\n");
	put("d.ign2", "Nothing\n");
	cr_assert_eq(vigil_source_list_add_path(&list, folder), 0);
	cr_assert_eq(list.count, 3);
	cr_assert_eq(list.skipped, 1);
	cr_assert(strstr(list.sources[0].name, "/a.ndb"));
	cr_assert(!strncmp(list.sources[0].name, folder, strlen(folder)));
	cr_assert(strstr(list.sources[1].name, "/b.hdb"));
	cr_assert(strstr(list.sources[2].name, "/d.ign2"));
	for (size_t i = 0; i < list.count; ++i) {
		cr_assert_geq(list.sources[i].fd, 0);
		cr_assert_null(list.sources[i].data);
	}
	{
		struct vigil_engine *engine = engine_from_sources(list.sources, list.count, NULL);
		char *names = scan_spec(engine, "00 11223344 00");

		cr_assert_str_eq(names, "A");
		free(names);
		vigil_engine_unref(engine);
	}
	vigil_source_list_uninit(&list);
	cr_assert_eq(list.count, 0);
	vigil_source_list_uninit(NULL);
}

Test(sources, single_file_keeps_its_name)
{
	struct vigil_source_list list = { 0 };
	char path[256];

	put("one.ndb", "A:0:*:11223344\n");
	snprintf(path, sizeof(path), "%s/one.ndb", folder);
	cr_assert_eq(vigil_source_list_add_path(&list, path), 0);
	cr_assert_eq(list.count, 1);
	cr_assert_str_eq(list.sources[0].name, path);
	/* a second path adds to the list */
	put("two.hsb", "44d88612fea8a8f36de82e1278abb02f:68:Eicar\n");
	snprintf(path, sizeof(path), "%s/two.hsb", folder);
	cr_assert_eq(vigil_source_list_add_path(&list, path), 0);
	cr_assert_eq(list.count, 2);
	vigil_source_list_uninit(&list);
}

Test(sources, refusals)
{
	struct vigil_source_list list = { 0 };
	char path[256];

	put("x.cvd", "binary\n");
	snprintf(path, sizeof(path), "%s/x.cvd", folder);
	cr_assert_eq(vigil_source_list_add_path(&list, path), -EPROTONOSUPPORT);
	snprintf(path, sizeof(path), "%s/missing.ndb", folder);
	cr_assert_eq(vigil_source_list_add_path(&list, path), -ENOENT);
	/* a folder with no database */
	cr_assert_eq(vigil_source_list_add_path(&list, folder), -ENOENT);
	cr_assert_eq(list.count, 0);
	vigil_source_list_uninit(&list);
}

Test(sources, fifo_among_databases_does_not_hang)
{
	struct vigil_source_list list = { 0 };
	char path[256];

	put("a.ndb", "A:0:*:11223344\n");
	snprintf(path, sizeof(path), "%s/b.ndb", folder);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(vigil_source_list_add_path(&list, folder), -EINVAL);
	vigil_source_list_uninit(&list);
	/* named directly it is refused the same way */
	cr_assert_eq(vigil_source_list_add_path(&list, path), -EINVAL);
	vigil_source_list_uninit(&list);
}

Test(sources, links_inside_a_folder_are_not_followed)
{
	struct vigil_source_list list = { 0 };
	char path[256];

	put("a.ndb", "A:0:*:11223344\n");
	snprintf(path, sizeof(path), "%s/b.ndb", folder);
	cr_assert_eq(symlink("/etc/passwd", path), 0);
	cr_assert_eq(vigil_source_list_add_path(&list, folder), -ELOOP);
	vigil_source_list_uninit(&list);
}
