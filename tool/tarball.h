/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal writer of .tar.gz archives (POSIX ustar, regular files, zlib). */
#ifndef CK_TARBALL_H
#define CK_TARBALL_H

#include <stddef.h>
#include <time.h>

#include "ck.h"

struct ck_tar {
	void *gz; /* gzFile */
	int fd;
	int failed;
};

/* Creates path (must not exist: O_EXCL, no symlink followed), mode 0600 whatever the
 * umask. 0 or -1 with e set. */
int ck_tar_open(struct ck_tar *t, const char *path, struct ck_err *e);
/* Adds a regular file, mode 0600. name: relative, '/'-separated, no "..", at most
 * 255 bytes. 0 or -1 (the archive is then marked failed). */
int ck_tar_add(struct ck_tar *t, const char *name, const void *data, size_t len, time_t mtime);
/* Writes the end-of-archive blocks, flushes and syncs. 0 or -1 with e set. */
int ck_tar_close(struct ck_tar *t, struct ck_err *e);

/* Fills a 512-byte ustar header; -1 when the name cannot be stored. */
int ck_tar_header(unsigned char hdr[512], const char *name, size_t size, time_t mtime);

#endif
