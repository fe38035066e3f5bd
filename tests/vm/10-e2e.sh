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
	local roles=("$@") role
	((${#roles[@]})) || roles=(newest61 newest612 oldest61)
	e2e_suite_start end-to-end cluster-start.log \
		qemu-system-x86_64 ceph-mon ceph-osd ceph-mds ceph-mgr rbd rbd-nbd socat busybox debugfs || return 0
	for role in "${roles[@]}"; do
		e2e_kernel "$role"
	done
}

main "$@"
