# shellcheck shell=bash
# Helpers of the sign suite: every test runs setup-key against temporary paths only
# (config, dkms framework dir, dkms key dir, shim dir, lock); nothing real is touched.
# shellcheck source=../../lib/ceph-kmod.sh
. "$CK_TOP/lib/ceph-kmod.sh"
# shellcheck source=../../sign/lib-sign.sh
. "$CK_TOP/sign/lib-sign.sh"

export SETUP_KEY PRE_INSTALL
SETUP_KEY=$CK_TOP/sign/setup-key
PRE_INSTALL=$CK_TOP/sign/pre-install-verify
KVER61=$(t_kernel newest61 2>/dev/null || true)
KVER61=${KVER61:-6.1.0-56-amd64}

# st_env: a fresh temporary world in $T, exported as the CEPH_KMOD_* test hooks.
st_env() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/ck-signtest.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$T'" EXIT
	mkdir -p "$T/etc-dkms/framework.conf.d" "$T/var-dkms" "$T/shim" "$T/keys"
	printf '# test framework.conf (all defaults)\n' >"$T/etc-dkms/framework.conf"
	# STATE too: a run refused on a test key records pending kernels there, and the retry
	# of a later setup-key run (with another test key) must not rebuild this host's kernels.
	export CEPH_KMOD_CONF=$T/ceph-kmod.conf CEPH_KMOD_DKMS_FRAMEWORK_DIR=$T/etc-dkms \
		CEPH_KMOD_DKMS_MOK_DIR=$T/var-dkms CEPH_KMOD_SHIM_MOK_DIR=$T/shim CEPH_KMOD_LOCK=$T/lock \
		CEPH_KMOD_STATE=$T/state
	unset CEPH_KMOD_MOK_KEY CEPH_KMOD_MOK_CERT KBUILD_SIGN_PIN
}

# st_pair KEY CERT [CN]: a plain RSA key (0600) and its self-signed DER certificate.
st_pair() {
	local key=$1 cert=$2 cn=${3:-ceph-kmod test key}
	mkdir -p "$(dirname "$key")" "$(dirname "$cert")"
	(umask 077 && openssl req -new -x509 -nodes -newkey rsa:2048 -sha256 -days 365 -subj "/CN=$cn" \
		-keyout "$key" -outform DER -out "$cert" 2>/dev/null)
}

# st_sums FILE...: one "sha256 path" line per file ("missing path" when absent).
st_sums() {
	local f
	for f in "$@"; do
		if [[ -e "$f" ]]; then sha256sum "$f"; else echo "missing $f"; fi
	done
}

# st_unsigned_module OUT: the in-tree nbd.ko of KVER61 with its signature cut off.
st_unsigned_module() {
	local in=/lib/modules/$KVER61/kernel/drivers/block/nbd.ko tmp
	tmp=$(mktemp -d)
	if ck_sign_split "$in" "$tmp/body" "$tmp/p7"; then cp "$tmp/body" "$1"; else cp "$in" "$1"; fi
	rm -rf "$tmp"
}

st_sign_file() {
	local f=/usr/lib/linux-kbuild-${KVER61%.*}/scripts/sign-file
	[[ -x "$f" ]] || f=/lib/modules/$KVER61/build/scripts/sign-file
	printf '%s\n' "$f"
}
