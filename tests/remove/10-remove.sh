#!/usr/bin/env bash
# Removal leaves every kernel exactly as before: modprobe resolves the in-tree
# modules, and nothing of ours remains. Runs after the suites that use the install.
# A packaged install (./setup installs the .deb) is removed the package's way:
# ceph-kmod-install --remove refuses and names "apt remove", which is then run. A
# by-hand install (make install-package) is removed with ceph-kmod-install --remove.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"

kernels=()
while read -r _ k; do kernels+=("$k"); done < <(t_kernels)
if dpkg-query -W -f '${Status}' ceph-kmod-dkms 2>/dev/null | grep -q 'ok installed'; then
	t_expect_exit "ceph-kmod-install --remove refuses on the packaged install (exit 11)" 11 ceph-kmod-install --remove
	t_match "... and prints the apt command" 'fix: apt remove ceph-kmod-dkms ceph-kmod' "$T_LAST_OUTPUT"
	t_expect_exit "apt remove ceph-kmod-dkms ceph-kmod" 0 env DEBIAN_FRONTEND=noninteractive \
		apt-get remove -y -q ceph-kmod-dkms ceph-kmod
	t_eq "dpkg: ceph-kmod-dkms is no longer installed" "" \
		"$(dpkg-query -W -f '${Status}' ceph-kmod-dkms 2>/dev/null | grep 'ok installed' || true)"
else
	t_expect_exit "ceph-kmod-install --remove" 0 ceph-kmod-install --remove
fi
for k in "${kernels[@]}"; do
	b_assert_intree "$k"
	left=$(find "/lib/modules/$k/updates" "/lib/modules/$k/extra" \
		\( -name 'libceph.ko*' -o -name 'rbd.ko*' -o -name 'ceph.ko*' -o -name 'nbd.ko*' \) 2>/dev/null || true)
	t_eq "$k: no module of ours left under updates/ or extra/" "" "$left"
done
for p in /usr/src/ceph-kmod-"$CK_VERSION" /var/lib/dkms/ceph-kmod /etc/depmod.d/ceph-kmod.conf /usr/lib/depmod.d/ceph-kmod.conf \
	/usr/sbin/ceph-kmod-install /usr/sbin/ceph-kmod-fetch-source /usr/sbin/ceph-kmod; do
	if [[ -e "$p" ]]; then t_fail "left behind: $p"; else t_pass "removed: $p"; fi
done
t_eq "dkms knows no ceph-kmod" "" "$(dkms status -m ceph-kmod 2>/dev/null)"
