/* SPDX-License-Identifier: GPL-2.0 */
/* Running helper programs (mokutil) without a shell. */
#ifndef CK_PROC_H
#define CK_PROC_H

#include "ck.h"

/* Runs argv[0] with argv. With out != NULL, captures stdout+stderr (at most 1 MiB,
 * NUL-terminated) and gives the child /dev/null as stdin; otherwise the child shares
 * our stdio (interactive). Returns the exit status, 128+signal, or -1 (e set) when it
 * could not be started. */
int ck_run(char *const argv[], struct ck_buf *out, struct ck_err *e);

/* The mokutil to use: $CEPH_KMOD_MOKUTIL, else the first mokutil in PATH, else NULL. */
const char *ck_mokutil_path(char *buf, size_t buflen);

#endif
