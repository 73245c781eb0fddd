/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The body-signature matcher: one Hyperscan streaming database over every
 * segment of every enabled body signature, plus the per-scan state that
 * verifies hits and chains segments into signature matches.
 */
#ifndef VIGIL_LIB_MATCHER_H
#define VIGIL_LIB_MATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "segment-match.h"
#include "signature.h"

struct matcher;
struct matcher_scan;

/* What the scan knows about the file before reading it. */
struct file_facts {
	uint64_t size;		/* bytes that will be scanned */
	bool is_elf;
	bool entry_point_valid;
	uint64_t entry_point;	/* file offset of the ELF entry point */
};

/* A Hyperscan platform (hs_platform_info_t's tune and cpu_features). */
struct matcher_target {
	uint64_t tune;
	uint64_t cpu_features;
};

/* Compiles for this machine. */
int matcher_compile(const struct signature_set *set, struct matcher **ret_matcher,
		    char *reason, size_t reason_size);
/* Compiles for @target (NULL: this machine). */
int matcher_compile_for(const struct signature_set *set, const struct matcher_target *target,
			struct matcher **ret_matcher, char *reason, size_t reason_size);
/* SHA-256 over every expression, flag, id and extension a compile of
 * @set feeds Hyperscan: a database compiled from a set with the same
 * digest has the same ids for the same segments. */
int matcher_expressions_digest(const struct signature_set *set, uint8_t digest[32]);
int matcher_serialize(const struct matcher *matcher, char **ret_bytes, size_t *ret_size);
int matcher_deserialize(const struct signature_set *set, const char *bytes, size_t size,
			struct matcher **ret_matcher);
struct matcher *matcher_free(struct matcher *matcher);
/* Bytes of look-back the scan window must keep. */
size_t matcher_window_size(const struct matcher *matcher);

int matcher_scan_new(const struct matcher *matcher, struct matcher_scan **ret_scan);
struct matcher_scan *matcher_scan_free(struct matcher_scan *scan);
int matcher_scan_begin(struct matcher_scan *scan, const struct file_facts *facts);
/* The window holds the new bytes at its end: [new_offset, window end). */
int matcher_scan_block(struct matcher_scan *scan, const struct scan_window *window,
		       uint64_t new_offset);
/* The final window (its end is the end of the scanned data). */
int matcher_scan_end(struct matcher_scan *scan, const struct scan_window *window);
/* Body signatures matched in this scan, in load order. */
size_t matcher_scan_matches(struct matcher_scan *scan, const uint32_t **ret_bodies);

#endif
