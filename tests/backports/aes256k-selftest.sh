#!/usr/bin/env bash
# aes256k (RFC 8009) known-answer self-test of our libceph.ko, in a TCG guest per kernel:
# insmod libceph.ko (no cluster needed) and check the kernel log has the self-test line and
# no warning, and that the module says it accepts aes256k (modinfo ceph_kmod_key_types).
#
# Not part of `make check` (tests/run runs NN-*.sh only): tests/aes256k checks the same
# self-test line in every guest that loads our libceph; this script also runs the failure
# path on a build with -DCEPH_KMOD_AES256K_SELFTEST_CORRUPT (CK_AES256K_EXPECT=fail).
# Usage: aes256k-selftest.sh [ROLE|KVER...]   (default: newest61 newest612 oldest61)
# Environment:
#   CK_BP_OURS        directory of the built modules, "{kver}" replaced by the kernel
#                     (default: out/{kver} of this tree, as `make modules KVER=K` leaves
#                     them, else the installed ceph-kmod libceph under updates/)
#   CK_AES256K_EXPECT pass (default): "libceph: aes256k (RFC 8009) self-tests passed";
#                     fail: a build with -DCEPH_KMOD_AES256K_SELFTEST_CORRUPT, whose log must
#                     say "aes256k self-test failed ... aes256k keys refused" while libceph
#                     still loads.
#   CK_AES256K_KEYS   1: also start the loopback Ceph cluster (Ceph 16: it knows aes keys only)
#                     and map an (absent) image through /sys/bus/rbd/add_single_major in the
#                     guest, once with the cluster's aes key: the mon session must be
#                     established (aes works on the wire), once with a made-up aes256k key:
#                     with a passing self-test the client must prepare it and the Ceph 16
#                     monitor reject it; with a corrupted one the client must refuse it
#                     ("aes256k key refused").
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../vm/lib/vm.sh
. "$(dirname "$0")/../vm/lib/vm.sh"
# shellcheck source=../vm/lib/e2e.sh
. "$(dirname "$0")/../vm/lib/e2e.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
PASS_RE='libceph: aes256k \(RFC 8009\) self-tests passed'
FAIL_RE='libceph: aes256k self-test failed \(.*\): aes256k keys refused'
# anything that would make the load suspect; an unsigned test build's taint notices are expected
BAD_RE='WARNING:|BUG:|Oops|Call Trace|general protection|UBSAN|KASAN|libceph: .*(error|failed|refused)'
OK_RE='loading out-of-tree module taints kernel|module verification failed: signature and/or required key missing'

