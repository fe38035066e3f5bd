/* SPDX-License-Identifier: GPL-2.0 */
/* .tar.gz archives of in-memory files, written with libarchive (pax-restricted tar,
 * gzip filter): regular files only, mode 0600, owner root. */
#ifndef CK_TARBALL_H
#define CK_TARBALL_H

#include <stddef.h>
#include <time.h>

#include "ck.h"

struct ck_tar {
	struct archive *a;
	int fd;
	int failed;
};

/* Creates path (must not exist: O_EXCL, no symlink followed), mode 0600 whatever the
 * umask. 0 or -1 with e set. */
int ck_tar_open(struct ck_tar *t, const char *path, struct ck_err *e);
/* Adds a regular file, mode 0600. name: see ck_tar_name_ok. 0 or -1 (the archive is
 * then marked failed). */
int ck_tar_add(struct ck_tar *t, const char *name, const void *data, size_t len, time_t mtime);
/* Writes the end of the archive, flushes and syncs. 0 or -1 with e set. */
int ck_tar_close(struct ck_tar *t, struct ck_err *e);

/* 1 when name may go into an archive: relative, '/'-separated, no empty, "." or ".."
 * component, no trailing '/', at most CK_TAR_NAME_MAX bytes; else 0. */
#define CK_TAR_NAME_MAX 1024
int ck_tar_name_ok(const char *name);

/* The archive's top directory for out_path: its file name without .tar.gz or .tgz, at
 * most 100 bytes, '/' and leading or repeated dots made '_' ("ceph-kmod-debug" if empty). */
void ck_tar_top_dir(const char *out_path, char *base, size_t baselen);

#endif
