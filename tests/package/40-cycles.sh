#!/usr/bin/env bash
# The issue's tests 1-6 with the real package managers and the real dkms, each cycle in a
# chroot over its own copy-on-write overlay of this host's root (lib-package.sh):
#  deb-cycle.sh (tests 1-4, 6): apt install with the three test kernels' headers, another
#    kernel's headers, upgrade under a modinfo poll, an upgrade whose build fails for one
#    kernel, remove, purge, the find / -xdev listings before the install and after the
#    purge; kmod .deb/.rpm built from the dkms sets, served from repositories;
#  rpm-cycle.sh (test 5): rpm -i, the /usr/src/kernels file trigger, rpm -U under a
#    modinfo poll, rpm -e, the listings, on one kernel.
# Both cycles run at once (separate overlays in separate mount namespaces): the rpm
# cycle's log is printed after the deb cycle's.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"

v=$CK_VERSION
v1=$v.1
v2=$v.2
debdir=$P_WORK/debs
rpmdir=$P_WORK/rpms
k61=$(t_kernel newest61)
if [[ ! -f "$debdir/$v/ceph-kmod-dkms_${v}_all.deb" ]]; then
	t_check "make deb ($v)" make -s -C "$CK_TOP" deb PKGOUT="$debdir/$v"
fi
if [[ ! -f "$rpmdir/$v/ceph-kmod-dkms-$v-1.noarch.rpm" ]]; then
	t_check "make rpm ($v)" make -s -C "$CK_TOP" rpm PKGOUT="$rpmdir/$v"
fi
make -s -C "$CK_TOP" tool >/dev/null
rm -rf "${debdir:?}/$v1" "${debdir:?}/$v2" "${rpmdir:?}/$v1" "${rpmdir:?}/fake"
# The higher versions are built without the tool's unit tests (10-deb's build ran them).
p_bump_tree "$v1" "$P_WORK/tree-$v1"
t_check "make deb of a higher version ($v1)" env DEB_BUILD_OPTIONS=nocheck make -s -C "$P_WORK/tree-$v1" deb PKGOUT="$debdir/$v1"
t_check "make rpm of a higher version ($v1)" make -s -C "$P_WORK/tree-$v1" rpm PKGOUT="$rpmdir/$v1"
p_bump_tree "$v2" "$P_WORK/tree-$v2" 6.12
t_check "make deb of a version whose build fails for the 6.12 source ($v2)" env DEB_BUILD_OPTIONS=nocheck make -s -C "$P_WORK/tree-$v2" deb PKGOUT="$debdir/$v2"
rm -rf "$P_WORK/tree-$v1" "$P_WORK/tree-$v2"
fake=$(p_fake_devel_rpm "$k61" "$rpmdir/fake") || true
t_check "rpmbuild a package with a file under /usr/src/kernels/$k61" test -f "$fake"

rpm_out=$P_WORK/rpm-cycle.log
deb_out=$P_WORK/deb-cycle.log
CK_TEST_NAME=package/rpm-cycle p_overlay_run "$CK_TOP/tests/package/rpm-cycle.sh" "$rpmdir" "$v" "$v1" "$fake" >"$rpm_out" 2>&1 &
rpm_pid=$!
deb_rc=0 rpm_rc=0
CK_TEST_NAME=package/deb-cycle p_overlay_run "$CK_TOP/tests/package/deb-cycle.sh" "$debdir" "$v" "$v1" "$v2" auto 2>&1 | tee "$deb_out" || deb_rc=$?
wait "$rpm_pid" || rpm_rc=$?
cat "$rpm_out"
grep -hE '^(PASS|FAIL|SKIP): ' "$deb_out" "$rpm_out" >>"$CK_TEST_RESULTS" || true
((deb_rc == 0)) || t_fail "deb-cycle.sh exited $deb_rc (log: $deb_out)"
((rpm_rc == 0)) || t_fail "rpm-cycle.sh exited $rpm_rc (log: $rpm_out)"
