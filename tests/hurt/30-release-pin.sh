#!/usr/bin/env bash
# Source matching where the Makefile cannot tell releases apart (RHEL: every EL9
# kernel says SUBLEVEL = 0): two self-made EL9-style src.rpms of different releases
# (rpmbuild -bs around a tarball of Debian's 6.1 source) resolve each to its own
# kernel; a kernel of a third release is refused with the pinning command; the
# pin then decides. Kernels are named like EL9's (X.Y.Z-REL.el9.x86_64) and built
# against the newest 6.1 headers (CEPH_KMOD_KERNEL_DIR).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-hurt.sh"

k61=$(t_kernel newest61)
work=$(mktemp -d /var/tmp/ck-hurt-rel.XXXXXX)
trap 'rm -rf "$work"' EXIT
kv=$(ck_tree_version "/lib/modules/$k61/build")

src=$(grep -lx 'origin=/usr/src/linux-source-6.1.tar.xz' "$(ck_cache_dir)"/src/*/.ck-source 2>/dev/null | head -n1)
src=${src%/.ck-source}
if [[ -z "$src" ]]; then
	t_skip "no cached extraction of /usr/src/linux-source-6.1.tar.xz (run the build suite first)"
	exit 0
fi
mkdir -p "$work/t/linux-$kv" "$work/rpm/SPECS" "$work/srpms"
cp -a "$src/." "$work/t/linux-$kv/"
rm -f "$work/t/linux-$kv/.ck-source"
for rel in 362.el9 427.el9; do
	mkdir -p "$work/rpm-$rel/SOURCES"
	# Different content per release, as two real releases would have.
	echo "/* release $rel */" >"$work/t/linux-$kv/ck-release.h"
	tar -C "$work/t" -cJf "$work/rpm-$rel/SOURCES/linux-$kv-$rel.tar.xz" "linux-$kv"
	cat >"$work/rpm/SPECS/kernel-$rel.spec" <<SPEC
Name: kernel
Version: $kv
Release: $rel
Summary: Debian's kernel source wrapped as an EL9-style source rpm (ceph-kmod test)
License: GPL-2.0-only
Source0: linux-$kv-$rel.tar.xz
%description
Test source rpm.
%prep
%build
%install
%files
SPEC
	t_check "rpmbuild -bs kernel-$kv-$rel.src.rpm" rpmbuild -bs --define "_topdir $work/rpm-$rel" \
		--define '_source_payload w0.gzdio' "$work/rpm/SPECS/kernel-$rel.spec"
	cp "$work/rpm-$rel"/SRPMS/*.src.rpm "$work/srpms/"
done
run_locate() { # KVER [ENV...]
	local kver=$1
	shift
	env CEPH_KMOD_KERNEL_DIR="/lib/modules/$k61/build" CEPH_KMOD_SRPM_DIR="$work/srpms" CEPH_KMOD_CACHE="$work/cache" \
		CEPH_KMOD_DISTRO_SRC="$work/none" CEPH_KMOD_CONF="$work/conf" "$@" "$CK_TOP/stages/locate-source" "$kver"
}
: >"$work/conf"
for rel in 362.el9 427.el9; do
	t_expect_exit "kernel $kv-$rel.x86_64: a source found" 0 run_locate "$kv-$rel.x86_64"
	t_match "kernel $kv-$rel.x86_64 resolves to its own src.rpm" "^source=$work/srpms/kernel-$kv-$rel\\.src\\.rpm$" "$T_LAST_OUTPUT"
	t_match "kernel $kv-$rel.x86_64: release recorded" "^release=$kv-$rel$" "$T_LAST_OUTPUT"
done
t_expect_exit "kernel $kv-500.el9.x86_64 (no src.rpm of that release): refused, exit 4" 4 run_locate "$kv-500.el9.x86_64"
t_match "the refusal names the candidates and the pinning command" "no source is that release.*kernel-$kv-362.el9.src.rpm.*fix: .*ceph-kmod-install --pin-source $kv-500.el9.x86_64" "$(tr '\n' ' ' <<<"$T_LAST_OUTPUT")"
t_expect_exit "ceph-kmod-install --pin-source pins one" 0 env CEPH_KMOD_CONF="$work/conf" \
	ceph-kmod-install --pin-source "$kv-500.el9.x86_64" "$work/srpms/kernel-$kv-427.el9.src.rpm"
t_check "the pin is a SOURCE@KVER line in the configuration" grep -qx "SOURCE@$kv-500.el9.x86_64=$work/srpms/kernel-$kv-427.el9.src.rpm" "$work/conf"
t_expect_exit "the pinned kernel now resolves" 0 run_locate "$kv-500.el9.x86_64"
t_match "to the pinned src.rpm" "^source=$work/srpms/kernel-$kv-427.el9.src.rpm$" "$T_LAST_OUTPUT"
t_match "its sha256 is recorded" "^sha256=$(sha256sum "$work/srpms/kernel-$kv-427.el9.src.rpm" | cut -d' ' -f1)$" "$T_LAST_OUTPUT"
t_expect_exit "the pin is per kernel: 362 still resolves to its own" 0 run_locate "$kv-362.el9.x86_64"
t_match "kernel $kv-362.el9.x86_64 keeps its src.rpm" "^source=$work/srpms/kernel-$kv-362\\.el9\\.src\\.rpm$" "$T_LAST_OUTPUT"
# Only CEPH_KMOD_* variables are read: KERNEL_DIR from the caller is ignored.
t_expect_exit "KERNEL_DIR in the environment is ignored (CEPH_KMOD_KERNEL_DIR is the knob)" 0 \
	env KERNEL_DIR=/nonexistent CEPH_KMOD_CACHE="$work/cache" CEPH_KMOD_SOURCE="$work/srpms/kernel-$kv-362.el9.src.rpm" \
	"$CK_TOP/stages/locate-source" "$k61"
