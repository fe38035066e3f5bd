/* SPDX-License-Identifier: GPL-2.0 */
/* EFI_SIGNATURE_LIST parser (db, MokListRT, ...). */
#ifndef CK_EFI_SIGLIST_H
#define CK_EFI_SIGLIST_H

#include <openssl/x509.h>

#include "ck.h"

typedef struct {
	unsigned char b[16]; /* in the EFI (mixed-endian) byte order */
} ck_efi_guid;

extern const ck_efi_guid CK_EFI_CERT_X509_GUID;   /* a5c059a1-94e4-4aa7-87b5-ab155c2bf072 */
extern const ck_efi_guid CK_EFI_CERT_SHA256_GUID; /* c1c41626-504c-4092-aca9-41f936934328 */
extern const ck_efi_guid CK_SHIM_LOCK_GUID;       /* 605dab50-e046-4300-abb6-3dd810dd8b23 */
extern const ck_efi_guid CK_EFI_GLOBAL_GUID;      /* 8be4df61-93ca-11d2-aa0d-00e098032b8c */

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (out >= 37 bytes). */
void ck_efi_guid_str(const ck_efi_guid *g, char *out, size_t outlen);

/* Called for each EFI_SIGNATURE_DATA: type of its list, owner, the signature bytes.
 * Return non-zero to stop. */
typedef int (*ck_efi_sig_cb)(void *ctx, const ck_efi_guid *type, const ck_efi_guid *owner,
			     const unsigned char *data, size_t len);

/* Walks a sequence of EFI_SIGNATURE_LISTs (no attribute prefix). Returns the number of
 * signatures visited, or -1 with e set when a list header is inconsistent. */
int ck_efi_siglist_parse(const unsigned char *d, size_t len, ck_efi_sig_cb cb, void *ctx,
			 struct ck_err *e);

/* 1 when cert (compared by DER encoding) is an EFI_CERT_X509 entry, 0 when not,
 * -1 when the lists are malformed. */
int ck_efi_siglist_has_cert(const unsigned char *d, size_t len, X509 *cert, struct ck_err *e);

#endif
