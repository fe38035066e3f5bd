// SPDX-License-Identifier: GPL-2.0
/* Streaming JSON output with string escaping; nesting is tracked per level. */
#include "json.h"

#include <string.h>

void ck_json_init(struct ck_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Is s[0..n) well-formed UTF-8 (no overlong forms checked: output stays parseable)? */
static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 :
					       (c & 0xf8) == 0xf0 ? 3 : 9;

		if (more == 9 || more > n - i - 1)
			return 0;
		for (k = 1; k <= more; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += more + 1;
	}
	return 1;
}

static void escaped(FILE *f, const char *s, size_t n)
{
	size_t i;
	int raw_ok = utf8_ok((const unsigned char *)s, n);

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !raw_ok))
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void member(struct ck_json *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (j->depth) {
		fputc('\n', j->f);
		fprintf(j->f, "%*s", 2 * j->depth, "");
	}
	if (key) {
		escaped(j->f, key, strlen(key));
		fputs(": ", j->f);
	}
}

static void open_level(struct ck_json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < CK_JSON_MAX_DEPTH)
		j->depth++;
	j->count[j->depth] = 0;
}

static void close_level(struct ck_json *j, char c)
{
	int had = j->count[j->depth];

	if (j->depth)
		j->depth--;
	if (had) {
		fputc('\n', j->f);
		fprintf(j->f, "%*s", 2 * j->depth, "");
	}
	fputc(c, j->f);
	if (!j->depth)
		fputc('\n', j->f);
}

void ck_json_obj_begin(struct ck_json *j, const char *key)
{
	open_level(j, key, '{');
}

void ck_json_obj_end(struct ck_json *j)
{
	close_level(j, '}');
}

void ck_json_arr_begin(struct ck_json *j, const char *key)
{
	open_level(j, key, '[');
}

void ck_json_arr_end(struct ck_json *j)
{
	close_level(j, ']');
}

void ck_json_strn(struct ck_json *j, const char *key, const char *val, size_t len)
{
	member(j, key);
	if (val)
		escaped(j->f, val, len);
	else
		fputs("null", j->f);
}

void ck_json_str(struct ck_json *j, const char *key, const char *val)
{
	ck_json_strn(j, key, val, val ? strlen(val) : 0);
}

void ck_json_bool(struct ck_json *j, const char *key, int val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void ck_json_int(struct ck_json *j, const char *key, long val)
{
	member(j, key);
	fprintf(j->f, "%ld", val);
}
