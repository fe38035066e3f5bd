// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod enroll [--cert FILE] [--root-pw]: queue the MOK certificate with mokutil. */
#include <ctype.h>
#include <getopt.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs.h"
#include "ck.h"
#include "cmds.h"
#include "config.h"
#include "efi.h"
#include "proc.h"

void ck_usage_enroll(FILE *f)
{
	fputs("usage: ceph-kmod enroll [--cert FILE] [--root-pw]\n"
	      "\n"
	      "Requests enrolment of the module signing certificate (default: the configured\n"
	      "MOK certificate) into the Machine Owner Key list with `mokutil --import`. The\n"
	      "certificate may be DER or PEM (converted to DER for mokutil). mokutil asks for a\n"
	      "one-time password (--root-pw: use the root password instead); at the next reboot\n"
	      "MokManager asks to \"Enroll MOK\" and for that password. Then kernels whose build\n"
	      "waited on the signing key are retried (ceph-kmod-install --retry-pending --key).\n"
	      "\n"
	      "Exit status:\n"
	      "  0  already enrolled, already pending, or the import request was queued\n"
	      "  1  mokutil is missing or failed\n"
	      "  4  the certificate is unreadable or not a certificate\n"
	      "  5  no EFI: the system did not boot with UEFI (nothing to enrol into)\n"
	      " 64  usage error\n",
	      f);
}

/* Does `mokutil --list-new` output contain our SHA-1 fingerprint? */
static int listed_as_new(const char *out, const char *sha1hex)
{
	const char *p = out;

	while ((p = strstr(p, "SHA1 Fingerprint:")) != NULL) {
		char hex[64];
		size_t n = 0;

		p += strlen("SHA1 Fingerprint:");
		while (*p && *p != '\n' && n + 1 < sizeof(hex)) {
			if (isxdigit((unsigned char)*p))
				hex[n++] = (char)tolower((unsigned char)*p);
			p++;
		}
		hex[n] = '\0';
		if (strcmp(hex, sha1hex) == 0)
			return 1;
	}
	return 0;
}

static void next_steps(const char *cert_path)
{
	printf("\nThe import request for %s is queued. On the next reboot shim starts\n"
	       "MokManager (blue screen, press a key within 10 seconds):\n"
	       "  1. choose \"Enroll MOK\", optionally \"View key 0\" to check it,\n"
	       "  2. choose \"Continue\", answer \"Yes\" to \"Enroll the key(s)?\",\n"
	       "  3. type the password you just set for mokutil (or the root password with\n"
	       "     --root-pw),\n"
	       "  4. choose \"Reboot\".\n"
	       "Afterwards `ceph-kmod status` shows the certificate as enrolled. If the prompt\n"
	       "times out, nothing is enrolled: run `ceph-kmod enroll` again.\n",
	       cert_path);
}

/*
 * Kernels whose build waited on the signing key (pending with exit 8 or 10) are
 * retried once the key is usable: `ceph-kmod-install --retry-pending --key`, which
 * returns at once when no kernel waits on the key. $CEPH_KMOD_INSTALL names another
 * installer (a checkout's bin/ceph-kmod-install).
 */
static void retry_key_pending(void)
{
	const char *inst = getenv("CEPH_KMOD_INSTALL");
	struct ck_err e;
	int r;

	if (!inst || !*inst)
		inst = "/usr/sbin/ceph-kmod-install";
	if (access(inst, X_OK) != 0)
		return;
	{
		char *argv_retry[] = { (char *)inst, (char *)"--retry-pending", (char *)"--key",
				       NULL };

		fflush(stdout);
		r = ck_run(argv_retry, NULL, &e);
	}
	if (r < 0)
		ck_error("enroll", "%s", e.msg);
	else if (r != 0)
		ck_error("enroll", "a kernel that waited on the key still failed to build "
			 "(exit %d): see `ceph-kmod status`", r);
}

/* What enroll works on: the certificate (first of the file), its DER copy for mokutil. */
struct enroll {
	const char *cert_file;
	int root_pw;
	char conf_cert[4096], mokutil[4096], sha1[64], tmpl[4096];
	STACK_OF(X509) *certs;
	unsigned char *der;
	int nder, fd;
};

/* Parses the command line: -1 to go on, else the exit code (0 after --help). */
static int enroll_parse(struct enroll *en, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "root-pw", no_argument, NULL, 'r' },
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
			en->cert_file = optarg;
			break;
		case 'r':
			en->root_pw = 1;
			break;
		case 'h':
			ck_usage_enroll(stdout);
			return CK_EXIT_OK;
		case ':':
			return ck_usage_error("enroll", "--cert needs a FILE");
		default:
			return ck_usage_error("enroll", "unknown argument '%s'",
					      ck_opt_refused(argv, o, bad, sizeof(bad)));
		}
	}
	if (optind < argc)
		return ck_usage_error("enroll", "unknown argument '%s'", argv[optind]);
	return -1;
}

