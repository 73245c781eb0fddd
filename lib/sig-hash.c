// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: parses one line of a ClamAV hash database, .hdb/.hsb for
 * detections and .fp/.sfp for the admin's false-positive list:
 *   Hash:Size:Name[:MinFLevel[:MaxFLevel]]
 * The hash type follows from its length (32 MD5, 40 SHA-1, 64 SHA-256, in
 * any of the four files, upper or lower case, as clamscan accepts). Size is
 * a positive decimal or `*`, which needs MinFLevel >= 73 (clamscan's rule).
 * Appends to the set's hashes[] or false_positives[]; the index by size is
 * built later (hash-index.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "signature.h"

#define WILDCARD_SIZE_FLEVEL 73
#define MAX_NAME_LENGTH 1024

int sig_hash_parse_line(struct signature_set *set, const char *line, size_t length,
			bool false_positive, bool md5_only, char *reason, size_t reason_size)
{
	const char *fields[5];
	size_t lengths[5], count;
	struct hash_signature hash = { 0 };
	uint64_t min_flevel = 0, max_flevel = UINT64_MAX;
	long name, index;

	count = sig_split_fields(line, length, fields, lengths, 5);
	if (count < 3)
		return sig_refuse(reason, reason_size, "too few fields (want Hash:Size:Name)");
	if (count > 5)
		return sig_refuse(reason, reason_size, "too many fields (at most 5)");

	switch (lengths[0]) {
	case 32: hash.type = HASH_MD5; break;
	case 40: hash.type = HASH_SHA1; break;
	case 64: hash.type = HASH_SHA256; break;
	default:
		return sig_refuse(reason, reason_size, "invalid hash: %zu hex digits (want 32, 40 or 64)",
			      lengths[0]);
	}
	if (md5_only && hash.type != HASH_MD5)
		return sig_refuse(reason, reason_size, "only MD5 hashes are accepted here");
	if (!sig_parse_hex_bytes(fields[0], lengths[0], hash.digest))
		return sig_refuse(reason, reason_size, "invalid hash: not hexadecimal");
	if (!lengths[2] || lengths[2] > MAX_NAME_LENGTH)
		return sig_refuse(reason, reason_size, "signature name empty or longer than %d bytes",
			      MAX_NAME_LENGTH);
	if (sig_name_has_control(fields[2], lengths[2]))
		return sig_refuse(reason, reason_size, "control character in the signature name");
	if (count >= 4 && !sig_parse_decimal(fields[3], lengths[3], 100000, &min_flevel))
		return sig_refuse(reason, reason_size, "invalid minimum functionality level '%.*s'",
			      (int)lengths[3], fields[3]);
	if (count == 5 && !sig_parse_decimal(fields[4], lengths[4], 100000, &max_flevel))
		return sig_refuse(reason, reason_size, "invalid maximum functionality level '%.*s'",
			      (int)lengths[4], fields[4]);

	if (lengths[1] == 1 && fields[1][0] == '*') {
		if (min_flevel < WILDCARD_SIZE_FLEVEL)
			return sig_refuse(reason, reason_size,
				      "minimum functionality level must be at least %d for wildcard size hash signatures",
				      WILDCARD_SIZE_FLEVEL);
		hash.size = HASH_SIZE_ANY;
	} else if (!sig_parse_decimal(fields[1], lengths[1], UINT64_MAX - 1, &hash.size) || !hash.size) {
		return sig_refuse(reason, reason_size, "invalid value for the size field '%.*s'",
			      (int)lengths[1], fields[1]);
	}
	if (min_flevel > CLAMAV_FLEVEL || (count == 5 && max_flevel < CLAMAV_FLEVEL))
		return 0;

	name = signature_set_add_name(set, fields[2], lengths[2]);
	if (name < 0)
		return (int)name;
	hash.name = (uint32_t)name;
	hash.source_rank = set->current_rank;
	if (false_positive)
		index = signature_set_push((void **)&set->false_positives, &set->false_positive_count,
					   &set->false_positive_capacity, sizeof(hash), 1);
	else
		index = signature_set_push((void **)&set->hashes, &set->hash_count,
					   &set->hash_capacity, sizeof(hash), 1);
	if (index < 0)
		return (int)index;
	(false_positive ? set->false_positives : set->hashes)[index] = hash;
	return 0;
}
