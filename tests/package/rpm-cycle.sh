#!/usr/bin/env bash
# Run by 40-cycles.sh inside the overlay chroot (lib-package.sh): the issue's test 5, the
# install/upgrade/erase cycle through Debian's rpm itself (its own database, scriptlets
# run by /bin/sh = dash) and the real dkms.
# Usage: rpm-cycle.sh RPMDIR V V1 FAKE_DEVEL_RPM
#   RPMDIR/V and RPMDIR/V1 hold the two packages; FAKE_DEVEL_RPM ships a file under
#   /usr/src/kernels/<newest 6.1 kernel> (p_fake_devel_rpm)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"
set -euo pipefail
rpmdir=$1 v=$2 v1=$3 fake_devel=$4
CK_TOOL=/usr/sbin/ceph-kmod
# One kernel: the scriptlets and rpm are what this cycle tests; building for several
# kernels at once is the deb cycle's. The other test kernels' headers are hidden in
# this overlay (ceph-kmod-install skips a kernel without headers).
k61=$(t_kernel newest61)
kernels=("$k61")
while read -r _ k; do
	[[ "$k" == "$k61" || ! -e "/lib/modules/$k/build" ]] || mv "/lib/modules/$k/build" "/lib/modules/$k/build.ck-hidden"
done < <(t_kernels)
rpms_of() { printf '%s\n' "$rpmdir/$1/ceph-kmod-$1-1.$(uname -m).rpm" "$rpmdir/$1/ceph-kmod-dkms-$1-1.noarch.rpm"; }
rpm_i() { local -a r; mapfile -t r < <(rpms_of "$2"); rpm "$1" --nodeps --force-debian "${r[@]}"; }

p_clean_machine "${kernels[@]}"
# On RHEL the filesystem package owns /usr/share/licenses (where %license goes); Debian has
# no such rpm, so rpm would create it unowned and leave it: it exists first, as there.
mkdir -p /usr/share/licenses
before=/var/tmp/ck-rpm-before.list
p_snapshot "$before"

t_expect_exit "rpm -i --nodeps --force-debian ceph-kmod{,-dkms}-$v" 0 rpm_i -i "$v"
p_assert_version_everywhere "$v" "${kernels[@]}"
after=/var/tmp/ck-rpm-after.list
p_snapshot "$after"
t_eq "rpm -qf owns every file installed outside dkms's trees and our run-time state" "" "$(p_unowned "$before" "$after" rpm -qf)"
t_expect_exit "ceph-kmod-install --remove refuses on an rpm install (exit 11)" 11 ceph-kmod-install --remove
t_match "... and prints the rpm command" 'fix: rpm -e ceph-kmod-dkms ceph-kmod' "$T_LAST_OUTPUT"

# kernel-devel's tree arriving under /usr/src/kernels/K fires the file trigger, which
# runs ceph-kmod-install for K (up to date here: it says so).
t_expect_exit "rpm -i a package with a file under /usr/src/kernels/$k61" 0 rpm -i --nodeps --force-debian "$fake_devel"
t_match "the /usr/src/kernels file trigger ran ceph-kmod-install for $k61" \
	"kernel $(t_re "$k61"): ceph-kmod $(t_re "$v") is up to date" "$T_LAST_OUTPUT"
t_expect_exit "rpm -e that package" 0 rpm -e --nodeps ck-test-kernel-devel

p_poll_start "${kernels[@]}"
t_expect_exit "rpm -U --nodeps --force-debian to $v1" 0 rpm_i -U "$v1"
p_poll_stop
t_eq "during rpm -U rbd always resolved to one of our files ($P_POLLS polls)" "" "$P_POLL_BAD"
p_assert_version_everywhere "$v1" "${kernels[@]}"
t_eq "the old /usr/src/ceph-kmod-$v is gone" no "$([[ -e /usr/src/ceph-kmod-$v ]] && echo yes || echo no)"
t_eq "dkms's tree of $v is gone" no "$([[ -e /var/lib/dkms/ceph-kmod/$v ]] && echo yes || echo no)"

t_expect_exit "rpm -e ceph-kmod-dkms ceph-kmod" 0 rpm -e --nodeps ceph-kmod-dkms ceph-kmod
for k in "${kernels[@]}"; do b_assert_intree "$k"; done
t_eq "dkms knows no ceph-kmod after rpm -e" "" "$(dkms status -m ceph-kmod 2>/dev/null)"
t_eq "rpm -e removed the source cache" no "$([[ -e /var/cache/ceph-kmod ]] && echo yes || echo no)"
t_eq "the MOK key pair is kept" yes "$([[ -f /var/lib/dkms/mok.key && -f /var/lib/dkms/mok.pub ]] && echo yes || echo no)"
erased=/var/tmp/ck-rpm-erased.list
p_snapshot "$erased"
t_eq "find / -xdev after rpm -e lists exactly what it listed before rpm -i" "" \
	"$(p_listing_diff "$before" "$erased" | head -c 2000)"
