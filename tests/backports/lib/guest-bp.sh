#!/bin/bash
# The backports job inside a test guest (copied to /run/ck/job.sh by the host). One guest tests
# two module sets in turn: "intree" (the kernel's own modules, loaded by path) and "ours"
# (ceph-kmod's: CK_OURS_DIR from a 9p share, or what modprobe resolves under updates/).
#   job.sh              for each set in $CK_SETS: load, run $CK_STEPS, unload
#   job.sh step NAME SET   one step for one set (own process, own set -e)
#   job.sh plan NAME SET   the checks step NAME reports for SET (host side, no side effects)
# Steps:
#   setlayout  CEPH_IOC_SET_LAYOUT by a non-owner (uid 1000) on an empty 0666 file, and by the
#              file's owner; records what happened and the layout read back
#   append     two CephFS client sessions (-o noshare, checked in the MDS's session list)
#              append fixed-size records with O_APPEND to one file, CK_APPEND_ROUNDS rounds
#   faults     krbd and CephFS writes of host-made data while the host restarts the OSD, the
#              MDS, and cuts the guest's link (events through files in /run/ck); sha256 after
#   capsnaps   CK_SNAP_RUNS runs of Ceph's qa fs/snaps/snaptest-multiple-capsnaps.sh scenario
#              (writes and chmods between five snapshots), every snapshot's content, size
#              and mode checked; a run fails when any snapshot is wrong
#   hardlink   CK_SNAP_RUNS / 2 rounds of Ceph's qa fs/snaps/snaptest-hardlink.sh scenario
#              (two hard-linked files, snapshot of the second link's directory, rewrite and
#              unlinks): the snapshot's copies must keep the old content
# Environment (/run/ck/env.sh): CK_ROLE CK_PORTS CK_MON1 CK_SETS CK_STEPS CK_OURS_DIR
# CK_APPEND_RECORDS CK_APPEND_ROUNDS CK_STEP_TIMEOUT CK_FAULT_EVENTS CK_SNAP_RUNS.
set -euo pipefail
shopt -s inherit_errexit

MODULES=(libceph rbd ceph nbd)
CONF=/run/ck/ceph.conf
MNT=/run/ck-mnt
BIN=/run/ck/bin

plan() {
	local step=$1 set=$2 ev c
	local -a checks=()
	case "$step" in
	load) checks=("load libceph rbd ceph nbd") ;;
	setlayout) checks=("cephfs mount" "setlayout non-owner" "setlayout owner") ;;
	append) checks=("two cephfs sessions (noshare)" "append records") ;;
	faults)
		for ev in ${CK_FAULT_EVENTS:-osd mds link}; do
			checks+=("fault $ev krbd sha256" "fault $ev cephfs sha256")
		done ;;
	capsnaps) checks=("cephfs snapshots allowed" "capsnaps runs") ;;
	hardlink) checks=("hardlink rounds") ;;
	unload) checks=("rmmod ceph rbd nbd libceph") ;;
	*) echo "plan: unknown step $step" >&2; return 2 ;;
	esac
	for c in "${checks[@]}"; do
		printf '%s: %s\n' "$set" "$c"
	done
}

step_load() {
	local set=$1
	g_begin "$set: load libceph rbd ceph nbd"
	g_insmod_set "$set" "${MODULES[@]}"
	g_ok "$(g_modfile "$set" libceph)"
}

step_unload() {
	local set=$1 m
	g_begin "$set: rmmod ceph rbd nbd libceph"
	for m in ceph rbd nbd libceph; do
		rmmod "$m"
	done
	g_ok
}

key() { cat /run/ck/admin.key; }
mount_fs() {
	mkdir -p "$1"
	mount -t ceph "$CK_MON1:/" "$1" -o "name=admin,secret=$(key)${2:+,$2}"
	mountpoint -q "$1"
}
# setlayout: objects of 1 MiB instead of the default 4 MiB, asked for by uid 1000.
step_setlayout() {
	local set=$1 m="$MNT/sl" d f out rc
	g_begin "$set: cephfs mount"
	mount_fs "$m"
	d="$m/bp-$CK_ROLE-$set"
	rm -rf "$d"
	mkdir -p "$d"
	chmod 0777 "$d"
	g_ok
	g_begin "$set: setlayout non-owner"
	f="$d/others"
	: >"$f"
	chmod 0666 "$f"
	rc=0
	out=$("$BIN/bp-setlayout" set "$f" 1000 1048576) || rc=$?
	g_rec INFO "$set setlayout non-owner" "rc=$rc $out; $("$BIN/bp-setlayout" get "$f")"
	case "$rc" in 0 | 3) g_ok "$out" ;; *) g_fail "bp-setlayout exited $rc: $out" ;; esac
	g_begin "$set: setlayout owner"
	f="$d/own"
	: >"$f"
	chown 1000:1000 "$f"
	rc=0
	out=$("$BIN/bp-setlayout" set "$f" 1000 1048576) || rc=$?
	g_rec INFO "$set setlayout owner" "rc=$rc $out; $("$BIN/bp-setlayout" get "$f")"
	((rc == 0)) || g_fail "the owner's SET_LAYOUT: $out (exit $rc)"
	g_ok "$out"
	umount "$m"
}

