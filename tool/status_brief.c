// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod status: one line per kernel, two more when the kernel needs attention. */
#include <stdio.h>
#include <string.h>

#include "status.h"

#define RUNNING_MARK " (running)"

int ck_status_name_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

int ck_status_brief_width(const char *kver, int running)
{
	return (int)(strlen(kver) + (running ? strlen(RUNNING_MARK) : 0));
}

/* Number of distinct names in the comma lists of ceph_kmod_patches ("none": no patch). */
static int count_patches(const struct kernel_report *r)
{
	char seen[NMODS * 1024 + 2] = ",";
	int i, n = 0;

	for (i = 0; i < NMODS; i++) {
		const struct file_report *f = &r->mods[i].file;
		char list[1024], *tok, *save = NULL, probe[1030];

		if (!r->mods[i].installed[0] || !f->readable || !f->has_prov[PROV_PATCHES])
			continue;
		snprintf(list, sizeof(list), "%s", f->prov[PROV_PATCHES]);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			snprintf(probe, sizeof(probe), ",%s,", tok);
			if (strcmp(tok, "none") == 0 || strstr(seen, probe))
				continue;
			if (strlen(seen) + strlen(tok) + 2 < sizeof(seen)) {
				strcat(seen, tok);
				strcat(seen, ",");
			}
			n++;
		}
	}
	return n;
}

/* "signed ok", or what is wrong with the first installed module that does not verify. */
static void sig_field(const struct kernel_report *r, char *out, size_t outlen)
{
	int i;

	snprintf(out, outlen, "signed ok");
	for (i = 0; i < NMODS; i++) {
		const struct mod_report *m = &r->mods[i];

		if (!m->installed[0] || !m->inspected || m->file.verdict == CK_VALID)
			continue;
		snprintf(out, outlen, "SIGNATURE %s: %s", m->name,
			 ck_verdict_name(m->file.verdict));
		return;
	}
}

static void set_field(const struct kernel_report *r, char *out, size_t outlen)
{
	const struct set_report *s = &r->set;

	if (s->state == CK_SET_COMPLETE)
		snprintf(out, outlen, "set complete (%s)",
			 s->manifest_build[0] ? s->manifest_build : s->builds[0]);
	else if (s->state == CK_SET_NONE)
		snprintf(out, outlen, "no set (in-tree modules)");
	else if (s->state == CK_SET_UNVERSIONED)
		snprintf(out, outlen, "set unversioned");
	else
		snprintf(out, outlen, "set %s", s->state == CK_SET_MIXED ? "MIXED" : "INCOMPLETE");
}

/* N/M ours: modules modprobe resolves to ours, of those the kernel can take. */
static void ours_field(const struct kernel_report *r, char *out, size_t outlen)
{
	snprintf(out, outlen, "%d/%d ours", r->set.nours, r->set.ncan_take);
}

static void loaded_field(const struct kernel_report *r, char *out, size_t outlen)
{
	int i, loaded = 0, ours = 0;

	out[0] = '\0';
	for (i = 0; i < NMODS; i++) {
		const struct mod_report *m = &r->mods[i];

		if (m->loaded == CK_LOADED_YES) {
			loaded++;
			ours += m->loaded_ours == CK_OURS_YES;
		}
	}
	if (loaded)
		snprintf(out, outlen, "  loaded %d/%d ours", ours, loaded);
}

static void attention(FILE *f, const struct kernel_report *r)
{
	const struct set_report *s = &r->set;

	if (r->pending) {
		fprintf(f, "  pending: not built (exit %s) since %s: %s\n", r->code, r->since,
			r->reason);
		fprintf(f, "  fix:     %s\n", r->fix);
	} else if (ck_set_is_bad(s->state)) {
		fprintf(f, "  set %s: %s\n", ck_set_state_name(s->state), s->problem);
		fprintf(f, "  fix:     %s\n", s->fix);
	} else if (s->state == CK_SET_UNVERSIONED) {
		fprintf(f, "  set unversioned: %s\n", s->problem);
	}
}

void ck_status_brief(FILE *f, const struct kernel_report *r, int width)
{
	char name[300], set[1100], ours[32], sig[128], loaded[64];
	const char *ver = "-";
	int i, has_set = r->set.state != CK_SET_NONE;

	snprintf(name, sizeof(name), "%s%s", r->kver, r->running ? RUNNING_MARK : "");
	for (i = NMODS - 1; i >= 0; i--) {
		const struct mod_report *m = &r->mods[i];

		if (m->installed[0] && m->file.readable && m->file.has_prov[PROV_VERSION])
			ver = m->file.prov[PROV_VERSION];
	}
	set_field(r, set, sizeof(set));
	ours_field(r, ours, sizeof(ours));
	sig_field(r, sig, sizeof(sig));
	loaded_field(r, loaded, sizeof(loaded));
	fprintf(f, "%-*s  %-6s  %s  %s", width, name, ver, set, ours);
	if (has_set) {
		int n = count_patches(r);

		fprintf(f, "  %s  %d patch%s", sig, n, n == 1 ? "" : "es");
	}
	fprintf(f, "  keys %s%s\n", r->key_types[0] ? r->key_types : "unknown", loaded);
	attention(f, r);
}
