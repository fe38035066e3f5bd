#!/usr/bin/env bash
# libFuzzer (clang -fsanitize=fuzzer,address,undefined) on the redactor of
# `ceph-kmod debug collect` and the dynamic debug control-file parser: no crash, no UB, and
# never a leak of a learned secret or of a cephx key planted whole and split by a line
# break (the harness traps on a leak). FUZZ_SECONDS (default 10) per run; the corpus
# persists in $CK_TEST_STATE.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

secs=${FUZZ_SECONDS:-10}
fuzz_build fuzz/fuzz-redact "the redactor"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
corpus=$CK_TEST_STATE/fuzz-corpus-redact
mkdir -p "$corpus" "$w/seed"
printf 'mount -o name=admin,secret=AQBKSGNlAAAAABAAoKGio6SlpqeoqaqrrK2urw==,noatime\n' >"$w/seed/mount"
printf '[client.admin]\n\tkey = AQBKSGNlAAAAABAAoKGio6SlpqeoqaqrrK2urw==\n' >"$w/seed/keyring"
printf 'net/ceph/osd_client.c:123 [libceph]__submit_request =_ "tid %%llu\\012"\n' >"$w/seed/control"
rc=0
out=$("$CK_TOP/tool/fuzz/fuzz-redact" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=65536 -print_final_stats=1 -artifact_prefix="$CK_ARTIFACTS/fuzz-redact-" \
	"$corpus" "$w/seed" 2>&1) || rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$out")
if ((rc == 0)) && [[ -n "$runs" ]]; then
	t_pass "fuzz redact: ${secs}s, $runs inputs, no crash/leak/UB/secret left (corpus $(find "$corpus" -type f | wc -l) files)"
else
	printf '%s\n' "$out" | tail -n 40
	t_fail "fuzz redact: exit $rc (artifacts: $CK_ARTIFACTS/fuzz-redact-*)"
fi
