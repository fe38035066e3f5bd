// SPDX-License-Identifier: GPL-2.0
/* Reading EFI variables (read only) and deciding Secure Boot / MOK enrolment state. */
#include "efi.h"

#include <stdio.h>
#include <string.h>

#include "efi_siglist.h"
#include "proc.h"

#define GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SHIM_GUID "605dab50-e046-4300-abb6-3dd810dd8b23"

const char *ck_efi_dir(void)
{
	return ck_env_or("CEPH_KMOD_EFI_DIR", CK_DEFAULT_EFI_DIR);
}

int ck_efi_present(void)
{
	return ck_path_exists(ck_efi_dir());
}

int ck_efivar_read(const char *name, const char *guid, struct ck_buf *out, struct ck_err *e)
{
	char path[4096];

	if (ck_pathf(path, sizeof(path), "%s/efivars/%s-%s", ck_efi_dir(), name, guid) < 0) {
		ck_seterr(e, "path too long");
		return -1;
	}
	if (ck_read_file(path, 16u << 20, out, e) < 0)
		return -1;
	if (out->len < 4) {
		ck_seterr(e, "%s: shorter than the 4 attribute bytes", path);
		ck_buf_free(out);
		return -1;
	}
	memmove(out->data, out->data + 4, out->len - 4);
	out->len -= 4;
	return 0;
}

enum ck_sb_state ck_secure_boot(void)
{
	struct ck_buf b;
	struct ck_err e;
	enum ck_sb_state s;

	if (!ck_efi_present())
		return CK_SB_NO_EFI;
	if (ck_efivar_read("SecureBoot", GLOBAL_GUID, &b, &e) < 0)
		return CK_SB_UNKNOWN;
	s = b.len < 1 ? CK_SB_UNKNOWN : b.data[0] == 1 ? CK_SB_ON : CK_SB_OFF;
	ck_buf_free(&b);
	return s;
}

const char *ck_sb_name(enum ck_sb_state s)
{
	switch (s) {
	case CK_SB_ON:
		return "on";
	case CK_SB_OFF:
		return "off";
	case CK_SB_NO_EFI:
		return "unknown (no EFI)";
	default:
		return "unknown";
	}
}

const char *ck_enrolled_name(enum ck_enrolled s)
{
	switch (s) {
	case CK_ENR_YES:
		return "yes";
	case CK_ENR_NO:
		return "no";
	case CK_ENR_PENDING:
		return "pending";
	case CK_ENR_NO_EFI:
		return "unknown (no EFI)";
	default:
		return "unknown";
	}
}

enum ck_enrolled ck_mokutil_test_key_parse(const char *out, int status)
{
	if (strstr(out, "is already enrolled"))
		return CK_ENR_YES;
	if (strstr(out, "already in the enrollment request"))
		return CK_ENR_PENDING;
	if (strstr(out, "is not enrolled"))
		return CK_ENR_NO;
	(void)status;
	return CK_ENR_UNKNOWN;
}

/* Checks one efivarfs-format file (attributes + lists). 1 yes, 0 no, -1 error. */
static int check_file(const char *path, int strip_attr, X509 *cert, struct ck_err *e)
{
	struct ck_buf b;
	int r;

	if (ck_read_file(path, 16u << 20, &b, e) < 0)
		return -1;
	if (strip_attr && b.len < 4) {
		ck_seterr(e, "%s: shorter than the 4 attribute bytes", path);
		ck_buf_free(&b);
		return -1;
	}
	r = ck_efi_siglist_has_cert(b.data + (strip_attr ? 4 : 0), b.len - (strip_attr ? 4 : 0),
				    cert, e);
	ck_buf_free(&b);
	return r;
}

enum ck_enrolled ck_mok_enrolled(X509 *cert, const char *der_path, char *how, size_t howlen,
				 struct ck_err *e)
{
	const char *override = getenv("CEPH_KMOD_MOKLIST");
	char path[4096], mokutil[4096];
	int r, i;

	if (override && *override) {
		snprintf(how, howlen, "%s", override);
		r = check_file(override, 1, cert, e);
		return r < 0 ? CK_ENR_UNKNOWN : r ? CK_ENR_YES : CK_ENR_NO;
	}
	if (!ck_efi_present()) {
		snprintf(how, howlen, "no EFI");
		return CK_ENR_NO_EFI;
	}
	/* shim mirrors MokList to MokListRT, split into MokListRT1, 2, ... when large. */
	for (i = 0; i < 64; i++) {
		char name[32];

		snprintf(name, sizeof(name), i ? "MokListRT%d" : "MokListRT", i);
		if (ck_pathf(path, sizeof(path), "%s/efivars/%s-%s", ck_efi_dir(), name,
			     SHIM_GUID) < 0 ||
		    !ck_path_exists(path))
			break;
		snprintf(how, howlen, "efivarfs MokListRT");
		r = check_file(path, 1, cert, e);
		if (r < 0)
			return CK_ENR_UNKNOWN;
		if (r)
			return CK_ENR_YES;
	}
	if (i > 0)
		return CK_ENR_NO;
	/* Newer kernels also expose the lists without attributes here. */
	if (ck_pathf(path, sizeof(path), "%s/mok-variables/MokListRT", ck_efi_dir()) == 0 &&
	    ck_path_exists(path)) {
		snprintf(how, howlen, "mok-variables/MokListRT");
		r = check_file(path, 0, cert, e);
		return r < 0 ? CK_ENR_UNKNOWN : r ? CK_ENR_YES : CK_ENR_NO;
	}
	if (der_path && ck_mokutil_path(mokutil, sizeof(mokutil))) {
		char *argv[] = { mokutil, (char *)"--test-key", (char *)der_path, NULL };
		struct ck_buf out;
		enum ck_enrolled s;

		snprintf(how, howlen, "mokutil --test-key");
		r = ck_run(argv, &out, e);
		if (r < 0)
			return CK_ENR_UNKNOWN;
		s = ck_mokutil_test_key_parse(out.data ? (const char *)out.data : "", r);
		ck_buf_free(&out);
		return s;
	}
	snprintf(how, howlen, "no MokListRT (shim not used?)");
	return CK_ENR_NO;
}
