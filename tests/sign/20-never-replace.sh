#!/usr/bin/env bash
# An existing key is never replaced: sha256 of both files before/after setup-key in every
# discovery case, after generation attempts, and when one of dkms's two files is missing —
# with real dkms 3.0.10 signing a tiny throw-away package (never loaded) in a private mount
# namespace where a temp dir stands in for /var/lib/dkms and /etc/dkms/framework.conf.d.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib-signtest.sh
. "$CK_TOP/tests/sign/lib-signtest.sh"

sums_same() { # WHAT BEFORE FILE...
	local what=$1 before=$2
	shift 2
	t_eq "$what" "$before" "$(st_sums "$@")"
}

discovery_cases() {
	local before
	# dkms's default pair
	st_pair "$T/var-dkms/mok.key" "$T/var-dkms/mok.pub" "dkms default"
	before=$(st_sums "$T/var-dkms/mok.key" "$T/var-dkms/mok.pub")
	t_expect_exit "setup-key uses dkms's existing default pair" 0 "$SETUP_KEY"
	t_match "it resolves to /var/lib/dkms/mok.key (test dir)" "MOK_KEY=$T/var-dkms/mok.key" "$T_LAST_OUTPUT"
	"$SETUP_KEY" >/dev/null 2>&1 || true
	sums_same "dkms default pair unchanged after two setup-key runs" "$before" "$T/var-dkms/mok.key" "$T/var-dkms/mok.pub"
	t_eq "drop-in installed (dkms alone would regenerate a half pair)" yes "$([[ -f $T/etc-dkms/framework.conf.d/ceph-kmod.conf ]] && echo yes || echo no)"
	t_eq "drop-in points dkms at the pair" "$T/var-dkms/mok.key" \
		"$(bash -c 'source "$1" 2>/dev/null; echo "$mok_signing_key"' _ "$T/etc-dkms/framework.conf.d/ceph-kmod.conf")"

	# missing half: drop-in hands dkms a pkcs11: placeholder, setup-key refuses, nothing regenerated
	mv "$T/var-dkms/mok.pub" "$T/mok.pub.saved"
	t_eq "drop-in with mok.pub missing yields a pkcs11: placeholder key (dkms will not regenerate)" \
		"$CK_SIGN_DUMMY_PREFIX" \
		"$(bash -c 'source "$1" 2>/dev/null; echo "$mok_signing_key"' _ "$T/etc-dkms/framework.conf.d/ceph-kmod.conf")"
	t_expect_exit "setup-key with mok.pub missing exits 10" 10 "$SETUP_KEY"
	t_eq "mok.key unchanged and mok.pub still absent after the refusal" \
		"$(sha256sum "$T/var-dkms/mok.key")|missing $T/var-dkms/mok.pub" \
		"$(st_sums "$T/var-dkms/mok.key" "$T/var-dkms/mok.pub" | paste -sd'|')"
	mv "$T/mok.pub.saved" "$T/var-dkms/mok.pub"
	sums_same "pair intact after restoring the half" "$before" "$T/var-dkms/mok.key" "$T/var-dkms/mok.pub"
	rm -rf "$T/var-dkms"/* "$T/etc-dkms/framework.conf.d"/* "$CEPH_KMOD_CONF"

	# Ubuntu shim-signed pair
	st_pair "$T/shim/MOK.priv" "$T/shim/MOK.der" "shim-signed"
	before=$(st_sums "$T/shim/MOK.priv" "$T/shim/MOK.der")
	t_expect_exit "setup-key uses shim-signed's MOK.priv + MOK.der" 0 "$SETUP_KEY"
	t_match "resolved to MOK.priv" "MOK_KEY=$T/shim/MOK.priv" "$T_LAST_OUTPUT"
	t_eq "no pair generated in the dkms dir" "" "$(ls -A "$T/var-dkms")"
	sums_same "shim pair unchanged" "$before" "$T/shim/MOK.priv" "$T/shim/MOK.der"
	rm -rf "$T/shim"/* "$T/etc-dkms/framework.conf.d"/* "$CEPH_KMOD_CONF"

	# a pair another package configured for dkms: used as is, no drop-in of ours
	st_pair "$T/keys/other-pkg.key" "$T/keys/other-pkg.der" "other package"
	printf 'mok_signing_key="%s"\nmok_certificate="%s"\n' "$T/keys/other-pkg.key" "$T/keys/other-pkg.der" \
		>"$T/etc-dkms/framework.conf.d/other-pkg.conf"
	before=$(st_sums "$T/keys/other-pkg.key" "$T/keys/other-pkg.der")
	t_expect_exit "setup-key uses the pair another package configured for dkms" 0 "$SETUP_KEY"
	t_match "resolved to the other package's key" "MOK_KEY=$T/keys/other-pkg.key" "$T_LAST_OUTPUT"
	t_eq "no ceph-kmod drop-in added in that case" no "$([[ -e $T/etc-dkms/framework.conf.d/ceph-kmod.conf ]] && echo yes || echo no)"
	t_match "the pair is recorded in the ceph-kmod config" "^MOK_KEY=$T/keys/other-pkg.key" "$(cat "$CEPH_KMOD_CONF")"
	t_expect_exit "second run (now from our config) is idempotent, still no drop-in" 0 "$SETUP_KEY"
	t_eq "still no ceph-kmod drop-in" no "$([[ -e $T/etc-dkms/framework.conf.d/ceph-kmod.conf ]] && echo yes || echo no)"
	sums_same "other package's pair unchanged" "$before" "$T/keys/other-pkg.key" "$T/keys/other-pkg.der"
	# that package then switches dkms to another key: we refuse rather than follow silently
	st_pair "$T/keys/rotated.key" "$T/keys/rotated.der" "rotated"
	printf 'mok_signing_key="%s"\nmok_certificate="%s"\n' "$T/keys/rotated.key" "$T/keys/rotated.der" \
		>"$T/etc-dkms/framework.conf.d/other-pkg.conf"
	t_expect_exit "after the other package changed dkms's key, setup-key exits 10" 10 "$SETUP_KEY"
	# ... unless we hold our own, in which case our drop-in must win and does
	printf 'mok_signing_key="%s"\nmok_certificate="%s"\n' "$T/keys/rotated.key" "$T/keys/rotated.der" \
		>"$T/etc-dkms/framework.conf.d/zz-late.conf"
	rm -f "$T/etc-dkms/framework.conf.d/other-pkg.conf"
	t_expect_exit "a later framework.conf.d file overriding our drop-in is detected (exit 10)" 10 "$SETUP_KEY"
	t_match "the refusal names the overriding file" 'zz-late.conf' "$T_LAST_OUTPUT"
	rm -rf "$T/etc-dkms/framework.conf.d"/* "$CEPH_KMOD_CONF" "$T/keys"/*
}

# Real dkms: a private mount namespace with temp dirs over /var/lib/dkms and
# /etc/dkms/framework.conf.d; a trivial module built against KVER61, never loaded.
dkms_case() {
	local ns=$T/ns-$1
	mkdir -p "$ns/var-lib-dkms" "$ns/conf.d" "$ns/src/cksigntest-1.0"
	cat >"$ns/src/cksigntest-1.0/cksigntest.c" <<'C'
#include <linux/module.h>
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ceph-kmod signing test, never loaded");
C
	printf 'obj-m := cksigntest.o\n' >"$ns/src/cksigntest-1.0/Makefile"
	cat >"$ns/src/cksigntest-1.0/dkms.conf" <<'CONF'
PACKAGE_NAME="cksigntest"
PACKAGE_VERSION="1.0"
BUILT_MODULE_NAME[0]="cksigntest"
DEST_MODULE_LOCATION[0]="/extra"
MAKE[0]="make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build modules"
CLEAN="true"
AUTOINSTALL="no"
CONF
	printf '%s\n' "$ns"
}

# dkms_build NS SETUP: runs SETUP (bash, in the namespace, cwd NS) then dkms add + build.
dkms_build() {
	local ns=$1 setup=$2
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m --propagation private bash -c '
		set -e
		ns=$1
		mount --bind "$ns/var-lib-dkms" /var/lib/dkms
		mount --bind "$ns/conf.d" /etc/dkms/framework.conf.d
		cd "$ns"
		eval "$2"
		dkms add -m cksigntest -v 1.0 --sourcetree "$ns/src" >"$ns/dkms.log" 2>&1
		dkms build -m cksigntest -v 1.0 -k "$3" --sourcetree "$ns/src" -j 1 >>"$ns/dkms.log" 2>&1
		cp /var/lib/dkms/cksigntest/1.0/"$3"/*/module/cksigntest.ko* "$ns/" 2>/dev/null || true
		sha256sum /var/lib/dkms/mok.key /var/lib/dkms/mok.pub >"$ns/sums-after" 2>/dev/null || true
		ls /var/lib/dkms >"$ns/ls-after"
	' ns "$ns" "$setup" "$KVER61"
}

