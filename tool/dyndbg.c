// SPDX-License-Identifier: GPL-2.0
/* Dynamic debug control file: parse, write, restore queries (see dyndbg.h). */
#include "dyndbg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The control file lists every callsite of the kernel: a few MiB on big configs. */
#define CONTROL_MAX ((size_t)256 * 1024 * 1024)

void ck_dd_sites_free(struct ck_dd_sites *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int ck_dd_sites_add(struct ck_dd_sites *s, const struct ck_dd_site *site)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		struct ck_dd_site *nv = realloc(s->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = *site;
	return 0;
}

/* Copies [p, p+n) into out (size CK_DD_NAME or CK_DD_FLAGS); 0 or -1 when too long/empty. */
static int take(char *out, size_t outlen, const char *p, size_t n)
{
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int parse_line(const char *p, size_t n, struct ck_dd_site *s)
{
	const char *end = p + n, *sp, *colon = NULL, *q;
	unsigned long line = 0;

	sp = memchr(p, ' ', n);
	if (!sp || p[0] == '#')
		return -1;
	for (q = p; q < sp; q++)
		if (*q == ':')
			colon = q;
	if (!colon || colon == p || colon + 1 == sp)
		return -1;
	for (q = colon + 1; q < sp; q++) {
		if (*q < '0' || *q > '9' || line > 100000000UL)
			return -1;
		line = line * 10 + (unsigned long)(*q - '0');
	}
	s->line = (unsigned)line;
	for (q = sp; q < end && *q == ' '; q++)
		;
	if (q >= end || *q != '[')
		return -1;
	p = ++q;
	while (q < end && *q != ']' && *q != ' ')
		q++;
	if (q >= end || *q != ']' || take(s->module, sizeof(s->module), p, (size_t)(q - p)) < 0)
		return -1;
	p = ++q;
	while (q < end && *q != ' ')
		q++;
	if (take(s->func, sizeof(s->func), p, (size_t)(q - p)) < 0)
		return -1;
	while (q < end && *q == ' ')
		q++;
	if (q >= end || *q != '=')
		return -1;
	p = ++q;
	while (q < end && *q != ' ')
		q++;
	return take(s->flags, sizeof(s->flags), p, (size_t)(q - p));
}

int ck_dd_parse(const char *text, size_t len, const char *module, struct ck_dd_sites *out)
{
	size_t off = 0;

	while (off < len) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		struct ck_dd_site s;

		memset(&s, 0, sizeof(s));
		if (parse_line(p, n, &s) == 0 && (!module || strcmp(s.module, module) == 0) &&
		    ck_dd_sites_add(out, &s) < 0)
			return -1;
		off += n + 1;
	}
	return 0;
}

int ck_dd_read(const char *path, const char *module, struct ck_dd_sites *out, struct ck_err *e)
{
	struct ck_buf b;
	int rc;

	if (ck_read_file(path, CONTROL_MAX, &b, e) < 0)
		return -1;
	rc = ck_dd_parse((const char *)b.data, b.len, module, out);
	ck_buf_free(&b);
	if (rc < 0)
		ck_seterr(e, "%s: out of memory", path);
	return rc;
}

int ck_dd_write(const char *path, const char *query, struct ck_err *e)
{
	size_t n = strlen(query);
	ssize_t w;
	int fd;

	/* O_APPEND changes nothing for the kernel's file; a plain file (tests) keeps a log. */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ck_seterr(e, "cannot open %s for writing: %s%s", path, strerror(errno),
			  errno == EPERM ? " (kernel lockdown refuses debugfs writes)" : "");
		return -1;
	}
	do {
		w = write(fd, query, n);
	} while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != n) {
		ck_seterr(e, "%s: query '%.*s' refused: %s", path,
			  (int)(n && query[n - 1] == '\n' ? n - 1 : n), query,
			  w < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		ck_seterr(e, "%s: close: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int ck_dd_enabled(const char *flags)
{
	return strchr(flags, 'p') != NULL;
}

int ck_dd_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= CK_DD_NAME * 4)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_-./*?", c)))
			return 0;
	}
	return 1;
}

int ck_dd_on_query(char *out, size_t outlen, const char *module, const char *file,
		   const char *func, const char *flags)
{
	return ck_pathf(out, outlen, "module %s%s%s%s%s %s\n", module, file ? " file " : "",
			file ? file : "", func ? " func " : "", func ? func : "", flags);
}

static int append(struct ck_buf *out, const char *s)
{
	size_t n = strlen(s);
	unsigned char *nd = realloc(out->data, out->len + n + 1);

	if (!nd)
		return -1;
	out->data = nd;
	memcpy(out->data + out->len, s, n + 1);
	out->len += n;
	return 0;
}

long ck_dd_restore_queries(const struct ck_dd_sites *saved, const char *module,
			   struct ck_buf *out)
{
	const char *base = NULL;
	size_t i, k, best = 0;
	long nq = 0;
	char q[CK_DD_NAME * 3 + CK_DD_FLAGS + 64];

	/* the most frequent flags of the module's saved callsites */
	for (i = 0; i < saved->n; i++) {
		size_t count = 0;

		if (strcmp(saved->v[i].module, module) != 0)
			continue;
		for (k = i; k < saved->n; k++)
			if (strcmp(saved->v[k].module, module) == 0 &&
			    strcmp(saved->v[k].flags, saved->v[i].flags) == 0)
				count++;
		if (count > best) {
			best = count;
			base = saved->v[i].flags;
		}
		if (best * 2 > saved->n)
			break;
	}
	if (!base)
		return 0;
	if (ck_pathf(q, sizeof(q), "module %s =%s\n", module, base) < 0 || append(out, q) < 0)
		return -1;
	nq++;
	for (i = 0; i < saved->n; i++) {
		const struct ck_dd_site *s = &saved->v[i];

		if (strcmp(s->module, module) != 0 || strcmp(s->flags, base) == 0)
			continue;
		if (ck_pathf(q, sizeof(q), "module %s func %s line %u =%s\n", module, s->func,
			     s->line, s->flags) < 0 ||
		    append(out, q) < 0)
			return -1;
		nq++;
	}
	return nq;
}

static size_t mod_count(const struct ck_dd_sites *s, const char *module)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += strcmp(s->v[i].module, module) == 0;
	return n;
}

