#!/usr/bin/env bash
# C unit tests of every parser with hostile input (tests/tool/unit_tests.c, built by
# `make -C tool check`): each "ok"/"not ok" line becomes one PASS/FAIL.
source "$(dirname "$0")/../lib.sh"
set -euo pipefail

make -s -C "$CK_TOP/tool" >/dev/null
rc=0
out=$(make -s -C "$CK_TOP/tool" check 2>&1) || rc=$?
n=0
while IFS= read -r line; do
	case $line in
	"ok "*) t_pass "${line#ok * - }"; n=$((n + 1)) ;;
	"not ok "*) t_fail "${line#not ok * - }"; n=$((n + 1)) ;;
	esac
done <<<"$out"
if ((n == 0 || rc != 0)) && ! grep -q '^not ok' <<<"$out"; then
	t_fail "unit test program did not run cleanly (exit $rc): $(tail -n 5 <<<"$out" | tr '\n' ' ')"
fi
