// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `ceph-kmod debug`'s parts: the dynamic debug control-file parser and
 * restore queries, the saved-state file, the redactor (hostile input: keys split across
 * lines, base64 variants, raw and hex forms, very long lines, marker collisions) and the
 * tar.gz writer. Built and run by `make -C tool check` (and under ASan+UBSan by
 * `make -C tool asan`). Prints "ok N - what" / "not ok N - what"; exits 1 on failure.
 * Nothing here touches /proc or /sys: files go to a temporary directory.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "ck.h"
#include "debug.h"
#include "debug_state.h"
#include "dyndbg.h"
#include "redact.h"
#include "tarball.h"

struct t {
	int n, failed;
};

static void check(struct t *t, int cond, const char *what)
{
	t->n++;
	if (!cond)
		t->failed++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", t->n, what);
}

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* ---------- dyndbg ---------- */

static const char control[] =
	"# filename:lineno [module]function flags format\n"
	"net/ceph/osd_client.c:123 [libceph]__submit_request =_ \"tid %llu\\012\"\n"
	"/var/lib/dkms/ceph-kmod/0.1/build/out/6.1/rbd/rbd.c:5678 [rbd]rbd_add =pf \"x\"\n"
	"drivers/block/rbd.c:99 [rbd]rbd_dev_create =_ \"a b c\" class:FOO\n"
	"garbage line without structure\n"
	"x.c:12a [rbd]f =p \"bad line number\"\n"
	"x.c:12 rbd]f =p \"no bracket\"\n"
	"x.c:12 [rbd]f p \"no equals\"\n"
	"x.c:99999999999 [rbd]f =p \"line too big\"\n"
	"x.c:1 [rbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbdrbd]f =p \"long\"\n"
	":5 [rbd]f =p \"no file\"\n"
	"x.c:7 [nbd]nbd_x =_"; /* last line without newline or format */

static void test_dyndbg(struct t *t)
{
	struct ck_dd_sites s = { 0 };
	char q[256];

	check(t, ck_dd_parse(control, strlen(control), NULL, &s) == 0 && s.n == 4,
	      "dyndbg: 4 good callsites, hostile lines skipped");
	check(t, s.n >= 4 && strcmp(s.v[0].module, "libceph") == 0 &&
		     strcmp(s.v[0].func, "__submit_request") == 0 && s.v[0].line == 123 &&
		     strcmp(s.v[0].flags, "_") == 0,
	      "dyndbg: fields of a callsite");
	check(t, s.n >= 4 && strcmp(s.v[1].flags, "pf") == 0 && strcmp(s.v[3].module, "nbd") == 0,
	      "dyndbg: dkms path, flags pf, last line without newline");
	ck_dd_sites_free(&s);
	check(t, ck_dd_parse(control, strlen(control), "rbd", &s) == 0 && s.n == 2,
	      "dyndbg: filter on one module");
	ck_dd_sites_free(&s);
	check(t, ck_dd_parse("", 0, NULL, &s) == 0 && s.n == 0, "dyndbg: empty control file");
	check(t, ck_dd_enabled("pf") && !ck_dd_enabled("_") && !ck_dd_enabled("flt"),
	      "dyndbg: enabled means flag p");
	check(t, ck_dd_name_ok("rbd_add") && ck_dd_name_ok("rbd.c") && ck_dd_name_ok("net/ceph/*.c"),
	      "dyndbg: plain names accepted");
	check(t, !ck_dd_name_ok("") && !ck_dd_name_ok("a b") && !ck_dd_name_ok("a;module x +p") &&
		     !ck_dd_name_ok("a\nb") && !ck_dd_name_ok("a#b") && !ck_dd_name_ok("\"x\"") &&
		     !ck_dd_name_ok("a\tb"),
	      "dyndbg: names that could inject a query refused");
	check(t, ck_dd_on_query(q, sizeof(q), "rbd", NULL, NULL, "+p") == 0 &&
		     strcmp(q, "module rbd +p\n") == 0,
	      "dyndbg: on query for a module");
	check(t, ck_dd_on_query(q, sizeof(q), "rbd", "rbd.c", "rbd_add", "+p") == 0 &&
		     strcmp(q, "module rbd file rbd.c func rbd_add +p\n") == 0,
	      "dyndbg: on query with --file and --func");
}