real_dkms() {
	if ! command -v dkms >/dev/null || ! unshare -m true 2>/dev/null || [[ ! -d /lib/modules/$KVER61/build ]]; then
		t_skip "real dkms cases: need dkms, unshare -m (root) and headers for $KVER61"
		return 0
	fi
	local ns before key rc
	# a) full pair + our drop-in: dkms signs with it; pair unchanged
	ns=$(dkms_case full)
	st_pair "$ns/var-lib-dkms/mok.key" "$ns/var-lib-dkms/mok.pub" "ceph-kmod dkms test"
	before=$(cd "$ns/var-lib-dkms" && sha256sum mok.key mok.pub | sed "s|mok|/var/lib/dkms/mok|")
	CEPH_KMOD_DKMS_FRAMEWORK_DIR=$T/fw-full CEPH_KMOD_DKMS_MOK_DIR=$ns/var-lib-dkms CEPH_KMOD_CONF=$ns/ck.conf \
		"$SETUP_KEY" >/dev/null 2>&1 || true
	# the drop-in made for the test paths, re-pointed at the namespace's /var/lib/dkms
	sed "s|$ns/var-lib-dkms|/var/lib/dkms|g" "$T/fw-full/framework.conf.d/ceph-kmod.conf" >"$ns/conf.d/ceph-kmod.conf"
	rc=0; dkms_build "$ns" ':' || rc=$?
	t_eq "real dkms build of a throw-away module with our drop-in" 0 "$rc"
	rc=0; ck_sign_openssl_verify "$ns/cksigntest.ko" "$ns/var-lib-dkms/mok.pub" || rc=$?
	t_eq "dkms signed it with our pair (openssl verify)" 0 "$rc"
	t_eq "dkms left the pair unchanged" "$before" "$(sed 's/  */  /' "$ns/sums-after")"
	if grep -q "Signing key: /var/lib/dkms/mok.key" "$ns/dkms.log"; then t_pass "dkms log: Signing key: /var/lib/dkms/mok.key"; else t_fail "dkms log lacks our signing key line"; fi

	# b) mok.pub missing, with our drop-in: no regeneration, module unsigned, key untouched
	ns=$(dkms_case half)
	st_pair "$ns/var-lib-dkms/mok.key" "$ns/mok.pub.away" "ceph-kmod dkms test"
	key=$(sha256sum <"$ns/var-lib-dkms/mok.key")
	cp "$ns/../ns-full/conf.d/ceph-kmod.conf" "$ns/conf.d/"
	rc=0; dkms_build "$ns" ':' || rc=$?
	t_eq "real dkms build with mok.pub missing (drop-in): dkms itself still completes" 0 "$rc"
	t_eq "mok.key unchanged (not regenerated)" "$key" "$(sha256sum <"$ns/var-lib-dkms/mok.key")"
	t_eq "mok.pub not recreated" no "$(grep -qx mok.pub "$ns/ls-after" && echo yes || echo no)"
	if grep -qi 'generating self signed' "$ns/dkms.log"; then t_fail "dkms regenerated despite the drop-in"; else t_pass "dkms did not regenerate the pair"; fi
	if grep -q 'ceph-kmod: MOK key pair incomplete' "$ns/dkms.log"; then t_pass "the drop-in said why on dkms's output"; else t_fail "no ceph-kmod warning in dkms's output"; fi
	rc=0; ck_sign_openssl_verify "$ns/cksigntest.ko" "$ns/mok.pub.away" || rc=$?
	t_eq "the module was left unsigned (PRE_INSTALL verify refuses it: exit 3 = unsigned)" 3 "$rc"
	rc=0; "$PRE_INSTALL" --dir "$ns" --cert "$ns/mok.pub.away" "$KVER61" >/dev/null 2>&1 || rc=$?
	t_eq "pre-install-verify on that build exits 8" 8 "$rc"

	# c) control, without our drop-in: dkms 3.0.10 replaces the key (what we prevent)
	ns=$(dkms_case control)
	st_pair "$ns/var-lib-dkms/mok.key" "$ns/mok.pub.away" "ceph-kmod dkms test"
	key=$(sha256sum <"$ns/var-lib-dkms/mok.key")
	rc=0; dkms_build "$ns" ':' || rc=$?
	if [[ "$key" != "$(sha256sum <"$ns/var-lib-dkms/mok.key")" ]]; then
		t_pass "control: without the drop-in dkms 3.0.10 regenerated mok.key over the existing one (the hazard the drop-in removes)"
	else
		t_skip "control: this dkms did not regenerate a half pair (newer dkms?)"
	fi
}

main() {
	st_env
	discovery_cases
	real_dkms
}

main "$@"
