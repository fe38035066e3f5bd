#!/usr/bin/env bash
# Run by 40-cycles.sh inside the overlay chroot (lib-package.sh): the apt/dpkg/dkms cycle.
# Usage: deb-cycle.sh DEBDIR V V1 V2 EXTRA_KVER
#   DEBDIR/V/*.deb this checkout, DEBDIR/V1 a higher version, DEBDIR/V2 a version whose
#   build fails for the 6.12 source; EXTRA_KVER a kernel whose headers are not installed
#   ("auto": the newest 6.1 ABI apt-cache lists that is not a test kernel).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"
set -euo pipefail
debdir=$1 v=$2 v1=$3 v2=$4 extra_k=$5
CK_TOOL=/usr/sbin/ceph-kmod
kernels=()
while read -r _ k; do kernels+=("$k"); done < <(t_kernels)
k612=$(t_kernel newest612)
# apt install of the two packages of version V (apt install ./ceph-kmod*.deb).
apt_install_v() {
	local -a d=("$debdir/$1/ceph-kmod-dkms_${1}_all.deb" "$debdir/$1/ceph-kmod_${1}_"*.deb)
	apt_q install "${d[@]}"
}
apt_q() { DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }
logs=$P_HOST$CK_ARTIFACTS/package-deb   # on the host: kept after the overlay goes
mkdir -p "$logs"

# 0. A machine without ceph-kmod (an earlier run, a by-hand install).
p_clean_machine "${kernels[@]}"
before=$logs/before.list
p_snapshot "$before"

# 1. apt install ./ceph-kmod*.deb: every test kernel built, signed, verified.
t_expect_exit "apt install ./ceph-kmod-dkms_${v}_all.deb ./ceph-kmod_${v}_*.deb" 0 \
	apt_install_v "$v"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/install.log"
p_assert_version_everywhere "$v" "${kernels[@]}"
after=$logs/after-install.list
p_snapshot "$after"
t_eq "dpkg -S owns every file installed outside dkms's trees and our run-time state" "" "$(p_unowned "$before" "$after" dpkg -S)"
t_expect_exit "ceph-kmod-install --remove refuses on a packaged install (exit 11)" 11 ceph-kmod-install --remove
t_match "... and prints the apt command" 'fix: apt remove ceph-kmod-dkms ceph-kmod' "$T_LAST_OUTPUT"

