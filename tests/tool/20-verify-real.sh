#!/usr/bin/env bash
# ceph-kmod verify on real modules: a copy of an in-tree module signed with throw-away
# keys by the kernel's own sign-file, every exit code, .ko.xz/.ko.zst, a Debian-signed
# 6.12 .ko.xz, and an independent cross-check with the openssl command line.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

tool_build
require_real_module
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mk_key "$w" a "ceph-kmod test key A"
mk_key "$w" b "ceph-kmod test key B"

# Debian's 6.1 modules are already signed by the kernel build key: start unsigned.
unsign "$src" "$w/unsigned.ko"
t_eq "unsigned copy has no trailer" "" "$(sig_len "$w/unsigned.ko")"
cp "$w/unsigned.ko" "$w/good.ko"
"$SIGN_FILE" sha256 "$w/a.key" "$w/a.pem" "$w/good.ko"
cp "$w/unsigned.ko" "$w/other.ko"
"$SIGN_FILE" sha256 "$w/b.key" "$w/b.pem" "$w/other.ko"
cp "$w/good.ko" "$w/flipped.ko"
flip_byte "$w/flipped.ko" 4096
head -c 65536 /dev/urandom >"$w/garbage.ko"
: >"$w/empty.ko"
head -c 2000 "$w/good.ko" >"$w/truncated-head.ko"
size=$(stat -c %s "$w/unsigned.ko")
head -c $((size / 2)) "$w/unsigned.ko" >"$w/truncated-half.ko"
size=$(stat -c %s "$w/good.ko")
head -c $((size - 1)) "$w/good.ko" >"$w/cut-magic.ko"
# Absurd sig_len in an otherwise intact trailer.
cp "$w/good.ko" "$w/absurd.ko"
printf '\xff\xff\xff\xf0' | dd of="$w/absurd.ko" bs=1 seek=$((size - 32)) conv=notrunc status=none
# A signature that parses as a trailer but whose PKCS#7 is garbage.
cp "$w/good.ko" "$w/badp7.ko"
n=$(sig_len "$w/good.ko")
head -c 64 /dev/urandom | dd of="$w/badp7.ko" bs=1 seek=$((size - 40 - n)) conv=notrunc status=none

