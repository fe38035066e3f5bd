// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod debug on|off|status|collect: the command front end. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "debug.h"
#include "debug_state.h"
#include "proc.h"

void ck_usage_debug(FILE *f)
{
	fputs("usage: ceph-kmod debug on [MODULE...] [--file F] [--func F] [--level N] [--at-load]\n"
	      "                             [--persist]\n"
	      "       ceph-kmod debug off\n"
	      "       ceph-kmod debug status\n"
	      "       ceph-kmod debug collect [-o FILE] [--secret-file FILE]...\n"
	      "\n"
	      "MODULE: libceph, rbd, ceph, nbd (default: those loaded). `on` enables their\n"
	      "pr_debug callsites through /proc/dynamic_debug/control (debugfs only without\n"
	      "lockdown), after saving what was there (once per boot); --level N also sets the\n"
	      "console log level; --at-load writes dyndbg= into /etc/modprobe.d; --persist enables\n"
	      "the rsyslog drop-in. `off` restores exactly the saved state and removes both files.\n"
	      "`collect` writes one redacted .tar.gz (0600) for a bug report.\n"
	      "\n"
	      "Exit status: 0 done, 1 failed, 2 module not loaded, 3 dynamic debug unavailable\n"
	      "(no CONFIG_DYNAMIC_DEBUG, or debugfs only under lockdown), 64 usage error.\n",
	      f);
}

static int known_module(const char *m)
{
	int i;

	for (i = 0; i < CK_DBG_NMODS; i++)
		if (strcmp(m, ck_dbg_modules[i]) == 0)
			return 1;
	return 0;
}

static int boot_id(const struct ck_dbg *d, char *out, size_t outlen)
{
	if (ck_dbg_read_small(d, "/proc/sys/kernel/random/boot_id", out, outlen) < 0 || !out[0]) {
		snprintf(out, outlen, "unknown");
		return -1;
	}
	return 0;
}

