// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by every part of the tool. */
#include "ck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ck_seterr(struct ck_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static void verror(FILE *f, const char *where, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(f, "ceph-kmod%s%s: %s\n", where && where[0] ? " " : "", where ? where : "", msg);
}

void ck_errorf(FILE *f, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(f, where, fmt, ap);
	va_end(ap);
}

void ck_error(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(stderr, where, fmt, ap);
	va_end(ap);
}

void ck_buf_free(struct ck_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/*
 * struct ck_buf holds file contents (ck_read_file) as well as the text reports built with
 * ck_buf_printf, and its data is read between appends; a FILE from open_memstream(3) would
 * need an fflush before every such read, so the buffer grows here, in one place.
 */
int ck_buf_append(struct ck_buf *b, const void *p, size_t n)
{
	unsigned char *nd = realloc(b->data, b->len + n + 1);

	if (!nd)
		return -1;
	b->data = nd;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int ck_buf_printf(struct ck_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[512], *big = NULL;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return ck_buf_append(b, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return -1;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = ck_buf_append(b, big, (size_t)n);
	free(big);
	return rc;
}

/* Reads fd to its end into *data (malloc'd, *len bytes), stopping past max. 0 or -1. */
static int read_all(int fd, const char *path, size_t max, unsigned char **data, size_t *len,
		    struct ck_err *e)
{
	size_t cap = 0;

	for (;;) {
		ssize_t n;

		if (*len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			unsigned char *nd;

			if (cap >= max + 1)
				return 0;
			if (ncap > max + 1)
				ncap = max + 1;
			nd = realloc(*data, ncap);
			if (!nd) {
				ck_seterr(e, "%s: out of memory", path);
				return -1;
			}
			*data = nd;
			cap = ncap;
		}
		n = read(fd, *data + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ck_seterr(e, "%s: read: %s", path, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		*len += (size_t)n;
	}
}

int ck_read_file(const char *path, size_t max, struct ck_buf *out, struct ck_err *e)
{
	struct stat st;
	unsigned char *data = NULL;
	size_t len = 0;
	int fd, rc;

	out->data = NULL;
	out->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ck_seterr(e, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		ck_seterr(e, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	rc = read_all(fd, path, max, &data, &len, e);
	close(fd);
	if (rc == 0 && len > max) {
		ck_seterr(e, "%s: larger than %zu bytes", path, max);
		rc = -1;
	}
	if (rc < 0) {
		free(data);
		return -1;
	}
	out->data = data;
	out->len = len;
	return 0;
}

void ck_hex(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, o = 0;

	if (!outlen)
		return;
	for (i = 0; i < n && o + 2 < outlen; i++) {
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 15];
	}
	out[o] = '\0';
}

const char *ck_env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return (v && *v) ? v : def;
}

int ck_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ck_path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int ck_pathf(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

int ck_mkstemp(char *buf, size_t buflen, const char *prefix)
{
	if (ck_pathf(buf, buflen, "%s/%s-XXXXXX", ck_env_or("TMPDIR", "/tmp"), prefix) < 0)
		return -1;
	return mkstemp(buf);
}
