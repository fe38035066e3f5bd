#!/usr/bin/env bash
# With no key anywhere, setup-key generates one: key 0600 root, certificate with
# extendedKeyUsage codeSigning, subject naming the host and ceph-kmod; both openssl ways
# (-addext and the config-file fallback). Records it in the config, installs the drop-in;
# a second run changes nothing.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib-signtest.sh
. "$CK_TOP/tests/sign/lib-signtest.sh"

check_generated() {
	local how=$1 key=$T/var-dkms/mok.key cert=$T/var-dkms/mok.pub text before
	t_eq "$how: key mode and owner" "600 0 0" "$(stat -c '%a %u %g' "$key")"
	text=$(openssl x509 -inform DER -in "$cert" -noout -text 2>&1)
	t_match "$how: certificate is DER X.509 with extendedKeyUsage Code Signing" 'X509v3 Extended Key Usage:.*' "$text"
	t_match "$how: ... Code Signing" '^ *Code Signing' "$text"
	t_match "$how: basicConstraints CA:FALSE" 'CA:FALSE' "$text"
	t_match "$how: RSA key" 'Public Key Algorithm: rsaEncryption' "$text"
	t_match "$how: subject names ceph-kmod and the host" "Subject: O *= *ceph-kmod, CN *= *ceph-kmod module signing key .*$(hostname -s)" "$text"
	t_match "$how: recorded in the config" "^MOK_KEY=$key" "$(cat "$CEPH_KMOD_CONF")"
	t_match "$how: drop-in points dkms at it" "ceph_kmod_mok_key='$key'" "$(cat "$T/etc-dkms/framework.conf.d/ceph-kmod.conf")"
	before=$(st_sums "$key" "$cert" "$CEPH_KMOD_CONF" "$T/etc-dkms/framework.conf.d/ceph-kmod.conf")
	t_expect_exit "$how: second run succeeds" 0 "$SETUP_KEY"
	t_eq "$how: second run changed nothing (key, cert, config, drop-in)" "$before" \
		"$(st_sums "$key" "$cert" "$CEPH_KMOD_CONF" "$T/etc-dkms/framework.conf.d/ceph-kmod.conf")"
	# a generated key signs a module that verifies
	local m=$T/m.ko rc=0
	st_unsigned_module "$m"
	"$(st_sign_file)" sha256 "$key" "$cert" "$m"
	ck_sign_openssl_verify "$m" "$cert" || rc=$?
	t_eq "$how: a module signed with the generated pair verifies" 0 "$rc"
}

main() {
	st_env
	t_expect_exit "--check with no key anywhere exits 10 and generates nothing" 10 "$SETUP_KEY" --check
	t_eq "--check generated nothing" "" "$(ls -A "$T/var-dkms")"
	t_expect_exit "setup-key generates a pair when there is none (openssl -addext)" 0 "$SETUP_KEY"
	check_generated addext
	rm -rf "$T"/var-dkms/* "$T"/etc-dkms/framework.conf.d/* "$CEPH_KMOD_CONF"
	CEPH_KMOD_SIGN_NO_ADDEXT=1 t_expect_exit "setup-key generates a pair with the config-file fallback" 0 "$SETUP_KEY"
	check_generated config-file
	t_expect_exit "--check on the finished setup exits 0" 0 "$SETUP_KEY" --check
}

main "$@"
