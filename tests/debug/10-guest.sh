#!/usr/bin/env bash
# `ceph-kmod debug` in a QEMU guest (newest 6.1 kernel, the modules modprobe resolves there:
# ours when dkms installed them) against the loopback Ceph cluster: on/off around
# `rbd map` with an exact read-back of the control file, recovery after the tool was killed
# during `on`, a redacted `collect` while IO runs (the key given to `rbd map -o secret=` and
# the CephFS mount), and the refusal on a module that is not loaded. The tool never runs
# against this host's /proc or /sys: only inside the guest.
# Usage: tests/debug/10-guest.sh [ROLE]   (CK_DEBUG_STEPS: subset of the steps)
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../vm/lib/vm.sh
. "$(dirname "$0")/../vm/lib/vm.sh"
# shellcheck source=../vm/lib/e2e.sh
. "$(dirname "$0")/../vm/lib/e2e.sh"

JOB="$CK_TOP/tests/debug/lib/guest-debug.sh"
STEPS=${CK_DEBUG_STEPS:-notloaded onoff crash collect}

prepare() {
	local scratch=$1 img=$2
	h_rbd rm "rbd/$img" >/dev/null 2>&1 || true
	h_rbd create --size 256M --image-feature layering,exclusive-lock "rbd/$img"
	cp "$JOB" "$scratch/job.sh"
	cp "$CK_TOP/tool/ceph-kmod" "$scratch/ceph-kmod"
	"$CK_VM_LIB/cluster" guest-conf "$E2E_CLUSTER" >"$scratch/ceph.conf"
	h_ceph auth get client.admin -o "$scratch/keyring" 2>/dev/null
	cp "$E2E_CLUSTER/admin.key" "$scratch/admin.key"
	{
		printf 'CK_IMG=%q\nCK_STEPS=%q\n' "$img" "$STEPS"
		printf 'CK_PORTS=%q\n' "$("$CK_VM_LIB/cluster" ports "$E2E_CLUSTER" | tr '\n' ' ')"
		printf 'CK_MON1=%q\n' "127.0.0.1:$(($(cat "$E2E_CLUSTER/port-base") + 1))"
		printf 'CK_STEP_TIMEOUT=%q\n' "${CK_STEP_TIMEOUT:-240}"
	} >"$scratch/env.sh"
}

main() {
	local role=${1:-newest61} kver scratch art rc=0 prc=0 jrc t0=$SECONDS
	if ((EUID != 0)); then
		t_skip "debug guest: needs root (9p export of /, Ceph daemons)"
		return 0
	fi
	kver=$(t_kernel "$role")
	if [[ -z "$kver" || ! -r "/boot/vmlinuz-$kver" ]]; then
		t_skip "debug guest: kernel ${kver:-?} ($role) not installed"
		return 0
	fi
	if ! make -s -C "$CK_TOP/tool" >/dev/null; then
		t_fail "debug guest: make -C tool"
		return 0
	fi
	art="$CK_VM_ARTIFACTS/debug-$role"
	trap e2e_cluster_stop EXIT
	# in this shell (not in the background): it sets E2E_CLUSTER for the trap
	e2e_cluster_start >"$art.cluster.log" 2>&1 || prc=$?
	if ((prc != 0)); then
		t_fail "debug guest: start the Ceph cluster (see $art.cluster.log)"
		return 0
	fi
	scratch=$(vm_scratch "debug-$role")
	prepare "$scratch" "debug-$role" >"$art.prepare.log" 2>&1 &
	wait "$!" || prc=$?
	if ((prc != 0)); then
		t_fail "debug guest: prepare image and guest config (see $art.prepare.log)"
		vm_scratch_done "$scratch"
		return 0
	fi
	vm_boot -t "${CK_VM_TIMEOUT:-900}" "$kver" "$scratch" "$art.console.log" || rc=$?
	jrc=$(vm_job_rc "$scratch")
	cp "$scratch/results" "$art.results" 2>/dev/null || : >"$art.results"
	cp "$scratch/dmesg.txt" "$art.dmesg" 2>/dev/null || true
	if ((rc == 0 && jrc == 0)); then
		t_setup "debug guest: $kver ran the job and powered off ($((SECONDS - t0))s)"
	else
		t_fail "debug guest: $kver ran the job and powered off (qemu status $rc, job status $jrc; console $art.console.log)"
	fi
	e2e_report_guest "debug $role" "$art.results" "$STEPS" "$JOB"
	e2e_dmesg_check "debug $role" "$art.dmesg"
	vm_scratch_done "$scratch"
	printf 'debug %s (%s) timings:' "$role" "$kver"
	awk -F'\t' '$1 == "TIME" && $2 ~ /^step / { printf " %s %ss", substr($2, 6), $3 }' "$art.results"
	printf ' total %ss\n' "$((SECONDS - t0))"
}

main "$@"
