// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod verify [--cert FILE]... MODULE... */
#include <getopt.h>
#include <openssl/x509.h>
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

struct verify_args {
	const char *cert_files[64];
	int ncert_files;
	char **mods;
	int nmods;
};

/* Parses the command line into a: -1 to go on, else the exit code (0 after --help). */
static int verify_parse(int argc, char **argv, struct verify_args *a)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char bad[256];
	int o;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			if (a->ncert_files == (int)(sizeof(a->cert_files) / sizeof(a->cert_files[0])))
				return ck_usage_error("verify", "too many --cert options");
			a->cert_files[a->ncert_files++] = optarg;
			break;
		case 'h':
			ck_usage_verify(stdout);
			return CK_EXIT_OK;
		case ':':
			return ck_usage_error("verify", "--cert needs a FILE");
		default:
			return ck_usage_error("verify", "unknown option '%s'",
					      ck_opt_refused(argv, o, bad, sizeof(bad)));
		}
	}
	a->mods = argv + optind;
	a->nmods = argc - optind;
	if (a->nmods == 0)
		return ck_usage_error("verify", "no MODULE given");
	return -1;
}

/* Loads the certificates to check against and describes them in desc. 0 or an exit code. */
static int verify_certs(const struct verify_args *a, STACK_OF(X509) *certs, char *desc,
			size_t desclen)
{
	struct ck_err e;
	size_t o = 0;
	int i;

	if (a->ncert_files == 0) {
		char default_cert[4096];

		if (ck_mok_cert_path(default_cert, sizeof(default_cert)) < 0) {
			ck_error("verify", "MOK_CERT setting too long");
			return CK_MALFORMED;
		}
		if (ck_certs_load_file(default_cert, certs, &e) < 0)
			ck_error("verify", "warning: configured MOK certificate unusable (%s); "
				 "signed modules will report exit 2", e.msg);
		snprintf(desc, desclen, "%s (configured MOK certificate)", default_cert);
		return CK_EXIT_OK;
	}
	desc[0] = '\0';
	for (i = 0; i < a->ncert_files; i++) {
		if (ck_certs_load_file(a->cert_files[i], certs, &e) < 0) {
			ck_error("verify", "cannot use certificate: %s", e.msg);
			return CK_MALFORMED;
		}
		if (o < desclen)
			o += (size_t)snprintf(desc + o, desclen - o, "%s%s", i ? ", " : "",
					      a->cert_files[i]);
	}
	return CK_EXIT_OK;
}

/* The ceph_kmod_build ids seen so far: the first, and whether another differed. */
struct build_ids {
	char first[256], first_mod[256];
	int mixed;
};

static void check_build_id(struct build_ids *b, const char *path, const struct ck_module *m)
{
	size_t bl;
	const char *id;

	if (!m->elf.modinfo)
		return;
	id = ck_modinfo_get(&m->elf, "ceph_kmod_build", &bl);
	if (id && !b->first[0]) {
		snprintf(b->first, sizeof(b->first), "%.*s", (int)bl, id);
		snprintf(b->first_mod, sizeof(b->first_mod), "%s", path);
	} else if (id && (strlen(b->first) != bl || strncmp(b->first, id, bl) != 0)) {
		printf("%s: MIXED SET: ceph_kmod_build %.*s, but %s is build %s\n", path, (int)bl,
		       id, b->first_mod, b->first);
		b->mixed = 1;
	}
}

static enum ck_verdict verify_one(const char *path, STACK_OF(X509) *certs, const char *desc,
				  struct build_ids *b)
{
	struct ck_module m;
	struct ck_sig_report r;
	struct ck_err e;
	enum ck_verdict v;

	memset(&r, 0, sizeof(r));
	e.msg[0] = '\0';
	v = ck_module_load(path, &m, &e);
	if (v == CK_VALID)
		v = ck_module_verify(&m, certs, &r, &e);
	print_result(path, &m, v, &r, &e, desc);
	check_build_id(b, path, &m);
	ck_module_free(&m);
	return v;
}

int ck_cmd_verify(int argc, char **argv)
{
	struct verify_args a = { .ncert_files = 0 };
	struct build_ids b = { .mixed = 0 };
	STACK_OF(X509) *certs;
	char cert_desc[4200];
	int worst;

	worst = verify_parse(argc, argv, &a);
	if (worst >= 0)
		return worst;
	certs = sk_X509_new_null();
	if (!certs)
		return CK_MALFORMED;
	worst = verify_certs(&a, certs, cert_desc, sizeof(cert_desc));
	if (worst == CK_EXIT_OK)
		for (int i = 0; i < a.nmods; i++) {
			enum ck_verdict v = verify_one(a.mods[i], certs, cert_desc, &b);

			if ((int)v > worst)
				worst = (int)v;
		}
	if (worst == CK_VALID && b.mixed)
		worst = CK_EXIT_VERIFY_MIXED;
	sk_X509_pop_free(certs, X509_free);
	return worst;
}
