#!/usr/bin/env bash
# Builds by hand (make modules KVER=…), without dkms:
#  - the oldest 6.1 ABI from its exact fetched source;
#  - a copy of the newest 6.1 headers with CONFIG_BLK_DEV_RBD off, without
#    Module.symvers (a gzipped symvers in the configured /boot instead), and a
#    kernel src.rpm (rpmbuild -bs around Debian's tarball) as the source, and
#    CONFIG_CEPH_FS and CONFIG_NETFS_SUPPORT off (ceph.ko's Kconfig selects netfs:
#    skipped, naming it; the rest built).
#    One build covers these three, each asserted on its own.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-build.sh"

k61=$(t_kernel newest61)
k170=$(t_kernel oldest61)
work=$(mktemp -d /var/tmp/ck-manual.XXXXXX)
# cleanup: the work tree, and the source cache's entries of the sources made in it (the
# src.rpm): a later build must never take a test's source.
cleanup() {
	local m
	for m in $(grep -l "^origin=$work/" "$(ck_cache_dir)"/src/*/.ck-source 2>/dev/null || true); do
		rm -rf "${m%/.ck-source}"
	done
	rm -rf "$work"
}
trap cleanup EXIT

# --- exact source for the oldest 6.1 ABI --------------------------------------
ceph-kmod-fetch-source "$k170" >/dev/null 2>&1 || true
exact=$(find "$(ck_cache_dir)/tarballs" -name "linux-source-6.1-$(ck_tree_version "/lib/modules/$k170/build").tar.xz" | head -n1)
if [[ -z "$exact" ]]; then
	t_fail "$k170: ceph-kmod-fetch-source did not leave the exact source in the cache"
else
	out=$CK_TOP/out/$k170
	t_expect_exit "$k170: make KVER=… builds from the exact source $exact" 0 \
		env CEPH_KMOD_SOURCE="$exact" make -s -C "$CK_TOP" KVER="$k170"
	t_eq "$k170: exact match" exact "$(b_env "$out" match)"
	t_eq "$k170: source version is the kernel's" "$(b_env "$out" kernel_version)" "$(b_env "$out" source_version)"
	# an exact source needs no API adaptation; only aes256k's RFC 8009 compat (no crypto/krb5)
	t_eq "$k170: only the crypto/krb5 compat (aes256k), no API adaptation" '!HAVE_CRYPTO_KRB5' "$(b_env "$out" compat)"
	for f in "$out"/libceph/libceph.ko "$out"/rbd/rbd.ko "$out"/cephfs/ceph.ko "$out"/nbd/nbd.ko; do
		if [[ -f "$f" ]]; then b_assert_module "$f" "$k170" "$k170 exact"; else t_fail "$k170 exact: $f not built"; fi
	done
	# make install by hand: the pipeline's sign + verify steps on what make modules built,
	# then swapped into updates/ceph-kmod (links into its own ceph-kmod-sets/current);
	# depmod prefers it to dkms's set, which stays untouched; make uninstall undoes it.
	b_make_install "$k170" "$out"
fi

# --- headers copy: RBD off, no Module.symvers, src.rpm source ---------------------
hdr=$work/headers
b_headers_copy "$k61" "$hdr"
b_config_off "$hdr" CONFIG_BLK_DEV_RBD
# A missing prerequisite skips only the module that needs it: a kernel built without
# CephFS and without netfs (CEPH_FS selects NETFS_SUPPORT: a kernel with CEPH_FS=m has it).
b_config_off "$hdr" CONFIG_CEPH_FS
b_config_off "$hdr" CONFIG_NETFS_SUPPORT
mkdir -p "$work/boot"
gzip -c "$hdr/Module.symvers" >"$work/boot/symvers-$k61.gz"
rm -f "$hdr/Module.symvers"

mkdir -p "$work/rpm/SOURCES" "$work/rpm/SPECS"
ln /usr/src/linux-source-6.1.tar.xz "$work/rpm/SOURCES/" 2>/dev/null ||
	cp /usr/src/linux-source-6.1.tar.xz "$work/rpm/SOURCES/"
cat >"$work/rpm/SPECS/kernel.spec" <<'SPEC'
Name: kernel
Version: 6.1
Release: 1.cktest
Summary: Debian's kernel source wrapped as a source rpm (ceph-kmod test)
License: GPL-2.0-only
Source0: linux-source-6.1.tar.xz
%description
Test source rpm.
%prep
%build
%install
%files
SPEC
t_check "rpmbuild -bs around the Debian tarball" rpmbuild -bs --define "_topdir $work/rpm" \
	--define '_source_payload w0.gzdio' "$work/rpm/SPECS/kernel.spec"
srpm=$(find "$work/rpm/SRPMS" -name '*.src.rpm' | head -n1)

out=$CK_TOP/out/$k61-copy
t_eq "the headers copy has CONFIG_BLK_DEV_RBD off" "" "$(ck_kconfig "$hdr" CONFIG_BLK_DEV_RBD)"
t_expect_exit "build against the headers copy with src.rpm source and /boot symvers" 0 \
	env CEPH_KMOD_KERNEL_DIR="$hdr" CEPH_KMOD_SOURCE="$srpm" CEPH_KMOD_BOOT_DIR="$work/boot" \
	stages/prepare "$k61" "$out"
printf '%s\n' "$T_LAST_OUTPUT" >"$CK_ARTIFACTS/headers-copy-prepare.log"
t_expect_exit "build stage for the headers copy" 0 env CEPH_KMOD_KERNEL_DIR="$hdr" "$CK_TOP/stages/build" "$k61" "$out"
printf '%s\n' "$T_LAST_OUTPUT" >"$CK_ARTIFACTS/headers-copy-build.log"
if [[ -f "$out/rbd/rbd.ko" ]]; then
	t_pass "CONFIG_BLK_DEV_RBD off still yields rbd.ko"
	b_assert_module "$out/rbd/rbd.ko" "$k61" "headers copy"
	t_match "rbd.ko from the src.rpm source" '\.src\.rpm 6\.1\.' "$(b_field "$out/rbd/rbd.ko" ceph_kmod_source)"
	crcs=$(modprobe --dump-modversions "$out/rbd/rbd.ko" 2>/dev/null || true)
	t_match "symbol CRCs from /boot/symvers-$k61.gz (module_layout)" 'module_layout' "$crcs"
	t_match "rbd.ko carries libceph's CRCs from the same modpost pass" 'ceph_osdc_' "$crcs"
else
	t_fail "CONFIG_BLK_DEV_RBD off: no rbd.ko built (see $CK_ARTIFACTS/headers-copy-build.log)"
fi
t_match "missing CONFIG_NETFS_SUPPORT: ceph.ko skipped with a message naming it (from the source's Kconfig)" \
	'skipping ceph: CONFIG_CEPH_FS is not set, .*CONFIG_NETFS_SUPPORT \(selected\)' "$(cat "$CK_ARTIFACTS/headers-copy-prepare.log")"
t_eq "missing CONFIG_NETFS_SUPPORT: no ceph.ko, the other three built" "libceph rbd nbd" "$(b_env "$out" modules)"
for f in "$out/libceph/libceph.ko" "$out/nbd/nbd.ko"; do
	if [[ -f "$f" ]]; then t_pass "headers copy: $(basename "$f") built"; else t_fail "headers copy: $(basename "$f") missing"; fi
done
if [[ -e "$out/cephfs/ceph.ko" ]]; then t_fail "headers copy: ceph.ko built despite missing netfs"; else t_pass "headers copy: ceph.ko not built"; fi
t_match "extra symbols came from the /boot symvers" 'kernel.symvers' "$(b_env "$out" extra_symbols)"
rm -rf "$out"
