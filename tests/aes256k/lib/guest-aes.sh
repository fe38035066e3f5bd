#!/bin/bash
# The aes256k job inside a test guest (copied to /run/ck/job.sh by the host). The guest cannot
# run Ceph 20.2.4's tools, and 16.2.15's cannot read a type-2 key: everything goes through the
# kernel's own interfaces, /sys/bus/rbd/add_single_major and mount -t ceph, with secret=.
#   job.sh                     for each SET:EXPECT in $CK_SETS: load, the checks, unload
#   job.sh step NAME SET       one step for one set (own process, own set -e)
#   job.sh plan SET EXPECT     the checks reported for SET (host side, no side effects)
# EXPECT "refuse": the set cannot take an aes256k key (in-tree before 7.0): a krbd map and a
# CephFS mount must fail, the kernel's lines are recorded. EXPECT "work": krbd and CephFS over
# ms_mode legacy (msgr1, signed), crc and secure (msgr2) with sha256 of host-made data; IO
# across >= 2 ticket renewals (dynamic debug of auth_x.c) and an OSD restart made by the host;
# a wrong aes256k key refused (krbd: EACCES; CephFS: the kernel's -13); an aes (type 1) key on the aes+aes256k cluster.
# Environment (/run/ck/env.sh): CK_ROLE CK_PORTS CK_SETS CK_MON CK_MON2 (v2 ports; v1 = +1)
# CK_OURS_DIR CK_MODDIR (a module tree to bind over /lib/modules) CK_TTL CK_RENEW_MB.
set -euo pipefail
shopt -s inherit_errexit

MODULES=(libceph rbd ceph)
MNT=/run/ck-mnt
DATA=/run/ck/data
MODES=(legacy crc secure)

plan() {
	local set=$1 expect=$2 m
	echo "$set: load libceph rbd ceph"
	[[ "$set" != ours ]] || echo "$set: libceph's aes256k crypto ready at load"
	if [[ "$expect" == refuse ]]; then
		echo "$set: aes256k krbd map refused"
		echo "$set: aes256k cephfs mount refused"
	else
		for m in "${MODES[@]}"; do
			echo "$set: krbd $m sha256"
			echo "$set: cephfs $m sha256"
		done
		echo "$set: ticket renewals during io"
		echo "$set: krbd sha256 across renewals and an osd restart"
		echo "$set: cephfs sha256 across renewals and an osd restart"
		echo "$set: wrong aes256k key refused (krbd EACCES, cephfs auth -13)"
		echo "$set: aes key on an aes+aes256k cluster (krbd, cephfs)"
	fi
	echo "$set: rmmod ceph rbd libceph"
}

key() { cat "/run/ck/${1:-key}"; }
want() { awk -v n="$1" '$1 == n { print $2 }' /run/ck/sums; }
# mon MODE [CLUSTER]: the monitor address for that ms_mode (msgr1 port = msgr2 port + 1).
mon() {
	local a=${2:-$CK_MON}
	if [[ "$1" == legacy ]]; then printf '127.0.0.1:%s\n' "$((${a##*:} + 1))"; else printf '%s\n' "$a"; fi
}
dmesg_mark() { dmesg | wc -l; }
# dmesg_since MARK: the kernel's Ceph lines after MARK, on one line.
dmesg_since() { dmesg | tail -n +"$(($1 + 1))" | grep -E 'libceph|rbd|ceph' | tail -n 6 | tr '\n' '|' | sed 's/|$//'; }

