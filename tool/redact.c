// SPDX-License-Identifier: GPL-2.0
/* Redaction of cephx keys and secret=/key= values (see redact.h). */
#include "redact.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Longest secret we expand into its forms (a cephx key is 40 characters). Longer values
 * are still masked where they stand, only not searched for elsewhere. */
#define MAX_SECRET 512
/* Upper bound of the gram set (hostile input with millions of secret= values). */
#define MAX_GRAMS (1u << 22)

struct ck_redactor {
	uint64_t *set; /* open addressing; 0 = empty slot, has_zero for the all-zero gram */
	size_t cap, used;
	int has_zero;
	size_t nsecrets;
	int full; /* MAX_GRAMS reached: later secrets are masked in place only */
	unsigned char in_secret[256]; /* bytes that occur in some form of a secret */
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t gram_at(const unsigned char *p)
{
	uint64_t g;

	memcpy(&g, p, sizeof(g));
	return g;
}

static int set_has(const struct ck_redactor *r, uint64_t g)
{
	size_t i;

	if (g == 0)
		return r->has_zero;
	if (!r->cap)
		return 0;
	for (i = mix(g) & (r->cap - 1); r->set[i]; i = (i + 1) & (r->cap - 1))
		if (r->set[i] == g)
			return 1;
	return 0;
}

/* Returns 1 added, 0 already there, -1 no memory or full. */
static int set_add(struct ck_redactor *r, uint64_t g)
{
	size_t i;

	if (g == 0) {
		if (r->has_zero)
			return 0;
		r->has_zero = 1;
		return 1;
	}
	if (set_has(r, g))
		return 0;
	if (r->used >= MAX_GRAMS) {
		r->full = 1;
		return -1;
	}
	if ((r->used + 1) * 2 > r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 1024, k;
		uint64_t *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return -1;
		for (k = 0; k < r->cap; k++) {
			if (!r->set[k])
				continue;
			for (i = mix(r->set[k]) & (ncap - 1); ns[i]; i = (i + 1) & (ncap - 1))
				;
			ns[i] = r->set[k];
		}
		free(r->set);
		r->set = ns;
		r->cap = ncap;
	}
	for (i = mix(g) & (r->cap - 1); r->set[i]; i = (i + 1) & (r->cap - 1))
		;
	r->set[i] = g;
	r->used++;
	return 1;
}

struct ck_redactor *ck_redactor_new(void)
{
	return calloc(1, sizeof(struct ck_redactor));
}

void ck_redactor_free(struct ck_redactor *r)
{
	if (!r)
		return;
	free(r->set);
	free(r);
}

size_t ck_redact_count(const struct ck_redactor *r)
{
	return r->nsecrets;
}

/* All grams of one form. Returns the number of new grams, -1 on failure. */
static long add_form(struct ck_redactor *r, const unsigned char *p, size_t n)
{
	size_t i;
	long added = 0;

	for (i = 0; i < n; i++)
		r->in_secret[p[i]] = 1;
	for (i = 0; i + CK_REDACT_GRAM <= n; i++) {
		int rc = set_add(r, gram_at(p + i));

		if (rc < 0)
			return -1;
		added += rc;
	}
	return added;
}

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Base64 through OpenSSL's codec: the URL-safe alphabet is mapped to the standard one
 * and the padding completed first, since EVP_DecodeBlock() takes whole quanta only. */
long ck_b64_decode(const char *s, size_t n, unsigned char *out)
{
	char *std;
	size_t i, m, pad;
	int len;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1 || n > INT_MAX / 2)
		return -1;
	pad = (4 - n % 4) % 4;
	m = n + pad;
	std = malloc(m + 1);
	if (!std)
		return -1;
	for (i = 0; i < n; i++) {
		if (b64_val((unsigned char)s[i]) < 0) {
			free(std);
			return -1;
		}
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	}
	memset(std + n, '=', pad);
	std[m] = '\0';
	len = m ? EVP_DecodeBlock(out, (const unsigned char *)std, (int)m) : 0;
	free(std);
	if (len < 0 || (size_t)len < pad)
		return -1;
	return (long)((size_t)len - pad);
}

