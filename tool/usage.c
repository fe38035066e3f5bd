// SPDX-License-Identifier: GPL-2.0
/* Usage errors of every command: one line naming what was wrong and where help is. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ck.h"
#include "cmds.h"

int ck_usage_error(const char *cmd, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ck_error(cmd, "%s (see: ceph-kmod help%s%s)", what, cmd[0] ? " " : "", cmd);
	return CK_EXIT_USAGE;
}

const char *ck_opt_refused(char **argv, int o, char *buf, size_t buflen)
{
	const char *a = optind > 0 ? argv[optind - 1] : "";

	/* The whole word for an unknown long option ('?', optopt 0), a value given to one
	 * that takes none ("--json=x"), a long one missing its value (':'); else the
	 * short option (perhaps inside a cluster). */
	if ((o == '?' && (!optopt || (a[0] == '-' && a[1] == '-' && strchr(a, '=')))) ||
	    (o == ':' && a[0] == '-' && a[1] == '-'))
		snprintf(buf, buflen, "%s", a);
	else
		snprintf(buf, buflen, "-%c", optopt);
	return buf;
}
