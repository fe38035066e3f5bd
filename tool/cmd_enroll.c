// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod enroll [--cert FILE] [--root-pw]: queue the MOK certificate with mokutil. */
#include <ctype.h>
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

enum {
	ENROLL_OK = 0,        /* already enrolled, already pending, or import queued */
	ENROLL_FAILED = 1,    /* mokutil missing or failed */
	ENROLL_BADCERT = 4,   /* certificate unreadable */
	ENROLL_NO_EFI = 5,    /* not booted with UEFI */
};

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
		fprintf(stderr, "ceph-kmod enroll: %s\n", e.msg);
	else if (r != 0)
		fprintf(stderr, "ceph-kmod enroll: a kernel that waited on the key still failed "
				"to build (exit %d): see `ceph-kmod status`\n",
			r);
}

int ck_cmd_enroll(int argc, char **argv)
{
	const char *cert_file = NULL;
	char conf_cert[4096], mokutil[4096], sha1[64];
	char tmpl[4096];
	STACK_OF(X509) *certs = NULL;
	unsigned char *der = NULL;
	struct ck_buf out = { NULL, 0 };
	struct ck_err e;
	int i, n, fd = -1, rc = ENROLL_FAILED, root_pw = 0, r;
	X509 *cert;

	for (i = 0; i < argc; i++) {
		const char *val = NULL;
		int m = ck_opt_value(argc, argv, &i, "--cert", &val);

		if (m < 0) {
			return ck_usage_error("enroll", "--cert needs a FILE");
		}
		if (m > 0) {
			cert_file = val;
		} else if (strcmp(argv[i], "--root-pw") == 0) {
			root_pw = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			ck_usage_enroll(stdout);
			return 0;
		} else {
			return ck_usage_error("enroll", "unknown argument '%s'", argv[i]);
		}
	}
	if (!cert_file) {
		if (ck_mok_cert_path(conf_cert, sizeof(conf_cert)) < 0) {
			fprintf(stderr, "ceph-kmod enroll: MOK_CERT setting too long\n");
			return ENROLL_BADCERT;
		}
		cert_file = conf_cert;
	}
	if (!ck_efi_present()) {
		fprintf(stderr,
			"ceph-kmod enroll: no EFI (%s absent): this system did not boot with UEFI, so\n"
			"there is no Machine Owner Key list to enrol %s into and Secure Boot cannot\n"
			"be on; unsigned-key modules load here (with taint) unless module.sig_enforce=1.\n",
			ck_efi_dir(), cert_file);
		return ENROLL_NO_EFI;
	}
	certs = sk_X509_new_null();
	if (!certs || ck_certs_load_file(cert_file, certs, &e) < 0) {
		fprintf(stderr, "ceph-kmod enroll: cannot use certificate: %s\n",
			certs ? e.msg : "out of memory");
		sk_X509_free(certs);
		return ENROLL_BADCERT;
	}
	if (sk_X509_num(certs) > 1)
		fprintf(stderr, "ceph-kmod enroll: %s holds several certificates; enrolling "
				"the first\n",
			cert_file);
	cert = sk_X509_value(certs, 0);
	if (ck_cert_sha1(cert, sha1, sizeof(sha1)) < 0 || (n = ck_cert_der(cert, &der)) <= 0) {
		fprintf(stderr, "ceph-kmod enroll: cannot encode the certificate\n");
		rc = ENROLL_BADCERT;
		goto out;
	}
	if (!ck_mokutil_path(mokutil, sizeof(mokutil)) || access(mokutil, X_OK) != 0) {
		fprintf(stderr, "ceph-kmod enroll: mokutil not found (apt-get install mokutil, or "
				"set CEPH_KMOD_MOKUTIL)\n");
		goto out;
	}
	/* mokutil only takes DER: always hand it a DER copy. */
	fd = ck_mkstemp(tmpl, sizeof(tmpl), "ceph-kmod-mok");
	if (fd < 0 || write(fd, der, (size_t)n) != n || fsync(fd) < 0) {
		fprintf(stderr, "ceph-kmod enroll: cannot write a temporary DER copy in $TMPDIR or /tmp\n");
		goto out;
	}
	{
		char *argv_test[] = { mokutil, (char *)"--test-key", tmpl, NULL };

		r = ck_run(argv_test, &out, &e);
		if (r < 0) {
			fprintf(stderr, "ceph-kmod enroll: %s\n", e.msg);
			goto out;
		}
		switch (ck_mokutil_test_key_parse(out.data ? (char *)out.data : "", r)) {
		case CK_ENR_YES:
			printf("%s is already enrolled (SHA1 %s): nothing to do.\n", cert_file,
			       sha1);
			rc = ENROLL_OK;
			goto out;
		case CK_ENR_PENDING:
			printf("%s is already queued for enrolment (SHA1 %s): reboot and confirm "
			       "in MokManager.\n",
			       cert_file, sha1);
			next_steps(cert_file);
			rc = ENROLL_OK;
			goto out;
		default:
			break;
		}
		ck_buf_free(&out);
	}
	{
		char *argv_new[] = { mokutil, (char *)"--list-new", NULL };

		r = ck_run(argv_new, &out, &e);
		if (r >= 0 && out.data && listed_as_new((char *)out.data, sha1)) {
			printf("%s is already queued for enrolment (SHA1 %s).\n", cert_file, sha1);
			next_steps(cert_file);
			rc = ENROLL_OK;
			goto out;
		}
		ck_buf_free(&out);
	}
	{
		char *argv_imp[] = { mokutil, (char *)"--import", tmpl,
				     root_pw ? (char *)"--root-pw" : NULL, NULL };

		printf("Requesting enrolment of %s (SHA1 %s) with mokutil --import;\n"
		       "choose a one-time password, MokManager asks for it at the next boot.\n",
		       cert_file, sha1);
		r = ck_run(argv_imp, NULL, &e);
		if (r != 0) {
			fprintf(stderr, "ceph-kmod enroll: mokutil --import failed (exit %d)\n", r);
			goto out;
		}
		next_steps(cert_file);
		rc = ENROLL_OK;
	}
out:
	ck_buf_free(&out);
	if (fd >= 0) {
		close(fd);
		unlink(tmpl);
	}
	OPENSSL_free(der);
	sk_X509_pop_free(certs, X509_free);
	if (rc == ENROLL_OK)
		retry_key_pending();
	return rc;
}