one() {
	local arg=$1 expect=$2 kver dir f scratch art rc=0 r line
	case "$arg" in
	newest61 | oldest61 | newest612) kver=$(t_kernel "$arg") ;;
	*) kver=$arg ;;
	esac
	if [[ -z "$kver" || ! -r "/boot/vmlinuz-$kver" ]]; then
		t_skip "aes256k self-test $arg: kernel ${kver:-?} not installed"
		return 0
	fi
	dir=${CK_BP_OURS:-$TOP/out/{kver\}}
	dir=${dir//\{kver\}/$kver}
	if [[ -z "${CK_BP_OURS:-}" && -z "$(find "$dir" -maxdepth 2 -name 'libceph.ko*' 2>/dev/null)" ]]; then
		f=$(modinfo -k "$kver" -n libceph 2>/dev/null || true)
		case "$f" in */updates/* | */extra/*) dir=$(dirname "$f") ;; esac
	fi
	if [[ -z "$(find "$dir" -maxdepth 2 -name 'libceph.ko*' 2>/dev/null)" ]]; then
		t_fail "aes256k self-test $kver: no libceph.ko of ours under $dir (make modules KVER=$kver, or install ceph-kmod)"
		return 0
	fi
	scratch=$(vm_scratch "aes256k-$kver")
	art="$CK_VM_ARTIFACTS/aes256k-$kver-$expect"
	cp "$HERE/lib/guest-aes256k.sh" "$scratch/job.sh"
	if [[ -n "${E2E_CLUSTER:-}" ]]; then
		cp "$E2E_CLUSTER/admin.key" "$scratch/admin.key"
		{
			printf 'CK_PORTS=%q\n' "$("$CK_VM_LIB/cluster" ports "$E2E_CLUSTER" | tr '\n' ' ')"
			printf 'CK_MON1=%q\n' "127.0.0.1:$(($(cat "$E2E_CLUSTER/port-base") + 1))"
			# type 2, created 0.0, 32 key bytes: an aes256k secret no cluster knows
			printf 'CK_AES256K_KEY=%q\n' "$({ printf '\002\000\000\000\000\000\000\000\000\000\040\000'; head -c 32 /dev/urandom; } | base64 -w0)"
		} >"$scratch/env.sh"
	fi
	vm_boot -t 600 -s "ours=$dir" "$kver" "$scratch" "$art.console.log" || rc=$?
	cp "$scratch/results" "$art.results" 2>/dev/null || : >"$art.results"
	cp "$scratch/dmesg.txt" "$art.dmesg" 2>/dev/null || : >"$art.dmesg"
	cp "$scratch/map.err" "$art.map.err" 2>/dev/null || true
	r=$(vm_job_rc "$scratch")
	vm_scratch_done "$scratch"
	if ((rc != 0)) || [[ "$r" != 0 ]]; then
		t_fail "aes256k self-test $kver: guest (qemu $rc, job $r; $art.results, $art.console.log)"
		return 0
	fi
	t_pass "aes256k self-test $kver: libceph.ko of $dir loaded in the guest"
	t_eq "aes256k self-test $kver: modinfo ceph_kmod_key_types" "aes,aes256k" \
		"$(sed -n 's/^key_types=//p' "$art.results")"
	case "$expect" in
	pass)
		if line=$(grep -E "$PASS_RE" "$art.dmesg"); then
			t_pass "aes256k self-test $kver: '$line'"
		else
			t_fail "aes256k self-test $kver: no pass line in $art.dmesg"
		fi
		if grep -Eq "$FAIL_RE" "$art.dmesg"; then
			t_fail "aes256k self-test $kver: failure line in $art.dmesg"
		fi ;;
	fail)
		if line=$(grep -E "$FAIL_RE" "$art.dmesg"); then
			t_pass "aes256k self-test $kver (corrupted vector): '$line'"
		else
			t_fail "aes256k self-test $kver (corrupted vector): no failure line in $art.dmesg"
		fi
		if grep -Eq "$PASS_RE" "$art.dmesg"; then
			t_fail "aes256k self-test $kver (corrupted vector): pass line despite the corruption"
		fi ;;
	esac
	[[ -z "${E2E_CLUSTER:-}" ]] || keys "$kver" "$expect" "$art"
	# up to the maps of the cluster step, whose auth errors are expected; its WARN/BUG not
	if line=$({ sed '/ck-aes256k: map with/,$d' "$art.dmesg" | grep -E "$BAD_RE"
		sed -n '/ck-aes256k: map with/,$p' "$art.dmesg" | grep -E 'WARNING:|BUG:|Oops|Call Trace'; } |
		grep -Ev "$FAIL_RE|$OK_RE" | head -n 3 | tr '\n' ' '); [[ -n "$line" ]]; then
		t_fail "aes256k self-test $kver: kernel log: $line"
	else
		t_pass "aes256k self-test $kver: no warning in the kernel log"
	fi
}

# keys KVER EXPECT ART: the guest's two maps (cluster runs).
keys() {
	local kver=$1 expect=$2 art=$3 aes rest
	aes=$(sed -n '/ck-aes256k: map with the aes key/,/ck-aes256k: map with the aes256k key/p' "$art.dmesg")
	rest=$(sed -n '/ck-aes256k: map with the aes256k key/,$p' "$art.dmesg")
	t_match "aes256k keys $kver: aes key: mon session established" 'session established' "$aes"
	case "$expect" in
	pass)
		if grep -Eq 'aes256k key refused|cannot prepare key' <<<"$rest"; then
			t_fail "aes256k keys $kver: the client refused the aes256k key: $(grep -E 'refused|prepare' <<<"$rest" | head -n 2 | tr '\n' ' ')"
		else
			# the request went out: the monitor's answer is an authentication error
			t_match "aes256k keys $kver: the client prepared the aes256k key, the Ceph 16 monitor rejected it" \
				'libceph: .*(auth|authentication).*(failed|error|-13|-1)' "$rest"
		fi ;;
	fail)
		t_match "aes256k keys $kver (corrupted vector): the client refused the aes256k key" \
			'libceph: aes256k key refused: the RFC 8009 self-test failed' "$rest" ;;
	esac
}

main() {
	local expect=${CK_AES256K_EXPECT:-pass} a
	if ((EUID != 0)); then
		t_skip "aes256k self-test: needs root (9p export of /)"
		return 0
	fi
	case "$expect" in pass | fail) ;; *) t_fail "CK_AES256K_EXPECT=$expect (pass or fail)"; return 0 ;; esac
	(($#)) || set -- newest61 newest612 oldest61
	if [[ "${CK_AES256K_KEYS:-0}" == 1 ]]; then
		e2e_suite_start "aes256k keys" aes256k-cluster.log ceph-mon ceph-osd rbd socat || return 0
	fi
	for a in "$@"; do
		one "$a" "$expect"
	done
}

main "$@"
