/* SPDX-License-Identifier: GPL-2.0 */
/* ceph-kmod status: what one kernel's report holds, shared by the full report
 * (cmd_status.c) and the one-line-per-kernel summary (status_brief.c). */
#ifndef CK_STATUS_H
#define CK_STATUS_H

#include <limits.h>
#include <stdio.h>

#include "json.h"
#include "module.h"

#define NMODS 4
#define NPROV 6
#define PROV_VERSION 0
#define PROV_PATCHES 2
#define PROV_BUILD 4
#define PROV_KEY_TYPES 5
#define MAX_BUILT 8

extern const char *const ck_status_mod_names[NMODS];
extern const char *const ck_status_prov_keys[NPROV];

struct file_report {
	char path[PATH_MAX];
	int readable; /* parsed as a module */
	char err[512];
	char build_id[130];
	char prov[NPROV][1024];
	int has_prov[NPROV];
	enum ck_verdict verdict;
	char verdict_err[512];
	struct ck_sig_report sig;
};

struct mod_report {
	const char *name;
	char built[MAX_BUILT][PATH_MAX];
	int nbuilt;
	char installed[PATH_MAX]; /* "" when not installed by dkms */
	char resolved[PATH_MAX];  /* "" when modprobe finds nothing */
	char resolved_err[256];
	const char *resolved_is; /* ours, in-tree, other, builtin, not-found */
	struct file_report file;  /* of installed, else of resolved */
	int inspected;
	const char *loaded;      /* "no", "yes", or NULL when not the running kernel */
	const char *loaded_ours; /* "yes", "no", "unknown" */
	char loaded_build_id[130];
};

struct set_report {
	char expected[256]; /* module names the installed set.env lists, or "" */
	char manifest_build[1024];
	char builds[NMODS][1024];
	int installed[NMODS];
	const char *state; /* none, unversioned, complete, mixed, incomplete */
	char problem[2560];
};

struct kernel_report {
	char kver[256];
	int running;
	struct mod_report mods[NMODS];
	struct set_report set;
	int pending;
	char code[32], reason[1024], fix[1024], since[64];
	/* CephX key types the kernel's libceph accepts, comma list; "" when unknown
	 * (no libceph found or unreadable). */
	char key_types[1024];
};

/* The full report (status -v, --json) of a module; of a kernel's key types, set and
 * pending record. */
void ck_status_module_human(const struct mod_report *m);
void ck_status_module_json(struct ck_json *j, const struct mod_report *m);
void ck_status_set_human(const struct kernel_report *k);
void ck_status_set_json(struct ck_json *j, const struct kernel_report *k);

/* NAME is a word of the blank-separated LIST. */
int ck_status_name_listed(const char *list, const char *name);

/* Fills r->key_types from the libceph report: its ceph_kmod_key_types, else "aes". */
void ck_status_key_types(struct kernel_report *r);

/* The summary of one kernel: one line, two more when it needs attention.
 * width: the kernel column's width. */
void ck_status_brief(FILE *f, const struct kernel_report *r, int width);

/* Width of the kernel column for KVER (with the running mark). */
int ck_status_brief_width(const char *kver, int running);

#endif
