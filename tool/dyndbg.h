/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's dynamic debug control file: reading its callsites, writing queries, and
 * the queries that put a module's callsites back to a saved state. Queries match on
 * module, function and line only: source paths differ between in-tree and dkms builds.
 */
#ifndef CK_DYNDBG_H
#define CK_DYNDBG_H

#include <stddef.h>

#include "ck.h"

#define CK_DD_NAME 64
#define CK_DD_FLAGS 16

/* One line of the control file: "FILE:LINE [MODULE]FUNC =FLAGS \"FORMAT\"". */
struct ck_dd_site {
	char module[CK_DD_NAME];
	char func[CK_DD_NAME];
	unsigned line;
	char flags[CK_DD_FLAGS]; /* without '='; "_" when none */
};

struct ck_dd_sites {
	struct ck_dd_site *v;
	size_t n, cap;
};

void ck_dd_sites_free(struct ck_dd_sites *s);
int ck_dd_sites_add(struct ck_dd_sites *s, const struct ck_dd_site *site);

/* Parses control-file text, keeping the callsites of module (all when NULL) and
 * skipping lines it does not understand. Returns 0 or -1 (no memory). */
int ck_dd_parse(const char *text, size_t len, const char *module, struct ck_dd_sites *out);
/* Reads and parses the control file at path. */
int ck_dd_read(const char *path, const char *module, struct ck_dd_sites *out, struct ck_err *e);
/* Writes one query (one write(2), as the kernel wants). 0 or -1 with e set. */
int ck_dd_write(const char *path, const char *query, struct ck_err *e);

/* 1 when flags enable printing (contain 'p'). */
int ck_dd_enabled(const char *flags);
/* A module/function/file name safe to put into a query (no blanks, quotes, ';', '#'). */
int ck_dd_name_ok(const char *s);

/* The query enabling module's callsites, narrowed by file and func (either may be NULL).
 * Returns 0 or -1 when it does not fit. */
int ck_dd_on_query(char *out, size_t outlen, const char *module, const char *file,
		   const char *func, const char *flags);

/* Queries (newline-terminated, appended to out) that set every callsite of module back to
 * the flags in saved: the most frequent flags for the whole module, then one query per
 * callsite (module, func, line) that differs. Returns the number of queries, -1 on error. */
long ck_dd_restore_queries(const struct ck_dd_sites *saved, const char *module,
			   struct ck_buf *out);

/* Callsites of module whose flags differ between a and b (matched by func and line). */
size_t ck_dd_diff(const struct ck_dd_sites *a, const struct ck_dd_sites *b, const char *module);

#endif
