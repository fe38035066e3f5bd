#!/usr/bin/env bash
# KBUILD_SIGN_PIN: an encrypted key is accepted with the right PIN and refused without;
# sign-file signs with it (as dkms runs it); setup-key encrypts a key it generates when
# KBUILD_SIGN_PIN is set.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib-signtest.sh
. "$CK_TOP/tests/sign/lib-signtest.sh"

main() {
	local m rc sf
	st_env
	sf=$(st_sign_file)
	m=$T/m.ko
	st_unsigned_module "$m"
	export KBUILD_SIGN_PIN='pin with spaces & symbols'
	t_expect_exit "setup-key generates an encrypted key when KBUILD_SIGN_PIN is set" 0 "$SETUP_KEY"
	t_match "the generated key is encrypted" 'BEGIN ENCRYPTED PRIVATE KEY' "$(head -n1 "$T/var-dkms/mok.key")"
	rc=0; "$sf" sha256 "$T/var-dkms/mok.key" "$T/var-dkms/mok.pub" "$m" 2>"$T/sf.err" || rc=$?
	t_eq "sign-file signs with the encrypted key and KBUILD_SIGN_PIN" 0 "$rc"
	rc=0; ck_sign_openssl_verify "$m" "$T/var-dkms/mok.pub" || rc=$?
	t_eq "the signature verifies" 0 "$rc"
	rc=0; "$PRE_INSTALL" --dir "$T" --cert "$T/var-dkms/mok.pub" "$KVER61" >/dev/null 2>&1 || rc=$?
	t_eq "pre-install-verify accepts it" 0 "$rc"
	unset KBUILD_SIGN_PIN
	t_expect_exit "without KBUILD_SIGN_PIN setup-key refuses the encrypted key (exit 10)" 10 "$SETUP_KEY"
	st_unsigned_module "$m"
	rc=0; "$sf" sha256 "$T/var-dkms/mok.key" "$T/var-dkms/mok.pub" "$m" </dev/null >/dev/null 2>&1 || rc=$?
	if ((rc != 0)); then t_pass "sign-file without KBUILD_SIGN_PIN fails (exit $rc)"; else t_fail "sign-file signed without the PIN"; fi
	KBUILD_SIGN_PIN=wrong t_expect_exit "a wrong KBUILD_SIGN_PIN is refused (exit 10)" 10 "$SETUP_KEY"
}

main "$@"