/* The kernel's semantics of the queries we emit, on a list of callsites. */
static int apply(struct ck_dd_sites *cur, const char *queries)
{
	char line[256];
	const char *p = queries;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), i;
		char mod[64], func[64], flags[16];
		unsigned ln;

		if (n >= sizeof(line))
			return -1;
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl ? 1 : 0);
		if (sscanf(line, "module %63s func %63s line %u =%15s", mod, func, &ln, flags) == 4) {
			for (i = 0; i < cur->n; i++)
				if (strcmp(cur->v[i].module, mod) == 0 &&
				    strcmp(cur->v[i].func, func) == 0 && cur->v[i].line == ln)
					snprintf(cur->v[i].flags, sizeof(cur->v[i].flags), "%s", flags);
		} else if (sscanf(line, "module %63s =%15s", mod, flags) == 2) {
			for (i = 0; i < cur->n; i++)
				if (strcmp(cur->v[i].module, mod) == 0)
					snprintf(cur->v[i].flags, sizeof(cur->v[i].flags), "%s", flags);
		} else {
			return -1;
		}
	}
	return 0;
}

static void test_restore(struct t *t)
{
	static const char *const fl[] = { "_", "p", "pf", "f", "pmfl", "l" };
	int trial, ok = 1, few = 1;

	for (trial = 0; trial < 300; trial++) {
		struct ck_dd_sites saved = { 0 }, cur = { 0 };
		struct ck_buf q = { NULL, 0 };
		unsigned n = 1 + rnd(400), i, nflags = 1 + rnd(3);
		long nq;

		for (i = 0; i < n; i++) {
			struct ck_dd_site s;

			memset(&s, 0, sizeof(s));
			snprintf(s.module, sizeof(s.module), "%s", rnd(4) ? "rbd" : "libceph");
			snprintf(s.func, sizeof(s.func), "f%u", i / 3);
			s.line = 10 + i;
			snprintf(s.flags, sizeof(s.flags), "%s",
				 rnd(10) ? "_" : fl[rnd(nflags < 6 ? nflags + 3 : 6)]);
			ck_dd_sites_add(&saved, &s);
			snprintf(s.flags, sizeof(s.flags), "%s", fl[rnd(6)]);
			ck_dd_sites_add(&cur, &s);
		}
		nq = ck_dd_restore_queries(&saved, "rbd", &q);
		if (nq < 0 || apply(&cur, q.data ? (char *)q.data : "") < 0 ||
		    ck_dd_diff(&saved, &cur, "rbd") != 0)
			ok = 0;
		/* libceph untouched by rbd's queries; restoring it too makes all equal */
		ck_buf_free(&q);
		if (ck_dd_restore_queries(&saved, "libceph", &q) < 0 ||
		    apply(&cur, q.data ? (char *)q.data : "") < 0 ||
		    ck_dd_diff(&saved, &cur, "libceph") != 0)
			ok = 0;
		/* queries: one for the module plus one per callsite off the majority */
		if (nq > (long)(n / 2) + 2)
			few = 0;
		ck_buf_free(&q);
		ck_dd_sites_free(&saved);
		ck_dd_sites_free(&cur);
	}
	check(t, ok, "restore: 300 random saved/current states restored exactly (kernel query semantics)");
	check(t, few, "restore: majority flags first, then only the differing callsites");
	{
		struct ck_dd_sites a = { 0 }, b = { 0 };
		struct ck_dd_site s;

		memset(&s, 0, sizeof(s));
		snprintf(s.module, sizeof(s.module), "rbd");
		snprintf(s.func, sizeof(s.func), "g");
		snprintf(s.flags, sizeof(s.flags), "_");
		s.line = 1;
		ck_dd_sites_add(&a, &s);
		s.line = 2;
		ck_dd_sites_add(&a, &s);
		ck_dd_sites_add(&b, &s);
		check(t, ck_dd_diff(&a, &b, "rbd") == 1, "restore: a callsite that vanished is a difference");
		ck_dd_sites_free(&a);
		ck_dd_sites_free(&b);
	}
}

