// SPDX-License-Identifier: GPL-2.0
/* `ceph-kmod debug off`: restore exactly the saved state, check it, remove our files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "debug_cmd.h"
#include "debug_state.h"

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

/* Puts every saved callsite of a loaded module back, and the console level. */
static int off_restore(const struct ck_dbg *d, const struct ck_dbg_state *st)
{
	struct ck_err e = { "" };
	int m, rc = CK_DBG_OK;

	for (m = 0; m < st->nmodules; m++) {
		struct ck_buf q = { NULL, 0 };

		if (!ck_dbg_loaded(d, st->modules[m])) {
			printf("%s: not loaded any more (its callsites went with it)\n",
			       st->modules[m]);
			continue;
		}
		if (ck_dd_restore_queries(&st->sites, st->modules[m], &q) < 0 ||
		    write_queries(d, &q, &e) < 0) {
			ck_error("debug off", "%s: %s", st->modules[m],
				 e.msg[0] ? e.msg : "out of memory");
			rc = CK_DBG_FAIL;
		}
		ck_buf_free(&q);
	}
	if (st->console_level >= 0 && ck_dbg_set_console_level(d, st->console_level, &e) < 0) {
		ck_error("debug off", "console level: %s", e.msg);
		rc = CK_DBG_FAIL;
	}
	return rc;
}

/* Reads back: every saved callsite of a loaded module must be as before. */
static int off_check(const struct ck_dbg *d, const struct ck_dbg_state *st, const char *spath)
{
	struct ck_dd_sites now = { 0 };
	struct ck_err e = { "" };
	size_t diffs = 0, total, on, dm;
	int m;

	if (ck_dd_read(d->control, NULL, &now, &e) < 0) {
		ck_error("debug off", "%s", e.msg);
		return CK_DBG_FAIL;
	}
	for (m = 0; m < st->nmodules; m++) {
		if (!ck_dbg_loaded(d, st->modules[m]))
			continue;
		dm = ck_dd_diff(&st->sites, &now, st->modules[m]);
		diffs += dm;
		on = ck_dbg_count_enabled(&now, st->modules[m], &total);
		printf("%s: restored, %zu of %zu callsites print%s\n", st->modules[m], on, total,
		       dm ? " (DIFFERS from the saved state)" : "");
	}
	ck_dd_sites_free(&now);
	if (diffs) {
		ck_error("debug off", "%zu callsite(s) differ from the saved state (kept in %s)",
			 diffs, spath);
		return CK_DBG_FAIL;
	}
	return CK_DBG_OK;
}

/* No saved state: only what a reboot left (the at-load callsites, our files). */
static int off_nothing_saved(const struct ck_dbg *d, int ctl)
{
	struct ck_err e = { "" };

	ck_dbg_atload_reset(d, ctl);
	if (ck_dbg_remove_files(d, 1, &e) < 0) {
		ck_error("debug off", "%s", e.msg);
		return CK_DBG_FAIL;
	}
	printf("ceph-kmod debug: nothing to restore (no saved state: debug is off)\n");
	return CK_DBG_OK;
}

/* Restores (this boot's state) or resets (an earlier boot's), removes our files, checks. */
static int off_saved(const struct ck_dbg *d, const struct ck_dbg_state *st, int ctl,
		     const char *why, const char *spath)
{
	struct ck_err e = { "" };
	char bid[64];
	int this_boot, rc = CK_DBG_OK;

	ck_dbg_boot_id(d, bid, sizeof(bid));
	this_boot = strcmp(st->boot_id, bid) == 0;
	if (this_boot && st->nmodules > 0) {
		if (ctl != CK_DBG_OK) {
			ck_error("debug off", "%s", why);
			return ctl;
		}
		rc = off_restore(d, st);
	} else if (!this_boot) {
		ck_dbg_atload_reset(d, ctl);
	}
	if (ck_dbg_remove_files(d, 1, &e) < 0) {
		ck_error("debug off", "%s", e.msg);
		rc = CK_DBG_FAIL;
	}
	if (rc == CK_DBG_OK && this_boot && st->nmodules > 0)
		rc = off_check(d, st, spath);
	if (rc != CK_DBG_OK)
		return rc;
	if (st->console_level >= 0 && this_boot)
		printf("console log level: %d (restored)\n", st->console_level);
	if (unlink(spath) < 0 && errno != ENOENT) {
		ck_error("debug off", "cannot remove %s: %s", spath, strerror(errno));
		return CK_DBG_FAIL;
	}
	printf("ceph-kmod debug: off, previous state restored\n");
	return CK_DBG_OK;
}

int ck_dbg_off(struct ck_dbg *d, int argc, char **argv)
{
	char why[1024], spath[PATH_MAX];
	struct ck_dbg_state st;
	struct ck_err e = { "" };
	int have, rc, ctl;

	(void)argc;
	(void)argv;
	if (ck_dbg_state_path(d, spath, sizeof(spath)) < 0)
		return CK_DBG_FAIL;
	have = ck_dbg_state_load(spath, &st, &e);
	if (have < 0) {
		ck_error("debug off", "%s", e.msg);
		return CK_DBG_FAIL;
	}
	ctl = ck_dbg_find_control(d, why, sizeof(why));
	if (!have)
		return off_nothing_saved(d, ctl);
	rc = off_saved(d, &st, ctl, why, spath);
	ck_dbg_state_free(&st);
	return rc;
}
