// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil bases verify` (one bundle, the decision vigil update
 * would make, at an optional --at time) and `vigil bases log` (a set of
 * bundles audited as one release history). Both map the files read-only
 * and own the mappings until they return; neither writes anything.
 *
 *   verify: --root... -> root chain -> vigil_bundle_open_verified()
 *           [-> vigil_bundle_check_installed() against --installed]
 *   log:    --root... -> chain -> each bundle: the chain's root whose
 *           release keys reach their threshold -> sorted by version ->
 *           links, forks, gaps, signers
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bases-common.h"
#include "subcommands.h"

int bases_verify_main(int argc, char *argv[]);
int bases_log_main(int argc, char *argv[]);

#define ROOTS_MAX 256
#define VERIFY_USAGE "--root ROOT [--root NEWER-ROOT]... [--installed BUNDLE] [--at T] [--channel NAME] BUNDLE"

static void print_signers(const struct vigil_verified_bundle *bundle)
{
	for (size_t i = 0; i < bundle->signer_count; i++)
		printf("%s%s", i ? ", " : "", bundle->signer_names[i]);
}

int bases_verify_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "installed", required_argument, NULL, 'i' },
		{ "at", required_argument, NULL, 'a' },
		{ "channel", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *roots[ROOTS_MAX], reason[VIGIL_REASON_SIZE], hex[VIGIL_SHA256_HEX_SIZE + 1];
	const char *installed_path = NULL, *channel = "stable", *path;
	struct vigil_verified_bundle *bundle = NULL;
	struct vigil_root_chain *chain = NULL;
	struct mapped_file file = { 0 };
	size_t root_count = 0;
	int64_t now = time(NULL);
	int option, r, status;

	optind = 0;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'r':
			if (root_count == ROOTS_MAX)
				return say(EXIT_TROUBLE, "more than %d --root options", ROOTS_MAX);
			roots[root_count++] = optarg;
			break;
		case 'i': installed_path = optarg; break;
		case 'a':
			if (!parse_time_option(optarg, &now))
				return say(EXIT_TROUBLE, "bad --at `%s' (want YYYY-MM-DDTHH:MM:SSZ)", optarg);
			break;
		case 'c': channel = optarg; break;
		case 'h': printf("Usage: %s bases verify %s\n", program_name, VERIFY_USAGE); return EXIT_OK;
		default:
			fprintf(stderr, "Usage: %s bases verify %s\n", program_name, VERIFY_USAGE);
			return EXIT_TROUBLE;
		}
	}
	if (!root_count || optind != argc - 1) {
		fprintf(stderr, "Usage: %s bases verify %s\n", program_name, VERIFY_USAGE);
		return EXIT_TROUBLE;
	}
	path = argv[optind];
	status = load_root_chain(roots, root_count, &chain);
	if (status != EXIT_OK)
		return status;
	r = map_file(path, VIGIL_BUNDLE_FILE_MAX_SIZE, &file);
	if (r < 0) {
		status = say(EXIT_TROUBLE, "%s: %s", path, strerror(-r));
		goto out_free_chain;
	}
	r = vigil_bundle_open_verified(file.data, file.len, chain, now, channel, &bundle, reason, sizeof(reason));
	if (r < 0) {
		status = say(r == -ENOMEM ? EXIT_TROUBLE : EXIT_REFUSED, "%s", reason);
		goto out_unmap;
	}
	if (installed_path) {
		struct vigil_bundle_manifest *installed;
		uint8_t installed_digest[VIGIL_SHA256_SIZE];
		struct mapped_file installed_file;
		enum vigil_install_verdict verdict;

		r = map_file(installed_path, VIGIL_BUNDLE_FILE_MAX_SIZE, &installed_file);
		if (r < 0) {
			status = say(EXIT_TROUBLE, "%s: %s", installed_path, strerror(-r));
			goto out_free_bundle;
		}
		r = vigil_bundle_read_manifest(installed_file.data, installed_file.len, &installed, installed_digest,
					       reason, sizeof(reason));
		unmap_file(&installed_file);
		if (r < 0) {
			status = say(EXIT_TROUBLE, "%s: installed bundle unreadable: %s", installed_path, reason);
			goto out_free_bundle;
		}
		verdict = vigil_bundle_check_installed(bundle, installed, installed_digest, reason, sizeof(reason));
		vigil_bundle_manifest_free(installed);
		if (verdict == VIGIL_INSTALL_ROLLBACK || verdict == VIGIL_INSTALL_EQUIVOCATION) {
			status = say(EXIT_REFUSED, "%s", reason);
			goto out_free_bundle;
		}
		if (verdict == VIGIL_INSTALL_ALREADY_INSTALLED) {
			printf("%s: %s\n", path, reason);
			goto out_free_bundle;
		}
	}
	vigil_hex_format(bundle->digest, VIGIL_SHA256_SIZE, hex);
	printf("%s: OK: version %" PRIu64 ", channel %s, %zu files, root version %" PRIu64 ", digest %s, signed by ",
	       path, bundle->manifest->version, bundle->manifest->channel, bundle->file_count, bundle->root_version,
	       hex);
	print_signers(bundle);
	printf("\n");