# map IMAGE MODE [KEYFILE [NAME [CLUSTER]]]: krbd through sysfs, prints /dev/rbdN.
map() {
	local img=$1 mode=$2 kf=${3:-key} name=${4:-admin} cl=${5:-$CK_MON} d
	local -A before=()
	for d in /sys/bus/rbd/devices/*; do before[${d##*/}]=1; done
	echo "$(mon "$mode" "$cl") name=$name,secret=$(key "$kf"),ms_mode=$mode rbd $img -" >/sys/bus/rbd/add_single_major || return
	for d in /sys/bus/rbd/devices/*; do
		[[ -e "$d" && -z "${before[${d##*/}]:-}" ]] || continue
		printf '/dev/rbd%s\n' "${d##*/}"
		return 0
	done
	echo "map $img: no new device" >&2
	return 1
}
unmap() { echo "${1#/dev/rbd}" >/sys/bus/rbd/remove_single_major; }
# fsmount DIR MODE [KEYFILE [NAME [CLUSTER]]]: CephFS, no mount.ceph helper (-i).
fsmount() {
	local d=$1 mode=$2 kf=${3:-key} name=${4:-admin} cl=${5:-$CK_MON}
	mkdir -p "$d"
	mount -i -t ceph "$(mon "$mode" "$cl"):/" "$d" -o "name=$name,secret=$(key "$kf"),ms_mode=$mode"
	mountpoint -q "$d"
}
# rbd_io DEV NAME: writes DATA/NAME to DEV (O_DIRECT), reads it back uncached, compares.
rbd_io() {
	local dev=$1 n=$2 size
	size=$(stat -c %s "$DATA/$n")
	dd if="$DATA/$n" of="$dev" bs=1M oflag=direct status=none
	g_drop_caches
	g_same "$(want "$n")" "$(head -c "$size" "$dev" | sha256sum | cut -d' ' -f1)"
}
# fs_io DIR FILE NAME: writes DATA/NAME to DIR/FILE, fsync, remount-free uncached read back.
fs_io() {
	local d=$1 f=$2 n=$3
	rm -f "${d:?}/$f"
	dd if="$DATA/$n" of="$d/$f" bs=1M conv=fsync status=none
	g_rec INFO "cephfs $f" "$(printf '%x' "$(stat -c %i "$d/$f")") $(stat -c %s "$d/$f")"
	g_drop_caches
	g_same "$(want "$n")" "$(g_sum "$d/$f")"
}

step_load() {
	local set=$1 m line f
	g_begin "$set: load libceph rbd ceph"
	# aes256k in 7.0+ goes through crypto/krb5 (a module in Debian's 7.2)
	for m in krb5 krb5enc; do
		modprobe -q "$m" 2>/dev/null || true
	done
	g_insmod_set "$set" "${MODULES[@]}"
	g_ok "$(g_modfile "$set" libceph)"
	[[ "$set" == ours ]] || return 0
	# Our libceph runs the RFC 8009 known-answer tests when it loads (patches/compat/0002),
	# where the kernel has no crypto/krb5; built from a 7.x source it uses the kernel's
	# crypto/krb5 (which runs its own self-tests) and depends on krb5.ko.
	g_begin "$set: libceph's aes256k crypto ready at load"
	f=$(g_modfile "$set" libceph)
	if [[ "$(modinfo -F ceph_kmod_compat "$f")" != *'!HAVE_CRYPTO_KRB5'* ]]; then
		[[ ",$(modinfo -F depends "$f")," == *,krb5,* ]] || g_fail "neither the compat RFC 8009 code nor a krb5 dependency in $f"
		g_ok "the kernel's crypto/krb5 (libceph depends on krb5)"
		return 0
	fi
	line=$(dmesg | grep -E 'libceph: aes256k' | tail -n 1)
	[[ "$line" == *"libceph: aes256k (RFC 8009) self-tests passed"* ]] || g_fail "${line:-no aes256k self-test line in dmesg}"
	g_ok "${line#*] }"
}

step_unload() {
	local set=$1 m
	g_begin "$set: rmmod ceph rbd libceph"
	for m in ceph rbd libceph; do
		rmmod "$m"
	done
	g_ok
}

# refuse: the in-tree module of a kernel before 7.0 cannot take the key.
step_refuse() {
	local set=$1 mark out rc
	g_begin "$set: aes256k krbd map refused"
	mark=$(dmesg_mark)
	rc=0
	out=$(map "aes-$CK_ROLE-probe" legacy 2>&1) || rc=$?
	g_rec INFO "$set map refusal" "$(dmesg_since "$mark")"
	if ((rc == 0)); then
		unmap "$out" || true
		g_fail "the map succeeded ($out): the test cannot tell in-tree from ours"
	fi
	# refused for the key, not for something else (an unreachable monitor fails too)
	grep -Eq 'secret|key' <<<"$(dmesg_since "$mark")" || g_fail "failed, but the kernel said nothing about the key: ${out##*: }"
	g_ok "${out##*: }; kernel: $(dmesg_since "$mark")"
	g_begin "$set: aes256k cephfs mount refused"
	mark=$(dmesg_mark)
	rc=0
	out=$(fsmount "$MNT/refuse" legacy 2>&1) || rc=$?
	g_rec INFO "$set mount refusal" "$(dmesg_since "$mark")"
	if ((rc == 0)); then
		umount "$MNT/refuse" || true
		g_fail "the mount succeeded: the test cannot tell in-tree from ours"
	fi
	grep -Eq 'secret|key' <<<"$(dmesg_since "$mark")" || g_fail "failed, but the kernel said nothing about the key: $(head -n 1 <<<"$out")"
	g_ok "$(head -n 1 <<<"$out"); kernel: $(dmesg_since "$mark")"
}

