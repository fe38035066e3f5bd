// SPDX-License-Identifier: GPL-2.0
/* Configuration lookup with the same rules as lib/ceph-kmod.sh's ck_conf. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck.h"

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int ck_conf_file_get(const char *file, const char *key, char *out, size_t outlen)
{
	char line[4096];
	size_t klen = strlen(key);
	int found = 0;
	FILE *f;

	if (!file)
		file = ck_env_or("CEPH_KMOD_CONF", CK_DEFAULT_CONF);
	f = fopen(file, "re");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *p, *val;
		size_t vlen;

		if (hash)
			*hash = '\0';
		p = trim(line);
		if (strncmp(p, key, klen) != 0)
			continue;
		p += klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		val = trim(p + 1);
		vlen = strlen(val);
		if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
			val[vlen - 1] = '\0';
			val++;
		}
		if (strlen(val) >= outlen) {
			fclose(f);
			return -1;
		}
		snprintf(out, outlen, "%s", val);
		found = 1;
	}
	fclose(f);
	return found ? 0 : 1;
}

int ck_conf_get(const char *key, const char *def, char *out, size_t outlen)
{
	char env[128];
	const char *v;
	int r;

	if (ck_pathf(env, sizeof(env), "CEPH_KMOD_%s", key) < 0)
		return -1;
	v = getenv(env);
	if (v && *v)
		return ck_pathf(out, outlen, "%s", v);
	r = ck_conf_file_get(NULL, key, out, outlen);
	if (r < 0)
		return -1;
	if (r == 0 && out[0])
		return 0;
	return ck_pathf(out, outlen, "%s", def ? def : "");
}

int ck_mok_cert_path(char *out, size_t outlen)
{
	return ck_conf_get("MOK_CERT", CK_DEFAULT_MOK_CERT, out, outlen);
}