/* ---------- saved state ---------- */

static void test_state(struct t *t, const char *dir)
{
	struct ck_dbg_state s, r;
	struct ck_dd_sites all = { 0 };
	struct ck_buf b;
	struct ck_err e;
	char path[PATH_MAX];
	struct stat st;
	static const char *const bad[] = {
		"",
		"ceph-kmod-debug-state 2\nboot_id x\nend\n",
		"ceph-kmod-debug-state 1\nboot_id x\n",                               /* no end */
		"ceph-kmod-debug-state 1\nend\n",                                     /* no boot id */
		"ceph-kmod-debug-state 1\nboot_id x\nsite rbd\tf\t1\tp\nend\n",       /* no module */
		"ceph-kmod-debug-state 1\nboot_id x\nmodule rbd\nsite rbd\tf\t1x\tp\nend\n",
		"ceph-kmod-debug-state 1\nboot_id x\nmodule rbd\nsite rbd\tf\t1\t\nend\n",
		"ceph-kmod-debug-state 1\nboot_id x\nmodule rbd\nsite rbd\tf\t999999999999\tp\nend\n",
		"ceph-kmod-debug-state 1\nboot_id x\nconsole_loglevel 99\nend\n",
		"ceph-kmod-debug-state 1\nboot_id x\nmodule rbd\nmodule rbd\nend\n",
		"ceph-kmod-debug-state 1\nboot_id x\nwhat ever\nend\n",
		"ceph-kmod-debug-state 1\nboot_id \nend\n",
	};
	size_t i;
	int allbad = 1;

	ck_dd_parse(control, strlen(control), NULL, &all);
	ck_dbg_state_init(&s);
	snprintf(s.boot_id, sizeof(s.boot_id), "0b5c1f2e-aaaa-bbbb-cccc-0123456789ab");
	s.created = 1700000000;
	s.console_level = 4;
	s.at_load = 1;
	check(t, ck_dbg_state_add_module(&s, "rbd", &all) == 0 &&
		     ck_dbg_state_add_module(&s, "libceph", &all) == 0 &&
		     ck_dbg_state_add_module(&s, "rbd", &all) == 0 && s.nmodules == 2 && s.sites.n == 3,
	      "state: modules saved once each with their callsites");
	snprintf(path, sizeof(path), "%s/run/ceph-kmod/debug-state", dir);
	check(t, ck_dbg_state_save(path, &s, &e) == 0, "state: saved (directories created)");
	check(t, stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "state: file mode 0600");
	check(t, ck_dbg_state_load(path, &r, &e) == 1 && strcmp(r.boot_id, s.boot_id) == 0 &&
		     r.console_level == 4 && r.at_load && !r.persist && r.nmodules == 2 &&
		     r.sites.n == 3 && strcmp(r.sites.v[1].flags, "_") == 0 &&
		     ck_dd_diff(&s.sites, &r.sites, "rbd") == 0,
	      "state: round trip");
	ck_dbg_state_free(&r);
	snprintf(path, sizeof(path), "%s/nonexistent/state", dir);
	check(t, ck_dbg_state_load(path, &r, &e) == 0, "state: absent file is 'no state'");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ck_dbg_state_parse(bad[i], strlen(bad[i]), &r, &e) == 0) {
			allbad = 0;
			printf("# accepted bad state %zu\n", i);
			ck_dbg_state_free(&r);
		}
	}
	check(t, allbad, "state: 12 malformed state files refused");
	/* truncation at every byte must be refused or parse to a consistent prefix */
	ck_dbg_state_format(&s, &b);
	allbad = 1;
	for (i = 0; i + 1 < b.len; i++) {
		if (ck_dbg_state_parse((char *)b.data, i, &r, &e) == 0) {
			allbad = 0;
			ck_dbg_state_free(&r);
		}
	}
	check(t, allbad, "state: every truncation refused (torn write cannot pass as complete)");
	ck_buf_free(&b);
	ck_dbg_state_free(&s);
	ck_dd_sites_free(&all);
}

/* ---------- redaction ---------- */