step_modes() {
	local set=$1 m dev
	for m in "${MODES[@]}"; do
		g_begin "$set: krbd $m sha256"
		dev=$(map "aes-$CK_ROLE-$set-$m" "$m")
		rbd_io "$dev" "$m"
		unmap "$dev"
		g_ok "$dev, $(($(stat -c %s "$DATA/$m") >> 20)) MiB, ms_mode=$m"
		g_begin "$set: cephfs $m sha256"
		fsmount "$MNT/fs-$m" "$m"
		fs_io "$MNT/fs-$m" "aes-$CK_ROLE-$set-$m" "$m"
		umount "$MNT/fs-$m"
		g_ok "ms_mode=$m"
	done
}

wait_file() {
	local f=$1 limit=$2 end=$((SECONDS + $2))
	until [[ -e "$f" ]]; do
		((SECONDS < end)) || { echo "no $f after ${limit}s" >&2; return 1; }
		sleep 0.5
	done
}
# renewals: osd service tickets received since the debug was switched on, minus the first.
tickets() { dmesg | grep -cE 'got ticket service 4 \(osd\)' || true; }

# renew: krbd (msgr1, signed) and CephFS (msgr2 secure) writers, 1 MiB each pause, across
# >= 2 service ticket renewals; the host restarts the OSD midway (files ev-SET.*).
step_renew() {
	local set=$1 dev fs="$MNT/renew" n=renew mb pause i dpid fpid rc t0 t c0 c
	mb=$CK_RENEW_MB
	# 2.5 ticket lifetimes in all, so the IO spans at least two renewals (at 3/4 of the ttl)
	pause=$(((CK_TTL * 5 / 2 + mb - 1) / mb))
	echo 'module libceph file auth_x.c +p' >/sys/kernel/debug/dynamic_debug/control
	c0=$(tickets)
	t0=$SECONDS
	dev=$(map "aes-$CK_ROLE-$set-renew" legacy)
	fsmount "$fs" secure
	rm -f "$fs/aes-$CK_ROLE-$set-renew"
	(
		for ((i = 0; i < mb; i++)); do
			dd if="$DATA/$n" of="$dev" bs=1M skip="$i" seek="$i" count=1 oflag=direct status=none
			((i != mb / 2)) || : >"/run/ck/ev-$set.ready"
			sleep "$pause"
		done
	) &
	dpid=$!
	(
		for ((i = 0; i < mb; i++)); do
			dd if="$DATA/$n" of="$fs/aes-$CK_ROLE-$set-renew" bs=1M skip="$i" seek="$i" count=1 \
				conv=notrunc,fsync status=none
			sleep "$pause"
		done
	) &
	fpid=$!
	rc=0
	wait "$dpid" || rc=$?
	wait_file "/run/ck/ev-$set.done" 300 || true
	local frc=0
	wait "$fpid" || frc=$?
	t=$((SECONDS - t0))
	c=$(($(tickets) - c0))
	echo 'module libceph file auth_x.c -p' >/sys/kernel/debug/dynamic_debug/control
	g_begin "$set: ticket renewals during io"
	g_rec INFO "$set renewals" "$c osd tickets in ${t}s (ttl $CK_TTL)"
	# the first osd ticket came with the map; each later one is a renewal
	((c - 1 >= 2)) || g_fail "$((c - 1)) renewals of osd tickets in ${t}s of IO (ttl ${CK_TTL}s)"
	g_ok "$((c - 1)) renewals of osd tickets (krbd and CephFS clients) in ${t}s of IO (ttl ${CK_TTL}s)"
	g_begin "$set: krbd sha256 across renewals and an osd restart"
	[[ -e "/run/ck/ev-$set.done" ]] || g_fail "the host never restarted the OSD"
	[[ "$(cat "/run/ck/ev-$set.done")" == 0 ]] || g_fail "the host's OSD restart failed (status $(cat "/run/ck/ev-$set.done"))"
	((rc == 0)) || g_fail "krbd writer exited $rc"
	g_drop_caches
	g_same "$(want "$n")" "$(head -c "$((mb << 20))" "$dev" | sha256sum | cut -d' ' -f1)"
	g_ok "$dev, $mb MiB, ms_mode=legacy (signed)"
	unmap "$dev"
	g_begin "$set: cephfs sha256 across renewals and an osd restart"
	((frc == 0)) || g_fail "cephfs writer exited $frc"
	g_rec INFO "cephfs aes-$CK_ROLE-$set-renew" "$(printf '%x' "$(stat -c %i "$fs/aes-$CK_ROLE-$set-renew")") $(stat -c %s "$fs/aes-$CK_ROLE-$set-renew")"
	g_drop_caches
	g_same "$(want "$n")" "$(g_sum "$fs/aes-$CK_ROLE-$set-renew")"
	g_ok "ms_mode=secure"
	umount "$fs"
}

