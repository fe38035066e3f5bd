# shellcheck shell=bash
# UEFI (OVMF) guests for the signature-trust proof. Sourced after tests/lib.sh.
# Reuses tests/vm/lib/vm.sh (vm_initramfs, vm_boot) unchanged; only the guest's init.sh is
# our own: it mounts efivarfs and runs SCRATCH/job.sh with a real sh and mount (the host
# root over 9p), which efitools' efi-updatevar needs.
# shellcheck source=../vm/lib/vm.sh
. "$CK_TOP/tests/vm/lib/vm.sh"

UEFI_CODE=${UEFI_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
UEFI_VARS_TEMPLATE=${UEFI_VARS_TEMPLATE:-/usr/share/OVMF/OVMF_VARS_4M.fd}
UEFI_STATE=${UEFI_STATE:-$CK_TEST_STATE/uefi}
mkdir -p "$UEFI_STATE"

uefi_log() { printf '[%s] uefi: %s\n' "$(date +%T)" "$*" >&2; }

# uefi_init_sh: the guest's /run/ck/init.sh (run by the harness's initramfs after
# switch_root into the host root): mounts, efivarfs, runs job.sh, records its status.
uefi_init_sh() {
	cat <<'INIT'
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts
[ -d /sys/firmware/efi ] && mount -t efivarfs efivarfs /sys/firmware/efi/efivars
hostname ck-uefi-guest
echo "ck-uefi: job start"
rc=0
bash /run/ck/job.sh >/run/ck/job.log 2>&1 || rc=$?
echo "$rc" >/run/ck/rc
echo "ck-uefi: job exit $rc"
dmesg >/run/ck/dmesg.txt 2>&1
sync
busybox poweroff -f
INIT
}

# uefi_boot VARS SCRATCH LOG APPEND: boots the newest-6.1 guest under OVMF with the
# writable variable store VARS; SCRATCH/job.sh must exist. UEFI_SHARE is shared as
# /run/ck-share/uefi. Returns the job's exit status (255 when it never finished).
uefi_boot() {
	local vars=$1 scratch=$2 log=$3 append=$4 kver=${UEFI_KVER:?} share=${UEFI_SHARE:?}
	uefi_init_sh >"$scratch/init.sh"
	: >"$scratch/extra-shares"
	vm_boot -t "${UEFI_TIMEOUT:-900}" -M q35 -a "$append" -s "uefi=$share" "$kver" "$scratch" "$log" -- \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$UEFI_CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$vars" || true
	vm_job_rc "$scratch"
}

# uefi_strip_sig IN OUT: a module without its appended signature (if any).
uefi_strip_sig() {
	local in=$1 out=$2 size len
	size=$(stat -c %s "$in")
	if tail -c 28 "$in" | cmp -s - <(printf '~Module signature appended~\n'); then
		len=$(tail -c 40 "$in" | head -c 12 | od -An -t u1 | awk '{ print ($9*16777216) + ($10*65536) + ($11*256) + $12 }')
		head -c $((size - 40 - len)) "$in" >"$out"
	else
		cp "$in" "$out"
	fi
}
