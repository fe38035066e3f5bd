#!/usr/bin/env bash
# stages/select-modules: which modules a kernel takes comes from the kernel (its configuration)
# and, for an option it has not set, from the source's own Kconfig entry (lib/kconfig-needs.awk).
# One table of cases (select-cases.tsv) over fixtures of Debian's 6.1, 6.12, 7.2 and 7.3
# configurations and Kconfig entries (tests/tool/select/SERIES); every fixture's dependency
# lines are compared with the real Kconfig of each source extracted on this machine, so the
# fixtures cannot drift from the kernels they stand for; and select-modules on every kernel
# with headers here takes all four modules.
source "$(dirname "$0")/../lib.sh"
set -euo pipefail

fix=$CK_TOP/tests/tool/select
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

# fake_kernel SERIES DROP: a kernel build dir whose auto.conf is SERIES' config less DROP.
fake_kernel() {
	local series=$1 drop=$2 kd
	kd=$w/k-$RANDOM$RANDOM
	mkdir -p "$kd/include/config"
	grep -v '^#' "$fix/$series/config" | awk -v drop=",$drop," 'index(drop, "," substr($0, 1, index($0, "=") - 1) ",") == 0' \
		>"$kd/include/config/auto.conf"
	printf '%s\n' "$kd"
}

run_case() {
	local series=$1 drop=$2 want=$3 log=$4 conf_series=$1 tree kd out err rc=0
	[[ "$series" != none ]] || conf_series=6.1
	[[ "$drop" != - ]] || drop=""
	tree=$fix/$series
	[[ "$series" != none ]] || tree=""
	kd=$(fake_kernel "$conf_series" "$drop")
	out=$(CEPH_KMOD_KERNEL_DIR=$kd "$CK_TOP/stages/select-modules" fake-kernel ${tree:+"$tree"} 2>"$w/err") || rc=$?
	err=$(tr '\n' ' ' <"$w/err")
	t_eq "select $series without ${drop:-nothing}: exit 0" 0 "$rc"
	t_eq "select $series without ${drop:-nothing}: $want" "$want" "$(cut -d' ' -f1 <<<"$out" | paste -sd' ')"
	if [[ "$log" == - ]]; then
		t_eq "select $series without ${drop:-nothing}: no skip message" "" "$err"
	else
		t_match "select $series without ${drop:-nothing}: the skip message names the missing option" "$log" "$err"
	fi
}

# entry_lines FILE SYM: the depends/select lines of "config SYM" in FILE, normalised.
entry_lines() {
	awk -v sym="$2" '
		/^(config|menuconfig)[ \t]/ { inb = ($2 == sym); next }
		/^[^ \t#]/ { inb = 0 }
		inb && /^[ \t]+(depends[ \t]+on|select)[ \t]/ { sub(/^[ \t]+/, ""); gsub(/[ \t]+/, " "); print }
	' "$1"
}

# Fixtures against the real sources of this machine: the ceph-kmod source cache, where a
# build extracted them, and the Kconfig files taken from /usr/src/linux-source-*.tar.xz.
check_fixtures_against() {
	local tree=$1 ver series f sym
	ver=$(sed -n 's/^version=//p' "$tree/.ck-source" 2>/dev/null || true)
	[[ -n "$ver" ]] || return 0
	series=${ver%.*}
	[[ -d "$fix/$series" ]] || return 0
	for f in net/ceph/Kconfig fs/ceph/Kconfig drivers/block/Kconfig; do
		[[ -f "$tree/$f" ]] || continue
		while read -r sym; do
			t_eq "fixture $series/$f $sym: the dependency lines of linux $ver" \
				"$(entry_lines "$tree/$f" "$sym")" "$(entry_lines "$fix/$series/$f" "$sym")"
		done < <(awk '/^(config|menuconfig)[ \t]/ { print $2 }' "$fix/$series/$f")
	done
}

main() {
	local series drop want log n=0 tree kdir kver sel
	while IFS=$'\t' read -r series drop want log; do
		[[ -n "$series" && "$series" != '#'* ]] || continue
		run_case "$series" "$drop" "$want" "$log"
		n=$((n + 1))
	done <"$CK_TOP/tests/tool/select-cases.tsv"
	# shellcheck disable=SC2016 # expanded by the inner bash
	t_check "select-cases.tsv holds cases for 6.1, 6.12, 7.2 and 7.3" \
		bash -c 'for s in 6.1 6.12 7.2 7.3; do cut -f1 "$1" | grep -qx "$s" || exit 1; done' _ "$CK_TOP/tests/tool/select-cases.tsv"
	for tree in "${CK_SELECT_SOURCES:-/var/cache/ceph-kmod/src}"/*/; do
		[[ -d "$tree" ]] && check_fixtures_against "$tree"
	done
	# Every kernel with headers here takes all four modules (Debian builds them all).
	for kdir in /lib/modules/*/build; do
		[[ -e "$kdir/include/config/auto.conf" ]] || continue
		kver=$(basename "$(dirname "$kdir")")
		sel=$("$CK_TOP/stages/select-modules" "$kver" 2>/dev/null | cut -d' ' -f1 | paste -sd' ') || true
		t_eq "select-modules $kver (installed headers): every module" "libceph rbd ceph nbd" "$sel"
	done
}

main "$@"
