// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod status: the CephX key types a kernel's libceph accepts, and where that
 * answer comes from. */
#include <stdio.h>
#include <string.h>

#include "status.h"

/* Upstream libceph (Linux 7.0+, "libceph: add support for CEPH_CRYPTO_AES256KRB5")
 * builds its aes256k keys on the kernel's crypto/krb5 library: such a module imports
 * crypto_krb5_find_enctype, crypto_krb5_prepare_encryption, ... */
#define KRB5_IMPORT_PREFIX "crypto_krb5_"

void ck_status_read_imports(const struct ck_elf_info *elf, struct file_report *f)
{
	struct ck_err e;
	int rc;

	e.msg[0] = '\0';
	rc = ck_elf_find_import(elf, KRB5_IMPORT_PREFIX, f->krb5_import, sizeof(f->krb5_import),
				&e);
	f->imports_read = rc >= 0;
	if (rc < 0)
		snprintf(f->imports_err, sizeof(f->imports_err), "%s", e.msg);
}

/* Why there is no answer: r->key_types stays "" (unknown). */
static void unknown(struct kernel_report *r, const struct mod_report *m)
{
	const struct file_report *f = &m->file;

	if (m->inspected && !f->readable)
		snprintf(r->key_types_error, sizeof(r->key_types_error), "libceph unreadable: %.460s",
			 f->err);
	else if (m->inspected)
		snprintf(r->key_types_error, sizeof(r->key_types_error),
			 "imports of libceph unreadable: %.200s", f->imports_err);
	else if (m->resolved_is == CK_RES_BUILTIN)
		snprintf(r->key_types_error, sizeof(r->key_types_error),
			 "libceph is built into the kernel: no module to read");
	else
		snprintf(r->key_types_error, sizeof(r->key_types_error), "%s",
			 m->resolved_err[0] ? m->resolved_err : "no libceph module");
}

void ck_status_key_types(struct kernel_report *r)
{
	const struct mod_report *m = &r->mods[MOD_LIBCEPH];
	const struct file_report *f = &m->file;

	r->key_types[0] = r->key_types_import[0] = r->key_types_error[0] = '\0';
	r->key_types_from = NULL;
	if (m->inspected && f->readable && f->has_prov[PROV_KEY_TYPES]) {
		r->key_types_from = CK_KEYS_FROM_MODINFO;
		snprintf(r->key_types, sizeof(r->key_types), "%s", f->prov[PROV_KEY_TYPES]);
	} else if (m->inspected && f->readable && f->imports_read) {
		r->key_types_from = CK_KEYS_FROM_IMPORTS;
		snprintf(r->key_types, sizeof(r->key_types), "%s",
			 f->krb5_import[0] ? "aes,aes256k" : "aes");
		snprintf(r->key_types_import, sizeof(r->key_types_import), "%s", f->krb5_import);
	} else {
		unknown(r, m);
	}
}

void ck_status_key_types_human(const struct kernel_report *r)
{
	if (!r->key_types_from)
		printf("  key types:   unknown (%s)\n", r->key_types_error);
	else if (strcmp(r->key_types_from, CK_KEYS_FROM_IMPORTS) != 0)
		printf("  key types:   %s (from %s)\n", r->key_types, r->key_types_from);
	else if (r->key_types_import[0])
		printf("  key types:   %s (from module imports: %s)\n", r->key_types,
		       r->key_types_import);
	else
		printf("  key types:   %s (from module imports: no %s symbol)\n", r->key_types,
		       KRB5_IMPORT_PREFIX);
}

void ck_status_key_types_json(struct ck_json *j, const struct kernel_report *r)
{
	if (r->key_types[0]) {
		char list[sizeof(r->key_types)], *tok, *save = NULL;

		ck_json_arr_begin(j, "key_types");
		snprintf(list, sizeof(list), "%s", r->key_types);
		for (tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			ck_json_str(j, NULL, tok);
		ck_json_arr_end(j);
	} else {
		ck_json_str(j, "key_types", NULL);
	}
	ck_json_str(j, "key_types_from", r->key_types_from);
	ck_json_str(j, "key_types_import", r->key_types_import[0] ? r->key_types_import : NULL);
	ck_json_str(j, "key_types_error", r->key_types_error[0] ? r->key_types_error : NULL);
}
