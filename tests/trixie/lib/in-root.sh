#!/usr/bin/env bash
# Run by tests/trixie/10-debian13.sh inside the Debian 13 root (an overlay of the cached one),
# in a copy of the checkout at /root/ceph-kmod. Prints PASS/FAIL/SETUP lines (the host records
# them) and "trixie: ..." figures; the verified sets go to /run/ck-export/sets/KVER.
# The root's kernels: /.kernel-trixie (headers installed by "./setup --deps-only" when the
# root was made), /.kernel-backports (Linux 7.x: its headers and source only downloaded).
cd /root/ceph-kmod
# shellcheck source=../../lib.sh
. tests/lib.sh
# shellcheck source=../../package/lib-package.sh
. tests/package/lib-package.sh
set -euo pipefail
CK_TEST_NAME=trixie/debian13
export CK_TEST_RESULTS=/dev/null
k13=$(cat /.kernel-trixie)
kbp=$(cat /.kernel-backports)
v=$(cat VERSION)
v1=$v.1
logs=/run/ck-export/logs
mkdir -p "$logs" /run/ck-export/sets
apt_q() { DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }

# timed NAME CMD...: CMD's output into $logs/NAME.log, its exit code kept in T_RC, the time printed.
timed() {
	local name=$1 t0=$SECONDS
	shift
	T_RC=0
	"$@" >"$logs/$name.log" 2>&1 || T_RC=$?
	echo "trixie: $name: exit $T_RC in $((SECONDS - t0))s"
}

# status_ok KVER VERSION: the kernel's status line: our whole set of VERSION, verified.
status_ok() {
	local k=$1 want=$2 line
	line=$(ceph-kmod status "$k" 2>&1 | grep -F "$k" | head -n 1 || true)
	echo "trixie: status $line"
	t_match "$k: ceph-kmod status: set complete, 4/4 ours, signed ok, keys aes,aes256k" \
		"^$(t_re "$k")( \\(running\\))? +$(t_re "$want") +set complete.* 4/4 ours +signed ok .*keys aes,aes256k" "$line"
	t_eq "$k: the set's modules are compressed like the kernel's (.ko.xz)" 4 \
		"$(find "/lib/modules/$k/ceph-kmod-sets/current/" -name '*.ko.xz' | wc -l)"
	t_eq "$k: ceph_kmod_version of rbd, libceph, ceph and nbd" "$want $want $want $want" \
		"$(for m in rbd libceph ceph nbd; do modinfo -k "$k" -F ceph_kmod_version "$m" 2>/dev/null || echo none; done | paste -sd' ')"
}

echo "trixie: $(. /etc/os-release && echo "$PRETTY_NAME"), dkms $(dkms --version 2>/dev/null | tr -d '\n'), $(gcc --version | head -n 1)"
# 1. The README's first command.
timed setup ./setup
t_eq "./setup on Debian 13 exits 0" 0 "$T_RC"
t_eq "ceph-kmod-dkms and ceph-kmod $v installed (dpkg)" "ii $v ii $v" \
	"$(dpkg-query -W -f '${db:Status-Abbrev}${Version} ' ceph-kmod-dkms ceph-kmod | sed 's/ *$//; s/  */ /g')"
status_ok "$k13" "$v"
t_eq "$k13: dkms status lists ceph-kmod $v installed" 1 \
	"$(dkms status ceph-kmod -k "$k13" 2>/dev/null | grep -c "ceph-kmod/$v, $k13, .*: installed" || true)"

# 2. An upgrade to a higher version (the .deb built by trixie's debhelper again).
p_bump_tree "$v1" /root/ck-v1
timed deb-v1 env DEB_BUILD_OPTIONS=nocheck make -s -C /root/ck-v1 deb PKGOUT=/root/debs-v1
t_eq "make deb of a higher version ($v1) with trixie's debhelper" 0 "$T_RC"
timed upgrade apt_q install /root/debs-v1/ceph-kmod-dkms_"${v1}"_all.deb /root/debs-v1/ceph-kmod_"${v1}"_*.deb
t_eq "apt install the $v1 packages (upgrade) exits 0" 0 "$T_RC"
status_ok "$k13" "$v1"

# 3. The backports kernel, as a user takes it: its headers and source from trixie-backports.
timed backports apt_q install -t trixie-backports "linux-headers-$kbp" "linux-source-$(cut -d. -f1,2 <<<"$kbp")"
t_eq "apt install -t trixie-backports linux-headers-$kbp linux-source exits 0" 0 "$T_RC"
t_match "the kernel hook built $kbp" "$(t_re "$kbp")" "$(cat "$logs/backports.log")"
t_eq "no module skipped for $kbp" "" "$(grep -i 'skipping' "$logs/backports.log" || true)"
status_ok "$kbp" "$v1"
status_ok "$k13" "$v1"
t_expect_exit "ceph-kmod status exits 0 (no mixed or incomplete set)" 0 ceph-kmod status
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/status.txt"
ceph-kmod status -v >"$logs/status-v.txt" 2>&1 || true
ceph-kmod status --json >"$logs/status.json" 2>&1 || true
for k in "$k13" "$kbp"; do
	mkdir -p "/run/ck-export/sets/$k"
	cp -L /lib/modules/"$k"/ceph-kmod-sets/current/* "/run/ck-export/sets/$k/"
	t_eq "$k: the set kept for the guests holds 4 modules" 4 \
		"$(find "/run/ck-export/sets/$k" -name '*.ko*' | wc -l)"
done

# 4. Purge: nothing of ours left on either kernel.
timed purge apt_q purge ceph-kmod-dkms ceph-kmod
t_eq "apt purge ceph-kmod-dkms ceph-kmod exits 0" 0 "$T_RC"
left=$(find /lib/modules /etc/ceph-kmod /var/cache/ceph-kmod /var/lib/dkms/ceph-kmod /usr/src \
	\( -name 'ceph-kmod*' -o -path '*/updates/dkms/*' \) 2>/dev/null | head -n 5 || true)
t_eq "after purge nothing of ceph-kmod is left (modules, sets, dkms tree, config, cache)" "" "$left"
