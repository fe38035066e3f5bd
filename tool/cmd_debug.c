// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod debug on|off|status|collect: the usage page and the dispatcher; on, off
 * and status live in debug_on.c, debug_off.c, debug_status.c. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "debug_cmd.h"

void ck_usage_debug(FILE *f)
{
	fputs("usage: ceph-kmod debug on [MODULE...] [--file F] [--func F] [--level N] [--at-load]\n"
	      "                             [--persist]\n"
	      "       ceph-kmod debug off\n"
	      "       ceph-kmod debug status\n"
	      "       ceph-kmod debug collect [-o FILE] [--secret-file FILE]...\n"
	      "\n"
	      "MODULE: " CK_MODULE_LIST " (default: those loaded). `on` enables their\n"
	      "pr_debug callsites through /proc/dynamic_debug/control (debugfs only without\n"
	      "lockdown), after saving what was there (once per boot); --level N also sets the\n"
	      "console log level; --at-load writes dyndbg= into /etc/modprobe.d; --persist enables\n"
	      "the rsyslog drop-in. `off` restores exactly the saved state and removes both files.\n"
	      "`collect` writes one redacted .tar.gz (0600) for a bug report.\n"
	      "\n"
	      "Exit status: 0 done, 1 failed, 2 module not loaded, 3 dynamic debug unavailable\n"
	      "(no CONFIG_DYNAMIC_DEBUG, or debugfs only under lockdown), 64 usage error.\n",
	      f);
}

static int cmd_collect(struct ck_dbg *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "secret-file", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	char *secrets[16], bad[256];
	int nsec = 0, o;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
		if (o == 'o') {
			out = optarg;
		} else if (o == 's' && nsec < 16) {
			secrets[nsec++] = optarg;
		} else {
			return ck_usage_error("debug", "collect: bad option or value '%s'",
					      o == 's' ? optarg : ck_opt_refused(argv, o, bad, sizeof(bad)));
		}
	}
	if (optind < argc)
		return ck_usage_error("debug", "collect: bad option or value '%s'", argv[optind]);
	return ck_dbg_collect(d, out, secrets, nsec, stderr);
}

/* The subcommands of "debug": name, what runs it (argv[0] is the subcommand), and whether
 * it takes arguments at all. */
static const struct {
	const char *name;
	int (*run)(struct ck_dbg *d, int argc, char **argv);
	int takes_args;
} debug_subs[] = {
	{ "on", ck_dbg_on, 1 },
	{ "off", ck_dbg_off, 0 },
	{ "status", ck_dbg_status, 0 },
	{ "collect", cmd_collect, 1 },
};

int ck_cmd_debug(int argc, char **argv)
{
	struct ck_dbg d;
	const char *sub = argc > 1 ? argv[1] : "";
	size_t i;

	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		ck_usage_debug(stdout);
		return CK_EXIT_OK;
	}
	if (!sub[0])
		return ck_usage_error("debug", "no subcommand (on, off, status, collect)");
	for (i = 0; i < sizeof(debug_subs) / sizeof(debug_subs[0]); i++) {
		if (strcmp(sub, debug_subs[i].name) != 0)
			continue;
		if (!debug_subs[i].takes_args && argc > 2)
			return ck_usage_error("debug", "%s takes no arguments", sub);
		ck_dbg_init(&d);
		return debug_subs[i].run(&d, argc - 1, argv + 1);
	}
	return ck_usage_error("debug", "unknown subcommand '%s'", sub);
}
