// SPDX-License-Identifier: GPL-2.0
/* `ceph-kmod debug`: what a module is (loaded? ours? signer? build-id?) as text. */
#include <libkmod.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "config.h"
#include "debug.h"
#include "module.h"

/* The file modprobe would load for name: dkms locations first, then modules.dep. */
static void module_file(const struct ck_dbg *d, const char *name, char *out, size_t outlen)
{
	char kdir[PATH_MAX], sub[PATH_MAX + 32];
	struct kmod_ctx *ctx;
	struct kmod_list *list = NULL;

	out[0] = '\0';
	if (ck_pathf(kdir, sizeof(kdir), "%s/%s", d->modules_root, d->kver) < 0)
		return;
	if ((ck_pathf(sub, sizeof(sub), "%s/updates/dkms", kdir) == 0 &&
	     ck_module_find(sub, name, out, outlen)) ||
	    (ck_pathf(sub, sizeof(sub), "%s/extra", kdir) == 0 && ck_module_find(sub, name, out, outlen)))
		return;
	ctx = kmod_new(kdir, NULL);
	if (!ctx)
		return;
	kmod_set_log_fn(ctx, ck_kmod_quiet_log, NULL);
	if (kmod_module_new_from_lookup(ctx, name, &list) == 0) {
		struct kmod_list *l;

		kmod_list_foreach(l, list)
		{
			struct kmod_module *mod = kmod_module_get_module(l);
			const char *path = kmod_module_get_path(mod);

			if (!out[0] && path && strcmp(kmod_module_get_name(mod), name) == 0)
				snprintf(out, outlen, "%s", path);
			kmod_module_unref(mod);
		}
		kmod_module_unref_list(list);
	}
	kmod_unref(ctx);
}

static void loaded_build_id(const struct ck_dbg *d, const char *name, char *out, size_t outlen)
{
	char path[PATH_MAX];
	struct ck_buf b;
	struct ck_err e;
	const unsigned char *id;
	size_t n;

	out[0] = '\0';
	if (ck_pathf(path, sizeof(path), "%s/sys/module/%s/notes/.note.gnu.build-id", d->root,
		     name) < 0 ||
	    ck_read_file(path, 1 << 16, &b, &e) < 0)
		return;
	if (ck_note_build_id(b.data, b.len, 0, &id, &n, &e) == 0)
		ck_hex(id, n, out, outlen);
	ck_buf_free(&b);
}

/* Provenance of the file and whether the loaded module (lbid: its build-id) is it. */
static int report_provenance(const struct ck_module *m, int loaded, const char *lbid,
			     struct ck_buf *out)
{
	char fbid[130] = "", version[256] = "";
	const char *ours = "no", *ver;
	size_t n;

	if (m->elf.build_id)
		ck_hex(m->elf.build_id, m->elf.build_id_len, fbid, sizeof(fbid));
	ver = ck_modinfo_get(&m->elf, "ceph_kmod_version", &n);
	if (ver)
		snprintf(version, sizeof(version), "%.*s", (int)n, ver);
	if (version[0] && (!loaded || (lbid[0] && strcmp(lbid, fbid) == 0)))
		ours = "yes";
	else if (loaded && version[0] && !lbid[0])
		ours = "unknown (no build-id in /sys/module)";
	else if (loaded && version[0])
		ours = "no (the loaded module is not this file)";
	return ck_buf_printf(out, "file build-id: %s\nceph-kmod build (provenance): %s\nours: %s\n",
			     fbid[0] ? fbid : "none",
			     version[0] ? version : "none (not built by ceph-kmod)", ours);
}

/* Signer of the file and whether it verifies with the configured MOK certificate. */
static int report_signature(const struct ck_module *m, struct ck_buf *out)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	char certp[PATH_MAX];
	struct ck_sig_report sig;
	struct ck_err e = { "" };
	enum ck_verdict v;
	int rc;

	if (certs && ck_mok_cert_path(certp, sizeof(certp)) == 0)
		ck_certs_load_file(certp, certs, &e);
	memset(&sig, 0, sizeof(sig));
	v = ck_module_verify(m, certs, &sig, &e);
	if (v == CK_UNSIGNED)
		rc = ck_buf_printf(out, "signature: none\n");
	else
		rc = ck_buf_printf(out, "signer: %s\nsig key id: %s\nsig hash: %s\n"
				   "verifies with the MOK certificate: %s\n",
				   sig.signer[0] ? sig.signer : "?", sig.key_id[0] ? sig.key_id : "?",
				   sig.hash[0] ? sig.hash : "?", v == CK_VALID ? "yes" : "no");
	sk_X509_pop_free(certs, X509_free);
	return rc;
}

/* Every modinfo field, one a line. */
static int report_modinfo(const struct ck_module *m, struct ck_buf *out)
{
	size_t off = 0;
	int rc = ck_buf_printf(out, "modinfo:\n");

	while (off < m->elf.modinfo_len) {
		const char *p = m->elf.modinfo + off;
		const char *z = memchr(p, '\0', m->elf.modinfo_len - off);
		size_t n = z ? (size_t)(z - p) : m->elf.modinfo_len - off;

		if (p[0] != '\0')
			rc |= ck_buf_printf(out, "  %.*s\n", (int)n, p);
		off += n + 1;
	}
	return rc;
}

int ck_dbg_modinfo_report(const struct ck_dbg *d, const char *name, int full, struct ck_buf *out)
{
	char file[PATH_MAX], lbid[130] = "";
	struct ck_module m;
	struct ck_err e = { "" };
	int loaded = ck_dbg_loaded(d, name), rc = 0;

	rc |= ck_buf_printf(out, "module: %s\nloaded: %s\n", name, loaded ? "yes" : "no");
	if (loaded) {
		char taint[64] = "", abs[PATH_MAX];

		loaded_build_id(d, name, lbid, sizeof(lbid));
		if (ck_pathf(abs, sizeof(abs), "/sys/module/%s/taint", name) == 0)
			ck_dbg_read_small(d, abs, taint, sizeof(taint));
		rc |= ck_buf_printf(out, "loaded build-id: %s\nmodule taint: %s\n",
				    lbid[0] ? lbid : "unknown", taint[0] ? taint : "none");
	}
	module_file(d, name, file, sizeof(file));
	rc |= ck_buf_printf(out, "file (what modprobe loads): %s\n", file[0] ? file : "not found");
	if (!file[0])
		return rc ? -1 : 0;
	if (ck_module_load(file, &m, &e) != CK_VALID) {
		rc |= ck_buf_printf(out, "file error: %s\n", e.msg);
		ck_module_free(&m);
		return rc ? -1 : 0;
	}
	rc |= report_provenance(&m, loaded, lbid, out);
	rc |= report_signature(&m, out);
	if (full)
		rc |= report_modinfo(&m, out);
	ck_module_free(&m);
	return rc ? -1 : 0;
}
