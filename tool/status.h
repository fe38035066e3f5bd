/* SPDX-License-Identifier: GPL-2.0 */
/* ceph-kmod status: what one kernel's report holds, shared by the full report
 * (cmd_status.c) and the one-line-per-kernel summary (status_brief.c). */
#ifndef CK_STATUS_H
#define CK_STATUS_H

#include <limits.h>
#include <stdio.h>

#include "json.h"
#include "module.h"
#include "modules.h"

#define NMODS CK_NMODS
#define MOD_LIBCEPH 0 /* lib/modules.map lists libceph first */
#define NPROV 6
#define PROV_VERSION 0
#define PROV_PATCHES 2
#define PROV_BUILD 4
#define PROV_KEY_TYPES 5
#define MAX_BUILT 8

extern const char *const ck_status_mod_names[NMODS];
extern const char *const ck_status_prov_keys[NPROV];

/* What modprobe resolves a module name to. */
enum ck_resolved {
	CK_RES_NOT_FOUND, /* modprobe finds nothing */
	CK_RES_OTHER,     /* a file neither ours nor in-tree */
	CK_RES_BUILTIN,   /* built into the kernel */
	CK_RES_OURS,      /* the dkms-installed file */
	CK_RES_IN_TREE,   /* below /lib/modules/KVER/kernel/ */
};

/* Whether a module is loaded; only known for the running kernel. */
enum ck_loaded { CK_LOADED_NA, CK_LOADED_NO, CK_LOADED_YES };

/* Whether the loaded module is the installed file (by build-id). */
enum ck_ours { CK_OURS_NA, CK_OURS_YES, CK_OURS_NO, CK_OURS_UNKNOWN };

/* The installed set of a kernel. */
enum ck_set_state {
	CK_SET_NONE,        /* nothing of ours installed: the in-tree modules */
	CK_SET_UNVERSIONED, /* installed before sets were kept: not judged */
	CK_SET_COMPLETE,    /* every module the kernel can take ours, of one ceph_kmod_build */
	CK_SET_MIXED,       /* modules of different builds */
	CK_SET_INCOMPLETE,  /* a module the set lists is missing, or one the set lacks is
			     * still the kernel's in-tree module */
};

/* The words the reports (text and JSON) use for them. */
const char *ck_resolved_name(enum ck_resolved r);
const char *ck_ours_name(enum ck_ours o);
const char *ck_set_state_name(enum ck_set_state s);
/* A mixed or incomplete set: status exits CK_EXIT_STATUS_BAD_SET. */
int ck_set_is_bad(enum ck_set_state s);

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
	/* libceph only (status_keys.c): its imports could be read; the crypto_krb5_
	 * symbol it imports, "" when none; why they could not be read. */
	int imports_read;
	char krb5_import[128];
	char imports_err[512];
};

struct mod_report {
	const char *name;
	char built[MAX_BUILT][PATH_MAX];
	int nbuilt;
	char installed[PATH_MAX]; /* "" when not installed by dkms */
	char resolved[PATH_MAX];  /* "" when modprobe finds nothing */
	char resolved_err[256];
	enum ck_resolved resolved_is;
	struct file_report file;  /* of installed, else of resolved */
	int inspected;
	enum ck_loaded loaded;
	enum ck_ours loaded_ours;
	char loaded_build_id[130];
};

struct set_report {
	char expected[256]; /* module names the installed set.env lists, or "" */
	char manifest_build[1024];
	char builds[NMODS][1024];
	int installed[NMODS];
	enum ck_resolved resolved[NMODS]; /* what modprobe resolves each name to */
	/* From ck_status_judge_set: the set holds it (set.env's modules=, else installed);
	 * the kernel can take it (in the set, or modprobe finds it ours, in-tree or
	 * builtin); how many the kernel can take, how many modprobe resolves to ours. */
	int listed[NMODS];
	int can_take[NMODS];
	int ncan_take, nours;
	enum ck_set_state state;
	char problem[2560];
	char fix[512]; /* the command that repairs a mixed or incomplete set */
};

struct kernel_report {
	char kver[256];
	int running;
	struct mod_report mods[NMODS];
	struct set_report set;
	int pending;
	char code[32], reason[1024], fix[1024], since[64];
	/* CephX key types the kernel's libceph accepts, comma list; "" when unknown
	 * (no libceph module found, or unreadable). */
	char key_types[1024];
	const char *key_types_from; /* CK_KEYS_FROM_*, NULL when unknown */
	char key_types_import[128]; /* the crypto_krb5_ import that means aes256k, or "" */
	char key_types_error[512];  /* why the key types are unknown, or "" */
};

/* Where the key types come from: libceph's own .modinfo field (ceph-kmod's modules),
 * else what the module imports (crypto_krb5_*: aes256k, as upstream 7.0+). */
#define CK_KEYS_FROM_MODINFO "ceph_kmod_key_types"
#define CK_KEYS_FROM_IMPORTS "module imports"

/* The full report (status -v, --json) of a module; of a kernel's key types, set and
 * pending record. */
void ck_status_module_human(const struct mod_report *m);
void ck_status_module_json(struct ck_json *j, const struct mod_report *m);
void ck_status_set_human(const struct kernel_report *k);
void ck_status_set_json(struct ck_json *j, const struct kernel_report *k);

/* status_set.c: KEY=VALUE from a small file into out; 1 when found. */
int ck_status_read_kv(const char *path, const char *key, char *out, size_t outlen);
/* The state of the set installed in kernel directory kdir (kernel kver), from its
 * ceph-kmod-sets/current/set.env and r->installed, r->builds, r->resolved: complete
 * when every module the kernel can take is in the set, installed, of one build. */
void ck_status_judge_set(const char *kdir, const char *kver, struct set_report *r);

/* NAME is a word of the blank-separated LIST. */
int ck_status_name_listed(const char *list, const char *name);

/* status_keys.c: records in f what the libceph image imports (krb5_import). */
void ck_status_read_imports(const struct ck_elf_info *elf, struct file_report *f);
/* Fills r->key_types* from the libceph report: its ceph_kmod_key_types, else from its
 * imports (aes256k when it imports crypto_krb5_*), else unknown. */
void ck_status_key_types(struct kernel_report *r);
/* The key types with their source: one -v line, the --json members. */
void ck_status_key_types_human(const struct kernel_report *r);
void ck_status_key_types_json(struct ck_json *j, const struct kernel_report *r);

/* The summary of one kernel: one line, two more when it needs attention.
 * width: the kernel column's width. */
void ck_status_brief(FILE *f, const struct kernel_report *r, int width);

/* Width of the kernel column for KVER (with the running mark). */
int ck_status_brief_width(const char *kver, int running);

#endif
