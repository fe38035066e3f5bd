/* SPDX-License-Identifier: GPL-2.0 */
/* Common types of the ceph-kmod tool: byte buffers, error text, exit codes. */
#ifndef CK_H
#define CK_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes of "ceph-kmod verify" (ordered: with several modules the highest wins). */
enum ck_verdict {
	CK_VALID = 0,     /* signature verifies against a given certificate */
	CK_BADSIG = 1,    /* a matching certificate exists but the signature does not verify */
	CK_NOCERT = 2,    /* signed, but by none of the given certificates */
	CK_UNSIGNED = 3,  /* a well-formed module without a signature trailer */
	CK_MALFORMED = 4, /* unreadable, truncated, not a module, hostile lengths */
};

#define CK_EXIT_USAGE 64

/* Maximum size of a module file we accept (compressed or decompressed). */
#define CK_MAX_MODULE_SIZE ((size_t)512 * 1024 * 1024)

struct ck_err {
	char msg[512];
};

struct ck_buf {
	unsigned char *data;
	size_t len;
};

/* util.c */
void ck_seterr(struct ck_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ck_buf_free(struct ck_buf *b);
/* Reads a whole file (at most max bytes). Returns 0 or -1 with e set. */
int ck_read_file(const char *path, size_t max, struct ck_buf *out, struct ck_err *e);
/* Lower-case hex of n bytes into out (size >= 2n+1, truncated safely otherwise). */
void ck_hex(const unsigned char *p, size_t n, char *out, size_t outlen);
/* Environment variable or the default when unset or empty. */
const char *ck_env_or(const char *name, const char *def);
int ck_path_exists(const char *path);
/* mkstemp in $TMPDIR (default /tmp) named PREFIX-XXXXXX; path into buf. fd or -1. */
int ck_mkstemp(char *buf, size_t buflen, const char *prefix);
/* snprintf into a fixed buffer; returns -1 on truncation. */
int ck_pathf(char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
