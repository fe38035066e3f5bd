#!/usr/bin/env bash
# Kernels that waited on the signing key are retried once the key is usable, by
# sign/setup-key and by "ceph-kmod enroll" (ceph-kmod-install --retry-pending --key):
#  - a kernel whose build fails on the key (an encrypted key and no KBUILD_SIGN_PIN)
#    is pending with exit 10 and keeps what it had;
#  - sign/setup-key, run by hand with the usable key, builds and installs it;
#  - "ceph-kmod enroll" does the same retry (against a fake mokutil and EFI directory:
#    the real mokutil would write this host's EFI variables).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-hurt.sh"

k=$(t_kernel newest61)
work=$(mktemp -d /var/tmp/ck-hurt-key.XXXXXX)
chmod 0700 "$work"
logs=$CK_ARTIFACTS/hurt-key
mkdir -p "$logs"
cleanup() {
	ceph-kmod-install --kernel "$k" >"$logs/cleanup.log" 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
# The installed package's setup-key when there is one (what a user runs), else ours.
setup_key=/usr/src/ceph-kmod-$CK_VERSION/sign/setup-key
[[ -x "$setup_key" ]] || setup_key=$CK_TOP/sign/setup-key

key=$("$setup_key" --check 2>/dev/null | sed -n 's/^MOK_KEY=//p')
if [[ ! -r "$key" || "$(h_set_state "$k")" != complete ]]; then
	t_skip "no usable MOK key or no installed set for $k (run ./setup and the build suite first)"
	exit 0
fi
# The same key, encrypted: unusable without KBUILD_SIGN_PIN.
(umask 077 && openssl pkey -in "$key" -aes-256-cbc -passout pass:ck-test -out "$work/enc.key")
broken=(env -u KBUILD_SIGN_PIN CEPH_KMOD_MOK_KEY="$work/enc.key")

# 1. setup-key: a kernel with no set of ours, whose build waits on the key.
t_check "ceph-kmod-install --forget-kernel $k" ceph-kmod-install --forget-kernel "$k"
b_assert_intree "$k"
t_expect_exit "ceph-kmod-install --hook --kernel $k with an encrypted key and no PIN exits 0" 0 \
	"${broken[@]}" ceph-kmod-install --hook --kernel "$k"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/fail.log"
t_eq "$k is pending with exit 10 (key)" 10 "$(h_pending "$k" code)"
b_assert_intree "$k"
t_expect_exit "sign/setup-key with the usable key exits 0" 0 "$setup_key"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/setup-key.log"
t_match "sign/setup-key retried $k and built it" "kernel $(t_re "$k"): building" "$T_LAST_OUTPUT"
t_eq "$k is no longer pending" "" "$(h_pending "$k" code)"
b_assert_installed "$k"

# 2. ceph-kmod enroll: the installed set stays, the rebuild waits on the key.
s0=$(b_snapshot "$k")
t_expect_exit "ceph-kmod-install --hook --rebuild --kernel $k with the encrypted key exits 0" 0 \
	"${broken[@]}" ceph-kmod-install --hook --rebuild --kernel "$k"
t_eq "$k is pending with exit 10 again" 10 "$(h_pending "$k" code)"
t_eq "$k keeps its installed set byte-identical" "$s0" "$(b_snapshot "$k")"
mkdir -p "$work/efi"
cat >"$work/mokutil" <<'FAKE'
#!/bin/sh
# mokutil stand-in: the certificate is enrolled.
case $1 in --test-key) echo "$2 is already enrolled"; exit 0 ;; esac
exit 2
FAKE
chmod +x "$work/mokutil"
t_expect_exit "ceph-kmod enroll (certificate enrolled) exits 0" 0 \
	env CEPH_KMOD_EFI_DIR="$work/efi" CEPH_KMOD_MOKUTIL="$work/mokutil" "$CK_TOOL" enroll
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/enroll.log"
t_match "ceph-kmod enroll retried $k" "kernel $(t_re "$k"): ceph-kmod $(t_re "$CK_VERSION") is up to date" "$T_LAST_OUTPUT"
t_eq "$k is no longer pending after enroll" "" "$(h_pending "$k" code)"
b_assert_installed "$k"
