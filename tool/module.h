/* SPDX-License-Identifier: GPL-2.0 */
/* A module file: read, decompressed, signature trailer split off, ELF parsed. */
#ifndef CK_MODULE_H
#define CK_MODULE_H

#include <openssl/x509.h>
#include <stdarg.h>
#include <stddef.h>

#include "ck.h"
#include "decompress.h"
#include "elf_modinfo.h"
#include "modsig.h"
#include "pkcs7_verify.h"

struct ck_module {
	struct ck_buf image; /* decompressed file contents */
	enum ck_compression compression;
	enum ck_modsig_result sig_state;
	struct ck_modsig sig;
	struct ck_elf_info elf; /* of the body (image without the trailer) */
};

/* Loads PATH. Returns CK_VALID when the image is a well-formed module (signed or not),
 * CK_MALFORMED (e set) otherwise. ck_module_free() in every case. */
enum ck_verdict ck_module_load(const char *path, struct ck_module *m, struct ck_err *e);
/* Same for an image already in memory (takes ownership of img). */
enum ck_verdict ck_module_from_image(struct ck_buf *img, struct ck_module *m, struct ck_err *e);
void ck_module_free(struct ck_module *m);

/* Full verdict for a loaded module against certs (CK_UNSIGNED when no trailer). */
enum ck_verdict ck_module_verify(const struct ck_module *m, STACK_OF(X509) *certs,
				 struct ck_sig_report *r, struct ck_err *e);

const char *ck_verdict_name(enum ck_verdict v);

/* Finds DIR/NAME.ko{,.xz,.zst,.gz}; returns 1 and fills out when found, else 0 and "". */
int ck_module_find(const char *dir, const char *name, char *out, size_t outlen);
/* A libkmod log function that prints nothing (kmod_set_log_fn). */
void ck_kmod_quiet_log(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args);

#endif
