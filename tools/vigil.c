// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the `vigil` command's front door. Owns the subcommand table
 * (name, entry point, one-line description) and nothing else: it picks the
 * entry by name and hands over argc/argv shifted by one, so the subcommand
 * sees its own name as argv[0]. Plain `vigil` runs `status`, as `wg` runs
 * `show`; an unknown name prints the table to stderr and exits 1.
 *
 *   main() -> subcommands[i].function(argc - 1, argv + 1) -> exit status
 */
#include <stdio.h>
#include <string.h>

#include "subcommands.h"
#include "version.h"

const char *program_name = "vigil";

static const struct {
	const char *name;
	int (*function)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "scan", scan_main, "Scans files on demand with signed bases or ClamAV-format signatures" },
	{ "status", status_main, "Shows what the running vigild protects, its bases and its counters" },
	{ "reload", reload_main, "Asks the running vigild to load the installed bases again" },
	{ "tail", tail_main, "Streams verdict records from the running vigild" },
	{ "quarantine", quarantine_main, "Lists, restores or deletes quarantined files" },
	{ "selftest", selftest_main, "Checks that protected paths really deny a test file" },
	{ "update", update_main, "Fetches, verifies and installs a newer signed bases bundle" },
	{ "bases", bases_main, "Release-side bundle tools: keygen, root, build, sign, verify, log" },
};

static void show_usage(FILE *file)
{
	fprintf(file, "Usage: %s <cmd> [<args>]\n\n", program_name);
	fprintf(file, "Available subcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); ++i)
		fprintf(file, "  %-12s%s\n", subcommands[i].name, subcommands[i].description);
	fprintf(file, "\nRun `%s <cmd> --help' for a subcommand's options.\n", program_name);
}

int main(int argc, char *argv[])
{
	static char *status_argv[] = { "status", NULL };

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "help"))) {
		show_usage(stdout);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	if (argc == 1)
		return status_main(1, status_argv);

	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); ++i) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].function(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: invalid subcommand `%s'\n", program_name, argv[1]);
	show_usage(stderr);
	return 1;
}
