// SPDX-License-Identifier: GPL-2.0
/* .tar.gz writer on libarchive (see tarball.h). */
#include "tarball.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ck_tar_name_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/' || strlen(name) > CK_TAR_NAME_MAX)
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

static int create_0600(const char *path, struct ck_err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		ck_seterr(e, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) < 0) {
		ck_seterr(e, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

int ck_tar_open(struct ck_tar *t, const char *path, struct ck_err *e)
{
	memset(t, 0, sizeof(*t));
	t->fd = create_0600(path, e);
	if (t->fd < 0)
		return -1;
	t->a = archive_write_new();
	if (!t->a || archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(t->a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(t->a, "gzip", "compression-level", "6") != ARCHIVE_OK ||
	    archive_write_open_fd(t->a, t->fd) != ARCHIVE_OK) {
		ck_seterr(e, "%s: libarchive: %s", path,
			  t->a ? archive_error_string(t->a) : "out of memory");
		if (t->a)
			archive_write_free(t->a);
		t->a = NULL;
		close(t->fd);
		unlink(path);
		return -1;
	}
	return 0;
}

int ck_tar_add(struct ck_tar *t, const char *name, const void *data, size_t len, time_t mtime)
{
	struct archive_entry *ent;

	if (t->failed || !ck_tar_name_ok(name)) {
		t->failed = 1;
		return -1;
	}
	ent = archive_entry_new();
	if (!ent) {
		t->failed = 1;
		return -1;
	}
	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_perm(ent, 0600);
	archive_entry_set_size(ent, (la_int64_t)len);
	archive_entry_set_mtime(ent, mtime > 0 ? mtime : 0, 0);
	archive_entry_set_uname(ent, "root");
	archive_entry_set_gname(ent, "root");
	if (archive_write_header(t->a, ent) != ARCHIVE_OK ||
	    (len && archive_write_data(t->a, data, len) != (la_ssize_t)len))
		t->failed = 1;
	archive_entry_free(ent);
	return t->failed ? -1 : 0;
}

int ck_tar_close(struct ck_tar *t, struct ck_err *e)
{
	int rc = 0;

	if (archive_write_close(t->a) != ARCHIVE_OK) {
		ck_seterr(e, "writing the archive failed: %s", archive_error_string(t->a));
		rc = -1;
	} else if (t->failed) {
		ck_seterr(e, "writing the archive failed: an entry was refused or not written");
		rc = -1;
	}
	archive_write_free(t->a);
	if (fsync(t->fd) < 0 || close(t->fd) < 0) {
		if (!rc)
			ck_seterr(e, "writing the archive failed: %s", strerror(errno));
		rc = -1;
	}
	t->a = NULL;
	t->fd = -1;
	return rc;
}

void ck_tar_top_dir(const char *out_path, char *base, size_t baselen)
{
	const char *slash = strrchr(out_path, '/');
	const char *bn = slash ? slash + 1 : out_path;
	size_t i, l = strlen(bn);

	if (l > 7 && strcmp(bn + l - 7, ".tar.gz") == 0)
		l -= 7;
	else if (l > 4 && strcmp(bn + l - 4, ".tgz") == 0)
		l -= 4;
	snprintf(base, baselen, "%.*s", (int)(l < 100 ? l : 100), bn);
	for (i = 0; base[i]; i++)
		if (base[i] == '/' || (base[i] == '.' && (i == 0 || base[i - 1] == '.')))
			base[i] = '_';
	if (!base[0])
		snprintf(base, baselen, "ceph-kmod-debug");
}