# wrongkey: the krbd map fails with EACCES. A CephFS mount fails with EHOSTUNREACH instead
# (measured: Linux 7.2's own client does the same, over msgr1 and msgr2), so for the mounts the
# kernel's "authentication failed: -13" is what is checked, after each.
step_wrongkey() {
	local set=$1 mark m2 m3 out1 out2 out3 rc1=0 rc2=0 rc3=0
	g_begin "$set: wrong aes256k key refused (krbd EACCES, cephfs auth -13)"
	mark=$(dmesg_mark)
	out1=$(map "aes-$CK_ROLE-$set-legacy" legacy key-wrong 2>&1) || rc1=$?
	m2=$(dmesg_mark)
	out2=$(fsmount "$MNT/wrong" legacy key-wrong 2>&1) || rc2=$?
	m3=$(dmesg_mark)
	out3=$(fsmount "$MNT/wrong2" secure key-wrong 2>&1) || rc3=$?
	g_rec INFO "$set wrong key" "map: $out1; mount: $out2; mount secure: $out3; kernel: $(dmesg_since "$mark")"
	((rc1 != 0)) || { unmap "$out1"; g_fail "the map with a wrong key succeeded"; }
	((rc2 != 0)) || { umount "$MNT/wrong"; g_fail "the msgr1 mount with a wrong key succeeded"; }
	((rc3 != 0)) || { umount "$MNT/wrong2"; g_fail "the msgr2 mount with a wrong key succeeded"; }
	grep -q 'Permission denied' <<<"$out1" || g_fail "map: not EACCES: $out1"
	grep -q 'authentication failed: -13' <<<"$(dmesg_since "$m2")" ||
		g_fail "msgr1 mount: no 'authentication failed: -13' from the kernel: $out2"
	grep -q 'authentication failed: -13' <<<"$(dmesg_since "$m3")" ||
		g_fail "msgr2 mount: no 'authentication failed: -13' from the kernel: $out3"
	g_ok "map: Permission denied; mounts (msgr1, msgr2): $(sed -n 's/.*failed: //p' <<<"$out2" | head -n 1) with the kernel's -13; kernel: $(dmesg_since "$mark")"
}

step_aeskey() {
	local set=$1 dev
	g_begin "$set: aes key on an aes+aes256k cluster (krbd, cephfs)"
	dev=$(map "aes-$CK_ROLE-$set-aeskey" legacy key-aes aes "$CK_MON2")
	rbd_io "$dev" aeskey
	unmap "$dev"
	fsmount "$MNT/aeskey" secure key-aes aes "$CK_MON2"
	fs_io "$MNT/aeskey" "aes-$CK_ROLE-$set-aeskey" aeskey
	umount "$MNT/aeskey"
	g_ok "client.aes (type 1), krbd ms_mode=legacy, cephfs ms_mode=secure"
}

cleanup() { g_cleanup "$MNT"; }

run_step() {
	local rc=0
	g_traps
	trap 'rc=$?; ((rc == 0)) || cleanup; exit $rc' EXIT
	case "$1" in
	load) step_load "$2" ;;
	unload) step_unload "$2" ;;
	refuse) step_refuse "$2" ;;
	modes) step_modes "$2" ;;
	renew) step_renew "$2" ;;
	wrongkey) step_wrongkey "$2" ;;
	aeskey) step_aeskey "$2" ;;
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
	local spec set expect step
	# a kernel unpacked outside the host's /lib/modules (the 7.2 anchor)
	[[ -z "${CK_MODDIR:-}" ]] || mount --bind "$CK_MODDIR" /lib/modules
	mkdir -p "$MNT"
	for spec in $CK_SETS; do
		set=${spec%%:*} expect=${spec#*:}
		g_step "load $set" 120 bash /run/ck/job.sh step load "$set"
		[[ -d /sys/module/libceph ]] || continue
		if [[ "$expect" == refuse ]]; then
			g_step "refuse $set" 120 bash /run/ck/job.sh step refuse "$set"
		else
			for step in modes renew wrongkey aeskey; do
				g_step "$step $set" "${CK_STEP_TIMEOUT:-400}" bash /run/ck/job.sh step "$step" "$set"
			done
		fi
		g_step "unload $set" 120 bash /run/ck/job.sh step unload "$set"
	done
}

main "$@"
