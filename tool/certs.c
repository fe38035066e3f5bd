// SPDX-License-Identifier: GPL-2.0
/* X.509 certificate loading for verify/status/enroll. */
#include "certs.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <string.h>

void ck_ssl_error(char *out, size_t outlen)
{
	unsigned long err = ERR_peek_last_error();

	if (err)
		ERR_error_string_n(err, out, outlen);
	else
		snprintf(out, outlen, "unknown error");
	ERR_clear_error();
}

static int is_pem(const unsigned char *d, size_t len)
{
	size_t i;
	static const char begin[] = "-----BEGIN";

	for (i = 0; i < len; i++)
		if (d[i] != ' ' && d[i] != '\t' && d[i] != '\r' && d[i] != '\n')
			break;
	if (len - i < sizeof(begin) - 1)
		return 0;
	return memcmp(d + i, begin, sizeof(begin) - 1) == 0;
}

X509 *ck_cert_from_mem(const unsigned char *d, size_t len, struct ck_err *e)
{
	X509 *cert = NULL;

	if (len > (size_t)0x7fffffff) {
		ck_seterr(e, "certificate too large");
		return NULL;
	}
	if (is_pem(d, len)) {
		BIO *bio = BIO_new_mem_buf(d, (int)len);

		if (bio)
			cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = d;

		cert = d2i_X509(NULL, &p, (long)len);
		if (cert && p != d + len) {
			X509_free(cert);
			ERR_clear_error();
			ck_seterr(e, "trailing data after the DER certificate");
			return NULL;
		}
	}
	if (!cert) {
		char why[256];

		ck_ssl_error(why, sizeof(why));
		ck_seterr(e, "not an X.509 certificate (DER or PEM): %s", why);
	}
	return cert;
}

int ck_certs_load_file(const char *path, STACK_OF(X509) *certs, struct ck_err *e)
{
	struct ck_buf b;
	int n = 0;

	if (ck_read_file(path, 16u << 20, &b, e) < 0)
		return -1;
	if (b.len == 0) {
		ck_seterr(e, "%s: empty file", path);
		ck_buf_free(&b);
		return -1;
	}
	if (is_pem(b.data, b.len)) {
		BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
		X509 *cert;

		while (bio && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			if (!sk_X509_push(certs, cert)) {
				X509_free(cert);
				break;
			}
			n++;
		}
		BIO_free(bio);
		ERR_clear_error(); /* the loop ends with a "no start line" error */
		if (n == 0)
			ck_seterr(e, "%s: no PEM certificate found", path);
	} else {
		X509 *cert = ck_cert_from_mem(b.data, b.len, e);

		if (cert) {
			if (sk_X509_push(certs, cert)) {
				n = 1;
			} else {
				X509_free(cert);
				ck_seterr(e, "out of memory");
			}
		} else {
			char inner[sizeof(e->msg)];

			memcpy(inner, e->msg, sizeof(inner));
			ck_seterr(e, "%s: %s", path, inner);
		}
	}
	ck_buf_free(&b);
	return n > 0 ? n : -1;
}

int ck_cert_der(X509 *cert, unsigned char **der)
{
	*der = NULL;
	return i2d_X509(cert, der);
}

void ck_name_str(const X509_NAME *name, char *out, size_t outlen)
{
	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);

	out[0] = '\0';
	if (idx >= 0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
		unsigned char *utf8 = NULL;
		int n = ASN1_STRING_to_UTF8(&utf8, s);

		if (n >= 0) {
			snprintf(out, outlen, "%.*s", n, (const char *)utf8);
			OPENSSL_free(utf8);
			return;
		}
	}
	X509_NAME_oneline(name, out, (int)outlen);
}

void ck_cert_skid(X509 *cert, char *out, size_t outlen)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(cert);

	out[0] = '\0';
	if (skid)
		ck_hex(ASN1_STRING_get0_data(skid), (size_t)ASN1_STRING_length(skid), out, outlen);
}

int ck_cert_sha1(X509 *cert, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!X509_digest(cert, EVP_sha1(), md, &n))
		return -1;
	ck_hex(md, n, out, outlen);
	return 0;
}
