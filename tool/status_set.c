// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod status: judging a kernel's installed set (its set.env against the modules'
 * ceph_kmod_build ids). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

/* KEY=VALUE from a small file; returns 1 when found. */
int ck_status_read_kv(const char *path, const char *key, char *out, size_t outlen)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	size_t n = strlen(key);
	int found = 0;

	out[0] = '\0';
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) == 0 && line[n] == '=') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, outlen, "%s", line + n + 1);
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

void ck_status_judge_set(const char *kdir, struct set_report *r)
{
	char env[PATH_MAX + 64];
	const char *first = NULL;
	int i, any = 0;

	r->state = CK_SET_NONE;
	if (ck_pathf(env, sizeof(env), "%s/ceph-kmod-sets/current/set.env", kdir) == 0) {
		ck_status_read_kv(env, "modules", r->expected, sizeof(r->expected));
		ck_status_read_kv(env, "build", r->manifest_build, sizeof(r->manifest_build));
	}
	for (i = 0; i < NMODS; i++)
		any |= r->installed[i] ? (r->builds[i][0] ? 2 : 1) : 0;
	if (!any && !r->expected[0])
		return;
	/* Installed before ceph-kmod kept sets (no manifest, no build ids): not judged. */
	if (!r->expected[0] && !(any & 2)) {
		r->state = CK_SET_UNVERSIONED;
		snprintf(r->problem, sizeof(r->problem),
			 "modules carry no ceph_kmod_build: rebuild with ceph-kmod-install --rebuild");
		return;
	}
	r->state = CK_SET_COMPLETE;
	for (i = 0; i < NMODS; i++) {
		int want = r->expected[0] ? ck_status_name_listed(r->expected, ck_status_mod_names[i]) : 1;

		if (want && !r->installed[i]) {
			r->state = CK_SET_INCOMPLETE;
			snprintf(r->problem, sizeof(r->problem), "%s is not installed", ck_status_mod_names[i]);
			return;
		}
		if (!r->installed[i])
			continue;
		if (!r->builds[i][0]) {
			r->state = CK_SET_MIXED;
			snprintf(r->problem, sizeof(r->problem),
				 "%s carries no ceph_kmod_build (not from a ceph-kmod set)", ck_status_mod_names[i]);
			return;
		}
		if (!first)
			first = r->builds[i];
		if (strcmp(first, r->builds[i]) != 0 ||
		    (r->manifest_build[0] && strcmp(r->manifest_build, r->builds[i]) != 0)) {
			r->state = CK_SET_MIXED;
			snprintf(r->problem, sizeof(r->problem),
				 "%s is from build %s, the set is build %s", ck_status_mod_names[i], r->builds[i],
				 r->manifest_build[0] ? r->manifest_build : first);
			return;
		}
	}
}
