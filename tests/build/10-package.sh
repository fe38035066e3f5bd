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
	/usr/share/man/man8/ceph-kmod.8 /etc/kernel/postinst.d/ceph-kmod /etc/kernel/header_postinst.d/ceph-kmod \
	/etc/kernel/prerm.d/ceph-kmod /etc/kernel/postrm.d/ceph-kmod /etc/apt/apt.conf.d/80ceph-kmod; do
	if [[ -e "$f" ]]; then t_pass "installed $f"; else t_fail "missing $f"; fi
done
t_eq "dkms's own autoinstall does not build ceph-kmod (no AUTOINSTALL)" "" \
	"$(bash -c 'kernelver=x; . "$1"; echo "$AUTOINSTALL"' _ "/usr/src/ceph-kmod-$CK_VERSION/dkms.conf" 2>/dev/null)"
t_check "apt parses the installed DPkg::Post-Invoke hook (apt-config dump)" apt-config dump
t_check "the Post-Invoke hook with nothing pending returns at once, exit 0" /usr/sbin/ceph-kmod-install --retry-pending --hook
