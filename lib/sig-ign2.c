// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: parses one line of an .ign2 file, naming a signature the admin
 * wants ignored, in the three forms clamscan 1.4 loads:
 *   NAME            every signature of that name
 *   NAME:MD5        only the one whose database line (as written, without
 *                   its newline) has that MD5
 *   DB:LINE:NAME    the old .ign form; ignores NAME
 * Names compare exactly (case and `.UNOFFICIAL` included, as clamscan).
 * Entries go to the set; the engine loads .ign2 sources before the others
 * and signature_set_add_source() skips each ignored line as it comes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "signature.h"

int sig_ign2_parse_line(struct signature_set *set, const char *line, size_t length,
			char *reason, size_t reason_size)
{
	struct ignored_name entry = { 0 };
	const char *fields[3];
	size_t lengths[3], count;
	const char *name;
	size_t name_length;
	long index;

	count = sig_split_fields(line, length, fields, lengths, 3);
	if (count > 3)
		return sig_refuse(reason, reason_size,
				  "too many fields (NAME, NAME:MD5 or DB:LINE:NAME)");
	name = count == 3 ? fields[2] : fields[0];
	name_length = count == 3 ? lengths[2] : lengths[0];
	if (!name_length)
		return sig_refuse(reason, reason_size, "no signature name provided");
	if (name_length >= sizeof(entry.name))
		return sig_refuse(reason, reason_size, "signature name longer than %zu bytes",
				  sizeof(entry.name) - 1);
	if (sig_name_has_control(name, name_length))
		return sig_refuse(reason, reason_size, "control character in the signature name");
	if (count == 2) {
		if (lengths[1] != 32 || !sig_parse_hex_bytes(fields[1], 32, entry.md5))
			return sig_refuse(reason, reason_size, "malformed MD5 string");
		entry.has_md5 = true;
	}
	memcpy(entry.name, name, name_length);
	index = signature_set_push((void **)&set->ignored, &set->ignored_count,
				   &set->ignored_capacity, sizeof(entry), 1);
	if (index < 0)
		return (int)index;
	set->ignored[index] = entry;
	return 0;
}

bool signature_set_ignores(const struct signature_set *set, const char *name, size_t name_length,
			   const char *line, size_t line_length)
{
	bool md5_done = false;
	uint8_t md5[EVP_MAX_MD_SIZE];

	for (size_t i = 0; i < set->ignored_count; ++i) {
		const struct ignored_name *entry = &set->ignored[i];

		if (strlen(entry->name) != name_length || memcmp(entry->name, name, name_length))
			continue;
		if (!entry->has_md5)
			return true;
		if (!md5_done) {
			if (!EVP_Digest(line, line_length, md5, NULL, EVP_md5(), NULL))
				continue;
			md5_done = true;
		}
		if (!memcmp(md5, entry->md5, 16))
			return true;
	}
	return false;
}
