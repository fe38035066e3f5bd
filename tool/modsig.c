// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of the signature trailer the kernel's scripts/sign-file appends:
 *   module body, PKCS#7 DER (sig_len bytes),
 *   struct module_signature { u8 algo, hash, id_type, signer_len, key_id_len; u8 pad[3];
 *                             __be32 sig_len; },
 *   "~Module signature appended~\n".
 * For PKCS#7 (id_type 2) the kernel requires every field but id_type and sig_len to be 0.
 */
#include "modsig.h"

#include <string.h>

enum ck_modsig_result ck_modsig_parse(const unsigned char *d, size_t len,
				      struct ck_modsig *out, struct ck_err *e)
{
	const unsigned char *ms;
	size_t avail;
	uint32_t sig_len;

	memset(out, 0, sizeof(*out));
	out->body_len = len;
	if (!d || len < CK_MODSIG_MAGIC_LEN ||
	    memcmp(d + len - CK_MODSIG_MAGIC_LEN, CK_MODSIG_MAGIC, CK_MODSIG_MAGIC_LEN) != 0) {
		ck_seterr(e, "no signature trailer (\"~Module signature appended~\")");
		return CK_MODSIG_NONE;
	}
	avail = len - CK_MODSIG_MAGIC_LEN;
	if (avail < CK_MODSIG_INFO_LEN) {
		ck_seterr(e, "signature trailer truncated: %zu bytes before the magic, need %d",
			  avail, CK_MODSIG_INFO_LEN);
		return CK_MODSIG_BAD;
	}
	ms = d + avail - CK_MODSIG_INFO_LEN;
	avail -= CK_MODSIG_INFO_LEN;
	out->algo = ms[0];
	out->hash = ms[1];
	out->id_type = ms[2];
	out->signer_len = ms[3];
	out->key_id_len = ms[4];
	sig_len = (uint32_t)ms[8] << 24 | (uint32_t)ms[9] << 16 | (uint32_t)ms[10] << 8 | ms[11];
	if (out->id_type != CK_PKEY_ID_PKCS7) {
		ck_seterr(e, "unsupported signature id_type %u (only PKCS#7 = %d is used by Linux)",
			  out->id_type, CK_PKEY_ID_PKCS7);
		return CK_MODSIG_BAD;
	}
	if (out->algo || out->hash || out->signer_len || out->key_id_len || ms[5] || ms[6] ||
	    ms[7]) {
		ck_seterr(e, "malformed signature info: algo/hash/signer_len/key_id_len/pad "
			     "must be 0 for PKCS#7 (got %u/%u/%u/%u/%u,%u,%u)",
			  out->algo, out->hash, out->signer_len, out->key_id_len, ms[5], ms[6],
			  ms[7]);
		return CK_MODSIG_BAD;
	}
	if (sig_len == 0) {
		ck_seterr(e, "signature length is 0");
		return CK_MODSIG_BAD;
	}
	if (sig_len > avail) {
		ck_seterr(e, "signature length %u exceeds the %zu bytes before the trailer",
			  sig_len, avail);
		return CK_MODSIG_BAD;
	}
	out->sig_len = sig_len;
	out->sig = d + avail - sig_len;
	out->body_len = avail - sig_len;
	return CK_MODSIG_OK;
}
