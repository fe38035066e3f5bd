/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The saved state of `ceph-kmod debug on`: what was there before, written once per boot
 * (keyed by /proc/sys/kernel/random/boot_id) and before any knob is touched, so `off`
 * restores it even when the tool was killed half way. Text, one record a line:
 *   ceph-kmod-debug-state 1
 *   boot_id UUID | created SECONDS | console_loglevel N | at_load PATH | persist PATH
 *   module NAME                     (its callsites below are the saved ones)
 *   site MODULE<TAB>FUNC<TAB>LINE<TAB>FLAGS
 */
#ifndef CK_DEBUG_STATE_H
#define CK_DEBUG_STATE_H

#include "ck.h"
#include "dyndbg.h"

#define CK_DBG_STATE_MAGIC "ceph-kmod-debug-state 1"
#define CK_DBG_STATE_MAXMODS 16

struct ck_dbg_state {
	char boot_id[64];
	long long created;
	int console_level; /* -1: not changed by us */
	int at_load;       /* we wrote the modprobe.d file */
	int persist;       /* we enabled the rsyslog drop-in */
	char modules[CK_DBG_STATE_MAXMODS][CK_DD_NAME];
	int nmodules;
	struct ck_dd_sites sites;
};

void ck_dbg_state_init(struct ck_dbg_state *s);
void ck_dbg_state_free(struct ck_dbg_state *s);
int ck_dbg_state_has_module(const struct ck_dbg_state *s, const char *module);
/* Adds module with its current callsites (from all, the whole control file). */
int ck_dbg_state_add_module(struct ck_dbg_state *s, const char *module,
			    const struct ck_dd_sites *all);

/* Serialises s into out (a fresh buffer). */
int ck_dbg_state_format(const struct ck_dbg_state *s, struct ck_buf *out);
/* Parses text; -1 with e set on anything malformed. */
int ck_dbg_state_parse(const char *text, size_t len, struct ck_dbg_state *s, struct ck_err *e);

/* Loads path: 1 loaded, 0 no such file, -1 unreadable or malformed (e set). */
int ck_dbg_state_load(const char *path, struct ck_dbg_state *s, struct ck_err *e);
/* Writes path atomically (temporary file, fsync, rename, fsync of the directory),
 * mode 0600, creating the directory (0700). 0 or -1 with e set. */
int ck_dbg_state_save(const char *path, const struct ck_dbg_state *s, struct ck_err *e);

#endif
