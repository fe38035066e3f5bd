// SPDX-License-Identifier: GPL-2.0
/* Saved state of `ceph-kmod debug` (see debug_state.h). */
#include "debug_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debug.h"

#define STATE_MAX ((size_t)64 * 1024 * 1024)

void ck_dbg_state_init(struct ck_dbg_state *s)
{
	memset(s, 0, sizeof(*s));
	s->console_level = -1;
}

void ck_dbg_state_free(struct ck_dbg_state *s)
{
	ck_dd_sites_free(&s->sites);
	ck_dbg_state_init(s);
}

int ck_dbg_state_has_module(const struct ck_dbg_state *s, const char *module)
{
	int i;

	for (i = 0; i < s->nmodules; i++)
		if (strcmp(s->modules[i], module) == 0)
			return 1;
	return 0;
}

int ck_dbg_state_add_module(struct ck_dbg_state *s, const char *module,
			    const struct ck_dd_sites *all)
{
	size_t i;

	if (ck_dbg_state_has_module(s, module))
		return 0;
	if (s->nmodules >= CK_DBG_STATE_MAXMODS || strlen(module) >= CK_DD_NAME)
		return -1;
	snprintf(s->modules[s->nmodules++], CK_DD_NAME, "%s", module);
	for (i = 0; i < all->n; i++)
		if (strcmp(all->v[i].module, module) == 0 && ck_dd_sites_add(&s->sites, &all->v[i]) < 0)
			return -1;
	return 0;
}

int ck_dbg_state_format(const struct ck_dbg_state *s, struct ck_buf *out)
{
	size_t i;
	int m;

	out->data = NULL;
	out->len = 0;
	if (ck_buf_printf(out, "%s\nboot_id %s\ncreated %lld\n", CK_DBG_STATE_MAGIC, s->boot_id,
			  s->created) < 0 ||
	    (s->console_level >= 0 &&
	     ck_buf_printf(out, "console_loglevel %d\n", s->console_level) < 0) ||
	    (s->at_load && ck_buf_printf(out, "at_load %s\n", CK_DBG_ATLOAD) < 0) ||
	    (s->persist && ck_buf_printf(out, "persist %s\n", CK_DBG_RSYSLOG_DST) < 0))
		goto fail;
	for (m = 0; m < s->nmodules; m++) {
		if (ck_buf_printf(out, "module %s\n", s->modules[m]) < 0)
			goto fail;
		for (i = 0; i < s->sites.n; i++) {
			const struct ck_dd_site *x = &s->sites.v[i];

			if (strcmp(x->module, s->modules[m]) == 0 &&
			    ck_buf_printf(out, "site %s\t%s\t%u\t%s\n", x->module, x->func, x->line,
					  x->flags) < 0)
				goto fail;
		}
	}
	if (ck_buf_printf(out, "end\n") < 0)
		goto fail;
	return 0;
fail:
	ck_buf_free(out);
	return -1;
}

/* Copies a tab/line field into out; 0 or -1 when empty or too long. */
static int field(const char **p, const char *end, char stop, char *out, size_t outlen)
{
	const char *q = *p;
	size_t n;

	while (q < end && *q != stop && *q != '\n')
		q++;
	n = (size_t)(q - *p);
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = q < end && *q == stop ? q + 1 : q;
	return 0;
}

static int parse_uint(const char *s, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return (*s < '0' || *s > '9' || *end || errno || *v > max) ? -1 : 0;
}

/* "site MODULE<TAB>FUNC<TAB>LINE<TAB>FLAGS" after the key, v up to eol. 0 or -1. */
static int parse_site(const char *v, const char *eol, struct ck_dbg_state *s)
{
	struct ck_dd_site x;
	char line[16];
	long long num;

	memset(&x, 0, sizeof(x));
	if (field(&v, eol, '\t', x.module, sizeof(x.module)) < 0 ||
	    field(&v, eol, '\t', x.func, sizeof(x.func)) < 0 ||
	    field(&v, eol, '\t', line, sizeof(line)) < 0 || parse_uint(line, 100000000, &num) < 0 ||
	    field(&v, eol, '\n', x.flags, sizeof(x.flags)) < 0 || v != eol ||
	    !ck_dbg_state_has_module(s, x.module))
		return -1;
	x.line = (unsigned)num;
	return ck_dd_sites_add(&s->sites, &x) < 0 ? -1 : 0;
}

