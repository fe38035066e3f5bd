/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ceph-kmod debug` on, off and status: what the subcommands share. The saved state
 * (debug_state.h) is what `off` restores; the files we own (modprobe.d, rsyslog and
 * logrotate drop-ins) are written and removed by debug_files.c.
 */
#ifndef CK_DEBUG_CMD_H
#define CK_DEBUG_CMD_H

#include "debug.h"
#include "dyndbg.h"

/* The subcommands; argv[0] is the subcommand's name. Return an exit code. */
int ck_dbg_on(struct ck_dbg *d, int argc, char **argv);
int ck_dbg_off(struct ck_dbg *d, int argc, char **argv);
int ck_dbg_status(struct ck_dbg *d, int argc, char **argv);

/* debug_sys.c: one of CK_MODULE_NAMES (lib/modules.map). */
int ck_dbg_known_module(const char *m);
/* This boot's id into out ("unknown" and -1 when unreadable). */
int ck_dbg_boot_id(const struct ck_dbg *d, char *out, size_t outlen);
/* The console log level (first field of /proc/sys/kernel/printk), -1 when unreadable. */
int ck_dbg_console_level(const struct ck_dbg *d);
int ck_dbg_set_console_level(const struct ck_dbg *d, int level, struct ck_err *e);
/* Where the saved state lives (below root). 0 or -1 when too long. */
int ck_dbg_state_path(const struct ck_dbg *d, char *out, size_t outlen);
/* Callsites of module in s that print; *total: all of its callsites. */
size_t ck_dbg_count_enabled(const struct ck_dd_sites *s, const char *module, size_t *total);

/* debug_files.c: 1 when path is a modprobe.d file we wrote (starts with our header). */
int ck_dbg_atload_is_ours(const char *path);
/* (Re)writes the modprobe.d file: lines of other modules kept, those of mods replaced. */
int ck_dbg_write_atload(const struct ck_dbg *d, char **mods, int nmods, const char *file,
			const char *func, struct ck_err *e);
/* Links the rsyslog drop-in and copies the logrotate file. 0 or -1 with e set. */
int ck_dbg_enable_persist(const struct ck_dbg *d, struct ck_err *e);
/* Removes our modprobe.d file, logrotate copy and rsyslog link; 0 or -1 with e set. */
int ck_dbg_remove_files(const struct ck_dbg *d, int verbose, struct ck_err *e);
/* After a reboot: switches off (=_) the callsites our modprobe.d file switched on at load.
 * ctl: what ck_dbg_find_control returned. */
void ck_dbg_atload_reset(const struct ck_dbg *d, int ctl);

#endif