# sessions_from_guest: number of MDS sessions whose client runs on this guest.
sessions_from_guest() {
	timeout 60 ceph -c "$CONF" --id admin tell mds.a session ls -f json 2>/dev/null |
		jq '[.[] | select(.client_metadata.hostname == "ck-guest")] | length'
}

step_append() {
	local set=$1 a="$MNT/a" b="$MNT/b" d n i rc out lost=0 bad=0 damaged=0
	g_begin "$set: two cephfs sessions (noshare)"
	mount_fs "$a" noshare
	mount_fs "$b" noshare
	n=$(sessions_from_guest)
	g_rec INFO "$set sessions" "$n"
	[[ "$n" == 2 ]] || g_fail "the MDS lists $n sessions from this guest, not 2"
	g_ok "session ls: 2"
	g_begin "$set: append records"
	d="bp-$CK_ROLE-$set-append"
	rm -rf "${a:?}/$d"
	mkdir -p "$a/$d"
	for ((i = 1; i <= CK_APPEND_ROUNDS; i++)); do
		: >"$a/$d/log$i"
		rc=0
		out=$("$BIN/bp-append" "$a/$d/log$i" "$b/$d/log$i" "$CK_APPEND_RECORDS" 64) || rc=$?
		g_say "round $i: $out (exit $rc)"
		case "$rc" in
		0) ;;
		1) bad=$((bad + 1)) lost=$((lost + $(awk '{ print $10 }' <<<"$out"))) ;;
		*) g_fail "bp-append exited $rc: $out" ;;
		esac
		damaged=$((damaged + $(awk '{ print $12 }' <<<"$out")))
	done
	g_rec INFO "$set append" "$bad of $CK_APPEND_ROUNDS rounds lost records ($lost lost, $damaged damaged in all, $CK_APPEND_RECORDS per writer per round)"
	g_ok "$bad of $CK_APPEND_ROUNDS rounds lost records"
	umount "$b"
	umount "$a"
}

