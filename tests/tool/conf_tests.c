// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration grammar through tool/config.c, case by case from the table the
 * shell reader is tested against too (tests/tool/conf-cases.tsv, given as argv[1]).
 * Built and run by `make -C tool check`; prints "ok N - what" / "not ok N - what".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* \t \r \n \\ in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'r' ? '\r' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* One case: 1 when config.c reads what the table expects. */
static int run_case(const char *path, char *input, const char *key, const char *want,
		    char *got, size_t gotlen)
{
	char env[512];
	FILE *f = fopen(path, "w");

	if (!f)
		return 0;
	fputs(input, f);
	fputc('\n', f);
	fclose(f);
	if (snprintf(env, sizeof(env), "CEPH_KMOD_%s", key) < (int)sizeof(env))
		unsetenv(env);
	if (ck_conf_get(key, "<none>", got, gotlen) < 0)
		snprintf(got, gotlen, "(error)");
	return strcmp(got, want) == 0;
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/ck-conf-case-XXXXXX", *line = NULL, got[4096];
	size_t cap = 0;
	int fd, n = 0, failed = 0, lineno = 0;
	FILE *t;

	if (argc != 2 || !(t = fopen(argv[1], "r")) || (fd = mkstemp(path)) < 0) {
		fprintf(stderr, "usage: conf-tests CASES.tsv\n");
		return 64;
	}
	close(fd);
	setenv("CEPH_KMOD_CONF", path, 1);
	while (getline(&line, &cap, t) >= 0) {
		char *input = strtok(line, "\t\n"), *key = strtok(NULL, "\t\n");
		char *want = strtok(NULL, "\t\n"), shown[300];

		lineno++;
		if (!input || !key || !want)
			continue; /* a comment: no tabs */
		snprintf(shown, sizeof(shown), "%s", input);
		unescape(input);
		unescape(want);
		n++;
		if (run_case(path, input, key, want, got, sizeof(got))) {
			printf("ok %d - conf (config.c): line %d: %s -> %s\n", n, lineno, shown, want);
		} else {
			failed++;
			printf("not ok %d - conf (config.c): line %d: %s: got '%s', want '%s'\n", n,
			       lineno, shown, got, want);
		}
	}
	free(line);
	fclose(t);
	unlink(path);
	if (n == 0) {
		printf("not ok 1 - conf (config.c): no cases in %s\n", argv[1]);
		return 1;
	}
	return failed ? 1 : 0;
}
