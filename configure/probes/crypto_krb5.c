// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_CRYPTO_KRB5: the kernel has the Kerberos 5 crypto library
 * (crypto/krb5, <crypto/krb5.h>; not in 6.1 or 6.12) built in or as a module,
 * with the RFC 8009 enctype libceph's CEPH_CRYPTO_AES256KRB5 uses
 * (upstream "libceph: add support for CEPH_CRYPTO_AES256KRB5", v7.0).
 * Kernels without it get ceph-kmod's own RFC 8009 code
 * (patches/compat/0002).
 */
#include <linux/kconfig.h>

/*
 * A missing header must fail as a plain compile error of this file (what
 * probe-kernel reads as "absent"), not as a fatal one.
 */
#if __has_include(<crypto/krb5.h>)
#include <crypto/krb5.h>
#else
#error "no <crypto/krb5.h> in this kernel"
#endif

#if !IS_ENABLED(CONFIG_CRYPTO_KRB5)
#error "crypto/krb5 is not built for this kernel"
#endif

const struct krb5_enctype *ck_probe_crypto_krb5(void);
const struct krb5_enctype *ck_probe_crypto_krb5(void)
{
	return crypto_krb5_find_enctype(KRB5_ENCTYPE_AES256_CTS_HMAC_SHA384_192);
}
