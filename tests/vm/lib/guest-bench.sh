#!/bin/bash
# Guest job of bench/vm-krbd.sh (copied to /run/ck/job.sh). For each round, for each module
# set (in-tree, ours): load the set's libceph + rbd with insmod, map the image, run the fio
# workloads on the raw device, unmap, unload. One line per run in /run/ck/bench:
#   ROUND SET WORKLOAD BW_KiB_s IOPS
# Environment from /run/ck/env.sh: CK_ROUNDS CK_DEPS (modules libceph needs, loaded once)
# CK_INTREE_LIBCEPH CK_INTREE_RBD CK_OURS_LIBCEPH CK_OURS_RBD CK_IMG CK_PORTS CK_RUNTIME CK_SIZE_MB
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source=/dev/null
. /run/ck/env.sh
# shellcheck source=guest-lib.sh
. /run/ck/guest-lib.sh

CONF=/run/ck/ceph.conf

load_set() {
	insmod "$1"
	insmod "$2"
}
unload_set() { rmmod rbd libceph; }

# fio_run NAME DEV RW BS: one fio job; prints "BW_KiB IOPS" of its main direction.
fio_run() {
	local name=$1 dev=$2 rw=$3 bs=$4 out
	local -a args=(--name="$name" --filename="$dev" --rw="$rw" --bs="$bs" --direct=1
		--ioengine=libaio --iodepth=16 --output-format=terse --terse-version=3)
	case "$rw" in
	read | write) args+=(--size="${CK_SIZE_MB}M") ;;
	*) args+=(--size="${CK_SIZE_MB}M" --time_based --runtime="$CK_RUNTIME" --randrepeat=0) ;;
	esac
	out=$(timeout 300 fio "${args[@]}")
	# terse v3: field 7/8 read bw (KiB/s) / iops, field 48/49 write bw / iops
	case "$rw" in
	*read) awk -F';' '{ print $7, $8 }' <<<"$out" ;;
	*) awk -F';' '{ print $48, $49 }' <<<"$out" ;;
	esac
}

one_run() {
	local round=$1 set=$2 lib=$3 rbdko=$4 dev w
	load_set "$lib" "$rbdko"
	dev=$(timeout 120 rbd -c "$CONF" --id admin device map -o noudev "rbd/$CK_IMG")
	for w in "seqwrite write 1M" "seqread read 1M" "randwrite randwrite 4k" "randread randread 4k"; do
		# shellcheck disable=SC2086 # "name rw bs"
		set -- $w
		printf '%s %s %s %s\n' "$round" "$set" "$1" "$(fio_run "$1" "$dev" "$2" "$3")" | tee -a /run/ck/bench
	done
	timeout 120 rbd -c "$CONF" --id admin device unmap -o noudev "$dev"
	unload_set
}

main() {
	local r
	# shellcheck disable=SC2086 # a list of ports / modules
	g_forward_ports $CK_PORTS
	# shellcheck disable=SC2086
	modprobe -a $CK_DEPS
	: >/run/ck/bench
	for ((r = 1; r <= CK_ROUNDS; r++)); do
		# alternate which set goes first, so drift does not favour one
		if ((r % 2)); then
			one_run "$r" intree "$CK_INTREE_LIBCEPH" "$CK_INTREE_RBD"
			one_run "$r" ours "$CK_OURS_LIBCEPH" "$CK_OURS_RBD"
		else
			one_run "$r" ours "$CK_OURS_LIBCEPH" "$CK_OURS_RBD"
			one_run "$r" intree "$CK_INTREE_LIBCEPH" "$CK_INTREE_RBD"
		fi
	done
}

main "$@"