# 6a. Prebuilt kmod packages of the sets dkms just built (verified again after packing).
kdeb=$(t_kernel newest61)
krpm=$k612
kout=/var/tmp/ck-kmod
rm -rf "$kout"
t_check "make kmod-deb KVER=$kdeb" make -s -C "$CK_TOP" kmod-deb KVER="$kdeb" PKGOUT="$kout"
t_check "make kmod-rpm KVER=$krpm" make -s -C "$CK_TOP" kmod-rpm KVER="$krpm" PKGOUT="$kout"
mkdir -p "$kout/x-deb" "$kout/x-rpm"
dpkg-deb -x "$kout/ceph-kmod-modules-${kdeb}_${v}_$(dpkg --print-architecture).deb" "$kout/x-deb" || true
(cd "$kout/x-rpm" && rpm2cpio "$kout/ceph-kmod-modules-$krpm-$v-1.$(uname -m).rpm" | cpio -idm --quiet) || true
for f in "$kout"/x-deb/lib/modules/"$kdeb"/updates/ceph-kmod/*.ko* "$kout"/x-rpm/lib/modules/"$krpm"/updates/ceph-kmod/*.ko*; do
	t_expect_exit "$(basename "$f") taken out of the kmod ${f#"$kout"/x-} package still verifies" 0 "$CK_TOOL" verify --cert /var/lib/dkms/mok.pub "$f"
done
t_eq "4 modules in each kmod package" "4 4" "$(find "$kout/x-deb" -name '*.ko*' | wc -l) $(find "$kout/x-rpm" -name '*.ko*' | wc -l)"

# 3a. Upgrade while modinfo is polled: never a missing file, never the in-tree module.
p_poll_start "${kernels[@]}"
t_expect_exit "apt install the $v1 packages (upgrade)" 0 apt_install_v "$v1"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/upgrade.log"
p_poll_stop
t_eq "during the upgrade rbd always resolved to one of our files ($P_POLLS polls)" "" "$P_POLL_BAD"
for k in "${kernels[@]}"; do
	t_eq "$k: ceph_kmod_version after the upgrade" "$v1" "$(modinfo -k "$k" -F ceph_kmod_version rbd 2>/dev/null)"
	t_eq "$k: dkms has $v1 installed" "$v1" "$(p_dkms_version "$k")"
done
t_eq "the old /usr/src/ceph-kmod-$v is gone" "no" "$([[ -e /usr/src/ceph-kmod-$v ]] && echo yes || echo no)"
t_eq "dkms's tree of $v is gone" "no" "$([[ -e /var/lib/dkms/ceph-kmod/$v ]] && echo yes || echo no)"

# 3b. A version whose build fails for one kernel: apt exits 0, that kernel keeps its set.
t_expect_exit "apt install the $v2 packages (its build fails for $k612) exits 0" 0 \
	apt_install_v "$v2"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/upgrade-broken.log"
t_match "the failure is reported with the kernel" "$(t_re "$k612")" "$T_LAST_OUTPUT"
for k in "${kernels[@]}"; do
	want=$v2
	[[ "$k" == "$k612" ]] && want=$v1
	t_eq "$k: ceph_kmod_version after the partly failing upgrade" "$want" "$(modinfo -k "$k" -F ceph_kmod_version rbd 2>/dev/null)"
	f=$(modinfo -k "$k" -n rbd 2>/dev/null || true)
	t_expect_exit "$k: rbd ($f) verifies" 0 "$CK_TOOL" verify --cert /var/lib/dkms/mok.pub "$f"
done

# 2. Another kernel's headers: our modules appear for it with no further command.
if [[ "$extra_k" == auto ]]; then
	extra_k=$(apt-cache search --names-only '^linux-headers-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' |
		sed 's/^linux-headers-//' | sort -V | grep -vxF -f <(printf '%s\n' "${kernels[@]}") |
		while read -r k; do [[ -e /lib/modules/$k/build ]] || echo "$k"; done | tail -n1)
fi
t_expect_exit "apt-get install linux-headers-$extra_k" 0 apt_q install "linux-headers-$extra_k"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/headers.log"
b_assert_installed "$extra_k"
# It leaves again (kept out of the upgrade's build time): ours first, then its headers.
dkms remove -m ceph-kmod -v "$v2" -k "$extra_k" >/dev/null 2>&1 || true
apt_q purge "linux-headers-$extra_k" "linux-headers-${extra_k%-amd64}-common" >/dev/null 2>&1 || true
[[ -n "$(dpkg -S "/lib/modules/$extra_k" 2>/dev/null)" ]] || rm -rf "/lib/modules/$extra_k"

# 4. apt remove, then apt purge.
t_expect_exit "apt remove ceph-kmod-dkms ceph-kmod" 0 apt_q remove ceph-kmod-dkms ceph-kmod
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/remove.log"
for k in "${kernels[@]}"; do
	b_assert_intree "$k"
done
t_eq "dkms knows no ceph-kmod after remove" "" "$(dkms status -m ceph-kmod 2>/dev/null)"
t_eq "the configuration stays until purge" yes "$([[ -e /etc/ceph-kmod/ceph-kmod.conf ]] && echo yes || echo no)"
t_expect_exit "apt purge ceph-kmod-dkms ceph-kmod" 0 apt_q purge ceph-kmod-dkms ceph-kmod
for p in /etc/ceph-kmod /var/cache/ceph-kmod /etc/dkms/framework.conf.d/ceph-kmod.conf; do
	t_eq "purged: $p" no "$([[ -e $p ]] && echo yes || echo no)"
done
t_eq "the MOK key pair is kept" yes "$([[ -f /var/lib/dkms/mok.key && -f /var/lib/dkms/mok.pub ]] && echo yes || echo no)"
purged=$logs/after-purge.list
p_snapshot "$purged"
t_eq "find / -xdev after the purge lists exactly what it listed before the install" "" \
	"$(p_listing_diff "$before" "$purged" | head -c 2000)"

# 6b. The kmod packages on a machine without ceph-kmod-dkms: install, modinfo resolves
# to them and they verify, ceph-kmod-install skips that kernel, removal restores in-tree.
CK_TOOL=$CK_TOP/tool/ceph-kmod
# Served from a file:// apt repository (README: dpkg-scanpackages).
repo=$kout/apt-repo
mkdir -p "$repo"
cp "$kout/ceph-kmod-modules-${kdeb}_${v}_$(dpkg --print-architecture).deb" "$repo/"
(cd "$repo" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null | gzip -9n >Packages.gz)
list=/etc/apt/sources.list.d/ck-kmod-test.list
echo "deb [trusted=yes] file://$repo ./" >"$list"
t_expect_exit "apt-get update of the file:// repository made with dpkg-scanpackages" 0 \
	apt_q update -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
t_expect_exit "apt-get install ceph-kmod-modules-$kdeb from that repository" 0 apt_q install "ceph-kmod-modules-$kdeb"
rm -f "$list"
for m in "${CK_MODULES[@]}"; do
	f=$(modinfo -k "$kdeb" -n "$m" 2>/dev/null || true)
	t_match "$kdeb: $m resolves to the kmod package ($f)" "^/lib/modules/$(t_re "$kdeb")/updates/ceph-kmod/$m\\.ko" "$f"
	t_expect_exit "$kdeb: $m from the kmod package verifies" 0 "$CK_TOOL" verify --cert /var/lib/dkms/mok.pub "$f"
done
make -s -C "$CK_TOP" install-package >/dev/null
t_expect_exit "ceph-kmod-install --kernel $kdeb with the kmod package installed" 0 ceph-kmod-install --kernel "$kdeb"
t_match "... skips that kernel and names the package" "skipping kernel $(t_re "$kdeb"): the package ceph-kmod-modules-$(t_re "$kdeb") provides" "$T_LAST_OUTPUT"
ceph-kmod-install --remove >/dev/null 2>&1 || true
t_expect_exit "apt remove the kmod .deb" 0 apt_q remove "ceph-kmod-modules-$kdeb"
b_assert_intree "$kdeb"
# A yum repository (README: createrepo-c): its metadata lists the package and its modules.
yum=$kout/yum-repo
mkdir -p "$yum"
cp "$kout/ceph-kmod-modules-$krpm-$v-1.$(uname -m).rpm" "$yum/"
t_check "createrepo_c makes the yum repository" createrepo_c -q "$yum"
t_match "its primary metadata lists ceph-kmod-modules-$krpm" "<name>ceph-kmod-modules-$(t_re "$krpm")</name>" \
	"$(zcat "$yum"/repodata/*-primary.xml.gz 2>/dev/null || true)"
t_match "its file lists hold the kernel's rbd module" "/lib/modules/$(t_re "$krpm")/updates/ceph-kmod/rbd\\.ko" \
	"$(zcat "$yum"/repodata/*-filelists.xml.gz 2>/dev/null || true)"
t_expect_exit "rpm -i --nodeps --force-debian the kmod .rpm" 0 rpm -i --nodeps --force-debian "$kout/ceph-kmod-modules-$krpm-$v-1.$(uname -m).rpm"
for m in "${CK_MODULES[@]}"; do
	f=$(modinfo -k "$krpm" -n "$m" 2>/dev/null || true)
	t_match "$krpm: $m resolves to the kmod package ($f)" "^/lib/modules/$(t_re "$krpm")/updates/ceph-kmod/$m\\.ko" "$f"
	t_expect_exit "$krpm: $m from the kmod package verifies" 0 "$CK_TOOL" verify --cert /var/lib/dkms/mok.pub "$f"
done
t_expect_exit "rpm -e the kmod .rpm" 0 rpm -e --nodeps "ceph-kmod-modules-$krpm"
b_assert_intree "$krpm"
