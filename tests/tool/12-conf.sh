#!/usr/bin/env bash
# The configuration grammar (ceph-kmod(8) CONFIGURATION) through the shell reader
# (lib/ceph-kmod.sh: ck_conf, ck_conf_pin) case by case from tests/tool/conf-cases.tsv,
# the table tests/tool/conf_tests.c reads through tool/config.c (run by 10-unit); and
# every value written by ck_conf_assignment (pins, setup-key) reads back the same in
# both readers.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

tool_build
# shellcheck source=../../lib/ceph-kmod.sh
source "$CK_TOP/lib/ceph-kmod.sh"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
export CEPH_KMOD_CONF=$w/conf

# unescape TEXT: \t \r \n \\ of the table.
unescape() {
	local s=$1
	s=${s//\\\\/$'\x01'}
	s=${s//\\t/$'\t'}
	s=${s//\\r/$'\r'}
	s=${s//\\n/$'\n'}
	printf '%s' "${s//$'\x01'/\\}"
}

n=0
lineno=0
while IFS= read -r row; do
	lineno=$((lineno + 1))
	[[ "$row" == *$'\t'* ]] || continue # a comment
	IFS=$'\t' read -r input key want <<<"$row"
	unescape "$input" >"$CEPH_KMOD_CONF"
	printf '\n' >>"$CEPH_KMOD_CONF"
	want=$(unescape "$want")
	unset "CEPH_KMOD_${key%%@*}"
	n=$((n + 1))
	t_eq "conf (ck_conf): line $lineno: $input" "$want" "$(ck_conf "$key" "<none>")"
	if [[ "$key" == SOURCE@* ]]; then
		got=$(ck_conf_pin "${key#SOURCE@}")
		t_eq "conf (ck_conf_pin): line $lineno: $input" "$want" "${got:-<none>}"
	fi
	if [[ "$want" != "<none>" && "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*(@.+)?$ ]]; then
		# Written back by ck_conf_assignment, both readers see the same value.
		ck_conf_assignment "$key" "$want" >"$CEPH_KMOD_CONF" || { t_fail "conf: line $lineno: no assignment for '$want'"; continue; }
		t_eq "conf (written, ck_conf): line $lineno" "$want" "$(ck_conf "$key" "<none>")"
	fi
done <"$CK_TOP/tests/tool/conf-cases.tsv"
t_check "conf: the table has cases ($n)" test "$n" -gt 20

# Values written with both kinds of quotes, blanks at the ends, " #": quoted as needed.
for v in "/srv/my src/x" " lead" "trail " "a #b" "'single'" '"double"' "it's" '#first'; do
	line=$(ck_conf_assignment KEY "$v")
	printf '%s\n' "$line" >"$CEPH_KMOD_CONF"
	t_eq "conf: ck_conf_assignment KEY '$v' ($line) reads back through ck_conf" "$v" "$(ck_conf KEY)"
	printf 'MOK_CERT%s\n' "${line#KEY}" >"$CEPH_KMOD_CONF"
	t_eq "conf: ... and through config.c (status --json mok_cert.path)" "$v" \
		"$(CEPH_KMOD_MODULES_ROOT=$w "$CK_TOOL" status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["mok_cert"]["path"])')"
done
t_expect_exit "conf: a value that starts with a quote and holds both cannot be written" 1 ck_conf_assignment KEY "'a\"b"
# The environment wins, not for pins.
printf 'KEY=file\n' >"$CEPH_KMOD_CONF"
t_eq "conf: CEPH_KMOD_KEY wins over the file" from-env "$(CEPH_KMOD_KEY=from-env ck_conf KEY)"
t_eq "conf: an empty CEPH_KMOD_KEY does not" file "$(CEPH_KMOD_KEY='' ck_conf KEY)"

# ceph-kmod-install --pin-source writes a pin that reads back, quoted only when it must be.
if ((EUID == 0)); then
	mkdir -p "$w/plain" "$w/my src #2"
	: >"$CEPH_KMOD_CONF"
	for p in "$w/plain" "$w/my src #2"; do
		t_expect_exit "pin: --pin-source 6.1.0-99-amd64 '$p'" 0 env CEPH_KMOD_LOCK="$w/lock/lock" \
			"$CK_TOP/bin/ceph-kmod-install" --pin-source 6.1.0-99-amd64 "$p"
		t_eq "pin: ck_conf_pin reads back '$p'" "$p" "$(ck_conf_pin 6.1.0-99-amd64)"
	done
	t_eq "pin: one line for the kernel, the last pin" "SOURCE@6.1.0-99-amd64='$w/my src #2'" "$(cat "$CEPH_KMOD_CONF")"
else
	t_skip "pin: not root, ceph-kmod-install --pin-source not run"
fi
