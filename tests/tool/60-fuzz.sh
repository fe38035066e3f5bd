#!/usr/bin/env bash
# libFuzzer (clang -fsanitize=fuzzer,address,undefined) on the signature trailer + ELF
# reader and on the EFI signature list parser, ~20 s each (FUZZ_SECONDS overrides).
# The corpora persist in $CK_TEST_STATE so later runs continue where earlier ones ended.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

secs=${FUZZ_SECONDS:-20}
fuzz_build fuzz "the signature trailer, ELF and EFI list parsers"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
c_modsig=$CK_TEST_STATE/fuzz-corpus-modsig
c_efi=$CK_TEST_STATE/fuzz-corpus-efi-siglist
mkdir -p "$c_modsig" "$c_efi" "$w/seed-modsig" "$w/seed-efi"

# Seeds: a real signed module and its unsigned body; a MokListRT-like list.
src=$(real_module)
if [[ -n "$src" ]]; then
	cp "$src" "$w/seed-modsig/signed.ko"
	unsign "$src" "$w/seed-modsig/unsigned.ko"
fi
printf '\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x04%s\n' "$MAGIC" | cat <(printf 'ABCD') - >"$w/seed-modsig/tiny-trailer"
mk_key "$w" a "ceph-kmod fuzz seed"
efi_siglist "$w/list.var" "$w/a.der" "$w/a.der"
tail -c +5 "$w/list.var" >"$w/seed-efi/two-certs.esl"

run() { # run NAME BINARY CORPUS SEEDS MAXLEN
	local name=$1 bin=$2 corpus=$3 seeds=$4 maxlen=$5 rc=0 out runs
	out=$("$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
		-print_final_stats=1 -artifact_prefix="$CK_ARTIFACTS/fuzz-$name-" \
		"$corpus" "$seeds" 2>&1) || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$out")
	if ((rc == 0)) && [[ -n "$runs" ]]; then
		t_pass "fuzz $name: ${secs}s, $runs inputs, no crash/leak/UB (corpus $(find "$corpus" -type f | wc -l) files)"
	else
		printf '%s\n' "$out" | tail -n 40
		t_fail "fuzz $name: exit $rc (artifacts: $CK_ARTIFACTS/fuzz-$name-*)"
	fi
}
run modsig "$CK_TOP/tool/fuzz/fuzz-modsig" "$c_modsig" "$w/seed-modsig" 131072
run efi-siglist "$CK_TOP/tool/fuzz/fuzz-efi-siglist" "$c_efi" "$w/seed-efi" 8192
