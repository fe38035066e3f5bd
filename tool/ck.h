/* SPDX-License-Identifier: GPL-2.0 */
/* Common types of the ceph-kmod tool: byte buffers, error text, exit codes. */
#ifndef CK_H
#define CK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes of "ceph-kmod verify" (ordered: with several modules the highest wins). */
enum ck_verdict {
	CK_VALID = 0,     /* signature verifies against a given certificate */
	CK_BADSIG = 1,    /* a matching certificate exists but the signature does not verify */
	CK_NOCERT = 2,    /* signed, but by none of the given certificates */
	CK_UNSIGNED = 3,  /* a well-formed module without a signature trailer */
	CK_MALFORMED = 4, /* unreadable, truncated, not a module, hostile lengths */
};

/*
 * Exit codes of every command (ceph-kmod(8), EXIT STATUS). A value means one thing per
 * command; the names say which. verify's 0..4 are enum ck_verdict.
 */
enum ck_exit {
	CK_EXIT_OK = 0,

	CK_EXIT_VERIFY_MIXED = 5, /* every signature valid, ceph_kmod_build ids differ */

	CK_EXIT_STATUS_UNREADABLE = 4, /* the modules root cannot be read */
	CK_EXIT_STATUS_BAD_SET = 5,    /* a kernel's installed set is mixed or incomplete */

	CK_EXIT_ENROLL_FAILED = 1,  /* mokutil missing or failed */
	CK_EXIT_ENROLL_BADCERT = 4, /* certificate unreadable or not a certificate */
	CK_EXIT_ENROLL_NO_EFI = 5,  /* not booted with UEFI */

	CK_EXIT_DEBUG_FAIL = 1,        /* a write or read failed; the message says which */
	CK_EXIT_DEBUG_NOT_LOADED = 2,  /* a named module is not loaded */
	CK_EXIT_DEBUG_UNSUPPORTED = 3, /* no CONFIG_DYNAMIC_DEBUG, or only debugfs under lockdown */

	CK_EXIT_USAGE = 64, /* EX_USAGE: bad command line */
};

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
/* The one error printer: "ceph-kmod[ WHERE]: MESSAGE\n" on f (ck_error: on stderr).
 * WHERE names the command ("verify", "debug on"), "" or NULL for none. */
void ck_errorf(FILE *f, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ck_error(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ck_seterr(struct ck_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ck_buf_free(struct ck_buf *b);
int ck_buf_append(struct ck_buf *b, const void *p, size_t n);
int ck_buf_printf(struct ck_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a whole file (at most max bytes). Returns 0 or -1 with e set. */
int ck_read_file(const char *path, size_t max, struct ck_buf *out, struct ck_err *e);
/* Lower-case hex of n bytes into out (size >= 2n+1, truncated safely otherwise). */
void ck_hex(const unsigned char *p, size_t n, char *out, size_t outlen);
/* Environment variable or the default when unset or empty. */
const char *ck_env_or(const char *name, const char *def);
int ck_path_exists(const char *path);
int ck_is_dir(const char *path);
/* mkstemp in $TMPDIR (default /tmp) named PREFIX-XXXXXX; path into buf. fd or -1. */
int ck_mkstemp(char *buf, size_t buflen, const char *prefix);
/* snprintf into a fixed buffer; returns -1 on truncation. */
int ck_pathf(char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