# snaps_dir SET NAME: a fresh CephFS directory for the step, mounted at $MNT/sn.
snaps_dir() {
	local d="$MNT/sn/bp-$CK_ROLE-$1-$2"
	mountpoint -q "$MNT/sn" || mount_fs "$MNT/sn"
	if [[ -d "$d" ]]; then
		rmdir "$d"/*/.snap/* "$d"/*/*/.snap/* 2>/dev/null || true
		rm -rf "$d"
	fi
	mkdir -p "$d"
	printf '%s\n' "$d"
}

# capsnaps: Ceph's qa scenario fs/snaps/snaptest-multiple-capsnaps.sh, CK_SNAP_RUNS times, each
# in a fresh directory: data and metadata changes between five snapshots, so that several
# capsnaps queue on one inode, some with dirty data, some metadata-only:
#   write "asdf", snap 1, chmod 777, snap 2, write "qwer", snap 3, chmod 666, snap 4,
#   write "zxcv", snap 5; then every snapshot's content, size (5) and mode are checked.
# A run fails when any snapshot is wrong; runs where snapshot 5 is wrong are counted apart.
snap_want() {
	case "$1" in
	1) echo "asdf 5 -rw-r--r--" ;;
	2) echo "asdf 5 -rwxrwxrwx" ;;
	3) echo "qwer 5 -rwxrwxrwx" ;;
	4) echo "qwer 5 -rw-rw-rw-" ;;
	5) echo "zxcv 5 -rw-rw-rw-" ;;
	esac
}

# snap_got FILE: "content size mode" of a snapshot's copy (content with NUL bytes shown as @).
snap_got() {
	local c
	c=$(tr '\000' @ <"$1" | head -c 40 | tr -d '\n')
	printf '%s %s\n' "${c:-empty}" "$(stat -c '%s %A' "$1")"
}

step_capsnaps() {
	local set=$1 d r i k got failed=0 last=0 bad detail="" runs=${CK_SNAP_RUNS:-10}
	g_begin "$set: cephfs snapshots allowed"
	d=$(snaps_dir "$set" capsnaps)
	mkdir "$d/.snap/probe" || g_fail "mkdir $d/.snap/probe refused (allow_new_snaps?)"
	rmdir "$d/.snap/probe"
	g_ok
	g_begin "$set: capsnaps runs"
	for ((i = 1; i <= runs; i++)); do
		r="$d/r$i"
		mkdir "$r"
		(
			cd "$r"
			umask 022
			echo asdf >a
			mkdir .snap/1
			chmod 777 a
			mkdir .snap/2
			echo qwer >a
			mkdir .snap/3
			chmod 666 a
			mkdir .snap/4
			echo zxcv >a
			mkdir .snap/5
			ls -al .snap/?/a >/dev/null
		)
		bad=""
		for k in 1 2 3 4 5; do
			got=$(snap_got "$r/.snap/$k/a")
			[[ "$got" == "$(snap_want "$k")" ]] || bad+=" s$k:${got// /,}"
		done
		if [[ -n "$bad" ]]; then
			failed=$((failed + 1))
			[[ "$bad" != *" s5:"* ]] || last=$((last + 1))
			detail+=" run${i}[${bad# }]"
			g_say "run $i: wrong snapshot:$bad"
		fi
		rmdir "$r"/.snap/[12345]
	done
	umount "$MNT/sn"
	g_rec INFO "$set capsnaps" "$failed of $runs runs${detail:+:$detail}"
	g_rec INFO "$set capsnaps s5" "$last of $runs runs"
	g_ok "$runs runs of snaptest-multiple-capsnaps: a snapshot wrong in $failed (snapshot 5 in $last)${detail:+:$detail}"
}

# hardlink: Ceph's qa scenario fs/snaps/snaptest-hardlink.sh, CK_SNAP_RUNS / 2 rounds (at least
# 2): file1 and file2 in directory 1, hard links to both in directory 2, a snapshot of 2, then
# file1 rewritten through 1/, file2 unlinked in 1/ and then in 2/: after each change the
# snapshot's copy must still hold "asdf". A round fails when any of the three reads does not.
step_hardlink() {
	local set=$1 d r i got bad failed=0 detail="" rounds=$((${CK_SNAP_RUNS:-10} / 2))
	((rounds >= 2)) || rounds=2
	g_begin "$set: hardlink rounds"
	d=$(snaps_dir "$set" hardlink)
	for ((i = 1; i <= rounds; i++)); do
		r="$d/h$i"
		mkdir "$r"
		bad=""
		cd "$r"
		mkdir 1 2
		echo asdf >1/file1
		echo asdf >1/file2
		ln 1/file1 2/file1
		ln 1/file2 2/file2
		mkdir 2/.snap/s1
		echo qwer >1/file1
		got=$(snap_got 2/.snap/s1/file1)
		[[ "$got" == "asdf 5 "* ]] || bad+=" file1-after-rewrite:${got// /,}"
		rm -f 1/file2
		got=$(snap_got 2/.snap/s1/file2)
		[[ "$got" == "asdf 5 "* ]] || bad+=" file2-after-rm-1:${got// /,}"
		rm -f 2/file2
		got=$(snap_got 2/.snap/s1/file2)
		[[ "$got" == "asdf 5 "* ]] || bad+=" file2-after-rm-2:${got// /,}"
		rmdir 2/.snap/s1
		rm -rf 1 2
		cd /
		if [[ -n "$bad" ]]; then
			failed=$((failed + 1))
			detail+=" round${i}[${bad# }]"
			g_say "round $i: the snapshot lost the old content:$bad"
		fi
	done
	umount "$MNT/sn"
	g_rec INFO "$set hardlink" "$failed of $rounds rounds${detail:+:$detail}"
	g_ok "$failed of $rounds rounds of snaptest-hardlink: the snapshot lost the old content${detail:+:$detail}"
}

# The host's side of an event: the guest writes /run/ck/ev-NAME.ready once IO is under way,
# the host writes ev-NAME.started when the fault is in place (OSD/MDS killed, link down) and
# ev-NAME.done when it is over (daemon back, link up).
wait_file() {
	local f=$1 limit=$2 end=$((SECONDS + $2))
	until [[ -e "$f" ]]; do
		((SECONDS < end)) || { echo "no $f after ${limit}s" >&2; return 1; }
		sleep 0.2
	done
}

want() { awk -v n="$1" '$1 == n { print $2 }' /run/ck/sums; }

# fault_event SET EV: krbd (raw device, O_DIRECT) and CephFS writers, each writing its first
# half, then the host's fault, then the second half during it; sha256 of both read back.
fault_event() {
	local set=$1 ev=$2 dev fs="$MNT/fault" half dpid fpid rc img
	img="rbd/bp-$CK_ROLE-fault"
	half=$((CK_FAULT_MB / 2))
	dev=$(timeout 120 rbd -c "$CONF" --id admin device map -o noudev "$img")
	mount_fs "$fs"
	mkdir -p "$fs/bp-$CK_ROLE"
	rm -f "$fs/bp-$CK_ROLE/$set-$ev"
	(
		dd if=/run/ck/data/fault of="$dev" bs=1M count="$half" oflag=direct status=none
		wait_file "/run/ck/ev-$set-$ev.started" 300
		dd if=/run/ck/data/fault of="$dev" bs=1M skip="$half" seek="$half" oflag=direct status=none
	) &
	dpid=$!
	(
		dd if=/run/ck/data/fault of="$fs/bp-$CK_ROLE/$set-$ev" bs=1M count="$half" status=none
		wait_file "/run/ck/ev-$set-$ev.started" 300
		dd if=/run/ck/data/fault of="$fs/bp-$CK_ROLE/$set-$ev" bs=1M skip="$half" seek="$half" \
			conv=notrunc,fsync status=none
	) &
	fpid=$!
	sleep 1
	: >"/run/ck/ev-$set-$ev.ready"
	wait_file "/run/ck/ev-$set-$ev.done" 400
	rc=0
	wait "$dpid" || rc=$?
	g_begin "$set: fault $ev krbd sha256"
	((rc == 0)) || g_fail "krbd writer exited $rc"
	g_drop_caches
	g_same "$(want fault)" "$(head -c "$((CK_FAULT_MB * 1048576))" "$dev" | sha256sum | cut -d' ' -f1)"
	g_ok "$dev, ${CK_FAULT_MB} MiB"
	rc=0
	wait "$fpid" || rc=$?
	g_begin "$set: fault $ev cephfs sha256"
	((rc == 0)) || g_fail "cephfs writer exited $rc"
	umount "$fs"
	g_drop_caches
	mount_fs "$fs"
	g_same "$(want fault)" "$(g_sum "$fs/bp-$CK_ROLE/$set-$ev")"
	g_ok
	umount "$fs"
	timeout 120 rbd -c "$CONF" --id admin device unmap -o noudev "$dev"
}

step_faults() {
	local set=$1 ev
	for ev in ${CK_FAULT_EVENTS:-osd mds link}; do
		fault_event "$set" "$ev"
	done
}

cleanup() { g_cleanup "$MNT"; }

run_step() {
	local rc=0
	g_traps
	trap 'rc=$?; ((rc == 0)) || cleanup; exit $rc' EXIT
	case "$1" in
	load) step_load "$2" ;;
	unload) step_unload "$2" ;;
	setlayout) step_setlayout "$2" ;;
	append) step_append "$2" ;;
	faults) step_faults "$2" ;;
	capsnaps) step_capsnaps "$2" ;;
	hardlink) step_hardlink "$2" ;;
	*) echo "unknown step $1" >&2; return 2 ;;
	esac
}

main() {
	if [[ "${1:-}" == plan ]]; then
		plan "$2" "$3"
		return
	fi
	# shellcheck source=/dev/null
	. /run/ck/env.sh
	# shellcheck source=../../vm/lib/guest-lib.sh
	. /run/ck/guest-lib.sh
	g_job_main job_steps "$@"
}

job_steps() {
	local set step
	for set in $CK_SETS; do
		g_step "load $set" 120 bash /run/ck/job.sh step load "$set"
		[[ -d /sys/module/libceph ]] || continue
		for step in $CK_STEPS; do
			g_step "$step $set" "${CK_STEP_TIMEOUT:-600}" bash /run/ck/job.sh step "$step" "$set"
		done
		g_step "unload $set" 120 bash /run/ck/job.sh step unload "$set"
	done
}

main "$@"
