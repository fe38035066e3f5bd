#!/usr/bin/env bash
# Every module dkms installed for ceph-kmod, for every kernel, verifies with
# `ceph-kmod verify --cert MOK_CERT` (the real configuration, read only), with the kernel's
# CONFIG_MODULE_SIG_HASH. SKIP when the build suite has installed nothing yet.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib-signtest.sh
. "$CK_TOP/tests/sign/lib-signtest.sh"

main() {
	local kernels kver tool="" cert f name out rc want hash n
	kernels=$(dkms status ceph-kmod 2>/dev/null | sed -n 's/^ceph-kmod\/[^,]*, \([^,]*\), [^:]*: installed.*/\1/p' | sort -u)
	if [[ -z "$kernels" ]]; then
		t_skip "no kernel has ceph-kmod installed yet (dkms status ceph-kmod shows none installed): run the build suite first (tests/run build)"
		return 0
	fi
	for f in "${CEPH_KMOD_TOOL:-}" /usr/sbin/ceph-kmod "$CK_TOP/tool/ceph-kmod"; do
		[[ -n "$f" && -x "$f" ]] && { tool=$f; break; }
	done
	cert=$(ck_conf MOK_CERT)
	if [[ -z "$cert" || ! -r "$cert" ]]; then
		t_fail "MOK_CERT ('$cert') in $(ck_conf_file) is unset or unreadable although modules are installed"
		return 0
	fi
	[[ -n "$tool" ]] || t_skip "ceph-kmod tool not built (make -C tool): verifying with openssl instead"
	for kver in $kernels; do
		want=$(ck_kconfig "/lib/modules/$kver/build" CONFIG_MODULE_SIG_HASH 2>/dev/null || echo sha256)
		n=0
		while read -r f; do
			[[ -n "$f" ]] || continue
			n=$((n + 1))
			name=${f#/lib/modules/"$kver"/}
			rc=0
			if [[ -n "$tool" ]]; then
				out=$("$tool" verify --cert "$cert" "$f" 2>&1) || rc=$?
				hash=$(sed -n 's/^[[:space:]]*hash:[[:space:]]*\([[:alnum:]-]*\).*/\1/p' <<<"$out" | head -n1)
			else
				out=""
				ck_sign_openssl_verify "$f" "$cert" || rc=$?
				hash=$want
			fi
			if ((rc == 0)); then
				t_pass "$kver: $name verifies with ${tool:+ceph-kmod }verify --cert $cert (hash ${hash:-?})"
				[[ -z "$hash" || "$hash" == "$want" ]] || t_fail "$kver: $name signed with $hash, kernel wants $want"
			else
				t_fail "$kver: $name does not verify against $cert (exit $rc: $(tail -n3 <<<"$out" | tr '\n' ' '))"
			fi
		done < <(find "/lib/modules/$kver/updates/dkms" "/lib/modules/$kver/extra" -maxdepth 1 \
			\( -name 'libceph.ko*' -o -name 'rbd.ko*' -o -name 'ceph.ko*' -o -name 'nbd.ko*' \) 2>/dev/null | sort)
		t_eq "$kver: all four ceph-kmod modules are installed" 4 "$n"
	done
}

main "$@"
