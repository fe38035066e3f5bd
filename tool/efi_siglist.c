// SPDX-License-Identifier: GPL-2.0
/*
 * EFI_SIGNATURE_LIST (UEFI spec 32.4.1):
 *   EFI_GUID SignatureType; UINT32 SignatureListSize; UINT32 SignatureHeaderSize;
 *   UINT32 SignatureSize; UINT8 SignatureHeader[SignatureHeaderSize];
 *   EFI_SIGNATURE_DATA Signatures[] { EFI_GUID SignatureOwner; UINT8 SignatureData[]; }
 * All integers little-endian. Lists follow each other until the end of the variable.
 */
#include "efi_siglist.h"

#include <stdio.h>
#include <string.h>

#include "certs.h"

#define LIST_HDR 28u
#define GUID_LEN 16u

const ck_efi_guid CK_EFI_CERT_X509_GUID = { { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
					      0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0,
					      0x72 } };
const ck_efi_guid CK_EFI_CERT_SHA256_GUID = { { 0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40,
						0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43,
						0x28 } };
const ck_efi_guid CK_SHIM_LOCK_GUID = { { 0x50, 0xab, 0x5d, 0x60, 0x46, 0xe0, 0x00, 0x43, 0xab,
					  0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23 } };
const ck_efi_guid CK_EFI_GLOBAL_GUID = { { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa,
					   0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c } };

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void ck_efi_guid_str(const ck_efi_guid *g, char *out, size_t outlen)
{
	const unsigned char *b = g->b;

	snprintf(out, outlen,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3],
		 b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

int ck_efi_siglist_parse(const unsigned char *d, size_t len, ck_efi_sig_cb cb, void *ctx,
			 struct ck_err *e)
{
	size_t off = 0;
	int count = 0;

	while (off < len) {
		size_t rest = len - off, list_size, hdr_size, sig_size, body, n, i;
		const unsigned char *l = d + off;
		ck_efi_guid type;

		if (rest < LIST_HDR) {
			ck_seterr(e, "signature list at offset %zu truncated (%zu bytes left, header "
				     "needs %u)",
				  off, rest, LIST_HDR);
			return -1;
		}
		memcpy(type.b, l, GUID_LEN);
		list_size = le32(l + 16);
		hdr_size = le32(l + 20);
		sig_size = le32(l + 24);
		if (list_size < LIST_HDR || list_size > rest) {
			ck_seterr(e, "signature list at offset %zu: size %zu outside 28..%zu", off,
				  list_size, rest);
			return -1;
		}
		if (hdr_size > list_size - LIST_HDR) {
			ck_seterr(e, "signature list at offset %zu: header size %zu too large", off,
				  hdr_size);
			return -1;
		}
		body = list_size - LIST_HDR - hdr_size;
		if (sig_size <= GUID_LEN) {
			ck_seterr(e, "signature list at offset %zu: signature size %zu too small",
				  off, sig_size);
			return -1;
		}
		if (body % sig_size != 0) {
			ck_seterr(e, "signature list at offset %zu: %zu bytes of signatures is not a "
				     "multiple of the signature size %zu",
				  off, body, sig_size);
			return -1;
		}
		n = body / sig_size;
		for (i = 0; i < n; i++) {
			const unsigned char *s = l + LIST_HDR + hdr_size + i * sig_size;
			ck_efi_guid owner;

			memcpy(owner.b, s, GUID_LEN);
			count++;
			if (cb && cb(ctx, &type, &owner, s + GUID_LEN, sig_size - GUID_LEN))
				return count;
		}
		off += list_size;
	}
	return count;
}

struct has_cert_ctx {
	const unsigned char *der;
	size_t der_len;
	int found;
};

static int has_cert_cb(void *vctx, const ck_efi_guid *type, const ck_efi_guid *owner,
		       const unsigned char *data, size_t len)
{
	struct has_cert_ctx *c = vctx;

	(void)owner;
	if (memcmp(type->b, CK_EFI_CERT_X509_GUID.b, GUID_LEN) != 0)
		return 0;
	/* Firmware may pad the entry: compare the DER prefix of the stated length. */
	if (len >= c->der_len && memcmp(data, c->der, c->der_len) == 0) {
		c->found = 1;
		return 1;
	}
	return 0;
}

int ck_efi_siglist_has_cert(const unsigned char *d, size_t len, X509 *cert, struct ck_err *e)
{
	struct has_cert_ctx c = { NULL, 0, 0 };
	unsigned char *der = NULL;
	int n = ck_cert_der(cert, &der);

	if (n <= 0) {
		ck_seterr(e, "cannot encode the certificate");
		return -1;
	}
	c.der = der;
	c.der_len = (size_t)n;
	if (ck_efi_siglist_parse(d, len, has_cert_cb, &c, e) < 0) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	return c.found;
}
