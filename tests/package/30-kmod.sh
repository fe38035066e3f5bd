#!/usr/bin/env bash
# make kmod-deb / make kmod-rpm from the set dkms built for a test kernel on this host:
# what the packages hold, and that every module taken out of the built package still
# verifies and matches the checksums taken when it was verified before packing (no strip or debuginfo step cut the appended signature). Installing and
# removing them is in 40-cycles.sh (deb-cycle.sh, part 6). Skips when dkms has no
# set for the kernels here (e.g. after the remove suite).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"

v=$CK_VERSION
make -s -C "$CK_TOP" tool >/dev/null
out=$P_WORK/kmod
rm -rf "$out"
mkdir -p "$out"
arch=$(dpkg --print-architecture)
for kind in deb rpm; do
	if [[ $kind == deb ]]; then k=$(t_kernel newest61); else k=$(t_kernel newest612); fi
	if ! compgen -G "/var/lib/dkms/ceph-kmod/$v/$k/$(uname -m)/module/*.ko*" >/dev/null; then
		t_skip "make kmod-$kind KVER=$k: dkms has no ceph-kmod $v set for $k on this host"
		continue
	fi
	t_check "make kmod-$kind KVER=$k" make -s -C "$CK_TOP" "kmod-$kind" KVER="$k" PKGOUT="$out"
	x=$out/x-$kind
	mkdir -p "$x"
	if [[ $kind == deb ]]; then
		pkg=$out/ceph-kmod-modules-${k}_${v}_$arch.deb
		dpkg-deb -x "$pkg" "$x" || true
		t_match "the kmod .deb depends on its kernel's image" "linux-image-$(t_re "$k")" "$(dpkg-deb -f "$pkg" Depends 2>/dev/null)"
		scripts=$(mktemp -d)
		dpkg-deb -e "$pkg" "$scripts" && t_match "its postinst runs depmod for $k" "depmod -a $(t_re "$k")" "$(cat "$scripts/postinst")"
		rm -rf "$scripts"
	else
		pkg=$out/ceph-kmod-modules-$k-$v-1.$(uname -m).rpm
		(cd "$x" && rpm2cpio "$pkg" | cpio -idm --quiet) || true
		t_match "the kmod .rpm requires its kernel" "kernel-uname-r = $(t_re "$k")" "$(rpm -qp --requires "$pkg" 2>/dev/null)"
		t_match "its %post runs depmod for $k" "depmod -a $(t_re "$k")" "$(rpm -qp --scripts "$pkg" 2>/dev/null)"
	fi
	t_eq "the kmod .$kind holds the 4 modules under updates/ceph-kmod" 4 \
		"$(find "$x/lib/modules/$k/updates/ceph-kmod" -name '*.ko*' 2>/dev/null | wc -l)"
	t_check "it carries the marker /usr/lib/ceph-kmod/kmod/$k that ceph-kmod-install skips" test -s "$x/usr/lib/ceph-kmod/kmod/$k"
	t_match "and a per-kernel depmod.d override" "^override rbd $(t_re "$k") updates/ceph-kmod\$" \
		"$(cat "$x/usr/lib/depmod.d/ceph-kmod-modules-$k.conf" 2>/dev/null)"
	for f in "$x/lib/modules/$k/updates/ceph-kmod"/*.ko*; do
		[[ -e "$f" ]] || continue
		t_expect_exit "$(basename "$f") taken out of the kmod .$kind verifies (signature intact)" 0 \
			"$CK_TOOL" verify --cert "$(ck_sign_cert)" "$f"
	done
	t_check "the packed modules are byte for byte the ones verified before packing (sha256 manifest)" \
		bash -c "cd '$x/lib/modules/$k/updates/ceph-kmod' && sha256sum -c --quiet '$x/usr/lib/ceph-kmod/kmod/$k.sha256'"
done
rm -rf "$out"
