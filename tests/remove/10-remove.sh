#!/usr/bin/env bash
# Removing ceph-kmod (tests/remove/remove-cycle.sh: apt remove of the packaged install, or
# ceph-kmod-install --remove of a by-hand one) for real, with this host's apt, dpkg, dkms and
# depmod, inside a chroot over a copy-on-write overlay of the host's root: every kernel
# resolves its in-tree modules again and nothing of ours is left there, while the host itself
# keeps what ./setup installed (make check leaves the machine as it found it).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/../package/lib-package.sh"
set -euo pipefail
P_WORK=$CK_TEST_STATE/remove
out=$P_WORK/remove-cycle.log
mkdir -p "$P_WORK"
# host_state: the packages and dkms's view of ceph-kmod on the host.
host_state() {
	dpkg-query -W -f '${Package} ${db:Status-Abbrev}${Version}\n' ceph-kmod-dkms ceph-kmod 2>/dev/null || true
	dkms status -m ceph-kmod 2>/dev/null || true
}
before=$(host_state)
rc=0
p_overlay_run bash "$CK_TOP/tests/remove/remove-cycle.sh" >"$out" 2>&1 || rc=$?
grep -E '^(PASS|FAIL|SKIP): ' "$out" | tee -a "$CK_TEST_RESULTS" || true
((rc == 0)) || t_fail "remove-cycle.sh exited $rc (log: $out)"
t_eq "the host keeps its ceph-kmod packages and dkms state (the removal ran in the overlay)" "$before" "$(host_state)"
