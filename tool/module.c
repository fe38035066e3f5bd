// SPDX-License-Identifier: GPL-2.0
/* Glue: file -> decompressed image -> trailer + ELF body -> verdict. */
#include "module.h"

#include <string.h>

void ck_module_free(struct ck_module *m)
{
	ck_buf_free(&m->image);
	memset(m, 0, sizeof(*m));
}

enum ck_verdict ck_module_from_image(struct ck_buf *img, struct ck_module *m, struct ck_err *e)
{
	struct ck_err why;

	memset(m, 0, sizeof(*m));
	m->image = *img;
	img->data = NULL;
	img->len = 0;
	if (m->image.len == 0) {
		ck_seterr(e, "empty file");
		return CK_MALFORMED;
	}
	m->compression = ck_detect_compression(m->image.data, m->image.len);
	if (m->compression != CK_COMP_NONE) {
		struct ck_buf out;

		if (ck_decompress(m->compression, m->image.data, m->image.len,
				  CK_MAX_MODULE_SIZE, &out, e) < 0)
			return CK_MALFORMED;
		ck_buf_free(&m->image);
		m->image = out;
	}
	m->sig_state = ck_modsig_parse(m->image.data, m->image.len, &m->sig, &why);
	if (m->sig_state == CK_MODSIG_BAD) {
		ck_seterr(e, "%s", why.msg);
		return CK_MALFORMED;
	}
	if (ck_elf_parse(m->image.data, m->sig.body_len, &m->elf, e) < 0)
		return CK_MALFORMED;
	return CK_VALID;
}

enum ck_verdict ck_module_load(const char *path, struct ck_module *m, struct ck_err *e)
{
	struct ck_buf b;

	memset(m, 0, sizeof(*m));
	if (ck_read_file(path, CK_MAX_MODULE_SIZE, &b, e) < 0)
		return CK_MALFORMED;
	return ck_module_from_image(&b, m, e);
}

enum ck_verdict ck_module_verify(const struct ck_module *m, STACK_OF(X509) *certs,
				 struct ck_sig_report *r, struct ck_err *e)
{
	memset(r, 0, sizeof(*r));
	if (m->sig_state == CK_MODSIG_NONE) {
		ck_seterr(e, "module is not signed");
		return CK_UNSIGNED;
	}
	if (m->sig_state != CK_MODSIG_OK) {
		ck_seterr(e, "malformed signature trailer");
		return CK_MALFORMED;
	}
	return ck_pkcs7_verify(m->image.data, m->sig.body_len, m->sig.sig, m->sig.sig_len, certs,
			       r, e);
}

const char *ck_verdict_name(enum ck_verdict v)
{
	switch (v) {
	case CK_VALID:
		return "valid";
	case CK_BADSIG:
		return "bad-signature";
	case CK_NOCERT:
		return "no-matching-cert";
	case CK_UNSIGNED:
		return "unsigned";
	default:
		return "malformed";
	}
}

static const char *const ck_module_exts[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

int ck_module_find(const char *dir, const char *name, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < sizeof(ck_module_exts) / sizeof(ck_module_exts[0]); i++) {
		if (ck_pathf(out, outlen, "%s/%s%s", dir, name, ck_module_exts[i]) == 0 &&
		    ck_path_exists(out))
			return 1;
	}
	out[0] = '\0';
	return 0;
}

void ck_kmod_quiet_log(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	(void)format;
	(void)args;
}
