// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: parses one line of an .ign2 file: the name of a signature the
 * admin wants ignored. Names are collected in the set; signature_set_finish()
 * drops every loaded signature of that name, whichever file it came from.
 * A name may carry clamscan's `.UNOFFICIAL` suffix; it is compared without.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "signature.h"

#define MAX_NAME_LENGTH 1024

int sig_ign2_parse_line(struct signature_set *set, const char *line, size_t length,
			char *reason, size_t reason_size)
{
	static const char suffix[] = ".UNOFFICIAL";
	long index;

	if (length >= sizeof(suffix) && !memcmp(line + length - (sizeof(suffix) - 1), suffix,
						sizeof(suffix) - 1))
		length -= sizeof(suffix) - 1;
	if (!length || length > MAX_NAME_LENGTH) {
		snprintf(reason, reason_size, "signature name empty or longer than %d bytes",
			 MAX_NAME_LENGTH);
		return -EINVAL;
	}
	for (size_t i = 0; i < length; ++i) {
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f || line[i] == ':') {
			snprintf(reason, reason_size, "invalid character in the signature name");
			return -EINVAL;
		}
	}
	index = signature_set_push((void **)&set->ignored, &set->ignored_size,
				   &set->ignored_capacity, 1, length + 1);
	if (index < 0)
		return (int)index;
	memcpy(set->ignored + index, line, length);
	set->ignored[index + length] = '\0';
	set->ignored_count++;
	return 0;
}
