#!/usr/bin/env bash
# Run by 10-remove.sh inside a chroot over a copy-on-write overlay of this host's root
# (tests/package/lib-package.sh p_overlay_run), so the host keeps what ./setup installed.
# Removal leaves every kernel exactly as before: modprobe resolves the in-tree
# modules, and nothing of ours remains. Runs after the suites that use the install.
# A packaged install (./setup installs the .deb) is removed the package's way:
# ceph-kmod-install --remove refuses and names "apt remove", which is then run. A
# by-hand install (make install-package) is removed with ceph-kmod-install --remove.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"

kernels=()
while read -r _ k; do kernels+=("$k"); done < <(t_kernels)
# What this install put outside dkms's trees, read before removing it: the packages' own
# lists (dpkg -L; conffiles apart: dpkg keeps them on remove) or, for a by-hand install,
# what `make install-package` installs. Only what existed is checked afterwards.
owned=() conffiles=()
if dpkg-query -W -f '${Status}' ceph-kmod-dkms 2>/dev/null | grep -q 'ok installed'; then
	mapfile -t conffiles < <(dpkg-query -W -f '${Conffiles}\n' ceph-kmod-dkms ceph-kmod | awk 'NF >= 2 { print $1 }')
	while read -r p; do
		[[ -f "$p" && "$p" != /usr/src/* && "$p" != /usr/share/doc/* ]] || continue
		[[ " ${conffiles[*]} " == *" $p "* ]] || owned+=("$p")
	done < <(dpkg -L ceph-kmod-dkms ceph-kmod)
else
	for p in /etc/kernel/{postinst.d,header_postinst.d,prerm.d,postrm.d}/ceph-kmod \
		/etc/kernel/install.d/50-ceph-kmod.install /etc/apt/apt.conf.d/80ceph-kmod \
		/usr/share/initramfs-tools/hooks/ceph-kmod \
		/etc/depmod.d/ceph-kmod.conf /usr/lib/depmod.d/ceph-kmod.conf \
		/usr/sbin/ceph-kmod-install /usr/sbin/ceph-kmod-fetch-source /usr/sbin/ceph-kmod; do
		[[ ! -e "$p" ]] || owned+=("$p")
	done
fi
t_match "the install to remove has files of its own (${#owned[@]} outside dkms's trees)" '^[1-9]' "${#owned[@]}"
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
for p in /usr/src/ceph-kmod-"$CK_VERSION" /var/lib/dkms/ceph-kmod "${owned[@]}"; do
	if [[ -e "$p" ]]; then t_fail "left behind: $p"; else t_pass "removed: $p"; fi
done
# The kernel hooks dpkg keeps as conffiles after a remove must do nothing: a later kernel
# install runs them with no ceph-kmod-install to call.
for p in "${conffiles[@]}"; do
	[[ "$p" == /etc/kernel/*.d/ceph-kmod ]] || continue
	out=$(sh "$p" "${kernels[0]}" 2>&1) && rc=0 || rc=$?
	t_eq "kept conffile $p exits 0 and does nothing with ceph-kmod removed" "0:" "$rc:$out"
done
t_eq "dkms knows no ceph-kmod" "" "$(dkms status -m ceph-kmod 2>/dev/null)"
