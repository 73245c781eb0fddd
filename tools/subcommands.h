/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * One prototype per `vigil` subcommand; each lives in tools/<name>.c and
 * is listed in the table in tools/vigil.c. Every entry point gets argv with
 * argv[0] set to the subcommand's name, handles its own --help (stdout when
 * asked for, stderr on misuse) and returns the process exit status.
 */
#ifndef VIGIL_TOOLS_SUBCOMMANDS_H
#define VIGIL_TOOLS_SUBCOMMANDS_H

extern const char *program_name;

int scan_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int reload_main(int argc, char *argv[]);
int tail_main(int argc, char *argv[]);
int quarantine_main(int argc, char *argv[]);
int selftest_main(int argc, char *argv[]);
int update_main(int argc, char *argv[]);
int bases_main(int argc, char *argv[]);

#endif
