# shellcheck shell=bash
# Shared functions of the VM harness: initramfs cache, guest scratch dirs, QEMU launch,
# QMP and an interactive serial console.
# Sourced by tests/vm/*.sh and bench/vm-krbd.sh (after tests/lib.sh or on its own).

# Command substitutions keep set -e (bash clears it there otherwise). Mind pitfall 8 as well:
# a function run as `f || x` or `if f` runs with set -e off; run it as `f & wait $! || rc=$?`.
shopt -s inherit_errexit
CK_VM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CK_VM_STATE=${CK_VM_STATE:-${CK_TEST_STATE:-/var/tmp/ceph-kmod-tests}/vm}
CK_VM_ARTIFACTS=${CK_VM_ARTIFACTS:-${CK_ARTIFACTS:-$CK_VM_STATE/artifacts}/vm}
CK_VM_SB_CODE=${CK_VM_SB_CODE:-/usr/share/OVMF/OVMF_CODE_4M.secboot.fd}
mkdir -p "$CK_VM_STATE" "$CK_VM_ARTIFACTS"

vm_log() { printf '[%s] vm: %s\n' "$(date +%T)" "$*" >&2; }

# vm_initramfs KVER: path of the (cached) initramfs for KVER, built when missing or older
# than its builder or the kernel's modules.dep. CK_VM_MODROOT=DIR: the kernel's modules are in
# DIR/lib/modules/KVER (a kernel unpacked outside /; see mkinitramfs).
vm_initramfs() {
	local kver=$1 img
	img="$CK_VM_STATE/initramfs-$kver.img"
	if [[ ! -s "$img" || "$CK_VM_LIB/mkinitramfs" -nt "$img" || "${CK_VM_MODROOT:-}/lib/modules/$kver/modules.dep" -nt "$img" ]]; then
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

# vm_start [options] KVER SCRATCH CONSOLE_LOG [-- EXTRA_QEMU_ARGS...]
# Starts a TCG guest in the background; vm_wait waits for it. By default it boots
# /boot/vmlinuz-KVER with its initramfs; the guest runs SCRATCH/job.sh (written by the caller)
# through guest-init.sh and powers off. The serial console goes to CONSOLE_LOG.
# Options:
#   -t SECONDS   wall-clock limit (default $CK_VM_TIMEOUT or 900)
#   -a ARGS      kernel command line additions (e.g. module.sig_enforce=1); not with -d
#   -M MACHINE   machine type (default $CK_VM_MACHINE or pc; q35 for OVMF; q35,smm=on with -F)
#   -s TAG=DIR   extra 9p share, mounted in the guest on /run/ck-share/TAG (repeatable)
#   -k KERNEL    kernel image (default /boot/vmlinuz-KVER)
#   -i INITRD    initramfs (default: vm_initramfs KVER)
#   -d DISK      boot DISK (raw, virtio) through the firmware instead of -kernel/-initrd/-append:
#                its boot loader loads the kernel, initramfs and command line (KVER still names
#                the kernel whose modules the guest sees)
#   -F VARS      Secure Boot firmware: $CK_VM_SB_CODE (OVMF_CODE_4M.secboot.fd) read-only plus
#                the writable variable store VARS (the caller's copy, e.g. of
#                OVMF_VARS_4M.ms.fd: Microsoft's keys), q35 with SMM, secure cfi.pflash01
#   -c           interactive console: the serial line is a FIFO pair (a `-chardev socket`
#                serial stalled MokManager's screens); vm_send/vm_expect drive it while the
#                transcript still goes to CONSOLE_LOG
# Every guest has a QMP socket (path in VM_QMP while it runs; vm_qmp, vm_set_link) and its
# network card is "nic0" on netdev "n0" (QEMU's user-mode network, host = 10.0.2.2).
# Sets VM_PID (the QEMU process, under timeout), VM_QMP, VM_LOG, VM_CTL (per-guest control dir,
# removed by vm_wait) and, with -c, VM_CONSOLE_FD (write end of the console input FIFO).
# Everything after "--" goes to QEMU as is. A guest of its own (e.g. for a link-cut test):
#   vm_start "$kver" "$scratch" "$log"; ...; vm_set_link n0 off; ...; vm_wait || rc=$?
# The guest job can tell its kernel command line additions from /proc/cmdline.
vm_start() {
	local timeout_s=${CK_VM_TIMEOUT:-900} append="" machine="" kernel="" initrd="" disk="" vars="" interactive=0
	local -a shares=() qemu=()
	local opt OPTIND=1
	while getopts 't:a:M:s:k:i:d:F:c' opt; do
		case "$opt" in
		t) timeout_s=$OPTARG ;;
		a) append="$append $OPTARG" ;;
		M) machine=$OPTARG ;;
		s) shares+=("$OPTARG") ;;
		k) kernel=$OPTARG ;;
		i) initrd=$OPTARG ;;
		d) disk=$OPTARG ;;
		F) vars=$OPTARG ;;
		c) interactive=1 ;;
		*) echo "vm_start: bad option" >&2; return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	local kver=$1 scratch=$2 log=$3
	shift 3
	[[ "${1:-}" == -- ]] && shift
	local -a extra=("$@")
	if [[ -n "$disk" && ( -n "$append" || -n "$kernel" || -n "$initrd" ) ]]; then
		echo "vm_start: -d DISK boots through the disk's boot loader: no -a/-k/-i" >&2
		return 2
	fi
	VM_CTL=$(mktemp -d "$CK_VM_STATE/ctl.XXXXXX")
	VM_QMP=$VM_CTL/qmp.sock
	VM_LOG=$log
	VM_CONSOLE_FD="" VM_READER="" VM_EXPECT_FROM=0
	if ((${#VM_QMP} > 100)); then
		echo "vm_start: QMP socket path $VM_QMP is too long for a unix socket (set CK_TEST_STATE shorter)" >&2
		return 2
	fi
	# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
	qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max
		-smp "${CK_VM_SMP:-2}" -m "${CK_VM_MEM:-2048}"
		-display none -monitor none -no-reboot
		-qmp "unix:$VM_QMP,server=on,wait=off"
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0,id=nic0
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=root,mount_tag=root
		-fsdev "local,id=scratch,path=$scratch,security_model=none,multidevs=remap"
		-device virtio-9p-pci,fsdev=scratch,mount_tag=scratch)
	if [[ -n "$vars" ]]; then
		[[ -r "$CK_VM_SB_CODE" && -w "$vars" ]] || { echo "vm_start: -F needs $CK_VM_SB_CODE (apt-get install ovmf) and a writable $vars" >&2; return 2; }
		# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
		qemu+=(-machine "${machine:-q35},smm=on" -global driver=cfi.pflash01,property=secure,value=on
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$CK_VM_SB_CODE"
			-drive "if=pflash,format=raw,unit=1,file=$vars")
	else
		qemu+=(-machine "${machine:-${CK_VM_MACHINE:-pc}}")
	fi
	if [[ -n "$disk" ]]; then
		qemu+=(-drive "file=$disk,format=raw,if=virtio")
	else
		kernel=${kernel:-/boot/vmlinuz-$kver}
		[[ -n "$initrd" ]] || initrd=$(vm_initramfs "$kver")
		qemu+=(-kernel "$kernel" -initrd "$initrd"
			-append "console=ttyS0 loglevel=4 panic=-1 oops=panic rdinit=/init$append")
	fi
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
	if ((interactive)); then
		# QEMU opens BASE.in and BASE.out read-write, so neither open blocks; the reader
		# drains BASE.out into the log (a full FIFO would stall the guest) until QEMU exits.
		mkfifo "$VM_CTL/console.in" "$VM_CTL/console.out"
		: >"$log"
		cat "$VM_CTL/console.out" >>"$log" &
		VM_READER=$!
		exec {VM_CONSOLE_FD}<>"$VM_CTL/console.in"
		qemu+=(-serial "pipe:$VM_CTL/console")
	else
		qemu+=(-serial "file:$log")
	fi
	VM_T0=$SECONDS
	vm_log "boot $kver${disk:+ from $disk}${vars:+ (Secure Boot firmware, vars $vars)} (timeout ${timeout_s}s, log $log)"
	timeout --kill-after=10 "$timeout_s" "${qemu[@]}" "${extra[@]}" </dev/null >"$log.qemu" 2>&1 &
	VM_PID=$!
	VM_SCRATCH=$scratch VM_KVER=$kver
}

# vm_wait: waits for the guest of the last vm_start; returns QEMU's exit status (124: timeout).
vm_wait() {
	local rc=0 i
	wait "$VM_PID" || rc=$?
	if [[ -n "$VM_READER" ]]; then
		# the reader ends at QEMU's exit (end of file); if QEMU never opened the FIFO it waits
		for ((i = 0; i < 50; i++)); do
			kill -0 "$VM_READER" 2>/dev/null || break
			sleep 0.1
		done
		kill "$VM_READER" 2>/dev/null || true
		wait "$VM_READER" 2>/dev/null || true
	fi
	[[ -z "$VM_CONSOLE_FD" ]] || exec {VM_CONSOLE_FD}>&-
	rm -rf "$VM_CTL"
	VM_CONSOLE_FD="" VM_READER="" VM_QMP=""
	vm_log "guest $VM_KVER exited after $((SECONDS - VM_T0))s (qemu status $rc, job status $(cat "$VM_SCRATCH/rc" 2>/dev/null || echo none))"
	return "$rc"
}

# vm_boot [options] KVER SCRATCH CONSOLE_LOG [-- EXTRA_QEMU_ARGS...]: vm_start + vm_wait.
# Returns QEMU's exit status (124: timeout). UEFI example (OVMF, a writable VARS copy):
#   vm_boot -M q35 -a module.sig_enforce=1 "$kver" "$scratch" "$log" -- \
#     -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
#     -drive if=pflash,format=raw,unit=1,file="$scratch/OVMF_VARS.fd"
# Secure Boot from a disk (shim, GRUB, a signed kernel):  vm_boot -F vars.fd -d esp.img ...
vm_boot() {
	vm_start "$@" || return
	vm_wait
}

# vm_alive: true while the guest of the last vm_start runs.
vm_alive() { [[ -n "${VM_PID:-}" ]] && kill -0 "$VM_PID" 2>/dev/null; }

# vm_qmp JSON...: sends each QMP command (e.g. '{"execute":"query-status"}') to the running
# guest after the capabilities handshake; prints QEMU's replies; fails when one is an error.
vm_qmp() {
	local out cmd
	[[ -S "${VM_QMP:-}" ]] || { echo "vm_qmp: no running guest with a QMP socket" >&2; return 1; }
	out=$({
		printf '%s\n' '{"execute":"qmp_capabilities"}'
		for cmd in "$@"; do
			printf '%s\n' "$cmd"
			sleep 0.3
		done
	} | timeout 30 socat -t 2 - "UNIX-CONNECT:$VM_QMP")
	printf '%s\n' "$out"
	# one reply to qmp_capabilities and one per command (events may come between)
	[[ "$(grep -c '"return"' <<<"$out")" == $(($# + 1)) ]] && ! grep -q '"error"' <<<"$out"
}

# vm_set_link NAME on|off: link state of netdev n0 (and the guest's card) or of nic0 only.
vm_set_link() {
	local up
	case "$2" in on | up) up=true ;; off | down) up=false ;; *) echo "vm_set_link: on or off" >&2; return 2 ;; esac
	vm_qmp "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"$1\",\"up\":$up}}" >/dev/null
}

# vm_send TEXT...: types TEXT (printf %b escapes: \r, \e[B) on the interactive console, one
# argument at a time with a pause of $CK_VM_KEY_DELAY (0.4) s after each; later vm_expect
# calls only look at what the guest prints after this.
vm_send() {
	local k
	[[ -n "${VM_CONSOLE_FD:-}" ]] || { echo "vm_send: the guest was not started with -c" >&2; return 1; }
	VM_EXPECT_FROM=$(stat -c %s "$VM_LOG")
	for k in "$@"; do
		printf '%b' "$k" >&"$VM_CONSOLE_FD"
		sleep "${CK_VM_KEY_DELAY:-0.4}"
	done
}

# vm_screen: what the console printed since the last vm_send, without ANSI escape sequences
# (cursor moves, colours) and carriage returns.
vm_screen() {
	tail -c +"$((VM_EXPECT_FROM + 1))" "$VM_LOG" |
		LC_ALL=C sed -E 's/\x1b\[[0-9;?]*[A-Za-z@]//g; s/\x1b[()][A-Za-z0-9]//g; s/\x1b[=>78]//g; s/\r//g'
}

# vm_expect SECONDS REGEX: waits until vm_screen matches REGEX (grep -E); fails after SECONDS
# or when the guest has exited.
vm_expect() {
	local limit=$1 re=$2 end
	end=$((SECONDS + limit))
	while ((SECONDS < end)); do
		vm_screen | grep -Eaq -- "$re" && return 0
		vm_alive || { vm_screen | grep -Eaq -- "$re" && return 0; vm_log "expect '$re': guest exited"; return 1; }
		sleep 0.2
	done
	vm_log "expect '$re': not seen within ${limit}s"
	return 1
}

# vm_job_rc SCRATCH: the exit status of the guest's job.sh, 255 when it never finished.
vm_job_rc() {
	local rc
	rc=$(cat "$1/rc" 2>/dev/null || true)
	[[ "$rc" =~ ^[0-9]+$ ]] || rc=255
	printf '%s\n' "$rc"
}
