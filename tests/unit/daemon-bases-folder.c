// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: unit tests of daemon/bases-folder.c, what vigild's reload
 * opens for `bases = FOLDER`: the signature files sorted by name with the
 * SHA-256 of their bytes, others skipped; a FIFO, a symlink or an empty
 * folder refused with a reason (never a hang); a digest remembered only
 * for a file whose ctime is old enough, and hashed again once the file
 * changes, even to the same size.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bases-folder.h"

static char folder[64];

static void make_folder(void)
{
	snprintf(folder, sizeof(folder), "/tmp/vigil-folder-test.XXXXXX");
	cr_assert_not_null(mkdtemp(folder));
}

static void remove_folder(void)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf %s", folder);
	cr_assert_eq(system(command), 0);
}

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", folder, name);
	file = fopen(path, "w");
	cr_assert_not_null(file);
	fputs(text, file);
	cr_assert_eq(fclose(file), 0);
}

static void expect_digest(const struct folder_file *file, const char *text)
{
	uint8_t digest[32];

	cr_assert(EVP_Digest(text, strlen(text), digest, NULL, EVP_sha256(), NULL));
	cr_expect_arr_eq(file->sha256, digest, 32, "digest of %s", file->name);
}

Test(bases_folder, files_sorted_with_digests, .init = make_folder, .fini = remove_folder)
{
	struct folder_digests *digests = folder_digests_new();
	struct folder_file *files = NULL;
	char message[512] = "";
	int count;

	put("zeta.ndb", "Z:0:*:5a5a5a5a\n");
	put("alpha.hdb", "44d88612fea8a8f36de82e1278abb02f:68:A\n");
	put("notes.txt", "not signatures\n");
	put(".hidden.ndb", "H:0:*:48484848\n");
	count = folder_open(folder, digests, &files, message, sizeof(message));
	cr_assert_eq(count, 2, "%d: %s", count, message);
	cr_expect_str_eq(files[0].name, "alpha.hdb");
	cr_expect_str_eq(files[1].name, "zeta.ndb");
	expect_digest(&files[0], "44d88612fea8a8f36de82e1278abb02f:68:A\n");
	expect_digest(&files[1], "Z:0:*:5a5a5a5a\n");
	cr_expect_geq(files[0].fd, 0);
	cr_expect_eq(folder_digests_last_hashed(digests), 2);
	folder_files_free(files, (size_t)count);
	folder_digests_free(digests);
}

Test(bases_folder, single_file, .init = make_folder, .fini = remove_folder)
{
	struct folder_file *files = NULL;
	char message[512] = "", path[128];
	int count;

	put("local.ndb", "L:0:*:4c4c4c4c\n");
	put("local.conf", "x\n");
	snprintf(path, sizeof(path), "%s/local.ndb", folder);
	count = folder_open(path, NULL, &files, message, sizeof(message));
	cr_assert_eq(count, 1, "%s", message);
	cr_expect_str_eq(files[0].name, "local.ndb");
	folder_files_free(files, 1);
	snprintf(path, sizeof(path), "%s/local.conf", folder);
	cr_expect_eq(folder_open(path, NULL, &files, message, sizeof(message)), -EINVAL);
	cr_expect(strstr(message, "not a folder, a signature file nor a signed bundle"), "%s", message);
}

Test(bases_folder, refusals_say_why, .init = make_folder, .fini = remove_folder)
{
	struct folder_file *files = NULL;
	char message[512] = "", path[128];

	cr_expect_eq(folder_open(folder, NULL, &files, message, sizeof(message)), -ENOENT);
	cr_expect(strstr(message, "no signature files"), "%s", message);

	/* a FIFO must not hang the reload */
	snprintf(path, sizeof(path), "%s/fifo.ndb", folder);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_expect_eq(folder_open(folder, NULL, &files, message, sizeof(message)), -EINVAL);
	cr_expect(strstr(message, "fifo.ndb: not a regular file"), "%s", message);
	unlink(path);

	/* no symlink followed inside the folder */
	put("real.txt", "R:0:*:52525252\n");
	snprintf(path, sizeof(path), "%s/link.ndb", folder);
	cr_assert_eq(symlink("real.txt", path), 0);
	cr_expect_eq(folder_open(folder, NULL, &files, message, sizeof(message)), -ELOOP);
	cr_expect(strstr(message, "link.ndb"), "%s", message);
}

/* The racy-clean rule: a fresh file is hashed at every load; once its
 * ctime is old its digest is remembered; any change, even in place and to
 * the same size, is hashed again. */
Test(bases_folder, digests_remembered_only_while_unchanged, .init = make_folder,
     .fini = remove_folder, .timeout = 20)
{
	struct folder_digests *digests = folder_digests_new();
	struct folder_file *files = NULL;
	char message[512] = "";

	put("main.ndb", "M:0:*:4d4d4d4d\n");
	cr_assert_eq(folder_open(folder, digests, &files, message, sizeof(message)), 1, "%s", message);
	folder_files_free(files, 1);
	cr_assert_eq(folder_open(folder, digests, &files, message, sizeof(message)), 1);
	folder_files_free(files, 1);
	cr_expect_eq(folder_digests_last_hashed(digests), 1, "a fresh file's digest was trusted");

	sleep(2);
	cr_assert_eq(folder_open(folder, digests, &files, message, sizeof(message)), 1);
	folder_files_free(files, 1);
	cr_expect_eq(folder_digests_last_hashed(digests), 1);
	cr_assert_eq(folder_open(folder, digests, &files, message, sizeof(message)), 1);
	expect_digest(&files[0], "M:0:*:4d4d4d4d\n");
	folder_files_free(files, 1);
	cr_expect_eq(folder_digests_last_hashed(digests), 0, "an old unchanged file was hashed again");

	put("main.ndb", "N:0:*:4e4e4e4e\n");	/* same size, same inode */
	cr_assert_eq(folder_open(folder, digests, &files, message, sizeof(message)), 1);
	cr_expect_eq(folder_digests_last_hashed(digests), 1, "a changed file was not hashed");
	expect_digest(&files[0], "N:0:*:4e4e4e4e\n");
	folder_files_free(files, 1);
	folder_digests_free(digests);
}