/* A cephx key like ceph-authtool makes: type 1, created, len 16, random secret. */
/* raw length of a cephx key of that type: 28 (aes), 44 (aes256k) */
static size_t key_raw_len(const unsigned char *raw)
{
	return raw[0] == 2 ? 44 : 28;
}

/* A random cephx key of type 1 (aes, 16-byte secret) or 2 (aes256k, 32-byte secret), raw
 * and in base64 (the encoder here is the test's own, independent of the tool's). */
static void make_key_type(char out[64], unsigned char raw[44], int type)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0, n = type == 2 ? 44 : 28;

	for (i = 0; i < n; i++)
		raw[i] = (unsigned char)rnd(256);
	raw[0] = (unsigned char)type;
	raw[1] = 0;
	raw[10] = (unsigned char)(n - 12);
	raw[11] = 0;
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (i + 1 < n ? (unsigned)raw[i + 1] << 8 : 0) |
			     (i + 2 < n ? raw[i + 2] : 0);

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? a[v & 63] : '=';
	}
	out[o] = '\0';
}

static void make_key(char out[64], unsigned char raw[44])
{
	make_key_type(out, raw, 1);
}

/* Independent leak check: any 8-byte run of the key as base64 (standard or URL-safe),
 * raw, hex or HEX in d. */
static int leaks(const char *key, const unsigned char *raw, const unsigned char *d, size_t n)
{
	char forms[5][96];
	size_t flen[5], f, i, k, rn = key_raw_len(raw);

	snprintf(forms[0], 96, "%s", key);
	snprintf(forms[1], 96, "%s", key);
	for (i = 0; forms[1][i]; i++)
		forms[1][i] = forms[1][i] == '+' ? '-' : forms[1][i] == '/' ? '_' : forms[1][i];
	memcpy(forms[2], raw, rn);
	ck_hex(raw, rn, forms[3], 96);
	for (i = 0; i < 2 * rn; i++)
		forms[4][i] = (char)(forms[3][i] >= 'a' ? forms[3][i] - 32 : forms[3][i]);
	flen[0] = flen[1] = strlen(key);
	flen[2] = rn;
	flen[3] = flen[4] = 2 * rn;
	for (f = 0; f < 5; f++)
		for (k = 0; k + 8 <= flen[f]; k++)
			if (memmem(d, n, forms[f] + k, 8))
				return 1;
	return 0;
}

/* learn from text, redact text; 1 when the result leaks nothing. */
static int clean_after(const char *key, const unsigned char *raw, const unsigned char *text,
		       size_t n, struct ck_buf *keep)
{
	struct ck_redactor *r = ck_redactor_new();
	struct ck_buf out;
	int ok;

	ck_redact_learn(r, text, n);
	ok = ck_redact(r, text, n, &out) >= 0 && !leaks(key, raw, out.data, out.len) &&
	     !ck_redact_leaks(r, out.data, out.len);
	if (keep)
		*keep = out;
	else
		ck_buf_free(&out);
	ck_redactor_free(r);
	return ok;
}

/* aes256k keys (type 2, 32-byte secret, 60 characters "Ag…="), Ceph 20.2.4's default. */
static void test_redact_aes256k(struct t *t)
{
	char key[64], buf[512];
	unsigned char raw[44], dec[64];
	size_t i;
	int ok = 1;

	make_key_type(key, raw, 2);
	check(t, strlen(key) == 60 && key[0] == 'A' && key[1] == 'g' &&
		     ck_b64_decode(key, 60, dec) == 44 && memcmp(dec, raw, 44) == 0 && ck_is_cephx_key(dec, 44),
	      "redact: aes256k key decoded and recognised (type 2, 32-byte secret)");
	snprintf(buf, sizeof(buf), "bare key %s in a log line", key);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL),
	      "redact: bare aes256k key found by its structure");
	for (i = 1; i < 59; i++) {
		snprintf(buf, sizeof(buf), "split %.*s\n  %s tail", (int)i, key, key + i);
		if (!clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL))
			ok = 0;
	}
	check(t, ok, "redact: aes256k key split across lines at every position");
	snprintf(buf, sizeof(buf), "secret=%s raw secret %s", key, key);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL),
	      "redact: aes256k key in secret= and elsewhere");
}

