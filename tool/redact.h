/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Redaction of cephx keys for `ceph-kmod debug collect`. Two passes over everything that
 * goes into a report: ck_redact_learn() finds secrets (values of secret=/key=, cephx keys
 * in base64 anywhere, also split by whitespace or line breaks, standard or URL-safe
 * alphabet, with or without padding); ck_redact() then removes every run of 8 or more
 * bytes that is a substring of a learned secret in any of its forms: the text as found,
 * base64 (standard, URL-safe), the decoded bytes raw, hex in lower and upper case.
 * Works on whole buffers: line length does not matter; time is linear in the input.
 */
#ifndef CK_REDACT_H
#define CK_REDACT_H

#include <stddef.h>

#include "ck.h"

/* Shortest run that counts as a leak: the "substring of 8 or more characters". */
#define CK_REDACT_GRAM 8
#define CK_REDACT_MARK "[REDACTED]"

struct ck_redactor;

struct ck_redactor *ck_redactor_new(void);
void ck_redactor_free(struct ck_redactor *r);
/* Adds the secret s (n bytes, as text: a base64 key or any string) in all its forms. */
int ck_redact_add_secret(struct ck_redactor *r, const char *s, size_t n);
/* Learns the secrets that appear in d (see above). */
int ck_redact_learn(struct ck_redactor *r, const unsigned char *d, size_t n);
/* Number of distinct secrets learned so far. */
size_t ck_redact_count(const struct ck_redactor *r);
/* out = d with secret=/key= values, cephx keys and every 8-byte run of a learned secret
 * replaced by CK_REDACT_MARK. out->data is NUL-terminated (not counted in len).
 * Returns the number of redacted regions, or -1 on allocation failure. */
long ck_redact(const struct ck_redactor *r, const unsigned char *d, size_t n, struct ck_buf *out);
/* 1 when d still holds a run of CK_REDACT_GRAM bytes of a learned secret. */
int ck_redact_leaks(const struct ck_redactor *r, const unsigned char *d, size_t n);

/* Base64 decoding for the redactor: standard or URL-safe alphabet, optional padding.
 * Returns the decoded length or -1 when s is not base64. out must hold n*3/4+3 bytes. */
long ck_b64_decode(const char *s, size_t n, unsigned char *out);
/* 1 when the 28 bytes are a cephx CryptoKey (type AES, 16-byte secret). */
int ck_is_cephx_key(const unsigned char *b, size_t n);

#endif
