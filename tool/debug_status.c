// SPDX-License-Identifier: GPL-2.0
/* `ceph-kmod debug status`: the control file, saved state, our files, each module. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "debug_cmd.h"
#include "debug_state.h"

/* The saved state: 1 loaded (free it), 0 none, -1 unusable; *same_boot when of this boot. */
static int status_saved(const struct ck_dbg *d, struct ck_dbg_state *st, int *same_boot)
{
	char spath[PATH_MAX], bid[64];
	struct ck_err e = { "" };
	int have;

	ck_dbg_boot_id(d, bid, sizeof(bid));
	if (ck_dbg_state_path(d, spath, sizeof(spath)) < 0)
		return -2;
	have = ck_dbg_state_load(spath, st, &e);
	*same_boot = have > 0 && strcmp(st->boot_id, bid) == 0;
	if (have < 0)
		printf("saved state:       unusable: %s\n", e.msg);
	else if (!have)
		printf("saved state:       none (debug is off)\n");
	else
		printf("saved state:       %s, %s (saved at %lld)%s\n", spath,
		       *same_boot ? "this boot" : "an EARLIER boot", st->created,
		       st->console_level >= 0 ? "" : ", console level not changed");
	if (have > 0 && st->console_level >= 0)
		printf("saved console log level: %d\n", st->console_level);
	return have;
}

static void status_files(const struct ck_dbg *d)
{
	char path[PATH_MAX];
	struct stat sb;

	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_ATLOAD) == 0)
		printf("at-load (modprobe.d): %s\n", ck_path_exists(path) ? path : "no");
	if (ck_dbg_path(d, path, sizeof(path), CK_DBG_RSYSLOG_DST) == 0)
		printf("rsyslog drop-in:   %s\n", lstat(path, &sb) == 0 ? path : "not enabled");
}

/* One module: callsites, those changed since saved (st when of this boot), modinfo. */
static void status_module(const struct ck_dbg *d, const char *name, const struct ck_dd_sites *now,
			  const struct ck_dbg_state *st)
{
	struct ck_buf rep = { NULL, 0 };
	size_t total, on, off = 0;

	printf("\n%s:\n", name);
	if (!ck_dbg_loaded(d, name)) {
		printf("  loaded: no\n");
		return;
	}
	on = ck_dbg_count_enabled(now, name, &total);
	printf("  callsites: %zu, printing: %zu", total, on);
	if (st && ck_dbg_state_has_module(st, name))
		printf(", changed since saved: %zu", ck_dd_diff(&st->sites, now, name));
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

int ck_dbg_status(struct ck_dbg *d, int argc, char **argv)
{
	char why[1024], lock[64];
	struct ck_dbg_state st;
	struct ck_dd_sites now = { 0 };
	struct ck_err e = { "" };
	int have, m, ctl, same_boot = 0;

	(void)argc;
	(void)argv;
	ctl = ck_dbg_find_control(d, why, sizeof(why));
	ck_dbg_lockdown(d, lock, sizeof(lock));
	printf("control file:      %s\n", ctl == CK_DBG_OK ? d->control : why);
	printf("lockdown:          %s\n", lock[0] ? lock : "not available");
	printf("console log level: %d\n", ck_dbg_console_level(d));
	have = status_saved(d, &st, &same_boot);
	if (have == -2)
		return CK_DBG_FAIL;
	status_files(d);
	if (ctl == CK_DBG_OK && ck_dd_read(d->control, NULL, &now, &e) < 0)
		printf("control file unreadable: %s\n", e.msg);
	for (m = 0; m < CK_DBG_NMODS; m++)
		status_module(d, ck_dbg_modules[m], &now, same_boot ? &st : NULL);
	ck_dd_sites_free(&now);
	if (have > 0)
		ck_dbg_state_free(&st);
	return CK_DBG_OK;
}
