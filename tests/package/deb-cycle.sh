#!/usr/bin/env bash
# Run by 10-deb.sh inside the overlay chroot (lib-package.sh): the apt/dpkg/dkms cycle.
# Usage: deb-cycle.sh DEBDIR V V1 V2 EXTRA_KVER
#   DEBDIR/V/*.deb this checkout, DEBDIR/V1 a higher version, DEBDIR/V2 a version whose
#   build fails for the 6.12 source; EXTRA_KVER a kernel whose headers are not installed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"
set -euo pipefail
debdir=$1 v=$2 v1=$3 v2=$4 extra=$5
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
logs=/var/tmp/ck-package-logs
mkdir -p "$logs"

# 0. A machine without ceph-kmod: whatever an earlier run or a by-hand install left goes.
if dpkg -s ceph-kmod-dkms >/dev/null 2>&1; then apt_q purge ceph-kmod-dkms ceph-kmod >/dev/null; fi
if [[ -x /usr/sbin/ceph-kmod-install ]]; then /usr/sbin/ceph-kmod-install --remove >/dev/null 2>&1 || true; fi
rm -rf /etc/ceph-kmod /var/cache/ceph-kmod /etc/dkms/framework.conf.d/ceph-kmod.conf /usr/src/ceph-kmod-* \
	/var/lib/dkms/ceph-kmod /etc/depmod.d/ceph-kmod.conf /usr/sbin/ceph-kmod /usr/share/man/man8/ceph-kmod.8
for k in "${kernels[@]}"; do depmod -a "$k"; done
before=$logs/before.list
p_snapshot "$before"

# 1. apt install ./ceph-kmod*.deb: every test kernel built, signed, verified.
t_expect_exit "apt install ./ceph-kmod-dkms_${v}_all.deb ./ceph-kmod_${v}_*.deb" 0 \
	apt_install_v "$v"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/install.log"
for k in "${kernels[@]}"; do
	b_assert_installed "$k"
	t_eq "$k: dkms has ceph-kmod $v installed" "$v" "$(p_dkms_version "$k")"
	st=$(ceph-kmod status 2>/dev/null | awk -v k="kernel $k" '$0 == k {on=1; next} /^kernel / {on=0} on')
	t_eq "$k: ceph-kmod status agrees with dkms (4 modules ours, version $v)" "4 4" \
		"$(grep -c 'modprobe: .*(ours)' <<<"$st") $(grep -cE "^ +version +$(t_re "$v")\$" <<<"$st")"
done
after=$logs/after-install.list
p_snapshot "$after"
unowned=()
while IFS= read -r f; do
	[[ -d "$f" && ! -L "$f" ]] && continue
	case "$f" in
	/var/lib/dkms/* | /lib/modules/*/updates/dkms/* | /lib/modules/*/modules.*) continue ;; # dkms's trees, depmod's indexes
	/etc/ceph-kmod/* | /var/cache/ceph-kmod/* | /etc/dkms/framework.conf.d/ceph-kmod.conf) continue ;; # written at run time, purged
	esac
	dpkg -S "$f" >/dev/null 2>&1 || unowned+=("$f")
done < <(comm -13 "$before" "$after")
t_eq "dpkg -S owns every file installed outside dkms's trees and our run-time state" "" "${unowned[*]}"
t_expect_exit "ceph-kmod-install --remove refuses on a packaged install" 2 ceph-kmod-install --remove
t_match "... and prints the apt command" 'fix: apt remove ceph-kmod-dkms ceph-kmod' "$T_LAST_OUTPUT"

# 2. Another kernel's headers: our modules appear for it with no further command.
t_expect_exit "apt-get install linux-headers-$extra" 0 apt_q install "linux-headers-$extra"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/headers.log"
b_assert_installed "$extra"
# It leaves again (kept out of the upgrade's build time): ours first, then its headers.
dkms remove -m ceph-kmod -v "$v" -k "$extra" >/dev/null 2>&1 || true
apt_q purge "linux-headers-$extra" "linux-headers-$extra-common" >/dev/null 2>&1 || true
[[ -n "$(dpkg -S "/lib/modules/$extra" 2>/dev/null)" ]] || rm -rf "/lib/modules/$extra"

# 3a. Upgrade while modinfo is polled: never a missing file, never the in-tree module.
poll_bad=$logs/poll-bad
poll_n=$logs/poll-count
: >"$poll_bad"
: >"$poll_n"
(
	while [[ ! -e $logs/poll-stop ]]; do
		for k in "${kernels[@]}"; do
			f=$(modinfo -k "$k" -n rbd 2>/dev/null || true)
			if [[ ! -f "$f" || "$f" != */updates/dkms/* ]]; then printf '%s %s %s\n' "$(date +%T.%N)" "$k" "${f:-none}" >>"$poll_bad"; fi
		done
		echo >>"$poll_n"
		sleep 0.2
	done
) &
poller=$!
t_expect_exit "apt install the $v1 packages (upgrade)" 0 apt_install_v "$v1"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/upgrade.log"
touch "$logs/poll-stop"
wait "$poller" || true
rm -f "$logs/poll-stop"
t_eq "during the upgrade rbd always resolved to one of our files ($(wc -l <"$poll_n") polls)" "" "$(head -n 3 "$poll_bad")"
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
	"$(diff "$before" "$purged" | grep '^[<>]' | head -n 20 | tr '\n' ' ')"