static void test_redact(struct t *t)
{
	char key[64], buf[4096], hex[64], url[64];
	unsigned char raw[44], dec[64];
	struct ck_buf out;
	size_t i;
	int ok;

	make_key(key, raw);
	check(t, ck_b64_decode(key, strlen(key), dec) == 28 && memcmp(dec, raw, 28) == 0 &&
		     ck_is_cephx_key(dec, 28),
	      "redact: base64 decoder and cephx key check");
	check(t, ck_b64_decode("a", 1, dec) < 0 && ck_b64_decode("ab!d", 4, dec) < 0,
	      "redact: bad base64 refused");
	check(t, ck_b64_decode("YWJj", 4, dec) == 3 && ck_b64_decode("YWI", 3, dec) == 2 &&
		     ck_b64_decode("YWI=", 4, dec) == 2 && ck_b64_decode("-_8", 3, dec) == 2 &&
		     dec[0] == 0xfb && dec[1] == 0xff,
	      "redact: base64 with and without padding, URL-safe alphabet");
	test_redact_aes256k(t);

	snprintf(buf, sizeof(buf), "mount -o name=admin,secret=%s,noatime /mnt\n", key);
	ok = clean_after(key, raw, (unsigned char *)buf, strlen(buf), &out);
	check(t, ok && strstr((char *)out.data, "secret=[REDACTED],noatime /mnt"),
	      "redact: secret= value in mount options");
	ck_buf_free(&out);

	snprintf(buf, sizeof(buf), "[client.admin]\n\tkey = %s\n\tcaps mon = \"allow *\"\n", key);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL), "redact: keyring file");
	snprintf(buf, sizeof(buf), "{\"entity\":\"client.admin\",\"key\": \"%s\"}", key);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL), "redact: JSON key");
	snprintf(buf, sizeof(buf), "bare key %s in a log line", key);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL),
	      "redact: bare cephx key found by its structure");

	/* split across lines at every position, with CRLF, blanks, or a long blank run */
	ok = 1;
	for (i = 1; i < 40; i++) {
		static const char *const seps[] = { "\n", "\r\n", " \n\t ", "\n        " };
		size_t s;

		for (s = 0; s < 4; s++) {
			snprintf(buf, sizeof(buf), "line one %.*s%s%s tail\nother secret=%s\n", (int)i, key,
				 seps[s], key + i, key);
			if (!clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL))
				ok = 0;
			/* the split copy alone, no other copy to learn from */
			snprintf(buf, sizeof(buf), "x %.*s%s%s y", (int)i, key, seps[s], key + i);
			if (!clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL))
				ok = 0;
		}
	}
	check(t, ok, "redact: key split across lines at each of 39 positions, 4 separators");

	/* fragments: a later line holding only part of the key */
	snprintf(buf, sizeof(buf), "secret=%s\nlater: ...%.12s...\nand %.9s\n", key, key + 20, key + 5);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL),
	      "redact: fragments of >= 8 characters elsewhere");

	snprintf(url, sizeof(url), "%s", key);
	for (i = 0; url[i]; i++)
		url[i] = url[i] == '+' ? '-' : url[i] == '/' ? '_' : url[i];
	url[38] = '\0';
	snprintf(buf, sizeof(buf), "url-safe, unpadded: %s\n", url);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL),
	      "redact: URL-safe unpadded key alone");

	ck_hex(raw, 28, hex, sizeof(hex));
	snprintf(buf, sizeof(buf), "key=%s\nhex dump %s\n", key, hex);
	for (i = 0; hex[i]; i++)
		hex[i] = (char)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "HEX %s\n", hex);
	check(t, clean_after(key, raw, (unsigned char *)buf, strlen(buf), NULL),
	      "redact: hex and HEX of the decoded key");
	{
		size_t n;

		snprintf(buf, sizeof(buf), "secret=%s\nbinary:", key);
		n = strlen(buf);
		memcpy(buf + n, raw, 28);
		n += 28;
		memcpy(buf + n, "\nend\n", 5);
		n += 5;
		check(t, clean_after(key, raw, (unsigned char *)buf, n, NULL),
		      "redact: raw decoded bytes in binary data");
	}
	{
		/* 8 MiB without a newline, the key in the middle and at the very end */
		size_t n = (size_t)8 << 20, klen = strlen(key);
		unsigned char *big = malloc(n);

		for (i = 0; i < n; i++)
			big[i] = (unsigned char)"AQAQ  secret= key=x"[i % 19];
		memcpy(big + n / 2, key, klen);
		memcpy(big + n - klen, key, klen);
		check(t, clean_after(key, raw, big, n, NULL), "redact: 8 MiB line, hostile filler");
		free(big);
	}
	{
		struct ck_redactor *r = ck_redactor_new();
		const char *s = "ends with secret=";

		ck_redact_learn(r, (const unsigned char *)s, strlen(s));
		check(t, ck_redact(r, (const unsigned char *)s, strlen(s), &out) == 0 &&
			     strcmp((char *)out.data, s) == 0,
		      "redact: secret= at end of input");
		ck_buf_free(&out);
		s = "key=client.admin name client.admin";
		ck_redact_learn(r, (const unsigned char *)s, strlen(s));
		check(t, ck_redact(r, (const unsigned char *)s, strlen(s), &out) == 1 &&
			     strcmp((char *)out.data, "key=[REDACTED] name client.admin") == 0,
		      "redact: key=NAME masked in place, the name not hunted elsewhere");
		ck_buf_free(&out);
		check(t, ck_redact(r, (const unsigned char *)"", 0, &out) == 0 && out.len == 0,
		      "redact: empty input");
		ck_buf_free(&out);
		ck_redactor_free(r);
	}
	{
		/* a raw secret holding the marker's bytes: marker + neighbours would rebuild a
		 * run of it; the redactor must notice and fill with a byte foreign to it */
		struct ck_redactor *r = ck_redactor_new();
		const char *sec = "ED]xyzwv[REDACTED]Q";
		const char *text = "aa[REDACTED]Qbb ED]xyzwv[REDACTED]Q cc";

		ck_redact_add_secret(r, sec, strlen(sec));
		check(t, ck_redact(r, (const unsigned char *)text, strlen(text), &out) >= 1 &&
			     !ck_redact_leaks(r, out.data, out.len),
		      "redact: marker colliding with a secret falls back to a foreign fill byte");
		ck_buf_free(&out);
		ck_redactor_free(r);
	}
	{
		/* random text with keys in random forms and places, 2000 rounds */
		int bad = 0, round;

		for (round = 0; round < 2000; round++) {
			char txt[2048];
			size_t n = 0, k;
			unsigned nk = 1 + rnd(3);

			make_key_type(key, raw, 1 + round % 2);
			for (k = 0; k < nk; k++) {
				unsigned pos = rnd((unsigned)strlen(key)), form = rnd(4);
				size_t l = 0;

				while (n < 300 + 300 * k) {
					unsigned c = rnd(70);
					txt[n++] = c < 62 ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[c]
					       : " \n=:,\"\t/"[c - 62];
				}
				if (form == 0)
					l = (size_t)snprintf(txt + n, 200, "secret=%s", key);
				else if (form == 1)
					l = (size_t)snprintf(txt + n, 200, " %.*s\n%s ", pos, key, key + pos);
				else if (form == 2)
					l = (size_t)snprintf(txt + n, 200, "key: \"%s\"", key);
				else
					l = (size_t)snprintf(txt + n, 200, "%s", key);
				n += l;
			}
			if (!clean_after(key, raw, (unsigned char *)txt, n, NULL))
				bad++;
		}
		check(t, bad == 0, "redact: 2000 random texts with aes and aes256k keys in 4 forms: no leak");
	}
}

