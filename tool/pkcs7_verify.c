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

enum ck_verdict ck_pkcs7_verify(const unsigned char *body, size_t body_len,
				const unsigned char *sig, size_t sig_len, STACK_OF(X509) *certs,
				struct ck_sig_report *r, struct ck_err *e)
{
	const unsigned char *p = sig;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *matched = NULL;
	BIO *content = NULL;
	enum ck_verdict v = CK_MALFORMED;
	char why[256];
	int i, j, nsi, all_matched = 1;

	memset(r, 0, sizeof(*r));
	ERR_clear_error();
	if (sig_len > LONG_MAX || body_len > INT_MAX) {
		ck_seterr(e, "signature or module too large");
		return CK_MALFORMED;
	}
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
	if (!cms) {
		ck_ssl_error(why, sizeof(why));
		ck_seterr(e, "signature is not valid PKCS#7 DER: %s", why);
		return CK_MALFORMED;
	}
	if (p != sig + sig_len) {
		ck_seterr(e, "%zu bytes of garbage after the PKCS#7 structure",
			  (size_t)(sig + sig_len - p));
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		ck_seterr(e, "PKCS#7 content type is not signedData");
		goto out;
	}
	if (CMS_is_detached(cms) != 1) {
		ck_seterr(e, "PKCS#7 carries its own content: not a detached module signature");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	nsi = sis ? sk_CMS_SignerInfo_num(sis) : 0;
	r->signers = nsi;
	if (nsi <= 0) {
		ck_seterr(e, "PKCS#7 has no signer");
		goto out;
	}
	matched = sk_X509_new_null();
	if (!matched) {
		ck_seterr(e, "out of memory");
		goto out;
	}
	for (i = 0; i < nsi; i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
		int found = 0;

		if (i == 0)
			describe_signer(si, r);
		for (j = 0; certs && j < sk_X509_num(certs); j++) {
			X509 *c = sk_X509_value(certs, j);

			if (CMS_SignerInfo_cert_cmp(si, c) == 0) {
				if (!found) {
					sk_X509_push(matched, c);
					if (i == 0) {
						ck_name_str(X509_get_subject_name(c), r->cert_subject,
							    sizeof(r->cert_subject));
						if (r->signer[0] == '(') /* named by key id */
							snprintf(r->signer, sizeof(r->signer), "%s",
								 r->cert_subject);
						ck_cert_skid(c, r->cert_skid, sizeof(r->cert_skid));
					}
				}
				found = 1;
			}
		}
		if (!found)
			all_matched = 0;
	}
	if (!all_matched) {
		ck_seterr(e, "no given certificate matches the signer (issuer \"%s\", key id %s)",
			  r->signer, r->key_id[0] ? r->key_id : "?");
		v = CK_NOCERT;
		goto out;
	}
	content = BIO_new_mem_buf(body, (int)body_len);
	if (!content) {
		ck_seterr(e, "out of memory");
		goto out;
	}
	if (CMS_verify(cms, matched, NULL, content, NULL,
		       CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY | CMS_NOCRL) == 1) {
		v = CK_VALID;
	} else {
		ck_ssl_error(why, sizeof(why));
		ck_seterr(e, "signature does not verify: %s", why);
		v = CK_BADSIG;
	}
out:
	BIO_free(content);
	sk_X509_free(matched);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return v;
}
