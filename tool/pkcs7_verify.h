/* SPDX-License-Identifier: GPL-2.0 */
/* Verification of a module's detached PKCS#7 signature with OpenSSL. */
#ifndef CK_PKCS7_VERIFY_H
#define CK_PKCS7_VERIFY_H

#include <openssl/x509.h>

#include "ck.h"

struct ck_sig_report {
	char signer[256];       /* issuer CN of the signer id (what modinfo calls "signer") */
	char key_id[256];       /* serial number (issuer+serial id) or subject key id, hex */
	char hash[32];          /* digest algorithm of the signer info, e.g. "sha256" */
	char cert_subject[256]; /* the matching certificate's subject, when one matched */
	char cert_skid[128];    /* its subject key identifier (the kernel's key id), hex */
	int signers;            /* number of SignerInfos */
};

/* Verifies sig (DER PKCS#7/CMS signedData, detached, as scripts/sign-file writes it)
 * over body with the certificates in certs (may be empty). Fills r as far as possible.
 * Returns CK_VALID, CK_BADSIG, CK_NOCERT or CK_MALFORMED; e says why when not valid. */
enum ck_verdict ck_pkcs7_verify(const unsigned char *body, size_t body_len,
				const unsigned char *sig, size_t sig_len, STACK_OF(X509) *certs,
				struct ck_sig_report *r, struct ck_err *e);

#endif