/* Loads the certificate, its fingerprint and DER encoding. 0 or an exit code. */
static int enroll_load_cert(struct enroll *en)
{
	struct ck_err e;
	X509 *cert;

	if (!en->cert_file) {
		if (ck_mok_cert_path(en->conf_cert, sizeof(en->conf_cert)) < 0) {
			ck_error("enroll", "MOK_CERT setting too long");
			return CK_EXIT_ENROLL_BADCERT;
		}
		en->cert_file = en->conf_cert;
	}
	if (!ck_efi_present()) {
		ck_error("enroll",
			 "no EFI (%s absent): this system did not boot with UEFI, so\n"
			 "there is no Machine Owner Key list to enrol %s into and Secure Boot cannot\n"
			 "be on; unsigned-key modules load here (with taint) unless module.sig_enforce=1.",
			 ck_efi_dir(), en->cert_file);
		return CK_EXIT_ENROLL_NO_EFI;
	}
	en->certs = sk_X509_new_null();
	if (!en->certs || ck_certs_load_file(en->cert_file, en->certs, &e) < 0) {
		ck_error("enroll", "cannot use certificate: %s", en->certs ? e.msg : "out of memory");
		return CK_EXIT_ENROLL_BADCERT;
	}
	if (sk_X509_num(en->certs) > 1)
		ck_error("enroll", "%s holds several certificates; enrolling the first",
			 en->cert_file);
	cert = sk_X509_value(en->certs, 0);
	if (ck_cert_sha1(cert, en->sha1, sizeof(en->sha1)) < 0 ||
	    (en->nder = ck_cert_der(cert, &en->der)) <= 0) {
		ck_error("enroll", "cannot encode the certificate");
		return CK_EXIT_ENROLL_BADCERT;
	}
	return CK_EXIT_OK;
}

/* Finds mokutil and writes the DER copy it takes. 0 or an exit code. */
static int enroll_prepare(struct enroll *en)
{
	if (!ck_mokutil_path(en->mokutil, sizeof(en->mokutil)) ||
	    access(en->mokutil, X_OK) != 0) {
		ck_error("enroll", "mokutil not found (apt-get install mokutil, or set "
			 "CEPH_KMOD_MOKUTIL)");
		return CK_EXIT_ENROLL_FAILED;
	}
	/* mokutil only takes DER: always hand it a DER copy. */
	en->fd = ck_mkstemp(en->tmpl, sizeof(en->tmpl), "ceph-kmod-mok");
	if (en->fd < 0 || write(en->fd, en->der, (size_t)en->nder) != en->nder ||
	    fsync(en->fd) < 0) {
		ck_error("enroll", "cannot write a temporary DER copy in $TMPDIR or /tmp");
		return CK_EXIT_ENROLL_FAILED;
	}
	return CK_EXIT_OK;
}

/* 1 when mokutil says the key is enrolled or queued (and that was printed), 0 when not,
 * -1 when mokutil could not be run. */
static int enroll_already(const struct enroll *en)
{
	char *argv_test[] = { (char *)en->mokutil, (char *)"--test-key", (char *)en->tmpl, NULL };
	char *argv_new[] = { (char *)en->mokutil, (char *)"--list-new", NULL };
	struct ck_buf out = { NULL, 0 };
	struct ck_err e;
	int r, done = 0;

	r = ck_run(argv_test, &out, &e);
	if (r < 0) {
		ck_error("enroll", "%s", e.msg);
		return -1;
	}
	switch (ck_mokutil_test_key_parse(out.data ? (char *)out.data : "", r)) {
	case CK_ENR_YES:
		printf("%s is already enrolled (SHA1 %s): nothing to do.\n", en->cert_file,
		       en->sha1);
		done = 1;
		break;
	case CK_ENR_PENDING:
		printf("%s is already queued for enrolment (SHA1 %s): reboot and confirm "
		       "in MokManager.\n", en->cert_file, en->sha1);
		next_steps(en->cert_file);
		done = 1;
		break;
	default:
		break;
	}
	ck_buf_free(&out);
	if (done)
		return 1;
	r = ck_run(argv_new, &out, &e);
	if (r >= 0 && out.data && listed_as_new((char *)out.data, en->sha1)) {
		printf("%s is already queued for enrolment (SHA1 %s).\n", en->cert_file, en->sha1);
		next_steps(en->cert_file);
		done = 1;
	}
	ck_buf_free(&out);
	return done;
}

static int enroll_import(const struct enroll *en)
{
	char *argv_imp[] = { (char *)en->mokutil, (char *)"--import", (char *)en->tmpl,
			     en->root_pw ? (char *)"--root-pw" : NULL, NULL };
	struct ck_err e;
	int r;

	printf("Requesting enrolment of %s (SHA1 %s) with mokutil --import;\n"
	       "choose a one-time password, MokManager asks for it at the next boot.\n",
	       en->cert_file, en->sha1);
	r = ck_run(argv_imp, NULL, &e);
	if (r != 0) {
		ck_error("enroll", "mokutil --import failed (exit %d)", r);
		return CK_EXIT_ENROLL_FAILED;
	}
	next_steps(en->cert_file);
	return CK_EXIT_OK;
}

int ck_cmd_enroll(int argc, char **argv)
{
	struct enroll en = { .fd = -1 };
	int rc;

	rc = enroll_parse(&en, argc, argv);
	if (rc >= 0)
		return rc;
	rc = enroll_load_cert(&en);
	if (rc == CK_EXIT_OK)
		rc = enroll_prepare(&en);
	if (rc == CK_EXIT_OK) {
		int r = enroll_already(&en);

		rc = r < 0 ? CK_EXIT_ENROLL_FAILED : r > 0 ? CK_EXIT_OK : enroll_import(&en);
	}
	if (en.fd >= 0) {
		close(en.fd);
		unlink(en.tmpl);
	}
	OPENSSL_free(en.der);
	sk_X509_pop_free(en.certs, X509_free);
	if (rc == CK_EXIT_OK)
		retry_key_pending();
	return rc;
}
