// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: fuzz target for the control-socket request parser: any bytes
 * a local peer sends must parse within bounds or be refused with a reason.
 */
// fuzz-sources: daemon/control-proto.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/control-proto.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_request request;
	const char *reason = NULL;
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (control_request_parse(copy, size, &request, &reason) == 0) {
		if (strlen(request.id) > CONTROL_ID_MAX)
			abort();
		control_request_read_only(&request);
	} else if (!reason) {
		abort();
	}
	free(copy);
	return 0;
}
