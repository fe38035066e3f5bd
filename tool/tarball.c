// SPDX-License-Identifier: GPL-2.0
/* .tar.gz writer (see tarball.h). */
#include "tarball.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static void octal(char *field, size_t width, unsigned long long v)
{
	/* width-1 digits and a NUL, as GNU tar writes (values are checked to fit) */
	size_t i;

	field[width - 1] = '\0';
	for (i = width - 1; i > 0; i--) {
		field[i - 1] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

static int name_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return 0;
	while (*p) {
		const char *s = strchr(p, '/');
		size_t n = s ? (size_t)(s - p) : strlen(p);

		if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.'))
			return 0;
		p += n + (s ? 1 : 0);
		if (s && !*p)
			return 0;
	}
	return 1;
}

int ck_tar_header(unsigned char hdr[512], const char *name, size_t size, time_t mtime)
{
	size_t len = strlen(name), i;
	unsigned sum = 0;
	char *h = (char *)hdr;

	memset(hdr, 0, 512);
	if (!name_ok(name) || len > 255 || (unsigned long long)size >= (1ULL << 33))
		return -1;
	if (len > 100) {
		size_t split = 0;

		/* prefix (<= 155) "/" name (<= 100), split at a slash */
		for (i = len - 1; i > 0; i--) {
			if (i <= 155 && len - i - 1 <= 100 && len - i - 1 > 0 && name[i] == '/') {
				split = i;
				break;
			}
		}
		if (!split)
			return -1;
		memcpy(h + 345, name, split);
		memcpy(h, name + split + 1, len - split - 1);
	} else {
		memcpy(h, name, len);
	}
	octal(h + 100, 8, 0600);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime > 0 ? (unsigned long long)mtime : 0);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	for (i = 0; i < 512; i++)
		sum += hdr[i];
	snprintf(h + 148, 8, "%06o", sum);
	return 0;
}

int ck_tar_open(struct ck_tar *t, const char *path, struct ck_err *e)
{
	int gfd;

	memset(t, 0, sizeof(*t));
	t->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (t->fd < 0) {
		ck_seterr(e, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(t->fd, 0600) < 0 || (gfd = dup(t->fd)) < 0) {
		ck_seterr(e, "%s: %s", path, strerror(errno));
		close(t->fd);
		unlink(path);
		return -1;
	}
	t->gz = gzdopen(gfd, "wb6");
	if (!t->gz) {
		ck_seterr(e, "%s: gzdopen failed", path);
		close(gfd);
		close(t->fd);
		unlink(path);
		return -1;
	}
	return 0;
}

static int gzwrite_all(struct ck_tar *t, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0 && !t->failed) {
		unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;

		if (gzwrite(t->gz, c, chunk) != (int)chunk)
			t->failed = 1;
		c += chunk;
		n -= chunk;
	}
	return t->failed ? -1 : 0;
}

int ck_tar_add(struct ck_tar *t, const char *name, const void *data, size_t len, time_t mtime)
{
	unsigned char hdr[512], pad[512];

	if (t->failed || ck_tar_header(hdr, name, len, mtime) < 0) {
		t->failed = 1;
		return -1;
	}
	memset(pad, 0, sizeof(pad));
	if (gzwrite_all(t, hdr, 512) < 0 || gzwrite_all(t, data, len) < 0 ||
	    (len % 512 && gzwrite_all(t, pad, 512 - len % 512) < 0))
		return -1;
	return 0;
}

int ck_tar_close(struct ck_tar *t, struct ck_err *e)
{
	unsigned char zero[1024];
	int rc = 0;

	memset(zero, 0, sizeof(zero));
	gzwrite_all(t, zero, sizeof(zero));
	if (gzclose(t->gz) != Z_OK)
		t->failed = 1;
	if (fsync(t->fd) < 0)
		t->failed = 1;
	if (close(t->fd) < 0)
		t->failed = 1;
	if (t->failed) {
		ck_seterr(e, "writing the archive failed: %s", strerror(errno ? errno : EIO));
		rc = -1;
	}
	t->gz = NULL;
	t->fd = -1;
	return rc;
}
