// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: unit tests of the bundle and root formats and the verification
 * decision (bases/encoding.c, bundle.c, root.c, verify.c), in-process: field
 * codecs, canonical round trips, every truncation and every bit flip of a
 * signed bundle from the conformance vectors, rotation rules.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fileio.h"
#include "verify.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static char reason[VIGIL_REASON_SIZE];

/* Reads FILE of the vector named NAME (its folder is NNN-NAME). */
static void read_vector(const char *relative, uint8_t **ret_buf, size_t *ret_len)
{
	const char *source = getenv("VIGIL_SOURCE"), *slash = strchr(relative, '/');
	char folder[4096], path[8192], name[256];
	struct dirent *entry;
	DIR *dir;

	snprintf(folder, sizeof(folder), "%s/tests/bases/vectors", source ? source : ".");
	snprintf(name, sizeof(name), "%.*s", (int)(slash - relative), relative);
	dir = opendir(folder);
	cr_assert(dir, "cannot open %s", folder);
	path[0] = '\0';
	while ((entry = readdir(dir))) {
		const char *dash = strchr(entry->d_name, '-');

		if (dash && !strcmp(dash + 1, name))
			snprintf(path, sizeof(path), "%s/%s%s", folder, entry->d_name, slash);
	}
	closedir(dir);
	cr_assert(path[0], "no vector %s", name);
	cr_assert_eq(vigil_file_read(path, 1 << 24, ret_buf, ret_len), 0, "cannot read %s", path);
}

static struct vigil_root_chain *chain_of(const char *relative)
{
	struct vigil_root_chain *chain;
	uint8_t *buf;
	size_t len;

	read_vector(relative, &buf, &len);
	cr_assert_eq(vigil_root_chain_new(buf, len, &chain, reason, sizeof(reason)), 0, "%s", reason);
	free(buf);
	return chain;
}

Test(encoding, decimal_is_canonical)
{
	uint64_t value;

	cr_assert(vigil_decimal_parse("0", 1, &value) && value == 0);
	cr_assert(vigil_decimal_parse("18446744073709551615", 20, &value) && value == UINT64_MAX);
	cr_assert_not(vigil_decimal_parse("18446744073709551616", 20, &value));
	cr_assert_not(vigil_decimal_parse("01", 2, &value));
	cr_assert_not(vigil_decimal_parse("+1", 2, &value));
	cr_assert_not(vigil_decimal_parse("", 0, &value));
	cr_assert_not(vigil_decimal_parse("1 ", 2, &value));
}

Test(encoding, time_round_trips_and_refuses_impossible_dates)
{
	char text[VIGIL_RFC3339_SIZE + 1];
	int64_t seconds;

	cr_assert(vigil_time_parse("2026-01-01T00:00:00Z", 20, &seconds));
	cr_assert_eq(seconds, NOW);
	cr_assert(vigil_time_parse("2024-02-29T23:59:59Z", 20, &seconds));
	vigil_time_format(seconds, text);
	cr_assert_str_eq(text, "2024-02-29T23:59:59Z");
	cr_assert_not(vigil_time_parse("2026-02-29T00:00:00Z", 20, &seconds));
	cr_assert_not(vigil_time_parse("2026-13-01T00:00:00Z", 20, &seconds));
	cr_assert_not(vigil_time_parse("2026-01-01T24:00:00Z", 20, &seconds));
	cr_assert_not(vigil_time_parse("2026-01-01 00:00:00Z", 20, &seconds));
	cr_assert_not(vigil_time_parse("2026-01-01T00:00:00z", 20, &seconds));
	for (int64_t t = 0; t < 4102444800; t += 86400 * 37 + 3607) {
		vigil_time_format(t, text);
		cr_assert(vigil_time_parse(text, 20, &seconds) && seconds == t, "%s", text);
	}
}

Test(encoding, names_are_plain)
{
	cr_assert(vigil_name_valid("main.hdb", 8, 128));
	cr_assert(vigil_name_valid("a..b", 4, 128));
	cr_assert_not(vigil_name_valid("..", 2, 128));
	cr_assert_not(vigil_name_valid(".hidden", 7, 128));
	cr_assert_not(vigil_name_valid("a/b", 3, 128));
	cr_assert_not(vigil_name_valid("a\\b", 3, 128));
	cr_assert_not(vigil_name_valid("a b", 3, 128));
	cr_assert_not(vigil_name_valid("a\nb", 3, 128));
	cr_assert_not(vigil_name_valid("abc", 3, 2));
	cr_assert_not(vigil_name_valid("", 0, 128));
}