/* ---------- tar.gz ---------- */

struct tar_seen {
	int n, order_ok, hello_ok, long_ok, empty_ok;
};

/* Reads the archive back with libarchive's reader: names, sizes, modes, owners, data. */
static void tar_read_back(const char *path, const char *longname, struct tar_seen *s)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	static const char *const want[] = { "top/hello.txt", NULL, "top/empty" };
	char buf[16];

	memset(s, 0, sizeof(*s));
	s->order_ok = 1;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 10240) != ARCHIVE_OK) {
		archive_read_free(a);
		return;
	}
	while (archive_read_next_header(a, &ent) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		const char *w = s->n < 3 ? (want[s->n] ? want[s->n] : longname) : "";
		la_ssize_t got = archive_read_data(a, buf, sizeof(buf));
		int meta = archive_entry_filetype(ent) == AE_IFREG &&
			   (archive_entry_perm(ent) & 07777) == 0600 &&
			   archive_entry_uname(ent) && strcmp(archive_entry_uname(ent), "root") == 0;

		if (strcmp(name, w) != 0)
			s->order_ok = 0;
		if (s->n == 0)
			s->hello_ok = meta && archive_entry_size(ent) == 6 && got == 6 &&
				      memcmp(buf, "hello\n", 6) == 0 && archive_entry_mtime(ent) == 1700000000;
		else if (s->n == 1)
			s->long_ok = meta && archive_entry_size(ent) == 1 && got == 1 && buf[0] == 'x';
		else if (s->n == 2)
			s->empty_ok = meta && archive_entry_size(ent) == 0 && got == 0;
		s->n++;
	}
	archive_read_free(a);
}

