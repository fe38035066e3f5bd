# shellcheck shell=bash
# Test helpers, sourced by every tests/<suite>/*.sh script.
# Each check prints one line "PASS|FAIL|SKIP: <suite>/<script>: <what>" and appends it to
# $CK_TEST_RESULTS, which tests/run counts. A script may also exit non-zero: tests/run
# then records one FAIL for it.
set -euo pipefail

CK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CK_TOP
CK_TEST_NAME=${CK_TEST_NAME:-$(basename "$(dirname "$0")")/$(basename "$0" .sh)}
CK_TEST_RESULTS=${CK_TEST_RESULTS:-/dev/null}
# Scratch space shared by the suites of one run (built kernels, logs, artifacts).
CK_TEST_STATE=${CK_TEST_STATE:-/var/tmp/ceph-kmod-tests}
CK_ARTIFACTS=${CK_ARTIFACTS:-$CK_TEST_STATE/artifacts}
mkdir -p "$CK_TEST_STATE" "$CK_ARTIFACTS"

t_record() {
	local status=$1; shift
	printf '%s: %s: %s\n' "$status" "$CK_TEST_NAME" "$*" | tee -a "$CK_TEST_RESULTS"
}
t_pass() { t_record PASS "$*"; }
t_fail() { t_record FAIL "$*"; }
t_skip() { t_record SKIP "$*"; }
# t_setup WHAT: a setup step that worked (a cluster started, a guest ran its job). It is
# reported, not counted as a check; a setup step that failed is a t_fail.
t_setup() { t_record SETUP "$*"; }

# t_check WHAT CMD...: PASS if CMD exits 0, FAIL (with its output) otherwise.
t_check() {
	local what=$1; shift
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if ((rc == 0)); then
		t_pass "$what"
	else
		t_fail "$what (exit $rc: $(printf '%s' "$out" | tail -n 5 | tr '\n' ' '))"
	fi
	return 0
}

# t_expect_exit WHAT CODE CMD...: PASS if CMD exits exactly CODE.
t_expect_exit() {
	local what=$1 want=$2; shift 2
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if ((rc == want)); then
		t_pass "$what"
	else
		t_fail "$what (wanted exit $want, got $rc: $(printf '%s' "$out" | tail -n 5 | tr '\n' ' '))"
	fi
	export T_LAST_OUTPUT=$out
	return 0
}

# t_eq WHAT EXPECTED ACTUAL
t_eq() {
	if [[ "$2" == "$3" ]]; then t_pass "$1"; else t_fail "$1 (expected '$2', got '$3')"; fi
}

# t_match WHAT REGEX TEXT
t_match() {
	if grep -Eq -- "$2" <<<"$3"; then t_pass "$1"; else t_fail "$1 (no match for /$2/ in: $(printf '%s' "$3" | tail -n 5 | tr '\n' ' '))"; fi
}

# t_re TEXT: TEXT with the extended-regex metacharacters escaped (kernel names hold '+').
t_re() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# Kernels the suites test, chosen with apt-cache so they survive archive updates.
# Prints lines "role kver" (roles: newest61 oldest61 newest612). Cached per run.
t_kernels() {
	local f="$CK_TEST_STATE/kernels"
	if [[ ! -s "$f" ]]; then
		"$CK_TOP/tests/pick-kernels" >"$f.tmp" && mv "$f.tmp" "$f"
	fi
	cat "$f"
}
t_kernel() {
	t_kernels | awk -v r="$1" '$1 == r { print $2 }'
}
