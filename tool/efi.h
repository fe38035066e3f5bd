/* SPDX-License-Identifier: GPL-2.0 */
/* EFI state: Secure Boot, MOK enrolment (efivarfs MokListRT or mokutil). */
#ifndef CK_EFI_H
#define CK_EFI_H

#include <openssl/x509.h>

#include "ck.h"

#define CK_DEFAULT_EFI_DIR "/sys/firmware/efi"

enum ck_sb_state { CK_SB_ON, CK_SB_OFF, CK_SB_NO_EFI, CK_SB_UNKNOWN };
enum ck_enrolled {
	CK_ENR_YES,
	CK_ENR_NO,
	CK_ENR_PENDING, /* in MokNew: enrolled at the next reboot after MokManager */
	CK_ENR_NO_EFI,
	CK_ENR_UNKNOWN,
};

/* $CEPH_KMOD_EFI_DIR or /sys/firmware/efi. */
const char *ck_efi_dir(void);
int ck_efi_present(void);
/* Reads efivarfs variable NAME-GUID and strips the 4 attribute bytes. */
int ck_efivar_read(const char *name, const char *guid, struct ck_buf *out, struct ck_err *e);

enum ck_sb_state ck_secure_boot(void);
const char *ck_sb_name(enum ck_sb_state s);

/* Is cert enrolled? Uses $CEPH_KMOD_MOKLIST (a file in efivarfs format) when set,
 * else MokListRT (and MokListRT1..) from efivarfs, else `mokutil --test-key` with
 * der_path (may be NULL). how says which source answered. */
enum ck_enrolled ck_mok_enrolled(X509 *cert, const char *der_path, char *how, size_t howlen,
				 struct ck_err *e);
const char *ck_enrolled_name(enum ck_enrolled s);

/* Parses `mokutil --test-key` output. */
enum ck_enrolled ck_mokutil_test_key_parse(const char *out, int status);

#endif
