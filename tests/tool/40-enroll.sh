#!/usr/bin/env bash
# ceph-kmod enroll: the real no-EFI path on this host, then every branch against a fake
# mokutil (CEPH_KMOD_MOKUTIL) and a fake EFI directory (CEPH_KMOD_EFI_DIR).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

tool_build
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mk_key "$w" a "ceph-kmod enroll key A"
mk_key "$w" b "ceph-kmod enroll key B"
log=$w/mokutil.log
cat >"$w/mokutil" <<'FAKE'
#!/usr/bin/env bash
# Fake mokutil: logs its arguments, answers from $FAKE_STATE, keeps the imported file.
set -euo pipefail
printf '%s\n' "$*" >>"$FAKE_LOG"
case $1 in
--test-key)
	cp "$2" "$FAKE_DIR/test-key.der"
	case ${FAKE_STATE:-none} in
	enrolled) echo "$2 is already enrolled"; exit 0 ;;
	pending) echo "$2 is already in the enrollment request"; exit 0 ;;
	*) echo "$2 is not enrolled"; exit 1 ;;
	esac ;;
--list-new)
	if [[ -n "${FAKE_NEW_FPR:-}" ]]; then
		printf '[key 1]\nSHA1 Fingerprint: %s\nCertificate:\n    Data: ...\n' "$FAKE_NEW_FPR"
	else
		echo "MokNew is empty"
	fi ;;
--import)
	cp "$2" "$FAKE_DIR/imported.der"
	echo "input password:"
	exit "${FAKE_IMPORT_RC:-0}" ;;
*) echo "fake mokutil: unexpected $*" >&2; exit 2 ;;
esac
FAKE
chmod +x "$w/mokutil"
export FAKE_LOG=$log FAKE_DIR=$w
unset CEPH_KMOD_CONF
# The retry of key-pending kernels after a successful enroll runs this installer
# (the real one is run by tests/hurt/60-key-pending.sh).
# shellcheck disable=SC2016 # $* and $FAKE_LOG are the stub's own, expanded when it runs
printf '#!/bin/sh\necho "installer $*" >>"$FAKE_LOG"\n' >"$w/installer"
chmod +x "$w/installer"
export CEPH_KMOD_INSTALL=$w/installer

# The host has no EFI: say so, exit 5, do not run mokutil.
if [[ ! -e /sys/firmware/efi ]]; then
	: >"$log"
	t_expect_exit "host without EFI -> 5" 5 env -u CEPH_KMOD_EFI_DIR CEPH_KMOD_MOKUTIL="$w/mokutil" "$CK_TOOL" enroll --cert "$w/a.pem"
	t_match "host without EFI: says so" 'no EFI' "$T_LAST_OUTPUT"
	t_eq "host without EFI: mokutil not run" "" "$(cat "$log")"
else
	t_skip "host has EFI: the no-EFI path is tested with a fake directory only"
fi
t_expect_exit "fake no-EFI dir -> 5" 5 env CEPH_KMOD_EFI_DIR="$w/none" CEPH_KMOD_MOKUTIL="$w/mokutil" "$CK_TOOL" enroll --cert "$w/a.pem"

mkdir -p "$w/efi/efivars"
export CEPH_KMOD_EFI_DIR=$w/efi CEPH_KMOD_MOKUTIL=$w/mokutil
fpr_a=$(openssl x509 -in "$w/a.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr 'A-F' 'a-f')
fpr_b=$(openssl x509 -in "$w/b.pem" -noout -fingerprint -sha1 | cut -d= -f2)

: >"$log"
t_expect_exit "not enrolled: import requested -> 0" 0 env FAKE_STATE=none "$CK_TOOL" enroll --cert "$w/a.pem"
out=$T_LAST_OUTPUT
t_eq "not enrolled: test-key, list-new, import in that order, then the retry" "--test-key --list-new --import installer" \
	"$(awk '{print $1}' "$log" | tr '\n' ' ' | sed 's/ $//')"
t_check "PEM certificate handed to mokutil as DER (same bytes as openssl's DER)" cmp "$w/imported.der" "$w/a.der"
t_match "next-reboot instructions name MokManager's Enroll MOK" 'Enroll MOK' "$out"
t_match "next-reboot instructions mention the password" 'password' "$out"
t_match "after the import, kernels pending on the key are retried" '^installer --retry-pending --key$' "$(tail -n1 "$log")"
tmp_der=$(awk '$1 == "--import" {print $2}' "$log")
t_check "temporary DER copy removed afterwards" test ! -e "$tmp_der"

: >"$log"
t_expect_exit "DER certificate works too -> 0" 0 env FAKE_STATE=none "$CK_TOOL" enroll --cert "$w/a.der"
t_check "DER certificate handed over unchanged" cmp "$w/imported.der" "$w/a.der"

: >"$log"
t_expect_exit "--root-pw passed to mokutil --import" 0 env FAKE_STATE=none "$CK_TOOL" enroll --cert "$w/a.pem" --root-pw
t_match "--root-pw in the import command line" '^--import .* --root-pw$' "$(cat "$log")"

: >"$log"
t_expect_exit "already enrolled -> 0" 0 env FAKE_STATE=enrolled "$CK_TOOL" enroll --cert "$w/a.pem"
t_match "already enrolled: says so" 'already enrolled' "$T_LAST_OUTPUT"
t_eq "already enrolled: no import" "" "$(grep -- --import "$log" || true)"

: >"$log"
t_expect_exit "pending per --test-key -> 0" 0 env FAKE_STATE=pending "$CK_TOOL" enroll --cert "$w/a.pem"
t_match "pending: says so" 'already queued' "$T_LAST_OUTPUT"
t_eq "pending per --test-key: no import" "" "$(grep -- --import "$log" || true)"

: >"$log"
t_expect_exit "pending per --list-new -> 0" 0 env FAKE_STATE=none FAKE_NEW_FPR="$fpr_a" "$CK_TOOL" enroll --cert "$w/a.pem"
t_eq "pending per --list-new: no import" "" "$(grep -- --import "$log" || true)"

: >"$log"
t_expect_exit "another key pending: ours imported -> 0" 0 env FAKE_STATE=none FAKE_NEW_FPR="$fpr_b" "$CK_TOOL" enroll --cert "$w/a.pem"
t_match "another key pending: import ran" '^--import ' "$(cat "$log")"

: >"$log"
t_expect_exit "mokutil --import fails -> 1" 1 env FAKE_STATE=none FAKE_IMPORT_RC=3 "$CK_TOOL" enroll --cert "$w/a.pem"
t_eq "a failed enrolment retries nothing" "" "$(grep '^installer' "$log" || true)"
t_expect_exit "mokutil missing -> 1" 1 env CEPH_KMOD_MOKUTIL="$w/no-such-mokutil" "$CK_TOOL" enroll --cert "$w/a.pem"
t_expect_exit "unreadable certificate -> 4" 4 "$CK_TOOL" enroll --cert "$w/missing.pem"
head -c 500 /dev/urandom >"$w/garbage.der"
t_expect_exit "garbage certificate -> 4" 4 "$CK_TOOL" enroll --cert "$w/garbage.der"

: >"$log"
t_expect_exit "default certificate from CEPH_KMOD_MOK_CERT" 0 env FAKE_STATE=none CEPH_KMOD_MOK_CERT="$w/b.pem" "$CK_TOOL" enroll
t_check "default certificate is the one imported" cmp "$w/imported.der" "$w/b.der"
t_expect_exit "bad argument -> 64" 64 "$CK_TOOL" enroll --bogus