static size_t b64_encode(const unsigned char *p, size_t n, char *out, int url)
{
	size_t o = (size_t)EVP_EncodeBlock((unsigned char *)out, p, (int)n), i;

	for (i = 0; url && i < o; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return o;
}

int ck_is_cephx_key(const unsigned char *b, size_t n)
{
	/* struct CryptoKey: le16 type, utime_t created (8), le16 len, secret: type 1 (aes)
	 * holds 16 bytes, type 2 (aes256k, Ceph 20.2.4's default) 32. */
	if (n == 28)
		return b[0] == 1 && b[1] == 0 && b[10] == 16 && b[11] == 0;
	if (n == 44)
		return b[0] == 2 && b[1] == 0 && b[10] == 32 && b[11] == 0;
	return 0;
}

static long add_bytes_forms(struct ck_redactor *r, const unsigned char *raw, size_t n)
{
	char tmp[MAX_SECRET * 2 + 8];
	long total = 0, a;
	size_t k;

	if ((a = add_form(r, raw, n)) < 0)
		return -1;
	total += a;
	ck_hex(raw, n, tmp, sizeof(tmp));
	if ((a = add_form(r, (const unsigned char *)tmp, strlen(tmp))) < 0)
		return -1;
	total += a;
	for (k = 0; tmp[k]; k++)
		if (tmp[k] >= 'a' && tmp[k] <= 'f')
			tmp[k] = (char)(tmp[k] - 'a' + 'A');
	if ((a = add_form(r, (const unsigned char *)tmp, strlen(tmp))) < 0)
		return -1;
	total += a;
	for (k = 0; k < 2; k++) {
		size_t m = b64_encode(raw, n, tmp, (int)k);

		if ((a = add_form(r, (const unsigned char *)tmp, m)) < 0)
			return -1;
		total += a;
	}
	return total;
}

int ck_redact_add_secret(struct ck_redactor *r, const char *s, size_t n)
{
	unsigned char raw[MAX_SECRET];
	long added, dn;

	if (n > MAX_SECRET)
		n = MAX_SECRET;
	if (n < CK_REDACT_GRAM)
		return 0;
	added = add_form(r, (const unsigned char *)s, n);
	if (added < 0)
		return -1;
	dn = ck_b64_decode(s, n, raw);
	if (dn >= CK_REDACT_GRAM / 2) {
		long a;

		if ((a = add_bytes_forms(r, raw, (size_t)dn)) < 0)
			return -1;
		added += a;
		/* the AES secret of a cephx key (16 or 32 bytes), on its own */
		if (ck_is_cephx_key(raw, (size_t)dn)) {
			if ((a = add_bytes_forms(r, raw + 12, raw[10])) < 0)
				return -1;
			added += a;
		}
	}
	if (added > 0)
		r->nsecrets++;
	return 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_delim(unsigned char c)
{
	return is_space(c) || c == '\0' || strchr(",;\"'&()[]{}<>|", c) != NULL;
}

static int lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int word_at(const unsigned char *d, size_t n, size_t i, const char *w)
{
	size_t k;

	for (k = 0; w[k]; k++)
		if (i + k >= n || lower(d[i + k]) != (unsigned char)w[k])
			return 0;
	return 1;
}

/*
 * Calls fn for every value of secret=V, key=V, "key": "V", key = V (keyring), with
 * is_secret 1 for secret. Returns what the last fn call returned (-1 stops).
 */
typedef int (*kv_fn)(void *arg, size_t start, size_t len, int is_secret);

static int scan_kv(const unsigned char *d, size_t n, kv_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t j, v;
		int sec;

		if (word_at(d, n, i, "secret"))
			sec = 1;
		else if (word_at(d, n, i, "key"))
			sec = 0;
		else
			continue;
		j = i + (sec ? 6 : 3);
		while (j < n && (d[j] == ' ' || d[j] == '\t' || d[j] == '"' || d[j] == '\''))
			j++;
		if (j >= n || (d[j] != '=' && d[j] != ':'))
			continue;
		j++;
		while (j < n && (d[j] == ' ' || d[j] == '\t' || d[j] == '"' || d[j] == '\''))
			j++;
		for (v = j; v < n && !is_delim(d[v]); v++)
			;
		if (v > j && fn(arg, j, v - j, sec) < 0)
			return -1;
		i = v > i ? v - 1 : i;
	}
	return 0;
}

/*
 * Calls fn for every cephx key in base64 (whitespace allowed in between): aes keys are 38
 * characters ("AQ…", optionally "=="), aes256k keys 59 ("Ag…", optionally "="). pos[]
 * holds the offsets of its characters, text the characters.
 */
typedef int (*key_fn)(void *arg, const size_t *pos, size_t npos, const char *text);

static const struct key_form {
	size_t chars, raw;
	char second;
} key_forms[] = { { 38, 28, 'Q' }, { 59, 44, 'g' } };

/* The key of form f starting at d[i]: its number of characters (with padding), or 0. */
static size_t match_key(const unsigned char *d, size_t n, size_t i, const struct key_form *f,
			size_t pos[64], char text[65])
{
	size_t k = 0, j = i, ws = 0;
	unsigned char raw[48];

	while (j < n && k < f->chars + 2 && ws <= 16) {
		if (is_space(d[j])) {
			ws++;
			j++;
			continue;
		}
		if (k < f->chars ? b64_val(d[j]) < 0 : d[j] != '=')
			break;
		pos[k] = j;
		text[k++] = (char)d[j++];
	}
	if (k < f->chars || text[1] != f->second)
		return 0;
	text[k] = '\0';
	if (ck_b64_decode(text, f->chars, raw) != (long)f->raw || !ck_is_cephx_key(raw, f->raw))
		return 0;
	return k;
}

static int scan_cephx(const unsigned char *d, size_t n, key_fn fn, void *arg)
{
	size_t i, f, k, pos[64];
	char text[65];

	for (i = 0; i + 1 < n; i++) {
		if (d[i] != 'A')
			continue;
		for (f = 0; f < sizeof(key_forms) / sizeof(key_forms[0]); f++) {
			k = match_key(d, n, i, &key_forms[f], pos, text);
			if (!k)
				continue;
			if (fn(arg, pos, k, text) < 0)
				return -1;
			i = pos[k - 1];
			break;
		}
	}
	return 0;
}

struct learn_arg {
	struct ck_redactor *r;
	const unsigned char *d;
};

static int learn_kv(void *arg, size_t start, size_t len, int is_secret)
{
	struct learn_arg *a = arg;

	if (!is_secret) {
		/* key=client.admin names a kernel keyring entry: only base64-looking values */
		if (len < 16)
			return 0;
		for (size_t k = 0; k < len; k++)
			if (b64_val(a->d[start + k]) < 0 && a->d[start + k] != '=')
				return 0;
	}
	return ck_redact_add_secret(a->r, (const char *)a->d + start, len) < 0 && !a->r->full ? -1 : 0;
}

static int learn_key(void *arg, const size_t *pos, size_t npos, const char *text)
{
	struct learn_arg *a = arg;

	(void)pos;
	return ck_redact_add_secret(a->r, text, npos) < 0 && !a->r->full ? -1 : 0;
}

int ck_redact_learn(struct ck_redactor *r, const unsigned char *d, size_t n)
{
	struct learn_arg a = { r, d };

	if (scan_kv(d, n, learn_kv, &a) < 0 || scan_cephx(d, n, learn_key, &a) < 0)
		return -1;
	return 0;
}

static int mark_kv(void *arg, size_t start, size_t len, int is_secret)
{
	(void)is_secret;
	memset((unsigned char *)arg + start, 1, len);
	return 0;
}

static int mark_key(void *arg, const size_t *pos, size_t npos, const char *text)
{
	unsigned char *marks = arg;

	(void)text;
	for (size_t k = 0; k < npos; k++)
		marks[pos[k]] = 1;
	return 0;
}

int ck_redact_leaks(const struct ck_redactor *r, const unsigned char *d, size_t n)
{
	size_t i;

	for (i = 0; i + CK_REDACT_GRAM <= n; i++)
		if (set_has(r, gram_at(d + i)))
			return 1;
	return 0;
}

/* Builds out from d and marks; a marked run becomes mark (or one fill byte per byte
 * when fill != 0). Returns the number of runs or -1. */
static long emit(const unsigned char *d, size_t n, const unsigned char *marks, const char *mark,
		 unsigned char fill, struct ck_buf *out)
{
	size_t i, o = 0, mlen = strlen(mark), cap = n + 1;
	long runs = 0;
	unsigned char *b;

	for (i = 0; i < n; i++)
		if (marks[i] && (i == 0 || !marks[i - 1]))
			runs++;
	if (!fill)
		cap += (size_t)runs * mlen;
	b = malloc(cap);
	if (!b)
		return -1;
	for (i = 0; i < n; i++) {
		if (!marks[i]) {
			b[o++] = d[i];
		} else if (fill) {
			b[o++] = fill;
		} else if (i == 0 || !marks[i - 1]) {
			memcpy(b + o, mark, mlen);
			o += mlen;
		}
	}
	b[o] = '\0';
	out->data = b;
	out->len = o;
	return runs;
}

long ck_redact(const struct ck_redactor *r, const unsigned char *d, size_t n, struct ck_buf *out)
{
	unsigned char *marks;
	size_t i;
	long runs;

	out->data = NULL;
	out->len = 0;
	marks = calloc(n ? n : 1, 1);
	if (!marks)
		return -1;
	scan_kv(d, n, mark_kv, marks);
	scan_cephx(d, n, mark_key, marks);
	for (i = 0; i + CK_REDACT_GRAM <= n; i++)
		if (set_has(r, gram_at(d + i)))
			memset(marks + i, 1, CK_REDACT_GRAM);
	runs = emit(d, n, marks, CK_REDACT_MARK, 0, out);
	if (runs >= 0 && ck_redact_leaks(r, out->data, out->len)) {
		/* The marker joined with its neighbours into a secret's run (only possible for
		 * raw secrets holding marker bytes): fill byte by byte with a byte that occurs
		 * in no secret, so no window touching a fill byte can match. */
		static const char fills[] = "#*~!^$%@?|_-+:.";
		unsigned char fill = '#';
		size_t k;

		for (k = 0; fills[k]; k++) {
			if (!r->in_secret[(unsigned char)fills[k]]) {
				fill = (unsigned char)fills[k];
				break;
			}
		}
		for (k = 1; k < 256 && r->in_secret[fill]; k++)
			fill = (unsigned char)k;
		ck_buf_free(out);
		runs = emit(d, n, marks, "", fill, out);
	}
	free(marks);
	return runs;
}
