/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ceph-kmod debug`: shared context of its parts. Every kernel or system path is taken
 * relative to root ($CEPH_KMOD_SYSROOT, default "/"), so the unit tests run the code
 * against a directory tree instead of this host's /proc and /sys.
 */
#ifndef CK_DEBUG_H
#define CK_DEBUG_H

#include <limits.h>
#include <stdio.h>

#include "ck.h"
#include "dyndbg.h"
#include "modules.h"

#define CK_DBG_NMODS CK_NMODS
extern const char *const ck_dbg_modules[CK_DBG_NMODS]; /* CK_MODULE_NAMES of lib/modules.map */

#define CK_DBG_PROC_CONTROL "/proc/dynamic_debug/control"
#define CK_DBG_DEBUGFS_CONTROL "/sys/kernel/debug/dynamic_debug/control"
/* In /run: the callsites it describes are reset by a reboot as well. */
#define CK_DBG_STATE "/run/ceph-kmod/debug-state"
#define CK_DBG_ATLOAD "/etc/modprobe.d/ceph-kmod-debug.conf"
#define CK_DBG_RSYSLOG_SRC "/usr/share/ceph-kmod/rsyslog/ceph-kmod-debug.conf"
#define CK_DBG_RSYSLOG_DST "/etc/rsyslog.d/60-ceph-kmod-debug.conf"
#define CK_DBG_LOGROTATE_SRC "/usr/share/ceph-kmod/rsyslog/ceph-kmod-debug.logrotate"
#define CK_DBG_LOGROTATE_DST "/etc/logrotate.d/ceph-kmod-debug"
#define CK_DBG_ATLOAD_HEADER "# Written by `ceph-kmod debug on --at-load`; removed by `ceph-kmod debug off`.\n"

/* Exit codes of `ceph-kmod debug` (enum ck_exit in ck.h, ceph-kmod(8)). */
enum {
	CK_DBG_OK = CK_EXIT_OK,
	CK_DBG_FAIL = CK_EXIT_DEBUG_FAIL,
	CK_DBG_NOT_LOADED = CK_EXIT_DEBUG_NOT_LOADED,
	CK_DBG_UNSUPPORTED = CK_EXIT_DEBUG_UNSUPPORTED,
};

struct ck_dbg {
	char root[PATH_MAX];    /* "" for the real system */
	char control[PATH_MAX]; /* control file in use (with root), "" until found */
	const char *modules_root; /* $CEPH_KMOD_MODULES_ROOT or /lib/modules (for files) */
	char kver[256];           /* running kernel release */
};

/* Fills d from the environment. */
void ck_dbg_init(struct ck_dbg *d);
/* out = root + abs. 0 or -1 when too long. */
int ck_dbg_path(const struct ck_dbg *d, char *out, size_t outlen, const char *abs);
/* Reads a small file below root into buf (trailing newline removed); 0 or -1. */
int ck_dbg_read_small(const struct ck_dbg *d, const char *abs, char *buf, size_t buflen);
/* 1 when /sys/module/NAME exists below root. */
int ck_dbg_loaded(const struct ck_dbg *d, const char *name);
/* Kernel lockdown from /sys/kernel/security/lockdown: "none", "integrity",
 * "confidentiality" or "" when the file is absent. */
void ck_dbg_lockdown(const struct ck_dbg *d, char *out, size_t outlen);
/* Picks the control file: /proc first (writable under lockdown), debugfs only without
 * lockdown. CK_DBG_OK, or CK_DBG_UNSUPPORTED with why set (reason and fix). */
int ck_dbg_find_control(struct ck_dbg *d, char *why, size_t whylen);

/* debug_modinfo.c: a text report on module name (loaded or not, file, build-ids, ours,
 * provenance, signer, taint, every modinfo field), appended to out. */
int ck_dbg_modinfo_report(const struct ck_dbg *d, const char *name, int full, struct ck_buf *out);
/* buffer helpers */

/* debug_collect.c */
int ck_dbg_collect(struct ck_dbg *d, const char *out_path, char **secret_files, int nsecret,
		   FILE *msg);

#endif
