#!/usr/bin/env bash
# The end-to-end test can fail: runs 10-e2e.sh on one kernel with CK_VM_BREAK corrupting the
# guest's msgr2 readback checksum and the host's RADOS checksum of the same image, and checks
# that both are reported as FAIL (with the kernel and step named) while the rest passes.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib/vm.sh
. "$(dirname "$0")/lib/vm.sh"

main() {
	local role=${1:-newest61} res log fails rc=0
	res=$(mktemp)
	log="$CK_VM_ARTIFACTS/break-proof.log"
	if ((EUID != 0)) || ! command -v qemu-system-x86_64 >/dev/null || ! command -v ceph-mon >/dev/null; then
		t_skip "break proof (needs root, qemu and ceph)"
		return 0
	fi
	# own state and artifact dirs, so the real run's console logs are not overwritten
	CK_VM_STATE="$CK_VM_STATE/break-proof" CK_VM_ARTIFACTS="$CK_VM_ARTIFACTS/break-proof" \
		CK_TEST_RESULTS=$res CK_TEST_NAME="vm/10-e2e(broken on purpose)" CK_VM_STEPS="modules krbd2" \
		CK_DATA_MB=16 CK_VM_BREAK="krbd-msgr2-sha256 host-rados-krbd-msgr2-sha256" \
		bash "$(dirname "$0")/10-e2e.sh" "$role" >"$log" 2>&1 || rc=$?
	fails=$(grep '^FAIL:' "$res" || true)
	printf '%s\n' "$fails" | sed 's/^/    inner: /'
	t_eq "inner run exited 0 (failures are reported, not crashed on)" 0 "$rc"
	t_match "broken guest check is a FAIL naming kernel and step" \
		"^FAIL: .*: $role: krbd msgr2 sha256 \(sha256 mismatch" "$fails"
	t_match "broken host cross-check is a FAIL naming kernel and step" \
		"^FAIL: .*: $role: host rados krbd msgr2 sha256 \(expected" "$fails"
	t_match "the unbroken checks still pass" "^PASS: .*: $role: krbd msgr2 write" "$(cat "$res")"
	t_eq "no other failures than the broken checks and the step's skipped rest" "" \
		"$(grep -vE ": $role: (krbd msgr2 sha256|host rados krbd msgr2 sha256|krbd msgr2 unmap) " <<<"$fails" || true)"
	rm -f "$res"
}

main "$@"
