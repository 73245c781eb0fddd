/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the one decision every consumer of a bundle makes -- `vigil
 * update`, `vigil bases verify`, `vigil scan -d BUNDLE` and vigild's reload
 * all call vigil_bundle_open_verified() and act only on what it returns.
 *
 *   bundle bytes + root chain + now + channel
 *     -> framing (pre-auth) -> threshold of the newest root's release keys
 *     -> manifest (canonical) -> root version, channel, expiry, issued
 *     -> payload sizes and SHA-256 -> struct vigil_verified_bundle
 *   then, to install: vigil_bundle_check_installed() (rollback, equivocation)
 *
 * The verified bundle points into the caller's buffer (files[i].data): the
 * caller keeps that buffer alive and unmodified until
 * vigil_verified_bundle_free(). Every refusal fills a one-line reason.
 */
#ifndef VIGIL_BASES_VERIFY_H
#define VIGIL_BASES_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "root.h"

#define VIGIL_REASON_SIZE 512

struct vigil_verified_file {
	const char *name;
	const uint8_t *data; /* inside the caller's buffer; NULL from vigil_bundle_open_fd() */
	size_t size;
	uint64_t offset;     /* where its bytes start in the bundle file */
	uint8_t sha256[VIGIL_SHA256_SIZE];
};

struct vigil_verified_bundle {
	struct vigil_bundle_manifest *manifest; /* version, channel, times, previous */
	uint8_t digest[VIGIL_SHA256_SIZE];      /* SHA-256 of the manifest: the identity */
	size_t file_count;
	struct vigil_verified_file *files; /* sorted by name */
	uint64_t root_version;
	size_t signer_count;
	char (*signer_names)[VIGIL_KEY_NAME_MAX + 1]; /* release keys that signed */
	bool expired; /* only from vigil_bundle_open_installed(): bundle or root past `expires' */
};

/*
 * vigil_bundle_open_verified - verifies a bundle for use or installation
 * @buf, @len: the whole bundle file (kept alive by the caller)
 * @roots: the trusted root chain; its newest root decides
 * @now: seconds since the epoch (time(NULL), or --at)
 * @channel: the channel this client follows ("stable")
 * @ret_bundle: on success, the verified bundle (free with vigil_verified_bundle_free)
 * @reason: on refusal, one line saying why (VIGIL_REASON_SIZE bytes is plenty)
 * Returns 0; -ENOMEM; any other negative errno is a refusal with @reason set:
 * -EBADMSG (malformed, non-canonical, size or digest mismatch), -EKEYREJECTED
 * (below threshold), -EKEYEXPIRED (bundle or root expired), -ESTALE (root
 * version mismatch), -EXDEV (other channel), -EPROTONOSUPPORT (newer format),
 * -ETIME (issued in the future).
 */
int vigil_bundle_open_verified(const uint8_t *buf, size_t len, const struct vigil_root_chain *roots, int64_t now,
			       const char *channel, struct vigil_verified_bundle **ret_bundle, char *reason,
			       size_t reason_size);
/*
 * vigil_bundle_open_audited - the same checks for a release-history audit,
 * against one given root and without the clock or the channel: signatures,
 * canonical manifest, root version equal to @root's, payload sizes and digests.
 */
int vigil_bundle_open_audited(const uint8_t *buf, size_t len, const struct vigil_root *root,
			      struct vigil_verified_bundle **ret_bundle, char *reason, size_t reason_size);
/*
 * vigil_bundle_open_installed - for a bundle already installed (vigild's
 * load and reload, `vigil scan' with the installed bases): every check of
 * vigil_bundle_open_verified() except the clock. An expired bundle or root
 * is not refused but flagged (->expired), so the caller keeps scanning
 * with it and says so loudly instead of falling back to no bases.
 */
int vigil_bundle_open_installed(const uint8_t *buf, size_t len, const struct vigil_root_chain *roots, int64_t now,
				const char *channel, struct vigil_verified_bundle **ret_bundle, char *reason,
				size_t reason_size);
/*
 * vigil_bundle_open_fd - the checks of vigil_bundle_open_verified() (or,
 * with @installed, of vigil_bundle_open_installed()) on the bundle file
 * open in @fd, without holding it: only its head (framing, manifest,
 * signatures; at most VIGIL_BUNDLE_HEAD_MAX_SIZE bytes) is read into
 * memory, and each payload file is hashed from @fd a block at a time.
 * The verified files have no data, only their offset and size in the
 * file: whoever reads one later through @fd must check the bytes against
 * its sha256 before using them (the file may have changed since).
 */
int vigil_bundle_open_fd(int fd, bool installed, const struct vigil_root_chain *roots, int64_t now,
			 const char *channel, struct vigil_verified_bundle **ret_bundle, char *reason,
			 size_t reason_size);
struct vigil_verified_bundle *vigil_verified_bundle_free(struct vigil_verified_bundle *bundle);

enum vigil_install_verdict {
	VIGIL_INSTALL_NEW,               /* newer than the installed one, or none installed */
	VIGIL_INSTALL_ALREADY_INSTALLED, /* same version, same digest */
	VIGIL_INSTALL_ROLLBACK,          /* lower version: refuse */
	VIGIL_INSTALL_EQUIVOCATION,      /* same version, another digest: refuse loudly */
};

/*
 * vigil_bundle_check_installed - compares an offered bundle with the
 * installed one (whose manifest is the high-water mark). @installed may be
 * NULL (nothing installed). Fills @reason for every verdict but NEW.
 */
enum vigil_install_verdict vigil_bundle_check_installed(const struct vigil_verified_bundle *offered,
							const struct vigil_bundle_manifest *installed,
							const uint8_t installed_digest[VIGIL_SHA256_SIZE],
							char *reason, size_t reason_size);

/*
 * vigil_bundle_read_manifest - the manifest of a bundle already installed
 * (framing and canonical decode, no signature check): for the high-water
 * mark. Returns 0 or a negative errno with @reason set.
 */
int vigil_bundle_read_manifest(const uint8_t *buf, size_t len, struct vigil_bundle_manifest **ret_manifest,
			       uint8_t ret_digest[VIGIL_SHA256_SIZE], char *reason, size_t reason_size);

#endif