size_t ck_dd_diff(const struct ck_dd_sites *a, const struct ck_dd_sites *b, const char *module)
{
	size_t i, k, ia = 0, ib = 0, diff = 0, na = mod_count(a, module), nb = mod_count(b, module);
	int same_layout = na == nb;

	/* usually both list the module's callsites in the same order: compare in step */
	for (i = 0, k = 0; same_layout && i < a->n && k < b->n;) {
		if (strcmp(a->v[i].module, module) != 0) {
			i++;
			continue;
		}
		if (strcmp(b->v[k].module, module) != 0) {
			k++;
			continue;
		}
		if (a->v[i].line != b->v[k].line || strcmp(a->v[i].func, b->v[k].func) != 0)
			same_layout = 0;
		else
			diff += strcmp(a->v[i].flags, b->v[k].flags) != 0;
		i++;
		k++;
	}
	if (same_layout)
		return diff;
	diff = 0;
	for (ia = 0; ia < a->n; ia++) {
		const struct ck_dd_site *s = &a->v[ia];
		int found = 0;

		if (strcmp(s->module, module) != 0)
			continue;
		for (ib = 0; ib < b->n; ib++) {
			const struct ck_dd_site *t = &b->v[ib];

			if (t->line == s->line && strcmp(t->module, module) == 0 &&
			    strcmp(t->func, s->func) == 0) {
				found = 1;
				diff += strcmp(t->flags, s->flags) != 0;
				break;
			}
		}
		diff += !found;
	}
	return diff;
}
