// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/ceph-kmod/ceph-kmod.conf, with the grammar of ceph-kmod(8) CONFIGURATION that
 * lib/ceph-kmod.sh's ck_conf_line also follows (both are tested against
 * tests/tool/conf-cases.tsv):
 *   - blank lines and lines whose first non-blank character is # are comments;
 *   - KEY = VALUE, blanks around the line and around = are ignored; KEY is
 *     [A-Za-z_][A-Za-z0-9_]*, optionally followed by @ and a kernel release (SOURCE@K);
 *   - a VALUE starting with ' or " ends at the next same quote, which is removed with
 *     the opening one; only blanks and a # comment may follow it, else the line is
 *     malformed; inside the quotes everything is literal;
 *   - an unquoted VALUE ends at a # that starts it or follows a blank; trailing blanks
 *     are removed; blanks inside are kept;
 *   - malformed lines are ignored; the last line for a key wins; an empty VALUE
 *     means unset (the default applies).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck.h"

static const char *skip_blanks(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* The key at p: its end, or NULL when p does not start a valid key. */
static const char *scan_key(const char *p)
{
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (*p == '@') {
		const char *at = ++p;

		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		if (p == at)
			return NULL;
	}
	return p;
}

/* VALUE of an unquoted rest: up to a # at its start or after a blank, trimmed. */
static void unquoted_value(char *v)
{
	char *p, *end;

	for (p = v; *p; p++)
		if (*p == '#' && (p == v || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	end = v + strlen(v);
	while (end > v && isspace((unsigned char)end[-1]))
		*--end = '\0';
}

int ck_conf_parse_line(char *line, char **key, size_t *keylen, char **val)
{
	const char *p = skip_blanks(line), *kend = scan_key(p);
	char *rest;

	if (!kend)
		return -1;
	*key = (char *)p;
	*keylen = (size_t)(kend - p);
	p = skip_blanks(kend);
	if (*p != '=')
		return -1;
	rest = (char *)skip_blanks(p + 1);
	if (*rest == '"' || *rest == '\'') {
		char *close = strchr(rest + 1, *rest);
		const char *after;

		if (!close)
			return -1;
		after = skip_blanks(close + 1);
		if (*after && *after != '#')
			return -1;
		*close = '\0';
		*val = rest + 1;
		return 0;
	}
	unquoted_value(rest);
	*val = rest;
	return 0;
}

int ck_conf_file_get(const char *file, const char *key, char *out, size_t outlen)
{
	char *line = NULL, *k, *v;
	size_t cap = 0, klen = strlen(key), n;
	int found = 0, toolong = 0;
	ssize_t len;
	FILE *f;

	if (!file)
		file = ck_env_or("CEPH_KMOD_CONF", CK_DEFAULT_CONF);
	f = fopen(file, "re");
	if (!f)
		return 1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (ck_conf_parse_line(line, &k, &n, &v) < 0 || n != klen ||
		    strncmp(k, key, klen) != 0)
			continue;
		toolong = strlen(v) >= outlen;
		if (!toolong)
			snprintf(out, outlen, "%s", v);
		found = 1;
	}
	free(line);
	fclose(f);
	if (toolong)
		return -1;
	return found ? 0 : 1;
}

int ck_conf_get(const char *key, const char *def, char *out, size_t outlen)
{
	char env[128];
	const char *v;
	int r;

	if (ck_pathf(env, sizeof(env), "CEPH_KMOD_%s", key) < 0)
		return -1;
	v = strchr(key, '@') ? NULL : getenv(env);
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
