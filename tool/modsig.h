/* SPDX-License-Identifier: GPL-2.0 */
/* Module signature trailer: body | PKCS#7 | struct module_signature | magic. */
#ifndef CK_MODSIG_H
#define CK_MODSIG_H

#include "ck.h"

#define CK_MODSIG_MAGIC "~Module signature appended~\n"
#define CK_MODSIG_MAGIC_LEN (sizeof(CK_MODSIG_MAGIC) - 1)
#define CK_MODSIG_INFO_LEN 12 /* sizeof(struct module_signature) */
#define CK_PKEY_ID_PKCS7 2

enum ck_modsig_result {
	CK_MODSIG_OK = 0,
	CK_MODSIG_NONE = 1, /* no trailer magic: unsigned */
	CK_MODSIG_BAD = 2,  /* trailer present but inconsistent */
};

struct ck_modsig {
	size_t body_len;          /* bytes covered by the signature */
	const unsigned char *sig; /* PKCS#7 DER, points into the input */
	size_t sig_len;
	uint8_t algo, hash, id_type, signer_len, key_id_len;
};

/* Parses the trailer of a (decompressed) module image. Never reads outside [d, d+len). */
enum ck_modsig_result ck_modsig_parse(const unsigned char *d, size_t len,
				      struct ck_modsig *out, struct ck_err *e);

#endif
