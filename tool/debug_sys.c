// SPDX-License-Identifier: GPL-2.0
/* `ceph-kmod debug`: paths below the (injectable) root, lockdown, the control file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "debug.h"
#include "debug_cmd.h"

const char *const ck_dbg_modules[CK_DBG_NMODS] = CK_MODULE_NAMES;

void ck_dbg_init(struct ck_dbg *d)
{
	const char *root = ck_env_or("CEPH_KMOD_SYSROOT", "");
	struct utsname u;
	size_t n;

	memset(d, 0, sizeof(*d));
	snprintf(d->root, sizeof(d->root), "%s", root);
	n = strlen(d->root);
	while (n > 0 && d->root[n - 1] == '/')
		d->root[--n] = '\0';
	d->modules_root = ck_env_or("CEPH_KMOD_MODULES_ROOT", "/lib/modules");
	snprintf(d->kver, sizeof(d->kver), "%s",
		 ck_env_or("CEPH_KMOD_RUNNING_KERNEL", uname(&u) == 0 ? u.release : ""));
}

int ck_dbg_path(const struct ck_dbg *d, char *out, size_t outlen, const char *abs)
{
	return ck_pathf(out, outlen, "%s%s", d->root, abs);
}

int ck_dbg_read_small(const struct ck_dbg *d, const char *abs, char *buf, size_t buflen)
{
	char path[PATH_MAX];
	struct ck_buf b;
	struct ck_err e;
	size_t n;

	buf[0] = '\0';
	if (ck_dbg_path(d, path, sizeof(path), abs) < 0 || ck_read_file(path, 65536, &b, &e) < 0)
		return -1;
	n = b.len < buflen - 1 ? b.len : buflen - 1;
	memcpy(buf, b.data, n);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	ck_buf_free(&b);
	return 0;
}

int ck_dbg_loaded(const struct ck_dbg *d, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (ck_pathf(path, sizeof(path), "%s/sys/module/%s", d->root, name) < 0)
		return 0;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void ck_dbg_lockdown(const struct ck_dbg *d, char *out, size_t outlen)
{
	char buf[256], *l, *r;

	out[0] = '\0';
	if (ck_dbg_read_small(d, "/sys/kernel/security/lockdown", buf, sizeof(buf)) < 0)
		return;
	/* "none [integrity] confidentiality": the bracketed one is active */
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		*r = '\0';
		snprintf(out, outlen, "%s", l + 1);
	} else {
		snprintf(out, outlen, "%s", buf);
	}
}

/* CONFIG_DYNAMIC_DEBUG in /boot/config-KVER: 1 y, 0 not set, -1 unknown. */
static int config_dyndbg(const struct ck_dbg *d)
{
	char path[PATH_MAX];
	struct ck_buf b;
	struct ck_err e;
	int rc = 0;

	if (ck_pathf(path, sizeof(path), "%s/boot/config-%s", d->root, d->kver) < 0 ||
	    ck_read_file(path, 16 << 20, &b, &e) < 0)
		return -1;
	if (memmem(b.data, b.len, "\nCONFIG_DYNAMIC_DEBUG=y", 23) ||
	    memmem(b.data, b.len, "\nCONFIG_DYNAMIC_DEBUG_CORE=y", 28))
		rc = 1;
	ck_buf_free(&b);
	return rc;
}

int ck_dbg_find_control(struct ck_dbg *d, char *why, size_t whylen)
{
	char proc[PATH_MAX], dbgfs[PATH_MAX], lock[64];
	int cfg;

	why[0] = '\0';
	if (ck_dbg_path(d, proc, sizeof(proc), CK_DBG_PROC_CONTROL) < 0 ||
	    ck_dbg_path(d, dbgfs, sizeof(dbgfs), CK_DBG_DEBUGFS_CONTROL) < 0) {
		snprintf(why, whylen, "CEPH_KMOD_SYSROOT too long");
		return CK_DBG_FAIL;
	}
	if (ck_path_exists(proc)) {
		snprintf(d->control, sizeof(d->control), "%s", proc);
		return CK_DBG_OK;
	}
	ck_dbg_lockdown(d, lock, sizeof(lock));
	if (ck_path_exists(dbgfs)) {
		if (lock[0] && strcmp(lock, "none") != 0) {
			snprintf(why, whylen,
				 "kernel lockdown is '%s': it refuses writes to %s, and this kernel "
				 "has no %s (an older kernel); debug with lockdown off "
				 "(Secure Boot off, or lockdown=none where allowed)",
				 lock, CK_DBG_DEBUGFS_CONTROL, CK_DBG_PROC_CONTROL);
			return CK_DBG_UNSUPPORTED;
		}
		snprintf(d->control, sizeof(d->control), "%s", dbgfs);
		return CK_DBG_OK;
	}
	cfg = config_dyndbg(d);
	if (cfg == 0) {
		snprintf(why, whylen,
			 "kernel %s is built without CONFIG_DYNAMIC_DEBUG (/boot/config-%s): its "
			 "pr_debug() callsites are compiled out and cannot be switched on",
			 d->kver, d->kver);
		return CK_DBG_UNSUPPORTED;
	}
	snprintf(why, whylen,
		 "no %s and no %s: %s; if debugfs is not mounted: mount -t debugfs none "
		 "/sys/kernel/debug",
		 CK_DBG_PROC_CONTROL, CK_DBG_DEBUGFS_CONTROL,
		 cfg == 1 ? "the kernel config has CONFIG_DYNAMIC_DEBUG=y"
			  : "the kernel may lack CONFIG_DYNAMIC_DEBUG");
	return CK_DBG_UNSUPPORTED;
}

int ck_dbg_known_module(const char *m)
{
	int i;

	for (i = 0; i < CK_DBG_NMODS; i++)
		if (strcmp(m, ck_dbg_modules[i]) == 0)
			return 1;
	return 0;
}

int ck_dbg_boot_id(const struct ck_dbg *d, char *out, size_t outlen)
{
	if (ck_dbg_read_small(d, "/proc/sys/kernel/random/boot_id", out, outlen) < 0 || !out[0]) {
		snprintf(out, outlen, "unknown");
		return -1;
	}
	return 0;
}

int ck_dbg_console_level(const struct ck_dbg *d)
{
	char buf[128];

	if (ck_dbg_read_small(d, "/proc/sys/kernel/printk", buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

int ck_dbg_set_console_level(const struct ck_dbg *d, int level, struct ck_err *e)
{
	char path[PATH_MAX], q[16];

	if (ck_dbg_path(d, path, sizeof(path), "/proc/sys/kernel/printk") < 0)
		return -1;
	snprintf(q, sizeof(q), "%d\n", level);
	return ck_dd_write(path, q, e);
}

int ck_dbg_state_path(const struct ck_dbg *d, char *out, size_t outlen)
{
	return ck_dbg_path(d, out, outlen, CK_DBG_STATE);
}

size_t ck_dbg_count_enabled(const struct ck_dd_sites *s, const char *module, size_t *total)
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
