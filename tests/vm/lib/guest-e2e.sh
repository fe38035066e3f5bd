#!/bin/bash
# The end-to-end job inside a test guest (copied to /run/ck/job.sh by the host).
#   job.sh              run the steps in $CK_STEPS, each as its own process with a time limit
#   job.sh step NAME    run one step
#   job.sh plan NAME    print the checks step NAME reports (used by the host, no side effects)
# Environment from /run/ck/env.sh (written by the host): CK_ROLE CK_PORTS CK_MON1 CK_STEPS
# CK_DATA_MB CK_IMG CK_IMG_MB CK_EXPECT_OURS CK_VM_BREAK. The data written comes from the host
# (/run/ck/data/NAME, random, sums in /run/ck/sums): the guest never picks its own answers.
set -euo pipefail
shopt -s inherit_errexit

MODULES=(libceph rbd ceph nbd)
CONF=/run/ck/ceph.conf
MNT=/run/ck-mnt
DATA=/run/ck/data

plan() {
	case "$1" in
	modules)
		echo "modprobe libceph rbd ceph nbd"
		printf 'build-id %s\n' "${MODULES[@]}"
		echo "modules are ours (dkms)" ;;
	krbd1) printf 'krbd msgr1 %s\n' write sha256 snapshot resize unmap ;;
	krbd2) printf 'krbd msgr2 %s\n' write sha256 unmap ;;
	cephfs) printf 'cephfs %s\n' mount write+fsync sha256 ;;
	nbd) printf 'rbd-nbd %s\n' write sha256 ;;
	rmmod) echo "rmmod ceph rbd nbd libceph" ;;
	*) echo "plan: unknown step $1" >&2; return 2 ;;
	esac
}

rbd_() { timeout 120 rbd -c "$CONF" --id admin "$@"; }
map() {
	g_say "map $1 ${2:-}" >&2
	rbd_ device map -o "noudev${2:+,$2}" "$1"
}
unmap() {
	g_say "unmap $1"
	rbd_ device unmap -o noudev "$1"
}
mnt() {
	mkdir -p "$2"
	mount "${@:3}" "$1" "$2"
	mountpoint -q "$2"
}
mkfs() { timeout 120 mkfs.ext4 -q -F -E nodiscard,lazy_itable_init=1,lazy_journal_init=1 "$1"; }
# want NAME: the host's sha256 of /run/ck/data/NAME.
want() { awk -v n="$1" '$1 == n { print $2 }' /run/ck/sums; }

# Leave no mount or mapping behind when a step fails, so later steps can still run.
cleanup() {
	local d
	g_cleanup "$MNT"
	for d in /dev/nbd*; do
		[[ -e "/sys/block/${d##*/}/pid" ]] && { timeout 30 rbd-nbd unmap "$d" || true; }
	done
	return 0
}

