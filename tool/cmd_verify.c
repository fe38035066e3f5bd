// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod verify [--cert FILE]... MODULE... */
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "ck.h"
#include "cmds.h"
#include "config.h"
#include "module.h"

void ck_usage_verify(FILE *f)
{
	fputs("usage: ceph-kmod verify [--cert FILE]... MODULE...\n"
	      "\n"
	      "Checks the appended signature of each MODULE (.ko, .ko.xz, .ko.zst) against the\n"
	      "given X.509 certificates (DER or PEM; default: MOK_CERT from\n"
	      "/etc/ceph-kmod/ceph-kmod.conf, $CEPH_KMOD_MOK_CERT wins, else\n"
	      "/var/lib/dkms/mok.pub) and prints the signer, key id and hash algorithm.\n"
	      "\n"
	      "Exit status (with several modules the highest wins):\n"
	      "  0  every signature is valid\n"
	      "  1  bad signature (a certificate matches the signer, the signature does not verify)\n"
	      "  2  no matching certificate (signed by a key none of the certificates holds)\n"
	      "  3  unsigned module\n"
	      "  4  unreadable or malformed module or certificate\n"
	      "  5  the signatures are valid, but the modules carry different ceph_kmod_build\n"
	      "     ids: a mixed set (repair: ceph-kmod-install)\n"
	      " 64  usage error\n",
	      f);
}

int ck_usage_error(const char *cmd, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ceph-kmod%s%s: %s (see: ceph-kmod help%s%s)\n", cmd[0] ? " " : "", cmd,
		what, cmd[0] ? " " : "", cmd);
	return CK_EXIT_USAGE;
}

int ck_opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

static void print_result(const char *path, const struct ck_module *m, enum ck_verdict v,
			 const struct ck_sig_report *r, const struct ck_err *e,
			 const char *cert_desc)
{
	static const char *const headline[] = {
		[CK_VALID] = "OK: signature valid",
		[CK_BADSIG] = "BAD SIGNATURE",
		[CK_NOCERT] = "NO MATCHING CERTIFICATE",
		[CK_UNSIGNED] = "UNSIGNED",
		[CK_MALFORMED] = "UNREADABLE OR MALFORMED",
	};

	printf("%s: %s (exit %d)\n", path, headline[v], (int)v);
	if (v != CK_VALID && e->msg[0])
		printf("  reason:      %s\n", e->msg);
	if (m && m->compression != CK_COMP_NONE)
		printf("  compression: %s\n", ck_compression_name(m->compression));
	if (v == CK_VALID || v == CK_BADSIG || v == CK_NOCERT) {
		printf("  signer:      %s\n", r->signer[0] ? r->signer : "?");
		printf("  key id:      %s\n", r->key_id[0] ? r->key_id : "?");
		printf("  hash:        %s\n", r->hash[0] ? r->hash : "?");
	}
	if ((v == CK_VALID || v == CK_BADSIG) && r->cert_subject[0])
		printf("  certificate: %s%s%s\n", r->cert_subject,
		       r->cert_skid[0] ? ", subject key id " : "", r->cert_skid);
	if (v == CK_NOCERT)
		printf("  checked:     %s\n", cert_desc);
}

int ck_cmd_verify(int argc, char **argv)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	const char *cert_files[64];
	char default_cert[4096], cert_desc[4200];
	int ncert_files = 0, nmods = 0, i, worst = CK_VALID, after_dashdash = 0, mixed = 0;
	char first_build[256] = "", first_mod[256] = "";
	char **mods = NULL;
	struct ck_err e;

	if (!certs)
		return CK_MALFORMED;
	mods = calloc((size_t)argc + 1, sizeof(*mods));
	if (!mods) {
		sk_X509_free(certs);
		return CK_MALFORMED;
	}
	for (i = 0; i < argc; i++) {
		const char *val = NULL;
		int r = after_dashdash ? 0 : ck_opt_value(argc, argv, &i, "--cert", &val);

		if (r < 0) {
			worst = ck_usage_error("verify", "--cert needs a FILE");
			goto out;
		}
		if (r > 0) {
			if (ncert_files == (int)(sizeof(cert_files) / sizeof(cert_files[0]))) {
				worst = ck_usage_error("verify", "too many --cert options");
				goto out;
			}
			cert_files[ncert_files++] = val;
		} else if (!after_dashdash && strcmp(argv[i], "--") == 0) {
			after_dashdash = 1;
		} else if (!after_dashdash &&
			   (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
			ck_usage_verify(stdout);
			worst = 0;
			goto out;
		} else if (!after_dashdash && argv[i][0] == '-' && argv[i][1]) {
			worst = ck_usage_error("verify", "unknown option '%s'", argv[i]);
			goto out;
		} else {
			mods[nmods++] = argv[i];
		}
	}
	if (nmods == 0) {
		worst = ck_usage_error("verify", "no MODULE given");
		goto out;
	}
	if (ncert_files == 0) {
		if (ck_mok_cert_path(default_cert, sizeof(default_cert)) < 0) {
			fprintf(stderr, "ceph-kmod verify: MOK_CERT setting too long\n");
			worst = CK_MALFORMED;
			goto out;
		}
		if (ck_certs_load_file(default_cert, certs, &e) < 0)
			fprintf(stderr,
				"ceph-kmod verify: warning: configured MOK certificate unusable "
				"(%s); signed modules will report exit 2\n",
				e.msg);
		snprintf(cert_desc, sizeof(cert_desc), "%s (configured MOK certificate)",
			 default_cert);
	} else {
		size_t o = 0;

		cert_desc[0] = '\0';
		for (i = 0; i < ncert_files; i++) {
			if (ck_certs_load_file(cert_files[i], certs, &e) < 0) {
				fprintf(stderr, "ceph-kmod verify: cannot use certificate: %s\n",
					e.msg);
				worst = CK_MALFORMED;
				goto out;
			}
			if (o < sizeof(cert_desc))
				o += (size_t)snprintf(cert_desc + o, sizeof(cert_desc) - o, "%s%s",
						      i ? ", " : "", cert_files[i]);
		}
	}
	for (i = 0; i < nmods; i++) {
		struct ck_module m;
		struct ck_sig_report r;
		enum ck_verdict v;

		memset(&r, 0, sizeof(r));
		e.msg[0] = '\0';
		v = ck_module_load(mods[i], &m, &e);
		if (v == CK_VALID)
			v = ck_module_verify(&m, certs, &r, &e);
		print_result(mods[i], &m, v, &r, &e, cert_desc);
		if (m.elf.modinfo) {
			size_t bl;
			const char *b = ck_modinfo_get(&m.elf, "ceph_kmod_build", &bl);

			if (b && !first_build[0]) {
				snprintf(first_build, sizeof(first_build), "%.*s", (int)bl, b);
				snprintf(first_mod, sizeof(first_mod), "%s", mods[i]);
			} else if (b && (strlen(first_build) != bl ||
					 strncmp(first_build, b, bl) != 0)) {
				printf("%s: MIXED SET: ceph_kmod_build %.*s, but %s is build %s\n",
				       mods[i], (int)bl, b, first_mod, first_build);
				mixed = 1;
			}
		}
		ck_module_free(&m);
		if ((int)v > worst)
			worst = (int)v;
	}
	if (worst == CK_VALID && mixed)
		worst = 5;
out:
	free(mods);
	sk_X509_pop_free(certs, X509_free);
	return worst;
}
