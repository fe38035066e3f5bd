#!/usr/bin/env bash
# End-to-end: a Ceph cluster on the host loopback, one TCG guest per test kernel (newest61,
# newest612, oldest61) loading our modules with plain modprobe and driving krbd (msgr1 and
# msgr2, snapshot, resize), the CephFS kernel client and rbd-nbd; the host then reads the data
# back from RADOS and checks the guest's sums.
# Usage: 10-e2e.sh [ROLE...]   Environment: CK_VM_STEPS (subset of steps), CK_VM_BREAK
# (checks to corrupt on purpose, as dash-joined names: krbd-msgr2-sha256), CK_DATA_MB.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib/vm.sh
. "$(dirname "$0")/lib/vm.sh"
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

main() {
	local roles=("$@") role t0 tool
	((${#roles[@]})) || roles=(newest61 newest612 oldest61)
	if ((EUID != 0)); then
		t_skip "end-to-end (needs root: 9p export of /, Ceph daemons)"
		return 0
	fi
	for tool in qemu-system-x86_64 ceph-mon ceph-osd ceph-mds ceph-mgr rbd rbd-nbd socat busybox debugfs; do
		if ! command -v "$tool" >/dev/null; then
			t_skip "end-to-end ($tool not installed)"
			return 0
		fi
	done
	t0=$SECONDS
	trap e2e_cluster_stop EXIT
	trap 'exit 143' TERM INT
	if ! e2e_cluster_start 2>"$CK_VM_ARTIFACTS/cluster-start.log"; then
		t_fail "ceph cluster on loopback started (see $CK_VM_ARTIFACTS/cluster-start.log)"
		return 0
	fi
	t_pass "ceph cluster on loopback started ($((SECONDS - t0))s)"
	for role in "${roles[@]}"; do
		e2e_kernel "$role"
	done
}

main "$@"
