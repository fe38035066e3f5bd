#!/usr/bin/env bash
# patches/0014 (upstream f12bc113ce90, "nbd: Add the maximum limit of allocated index in
# nbd_dev_add"), on the newest 6.1 kernel: nbd loaded with nbds_max=4096 max_part=255 holds
# every index the minor numbers allow (4096 << 8 overflows MINORBITS); the guest's
# bp-nbdindex opens all 4096 devices (an open device has a config, so a connect cannot reuse
# it) and asks over netlink for a new device without an index.
#   in-tree: idr_alloc() hands out index 4096 and add_disk() refuses the overflowing minor:
#            the connect fails with EINVAL although the request had no invalid argument;
#   ours:    the index allocation is bounded: ENOSPC, no device set up and torn down.
# One guest per module set, both at once (no rmmod: removing 4096 disks takes ~90 s under
# TCG). No Ceph cluster is needed.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../vm/lib/vm.sh
. "$(dirname "$0")/../vm/lib/vm.sh"
# shellcheck source=../vm/lib/e2e.sh
. "$(dirname "$0")/../vm/lib/e2e.sh"
# shellcheck source=lib/host-bp.sh
. "$(dirname "$0")/lib/host-bp.sh"

if ((EUID != 0)) || ! command -v qemu-system-x86_64 >/dev/null; then
	t_skip "nbd index limit: needs root and qemu-system-x86_64"
	exit 0
fi
kver=$(e2e_role_kernel newest61) || exit 0
intree=$(compgen -G "/lib/modules/$kver/kernel/drivers/block/nbd.ko*" | head -n 1)
ours_dir=$(bp_ours_dir "$kver")
if [[ -n "$ours_dir" ]]; then
	ours=$(find "$ours_dir" -name 'nbd.ko*' | head -n 1)
else
	ours=$(modinfo -k "$kver" -n nbd 2>/dev/null || true)
	case "$ours" in */updates/* | */extra/*) ;; *) ours="" ;; esac
fi
if [[ -z "$ours" ]]; then
	t_fail "nbd index limit: no nbd.ko of ours for $kver (install ceph-kmod or set CK_BP_OURS)"
	exit 0
fi
art=$CK_VM_ARTIFACTS/bp-nbd-index
mkdir -p "$CK_VM_ARTIFACTS"

# guest SET MODULE: boots a guest that loads MODULE with every index taken and asks for one
# more device; leaves SCRATCH/results.
guest() {
	local set=$1 mod=$2 s
	s=$(vm_scratch "nbd-index-$set")
	gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$s/bp-nbdindex" "$BP_SRC/bp-nbdindex.c"
	cat >"$s/job.sh" <<JOB
#!/bin/bash
insmod "$mod" nbds_max=4096 max_part=255 || { echo "insmod $mod failed" >/run/ck/results; exit 1; }
printf 'devices %s\n' "\$(ls /sys/block | grep -c '^nbd')" >/run/ck/results
/run/ck/bp-nbdindex 4096 >>/run/ck/results 2>&1
{ echo 'dmesg begin'; dmesg | grep -e 'nbd' -e 'WARNING' -e 'BUG' -e 'Oops' || true; echo 'dmesg end'; } >>/run/ck/results
JOB
	chmod +x "$s/job.sh"
	vm_boot -t "${CK_VM_TIMEOUT:-600}" "$kver" "$s" "$art-$set.console.log" -- -m 3G >"$art-$set.boot.log" 2>&1 || true
	cp "$s/results" "$art-$set.results" 2>/dev/null || : >"$art-$set.results"
	vm_scratch_done "$s"
}

t0=$SECONDS
guest intree "$intree" &
p1=$!
guest ours "$ours" &
p2=$!
wait "$p1" "$p2" || true
for set in intree ours; do
	t_eq "$set: nbd loaded with nbds_max=4096 max_part=255 created 4096 devices" "devices 4096" \
		"$(grep '^devices ' "$art-$set.results" || echo "no result (see $art-$set.console.log)")"
	t_match "$set: bp-nbdindex held all 4096 devices open" '^opened 4096; connect:' "$(cat "$art-$set.results")"
done
ou=$(grep '^opened ' "$art-ours.results" || true)
it=$(grep '^opened ' "$art-intree.results" || true)
t_match "ours: a connect beyond the index limit is refused with ENOSPC ($ou)" 'connect: refused errno 28 ' "$ou"
if [[ "$it" == *"connect: refused errno 22 "* ]]; then
	t_pass "in-tree: index 4096 is handed out and add_disk() fails, EINVAL: the test shows the bug ($it)"
else
	t_fail "in-tree: index 4096 is handed out and add_disk() fails, EINVAL: the test shows the bug (in-tree: ${it:-no result})"
fi
for set in intree ours; do
	# The guest's dmesg must have been read (begin and end markers), else an empty file "passes".
	if ! grep -qx 'dmesg end' "$art-$set.results"; then
		t_fail "$set: no kernel warning in the guest (the guest's dmesg was never read; see $art-$set.console.log)"
		continue
	fi
	t_eq "$set: no kernel warning in the guest" "" "$(grep -h -e 'WARNING' -e 'BUG' -e 'Oops' "$art-$set.results" || true)"
done
echo "nbd index limit: two guests in $((SECONDS - t0)) s"
