// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod status: judging a kernel's installed set. Complete means every module the
 * kernel can take is ours, of one ceph_kmod_build: the set's set.env against the
 * modules' build ids, and against what modprobe still finds in-tree. */
#include <limits.h>
#include <stdarg.h>
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

static void set_problem(struct set_report *r, enum ck_set_state state, const char *kver,
			int rebuild, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set_problem(struct set_report *r, enum ck_set_state state, const char *kver,
			int rebuild, const char *fmt, ...)
{
	va_list ap;

	r->state = state;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
	va_end(ap);
	snprintf(r->fix, sizeof(r->fix), "ceph-kmod-install %s--kernel %s",
		 rebuild ? "--rebuild " : "", kver);
}

/* Which modules the set holds (set.env's modules=; without one, those installed), which
 * the kernel can take (in the set, or found by modprobe: ours, in-tree or builtin) and
 * how many of those modprobe resolves to ours. */
static void take_stock(struct set_report *r)
{
	int i;

	r->ncan_take = r->nours = 0;
	for (i = 0; i < NMODS; i++) {
		enum ck_resolved res = r->resolved[i];

		r->listed[i] = r->expected[0] ?
				       ck_status_name_listed(r->expected, ck_status_mod_names[i]) :
				       r->installed[i];
		r->can_take[i] = r->listed[i] || r->installed[i] || res == CK_RES_OURS ||
				 res == CK_RES_IN_TREE || res == CK_RES_BUILTIN;
		r->ncan_take += r->can_take[i];
		r->nours += res == CK_RES_OURS;
	}
}

/* Every module of the set installed, all of one build: 0, else 1 with the problem set. */
static int check_members(struct set_report *r, const char *kver)
{
	const char *first = NULL;
	int i;

	for (i = 0; i < NMODS; i++) {
		const char *name = ck_status_mod_names[i];

		if (r->listed[i] && !r->installed[i]) {
			set_problem(r, CK_SET_INCOMPLETE, kver, 0, "%s is not installed", name);
			return 1;
		}
		if (!r->installed[i])
			continue;
		if (!r->builds[i][0]) {
			set_problem(r, CK_SET_MIXED, kver, 0,
				    "%s carries no ceph_kmod_build (not from a ceph-kmod set)", name);
			return 1;
		}
		if (!first)
			first = r->builds[i];
		if (strcmp(first, r->builds[i]) != 0 ||
		    (r->manifest_build[0] && strcmp(r->manifest_build, r->builds[i]) != 0)) {
			set_problem(r, CK_SET_MIXED, kver, 0, "%s is from build %s, the set is build %s",
				    name, r->builds[i], r->manifest_build[0] ? r->manifest_build : first);
			return 1;
		}
	}
	return 0;
}

/* Appends NAME to the ", " list in out (size outlen). */
static void list_add(char *out, size_t outlen, const char *name, const char *note)
{
	size_t n = strlen(out);

	snprintf(out + n, outlen - n, "%s%s%s", n ? ", " : "", name, note);
}

/* A module the kernel can take that the set lacks is still the kernel's in-tree one:
 * the set is incomplete. The fix rebuilds: the set itself verifies, so a plain
 * ceph-kmod-install would keep it. */
static void check_in_tree(struct set_report *r, const char *kver)
{
	char in_tree[256] = "", held[256] = "";
	int i, n = 0;

	for (i = 0; i < NMODS; i++) {
		if (r->listed[i]) {
			list_add(held, sizeof(held), ck_status_mod_names[i], "");
		} else if (r->can_take[i] && !r->installed[i]) {
			list_add(in_tree, sizeof(in_tree), ck_status_mod_names[i],
				 r->resolved[i] == CK_RES_BUILTIN ? " (builtin)" : "");
			n++;
		}
	}
	if (n)
		set_problem(r, CK_SET_INCOMPLETE, kver, 1,
			    "%s %s the kernel's in-tree module%s: the set has %s%s", in_tree,
			    n == 1 ? "is" : "are", n == 1 ? "" : "s", held[0] ? "only " : "none of them",
			    held);
}

void ck_status_judge_set(const char *kdir, const char *kver, struct set_report *r)
{
	char env[PATH_MAX + 64];
	int i, any = 0;

	r->state = CK_SET_NONE;
	if (ck_pathf(env, sizeof(env), "%s/ceph-kmod-sets/current/set.env", kdir) == 0) {
		ck_status_read_kv(env, "modules", r->expected, sizeof(r->expected));
		ck_status_read_kv(env, "build", r->manifest_build, sizeof(r->manifest_build));
	}
	take_stock(r);
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
	if (!check_members(r, kver))
		check_in_tree(r, kver);
}
