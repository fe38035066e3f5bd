/* SPDX-License-Identifier: GPL-2.0 */
/* Subcommands of ceph-kmod. Each gets its own name as argv[0] and the arguments after
 * it, and parses them with getopt_long. */
#ifndef CK_CMDS_H
#define CK_CMDS_H

#include <stddef.h>
#include <stdio.h>

int ck_cmd_verify(int argc, char **argv);
int ck_cmd_status(int argc, char **argv);
int ck_cmd_enroll(int argc, char **argv);
int ck_cmd_debug(int argc, char **argv);

void ck_usage_verify(FILE *f);
void ck_usage_status(FILE *f);
void ck_usage_enroll(FILE *f);
void ck_usage_debug(FILE *f);

/* The option getopt_long just refused (o: what it returned, '?' or ':'), as typed:
 * "--name" or "-c", in buf. */
const char *ck_opt_refused(char **argv, int o, char *buf, size_t buflen);

/* A usage error: one line "ceph-kmod CMD: WHAT (see: ceph-kmod help CMD)" on stderr.
 * Returns CK_EXIT_USAGE (64). */
int ck_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
