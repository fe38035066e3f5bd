#!/usr/bin/env bash
# CephFS snapshots (issue 18, patches/0030), Ceph's own qa scenarios, in-tree modules then
# ours in one guest per kernel (default: newest61 only; more roles run at once):
#   capsnaps  CK_SNAP_RUNS runs of qa fs/snaps/snaptest-multiple-capsnaps.sh (writes and chmods
#             between five snapshots); a run fails when any snapshot's content, size or
#             mode is wrong
#   hardlink  CK_SNAP_RUNS / 2 rounds of qa fs/snaps/snaptest-hardlink.sh (snapshot of the
#             second link's directory, rewrite, unlinks): the snapshot keeps the old content
# Ours must fail 0 times. The in-tree 6.1 set is expected to show the bug (measured on
# newest61: capsnaps 13 of 29 runs, hardlink 3 of 14 rounds; patches/README); a race, so a
# run where it does not show is a SKIP with the count. A 6.12 in-tree set (upstream has 0030)
# must not fail. newest61 with the default 5 runs: 157 s at load average 7-10 (2 cores).
# Usage: 30-snaps.sh [ROLE...]   Environment: CK_BP_OURS (module dir, "{kver}" expands;
# default: the installed ceph-kmod), CK_SNAP_RUNS (10: the issue asks for at least 10 runs per module set), CK_BP_SETS (intree ours),
# CK_SNAPS_SERIAL=1 (one guest after the other).
CK_SNAP_RUNS=${CK_SNAP_RUNS:-10}
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../vm/lib/vm.sh
. "$(dirname "$0")/../vm/lib/vm.sh"
# shellcheck source=../vm/lib/e2e.sh
. "$(dirname "$0")/../vm/lib/e2e.sh"
# shellcheck source=lib/host-bp.sh
. "$(dirname "$0")/lib/host-bp.sh"

main() {
	local role t0 out
	local -a roles=("$@") pids=()
	((${#roles[@]})) || roles=(newest61)
	e2e_suite_start "cephfs snapshots" bp-snaps-cluster-start.log \
		qemu-system-x86_64 ceph-mon ceph-osd ceph-mds ceph-mgr rbd socat busybox gcc jq || return 0
	t0=$SECONDS
	for role in "${roles[@]}"; do
		out="$CK_VM_ARTIFACTS/bp-snaps-$role.out"
		if [[ "${CK_SNAPS_SERIAL:-0}" == 1 ]]; then
			bp_kernel "$role" "capsnaps hardlink" "${CK_BP_SETS:-intree ours}" 2>&1 | tee "$out"
		else
			bp_kernel "$role" "capsnaps hardlink" "${CK_BP_SETS:-intree ours}" >"$out" 2>&1 &
			pids+=("$!")
		fi
	done
	if ((${#pids[@]})); then
		wait "${pids[@]}" || true
		for role in "${roles[@]}"; do
			cat "$CK_VM_ARTIFACTS/bp-snaps-$role.out"
		done
	fi
	echo "cephfs snapshots: ${#roles[@]} guest(s) in $((SECONDS - t0)) s"
}

main "$@"
