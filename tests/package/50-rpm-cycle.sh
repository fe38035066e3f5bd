#!/usr/bin/env bash
# The issue's test 5: rpm -i, rpm -U, rpm -e with Debian's rpm (own database, scriptlets run
# by dash) and the real dkms (rpm-cycle.sh), in a chroot over an overlay of this host's root.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"

v=$CK_VERSION
v1=$v.1
rpmdir=$P_WORK/rpms
if [[ ! -f "$rpmdir/$v/ceph-kmod-dkms-$v-1.noarch.rpm" ]]; then
	t_check "make rpm ($v)" make -s -C "$CK_TOP" rpm PKGOUT="$rpmdir/$v"
fi
rm -rf "${rpmdir:?}/$v1"
p_bump_tree "$v1" "$P_WORK/tree-$v1"
t_check "make rpm of a higher version ($v1)" make -s -C "$P_WORK/tree-$v1" rpm PKGOUT="$rpmdir/$v1"
rm -rf "$P_WORK/tree-$v1"
k61=$(t_kernel newest61)
t_check "rpmbuild a package with a file under /usr/src/kernels/$k61" p_fake_devel_rpm "$k61" "$rpmdir/fake"

out=$P_WORK/rpm-cycle.log
rc=0
p_overlay_run "$CK_TOP/tests/package/rpm-cycle.sh" "$rpmdir" "$v" "$v1" \
	"$(p_fake_devel_rpm "$k61" "$rpmdir/fake")" 2>&1 | tee "$out" || rc=$?
grep -E '^(PASS|FAIL|SKIP): ' "$out" >>"$CK_TEST_RESULTS" || true
((rc == 0)) || t_fail "rpm-cycle.sh exited $rc (log: $out)"
