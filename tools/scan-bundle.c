// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: lets `vigil scan -d BUNDLE` and `vigil scan` without -d use
 * signed bases. Owns the bundle bytes and verified bundles it opens (a
 * list freed by scan_bundles_free() once the engine is built); reading and
 * verification are bases/bundle-load.c's (shared with vigild), and the
 * engine gets the verified payload bytes, never the path again.
 *
 *   scan.c load_engine() -> scan_bundle_add() -> root chain (--root given,
 *     else the installed root, else the packaged root)
 *     -> vigil_bundle_load_file() -> vigil_loaded_bundle_add_sources()
 *        (signature files with their SHA-256, `.vpc' precompiled matchers)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bases-common.h"
#include "bundle-load.h"
#include "bundle.h"
#include "root.h"
#include "scan-bundle.h"
#include "state.h"
#include "subcommands.h"
#include "verify.h"

#define DEFAULT_ROOT VIGIL_SYSCONFDIR "/vigil/root.vroot"
#define DEFAULT_STATE_DIR VIGIL_LOCALSTATEDIR "/lib/vigil"
#define DEFAULT_CHANNEL "stable"

struct scan_bundles {
	struct scan_bundles *next;
	struct vigil_loaded_bundle *loaded;
};

static int add_files(struct scan_bundles **bundles, struct vigil_source_list *list,
		     struct vigil_loaded_bundle *loaded)
{
	struct scan_bundles *kept = calloc(1, sizeof(*kept));
	int r;

	if (!kept) {
		vigil_loaded_bundle_free(loaded);
		return -ENOMEM;
	}
	kept->loaded = loaded;
	kept->next = *bundles;
	*bundles = kept;
	r = vigil_loaded_bundle_add_sources(loaded, list);
	return r < 0 ? r : 0;
}

/* The installed root when there is one, else the packaged root. */
static int default_chain(struct vigil_root_chain **ret_chain)
{
	char *roots[] = { (char *)DEFAULT_ROOT };
	struct vigil_state *state;
	uint8_t *root = NULL;
	size_t length = 0;
	char reason[VIGIL_REASON_SIZE];
	int r;

	if (!vigil_state_open(DEFAULT_STATE_DIR, false, &state)) {
		r = vigil_state_read_root(state, &root, &length);
		vigil_state_free(state);
		if (!r) {
			r = vigil_root_chain_new(root, length, ret_chain, reason, sizeof(reason));
			free(root);
			if (!r)
				return 0;
		}
	}
	return load_root_chain(roots, 1, ret_chain) ? -EKEYREJECTED : 0;
}

static int add_installed(struct scan_bundles **bundles, struct vigil_source_list *list)
{
	struct vigil_loaded_bundle *loaded = NULL;
	char reason[VIGIL_REASON_SIZE] = "";
	int r;

	r = vigil_bundle_load_installed(DEFAULT_STATE_DIR, DEFAULT_ROOT, time(NULL), DEFAULT_CHANNEL,
					&loaded, reason, sizeof(reason));
	if (r == -ENOENT) {
		fprintf(stderr, "%s: scan: no database given and no bases installed in %s "
			"(run `vigil update', or give -d DB)\n", program_name, DEFAULT_STATE_DIR);
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "%s: installed bases: %s\n", program_name,
			reason[0] ? reason : strerror(-r));
		return r;
	}
	if (loaded->bundle->expired)
		fprintf(stderr, "%s: warning: the installed bases have EXPIRED; scanning with them "
			"anyway until newer ones are installed (vigil update)\n", program_name);
	return add_files(bundles, list, loaded);
}

int scan_bundle_add(struct scan_bundles **bundles, struct vigil_source_list *list,
		    const char *path, char *const *roots, size_t root_count)
{
	struct vigil_root_chain *chain = NULL;
	struct vigil_loaded_bundle *loaded = NULL;
	char reason[VIGIL_REASON_SIZE] = "";
	const char *failed = path;
	int r;

	if (!path)
		return add_installed(bundles, list);
	if (root_count ? load_root_chain(roots, root_count, &chain) : default_chain(&chain))
		return -EKEYREJECTED;
	r = vigil_bundle_load_file(path, &(struct vigil_bundle_trust){
					   .chain = chain, .installed = false, .now = time(NULL),
					   .channel = DEFAULT_CHANNEL,
				   }, &loaded, &failed, reason, sizeof(reason));
	vigil_root_chain_free(chain);
	if (r < 0) {
		fprintf(stderr, "%s: %s: %s\n", program_name, failed, reason[0] ? reason : strerror(-r));
		return r;
	}
	return add_files(bundles, list, loaded);
}

void scan_bundles_free(struct scan_bundles *bundles)
{
	while (bundles) {
		struct scan_bundles *next = bundles->next;

		vigil_loaded_bundle_free(bundles->loaded);
		free(bundles);
		bundles = next;
	}
}