/* Any other record: KEY VALUE, v at the value up to eol. 0 or -1. */
static int parse_record(const char *key, const char *v, const char *eol, struct ck_dbg_state *s)
{
	char val[PATH_MAX];
	long long num;

	if (field(&v, eol, '\n', val, sizeof(val)) < 0 || v != eol)
		return -1;
	if (strcmp(key, "boot_id") == 0) {
		if (strlen(val) >= sizeof(s->boot_id))
			return -1;
		memcpy(s->boot_id, val, strlen(val) + 1);
	} else if (strcmp(key, "created") == 0) {
		return parse_uint(val, (long long)1 << 62, &s->created);
	} else if (strcmp(key, "console_loglevel") == 0) {
		if (parse_uint(val, 15, &num) < 0)
			return -1;
		s->console_level = (int)num;
	} else if (strcmp(key, "at_load") == 0) {
		s->at_load = 1;
	} else if (strcmp(key, "persist") == 0) {
		s->persist = 1;
	} else if (strcmp(key, "module") == 0) {
		if (s->nmodules >= CK_DBG_STATE_MAXMODS || strlen(val) >= CK_DD_NAME ||
		    ck_dbg_state_has_module(s, val))
			return -1;
		memcpy(s->modules[s->nmodules++], val, strlen(val) + 1);
	} else {
		return -1;
	}
	return 0;
}

/* One line after the magic (p to eol). 0, 1 for the end line, -1 malformed. */
static int parse_line(const char *p, const char *eol, struct ck_dbg_state *s)
{
	char key[32];

	if (field(&p, eol, ' ', key, sizeof(key)) < 0)
		return -1;
	if (strcmp(key, "end") == 0)
		return 1;
	if (strcmp(key, "site") == 0)
		return parse_site(p, eol, s);
	return parse_record(key, p, eol, s);
}

int ck_dbg_state_parse(const char *text, size_t len, struct ck_dbg_state *s, struct ck_err *e)
{
	const char *p = text, *end = text + len;
	int lineno = 0, ended = 0, r;

	ck_dbg_state_init(s);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		lineno++;
		if (lineno == 1)
			r = (size_t)(eol - p) == strlen(CK_DBG_STATE_MAGIC) &&
			    memcmp(p, CK_DBG_STATE_MAGIC, (size_t)(eol - p)) == 0 ? 0 : -1;
		else
			r = parse_line(p, eol, s);
		if (r < 0) {
			ck_seterr(e, "malformed line %d", lineno);
			ck_dbg_state_free(s);
			return -1;
		}
		ended |= r;
		p = eol + 1;
	}
	if (lineno == 0 || !ended || !s->boot_id[0]) {
		ck_seterr(e, "incomplete (no magic, boot_id or end line)");
		ck_dbg_state_free(s);
		return -1;
	}
	return 0;
}

int ck_dbg_state_load(const char *path, struct ck_dbg_state *s, struct ck_err *e)
{
	struct ck_buf b;
	struct ck_err why;

	ck_dbg_state_init(s);
	if (!ck_path_exists(path))
		return 0;
	if (ck_read_file(path, STATE_MAX, &b, e) < 0)
		return -1;
	if (ck_dbg_state_parse((const char *)b.data, b.len, s, &why) < 0) {
		ck_seterr(e, "%s: %s", path, why.msg);
		ck_buf_free(&b);
		return -1;
	}
	ck_buf_free(&b);
	return 1;
}

static int mkdir_p(char *dir, mode_t mode)
{
	char *s;

	for (s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, mode) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return mkdir(dir, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int ck_dbg_state_save(const char *path, const struct ck_dbg_state *s, struct ck_err *e)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16], *slash;
	struct ck_buf b;
	size_t off = 0, len;
	int fd, dfd;

	if (ck_pathf(dir, sizeof(dir), "%s", path) < 0 || !(slash = strrchr(dir, '/')) ||
	    ck_pathf(tmp, sizeof(tmp), "%s.tmp", path) < 0) {
		ck_seterr(e, "%s: bad path", path);
		return -1;
	}
	*slash = '\0';
	if (dir[0] && mkdir_p(dir, 0700) < 0) {
		ck_seterr(e, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (ck_dbg_state_format(s, &b) < 0) {
		ck_seterr(e, "out of memory");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ck_seterr(e, "cannot create %s: %s", tmp, strerror(errno));
		ck_buf_free(&b);
		return -1;
	}
	while (off < b.len) {
		ssize_t w = write(fd, b.data + off, b.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	len = b.len;
	ck_buf_free(&b);
	if (off != len || fsync(fd) < 0) {
		ck_seterr(e, "cannot write %s: %s", tmp, strerror(errno ? errno : EIO));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		ck_seterr(e, "cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		ck_seterr(e, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
