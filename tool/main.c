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

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("ceph-kmod %s\n", CK_VERSION);
	return CK_EXIT_OK;
}

/* One entry per command: its name, what runs it and its help page. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
};

static const struct command commands[] = {
	{ "verify", ck_cmd_verify, ck_usage_verify },
	{ "status", ck_cmd_status, ck_usage_status },
	{ "enroll", ck_cmd_enroll, ck_usage_enroll },
	{ "debug", ck_cmd_debug, ck_usage_debug },
	{ "help", cmd_help, usage },
	{ "version", cmd_version, usage },
};

/* Other spellings of a command. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "-h", "help" },
	{ "--help", "help" },
	{ "--version", "version" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].alias, name) == 0)
			name = aliases[i].name;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* help [COMMAND]: the general page, or COMMAND's. */
static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc > 2)
		return ck_usage_error("", "help takes one COMMAND, not '%s'", argv[2]);
	c = argc > 1 ? find_command(argv[1]) : NULL;
	if (argc > 1 && !c)
		return ck_usage_error("", "help: unknown command '%s'", argv[1]);
	(c ? c->usage : usage)(stdout);
	return CK_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return ck_usage_error("", "no command given");
	c = find_command(argv[1]);
	if (!c)
		return ck_usage_error("", "unknown command '%s'", argv[1]);
	return c->run(argc - 1, argv + 1);
}