out_free_bundle:
	vigil_verified_bundle_free(bundle);
out_unmap:
	unmap_file(&file);
out_free_chain:
	vigil_root_chain_free(chain);
	return status;
}

struct audited {
	const char *path;
	struct vigil_verified_bundle *bundle;
	char reason[VIGIL_REASON_SIZE];
};

/*
 * Verifies one bundle for the audit: the first root of the chain whose
 * release keys reach their threshold decides (expiry is ignored: history is
 * old by nature). The manifest is only parsed after that root accepted it.
 */
static int audit_one(const struct vigil_root_chain *chain, const uint8_t *buf, size_t len, struct audited *entry)
{
	struct vigil_container container;
	int r;

	r = vigil_container_split(buf, len, &container, entry->reason, sizeof(entry->reason));
	if (r < 0)
		return r;
	if (container.kind != VIGIL_CONTAINER_BUNDLE) {
		snprintf(entry->reason, sizeof(entry->reason), "not a bundle (this is a trust root)");
		return -EBADMSG;
	}
	for (size_t i = vigil_root_chain_count(chain); i-- > 0;) {
		const struct vigil_root *root = vigil_root_chain_at(chain, i);

		if (vigil_keys_count_signatures(root->keys, root->key_count, &container, NULL) < root->threshold)
			continue;
		return vigil_bundle_open_audited(buf, len, root, &entry->bundle, entry->reason, sizeof(entry->reason));
	}
	snprintf(entry->reason, sizeof(entry->reason), "below threshold for every root of the chain");
	return -EKEYREJECTED;
}

static int compare_audited(const void *a, const void *b)
{
	const struct audited *x = a, *y = b;
	uint64_t vx = x->bundle ? x->bundle->manifest->version : 0, vy = y->bundle ? y->bundle->manifest->version : 0;

	if (vx != vy)
		return vx < vy ? -1 : 1;
	return strcmp(x->path, y->path);
}

static const struct audited *find_by_digest(const struct audited *entries, size_t count, const uint8_t *digest)
{
	for (size_t i = 0; i < count; i++) {
		if (entries[i].bundle && !memcmp(entries[i].bundle->digest, digest, VIGIL_SHA256_SIZE))
			return &entries[i];
	}
	return NULL;
}

#define LOG_USAGE "--root ROOT [--root NEWER-ROOT]... BUNDLE..."

