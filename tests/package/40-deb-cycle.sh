#!/usr/bin/env bash
# The issue's tests 1-4 and 6 with real apt, dpkg and dkms (deb-cycle.sh) in a chroot over a
# copy-on-write overlay of this host's root (lib-package.sh): install with the three test
# kernels' headers, another kernel's headers, upgrade under a modinfo poll, an upgrade whose
# build fails for one kernel, remove, purge, the find / -xdev listings before the install and
# after the purge; kmod .deb/.rpm built from the dkms sets, served from repositories.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"

v=$CK_VERSION
v1=$v.1
v2=$v.2
debdir=$P_WORK/debs
if [[ ! -f "$debdir/$v/ceph-kmod-dkms_${v}_all.deb" ]]; then
	t_check "make deb ($v)" make -s -C "$CK_TOP" deb PKGOUT="$debdir/$v"
fi
make -s -C "$CK_TOP" tool >/dev/null
rm -rf "${debdir:?}/$v1" "${debdir:?}/$v2"
# The higher versions are built without the tool's unit tests (10-deb's build ran them).
p_bump_tree "$v1" "$P_WORK/tree-$v1"
t_check "make deb of a higher version ($v1)" env DEB_BUILD_OPTIONS=nocheck make -s -C "$P_WORK/tree-$v1" deb PKGOUT="$debdir/$v1"
p_bump_tree "$v2" "$P_WORK/tree-$v2" 6.12
t_check "make deb of a version whose build fails for the 6.12 source ($v2)" env DEB_BUILD_OPTIONS=nocheck make -s -C "$P_WORK/tree-$v2" deb PKGOUT="$debdir/$v2"
rm -rf "$P_WORK/tree-$v1" "$P_WORK/tree-$v2"

out=$P_WORK/deb-cycle.log
rc=0
p_overlay_run "$CK_TOP/tests/package/deb-cycle.sh" "$debdir" "$v" "$v1" "$v2" auto 2>&1 | tee "$out" || rc=$?
grep -E '^(PASS|FAIL|SKIP): ' "$out" >>"$CK_TEST_RESULTS" || true
((rc == 0)) || t_fail "deb-cycle.sh exited $rc (log: $out)"
