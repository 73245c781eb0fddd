// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil reload`. Placeholder until its issue lands: it says so and
 * exits 2, so no script mistakes it for success.
 */
#include <stdio.h>

#include "subcommands.h"

int reload_main(int argc, char *argv[])
{
	fprintf(stderr, "%s: %s: not available in this build yet\n", program_name, argv[0]);
	return 2;
}