int bases_log_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *roots[ROOTS_MAX], hex[VIGIL_SHA256_HEX_SIZE + 1], previous_hex[VIGIL_SHA256_HEX_SIZE + 1];
	char issued[VIGIL_RFC3339_SIZE + 1];
	struct vigil_root_chain *chain = NULL;
	struct mapped_file *files = NULL;
	struct audited *entries = NULL;
	size_t root_count = 0, count, breaks = 0, verified = 0;
	int option, r, status;

	optind = 0;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'r':
			if (root_count == ROOTS_MAX)
				return say(EXIT_TROUBLE, "more than %d --root options", ROOTS_MAX);
			roots[root_count++] = optarg;
			break;
		case 'h': printf("Usage: %s bases log %s\n", program_name, LOG_USAGE); return EXIT_OK;
		default:
			fprintf(stderr, "Usage: %s bases log %s\n", program_name, LOG_USAGE);
			return EXIT_TROUBLE;
		}
	}
	if (!root_count || optind == argc) {
		fprintf(stderr, "Usage: %s bases log %s\n", program_name, LOG_USAGE);
		return EXIT_TROUBLE;
	}
	status = load_root_chain(roots, root_count, &chain);
	if (status != EXIT_OK)
		return status;
	count = (size_t)(argc - optind);
	files = calloc(count, sizeof(*files));
	entries = calloc(count, sizeof(*entries));
	if (!files || !entries) {
		status = say(EXIT_TROUBLE, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < count; i++) {
		entries[i].path = argv[optind + i];
		r = map_file(entries[i].path, VIGIL_BUNDLE_FILE_MAX_SIZE, &files[i]);
		if (r < 0) {
			status = say(EXIT_TROUBLE, "%s: %s", entries[i].path, strerror(-r));
			goto out_free;
		}
		r = audit_one(chain, files[i].data, files[i].len, &entries[i]);
		if (r == -ENOMEM) {
			status = say(EXIT_TROUBLE, "out of memory");
			goto out_free;
		}
		if (r < 0) {
			printf("BROKEN  %s: %s\n", entries[i].path, entries[i].reason);
			breaks++;
		}
	}
	qsort(entries, count, sizeof(*entries), compare_audited);
	for (size_t i = 0; i < count; i++) {
		const struct vigil_verified_bundle *bundle = entries[i].bundle;
		const struct vigil_bundle_manifest *manifest;
		const struct audited *previous;

		if (!bundle)
			continue;
		manifest = bundle->manifest;
		vigil_hex_format(bundle->digest, VIGIL_SHA256_SIZE, hex);
		vigil_time_format(manifest->issued, issued);
		if (manifest->first)
			strcpy(previous_hex, "first");
		else
			vigil_hex_format(manifest->previous, VIGIL_SHA256_SIZE, previous_hex);
		/* The same bundle given twice (perhaps with other signatures) counts once. */
		if (find_by_digest(entries, i, bundle->digest))
			continue;
		verified++;
		printf("version %" PRIu64 "  %.16s  previous %.16s  channel %s  issued %s  root %" PRIu64 "  signed by ",
		       manifest->version, hex, previous_hex, manifest->channel, issued, bundle->root_version);
		print_signers(bundle);
		printf("  %s\n", entries[i].path);
		for (size_t j = 0; j < i; j++) {
			const struct vigil_verified_bundle *other = entries[j].bundle;

			if (!other || !memcmp(other->digest, bundle->digest, VIGIL_SHA256_SIZE))
				continue;
			if (other->manifest->version == manifest->version) {
				printf("FORK    version %" PRIu64 " has two bundles: %s and %s\n", manifest->version,
				       entries[j].path, entries[i].path);
				breaks++;
			}
			if (other->manifest->first == manifest->first &&
			    (manifest->first || !memcmp(other->manifest->previous, manifest->previous, VIGIL_SHA256_SIZE))) {
				printf("FORK    %s and %s both follow %.16s\n", entries[j].path, entries[i].path,
				       previous_hex);
				breaks++;
			}
		}
		if (manifest->first) {
			if (verified > 1) {
				printf("BROKEN  %s says it is the first bundle but follows version %" PRIu64 "\n",
				       entries[i].path, entries[i - 1].bundle ? entries[i - 1].bundle->manifest->version : 0);
				breaks++;
			}
			continue;
		}
		previous = find_by_digest(entries, count, manifest->previous);
		if (!previous) {
			printf("GAP     version %" PRIu64 " follows %.16s, which is not among the bundles given\n",
			       manifest->version, previous_hex);
			breaks++;
		} else if (previous->bundle->manifest->version >= manifest->version) {
			printf("BROKEN  version %" PRIu64 " follows version %" PRIu64 ", which is not lower\n",
			       manifest->version, previous->bundle->manifest->version);
			breaks++;
		}
	}
	if (breaks) {
		status = say(EXIT_REFUSED, "release history has %zu break%s", breaks, breaks == 1 ? "" : "s");
	} else {
		printf("%zu bundles, one unbroken history\n", verified);
		status = EXIT_OK;
	}
out_free:
	for (size_t i = 0; entries && i < count; i++)
		vigil_verified_bundle_free(entries[i].bundle);
	for (size_t i = 0; files && i < count; i++) {
		if (files[i].data)
			unmap_file(&files[i]);
	}
	free(entries);
	free(files);
	vigil_root_chain_free(chain);
	return status;
}