step_modules() {
	local m file sid fid kver notours=""
	kver=$(uname -r)
	g_begin "modprobe libceph rbd ceph nbd"
	modprobe -a "${MODULES[@]}"
	for m in "${MODULES[@]}"; do
		[[ -d "/sys/module/$m" ]] || g_fail "$m not loaded"
	done
	g_ok
	for m in "${MODULES[@]}"; do
		g_begin "build-id $m"
		file=$(modinfo -k "$kver" -n "$m")
		sid=$(g_build_id_loaded "$m")
		fid=$(g_build_id_file "$file")
		g_rec INFO "module $m" "$file $sid"
		[[ -n "$sid" ]] || g_fail "no build-id in /sys/module/$m/notes"
		[[ "$sid" == "$fid" ]] || g_fail "loaded $sid != $file $fid"
		g_ok "$file"
		case "$file" in
		*/updates/* | */extra/*) ;;
		*) notours="$notours $m=$file" ;;
		esac
	done
	g_begin "modules are ours (dkms)"
	if [[ -z "$notours" ]]; then
		g_ok
	elif [[ "${CK_EXPECT_OURS:-0}" == 1 ]]; then
		g_fail "dkms has ceph-kmod installed for $kver but modprobe resolved in-tree:$notours"
	else
		g_skip "no dkms-installed ceph-kmod for $kver; in-tree modules loaded"
	fi
}

# krbd MODE(msgr1|msgr2) OPTS
step_krbd() {
	local mode=$1 opts=$2 img="rbd/$CK_IMG-krbd-$1" dev dev2 sdev id sum got size
	local m="$MNT/krbd-$mode"
	sum=$(want "krbd-$mode")

	g_begin "krbd $mode write"
	dev=$(map "$img" "$opts")
	mkfs "$dev"
	mnt "$dev" "$m"
	cp "$DATA/krbd-$mode" "$m/data.bin"
	sync
	umount "$m"
	unmap "$dev"
	g_ok "$dev, ${CK_DATA_MB} MiB, ${opts:-msgr1 default}"

	g_begin "krbd $mode sha256"
	g_drop_caches
	dev=$(map "$img" "$opts")
	mnt "$dev" "$m"
	got=$(g_sum "$m/data.bin")
	umount "$m"
	g_same "$sum" "$got"
	g_ok
	if [[ "$mode" == msgr1 ]]; then
		unmap "$dev"
		g_begin "krbd $mode snapshot"
		rbd_ snap create --no-progress "$img@s1"
		g_say "snap created"
		dev=$(map "$img" "$opts")
		mnt "$dev" "$m"
		cp "$DATA/krbd-$mode-head" "$m/data.bin"
		sync
		umount "$m"
		g_drop_caches
		sdev=$(map "$img@s1" "${opts:+$opts,}ro")
		mnt "$sdev" "$MNT/snap" -o ro,noload
		got=$(g_sum "$MNT/snap/data.bin")
		umount "$MNT/snap"
		unmap "$sdev"
		g_same "$sum" "$got"
		g_ok "head rewritten, $img@s1 read-only holds the old data"

		g_begin "krbd $mode resize"
		id=${dev#/dev/rbd}
		rbd_ resize --no-progress --size "$((CK_IMG_MB + 64))M" "$img"
		echo 1 >"/sys/bus/rbd/devices/$id/refresh"
		size=$(blockdev --getsize64 "$dev")
		[[ "$size" == $(((CK_IMG_MB + 64) * 1024 * 1024)) ]] || g_fail "size after refresh $size"
		g_ok "$size bytes"
	fi
	g_begin "krbd $mode unmap"
	unmap "$dev"
	for dev2 in /sys/bus/rbd/devices/*; do
		[[ -e "$dev2" ]] && g_fail "still mapped: $(cat "$dev2/name")"
	done
	g_ok
}

step_cephfs() {
	local m="$MNT/fs" key dir sum1 sum2 got1 got2
	key=$(cat /run/ck/admin.key)
	g_begin "cephfs mount"
	mnt "$CK_MON1:/" "$m" -i -t ceph -o "name=admin,secret=$key"
	g_ok "$CK_MON1"
	g_begin "cephfs write+fsync"
	dir="$m/$CK_IMG"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$DATA/fs-big" "$dir/big"
	sync "$dir/big"
	printf 'ceph-kmod %s %s\n' "$CK_ROLE" "$(uname -r)" >"$dir/small"
	sync "$dir/small" "$dir"
	sum1=$(want fs-big)
	sum2=$(g_sum "$dir/small")
	g_rec INFO "cephfs-big inode" "$(stat -c %i "$dir/big")"
	g_rec INFO "cephfs-big size" "$(stat -c %s "$dir/big")"
	umount "$m"
	g_ok
	g_begin "cephfs sha256"
	g_drop_caches
	mnt "$CK_MON1:/" "$m" -i -t ceph -o "name=admin,secret=$key"
	got1=$(g_sum "$dir/big")
	got2=$(g_sum "$dir/small")
	umount "$m"
	g_same "$sum1 $sum2" "$got1 $got2"
	g_ok
}

nbd_map() {
	timeout 120 rbd-nbd -c "$CONF" --id admin map "$1" >/run/tmp/nbd.out 2>&1 ||
		{ cat /run/tmp/nbd.out; return 1; }
	head -n 1 /run/tmp/nbd.out
}
nbd_unmap() { timeout 60 rbd-nbd unmap "$1"; }

step_nbd() {
	local img="rbd/$CK_IMG-nbd" m="$MNT/nbd" dev sum got
	sum=$(want nbd)
	g_begin "rbd-nbd write"
	dev=$(nbd_map "$img")
	[[ -b "$dev" ]] || g_fail "rbd-nbd map printed '$dev'"
	mkfs "$dev"
	mnt "$dev" "$m"
	cp "$DATA/nbd" "$m/data.bin"
	sync
	umount "$m"
	nbd_unmap "$dev"
	g_ok "$dev"
	g_begin "rbd-nbd sha256"
	g_drop_caches
	dev=$(nbd_map "$img")
	mnt "$dev" "$m"
	got=$(g_sum "$m/data.bin")
	umount "$m"
	nbd_unmap "$dev"
	g_same "$sum" "$got"
	g_ok
}

step_rmmod() {
	local m
	g_begin "rmmod ceph rbd nbd libceph"
	for m in ceph rbd nbd libceph; do
		rmmod "$m"
	done
	for m in "${MODULES[@]}"; do
		[[ ! -d "/sys/module/$m" ]] || g_fail "$m still loaded"
	done
	g_ok
}

run_step() {
	local rc=0
	g_traps
	trap 'rc=$?; ((rc == 0)) || cleanup; exit $rc' EXIT
	case "$1" in
	modules) step_modules ;;
	krbd1) step_krbd msgr1 "" ;;
	krbd2) step_krbd msgr2 "ms_mode=secure" ;;
	cephfs) step_cephfs ;;
	nbd) step_nbd ;;
	rmmod) step_rmmod ;;
	*) echo "unknown step $1" >&2; return 2 ;;
	esac
}

job_steps() {
	local step
	for step in $CK_STEPS; do
		g_step "$step" "${CK_STEP_TIMEOUT:-240}" bash /run/ck/job.sh step "$step"
	done
}

main() {
	if [[ "${1:-}" == plan ]]; then
		plan "$2"
		return
	fi
	# shellcheck source=/dev/null
	. /run/ck/env.sh
	# shellcheck source=guest-lib.sh
	. /run/ck/guest-lib.sh
	g_job_main job_steps "$@"
}

main "$@"
