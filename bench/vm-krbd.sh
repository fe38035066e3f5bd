#!/usr/bin/env bash
# krbd benchmark, in-tree modules against ours (dkms-installed), in one TCG guest against a
# throw-away Ceph cluster on the host loopback. Alternates the two module sets for ROUNDS
# rounds (insmod set, map, fio seq/random read/write on the raw device, unmap, rmmod) and
# prints every figure, the mean per set and the ratio ours/in-tree. A benchmark, not a test:
# absolute figures under TCG emulation say little; the ratio is what to look at.
# Usage: bench/vm-krbd.sh [-k ROLE|KVER] [-r ROUNDS] [-t RANDOM_RUNTIME_S] [-s SIZE_MB]
#        [-o DIR]  (DIR holds "ours" libceph.ko/rbd.ko instead of /lib/modules/K/updates/dkms)
# Defaults: -k newest61 -r 2 -t 10 -s 32. Console log and figures go to $CK_ARTIFACTS/vm/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/lib.sh
. "$top/tests/lib.sh"
# shellcheck source=../tests/vm/lib/vm.sh
. "$top/tests/vm/lib/vm.sh"
# shellcheck source=../tests/vm/lib/e2e.sh
. "$top/tests/vm/lib/e2e.sh"

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

# mod_file DIR NAME: DIR/NAME.ko or a compressed variant.
mod_file() { compgen -G "$1/$2.ko*" | head -n 1 || true; }

summary() {
	local f=$1
	echo
	echo "mean of the rounds; range = slowest..fastest round of each set (TCG on a shared host is noisy)"
	printf '%-10s %10s %10s %7s %10s %10s %7s   %s\n' workload "in-tree" ours ratio "in-tree" ours ratio "KiB/s range in-tree | ours"
	printf '%-10s %10s %10s %7s %10s %10s %7s\n' "" KiB/s KiB/s "" IOPS IOPS ""
	awk '
		{
			k = $2 SUBSEP $3
			bw[k] += $4; io[k] += $5; n[k]++; w[$3] = 1
			if (!(k in lo) || $4 < lo[k]) lo[k] = $4
			if (!(k in hi) || $4 > hi[k]) hi[k] = $4
		}
		END {
			split("seqwrite seqread randwrite randread", order, " ")
			for (i = 1; i <= 4; i++) {
				x = order[i]
				if (!(x in w)) continue
				a = "intree" SUBSEP x; b = "ours" SUBSEP x
				bi = bw[a] / n[a]; bo = bw[b] / n[b]; ii = io[a] / n[a]; oo = io[b] / n[b]
				printf "%-10s %10.0f %10.0f %7.3f %10.0f %10.0f %7.3f   %d..%d | %d..%d\n", x, bi, bo, (bi ? bo / bi : 0), ii, oo, (ii ? oo / ii : 0), lo[a], hi[a], lo[b], hi[b]
			}
		}' "$f"
}

main() {
	local kver=newest61 rounds=2 runtime=10 size=32 ours_dir="" opt scratch log ours_note
	while getopts 'k:r:t:s:o:h' opt; do
		case "$opt" in
		k) kver=$OPTARG ;;
		r) rounds=$OPTARG ;;
		t) runtime=$OPTARG ;;
		s) size=$OPTARG ;;
		o) ours_dir=$OPTARG ;;
		*) usage ;;
		esac
	done
	[[ "$kver" == *.* ]] || kver=$(t_kernel "$kver")
	[[ -r "/boot/vmlinuz-$kver" ]] || { echo "vm-krbd: no /boot/vmlinuz-$kver" >&2; exit 1; }
	command -v fio >/dev/null || { echo "vm-krbd: fio is not installed (apt-get install fio)" >&2; exit 1; }

	local in_lib in_rbd our_lib our_rbd deps
	in_lib=$(mod_file "/lib/modules/$kver/kernel/net/ceph" libceph)
	in_rbd=$(mod_file "/lib/modules/$kver/kernel/drivers/block" rbd)
	ours_dir=${ours_dir:-/lib/modules/$kver/updates/dkms}
	our_lib=$(mod_file "$ours_dir" libceph)
	our_rbd=$(mod_file "$ours_dir" rbd)
	if [[ -z "$our_lib" || -z "$our_rbd" ]]; then
		[[ -d "/lib/modules/$kver/extra" ]] && our_lib=$(mod_file "/lib/modules/$kver/extra" libceph) our_rbd=$(mod_file "/lib/modules/$kver/extra" rbd)
	fi
	if [[ -z "$our_lib" || -z "$our_rbd" ]]; then
		ours_note="NO ceph-kmod modules for $kver in $ours_dir: 'ours' is the in-tree set again (ratio shows the noise)"
		our_lib=$in_lib our_rbd=$in_rbd
	else
		ours_note="ours: $our_lib $our_rbd"
	fi
	# libceph's dependencies, loaded once with modprobe (everything but libceph and rbd)
	deps=$(modprobe -S "$kver" --show-depends rbd | awk '$1 == "insmod" { print $2 }' |
		xargs -r -n1 basename | sed -E 's/\.ko(\.(xz|zst|gz))?$//' | grep -vxE 'libceph|rbd' | tr '\n' ' ')

	trap e2e_cluster_stop EXIT
	trap 'exit 143' TERM INT
	e2e_cluster_start
	h_rbd create --size "$((size + 64))M" --image-feature layering,exclusive-lock rbd/bench
	scratch=$(vm_scratch bench)
	cp "$CK_VM_LIB/guest-bench.sh" "$scratch/job.sh"
	"$CK_VM_LIB/cluster" guest-conf "$E2E_CLUSTER" >"$scratch/ceph.conf"
	h_ceph auth get client.admin -o "$scratch/keyring" 2>/dev/null
	{
		printf 'CK_ROUNDS=%q\nCK_RUNTIME=%q\nCK_SIZE_MB=%q\nCK_IMG=bench\nCK_DEPS=%q\n' "$rounds" "$runtime" "$size" "$deps"
		printf 'CK_INTREE_LIBCEPH=%q\nCK_INTREE_RBD=%q\n' "$in_lib" "$in_rbd"
		printf 'CK_OURS_LIBCEPH=%q\nCK_OURS_RBD=%q\n' "$our_lib" "$our_rbd"
		printf 'CK_PORTS=%q\n' "$("$CK_VM_LIB/cluster" ports "$E2E_CLUSTER" | tr '\n' ' ')"
	} >"$scratch/env.sh"
	log="$CK_VM_ARTIFACTS/bench-vm-krbd-$kver.console.log"
	echo "kernel $kver, $rounds rounds, ${size} MiB sequential, ${runtime}s random (4k, iodepth 16)"
	echo "in-tree: $in_lib $in_rbd"
	echo "$ours_note"
	vm_boot -t $((600 + rounds * (4 * runtime + 300))) "$kver" "$scratch" "$log" ||
		{ echo "vm-krbd: guest failed, console in $log" >&2; exit 1; }
	[[ "$(vm_job_rc "$scratch")" == 0 && -s "$scratch/bench" ]] ||
		{ echo "vm-krbd: guest job failed, console in $log" >&2; exit 1; }
	echo
	echo "round set workload KiB/s IOPS"
	cat "$scratch/bench"
	cp "$scratch/bench" "$CK_VM_ARTIFACTS/bench-vm-krbd-$kver.txt"
	summary "$scratch/bench"
	vm_scratch_done "$scratch"
}

main "$@"
