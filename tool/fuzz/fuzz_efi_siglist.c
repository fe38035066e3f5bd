// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness: EFI_SIGNATURE_LIST parser (MokListRT contents), including the
 * X.509 comparison path and OpenSSL parsing of each EFI_CERT_X509 entry. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "efi_siglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *ctx, const ck_efi_guid *type, const ck_efi_guid *owner,
		 const unsigned char *d, size_t len)
{
	volatile unsigned char sink = 0;
	size_t i;

	(void)ctx;
	(void)owner;
	for (i = 0; i < len; i++) /* touch every byte: ASan checks the bounds */
		sink ^= d[i];
	if (type->b[0] == 0xa1 && len < 65536) {
		const unsigned char *p = d;
		X509 *x = d2i_X509(NULL, &p, (long)len);

		X509_free(x);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static X509 *cert;
	struct ck_err e;

	if (!cert) {
		/* Any certificate works: the comparison walks every X509 entry. */
		EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

		cert = X509_new();
		ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
		X509_set_pubkey(cert, key);
		X509_sign(cert, key, EVP_sha256());
		EVP_PKEY_free(key);
	}
	ck_efi_siglist_parse(data, size, visit, NULL, &e);
	ck_efi_siglist_has_cert(data, size, cert, &e);
	return 0;
}
