// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod status -v and --json: the full report of one kernel, module by module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "status.h"

const char *ck_resolved_name(enum ck_resolved r)
{
	static const char *const names[] = {
		[CK_RES_NOT_FOUND] = "not-found", [CK_RES_OTHER] = "other",
		[CK_RES_BUILTIN] = "builtin",     [CK_RES_OURS] = "ours",
		[CK_RES_IN_TREE] = "in-tree",
	};

	return names[r];
}

/* NULL (JSON null) when not loaded. */
const char *ck_ours_name(enum ck_ours o)
{
	static const char *const names[] = {
		[CK_OURS_NA] = NULL, [CK_OURS_YES] = "yes", [CK_OURS_NO] = "no",
		[CK_OURS_UNKNOWN] = "unknown",
	};

	return names[o];
}

const char *ck_set_state_name(enum ck_set_state s)
{
	static const char *const names[] = {
		[CK_SET_NONE] = "none",         [CK_SET_UNVERSIONED] = "unversioned",
		[CK_SET_COMPLETE] = "complete", [CK_SET_MIXED] = "mixed",
		[CK_SET_INCOMPLETE] = "incomplete",
	};

	return names[s];
}

int ck_set_is_bad(enum ck_set_state s)
{
	return s == CK_SET_MIXED || s == CK_SET_INCOMPLETE;
}

static const char *sig_summary(const struct file_report *f)
{
	switch (f->verdict) {
	case CK_VALID:
		return "valid";
	case CK_BADSIG:
		return "BAD SIGNATURE";
	case CK_NOCERT:
		return "not signed by the configured certificate";
	case CK_UNSIGNED:
		return "unsigned";
	default:
		return "malformed";
	}
}

void ck_status_module_human(const struct mod_report *m)
{
	const struct file_report *f = &m->file;
	int i;

	printf("  %s:\n", m->name);
	if (m->nbuilt == 0)
		printf("    dkms built:  no\n");
	for (i = 0; i < m->nbuilt; i++)
		printf("    dkms built:  %s\n", m->built[i]);
	printf("    installed:   %s\n", m->installed[0] ? m->installed : "no");
	if (m->resolved[0])
		printf("    modprobe:    %s (%s)\n", m->resolved, ck_resolved_name(m->resolved_is));
	else
		printf("    modprobe:    %s%s%s\n", ck_resolved_name(m->resolved_is),
		       m->resolved_err[0] ? ": " : "", m->resolved_err);
	if (m->inspected) {
		printf("    file:        %s\n", f->path);
		if (!f->readable) {
			printf("    error:       %s\n", f->err);
		} else {
			printf("    build-id:    %s\n", f->build_id[0] ? f->build_id : "none");
			for (i = 0; i < NPROV; i++)
				if (f->has_prov[i])
					printf("    %-12s %s\n", ck_status_prov_keys[i] + 10, f->prov[i]);
			if (!f->has_prov[0])
				printf("    provenance:  none (not built by ceph-kmod)\n");
			if (f->verdict == CK_UNSIGNED || f->verdict == CK_MALFORMED)
				printf("    signature:   %s\n", sig_summary(f));
			else
				printf("    signature:   signer \"%s\", key id %s, %s: %s\n",
				       f->sig.signer, f->sig.key_id[0] ? f->sig.key_id : "?",
				       f->sig.hash[0] ? f->sig.hash : "?", sig_summary(f));
		}
	}
	if (m->loaded != CK_LOADED_NA) {
		if (m->loaded == CK_LOADED_YES)
			printf("    loaded:      yes, ours: %s%s%s\n", ck_ours_name(m->loaded_ours),
			       m->loaded_build_id[0] ? ", build-id " : "", m->loaded_build_id);
		else
			printf("    loaded:      no\n");
	}
}

