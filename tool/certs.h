/* SPDX-License-Identifier: GPL-2.0 */
/* Loading X.509 certificates (DER or PEM) and describing them. */
#ifndef CK_CERTS_H
#define CK_CERTS_H

#include <openssl/x509.h>

#include "ck.h"

/* Appends every certificate of FILE (one DER certificate, or one or more PEM ones)
 * to certs. Returns the number added (>0) or -1 with e set. */
int ck_certs_load_file(const char *path, STACK_OF(X509) *certs, struct ck_err *e);
/* Parses one certificate from memory: DER, or PEM when it starts with "-----BEGIN". */
X509 *ck_cert_from_mem(const unsigned char *d, size_t len, struct ck_err *e);
/* DER encoding of cert (OPENSSL_free the result). Returns length or -1. */
int ck_cert_der(X509 *cert, unsigned char **der);
/* The CN of a name, else its one-line form. */
void ck_name_str(const X509_NAME *name, char *out, size_t outlen);
/* Subject key identifier of cert as hex, or "" when absent. */
void ck_cert_skid(X509 *cert, char *out, size_t outlen);
/* SHA-1 fingerprint of the DER encoding, lower-case hex without separators. */
int ck_cert_sha1(X509 *cert, char *out, size_t outlen);
/* Latest OpenSSL error as text (and clears the queue). */
void ck_ssl_error(char *out, size_t outlen);

#endif
