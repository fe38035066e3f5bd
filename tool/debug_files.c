// SPDX-License-Identifier: GPL-2.0
/* `ceph-kmod debug`: the files it owns outside the saved state: the modprobe.d file of
 * --at-load, the rsyslog drop-in link and logrotate copy of --persist. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debug_cmd.h"
#include "proc.h"

/* 1 when path is a file we wrote (starts with our header). */
int ck_dbg_atload_is_ours(const char *path)
{
	struct ck_buf b;
	struct ck_err e;
	int ours;

	if (ck_read_file(path, 1 << 20, &b, &e) < 0)
		return 0;
	ours = b.len >= strlen(CK_DBG_ATLOAD_HEADER) &&
	       memcmp(b.data, CK_DBG_ATLOAD_HEADER, strlen(CK_DBG_ATLOAD_HEADER)) == 0;
	ck_buf_free(&b);
	return ours;
}

/* Appends the lines of old (after our header) that are not about one of mods. */
static void atload_keep_others(struct ck_buf *nb, const struct ck_buf *old, char **mods,
			       int nmods)
{
	size_t off = strlen(CK_DBG_ATLOAD_HEADER);
	int i;

	while (off < old->len) {
		const char *p = (const char *)old->data + off;
		const char *nl = memchr(p, '\n', old->len - off);
		size_t n = nl ? (size_t)(nl - p) : old->len - off;
		int mine = n == 0;

		for (i = 0; i < nmods && !mine; i++) {
			char pre[96];

			snprintf(pre, sizeof(pre), "options %s ", mods[i]);
			if (n >= strlen(pre) && memcmp(p, pre, strlen(pre)) == 0)
				mine = 1;
		}
		if (!mine) {
			ck_buf_append(nb, p, n);
			ck_buf_append(nb, "\n", 1);
		}
		off += n + 1;
	}
}

