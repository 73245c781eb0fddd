/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The exact segment verifier (segment-match.c) and the scan window it reads.
 */
#ifndef VIGIL_LIB_SEGMENT_MATCH_H
#define VIGIL_LIB_SEGMENT_MATCH_H

#include <stdint.h>

#include "signature.h"

/* The bytes [offset, offset + length) of the file, and where it ends. */
struct scan_window {
	const uint8_t *data;
	uint64_t offset;
	size_t length;
	uint64_t file_size;
};

/* A start a segment may match from, and where clamscan's anchor unit
 * (segment.anchor_index) lies for that way of matching. */
struct segment_start {
	uint64_t at;
	uint64_t anchor;
};

struct segment_scratch {
	struct segment_start *current;
	struct segment_start *next;
	size_t capacity;
};

/* Lists the starts from which the segment matches ending at end. Returns 0
 * (possibly with no starts), -EAGAIN when a trailing assertion needs bytes
 * not read yet, or -ENOMEM. *ret_starts lives in the scratch until the next
 * call. */
int segment_match_starts(const struct signature_set *set, const struct segment *segment,
			 const struct scan_window *window, uint64_t end,
			 struct segment_scratch *scratch, const struct segment_start **ret_starts,
			 size_t *ret_count);
void segment_scratch_uninit(struct segment_scratch *scratch);

#endif