void ck_status_module_json(struct ck_json *j, const struct mod_report *m)
{
	const struct file_report *f = &m->file;
	int i;

	ck_json_obj_begin(j, NULL);
	ck_json_str(j, "name", m->name);
	ck_json_arr_begin(j, "dkms_built");
	for (i = 0; i < m->nbuilt; i++)
		ck_json_str(j, NULL, m->built[i]);
	ck_json_arr_end(j);
	ck_json_str(j, "installed", m->installed[0] ? m->installed : NULL);
	ck_json_str(j, "modprobe_path", m->resolved[0] ? m->resolved : NULL);
	ck_json_str(j, "modprobe_resolves", ck_resolved_name(m->resolved_is));
	if (m->inspected) {
		ck_json_obj_begin(j, "file");
		ck_json_str(j, "path", f->path);
		ck_json_bool(j, "readable", f->readable);
		ck_json_str(j, "error", f->readable ? NULL : f->err);
		ck_json_str(j, "build_id", f->build_id[0] ? f->build_id : NULL);
		for (i = 0; i < NPROV; i++)
			ck_json_str(j, ck_status_prov_keys[i], f->has_prov[i] ? f->prov[i] : NULL);
		ck_json_str(j, "signature", ck_verdict_name(f->verdict));
		ck_json_int(j, "verify_exit", f->verdict);
		ck_json_str(j, "signer", f->sig.signer[0] ? f->sig.signer : NULL);
		ck_json_str(j, "key_id", f->sig.key_id[0] ? f->sig.key_id : NULL);
		ck_json_str(j, "hash", f->sig.hash[0] ? f->sig.hash : NULL);
		ck_json_bool(j, "verifies_with_configured_cert", f->verdict == CK_VALID);
		ck_json_obj_end(j);
	} else {
		ck_json_str(j, "file", NULL);
	}
	if (m->loaded != CK_LOADED_NA) {
		ck_json_obj_begin(j, "loaded");
		ck_json_bool(j, "loaded", m->loaded == CK_LOADED_YES);
		ck_json_str(j, "build_id", m->loaded_build_id[0] ? m->loaded_build_id : NULL);
		ck_json_str(j, "ours", ck_ours_name(m->loaded_ours));
		ck_json_obj_end(j);
	} else {
		ck_json_str(j, "loaded", NULL);
	}
	ck_json_obj_end(j);
}


/* The names of the modules whose flag is set, as a JSON array. */
static void names_json(struct ck_json *j, const char *key, const int *flags)
{
	int i;

	ck_json_arr_begin(j, key);
	for (i = 0; i < NMODS; i++)
		if (flags[i])
			ck_json_str(j, NULL, ck_status_mod_names[i]);
	ck_json_arr_end(j);
}

/* "  can take:    libceph, rbd (1/2 ours)": what the N/M of the summary counts. */
static void can_take_human(const struct set_report *r)
{
	int i, n = 0;

	printf("  can take:    ");
	for (i = 0; i < NMODS; i++)
		if (r->can_take[i])
			printf("%s%s", n++ ? ", " : "", ck_status_mod_names[i]);
	printf("%s (%d/%d ours)\n", n ? "" : "none", r->nours, r->ncan_take);
}

void ck_status_set_json(struct ck_json *j, const struct kernel_report *k)
{
	const struct set_report *r = &k->set;

	ck_status_key_types_json(j, k);
	ck_json_obj_begin(j, "set");
	ck_json_str(j, "state", ck_set_state_name(r->state));
	ck_json_str(j, "build", r->manifest_build[0] ? r->manifest_build : NULL);
	ck_json_str(j, "problem", r->problem[0] ? r->problem : NULL);
	ck_json_str(j, "fix", r->fix[0] ? r->fix : NULL);
	names_json(j, "modules", r->listed);
	names_json(j, "can_take", r->can_take);
	ck_json_int(j, "can_take_count", r->ncan_take);
	ck_json_int(j, "ours_count", r->nours);
	ck_json_obj_end(j);
	if (k->pending) {
		ck_json_obj_begin(j, "pending");
		ck_json_int(j, "code", atoi(k->code));
		ck_json_str(j, "reason", k->reason);
		ck_json_str(j, "fix", k->fix);
		ck_json_str(j, "since", k->since);
		ck_json_obj_end(j);
	} else {
		ck_json_str(j, "pending", NULL);
	}
}

void ck_status_set_human(const struct kernel_report *k)
{
	const struct set_report *r = &k->set;

	ck_status_key_types_human(k);
	if (r->state == CK_SET_COMPLETE)
		printf("  set:         complete, build %s\n",
		       r->manifest_build[0] ? r->manifest_build : r->builds[0]);
	else if (r->state == CK_SET_NONE)
		printf("  set:         none installed\n");
	else if (r->state == CK_SET_UNVERSIONED)
		printf("  set:         unversioned (%s)\n", r->problem);
	else
		printf("  set:         ERROR: %s: %s (repair: %s)\n", ck_set_state_name(r->state),
		       r->problem, r->fix);
	can_take_human(r);
	if (k->pending) {
		printf("  pending:     not built (exit %s) since %s: %s\n", k->code, k->since,
		       k->reason);
		printf("  fix:         %s\n", k->fix);
	}
}