static int console_level(const struct ck_dbg *d)
{
	char buf[128];

	if (ck_dbg_read_small(d, "/proc/sys/kernel/printk", buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

static int write_console_level(const struct ck_dbg *d, int level, struct ck_err *e)
{
	char path[PATH_MAX], q[16];

	if (ck_dbg_path(d, path, sizeof(path), "/proc/sys/kernel/printk") < 0)
		return -1;
	snprintf(q, sizeof(q), "%d\n", level);
	return ck_dd_write(path, q, e);
}

/* Writes each line of queries as its own write. */
static int write_queries(const struct ck_dbg *d, const struct ck_buf *q, struct ck_err *e)
{
	size_t off = 0;
	char line[512];

	while (off < q->len) {
		const char *p = (const char *)q->data + off;
		const char *nl = memchr(p, '\n', q->len - off);
		size_t n = nl ? (size_t)(nl - p) + 1 : q->len - off;

		if (n >= sizeof(line)) {
			ck_seterr(e, "query too long");
			return -1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (ck_dd_write(d->control, line, e) < 0)
			return -1;
		off += n;
	}
	return 0;
}

static int state_path(const struct ck_dbg *d, char *out, size_t outlen)
{
	return ck_dbg_path(d, out, outlen, CK_DBG_STATE);
}

/* 1 when path is a file we wrote (starts with our header). */
static int atload_is_ours(const char *path)
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

/* (Re)writes the modprobe.d file: lines of other modules kept, ours replaced. */
static int write_atload(const struct ck_dbg *d, char **mods, int nmods, const char *file,
			const char *func, struct ck_err *e)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct ck_buf old = { NULL, 0 }, nb = { NULL, 0 };
	FILE *f;
	int i, rc = 0;

	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) < 0 ||
	    ck_pathf(tmp, sizeof(tmp), "%s.tmp", path) < 0)
		return -1;
	if (ck_path_exists(path)) {
		if (!atload_is_ours(path)) {
			ck_seterr(e, "%s exists and was not written by ceph-kmod: move it away", path);
			return -1;
		}
		if (ck_read_file(path, 1 << 20, &old, e) < 0)
			return -1;
	}
	ck_buf_printf(&nb, "%s", CK_DBG_ATLOAD_HEADER);
	if (old.data) {
		size_t off = strlen(CK_DBG_ATLOAD_HEADER);

		while (off < old.len) {
			const char *p = (const char *)old.data + off;
			const char *nl = memchr(p, '\n', old.len - off);
			size_t n = nl ? (size_t)(nl - p) : old.len - off;
			int mine = n == 0;

			for (i = 0; i < nmods && !mine; i++) {
				char pre[96];

				snprintf(pre, sizeof(pre), "options %s ", mods[i]);
				if (n >= strlen(pre) && memcmp(p, pre, strlen(pre)) == 0)
					mine = 1;
			}
			if (!mine) {
				ck_buf_append(&nb, p, n);
				ck_buf_append(&nb, "\n", 1);
			}
			off += n + 1;
		}
		ck_buf_free(&old);
	}
	for (i = 0; i < nmods; i++) {
		if (file || func)
			ck_buf_printf(&nb, "options %s dyndbg=\"%s%s%s%s%s+p\"\n", mods[i],
				      file ? "file " : "", file ? file : "", file ? " " : "",
				      func ? "func " : "", func ? func : "");
		else
			ck_buf_printf(&nb, "options %s dyndbg=+p\n", mods[i]);
	}
	f = fopen(tmp, "we");
	if (!f || fwrite(nb.data, 1, nb.len, f) != nb.len || fflush(f) != 0 ||
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

static int enable_persist(const struct ck_dbg *d, struct ck_err *e)
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
	/* rotation: a copy of the shipped file (logrotate wants a regular root file) */
	if (ck_dbg_path(d, src, sizeof(src), CK_DBG_LOGROTATE_SRC) == 0 &&
	    ck_dbg_path(d, dst, sizeof(dst), CK_DBG_LOGROTATE_DST) == 0 &&
	    ck_dbg_path(d, dir, sizeof(dir), "/etc/logrotate.d") == 0 && stat(dir, &st) == 0 &&
	    lstat(dst, &st) != 0) {
		struct ck_buf b;
		FILE *f;

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
	}
	return 0;
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
static int remove_files(const struct ck_dbg *d, int verbose, struct ck_err *e)
{
	char path[PATH_MAX];
	struct stat st;
	int rc = 0;

	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) == 0 && ck_path_exists(path) &&
	    atload_is_ours(path)) {
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
static void atload_reset(const struct ck_dbg *d, int ctl)
{
	char path[PATH_MAX], q[128];
	struct ck_err e;
	int m;

	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) < 0 || !atload_is_ours(path))
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
				fprintf(stderr, "ceph-kmod debug off: %s\n", e.msg);
			else
				printf("%s: callsites switched on at load by %s switched off\n",
				       ck_dbg_modules[m], CK_DBG_ATLOAD);
		}
		ck_buf_free(&b);
	}
}

static size_t count_enabled(const struct ck_dd_sites *s, const char *module, size_t *total)
{
	size_t i, n = 0;

	*total = 0;
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].module, module) != 0)
			continue;
		(*total)++;
		n += ck_dd_enabled(s->v[i].flags);
	}
	return n;
}

