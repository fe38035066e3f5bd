// SPDX-License-Identifier: GPL-2.0
/*
 * `ceph-kmod debug collect`: gathers the kernel log, the Ceph client's debugfs files, rbd
 * and nbd state, module provenance and kernel facts into memory, learns every secret they
 * (and the local keyrings) hold, redacts all of it, and writes one .tar.gz (0600).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "debug.h"
#include "efi.h"
#include "redact.h"
#include "tarball.h"

#define LOG_MAX ((size_t)32 << 20)
#define FILE_MAX ((size_t)16 << 20)
#define MAX_ENTRIES 4096

struct entry {
	char name[256];
	struct ck_buf data;
};

struct collect {
	struct ck_dbg *d;
	struct entry *v;
	size_t n;
	struct ck_buf manifest;
};

static struct entry *add_entry(struct collect *c, const char *name)
{
	struct entry *nv;

	if (c->n >= MAX_ENTRIES)
		return NULL;
	nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	c->v = nv;
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s", name);
	return &c->v[c->n++];
}

static void add_text(struct collect *c, const char *name, struct ck_buf *b)
{
	struct entry *en = add_entry(c, name);

	if (!en) {
		ck_buf_free(b);
		return;
	}
	en->data = *b;
	b->data = NULL;
	b->len = 0;
}

/* Adds the file at abs (below root) as name; a failure is noted in the manifest. */
static void add_file(struct collect *c, const char *name, const char *abs)
{
	char path[PATH_MAX];
	struct ck_buf b;
	struct ck_err e;

	if (ck_dbg_path(c->d, path, sizeof(path), abs) < 0)
		return;
	if (ck_read_file(path, FILE_MAX, &b, &e) < 0) {
		ck_buf_printf(&c->manifest, "unreadable: %s\n", e.msg);
		return;
	}
	add_text(c, name, &b);
}

