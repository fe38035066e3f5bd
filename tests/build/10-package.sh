#!/usr/bin/env bash
# The package installs from this checkout: dkms source tree, tools, depmod.d file.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-build.sh"

make -s -C "$CK_TOP" tool >/dev/null
# Replace an older copy of the same version: the tests judge this checkout.
rm -rf "/usr/src/ceph-kmod-$CK_VERSION"
t_check "make install-package" make -s -C "$CK_TOP" install-package
for f in "/usr/src/ceph-kmod-$CK_VERSION/dkms.conf" /usr/sbin/ceph-kmod-install \
	/usr/sbin/ceph-kmod-fetch-source /usr/sbin/ceph-kmod /etc/depmod.d/ceph-kmod.conf \
	/usr/share/man/man8/ceph-kmod.8; do
	if [[ -e "$f" ]]; then t_pass "installed $f"; else t_fail "missing $f"; fi
done
