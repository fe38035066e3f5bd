#!/usr/bin/env bash
# Build benchmark: prints figures and ratios, asserts nothing.
#
# Per kernel, with the source cache warm: wall time of `dkms build` against a bare
# `make -C /lib/modules/K/build M=…` over the same extracted, patched sources, in the
# same run (target ratio <= 1.10); extraction time of each source tarball on a cold
# cache, reported separately (each tarball is decompressed once for all kernels);
# the main job re-run when every kernel is up to date (target <= 5 s); totals.
# Usage: bench/build.sh [KVER...]   (default: the test kernels of tests/pick-kernels)
#        REPEAT=N (default 1): runs per measurement, alternating bare/dkms; min is kept.
# Needs ceph-kmod installed (./setup) and the kernels' headers.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
# shellcheck source=../lib/ceph-kmod.sh
. "$top/lib/ceph-kmod.sh"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

kernels() {
	if (($#)); then printf '%s\n' "$@"; else "$top/tests/pick-kernels" | awk '{ print $2 }'; fi
}

bench_extract() {
	local cold t tb
	cold=$(mktemp -d)
	echo "== extraction (cold cache, once per tarball)"
	for tb in /usr/src/linux-source-*.tar.*; do
		[[ -f "$tb" ]] || continue
		t=$(now)
		CEPH_KMOD_CACHE=$cold "$top/stages/extract-source" "$tb" >/dev/null
		printf '  %-40s %6ss\n' "$(basename "$tb")" "$(since "$t")"
	done
	rm -rf "$cold"
}

# bench_kernel KVER: prints "dkms bare" seconds.
bench_kernel() {
	local kver=$1 v out t bare="" dkms_t="" i b d
	v=$(cat "$top/VERSION")
	out=$(mktemp -d /var/tmp/ck-bench.XXXXXX)
	"$top/stages/prepare" "$kver" "$out/tree" >/dev/null 2>&1
	for ((i = 0; i < ${REPEAT:-1}; i++)); do
		make -s -C "/lib/modules/$kver/build" M="$out/tree" clean >/dev/null 2>&1
		t=$(now)
		make -s -C "/lib/modules/$kver/build" M="$out/tree" -j"$(nproc)" modules >/dev/null 2>&1
		b=$(since "$t")
		bare=$(min "$b" "$bare")
		t=$(now)
		ck_with_lock dkms build -m ceph-kmod -v "$v" -k "$kver" --force >"$out/dkms.log" 2>&1
		d=$(since "$t")
		dkms_t=$(min "$d" "$dkms_t")
	done
	# Leave the kernel installed as before the benchmark.
	ck_with_lock dkms install -m ceph-kmod -v "$v" -k "$kver" --force >/dev/null 2>&1 || true
	rm -rf "$out"
	printf '%s %s\n' "$dkms_t" "$bare"
}

main() {
	local kver d b total_d=0 total_b=0 t up
	command -v dkms >/dev/null || ck_die "$CK_E_USAGE" "dkms is not installed" "sudo ./setup"
	echo "ceph-kmod build benchmark, $(nproc) cores, $(date -u +%FT%TZ)"
	bench_extract
	echo "== dkms build vs bare make, warm source and probe caches (target ratio <= 1.10)"
	while read -r kver; do
		[[ -f "/lib/modules/$kver/build/Makefile" ]] || { echo "  $kver: no headers, skipped"; continue; }
		read -r d b < <(bench_kernel "$kver")
		printf '  %-28s dkms build %6ss   bare make %6ss   ratio %s\n' "$kver" "$d" "$b" "$(ratio "$d" "$b")"
		total_d=$(awk -v a="$total_d" -v b="$d" 'BEGIN { print a + b }')
		total_b=$(awk -v a="$total_b" -v b="$b" 'BEGIN { print a + b }')
	done < <(kernels "$@")
	printf '  %-28s dkms build %6ss   bare make %6ss   ratio %s\n' "total" "$total_d" "$total_b" "$(ratio "$total_d" "$total_b")"
	echo "== main job re-run, every kernel up to date (target <= 5 s)"
	t=$(now)
	ceph-kmod-install >/dev/null 2>&1
	up=$(since "$t")
	printf '  ceph-kmod-install: %ss\n' "$up"
}

main "$@"
