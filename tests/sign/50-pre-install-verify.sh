#!/usr/bin/env bash
# sign/pre-install-verify KVER (dkms PRE_INSTALL): exit 0 when every module is signed by
# MOK_CERT with the kernel's hash; 8 naming module and kernel when one is unsigned, signed by
# another key, altered, signed with another hash, or there is none; 10 when MOK_CERT is
# unusable. Both with `ceph-kmod verify` (when built) and with the openssl fallback.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib-signtest.sh
. "$CK_TOP/tests/sign/lib-signtest.sh"

run_cases() {
	local how=$1 d=$T/mods-$1 sf
	sf=$(st_sign_file)
	mkdir -p "$d"
	st_unsigned_module "$d/nbd.ko"
	"$sf" sha256 "$T/keys/ck.key" "$T/keys/ck.der" "$d/nbd.ko"
	cp "$d/nbd.ko" "$d/rbd.ko"
	xz -k "$d/rbd.ko" && mv "$d/rbd.ko.xz" "$d/ceph.ko.xz"
	t_expect_exit "$how: all modules (.ko and .ko.xz) signed by MOK_CERT: exit 0" 0 "$PRE_INSTALL" --dir "$d" "$KVER61"

	st_unsigned_module "$d/libceph.ko"
	t_expect_exit "$how: an unsigned module: exit 8" 8 "$PRE_INSTALL" --dir "$d" "$KVER61"
	t_match "$how: message names the module and kernel" "libceph.ko for kernel $KVER61: NOT SIGNED" "$T_LAST_OUTPUT"

	"$sf" sha256 "$T/keys/other.key" "$T/keys/other.der" "$d/libceph.ko"
	t_expect_exit "$how: a module signed by another key: exit 8" 8 "$PRE_INSTALL" --dir "$d" "$KVER61"
	t_match "$how: message names module, kernel, cause" "libceph.ko for kernel $KVER61: .*(other|another|no matching|not signed by)" "$T_LAST_OUTPUT"

	st_unsigned_module "$d/libceph.ko"
	"$sf" sha256 "$T/keys/ck.key" "$T/keys/ck.der" "$d/libceph.ko"
	printf 'X' | dd of="$d/libceph.ko" bs=1 seek=4096 conv=notrunc 2>/dev/null
	t_expect_exit "$how: an altered signed module: exit 8" 8 "$PRE_INSTALL" --dir "$d" "$KVER61"
	t_match "$how: message names the module" "libceph.ko for kernel $KVER61" "$T_LAST_OUTPUT"

	st_unsigned_module "$d/libceph.ko"
	"$sf" sha512 "$T/keys/ck.key" "$T/keys/ck.der" "$d/libceph.ko"
	t_expect_exit "$how: signed with sha512 for a sha256 kernel: exit 8" 8 "$PRE_INSTALL" --dir "$d" "$KVER61"
	t_match "$how: message names both hashes" "sha512 but the kernel's CONFIG_MODULE_SIG_HASH is sha256" "$T_LAST_OUTPUT"
	rm -f "$d/libceph.ko"

	t_expect_exit "$how: no module at all: exit 8" 8 "$PRE_INSTALL" --dir "$T/empty" "$KVER61"
	t_expect_exit "$how: MOK_CERT missing: exit 10" 10 env CEPH_KMOD_MOK_CERT="$T/keys/nope.der" "$PRE_INSTALL" --dir "$d" "$KVER61"
}

main() {
	st_env
	mkdir -p "$T/empty"
	st_pair "$T/keys/ck.key" "$T/keys/ck.der" "ck"
	st_pair "$T/keys/other.key" "$T/keys/other.der" "other"
	export CEPH_KMOD_MOK_KEY=$T/keys/ck.key CEPH_KMOD_MOK_CERT=$T/keys/ck.der
	CEPH_KMOD_TOOL=none run_cases openssl
	local tool
	for tool in "$CK_TOP/tool/ceph-kmod" /usr/sbin/ceph-kmod; do
		if [[ -x "$tool" ]]; then
			CEPH_KMOD_TOOL=$tool run_cases "ceph-kmod verify ($tool)"
			return 0
		fi
	done
	t_skip "ceph-kmod verify: tool not built (make -C tool): only the openssl fallback was tested"
}

main "$@"