Test(manifest, encode_parse_round_trip)
{
	struct vigil_payload_file files[2] = {
		{ .name = "a.hdb", .size = 5 },
		{ .name = "b.ndb", .size = 0 },
	};
	struct vigil_bundle_manifest manifest = {
		.format = 1, .channel = "stable", .version = 42, .issued = NOW, .expires = NOW + 86400,
		.first = true, .root_version = 3, .file_count = 2, .files = files,
	};
	struct vigil_bundle_manifest *parsed;
	uint8_t *text;
	size_t len;

	cr_assert_eq(vigil_bundle_manifest_encode(&manifest, &text, &len, reason, sizeof(reason)), 0, "%s", reason);
	cr_assert_eq(vigil_bundle_manifest_parse(text, len, &parsed, reason, sizeof(reason)), 0, "%s", reason);
	cr_assert_eq(parsed->version, 42);
	cr_assert_eq(parsed->root_version, 3);
	cr_assert_eq(parsed->file_count, 2);
	cr_assert_str_eq(parsed->files[1].name, "b.ndb");
	vigil_bundle_manifest_free(parsed);
	/* A prefix cut inside a line is refused (whole-line cuts are the signature's job). */
	for (size_t cut = 0; cut < len; cut++) {
		if (text[cut - (cut > 0)] != '\n' || cut == 0)
			cr_assert_lt(vigil_bundle_manifest_parse(text, cut, &parsed, reason, sizeof(reason)), 0,
				     "prefix %zu", cut);
	}
	free(text);

	/* Unsorted or duplicate names cannot even be encoded. */
	strcpy(files[1].name, "a.hdb");
	cr_assert_lt(vigil_bundle_manifest_encode(&manifest, &text, &len, reason, sizeof(reason)), 0);
}

Test(verify, signed_bundle_verifies_and_reports_signers)
{
	struct vigil_root_chain *chain = chain_of("first-install/trust/1.vroot");
	struct vigil_verified_bundle *bundle;
	uint8_t *buf;
	size_t len;

	read_vector("first-install/mirror/stable.vbundle", &buf, &len);
	cr_assert_eq(vigil_bundle_open_verified(buf, len, chain, NOW, "stable", &bundle, reason, sizeof(reason)), 0,
		     "%s", reason);
	cr_assert_eq(bundle->manifest->version, 1);
	cr_assert_eq(bundle->file_count, 2);
	cr_assert_str_eq(bundle->files[0].name, "a.hdb");
	cr_assert(bundle->files[0].data > buf && bundle->files[0].data + bundle->files[0].size <= buf + len);
	cr_assert_eq(bundle->signer_count, 2);
	vigil_verified_bundle_free(bundle);
	/* Another channel, or a clock past the expiry, refuses. */
	cr_assert_eq(vigil_bundle_open_verified(buf, len, chain, NOW, "beta", &bundle, reason, sizeof(reason)), -EXDEV);
	cr_assert_eq(vigil_bundle_open_verified(buf, len, chain, 4102444800, "stable", &bundle, reason, sizeof(reason)),
		     -EKEYEXPIRED);
	free(buf);
	vigil_root_chain_free(chain);
}

Test(verify, every_truncation_and_every_bit_flip_is_refused)
{
	struct vigil_root_chain *chain = chain_of("first-install/trust/1.vroot");
	struct vigil_verified_bundle *bundle;
	uint8_t *buf;
	size_t len;

	read_vector("first-install/mirror/stable.vbundle", &buf, &len);
	for (size_t cut = 0; cut < len; cut++) {
		int r = vigil_bundle_open_verified(buf, cut, chain, NOW, "stable", &bundle, reason, sizeof(reason));

		cr_assert(r < 0 && r != -ENOMEM, "prefix of %zu bytes accepted", cut);
		cr_assert(reason[0] && !strchr(reason, '\n'));
	}
	/* The vector carries exactly the threshold of signatures: no bit is spare. */
	for (size_t offset = 0; offset < len; offset++) {
		for (int bit = 0; bit < 8; bit++) {
			int r;

			buf[offset] ^= (uint8_t)(1u << bit);
			r = vigil_bundle_open_verified(buf, len, chain, NOW, "stable", &bundle, reason, sizeof(reason));
			buf[offset] ^= (uint8_t)(1u << bit);
			cr_assert(r < 0 && r != -ENOMEM, "bit %d of byte %zu flipped and accepted", bit, offset);
		}
	}
	free(buf);
	vigil_root_chain_free(chain);
}

