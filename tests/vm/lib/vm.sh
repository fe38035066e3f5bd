# shellcheck shell=bash
# Shared functions of the VM harness: initramfs cache, guest scratch dirs, QEMU launch.
# Sourced by tests/vm/*.sh and bench/vm-krbd.sh (after tests/lib.sh or on its own).

# Command substitutions keep set -e (bash clears it there otherwise). Mind pitfall 8 as well:
# a function run as `f || x` or `if f` runs with set -e off; run it as `f & wait $! || rc=$?`.
shopt -s inherit_errexit
CK_VM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CK_VM_STATE=${CK_VM_STATE:-${CK_TEST_STATE:-/var/tmp/ceph-kmod-tests}/vm}
CK_VM_ARTIFACTS=${CK_VM_ARTIFACTS:-${CK_ARTIFACTS:-$CK_VM_STATE/artifacts}/vm}
mkdir -p "$CK_VM_STATE" "$CK_VM_ARTIFACTS"

vm_log() { printf '[%s] vm: %s\n' "$(date +%T)" "$*" >&2; }

# vm_initramfs KVER: path of the (cached) initramfs for KVER, built when missing or older
# than its builder or the kernel's modules.dep.
vm_initramfs() {
	local kver=$1 img
	img="$CK_VM_STATE/initramfs-$kver.img"
	if [[ ! -s "$img" || "$CK_VM_LIB/mkinitramfs" -nt "$img" || "/lib/modules/$kver/modules.dep" -nt "$img" ]]; then
		timeout 120 "$CK_VM_LIB/mkinitramfs" "$kver" "$img"
	fi
	printf '%s\n' "$img"
}

# vm_scratch NAME: a fresh scratch dir shared with the guest as /run/ck (tag "scratch"),
# holding the guest's init.sh and the scripts it runs. Per process, so parallel runs with one
# state dir do not share it; remove it with vm_scratch_done.
vm_scratch() {
	local dir="$CK_VM_STATE/scratch/$1-$$"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$CK_VM_LIB/guest-init.sh" "$dir/init.sh"
	cp "$CK_VM_LIB/guest-lib.sh" "$dir/guest-lib.sh"
	printf '%s\n' "$dir"
}

vm_scratch_done() { rm -rf "$1"; }

# vm_boot [options] KVER SCRATCH CONSOLE_LOG [-- EXTRA_QEMU_ARGS...]
# Boots /boot/vmlinuz-KVER with its initramfs under TCG; the guest runs SCRATCH/job.sh (written
# by the caller) through guest-init.sh and powers off. Returns QEMU's exit status (124: timeout).
# Options:
#   -t SECONDS   wall-clock limit (default $CK_VM_TIMEOUT or 900)
#   -a ARGS      kernel command line additions (e.g. module.sig_enforce=1)
#   -M MACHINE   machine type (default $CK_VM_MACHINE or pc; q35 for OVMF)
#   -s TAG=DIR   extra 9p share, mounted in the guest on /run/ck-share/TAG (repeatable)
#   -k KERNEL    kernel image (default /boot/vmlinuz-KVER)
#   -i INITRD    initramfs (default: vm_initramfs KVER)
# Everything after "--" goes to QEMU as is. UEFI example (OVMF, a writable VARS copy):
#   vm_boot -M q35 -a module.sig_enforce=1 "$kver" "$scratch" "$log" -- \
#     -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
#     -drive if=pflash,format=raw,unit=1,file="$scratch/OVMF_VARS.fd"
# The guest job can tell its kernel command line additions from /proc/cmdline.
vm_boot() {
	local timeout_s=${CK_VM_TIMEOUT:-900} append="" machine=${CK_VM_MACHINE:-pc} kernel="" initrd=""
	local -a shares=() qemu=()
	local opt OPTIND=1
	while getopts 't:a:M:s:k:i:' opt; do
		case "$opt" in
		t) timeout_s=$OPTARG ;;
		a) append="$append $OPTARG" ;;
		M) machine=$OPTARG ;;
		s) shares+=("$OPTARG") ;;
		k) kernel=$OPTARG ;;
		i) initrd=$OPTARG ;;
		*) echo "vm_boot: bad option" >&2; return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	local kver=$1 scratch=$2 log=$3
	shift 3
	[[ "${1:-}" == -- ]] && shift
	local -a extra=("$@")
	kernel=${kernel:-/boot/vmlinuz-$kver}
	[[ -n "$initrd" ]] || initrd=$(vm_initramfs "$kver")
	# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
	qemu=(qemu-system-x86_64 -machine "$machine" -accel tcg,thread=multi -cpu max
		-smp "${CK_VM_SMP:-2}" -m "${CK_VM_MEM:-2048}"
		-display none -monitor none -serial "file:$log" -no-reboot
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 loglevel=4 panic=-1 oops=panic rdinit=/init$append"
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=root,mount_tag=root
		-fsdev "local,id=scratch,path=$scratch,security_model=none,multidevs=remap"
		-device virtio-9p-pci,fsdev=scratch,mount_tag=scratch)
	local s tag dir
	local -a tags=()
	for s in "${shares[@]}"; do
		tag=${s%%=*} dir=${s#*=}
		qemu+=(-fsdev "local,id=$tag,path=$dir,security_model=none,multidevs=remap"
			-device "virtio-9p-pci,fsdev=$tag,mount_tag=$tag")
		tags+=("$tag")
	done
	if ((${#tags[@]})); then printf '%s\n' "${tags[@]}"; fi >"$scratch/extra-shares"
	rm -f "$scratch/rc"
	local rc=0 t0=$SECONDS
	vm_log "boot $kver (timeout ${timeout_s}s, log $log)"
	timeout --kill-after=10 "$timeout_s" "${qemu[@]}" "${extra[@]}" </dev/null >"$log.qemu" 2>&1 || rc=$?
	vm_log "guest $kver exited after $((SECONDS - t0))s (qemu status $rc, job status $(cat "$scratch/rc" 2>/dev/null || echo none))"
	return "$rc"
}

# vm_job_rc SCRATCH: the exit status of the guest's job.sh, 255 when it never finished.
vm_job_rc() {
	local rc
	rc=$(cat "$1/rc" 2>/dev/null || true)
	[[ "$rc" =~ ^[0-9]+$ ]] || rc=255
	printf '%s\n' "$rc"
}
