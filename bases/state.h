/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the bases state folder (default /var/lib/vigil):
 *
 *   STATE/current -> gen-<version>-<first 16 hex of digest>   (symlink)
 *   STATE/gen-.../bundle.vbundle   the installed bundle, as verified
 *   STATE/gen-.../root.vroot       the newest verified root, which signs it
 *   STATE/decisions.jsonl          one JSON object per decision
 *   STATE/.lock                    flock held by writers (vigil update)
 *
 * The bundle and its root change together by one rename of the `current'
 * symlink, so after a crash at any point `current' names the old pair or
 * the new one, each whole (see vigil_state_install()). Readers (vigild,
 * `vigil scan -d`) need no lock. The high-water mark for rollback is the
 * installed bundle's own version, never the decision record.
 */
#ifndef VIGIL_BASES_STATE_H
#define VIGIL_BASES_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encoding.h"

#define VIGIL_STATE_BUNDLE_NAME "bundle.vbundle"
#define VIGIL_STATE_ROOT_NAME "root.vroot"
#define VIGIL_STATE_CURRENT_NAME "current"
#define VIGIL_STATE_DECISIONS_NAME "decisions.jsonl"
/* Largest file the state code reads back: payload bound plus headers. */
#define VIGIL_BUNDLE_FILE_MAX_SIZE ((16ULL << 30) + (4u << 20))

struct vigil_state;

/*
 * vigil_state_open - opens (and with @writable creates, mode 0755, and
 * locks exclusively) a state folder. -EWOULDBLOCK when another writer holds it.
 */
int vigil_state_open(const char *path, bool writable, struct vigil_state **ret_state);
struct vigil_state *vigil_state_free(struct vigil_state *state);

/* Reads the installed bundle and root: 0, -ENOENT when none, other -errno. */
int vigil_state_read_installed(struct vigil_state *state, uint8_t **ret_bundle, size_t *ret_bundle_len,
			       uint8_t **ret_root, size_t *ret_root_len);

/* Reads the installed root only (for `vigil scan -d` and vigild's default). */
int vigil_state_read_root(struct vigil_state *state, uint8_t **ret_root, size_t *ret_root_len);

/*
 * vigil_state_install - installs a verified bundle and the root it was
 * verified under, atomically. The caller verified both bytes; this only
 * writes them. Returns 0 or a negative errno (the old pair stays current).
 */
int vigil_state_install(struct vigil_state *state, const uint8_t *bundle, size_t bundle_len, const uint8_t *root,
			size_t root_len, uint64_t version, const uint8_t digest[VIGIL_SHA256_SIZE]);

struct vigil_verified_bundle;

/*
 * vigil_state_load_verified - the installed bases, verified, for vigild
 * (start and SIGHUP) and `vigil scan' without -d. Reads the installed
 * bundle and root from @state_dir; the trusted root is the state's, or
 * @anchor (the packaged root, may be NULL) when that is newer. Verifies
 * with vigil_bundle_open_fd() as installed (expiry flagged, not refused),
 * without reading the payload into memory. On success *ret_fd is the
 * bundle file the verified files lie in (their offset and size): close it
 * after vigil_verified_bundle_free(). Returns 0, -ENOENT
 * when nothing is installed, -ENOMEM, other -errno for I/O, or a refusal
 * with @reason set (any other negative errno from verify.h).
 */
int vigil_state_load_verified(const char *state_dir, const uint8_t *anchor, size_t anchor_len, int64_t now,
			      const char *channel, int *ret_fd, struct vigil_verified_bundle **ret_bundle,
			      char *reason, size_t reason_size);

/*
 * vigil_state_load_installed - vigil_state_load_verified() with the anchor
 * read from @anchor_path (the packaged root; a missing file means none).
 * Shared by vigild and `vigil scan' without -d.
 */
int vigil_state_load_installed(const char *state_dir, const char *anchor_path, int64_t now,
			       const char *channel, int *ret_fd, struct vigil_verified_bundle **ret_bundle,
			       char *reason, size_t reason_size);

struct vigil_decision {
	const char *outcome;  /* "installed", "already-installed", "refused", "equivocation" */
	const char *source;   /* mirror URL or path, or NULL */
	const char *channel;
	bool has_bundle;      /* the fields below were read from the offered manifest */
	uint64_t version;
	uint8_t digest[VIGIL_SHA256_SIZE];
	uint64_t root_version;
	bool has_installed;
	uint64_t installed_version;
	const char *reason;   /* NULL for "installed" */
};

/* Appends one JSON line to decisions.jsonl and fsyncs it. */
int vigil_state_record_decision(struct vigil_state *state, const struct vigil_decision *decision, int64_t now);

#endif
