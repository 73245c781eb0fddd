// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the state folder (bases/state.c) and its crash safety. A child
 * process installs bundle 2 over bundle 1 and is SIGKILLed at each step of
 * the install in turn (then, separately, each step fails with EIO); after
 * every kill the folder must hold a whole pair that verifies -- bundle 1
 * before the commit point (renaming `current'), bundle 2 after -- and the
 * next install must clean up whatever the dead one left.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sys/stat.h>

#include "fileio.h"
#include "state-internal.h"
#include "verify.h"

#define NOW 1767225600
#define STEPS 11
#define COMMIT_STEP 9 /* "rename current.tmp over current" */

struct blob {
	uint8_t *data;
	size_t len;
};

static char reason[VIGIL_REASON_SIZE];

static struct blob read_vector(const char *name, const char *file)
{
	const char *source = getenv("VIGIL_SOURCE");
	char folder[4096], path[8192] = "";
	struct dirent *entry;
	struct blob blob;
	DIR *dir;

	snprintf(folder, sizeof(folder), "%s/tests/bases/vectors", source ? source : ".");
	dir = opendir(folder);
	cr_assert(dir);
	while ((entry = readdir(dir))) {
		const char *dash = strchr(entry->d_name, '-');

		if (dash && !strcmp(dash + 1, name))
			snprintf(path, sizeof(path), "%s/%s/%s", folder, entry->d_name, file);
	}
	closedir(dir);
	cr_assert_eq(vigil_file_read(path, 1 << 24, &blob.data, &blob.len), 0, "cannot read %s", path);
	return blob;
}

static struct blob bundle1, bundle2, root;
static uint8_t digest1[VIGIL_SHA256_SIZE], digest2[VIGIL_SHA256_SIZE];
static char state_dir[64];

static void digest_of(struct blob *blob, uint8_t digest[VIGIL_SHA256_SIZE])
{
	struct vigil_container container;

	cr_assert_eq(vigil_container_split(blob->data, blob->len, &container, reason, sizeof(reason)), 0);
	memcpy(digest, container.manifest_digest, VIGIL_SHA256_SIZE);
}

static void setup(void)
{
	struct vigil_state *state;

	bundle1 = read_vector("upgrade", "initial/stable.vbundle");
	bundle2 = read_vector("upgrade", "mirror/stable.vbundle");
	root = read_vector("upgrade", "trust/1.vroot");
	digest_of(&bundle1, digest1);
	digest_of(&bundle2, digest2);
	snprintf(state_dir, sizeof(state_dir), "/tmp/vigil-state-test.XXXXXX");
	cr_assert(mkdtemp(state_dir));
	cr_assert_eq(vigil_state_open(state_dir, true, &state), 0);
	cr_assert_eq(vigil_state_install(state, bundle1.data, bundle1.len, root.data, root.len, 1, digest1), 0);
	vigil_state_free(state);
}

static void teardown(void)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf %s", state_dir);
	cr_assert_eq(system(command), 0);
	free(bundle1.data);
	free(bundle2.data);
	free(root.data);
}

/* The installed pair: whole, verifying, and which version it is. */
static uint64_t installed_version(void)
{
	struct vigil_verified_bundle *verified;
	struct vigil_root_chain *chain;
	struct vigil_state *state;
	struct blob bundle, installed_root;
	uint64_t version;

	cr_assert_eq(vigil_state_open(state_dir, false, &state), 0);
	cr_assert_eq(vigil_state_read_installed(state, &bundle.data, &bundle.len, &installed_root.data,
						&installed_root.len), 0, "no whole pair installed");
	vigil_state_free(state);
	cr_assert_eq(vigil_root_chain_new(installed_root.data, installed_root.len, &chain, reason, sizeof(reason)), 0);
	cr_assert_eq(vigil_bundle_open_verified(bundle.data, bundle.len, chain, NOW, "stable", &verified, reason,
						sizeof(reason)), 0, "installed bundle does not verify: %s", reason);
	version = verified->manifest->version;
	cr_assert((version == 1 && bundle.len == bundle1.len && !memcmp(bundle.data, bundle1.data, bundle.len)) ||
		  (version == 2 && bundle.len == bundle2.len && !memcmp(bundle.data, bundle2.data, bundle.len)));
	vigil_verified_bundle_free(verified);
	vigil_root_chain_free(chain);
	free(bundle.data);
	free(installed_root.data);
	return version;
}

static unsigned generation_count(void)
{
	DIR *dir = opendir(state_dir);
	struct dirent *entry;
	unsigned count = 0;

	cr_assert(dir);
	while ((entry = readdir(dir)))
		count += !strncmp(entry->d_name, "gen-", 4) || !strcmp(entry->d_name, "current.tmp");
	closedir(dir);
	return count;
}

static int kill_at(void *context, unsigned step, const char *what)
{
	if (step == *(unsigned *)context)
		kill(getpid(), SIGKILL);
	return 0;
}

static int fail_at(void *context, unsigned step, const char *what)
{
	return step == *(unsigned *)context ? -EIO : 0;
}

TestSuite(state, .init = setup, .fini = teardown);

Test(state, killed_at_every_install_step_leaves_a_whole_bundle)
{
	for (unsigned step = 1; step <= STEPS; step++) {
		struct vigil_state *state;
		pid_t child;
		int status, r;

		child = fork();
		cr_assert(child >= 0);
		if (child == 0) {
			if (vigil_state_open(state_dir, true, &state) < 0)
				_exit(3);
			vigil_state_install_hooked(state, bundle2.data, bundle2.len, root.data, root.len, 2, digest2,
						   kill_at, &step);
			_exit(4);
		}
		cr_assert_eq(waitpid(child, &status, 0), child);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "step %u: child was not killed", step);
		cr_assert_eq(installed_version(), step <= COMMIT_STEP ? 1 : 2, "step %u", step);

		/* The next install finishes the job and leaves one generation. */
		cr_assert_eq(vigil_state_open(state_dir, true, &state), 0);
		r = vigil_state_install(state, bundle2.data, bundle2.len, root.data, root.len, 2, digest2);
		cr_assert(r == 0 || (r == -EEXIST && step > COMMIT_STEP), "step %u: reinstall: %d", step, r);
		if (r == -EEXIST) /* already current: tidy by installing 1 and 2 again */
			cr_assert_eq(vigil_state_install(state, bundle1.data, bundle1.len, root.data, root.len, 1, digest1), 0);
		vigil_state_free(state);
		if (r == -EEXIST) {
			cr_assert_eq(installed_version(), 1);
		} else {
			cr_assert_eq(installed_version(), 2);
			cr_assert_eq(vigil_state_open(state_dir, true, &state), 0);
			cr_assert_eq(vigil_state_install(state, bundle1.data, bundle1.len, root.data, root.len, 1, digest1), 0);
			vigil_state_free(state);
		}
		cr_assert_eq(generation_count(), 1, "step %u: leftovers remain", step);
	}
}

Test(state, a_failing_step_keeps_the_old_bundle)
{
	for (unsigned step = 1; step <= STEPS; step++) {
		struct vigil_state *state;
		int r;

		cr_assert_eq(vigil_state_open(state_dir, true, &state), 0);
		r = vigil_state_install_hooked(state, bundle2.data, bundle2.len, root.data, root.len, 2, digest2, fail_at,
					       &step);
		vigil_state_free(state);
		cr_assert_eq(r, -EIO);
		cr_assert_eq(installed_version(), step <= COMMIT_STEP ? 1 : 2, "step %u", step);
		if (step > COMMIT_STEP) {
			cr_assert_eq(vigil_state_open(state_dir, true, &state), 0);
			cr_assert_eq(vigil_state_install(state, bundle1.data, bundle1.len, root.data, root.len, 1, digest1), 0);
			vigil_state_free(state);
		}
	}
}

Test(state, one_writer_at_a_time)
{
	struct vigil_state *first, *second;

	cr_assert_eq(vigil_state_open(state_dir, true, &first), 0);
	cr_assert_eq(vigil_state_open(state_dir, true, &second), -EWOULDBLOCK);
	vigil_state_free(first);
	cr_assert_eq(vigil_state_open(state_dir, true, &second), 0);
	vigil_state_free(second);
}

Test(state, decisions_are_json_lines)
{
	struct vigil_decision decision = { .outcome = "refused", .channel = "stable", .reason = "a \"quoted\" reason" };
	struct vigil_state *state;
	char path[128], line[1024];
	FILE *file;

	cr_assert_eq(vigil_state_open(state_dir, true, &state), 0);
	cr_assert_eq(vigil_state_record_decision(state, &decision, NOW), 0);
	cr_assert_eq(vigil_state_record_decision(state, &decision, NOW), 0);
	vigil_state_free(state);
	snprintf(path, sizeof(path), "%s/decisions.jsonl", state_dir);
	file = fopen(path, "r");
	cr_assert(file);
	cr_assert(fgets(line, sizeof(line), file));
	cr_assert(strstr(line, "\"@timestamp\":\"2026-01-01T00:00:00Z\""), "%s", line);
	cr_assert(strstr(line, "\"reason\":\"a \\\"quoted\\\" reason\""), "%s", line);
	cr_assert(strstr(line, "\"outcome\":\"failure\""), "%s", line);
	cr_assert(fgets(line, sizeof(line), file));
	cr_assert_null(fgets(line, sizeof(line), file));
	fclose(file);
}

Test(state, load_verified_flags_expiry_instead_of_refusing)
{
	struct vigil_verified_bundle *bundle;
	struct stat st;
	int fd;

	cr_assert_eq(vigil_state_load_verified(state_dir, NULL, 0, NOW, "stable", &fd, &bundle, reason,
					       sizeof(reason)), 0, "%s", reason);
	cr_assert_eq(bundle->manifest->version, 1);
	cr_assert_not(bundle->expired);
	/* verified from the file, not held: the payload lies in it */
	cr_assert_null(bundle->files[0].data);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert(bundle->files[0].offset > 0 &&
		  bundle->files[0].offset + bundle->files[0].size <= (uint64_t)st.st_size);
	vigil_verified_bundle_free(bundle);
	close(fd);
	/* Past every expiry: still loaded, flagged. */
	cr_assert_eq(vigil_state_load_verified(state_dir, root.data, root.len, 4200000000LL, "stable", &fd, &bundle,
					       reason, sizeof(reason)), 0, "%s", reason);
	cr_assert(bundle->expired);
	vigil_verified_bundle_free(bundle);
	close(fd);
	/* Another channel is still refused. */
	cr_assert_eq(vigil_state_load_verified(state_dir, NULL, 0, NOW, "beta", &fd, &bundle, reason,
					       sizeof(reason)), -EXDEV);
}

Test(state, load_verified_on_an_empty_folder_is_enoent)
{
	struct vigil_verified_bundle *bundle;
	char empty[] = "/tmp/vigil-state-empty.XXXXXX";
	int fd;

	cr_assert(mkdtemp(empty));
	cr_assert_eq(vigil_state_load_verified(empty, NULL, 0, NOW, "stable", &fd, &bundle, reason,
					       sizeof(reason)), -ENOENT);
	rmdir(empty);
}
