#!/usr/bin/env bash
# CephFS snapshots (issue 18, patches/0030), in-tree modules against ours in one guest per
# kernel (oldest61, newest61, newest612), the guests at once:
#   capsnaps  CK_SNAP_RUNS runs of write, snapshot, rewrite, snapshot ... (CK_SNAP_VERSIONS
#             snapshots a run), every snapshot read back: a run fails when the last snapshot
#             lacks the last write (issue 18); runs where an earlier snapshot lacks its write
#             are counted and reported without a claim (6.12's own modules show that too)
#   hardlink  a file with two hard links, a snapshot of the second link's directory, the
#             file rewritten through the first link: the snapshot keeps the old content
# Ours must fail 0 times. The in-tree 6.1 sets are expected to show the bug; when a run shows
# none, that is reported as a SKIP with the measured count (the capsnap bug is a race). The
# 6.12 in-tree set has the upstream fixes and must not fail.
# Not part of `make check` (tests/run runs only NN-*.sh): the issue-18 symptom (the last
# snapshot lacking the last write) was never reproduced here in 64 in-tree 6.1 runs, so this
# only measures, and takes ~8 min for three kernels. Run it by hand:
#   bash tests/backports/measure-snaps.sh [ROLE...]
# Usage: measure-snaps.sh [ROLE...]   Environment: CK_BP_OURS (module dir, "{kver}" expands;
# default: the installed ceph-kmod), CK_SNAP_RUNS (10), CK_SNAP_VERSIONS (3),
# CK_SNAPS_SERIAL=1 (one guest after the other).
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
	((${#roles[@]})) || roles=(oldest61 newest61 newest612)
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
	t_pass "cephfs snapshots: ${#roles[@]} guest(s) in $((SECONDS - t0)) s"
}

main "$@"