v() { "$CK_TOOL" verify "$@"; }
t_expect_exit "valid signature -> 0" 0 v --cert "$w/a.pem" "$w/good.ko"
t_match "valid: signer printed" 'signer: +ceph-kmod test key A' "$T_LAST_OUTPUT"
t_match "valid: hash printed" 'hash: +sha256' "$T_LAST_OUTPUT"
serial=$(openssl x509 -in "$w/a.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')
t_match "valid: key id is the certificate serial (openssl x509 -serial)" "key id: +0*${serial#0}" "$T_LAST_OUTPUT"
modinfo_key=$(modinfo -F sig_key "$w/good.ko" | tr -d ':\n' | tr 'A-F' 'a-f')
t_match "valid: key id equals modinfo sig_key" "key id: +0*${modinfo_key#0}" "$T_LAST_OUTPUT"
t_expect_exit "valid with DER certificate -> 0" 0 v --cert "$w/a.der" "$w/good.ko"
t_expect_exit "valid with --cert=FILE form -> 0" 0 v --cert="$w/a.der" "$w/good.ko"
t_expect_exit "valid with both certificates given -> 0" 0 v --cert "$w/b.pem" --cert "$w/a.pem" "$w/good.ko"
cat "$w/b.pem" "$w/a.pem" >"$w/bundle.pem"
t_expect_exit "valid with a PEM bundle -> 0" 0 v --cert "$w/bundle.pem" "$w/good.ko"
# sign-file -k names the signer by subject key identifier instead of issuer+serial.
cp "$w/unsigned.ko" "$w/keyid.ko"
"$SIGN_FILE" -k sha256 "$w/a.key" "$w/a.pem" "$w/keyid.ko"
t_expect_exit "signer named by subject key id (sign-file -k) -> 0" 0 v --cert "$w/a.pem" "$w/keyid.ko"
t_expect_exit "signer named by subject key id, other cert -> 2" 2 v --cert "$w/b.pem" "$w/keyid.ko"
t_expect_exit "one flipped body byte -> 1" 1 v --cert "$w/a.pem" "$w/flipped.ko"
t_match "bad signature says so" 'BAD SIGNATURE' "$T_LAST_OUTPUT"
t_expect_exit "signed by another key -> 2" 2 v --cert "$w/a.pem" "$w/other.ko"
t_match "other key: signer B named" 'signer: +ceph-kmod test key B' "$T_LAST_OUTPUT"
t_expect_exit "unsigned -> 3" 3 v --cert "$w/a.pem" "$w/unsigned.ko"
t_expect_exit "random garbage -> 4" 4 v --cert "$w/a.pem" "$w/garbage.ko"
t_expect_exit "empty file -> 4" 4 v --cert "$w/a.pem" "$w/empty.ko"
t_expect_exit "first 2000 bytes of a module -> 4" 4 v --cert "$w/a.pem" "$w/truncated-head.ko"
t_expect_exit "half a module -> 4" 4 v --cert "$w/a.pem" "$w/truncated-half.ko"
t_expect_exit "absurd sig_len -> 4" 4 v --cert "$w/a.pem" "$w/absurd.ko"
t_match "absurd sig_len explained" 'exceeds' "$T_LAST_OUTPUT"
t_expect_exit "garbage PKCS#7 -> 4" 4 v --cert "$w/a.pem" "$w/badp7.ko"
# Without the last magic byte the kernel sees no signature either: an unsigned ELF.
t_expect_exit "last byte cut (no magic) -> 3" 3 v --cert "$w/a.pem" "$w/cut-magic.ko"
t_expect_exit "missing file -> 4" 4 v --cert "$w/a.pem" "$w/does-not-exist.ko"
t_expect_exit "directory -> 4" 4 v --cert "$w/a.pem" "$w"
t_expect_exit "unreadable --cert -> 4" 4 v --cert "$w/nope.pem" "$w/good.ko"
t_expect_exit "--cert that is not a certificate -> 4" 4 v --cert "$w/garbage.ko" "$w/good.ko"
t_expect_exit "several modules: highest code wins (0,3 -> 3)" 3 v --cert "$w/a.pem" "$w/good.ko" "$w/unsigned.ko"
t_expect_exit "several modules: highest code wins (1,2,4 -> 4)" 4 v --cert "$w/a.pem" "$w/flipped.ko" "$w/other.ko" "$w/garbage.ko"
t_expect_exit "several modules: highest code wins (0,1 -> 1)" 1 v --cert "$w/a.pem" "$w/good.ko" "$w/flipped.ko"
t_expect_exit "no module -> usage 64" 64 v --cert "$w/a.pem"
t_expect_exit "unknown option -> usage 64" 64 v --bogus "$w/good.ko"

# Default certificate: MOK_CERT from the config file, the environment wins.
printf '# test config\nMOK_CERT = "%s"  # ours\n' "$w/a.pem" >"$w/ceph-kmod.conf"
t_expect_exit "MOK_CERT from CEPH_KMOD_CONF -> 0" 0 env -u CEPH_KMOD_MOK_CERT CEPH_KMOD_CONF="$w/ceph-kmod.conf" "$CK_TOOL" verify "$w/good.ko"
t_expect_exit "CEPH_KMOD_MOK_CERT wins over the file -> 2" 2 env CEPH_KMOD_CONF="$w/ceph-kmod.conf" CEPH_KMOD_MOK_CERT="$w/b.der" "$CK_TOOL" verify "$w/good.ko"
t_expect_exit "missing configured cert: warning, signed -> 2" 2 env CEPH_KMOD_MOK_CERT="$w/missing.pem" "$CK_TOOL" verify "$w/good.ko"
t_match "missing configured cert warns" 'warning: configured MOK certificate unusable' "$T_LAST_OUTPUT"

# Compressed variants, compressed after signing as the kernel does.
xz --check=crc32 -k -c "$w/good.ko" >"$w/good.ko.xz"
zstd -q -c "$w/good.ko" >"$w/good.ko.zst"
xz --check=crc32 -c "$w/flipped.ko" >"$w/flipped.ko.xz"
zstd -q -c "$w/other.ko" >"$w/other.ko.zst"
xz --check=crc32 -c "$w/unsigned.ko" >"$w/unsigned.ko.xz"
zstd -q -c "$w/unsigned.ko" >"$w/unsigned.ko.zst"
size=$(stat -c %s "$w/good.ko.xz")
head -c $((size / 2)) "$w/good.ko.xz" >"$w/trunc.ko.xz"
size=$(stat -c %s "$w/good.ko.zst")
head -c $((size / 2)) "$w/good.ko.zst" >"$w/trunc.ko.zst"
t_expect_exit ".ko.xz valid -> 0" 0 v --cert "$w/a.pem" "$w/good.ko.xz"
t_match ".ko.xz compression reported" 'compression: xz' "$T_LAST_OUTPUT"
t_expect_exit ".ko.zst valid -> 0" 0 v --cert "$w/a.pem" "$w/good.ko.zst"
t_expect_exit ".ko.xz flipped -> 1" 1 v --cert "$w/a.pem" "$w/flipped.ko.xz"
t_expect_exit ".ko.zst other key -> 2" 2 v --cert "$w/a.pem" "$w/other.ko.zst"
t_expect_exit ".ko.xz unsigned -> 3" 3 v --cert "$w/a.pem" "$w/unsigned.ko.xz"
t_expect_exit ".ko.zst unsigned -> 3" 3 v --cert "$w/a.pem" "$w/unsigned.ko.zst"
t_expect_exit "truncated .ko.xz -> 4" 4 v --cert "$w/a.pem" "$w/trunc.ko.xz"
t_expect_exit "truncated .ko.zst -> 4" 4 v --cert "$w/a.pem" "$w/trunc.ko.zst"

# Independent cross-check with the openssl command line on the extracted PKCS#7.
ossl() { # ossl SIGNED CERT: exit status of openssl's own verification
	split_sig "$1" "$w/x.body" "$w/x.p7"
	openssl cms -verify -binary -inform DER -in "$w/x.p7" -content "$w/x.body" \
		-certfile "$2" -noverify -out /dev/null 2>/dev/null
}
cross() { # cross WHAT SIGNED CERT TOOL_EXPECTED
	local o=0 t=0
	ossl "$2" "$3" || o=1
	"$CK_TOOL" verify --cert "$3" "$2" >/dev/null 2>&1 || t=$?
	if ((t == $4)) && { ((t == 0 && o == 0)) || ((t != 0 && o != 0)); }; then
		t_pass "openssl cms agrees: $1 (tool $t, openssl $( ((o)) && echo fail || echo ok))"
	else
		t_fail "openssl cms disagrees: $1 (tool $t, wanted $4, openssl rc $o)"
	fi
}
cross "valid" "$w/good.ko" "$w/a.pem" 0
cross "flipped byte" "$w/flipped.ko" "$w/a.pem" 1
cross "other key" "$w/other.ko" "$w/a.pem" 2
# Same bytes through openssl smime/pkcs7 parsing: the signer openssl sees is ours.
split_sig "$w/good.ko" "$w/x.body" "$w/x.p7"
issuer=$(openssl pkcs7 -inform DER -in "$w/x.p7" -print 2>/dev/null | sed -n 's/.*issuer: *//p' | head -n 1)
t_match "openssl pkcs7 names the same issuer" 'CN *= *ceph-kmod test key A' "$issuer"

# A Debian-signed 6.12 .ko.xz against the wrong certificate: 2, signer as modinfo says.
deb=$(real_module_xz)
if [[ -n "$deb" ]]; then
	t_expect_exit "Debian 6.12 in-tree .ko.xz with the wrong cert -> 2" 2 v --cert "$w/a.pem" "$deb"
	out=$T_LAST_OUTPUT
	signer=$(xz -dc "$deb" >"$w/deb.ko" && modinfo -F signer "$w/deb.ko")
	t_match "Debian module: signer printed" "signer: +.+" "$out"
	t_match "Debian module: signer is what modinfo says ($signer)" "signer: +$signer" "$out"
	dkey=$(modinfo -F sig_key "$w/deb.ko" | tr -d ':\n' | tr 'A-F' 'a-f')
	t_match "Debian module: key id is what modinfo says" "key id: +0*${dkey#0}" "$out"
	split_sig "$w/deb.ko" "$w/d.body" "$w/d.p7"
	t_match "Debian module: openssl sees the same issuer" "CN *= *$signer" \
		"$(openssl cms -cmsout -print -inform DER -in "$w/d.p7" | grep issuer)"
else
	t_skip "no Debian in-tree .ko.xz"
fi

t_check "--help states the exit table" bash -c "'$CK_TOOL' verify --help | grep -q '2  no matching certificate' && '$CK_TOOL' --help | grep -q '4  unreadable or malformed'"
t_check "man page states the exit table" bash -c "MANWIDTH=200 man -l '$CK_TOP/tool/ceph-kmod.8' 2>/dev/null | grep -q 'no matching certificate'"
