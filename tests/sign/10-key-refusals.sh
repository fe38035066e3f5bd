#!/usr/bin/env bash
# setup-key refuses an unsafe key before any build: world/group-readable private key,
# mismatched certificate, half a pair, one of MOK_KEY/MOK_CERT only, encrypted key without
# (or with a wrong) KBUILD_SIGN_PIN, a non-root owner. All exit 10 with a fix line.
# When bin/ceph-kmod-install exists: it stops with exit 10 before dkms is ever asked to build.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib-signtest.sh
. "$CK_TOP/tests/sign/lib-signtest.sh"

main() {
	st_env
	st_pair "$T/keys/a.key" "$T/keys/a.der" "key A"
	st_pair "$T/keys/b.key" "$T/keys/b.der" "key B"
	export CEPH_KMOD_MOK_KEY=$T/keys/a.key CEPH_KMOD_MOK_CERT=$T/keys/a.der

	t_expect_exit "a good configured pair is accepted" 0 "$SETUP_KEY"

	chmod 0644 "$T/keys/a.key"
	t_expect_exit "world-readable private key (0644) is refused with exit 10" 10 "$SETUP_KEY"
	t_match "the refusal names the mode and gives the chmod fix" 'mode 644.*|fix: chown root:root .*chmod 0600' "$T_LAST_OUTPUT"
	chmod 0640 "$T/keys/a.key"
	t_expect_exit "group-readable private key (0640) is refused with exit 10" 10 "$SETUP_KEY"
	chmod 0600 "$T/keys/a.key"

	export CEPH_KMOD_MOK_CERT=$T/keys/b.der
	t_expect_exit "a certificate of another key is refused with exit 10" 10 "$SETUP_KEY"
	t_match "the refusal says the certificate does not belong to the key" 'does not belong to private key' "$T_LAST_OUTPUT"
	export CEPH_KMOD_MOK_CERT=$T/keys/a.der

	unset CEPH_KMOD_MOK_CERT
	t_expect_exit "MOK_KEY without MOK_CERT is refused with exit 10" 10 "$SETUP_KEY"
	unset CEPH_KMOD_MOK_KEY

	# half of dkms's default pair
	cp "$T/keys/a.key" "$T/var-dkms/mok.key"
	t_expect_exit "dkms's mok.key without mok.pub is refused with exit 10" 10 "$SETUP_KEY"
	t_match "the refusal names the missing certificate" 'certificate .*mok.pub is missing' "$T_LAST_OUTPUT"
	rm -f "$T/var-dkms/mok.key"
	cp "$T/keys/a.der" "$T/var-dkms/mok.pub"
	t_expect_exit "dkms's mok.pub without mok.key is refused with exit 10" 10 "$SETUP_KEY"
	t_eq "nothing was generated next to the lone mok.pub" "missing $T/var-dkms/mok.key" "$(st_sums "$T/var-dkms/mok.key")"
	rm -f "$T/var-dkms/mok.pub"

	# configured pair whose files vanished: no silent regeneration at configured paths
	export CEPH_KMOD_MOK_KEY=$T/keys/gone.key CEPH_KMOD_MOK_CERT=$T/keys/gone.der
	t_expect_exit "a configured pair that does not exist is refused (not generated) with exit 10" 10 "$SETUP_KEY"

	# encrypted key
	openssl pkey -in "$T/keys/a.key" -aes256 -passout pass:s3cret -out "$T/keys/enc.key"
	chmod 0600 "$T/keys/enc.key"
	export CEPH_KMOD_MOK_KEY=$T/keys/enc.key CEPH_KMOD_MOK_CERT=$T/keys/a.der
	t_expect_exit "encrypted key without KBUILD_SIGN_PIN is refused with exit 10" 10 "$SETUP_KEY"
	t_match "the refusal tells to export KBUILD_SIGN_PIN" 'export KBUILD_SIGN_PIN' "$T_LAST_OUTPUT"
	KBUILD_SIGN_PIN=wrong t_expect_exit "encrypted key with a wrong KBUILD_SIGN_PIN is refused with exit 10" 10 "$SETUP_KEY"
	KBUILD_SIGN_PIN=s3cret t_expect_exit "encrypted key with the right KBUILD_SIGN_PIN is accepted" 0 "$SETUP_KEY"

	# not owned by root
	export CEPH_KMOD_MOK_KEY=$T/keys/a.key CEPH_KMOD_MOK_CERT=$T/keys/a.der
	chown 65534 "$T/keys/a.key"
	t_expect_exit "a private key not owned by root is refused with exit 10" 10 "$SETUP_KEY"
	chown 0 "$T/keys/a.key"

	before_build_check
}

# The main job must run setup-key before any build: with a world-readable key it exits 10
# and nothing was built: no pipeline ran in its build directory (STATE/build/KVER/new, its
# pipeline.log), and no set was made (STATE/build/KVER/out).
before_build_check() {
	local job=$CK_TOP/bin/ceph-kmod-install rc=0 work found f
	if [[ ! -x "$job" ]]; then
		t_skip "bin/ceph-kmod-install not written yet: cannot show it stops before any build"
		return 0
	fi
	work=$T/state/build/$KVER61
	chmod 0644 "$T/keys/a.key"
	CEPH_KMOD_CACHE=$T/cache timeout 120 "$job" --kernel "$KVER61" --no-wait >"$T/job.out" 2>&1 || rc=$?
	chmod 0600 "$T/keys/a.key"
	t_eq "bin/ceph-kmod-install with a world-readable key exits 10" 10 "$rc"
	# The control: the run used this test world's state (it recorded the kernel as pending
	# on the key), so the absence of a build below is not an absence of the run.
	t_eq "the refused run recorded $KVER61 as pending with code 10 in the test world's state" \
		"code=10" "$(grep -s '^code=' "$T/state/pending/$KVER61" || echo "no record in $T/state/pending")"
	found=""
	for f in new pipeline.log out; do
		[[ ! -e "$work/$f" ]] || found+="$work/$f "
	done
	if [[ -n "$found" ]]; then
		t_fail "no build started before the key was refused (found: $found)"
	else
		t_pass "no build started before the key was refused (no $work/new, pipeline.log or out)"
	fi
}

main "$@"