static void test_tar(struct t *t, const char *dir)
{
	char path[PATH_MAX], longname[300], toolong[CK_TAR_NAME_MAX + 2];
	struct tar_seen seen;
	struct ck_tar tar;
	struct ck_err e;
	struct stat st;
	int ok;

	snprintf(path, sizeof(path), "%s/a.tar.gz", dir);
	memset(longname, 'd', sizeof(longname));
	memcpy(longname + 120, "/", 1);
	longname[200] = '\0';
	umask(0);
	ok = ck_tar_open(&tar, path, &e) == 0;
	umask(022);
	check(t, ok, "tar: created");
	check(t, ck_tar_add(&tar, "top/hello.txt", "hello\n", 6, 1700000000) == 0 &&
		     ck_tar_add(&tar, longname, "x", 1, 0) == 0 && ck_tar_add(&tar, "top/empty", "", 0, 0) == 0,
	      "tar: three entries, one with a 200-byte name");
	check(t, ck_tar_close(&tar, &e) == 0, "tar: closed");
	check(t, stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "tar: mode 0600 despite umask 0");
	check(t, ck_tar_open(&tar, path, &e) < 0, "tar: an existing file is not overwritten");
	tar_read_back(path, longname, &seen);
	check(t, seen.n == 3 && seen.order_ok, "tar: read back by libarchive: three entries, names in order");
	check(t, seen.hello_ok, "tar: regular file, mode 0600, owner root, size, mtime and data kept");
	check(t, seen.long_ok, "tar: the 200-byte name kept whole");
	check(t, seen.empty_ok, "tar: empty file kept");
	check(t, !ck_tar_name_ok("../etc/passwd") && !ck_tar_name_ok("/abs") && !ck_tar_name_ok("a//b") &&
		     !ck_tar_name_ok("a/./b") && !ck_tar_name_ok("dir/") && !ck_tar_name_ok("") &&
		     ck_tar_name_ok("a/b.txt"),
	      "tar: unsafe names refused");
	memset(toolong, 'x', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = '\0';
	check(t, !ck_tar_name_ok(toolong), "tar: name longer than CK_TAR_NAME_MAX refused");
	snprintf(path, sizeof(path), "%s/b.tar.gz", dir);
	ok = ck_tar_open(&tar, path, &e) == 0;
	check(t, ok && ck_tar_add(&tar, "../x", "x", 1, 0) < 0 && ck_tar_add(&tar, "ok", "x", 1, 0) < 0 &&
		     ck_tar_close(&tar, &e) < 0,
	      "tar: an unsafe name fails the entry, later entries and the close");
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.tar.gz", dir);
	unlink(path);
}

int main(void)
{
	struct t t = { 0, 0 };
	char dir[] = "/tmp/ck-debug-tests-XXXXXX";
	char cmd[PATH_MAX + 16];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_dyndbg(&t);
	test_restore(&t);
	test_state(&t, dir);
	test_redact(&t);
	test_tar(&t, dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("debug unit: %d passed, %d failed\n", t.n - t.failed, t.failed);
	return t.failed ? 1 : 0;
}
