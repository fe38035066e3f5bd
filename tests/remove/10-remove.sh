#!/usr/bin/env bash
# Removal leaves every kernel exactly as before: modprobe resolves the in-tree
# modules, and nothing of ours remains. Runs last: the other suites use the install.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"

kernels=()
while read -r _ k; do kernels+=("$k"); done < <(t_kernels)
t_expect_exit "ceph-kmod-install --remove" 0 ceph-kmod-install --remove
for k in "${kernels[@]}"; do
	b_assert_intree "$k"
	left=$(find "/lib/modules/$k/updates" "/lib/modules/$k/extra" \
		\( -name 'libceph.ko*' -o -name 'rbd.ko*' -o -name 'ceph.ko*' -o -name 'nbd.ko*' \) 2>/dev/null || true)
	t_eq "$k: no module of ours left under updates/ or extra/" "" "$left"
done
for p in /usr/src/ceph-kmod-"$CK_VERSION" /var/lib/dkms/ceph-kmod /etc/depmod.d/ceph-kmod.conf \
	/usr/sbin/ceph-kmod-install /usr/sbin/ceph-kmod-fetch-source /usr/sbin/ceph-kmod; do
	if [[ -e "$p" ]]; then t_fail "left behind: $p"; else t_pass "removed: $p"; fi
done
t_eq "dkms knows no ceph-kmod" "" "$(dkms status -m ceph-kmod 2>/dev/null)"
