/* SPDX-License-Identifier: GPL-2.0 */
/* /etc/ceph-kmod/ceph-kmod.conf: KEY=VALUE lines (grammar: config.c); CEPH_KMOD_<KEY> in
 * the environment wins. */
#ifndef CK_CONFIG_H
#define CK_CONFIG_H

#include <stddef.h>

#define CK_DEFAULT_CONF "/etc/ceph-kmod/ceph-kmod.conf"
#define CK_DEFAULT_MOK_CERT "/var/lib/dkms/mok.pub"

/* Value of KEY into out: environment CEPH_KMOD_<KEY>, else the last KEY= line of the
 * config file ($CEPH_KMOD_CONF or the default), else def. Returns 0, or -1 if the
 * result does not fit. */
int ck_conf_get(const char *key, const char *def, char *out, size_t outlen);

/* One line of the file (grammar: config.c, ceph-kmod(8) CONFIGURATION), changed in
 * place: 0 with key (keylen bytes, not terminated) and val set, -1 when the line
 * sets nothing (comment, blank, malformed). */
int ck_conf_parse_line(char *line, char **key, size_t *keylen, char **val);

/* Same, but parse an explicit file (NULL: the configured file) without the environment. */
int ck_conf_file_get(const char *file, const char *key, char *out, size_t outlen);

/* Path of the MOK certificate: MOK_CERT, else /var/lib/dkms/mok.pub. */
int ck_mok_cert_path(char *out, size_t outlen);

#endif