/* Writes b to path through path.tmp (fsync, rename). 0 or -1 with e set. */
static int write_atomic(const char *path, const struct ck_buf *b, struct ck_err *e)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int rc = 0;

	if (ck_pathf(tmp, sizeof(tmp), "%s.tmp", path) < 0)
		return -1;
	f = fopen(tmp, "we");
	if (!f || fwrite(b->data, 1, b->len, f) != b->len || fflush(f) != 0 ||
	    fsync(fileno(f)) < 0) {
		ck_seterr(e, "cannot write %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (f && fclose(f) != 0 && rc == 0) {
		ck_seterr(e, "cannot write %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		ck_seterr(e, "cannot rename %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int ck_dbg_write_atload(const struct ck_dbg *d, char **mods, int nmods, const char *file,
			const char *func, struct ck_err *e)
{
	char path[PATH_MAX];
	struct ck_buf old = { NULL, 0 }, nb = { NULL, 0 };
	int i, rc;

	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) < 0)
		return -1;
	if (ck_path_exists(path)) {
		if (!ck_dbg_atload_is_ours(path)) {
			ck_seterr(e, "%s exists and was not written by ceph-kmod: move it away", path);
			return -1;
		}
		if (ck_read_file(path, 1 << 20, &old, e) < 0)
			return -1;
	}
	ck_buf_printf(&nb, "%s", CK_DBG_ATLOAD_HEADER);
	if (old.data)
		atload_keep_others(&nb, &old, mods, nmods);
	ck_buf_free(&old);
	for (i = 0; i < nmods; i++) {
		if (file || func)
			ck_buf_printf(&nb, "options %s dyndbg=\"%s%s%s%s%s+p\"\n", mods[i],
				      file ? "file " : "", file ? file : "", file ? " " : "",
				      func ? "func " : "", func ? func : "");
		else
			ck_buf_printf(&nb, "options %s dyndbg=+p\n", mods[i]);
	}
	rc = write_atomic(path, &nb, e);
	ck_buf_free(&nb);
	return rc;
}

static void rsyslog_restart(const struct ck_dbg *d)
{
	char *argv[] = { "/bin/systemctl", "try-restart", "rsyslog.service", NULL };
	struct ck_buf out;
	struct ck_err e;

	if (d->root[0] || !ck_path_exists("/run/systemd/system") || access(argv[0], X_OK) != 0) {
		printf("ceph-kmod debug: restart rsyslog for the change to take effect\n");
		return;
	}
	if (ck_run(argv, &out, &e) != 0)
		printf("ceph-kmod debug: systemctl try-restart rsyslog.service failed: %s\n",
		       out.data ? (char *)out.data : e.msg);
	ck_buf_free(&out);
}

/* The logrotate file: a copy of the shipped one (logrotate wants a regular root file),
 * when /etc/logrotate.d exists and has none. 0 or -1 with e set. */
static int logrotate_copy(const struct ck_dbg *d, struct ck_err *e)
{
	char src[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	struct ck_buf b;
	FILE *f;

	if (ck_dbg_path(d, src, sizeof(src), CK_DBG_LOGROTATE_SRC) < 0 ||
	    ck_dbg_path(d, dst, sizeof(dst), CK_DBG_LOGROTATE_DST) < 0 ||
	    ck_dbg_path(d, dir, sizeof(dir), "/etc/logrotate.d") < 0 || stat(dir, &st) != 0 ||
	    lstat(dst, &st) == 0)
		return 0;
	if (ck_read_file(src, 1 << 20, &b, e) < 0)
		return -1;
	f = fopen(dst, "wxe");
	if (!f || fwrite(b.data, 1, b.len, f) != b.len) {
		ck_seterr(e, "cannot write %s: %s", dst, strerror(errno));
		if (f)
			fclose(f);
		ck_buf_free(&b);
		return -1;
	}
	ck_buf_free(&b);
	if (fclose(f) != 0) {
		ck_seterr(e, "cannot write %s: %s", dst, strerror(errno));
		return -1;
	}
	return 0;
}

int ck_dbg_enable_persist(const struct ck_dbg *d, struct ck_err *e)
{
	char src[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
	struct stat st;

	if (ck_dbg_path(d, src, sizeof(src), CK_DBG_RSYSLOG_SRC) < 0 ||
	    ck_dbg_path(d, dst, sizeof(dst), CK_DBG_RSYSLOG_DST) < 0 ||
	    ck_dbg_path(d, dir, sizeof(dir), "/etc/rsyslog.d") < 0)
		return -1;
	if (!ck_path_exists(src)) {
		ck_seterr(e, "%s is missing: reinstall ceph-kmod (make install-package)", src);
		return -1;
	}
	if (stat(dir, &st) != 0) {
		ck_seterr(e, "%s does not exist: rsyslog is not installed (apt-get install rsyslog); "
			     "journald keeps the kernel log anyway (journalctl -k)", dir);
		return -1;
	}
	if (lstat(dst, &st) != 0) {
		if (symlink(CK_DBG_RSYSLOG_SRC, dst) < 0) {
			ck_seterr(e, "cannot create %s: %s", dst, strerror(errno));
			return -1;
		}
		rsyslog_restart(d);
	}
	return logrotate_copy(d, e);
}

/* 1 when the logrotate copy at path is ours (same bytes as the shipped file). */
static int logrotate_is_ours(const struct ck_dbg *d, const char *path)
{
	char src[PATH_MAX];
	struct ck_buf a, b;
	struct ck_err e;
	int same;

	if (ck_dbg_path(d, src, sizeof(src), CK_DBG_LOGROTATE_SRC) < 0 ||
	    ck_read_file(src, 1 << 20, &a, &e) < 0)
		return 0;
	if (ck_read_file(path, 1 << 20, &b, &e) < 0) {
		ck_buf_free(&a);
		return 0;
	}
	same = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
	ck_buf_free(&a);
	ck_buf_free(&b);
	return same;
}

/* Removes our modprobe.d file and rsyslog link; 0 or -1 with e set. */
int ck_dbg_remove_files(const struct ck_dbg *d, int verbose, struct ck_err *e)
{
	char path[PATH_MAX];
	struct stat st;
	int rc = 0;

	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) == 0 && ck_path_exists(path) &&
	    ck_dbg_atload_is_ours(path)) {
		if (unlink(path) < 0) {
			ck_seterr(e, "cannot remove %s: %s", path, strerror(errno));
			rc = -1;
		} else if (verbose) {
			printf("removed %s\n", path);
		}
	}
	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_LOGROTATE_DST) == 0 && ck_path_exists(path) &&
	    logrotate_is_ours(d, path)) {
		if (unlink(path) < 0) {
			ck_seterr(e, "cannot remove %s: %s", path, strerror(errno));
			rc = -1;
		} else if (verbose) {
			printf("removed %s\n", path);
		}
	}
	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_RSYSLOG_DST) == 0 && lstat(path, &st) == 0 &&
	    S_ISLNK(st.st_mode)) {
		if (unlink(path) < 0) {
			ck_seterr(e, "cannot remove %s: %s", path, strerror(errno));
			rc = -1;
		} else {
			if (verbose)
				printf("removed %s\n", path);
			rsyslog_restart(d);
		}
	}
	return rc;
}

/* After a reboot nothing saved describes this boot: the callsites our modprobe.d file
 * switched on at load are switched off (=_) before the file goes. */
void ck_dbg_atload_reset(const struct ck_dbg *d, int ctl)
{
	char path[PATH_MAX], q[128];
	struct ck_err e;
	int m;

	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) < 0 || !ck_dbg_atload_is_ours(path))
		return;
	for (m = 0; m < CK_DBG_NMODS; m++) {
		char pre[64];
		struct ck_buf b;

		if (!ck_dbg_loaded(d, ck_dbg_modules[m]) || ck_read_file(path, 1 << 20, &b, &e) < 0)
			continue;
		snprintf(pre, sizeof(pre), "\noptions %s ", ck_dbg_modules[m]);
		if (memmem(b.data, b.len, pre, strlen(pre)) && ctl == CK_DBG_OK) {
			snprintf(q, sizeof(q), "module %s =_\n", ck_dbg_modules[m]);
			if (ck_dd_write(d->control, q, &e) < 0)
				ck_error("debug off", "%s", e.msg);
			else
				printf("%s: callsites switched on at load by %s switched off\n",
				       ck_dbg_modules[m], CK_DBG_ATLOAD);
		}
		ck_buf_free(&b);
	}
}