/* Runs argv and captures stdout (at most max bytes); the exit status or -1. */
static int run_capture(char *const argv[], size_t max, struct ck_buf *out)
{
	int pfd[2], status;
	pid_t pid;
	char buf[65536];

	out->data = NULL;
	out->len = 0;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		dup2(pfd[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n = read(pfd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* keep the newest part of an oversized log */
		if (out->len + (size_t)n > max && out->len > 0) {
			size_t drop = out->len / 2;

			memmove(out->data, out->data + drop, out->len - drop);
			out->len -= drop;
		}
		if (ck_buf_append(out, buf, (size_t)n) < 0)
			break;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* "pri,seq,usec,flags;text" records of /dev/kmsg as "[sec.usec] text" lines. */
static int kmsg_format(const char *rec, size_t n, struct ck_buf *out)
{
	unsigned long long usec = 0;
	const char *semi = memchr(rec, ';', n), *p;
	int field = 0;

	if (!semi)
		return ck_buf_append(out, rec, n);
	for (p = rec; p < semi; p++) {
		if (*p == ',')
			field++;
		else if (field == 2 && *p >= '0' && *p <= '9')
			usec = usec * 10 + (unsigned long long)(*p - '0');
	}
	n -= (size_t)(semi + 1 - rec);
	return (ck_buf_printf(out, "[%5llu.%06llu] ", usec / 1000000, usec % 1000000) < 0 ||
		ck_buf_append(out, semi + 1, n) < 0) ? -1 : 0;
}

/* The kernel log from journald (this boot), /dev/kmsg or syslog(2): the first that
 * works, into b. The manifest line naming the source, or NULL when none worked. */
static const char *log_journal(const struct collect *c, struct ck_buf *b)
{
	static const char *const cands[] = { "/usr/bin/journalctl", "/bin/journalctl" };
	size_t i;

	if (c->d->root[0] || !ck_path_exists("/run/systemd/journal/socket"))
		return NULL;
	for (i = 0; i < 2; i++) {
		char *argv[] = { (char *)cands[i], "-k", "-b", "--no-pager", "-q",
				 "-o", "short-monotonic", NULL };

		if (access(cands[i], X_OK) == 0 && run_capture(argv, LOG_MAX, b) == 0 && b->len > 0)
			return "kernel log: journalctl -k -b\n";
		ck_buf_free(b);
	}
	return NULL;
}

static const char *log_kmsg(const struct collect *c, struct ck_buf *b)
{
	char path[PATH_MAX], rec[8192];
	int fd;

	if (ck_dbg_path(c->d, path, sizeof(path), "/dev/kmsg") < 0 ||
	    (fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return NULL;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec));

		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue; /* EPIPE: records overwritten while reading */
		if (n <= 0)
			break;
		if (b->len > LOG_MAX) {
			size_t drop = b->len / 2;

			memmove(b->data, b->data + drop, b->len - drop);
			b->len -= drop;
		}
		if (kmsg_format(rec, (size_t)n, b) < 0)
			break;
	}
	close(fd);
	return "kernel log: /dev/kmsg (ring buffer)\n";
}

static const char *log_syslog(const struct collect *c, struct ck_buf *b)
{
	int size, n;

	if (c->d->root[0] || (size = klogctl(10, NULL, 0)) <= 0 ||
	    !(b->data = malloc((size_t)size + 1)))
		return NULL;
	n = klogctl(3, (char *)b->data, size);
	b->len = n > 0 ? (size_t)n : 0;
	b->data[b->len] = '\0';
	return "kernel log: syslog(2) ring buffer\n";
}

static void kernel_log(struct collect *c)
{
	struct ck_buf b = { NULL, 0 };
	const char *how = log_journal(c, &b);

	if (!how)
		how = log_kmsg(c, &b);
	if (!how)
		how = log_syslog(c, &b);
	if (!how) {
		ck_buf_printf(&c->manifest, "kernel log: unavailable (no journald, /dev/kmsg or "
					    "syslog(2))\n");
		return;
	}
	ck_buf_printf(&c->manifest, "%s", how);
	add_text(c, "kernel-log.txt", &b);
}

/* Regular, readable files of dir abs (below root) as prefix/NAME; subdirectories to depth. */
static void add_dir(struct collect *c, const char *abs, const char *prefix, int depth)
{
	char path[PATH_MAX], sub[PATH_MAX + 256], name[512];
	struct dirent **ents = NULL;
	int n, i;

	if (ck_dbg_path(c->d, path, sizeof(path), abs) < 0)
		return;
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		ck_buf_printf(&c->manifest, "unreadable: %s: %s\n", abs, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		struct stat st;

		if (nm[0] != '.' && ck_pathf(sub, sizeof(sub), "%s/%s", path, nm) == 0 &&
		    lstat(sub, &st) == 0 && ck_pathf(name, sizeof(name), "%s/%s", prefix, nm) == 0 &&
		    ck_pathf(sub, sizeof(sub), "%s/%s", abs, nm) == 0) {
			if (S_ISREG(st.st_mode) && (st.st_mode & 0444))
				add_file(c, name, sub);
			else if (S_ISDIR(st.st_mode) && depth > 0)
				add_dir(c, sub, name, depth - 1);
		}
		free(ents[i]);
	}
	free(ents);
}

static void kernel_facts(struct collect *c)
{
	struct ck_buf b = { NULL, 0 };
	struct utsname u;
	char buf[4096];
	unsigned long long taint;
	static const char tflags[] = "PFSRMBUDAWCIOELKXTN";
	int i;

	if (uname(&u) == 0)
		ck_buf_printf(&b, "uname: %s %s %s %s %s\n", u.sysname, u.nodename, u.release,
			      u.version, u.machine);
	ck_buf_printf(&b, "running kernel (as used): %s\n", c->d->kver);
	if (ck_dbg_read_small(c->d, "/proc/version", buf, sizeof(buf)) == 0)
		ck_buf_printf(&b, "/proc/version: %s\n", buf);
	if (ck_dbg_read_small(c->d, "/proc/cmdline", buf, sizeof(buf)) == 0)
		ck_buf_printf(&b, "cmdline: %s\n", buf);
	if (ck_dbg_read_small(c->d, "/proc/sys/kernel/tainted", buf, sizeof(buf)) == 0) {
		taint = strtoull(buf, NULL, 10);
		ck_buf_printf(&b, "tainted: %llu (", taint);
		for (i = 0; tflags[i]; i++)
			if (taint & (1ULL << i))
				ck_buf_printf(&b, "%c", tflags[i]);
		ck_buf_printf(&b, ")\n");
	}
	if (ck_dbg_read_small(c->d, "/proc/sys/kernel/printk", buf, sizeof(buf)) == 0)
		ck_buf_printf(&b, "printk levels (console default minimum boot): %s\n", buf);
	ck_dbg_lockdown(c->d, buf, sizeof(buf));
	ck_buf_printf(&b, "lockdown: %s\n", buf[0] ? buf : "not available");
	if (!c->d->root[0])
		ck_buf_printf(&b, "secure boot: %s\n", ck_sb_name(ck_secure_boot()));
	if (ck_dbg_read_small(c->d, "/proc/sys/kernel/random/boot_id", buf, sizeof(buf)) == 0)
		ck_buf_printf(&b, "boot id: %s\n", buf);
	ck_buf_printf(&b, "collected: %lld (unix time) by ceph-kmod %s\n", (long long)time(NULL),
#ifdef CK_VERSION
		      CK_VERSION
#else
		      "unknown"
#endif
	);
	add_text(c, "kernel.txt", &b);
}

static void dyndbg_state(struct collect *c)
{
	struct ck_buf b = { NULL, 0 }, ctl;
	struct ck_err e;
	char why[512];
	size_t off = 0;
	int m;

	if (ck_dbg_find_control(c->d, why, sizeof(why)) != CK_DBG_OK) {
		ck_buf_printf(&b, "dynamic debug: %s\n", why);
	} else if (ck_read_file(c->d->control, (size_t)256 << 20, &ctl, &e) < 0) {
		ck_buf_printf(&b, "dynamic debug: %s\n", e.msg);
	} else {
		ck_buf_printf(&b, "# %s: callsites of " CK_MODULE_LIST "\n", c->d->control);
		while (off < ctl.len) {
			const char *p = (const char *)ctl.data + off;
			const char *nl = memchr(p, '\n', ctl.len - off);
			size_t n = nl ? (size_t)(nl - p) : ctl.len - off;

			for (m = 0; m < CK_DBG_NMODS; m++) {
				char tag[32];

				snprintf(tag, sizeof(tag), " [%s]", ck_dbg_modules[m]);
				if (memmem(p, n, tag, strlen(tag))) {
					ck_buf_append(&b, p, n);
					ck_buf_append(&b, "\n", 1);
					break;
				}
			}
			off += n + 1;
		}
		ck_buf_free(&ctl);
	}
	add_text(c, "dynamic-debug.txt", &b);
	add_file(c, "debug-state.txt", CK_DBG_STATE);
}

static void rbd_nbd(struct collect *c)
{
	char path[PATH_MAX], abs[PATH_MAX], name[512];
	struct dirent **ents = NULL;
	int n, i;

	if (ck_dbg_path(c->d, path, sizeof(path), "/sys/bus/rbd/devices") == 0 && ck_is_dir(path)) {
		n = scandir(path, &ents, NULL, alphasort);
		for (i = 0; i < n; i++) {
			if (ents[i]->d_name[0] != '.' &&
			    ck_pathf(abs, sizeof(abs), "/sys/bus/rbd/devices/%s", ents[i]->d_name) == 0 &&
			    ck_pathf(name, sizeof(name), "rbd/%s", ents[i]->d_name) == 0)
				add_dir(c, abs, name, 0);
			free(ents[i]);
		}
		free(ents);
		ents = NULL;
	}
	if (ck_dbg_path(c->d, path, sizeof(path), "/sys/block") == 0 && ck_is_dir(path)) {
		n = scandir(path, &ents, NULL, alphasort);
		for (i = 0; i < n; i++) {
			const char *nm = ents[i]->d_name;

			if (strncmp(nm, "nbd", 3) == 0 &&
			    ck_pathf(abs, sizeof(abs), "/sys/block/%s/pid", nm) == 0 &&
			    ck_pathf(path, sizeof(path), "%s%s", c->d->root, abs) == 0 &&
			    ck_path_exists(path)) {
				/* connected: pid, backend, size, and its debugfs directory */
				static const char *const attrs[] = { "pid", "backend", "size", "ro" };
				size_t k;

				for (k = 0; k < 4; k++)
					if (ck_pathf(abs, sizeof(abs), "/sys/block/%s/%s", nm, attrs[k]) == 0 &&
					    ck_pathf(name, sizeof(name), "nbd/%s/%s", nm, attrs[k]) == 0 &&
					    ck_pathf(path, sizeof(path), "%s%s", c->d->root, abs) == 0 &&
					    ck_path_exists(path))
						add_file(c, name, abs);
				if (ck_pathf(abs, sizeof(abs), "/sys/kernel/debug/nbd/%s", nm) == 0 &&
				    ck_pathf(name, sizeof(name), "nbd/%s/debugfs", nm) == 0 &&
				    ck_pathf(path, sizeof(path), "%s%s", c->d->root, abs) == 0 && ck_is_dir(path))
					add_dir(c, abs, name, 0);
			}
			free(ents[i]);
		}
		free(ents);
	}
	if (ck_dbg_path(c->d, path, sizeof(path), "/sys/module/nbd/parameters") == 0 && ck_is_dir(path))
		add_dir(c, "/sys/module/nbd/parameters", "nbd/parameters", 0);
}

/* Secrets that are not in the report but may be quoted in it: local keyrings. */
static void learn_local(struct collect *c, struct ck_redactor *r, char **files, int nfiles)
{
	char path[PATH_MAX];
	struct dirent **ents = NULL;
	struct ck_buf b;
	struct ck_err e;
	int n, i;

	if (ck_dbg_path(c->d, path, sizeof(path), "/etc/ceph") == 0 &&
	    (n = scandir(path, &ents, NULL, alphasort)) >= 0) {
		for (i = 0; i < n; i++) {
			const char *nm = ents[i]->d_name;
			size_t l = strlen(nm);
			char sub[PATH_MAX + 256];

			if (nm[0] != '.' &&
			    (strstr(nm, "keyring") || (l > 7 && strcmp(nm + l - 7, ".secret") == 0) ||
			     (l > 4 && strcmp(nm + l - 4, ".key") == 0) ||
			     (l > 5 && strcmp(nm + l - 5, ".conf") == 0)) &&
			    ck_pathf(sub, sizeof(sub), "%s/%s", path, nm) == 0 &&
			    ck_read_file(sub, FILE_MAX, &b, &e) == 0) {
				ck_redact_learn(r, b.data, b.len);
				/* a .secret file holds the bare key */
				if (l > 7 && strcmp(nm + l - 7, ".secret") == 0) {
					size_t k = b.len;

					while (k > 0 && (b.data[k - 1] == '\n' || b.data[k - 1] == ' '))
						k--;
					ck_redact_add_secret(r, (const char *)b.data, k);
				}
				ck_buf_free(&b);
			}
			free(ents[i]);
		}
		free(ents);
	}
	for (i = 0; i < nfiles; i++) {
		if (ck_read_file(files[i], FILE_MAX, &b, &e) < 0) {
			ck_buf_printf(&c->manifest, "secret file: %s\n", e.msg);
			continue;
		}
		ck_redact_learn(r, b.data, b.len);
		{
			size_t k = b.len;

			while (k > 0 && (b.data[k - 1] == '\n' || b.data[k - 1] == ' '))
				k--;
			ck_redact_add_secret(r, (const char *)b.data, k);
		}
		ck_buf_free(&b);
	}
}

static void default_output(char *out, size_t outlen, char *base, size_t baselen)
{
	char host[128] = "host";
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	gmtime_r(&now, &tm);
	snprintf(base, baselen, "ceph-kmod-debug-%s-%04d%02d%02dT%02d%02d%02dZ", host,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(out, outlen, "/var/tmp/%s.tar.gz", base);
}

/* Everything a report holds, unredacted, into c. */
static void gather(struct collect *c)
{
	char path[PATH_MAX], name[64];
	int m;

	kernel_facts(c);
	kernel_log(c);
	dyndbg_state(c);
	if (ck_dbg_path(c->d, path, sizeof(path), "/sys/kernel/debug/ceph") == 0 && ck_is_dir(path))
		add_dir(c, "/sys/kernel/debug/ceph", "ceph-debugfs", 2);
	else
		ck_buf_printf(&c->manifest, "no /sys/kernel/debug/ceph (no Ceph client, or debugfs "
					    "not mounted: mount -t debugfs none /sys/kernel/debug)\n");
	rbd_nbd(c);
	for (m = 0; m < CK_DBG_NMODS; m++) {
		struct ck_buf b = { NULL, 0 };

		ck_dbg_modinfo_report(c->d, ck_dbg_modules[m], 1, &b);
		snprintf(name, sizeof(name), "modules/%s.txt", ck_dbg_modules[m]);
		add_text(c, name, &b);
	}
	add_file(c, "modules/proc-modules.txt", "/proc/modules");
}

/* Learns from everything first, then redacts everything (the manifest last, after the
 * file list). The number of regions redacted, or -1 out of memory. */
static long redact_all(struct collect *c, struct ck_redactor *r, char **secret_files,
		       int nsecret)
{
	struct ck_buf red;
	long regions = 0;
	size_t i;

	learn_local(c, r, secret_files, nsecret);
	for (i = 0; i < c->n; i++)
		if (c->v[i].data.data)
			ck_redact_learn(r, c->v[i].data.data, c->v[i].data.len);
	ck_redact_learn(r, c->manifest.data, c->manifest.len);
	for (i = 0; i < c->n; i++) {
		long k = ck_redact(r, c->v[i].data.data ? c->v[i].data.data : (const unsigned char *)"",
				   c->v[i].data.len, &red);

		if (k < 0)
			return -1;
		regions += k;
		ck_buf_free(&c->v[i].data);
		c->v[i].data = red;
	}
	ck_buf_printf(&c->manifest, "redaction: %zu secret(s) learned, %ld region(s) redacted\n",
		      ck_redact_count(r), regions);
	ck_buf_printf(&c->manifest, "files:\n");
	for (i = 0; i < c->n; i++)
		ck_buf_printf(&c->manifest, "  %s (%zu bytes)\n", c->v[i].name, c->v[i].data.len);
	if (ck_redact(r, c->manifest.data ? c->manifest.data : (const unsigned char *)"",
		      c->manifest.len, &red) < 0)
		return -2;
	ck_buf_free(&c->manifest);
	c->manifest = red;
	return regions;
}

static int write_archive(const struct collect *c, const char *out_path, const char *base,
			 FILE *msg)
{
	struct ck_tar tar;
	struct ck_err e;
	char name[600];
	time_t now = time(NULL);
	size_t i;

	if (ck_tar_open(&tar, out_path, &e) < 0) {
		ck_errorf(msg, "debug collect", "%s", e.msg);
		return CK_DBG_FAIL;
	}
	snprintf(name, sizeof(name), "%s/MANIFEST.txt", base);
	ck_tar_add(&tar, name, c->manifest.data ? c->manifest.data : (const unsigned char *)"",
		   c->manifest.len, now);
	for (i = 0; i < c->n; i++) {
		snprintf(name, sizeof(name), "%s/%s", base, c->v[i].name);
		ck_tar_add(&tar, name, c->v[i].data.data, c->v[i].data.len, now);
	}
	if (ck_tar_close(&tar, &e) < 0) {
		ck_errorf(msg, "debug collect", "%s: %s", out_path, e.msg);
		unlink(out_path);
		return CK_DBG_FAIL;
	}
	return CK_DBG_OK;
}

int ck_dbg_collect(struct ck_dbg *d, const char *out_path, char **secret_files, int nsecret,
		   FILE *msg)
{
	struct collect c = { .d = d };
	struct ck_redactor *r = ck_redactor_new();
	char base[256], deflt[PATH_MAX];
	long regions;
	size_t i;
	int rc;

	if (!r)
		return CK_DBG_FAIL;
	default_output(deflt, sizeof(deflt), base, sizeof(base));
	if (!out_path)
		out_path = deflt;
	gather(&c);
	regions = redact_all(&c, r, secret_files, nsecret);
	if (regions == -1)
		ck_errorf(msg, "debug collect", "out of memory while redacting");
	rc = regions < 0 ? CK_DBG_FAIL : CK_DBG_OK;
	if (rc == CK_DBG_OK) {
		ck_tar_top_dir(out_path, base, sizeof(base));
		rc = write_archive(&c, out_path, base, msg);
	}
	if (rc == CK_DBG_OK) {
		printf("%s\n", out_path);
		ck_errorf(msg, "debug collect", "%zu files, %zu secret(s) learned, %ld region(s) "
			  "redacted, written to %s (mode 0600)", c.n + 1, ck_redact_count(r),
			  regions, out_path);
	}
	for (i = 0; i < c.n; i++)
		ck_buf_free(&c.v[i].data);
	free(c.v);
	ck_buf_free(&c.manifest);
	ck_redactor_free(r);
	return rc;
}
