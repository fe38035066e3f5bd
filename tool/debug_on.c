// SPDX-License-Identifier: GPL-2.0
/* `ceph-kmod debug on`: save what is there (once per boot), then switch the callsites on. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "debug_cmd.h"
#include "debug_state.h"

struct on_args {
	const char *file, *func;
	char *mods[CK_DBG_NMODS];
	int nmods, named, level, at_load, persist;
	int loaded_any; /* one of mods is loaded */
};

static void on_add_module(struct on_args *a, char *name)
{
	int k;

	for (k = 0; k < a->nmods; k++)
		if (strcmp(a->mods[k], name) == 0)
			return;
	a->mods[a->nmods++] = name;
}

/* --level N: 1..8. -1 when not. */
static int on_level(const char *val)
{
	char *end;
	long l = strtol(val, &end, 10);

	return (*end || end == val || l < 1 || l > 8) ? -1 : (int)l;
}

static const struct option on_opts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "func", required_argument, NULL, 'F' },
	{ "level", required_argument, NULL, 'l' },
	{ "at-load", no_argument, NULL, 'a' },
	{ "persist", no_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

/* Parses the command line into a. CK_EXIT_OK or CK_EXIT_USAGE (message printed). */
static int on_parse(int argc, char **argv, struct on_args *a)
{
	char bad[256];
	int o, k;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":", on_opts, NULL)) != -1) {
		switch (o) {
		case 'f':
		case 'F':
			if (!ck_dd_name_ok(optarg))
				return ck_usage_error("debug", "on: bad option or value '%s'", optarg);
			*(o == 'f' ? &a->file : &a->func) = optarg;
			break;
		case 'l':
			a->level = on_level(optarg);
			if (a->level < 0)
				return ck_usage_error("debug", "on: --level wants 1..8 (8 shows debug "
						      "messages on the console), not '%s'", optarg);
			break;
		case 'a':
			a->at_load = 1;
			break;
		case 'p':
			a->persist = 1;
			break;
		default:
			return ck_usage_error("debug", "on: bad option or value '%s'",
					      ck_opt_refused(argv, o, bad, sizeof(bad)));
		}
	}
	for (k = optind; k < argc; k++) {
		if (!ck_dbg_known_module(argv[k]))
			return ck_usage_error("debug", "on: '%s' is not one of " CK_MODULE_LIST,
					      argv[k]);
		on_add_module(a, argv[k]);
		a->named = 1;
	}
	if (!a->named)
		for (k = 0; k < CK_DBG_NMODS; k++)
			a->mods[a->nmods++] = (char *)ck_dbg_modules[k];
	return CK_EXIT_OK;
}

/* Only loaded modules are switched on; named ones must be loaded unless --at-load. */
static int on_check_loaded(const struct ck_dbg *d, struct on_args *a)
{
	int k;

	for (k = 0; k < a->nmods; k++) {
		if (ck_dbg_loaded(d, a->mods[k])) {
			a->loaded_any = 1;
		} else if (a->named && !a->at_load) {
			ck_error("debug on", "module %s is not loaded (no %s/sys/module/%s): load it "
				 "first (modprobe %s), or use --at-load to debug it from its next load",
				 a->mods[k], d->root, a->mods[k], a->mods[k]);
			return CK_DBG_NOT_LOADED;
		}
	}
	if (!a->loaded_any && !a->at_load) {
		ck_error("debug on", "none of " CK_MODULE_LIST " is loaded: load one "
			 "(modprobe rbd), or use --at-load");
		return CK_DBG_NOT_LOADED;
	}
	return CK_DBG_OK;
}

/* A state saved in an earlier boot describes nothing now: start over, keeping only which
 * files we own. */
static void on_new_boot(struct ck_dbg_state *st, const char *bid)
{
	int keep_atload = st->at_load, keep_persist = st->persist;

	ck_dbg_state_free(st);
	snprintf(st->boot_id, sizeof(st->boot_id), "%s", bid);
	st->created = (long long)time(NULL);
	st->at_load = keep_atload;
	st->persist = keep_persist;
}

/* Saves the previous state once per boot, before anything is touched. st is loaded
 * (free it) unless the load failed. */
static int on_save_state(const struct ck_dbg *d, const struct on_args *a,
			 const struct ck_dd_sites *all, struct ck_dbg_state *st, char *spath,
			 size_t spathlen)
{
	char bid[64];
	struct ck_err e = { "" };
	int k;

	ck_dbg_boot_id(d, bid, sizeof(bid));
	if (ck_dbg_state_path(d, spath, spathlen) < 0 || ck_dbg_state_load(spath, st, &e) < 0) {
		ck_error("debug on", "saved state unusable: %s; remove it after checking "
			 "`ceph-kmod debug status`", e.msg);
		return -1;
	}
	if (strcmp(st->boot_id, bid) != 0)
		on_new_boot(st, bid);
	for (k = 0; k < a->nmods; k++)
		if (ck_dbg_loaded(d, a->mods[k]) && ck_dbg_state_add_module(st, a->mods[k], all) < 0) {
			ck_error("debug on", "out of memory");
			return CK_DBG_FAIL;
		}
	if (a->level >= 0 && st->console_level < 0)
		st->console_level = ck_dbg_console_level(d);
	if (a->level >= 0 && st->console_level < 0) {
		ck_error("debug on", "cannot read /proc/sys/kernel/printk");
		return CK_DBG_FAIL;
	}
	st->at_load |= a->at_load;
	st->persist |= a->persist;
	if (ck_dbg_state_save(spath, st, &e) < 0) {
		ck_error("debug on", "cannot save the previous state: %s", e.msg);
		return CK_DBG_FAIL;
	}
	return CK_DBG_OK;
}

