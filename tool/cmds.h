/* SPDX-License-Identifier: GPL-2.0 */
/* Subcommands of ceph-kmod. Each gets the arguments after its name. */
#ifndef CK_CMDS_H
#define CK_CMDS_H

int ck_cmd_verify(int argc, char **argv);
int ck_cmd_status(int argc, char **argv);
int ck_cmd_enroll(int argc, char **argv);
int ck_cmd_debug(int argc, char **argv);

void ck_usage_verify(FILE *f);
void ck_usage_status(FILE *f);
void ck_usage_enroll(FILE *f);
void ck_usage_debug(FILE *f);

/* Matches "--name VALUE" and "--name=VALUE" at argv[*i]; advances *i. 1 matched,
 * 0 not this option, -1 value missing. */
int ck_opt_value(int argc, char **argv, int *i, const char *name, const char **val);

/* A usage error: one line "ceph-kmod CMD: WHAT (see: ceph-kmod help CMD)" on stderr.
 * Returns CK_EXIT_USAGE (64). */
int ck_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