/* vigil_bundle_open_fd() decides as the buffer does, byte for byte: the
 * same result and the same reason for every prefix and every bit flip,
 * and the verified files point into the file (offset, no data). */
static int open_from_file(int fd, const uint8_t *buf, size_t len, const struct vigil_root_chain *chain,
			  struct vigil_verified_bundle **ret_bundle, char *file_reason)
{
	cr_assert_eq(ftruncate(fd, 0), 0);
	cr_assert_eq(pwrite(fd, buf, len, 0), (ssize_t)len);
	file_reason[0] = '\0';
	return vigil_bundle_open_fd(fd, false, chain, NOW, "stable", ret_bundle, file_reason,
				    VIGIL_REASON_SIZE);
}

Test(verify, from_a_file_as_from_memory)
{
	struct vigil_root_chain *chain = chain_of("first-install/trust/1.vroot");
	struct vigil_verified_bundle *bundle, *from_file;
	char file_reason[VIGIL_REASON_SIZE];
	int fd = memfd_create("bundle", MFD_CLOEXEC);
	uint8_t *buf;
	size_t len;

	cr_assert_geq(fd, 0);
	read_vector("first-install/mirror/stable.vbundle", &buf, &len);
	cr_assert_eq(open_from_file(fd, buf, len, chain, &from_file, file_reason), 0, "%s", file_reason);
	cr_assert_eq(vigil_bundle_open_verified(buf, len, chain, NOW, "stable", &bundle, reason, sizeof(reason)), 0);
	cr_assert_eq(from_file->file_count, bundle->file_count);
	cr_assert_arr_eq(from_file->digest, bundle->digest, sizeof(bundle->digest));
	for (size_t i = 0; i < bundle->file_count; i++) {
		cr_assert_null(from_file->files[i].data);
		cr_assert_eq(from_file->files[i].offset, (uint64_t)(bundle->files[i].data - buf));
		cr_assert_eq(bundle->files[i].offset, from_file->files[i].offset);
		cr_assert_arr_eq(from_file->files[i].sha256, bundle->files[i].sha256, 32);
	}
	vigil_verified_bundle_free(bundle);
	vigil_verified_bundle_free(from_file);

	for (size_t cut = 0; cut < len; cut++) {
		int r = vigil_bundle_open_verified(buf, cut, chain, NOW, "stable", &bundle, reason, sizeof(reason));
		int r_file = open_from_file(fd, buf, cut, chain, &from_file, file_reason);

		cr_assert(r < 0 && r == r_file, "prefix of %zu bytes: %d from memory, %d from the file", cut, r,
			  r_file);
		cr_assert_str_eq(file_reason, reason, "prefix of %zu bytes", cut);
	}
	for (size_t offset = 0; offset < len; offset++) {
		for (int bit = 0; bit < 8; bit++) {
			int r, r_file;

			buf[offset] ^= (uint8_t)(1u << bit);
			r = vigil_bundle_open_verified(buf, len, chain, NOW, "stable", &bundle, reason, sizeof(reason));
			r_file = open_from_file(fd, buf, len, chain, &from_file, file_reason);
			buf[offset] ^= (uint8_t)(1u << bit);
			cr_assert(r < 0 && r == r_file, "bit %d of byte %zu: %d from memory, %d from the file", bit,
				  offset, r, r_file);
			cr_assert_str_eq(file_reason, reason, "bit %d of byte %zu", bit, offset);
		}
	}
	free(buf);
	close(fd);
	vigil_root_chain_free(chain);
}

