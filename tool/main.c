// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod: verify, status and enroll for the ceph-kmod DKMS package. */
#include <stdio.h>
#include <string.h>

#include "ck.h"
#include "cmds.h"

#ifndef CK_VERSION
#define CK_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	fputs("usage: ceph-kmod COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  verify [--cert FILE]... MODULE...  check module signatures\n"
	      "  status [-v] [--json] [KERNEL]      one line per kernel; -v: built, installed, loaded\n"
	      "  enroll [--cert FILE] [--root-pw]   queue the MOK certificate with mokutil\n"
	      "  debug on|off|status|collect        dynamic debug of the Ceph client, bug reports\n"
	      "  help [COMMAND], --help, --version\n"
	      "\n",
	      f);
	ck_usage_verify(f);
	fputs("\nEnvironment: CEPH_KMOD_CONF (config file, default /etc/ceph-kmod/ceph-kmod.conf),\n"
	      "CEPH_KMOD_MOK_CERT (certificate, wins over MOK_CERT in the file), CEPH_KMOD_MOKUTIL,\n"
	      "CEPH_KMOD_MODULES_ROOT, CEPH_KMOD_DKMS_TREE, CEPH_KMOD_EFI_DIR, CEPH_KMOD_MOKLIST,\n"
	      "CEPH_KMOD_SYS_MODULE, CEPH_KMOD_RUNNING_KERNEL (see ceph-kmod(8)).\n",
	      f);
}

static int help(const char *sub)
{
	if (!sub || strcmp(sub, "help") == 0)
		usage(stdout);
	else if (strcmp(sub, "verify") == 0)
		ck_usage_verify(stdout);
	else if (strcmp(sub, "status") == 0)
		ck_usage_status(stdout);
	else if (strcmp(sub, "enroll") == 0)
		ck_usage_enroll(stdout);
	else if (strcmp(sub, "debug") == 0)
		ck_usage_debug(stdout);
	else
		return ck_usage_error("", "help: unknown command '%s'", sub);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd)
		return ck_usage_error("", "no command given");
	if (strcmp(cmd, "verify") == 0)
		return ck_cmd_verify(argc - 2, argv + 2);
	if (strcmp(cmd, "status") == 0)
		return ck_cmd_status(argc - 2, argv + 2);
	if (strcmp(cmd, "enroll") == 0)
		return ck_cmd_enroll(argc - 2, argv + 2);
	if (strcmp(cmd, "debug") == 0)
		return ck_cmd_debug(argc - 2, argv + 2);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("ceph-kmod %s\n", CK_VERSION);
		return 0;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		if (argc > 3)
			return ck_usage_error("", "help takes one COMMAND, not '%s'", argv[3]);
		return help(argc > 2 ? argv[2] : NULL);
	}
	return ck_usage_error("", "unknown command '%s'", cmd);
}
