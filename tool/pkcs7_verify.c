// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel module signatures are CMS/PKCS#7 signedData with detached content, no
 * embedded certificate and (by default) no signed attributes; the signer is named by
 * issuer + serial number (or, with sign-file -k, by subject key identifier).
 * We find the certificate the signer id names, then let OpenSSL check the signature
 * over the module body (binary, no chain or purpose checks: the kernel does neither).
 */
#include "pkcs7_verify.h"

#include <limits.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <string.h>

#include "certs.h"

static void describe_signer(CMS_SignerInfo *si, struct ck_sig_report *r)
{
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	X509_ALGOR *dig = NULL, *sigalg = NULL;
	EVP_PKEY *pk = NULL;
	X509 *signer = NULL;
	const ASN1_OBJECT *obj = NULL;

	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) == 1) {
		if (issuer)
			ck_name_str(issuer, r->signer, sizeof(r->signer));
		if (serial) {
			BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
			unsigned char buf[128];
			int n = bn ? BN_num_bytes(bn) : 0;

			if (bn && n > 0 && n <= (int)sizeof(buf)) {
				BN_bn2bin(bn, buf);
				ck_hex(buf, (size_t)n, r->key_id, sizeof(r->key_id));
			} else if (bn && n == 0) {
				snprintf(r->key_id, sizeof(r->key_id), "00");
			}
			BN_free(bn);
		} else if (keyid) {
			ck_hex(ASN1_STRING_get0_data(keyid), (size_t)ASN1_STRING_length(keyid),
			       r->key_id, sizeof(r->key_id));
			snprintf(r->signer, sizeof(r->signer), "(named by subject key id)");
		}
	}
	CMS_SignerInfo_get0_algs(si, &pk, &signer, &dig, &sigalg);
	if (dig) {
		X509_ALGOR_get0(&obj, NULL, NULL, dig);
		if (obj) {
			int nid = OBJ_obj2nid(obj);

			if (nid != NID_undef)
				snprintf(r->hash, sizeof(r->hash), "%s", OBJ_nid2ln(nid));
			else
				OBJ_obj2txt(r->hash, sizeof(r->hash), obj, 1);
		}
	}
}

/* Checks the parsed structure is a detached signedData with signers. 0 or -1 (e set). */
static int check_shape(CMS_ContentInfo *cms, const unsigned char *end, const unsigned char *p,
		       struct ck_sig_report *r, struct ck_err *e)
{
	STACK_OF(CMS_SignerInfo) *sis;

	if (p != end) {
		ck_seterr(e, "%zu bytes of garbage after the PKCS#7 structure", (size_t)(end - p));
		return -1;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		ck_seterr(e, "PKCS#7 content type is not signedData");
		return -1;
	}
	if (CMS_is_detached(cms) != 1) {
		ck_seterr(e, "PKCS#7 carries its own content: not a detached module signature");
		return -1;
	}
	sis = CMS_get0_SignerInfos(cms);
	r->signers = sis ? sk_CMS_SignerInfo_num(sis) : 0;
	if (r->signers <= 0) {
		ck_seterr(e, "PKCS#7 has no signer");
		return -1;
	}
	return 0;
}

/* Pushes onto matched the first of certs that matches si; for the first signer (first)
 * the report names it. 1 when one matched. */
static int match_signer(CMS_SignerInfo *si, STACK_OF(X509) *certs, STACK_OF(X509) *matched,
			int first, struct ck_sig_report *r)
{
	int j;

	for (j = 0; certs && j < sk_X509_num(certs); j++) {
		X509 *c = sk_X509_value(certs, j);

		if (CMS_SignerInfo_cert_cmp(si, c) != 0)
			continue;
		sk_X509_push(matched, c);
		if (first) {
			ck_name_str(X509_get_subject_name(c), r->cert_subject,
				    sizeof(r->cert_subject));
			if (r->signer[0] == '(') /* named by key id */
				snprintf(r->signer, sizeof(r->signer), "%s", r->cert_subject);
			ck_cert_skid(c, r->cert_skid, sizeof(r->cert_skid));
		}
		return 1;
	}
	return 0;
}

/* Every signer must match a given certificate; the verdict on the body. */
static enum ck_verdict verify_signers(CMS_ContentInfo *cms, const unsigned char *body,
				      size_t body_len, STACK_OF(X509) *certs,
				      struct ck_sig_report *r, struct ck_err *e)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	STACK_OF(X509) *matched = sk_X509_new_null();
	BIO *content = NULL;
	enum ck_verdict v = CK_MALFORMED;
	char why[256];
	int i, all_matched = 1;

	if (!matched) {
		ck_seterr(e, "out of memory");
		return CK_MALFORMED;
	}
	for (i = 0; i < r->signers; i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);

		if (i == 0)
			describe_signer(si, r);
		all_matched &= match_signer(si, certs, matched, i == 0, r);
	}
	content = all_matched ? BIO_new_mem_buf(body, (int)body_len) : NULL;
	if (!all_matched) {
		ck_seterr(e, "no given certificate matches the signer (issuer \"%s\", key id %s)",
			  r->signer, r->key_id[0] ? r->key_id : "?");
		v = CK_NOCERT;
	} else if (!content) {
		ck_seterr(e, "out of memory");
	} else if (CMS_verify(cms, matched, NULL, content, NULL,
			      CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY | CMS_NOCRL) == 1) {
		v = CK_VALID;
	} else {
		ck_ssl_error(why, sizeof(why));
		ck_seterr(e, "signature does not verify: %s", why);
		v = CK_BADSIG;
	}
	BIO_free(content);
	sk_X509_free(matched);
	return v;
}

enum ck_verdict ck_pkcs7_verify(const unsigned char *body, size_t body_len,
				const unsigned char *sig, size_t sig_len, STACK_OF(X509) *certs,
				struct ck_sig_report *r, struct ck_err *e)
{
	const unsigned char *p = sig;
	CMS_ContentInfo *cms;
	enum ck_verdict v = CK_MALFORMED;

	memset(r, 0, sizeof(*r));
	ERR_clear_error();
	if (sig_len > LONG_MAX || body_len > INT_MAX) {
		ck_seterr(e, "signature or module too large");
		return CK_MALFORMED;
	}
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
	if (!cms) {
		char why[256];

		ck_ssl_error(why, sizeof(why));
		ck_seterr(e, "signature is not valid PKCS#7 DER: %s", why);
		return CK_MALFORMED;
	}
	if (check_shape(cms, sig + sig_len, p, r, e) == 0)
		v = verify_signers(cms, body, body_len, certs, r, e);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return v;
}