Test(verify, rollback_and_equivocation)
{
	struct vigil_root_chain *chain = chain_of("equivocation/trust/1.vroot");
	struct vigil_verified_bundle *installed_bundle, *offered;
	uint8_t *installed_buf, *offered_buf;
	size_t installed_len, offered_len;

	read_vector("equivocation/initial/stable.vbundle", &installed_buf, &installed_len);
	read_vector("equivocation/mirror/stable.vbundle", &offered_buf, &offered_len);
	cr_assert_eq(vigil_bundle_open_verified(installed_buf, installed_len, chain, NOW, "stable", &installed_bundle,
						reason, sizeof(reason)), 0);
	cr_assert_eq(vigil_bundle_open_verified(offered_buf, offered_len, chain, NOW, "stable", &offered, reason,
						sizeof(reason)), 0);
	cr_assert_eq(vigil_bundle_check_installed(offered, installed_bundle->manifest, installed_bundle->digest, reason,
						  sizeof(reason)), VIGIL_INSTALL_EQUIVOCATION);
	cr_assert_eq(vigil_bundle_check_installed(offered, offered->manifest, offered->digest, reason, sizeof(reason)),
		     VIGIL_INSTALL_ALREADY_INSTALLED);
	cr_assert_eq(vigil_bundle_check_installed(offered, NULL, NULL, reason, sizeof(reason)), VIGIL_INSTALL_NEW);
	installed_bundle->manifest->version = 3;
	cr_assert_eq(vigil_bundle_check_installed(offered, installed_bundle->manifest, installed_bundle->digest, reason,
						  sizeof(reason)), VIGIL_INSTALL_ROLLBACK);
	cr_assert_str_eq(reason, "rollback: offered version 2 is lower than installed version 3");
	vigil_verified_bundle_free(installed_bundle);
	vigil_verified_bundle_free(offered);
	free(installed_buf);
	free(offered_buf);
	vigil_root_chain_free(chain);
}

Test(root, rotation_walks_one_version_at_a_time)
{
	struct vigil_root_chain *chain = chain_of("rotation-chain-4-root-keys/trust/1.vroot");
	uint8_t *buf;
	size_t len;

	read_vector("rotation-chain-4-root-keys/mirror/root-3.vroot", &buf, &len);
	cr_assert_lt(vigil_root_chain_advance(chain, buf, len, reason, sizeof(reason)), 0);
	cr_assert(strstr(reason, "skipped root version"), "%s", reason);
	free(buf);
	for (int version = 2; version <= 4; version++) {
		char name[128];

		snprintf(name, sizeof(name), "rotation-chain-4-root-keys/mirror/root-%d.vroot", version);
		read_vector(name, &buf, &len);
		cr_assert_eq(vigil_root_chain_advance(chain, buf, len, reason, sizeof(reason)), 0, "%s", reason);
		/* The same root again is not newer: nothing changes. */
		cr_assert_eq(vigil_root_chain_advance(chain, buf, len, reason, sizeof(reason)), -EALREADY);
		free(buf);
	}
	cr_assert_eq(vigil_root_chain_newest(chain)->version, 4);
	cr_assert_eq(vigil_root_chain_count(chain), 4);
	cr_assert_eq(vigil_root_chain_newest(chain)->root_threshold, 2);
	vigil_root_chain_free(chain);
}

Test(root, a_root_is_never_a_bundle)
{
	struct vigil_root_chain *chain = chain_of("first-install/trust/1.vroot");
	struct vigil_verified_bundle *bundle;
	struct vigil_root *root;
	uint8_t *buf;
	size_t len;

	read_vector("first-install/trust/1.vroot", &buf, &len);
	cr_assert_eq(vigil_bundle_open_verified(buf, len, chain, NOW, "stable", &bundle, reason, sizeof(reason)),
		     -EBADMSG);
	cr_assert_str_eq(reason, "not a bundle (this is a trust root)");
	free(buf);
	read_vector("first-install/mirror/stable.vbundle", &buf, &len);
	cr_assert_lt(vigil_root_parse(buf, len, &root, reason, sizeof(reason)), 0);
	cr_assert_str_eq(reason, "not a trust root (this is a bundle)");
	free(buf);
	vigil_root_chain_free(chain);
}
