#!/usr/bin/env bash
# The initramfs keeps working Ceph modules. dkms's location holds links into the swapped
# set (ceph-kmod-sets/current); mkinitramfs copies them, then decompresses *.ko.xz but not
# links, so without packaging/initramfs/ceph-kmod (the package's initramfs-tools hook) the
# image of a kernel with compressed modules (Debian's 6.12) holds dangling links and depmod
# fails in it: the image has neither our modules nor the in-tree ones.
# For newest612 (.ko.xz; 6.1's plain .ko links resolve in the image as they are, the hook
# makes them files too), a small image (MODULES=list: rbd, nbd) with the installed hook: no
# depmod error, rbd/nbd/libceph are regular files in the image and are the installed set's
# modules (build-id). Control: the hook switched off (CEPH_KMOD_INITRAMFS_HOOK=0) shows the
# depmod error. CK_INITRAMFS_ROLES adds roles (e.g. "newest61 newest612").
. "$(dirname "$0")/../lib.sh"

hook=/usr/share/initramfs-tools/hooks/ceph-kmod
if ! command -v mkinitramfs >/dev/null; then
	t_skip "initramfs: mkinitramfs not installed (initramfs-tools)"
	exit 0
fi
if [[ ! -x "$hook" ]]; then
	t_fail "initramfs: the hook $hook is installed (ceph-kmod-dkms ships it)"
	exit 0
fi
work=$(mktemp -d /var/tmp/ck-initramfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/conf/conf.d" "$work/conf/hooks" "$work/conf/scripts"
printf 'MODULES=list\nBUSYBOX=auto\nCOMPRESS=gzip\n' >"$work/conf/initramfs.conf"
printf 'rbd\nnbd\n' >"$work/conf/modules"

# build_id FILE: the GNU build-id of a module file (decompressed first).
build_id() {
	local f=$1 tmp=$work/bid.ko
	case "$f" in
	*.xz) xz -dc "$f" >"$tmp" ;;
	*) cp "$f" "$tmp" ;;
	esac
	readelf -n "$tmp" 2>/dev/null | awk '/Build ID:/ { print $3; exit }'
}

# image KVER NAME [ENV...]: mkinitramfs into $work/NAME.img, its output in NAME.log,
# unpacked into NAME/.
image() {
	local kver=$1 name=$2
	shift 2
	env "$@" mkinitramfs -d "$work/conf" -o "$work/$name.img" "$kver" >"$work/$name.log" 2>&1 || return 1
	mkdir -p "$work/$name"
	unmkinitramfs "$work/$name.img" "$work/$name" >/dev/null 2>&1
}

for role in ${CK_INITRAMFS_ROLES:-newest612}; do
	kver=$(t_kernel "$role")
	if [[ -z "$kver" || ! -d "/lib/modules/$kver/ceph-kmod-sets/current" ]]; then
		t_skip "$role: no ceph-kmod set installed for kernel '${kver:-none}'"
		continue
	fi
	if ! image "$kver" "$role"; then
		t_fail "$role: mkinitramfs $kver (see $(tail -n 3 "$work/$role.log" | tr '\n' ' '))"
		continue
	fi
	t_eq "$role: mkinitramfs $kver: no depmod error in the image" "" \
		"$(grep -E 'depmod: ERROR|Is a symbolic link' "$work/$role.log" || true)"
	for m in libceph rbd nbd; do
		inimg=$(find "$work/$role" -path "*/lib/modules/$kver/updates/*" -name "$m.ko*" | head -n 1)
		installed=$(find "/lib/modules/$kver/ceph-kmod-sets/current/" -name "$m.ko*" | head -n 1)
		if [[ -z "$inimg" || -L "$inimg" || ! -f "$inimg" ]]; then
			t_fail "$role: $m is a regular file under updates/ in the image (found '${inimg:-nothing}')"
			continue
		fi
		t_eq "$role: $m in the image is the installed set's module (build-id)" \
			"$(build_id "$installed")" "$(build_id "$inimg")"
	done
done

# The control: without the hook, 6.12's compressed modules leave dangling links.
kver=$(t_kernel newest612)
if [[ -n "$kver" && -d "/lib/modules/$kver/ceph-kmod-sets/current" ]] &&
	compgen -G "/lib/modules/$kver/ceph-kmod-sets/current/*.ko.xz" >/dev/null; then
	image "$kver" control CEPH_KMOD_INITRAMFS_HOOK=0 || true
	t_match "control: without the hook the $kver image has dangling module links (depmod fails)" \
		'depmod: ERROR' "$(cat "$work/control.log")"
fi