static int cmd_on(struct ck_dbg *d, int argc, char **argv)
{
	const char *file = NULL, *func = NULL, *val;
	char *mods[CK_DBG_NMODS], why[1024], spath[PATH_MAX], bid[64], q[512];
	int nmods = 0, level = -1, at_load = 0, persist = 0, i, k, rc = CK_DBG_OK, loaded_any = 0;
	int named = 0, writes;
	const char *kill_after = getenv("CEPH_KMOD_DEBUG_KILL_AFTER");
	struct ck_dd_sites all = { 0 }, now = { 0 };
	struct ck_dbg_state st;
	struct ck_err e;

	for (i = 0; i < argc; i++) {
		int r;

		if ((r = ck_opt_value(argc, argv, &i, "--file", &val)) != 0) {
			if (r < 0 || !ck_dd_name_ok(val))
				goto usage;
			file = val;
		} else if ((r = ck_opt_value(argc, argv, &i, "--func", &val)) != 0) {
			if (r < 0 || !ck_dd_name_ok(val))
				goto usage;
			func = val;
		} else if ((r = ck_opt_value(argc, argv, &i, "--level", &val)) != 0) {
			char *end;
			long l;

			if (r < 0)
				goto usage;
			l = strtol(val, &end, 10);
			if (*end || end == val || l < 1 || l > 8) {
				return ck_usage_error("debug", "on: --level wants 1..8 (8 shows "
						      "debug messages on the console), not '%s'", val);
			}
			level = (int)l;
		} else if (strcmp(argv[i], "--at-load") == 0) {
			at_load = 1;
		} else if (strcmp(argv[i], "--persist") == 0) {
			persist = 1;
		} else if (argv[i][0] == '-') {
			goto usage;
		} else if (known_module(argv[i])) {
			for (k = 0; k < nmods; k++)
				if (strcmp(mods[k], argv[i]) == 0)
					break;
			if (k == nmods)
				mods[nmods++] = argv[i];
			named = 1;
		} else {
			return ck_usage_error("debug", "on: '%s' is not one of libceph, rbd, ceph, nbd",
					      argv[i]);
		}
	}
	if (!named)
		for (k = 0; k < CK_DBG_NMODS; k++)
			mods[nmods++] = (char *)ck_dbg_modules[k];

	rc = ck_dbg_find_control(d, why, sizeof(why));
	if (rc != CK_DBG_OK) {
		fprintf(stderr, "ceph-kmod debug on: %s\n", why);
		return rc;
	}
	/* only loaded modules; named ones must be loaded unless --at-load */
	for (k = 0; k < nmods; k++) {
		if (ck_dbg_loaded(d, mods[k])) {
			loaded_any = 1;
		} else if (named && !at_load) {
			fprintf(stderr,
				"ceph-kmod debug on: module %s is not loaded (no %s/sys/module/%s): "
				"load it first (modprobe %s), or use --at-load to debug it from its "
				"next load\n",
				mods[k], d->root, mods[k], mods[k]);
			return CK_DBG_NOT_LOADED;
		}
	}
	if (!loaded_any && !at_load) {
		fprintf(stderr, "ceph-kmod debug on: none of libceph, rbd, ceph, nbd is loaded: "
				"load one (modprobe rbd), or use --at-load\n");
		return CK_DBG_NOT_LOADED;
	}
	memset(&e, 0, sizeof(e));
	if (ck_dd_read(d->control, NULL, &all, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug on: %s\n", e.msg);
		return CK_DBG_FAIL;
	}

	/* save the previous state once per boot, before touching anything */
	boot_id(d, bid, sizeof(bid));
	if (state_path(d, spath, sizeof(spath)) < 0 || ck_dbg_state_load(spath, &st, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug on: saved state unusable: %s; remove it after "
				"checking `ceph-kmod debug status`\n",
			e.msg);
		ck_dd_sites_free(&all);
		return CK_DBG_FAIL;
	}
	if (strcmp(st.boot_id, bid) != 0) {
		int keep_atload = st.at_load, keep_persist = st.persist;

		ck_dbg_state_free(&st);
		snprintf(st.boot_id, sizeof(st.boot_id), "%s", bid);
		st.created = (long long)time(NULL);
		st.at_load = keep_atload;
		st.persist = keep_persist;
	}
	for (k = 0; k < nmods; k++)
		if (ck_dbg_loaded(d, mods[k]) && ck_dbg_state_add_module(&st, mods[k], &all) < 0) {
			fprintf(stderr, "ceph-kmod debug on: out of memory\n");
			rc = CK_DBG_FAIL;
			goto out;
		}
	if (level >= 0 && st.console_level < 0)
		st.console_level = console_level(d);
	if (level >= 0 && st.console_level < 0) {
		fprintf(stderr, "ceph-kmod debug on: cannot read /proc/sys/kernel/printk\n");
		rc = CK_DBG_FAIL;
		goto out;
	}
	st.at_load |= at_load;
	st.persist |= persist;
	if (ck_dbg_state_save(spath, &st, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug on: cannot save the previous state: %s\n", e.msg);
		rc = CK_DBG_FAIL;
		goto out;
	}

	for (k = 0, writes = 0; k < nmods; k++) {
		if (!ck_dbg_loaded(d, mods[k]))
			continue;
		/* Test hook: SIGKILL after N writes, to prove `off` recovers from a crash. */
		if (kill_after && atoi(kill_after) == writes++)
			raise(SIGKILL);
		if (ck_dd_on_query(q, sizeof(q), mods[k], file, func, "+p") < 0 ||
		    ck_dd_write(d->control, q, &e) < 0) {
			fprintf(stderr, "ceph-kmod debug on: %s\n(run `ceph-kmod debug off` to restore "
					"the previous state)\n", e.msg);
			rc = CK_DBG_FAIL;
			goto out;
		}
	}
	if (level >= 0 && write_console_level(d, level, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug on: console level: %s\n", e.msg);
		rc = CK_DBG_FAIL;
		goto out;
	}
	if (at_load && write_atload(d, mods, nmods, file, func, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug on: --at-load: %s\n", e.msg);
		rc = CK_DBG_FAIL;
		goto out;
	}
	if (persist && enable_persist(d, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug on: --persist: %s\n", e.msg);
		rc = CK_DBG_FAIL;
		goto out;
	}
	if (ck_dd_read(d->control, NULL, &now, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug on: %s\n", e.msg);
		rc = CK_DBG_FAIL;
		goto out;
	}
	{
		size_t total_on = 0;

		for (k = 0; k < nmods; k++) {
			size_t total, on;

			if (!ck_dbg_loaded(d, mods[k])) {
				printf("%s: not loaded%s\n", mods[k],
				       at_load ? ", debugging from its next load (modprobe.d)" : "");
				continue;
			}
			on = count_enabled(&now, mods[k], &total);
			total_on += on;
			printf("%s: %zu of %zu callsites print\n", mods[k], on, total);
		}
		if (total_on == 0 && loaded_any && (file || func)) {
			fprintf(stderr, "ceph-kmod debug on: no callsite matched%s%s%s%s (see "
					"%s for names)\n",
				file ? " --file " : "", file ? file : "", func ? " --func " : "",
				func ? func : "", d->control);
			rc = CK_DBG_FAIL;
		}
	}
	if (level >= 0)
		printf("console log level: %d (was %d; `debug off` restores it)\n", level,
		       st.console_level);
	printf("previous state saved in %s; `ceph-kmod debug off` restores it\n", spath);
out:
	ck_dd_sites_free(&all);
	ck_dd_sites_free(&now);
	ck_dbg_state_free(&st);
	return rc;
usage:
	return ck_usage_error("debug", "on: bad option or value '%s'", argv[i < argc ? i : argc - 1]);
}

static int cmd_off(struct ck_dbg *d)
{
	char why[1024], spath[PATH_MAX], bid[64];
	struct ck_dbg_state st;
	struct ck_dd_sites now = { 0 };
	struct ck_err e;
	int have, m, rc = CK_DBG_OK, ctl;

	memset(&e, 0, sizeof(e));
	if (state_path(d, spath, sizeof(spath)) < 0)
		return CK_DBG_FAIL;
	have = ck_dbg_state_load(spath, &st, &e);
	if (have < 0) {
		fprintf(stderr, "ceph-kmod debug off: %s\n", e.msg);
		return CK_DBG_FAIL;
	}
	ctl = ck_dbg_find_control(d, why, sizeof(why));
	if (!have) {
		atload_reset(d, ctl);
		if (remove_files(d, 1, &e) < 0) {
			fprintf(stderr, "ceph-kmod debug off: %s\n", e.msg);
			return CK_DBG_FAIL;
		}
		printf("ceph-kmod debug: nothing to restore (no saved state: debug is off)\n");
		return CK_DBG_OK;
	}
	boot_id(d, bid, sizeof(bid));
	if (strcmp(st.boot_id, bid) == 0 && st.nmodules > 0) {
		if (ctl != CK_DBG_OK) {
			fprintf(stderr, "ceph-kmod debug off: %s\n", why);
			ck_dbg_state_free(&st);
			return ctl;
		}
		for (m = 0; m < st.nmodules; m++) {
			struct ck_buf q = { NULL, 0 };

			if (!ck_dbg_loaded(d, st.modules[m])) {
				printf("%s: not loaded any more (its callsites went with it)\n",
				       st.modules[m]);
				continue;
			}
			if (ck_dd_restore_queries(&st.sites, st.modules[m], &q) < 0 ||
			    write_queries(d, &q, &e) < 0) {
				fprintf(stderr, "ceph-kmod debug off: %s: %s\n", st.modules[m],
					e.msg[0] ? e.msg : "out of memory");
				rc = CK_DBG_FAIL;
			}
			ck_buf_free(&q);
		}
		if (st.console_level >= 0 && write_console_level(d, st.console_level, &e) < 0) {
			fprintf(stderr, "ceph-kmod debug off: console level: %s\n", e.msg);
			rc = CK_DBG_FAIL;
		}
	} else if (strcmp(st.boot_id, bid) != 0) {
		atload_reset(d, ctl);
	}
	if (remove_files(d, 1, &e) < 0) {
		fprintf(stderr, "ceph-kmod debug off: %s\n", e.msg);
		rc = CK_DBG_FAIL;
	}
	/* read back: every saved callsite of a loaded module must be as before */
	if (rc == CK_DBG_OK && strcmp(st.boot_id, bid) == 0 && st.nmodules > 0) {
		if (ck_dd_read(d->control, NULL, &now, &e) < 0) {
			fprintf(stderr, "ceph-kmod debug off: %s\n", e.msg);
			rc = CK_DBG_FAIL;
		} else {
			size_t diffs = 0;

			for (m = 0; m < st.nmodules; m++) {
				size_t total, on, dm;

				if (!ck_dbg_loaded(d, st.modules[m]))
					continue;
				dm = ck_dd_diff(&st.sites, &now, st.modules[m]);
				diffs += dm;
				on = count_enabled(&now, st.modules[m], &total);
				printf("%s: restored, %zu of %zu callsites print%s\n", st.modules[m], on,
				       total, dm ? " (DIFFERS from the saved state)" : "");
			}
			if (diffs) {
				fprintf(stderr, "ceph-kmod debug off: %zu callsite(s) differ from the "
						"saved state (kept in %s)\n", diffs, spath);
				rc = CK_DBG_FAIL;
			}
		}
	}
	if (rc == CK_DBG_OK) {
		if (st.console_level >= 0 && strcmp(st.boot_id, bid) == 0)
			printf("console log level: %d (restored)\n", st.console_level);
		if (unlink(spath) < 0 && errno != ENOENT) {
			fprintf(stderr, "ceph-kmod debug off: cannot remove %s: %s\n", spath,
				strerror(errno));
			rc = CK_DBG_FAIL;
		} else {
			printf("ceph-kmod debug: off, previous state restored\n");
		}
	}
	ck_dd_sites_free(&now);
	ck_dbg_state_free(&st);
	return rc;
}

static int cmd_status(struct ck_dbg *d)
{
	char why[1024], spath[PATH_MAX], bid[64], lock[64], path[PATH_MAX];
	struct ck_dbg_state st;
	struct ck_dd_sites now = { 0 };
	struct ck_err e;
	struct stat sb;
	int have, m, ctl, same_boot;

	memset(&e, 0, sizeof(e));
	ctl = ck_dbg_find_control(d, why, sizeof(why));
	ck_dbg_lockdown(d, lock, sizeof(lock));
	boot_id(d, bid, sizeof(bid));
	printf("control file:      %s\n", ctl == CK_DBG_OK ? d->control : why);
	printf("lockdown:          %s\n", lock[0] ? lock : "not available");
	printf("console log level: %d\n", console_level(d));
	if (state_path(d, spath, sizeof(spath)) < 0)
		return CK_DBG_FAIL;
	have = ck_dbg_state_load(spath, &st, &e);
	same_boot = have > 0 && strcmp(st.boot_id, bid) == 0;
	if (have < 0)
		printf("saved state:       unusable: %s\n", e.msg);
	else if (!have)
		printf("saved state:       none (debug is off)\n");
	else
		printf("saved state:       %s, %s (saved at %lld)%s\n", spath,
		       same_boot ? "this boot" : "an EARLIER boot", st.created,
		       st.console_level >= 0 ? "" : ", console level not changed");
	if (have > 0 && st.console_level >= 0)
		printf("saved console log level: %d\n", st.console_level);
	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) == 0)
		printf("at-load (modprobe.d): %s\n", ck_path_exists(path) ? path : "no");
	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_RSYSLOG_DST) == 0)
		printf("rsyslog drop-in:   %s\n", lstat(path, &sb) == 0 ? path : "not enabled");
	if (ctl == CK_DBG_OK && ck_dd_read(d->control, NULL, &now, &e) < 0)
		printf("control file unreadable: %s\n", e.msg);
	for (m = 0; m < CK_DBG_NMODS; m++) {
		const char *name = ck_dbg_modules[m];
		struct ck_buf rep = { NULL, 0 };
		size_t total, on, off = 0;

		printf("\n%s:\n", name);
		if (!ck_dbg_loaded(d, name)) {
			printf("  loaded: no\n");
			continue;
		}
		on = count_enabled(&now, name, &total);
		printf("  callsites: %zu, printing: %zu", total, on);
		if (same_boot && ck_dbg_state_has_module(&st, name))
			printf(", changed since saved: %zu", ck_dd_diff(&st.sites, &now, name));
		printf("\n");
		ck_dbg_modinfo_report(d, name, 0, &rep);
		while (off < rep.len) {
			const char *p = (const char *)rep.data + off;
			const char *nl = memchr(p, '\n', rep.len - off);
			size_t n = nl ? (size_t)(nl - p) : rep.len - off;

			if (!(n >= 7 && memcmp(p, "module:", 7) == 0))
				printf("  %.*s\n", (int)n, p);
			off += n + 1;
		}
		ck_buf_free(&rep);
	}
	ck_dd_sites_free(&now);
	if (have > 0)
		ck_dbg_state_free(&st);
	return CK_DBG_OK;
}

static int cmd_collect(struct ck_dbg *d, int argc, char **argv)
{
	const char *out = NULL, *val;
	char *secrets[16];
	int nsec = 0, i, r;

	for (i = 0; i < argc; i++) {
		if ((r = ck_opt_value(argc, argv, &i, "-o", &val)) != 0 ||
		    (r = ck_opt_value(argc, argv, &i, "--output", &val)) != 0) {
			if (r < 0)
				goto usage;
			out = val;
		} else if ((r = ck_opt_value(argc, argv, &i, "--secret-file", &val)) != 0) {
			if (r < 0 || nsec >= 16)
				goto usage;
			secrets[nsec++] = (char *)val;
		} else {
			goto usage;
		}
	}
	return ck_dbg_collect(d, out, secrets, nsec, stderr);
usage:
	return ck_usage_error("debug", "collect: bad option or value '%s'",
			      argv[i < argc ? i : argc - 1]);
}

static int sub_off(struct ck_dbg *d, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_off(d);
}

static int sub_status(struct ck_dbg *d, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_status(d);
}

/* The subcommands of "debug": name, what runs it (with the arguments after the name),
 * and whether it takes arguments at all. */
static const struct {
	const char *name;
	int (*run)(struct ck_dbg *d, int argc, char **argv);
	int takes_args;
} debug_subs[] = {
	{ "on", cmd_on, 1 },
	{ "off", sub_off, 0 },
	{ "status", sub_status, 0 },
	{ "collect", cmd_collect, 1 },
};

int ck_cmd_debug(int argc, char **argv)
{
	struct ck_dbg d;
	const char *sub = argc > 0 ? argv[0] : "";
	size_t i;

	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		ck_usage_debug(stdout);
		return 0;
	}
	if (!sub[0])
		return ck_usage_error("debug", "no subcommand (on, off, status, collect)");
	for (i = 0; i < sizeof(debug_subs) / sizeof(debug_subs[0]); i++) {
		if (strcmp(sub, debug_subs[i].name) != 0)
			continue;
		if (!debug_subs[i].takes_args && argc > 1)
			return ck_usage_error("debug", "%s takes no arguments", sub);
		ck_dbg_init(&d);
		return debug_subs[i].run(&d, argc - 1, argv + 1);
	}
	return ck_usage_error("debug", "unknown subcommand '%s'", sub);
}