/* Switches the loaded modules' callsites on; then the console level and the files. */
static int on_apply(const struct ck_dbg *d, const struct on_args *a)
{
	const char *kill_after = getenv("CEPH_KMOD_DEBUG_KILL_AFTER");
	char q[512];
	struct ck_err e = { "" };
	int k, writes = 0;

	for (k = 0; k < a->nmods; k++) {
		if (!ck_dbg_loaded(d, a->mods[k]))
			continue;
		/* Test hook: SIGKILL after N writes, to prove `off` recovers from a crash. */
		if (kill_after && atoi(kill_after) == writes++)
			raise(SIGKILL);
		if (ck_dd_on_query(q, sizeof(q), a->mods[k], a->file, a->func, "+p") < 0 ||
		    ck_dd_write(d->control, q, &e) < 0) {
			ck_error("debug on", "%s\n(run `ceph-kmod debug off` to restore the previous "
				 "state)", e.msg);
			return CK_DBG_FAIL;
		}
	}
	if (a->level >= 0 && ck_dbg_set_console_level(d, a->level, &e) < 0) {
		ck_error("debug on", "console level: %s", e.msg);
		return CK_DBG_FAIL;
	}
	if (a->at_load && ck_dbg_write_atload(d, (char **)a->mods, a->nmods, a->file, a->func,
					      &e) < 0) {
		ck_error("debug on", "--at-load: %s", e.msg);
		return CK_DBG_FAIL;
	}
	if (a->persist && ck_dbg_enable_persist(d, &e) < 0) {
		ck_error("debug on", "--persist: %s", e.msg);
		return CK_DBG_FAIL;
	}
	return CK_DBG_OK;
}

/* on_report's result when --file/--func matched no callsite: a failure, reported after
 * the summary. */
#define CK_DBG_NOTHING_MATCHED (-2)

/* Reads the control file back: how many callsites of each module print now. */
static int on_report(const struct ck_dbg *d, const struct on_args *a)
{
	struct ck_dd_sites now = { 0 };
	struct ck_err e = { "" };
	size_t total_on = 0, total, on;
	int k, rc = CK_DBG_OK;

	if (ck_dd_read(d->control, NULL, &now, &e) < 0) {
		ck_error("debug on", "%s", e.msg);
		return CK_DBG_FAIL;
	}
	for (k = 0; k < a->nmods; k++) {
		if (!ck_dbg_loaded(d, a->mods[k])) {
			printf("%s: not loaded%s\n", a->mods[k],
			       a->at_load ? ", debugging from its next load (modprobe.d)" : "");
			continue;
		}
		on = ck_dbg_count_enabled(&now, a->mods[k], &total);
		total_on += on;
		printf("%s: %zu of %zu callsites print\n", a->mods[k], on, total);
	}
	if (total_on == 0 && a->loaded_any && (a->file || a->func)) {
		ck_error("debug on", "no callsite matched%s%s%s%s (see %s for names)",
			 a->file ? " --file " : "", a->file ? a->file : "",
			 a->func ? " --func " : "", a->func ? a->func : "", d->control);
		rc = CK_DBG_NOTHING_MATCHED;
	}
	ck_dd_sites_free(&now);
	return rc;
}

int ck_dbg_on(struct ck_dbg *d, int argc, char **argv)
{
	struct on_args a = { .level = -1 };
	struct ck_dd_sites all = { 0 };
	struct ck_dbg_state st;
	struct ck_err e = { "" };
	char why[1024], spath[PATH_MAX];
	int rc;

	rc = on_parse(argc, argv, &a);
	if (rc != CK_EXIT_OK)
		return rc;
	rc = ck_dbg_find_control(d, why, sizeof(why));
	if (rc != CK_DBG_OK) {
		ck_error("debug on", "%s", why);
		return rc;
	}
	rc = on_check_loaded(d, &a);
	if (rc != CK_DBG_OK)
		return rc;
	if (ck_dd_read(d->control, NULL, &all, &e) < 0) {
		ck_error("debug on", "%s", e.msg);
		return CK_DBG_FAIL;
	}
	rc = on_save_state(d, &a, &all, &st, spath, sizeof(spath));
	ck_dd_sites_free(&all);
	if (rc < 0)
		return CK_DBG_FAIL;
	if (rc == CK_DBG_OK)
		rc = on_apply(d, &a);
	if (rc == CK_DBG_OK)
		rc = on_report(d, &a);
	if (rc == CK_DBG_OK || rc == CK_DBG_NOTHING_MATCHED) {
		if (a.level >= 0)
			printf("console log level: %d (was %d; `debug off` restores it)\n", a.level,
			       st.console_level);
		printf("previous state saved in %s; `ceph-kmod debug off` restores it\n", spath);
		if (rc == CK_DBG_NOTHING_MATCHED)
			rc = CK_DBG_FAIL;
	}
	ck_dbg_state_free(&st);
	return rc;
}
