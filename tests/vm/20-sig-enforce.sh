#!/usr/bin/env bash
# Negative enforcement on the newest 6.1 kernel: a guest booted with module.sig_enforce=1
# refuses a copy of one of our modules (the one modprobe resolves: ours when dkms installed it)
# re-signed with a throw-away key the kernel does not trust, and an unsigned copy, with
# "Key was rejected by service", while Debian-signed in-tree modules still load. A control
# guest without sig_enforce loads the same re-signed copy, so the refusal is about the key.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib/vm.sh
. "$(dirname "$0")/lib/vm.sh"
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

MOD=nbd
KEYDIR=""

cleanup() { [[ -z "$KEYDIR" ]] || rm -rf "$KEYDIR"; }

# sign_file: scripts/sign-file of the kbuild matching the kernel series, any as fallback.
sign_file() {
	local kver=$1 series f
	series=$(cut -d. -f1,2 <<<"$kver")
	for f in "/usr/lib/linux-kbuild-$series/scripts/sign-file" /usr/lib/linux-kbuild-*/scripts/sign-file \
		"/lib/modules/$kver/build/scripts/sign-file"; do
		[[ -x "$f" ]] && { printf '%s\n' "$f"; return 0; }
	done
	echo "no scripts/sign-file (linux-kbuild-$series) found" >&2
	return 1
}

# prepare KVER SCRATCH: throw-away key (in $KEYDIR, a temp dir, never in the repo) and the
# two copies; prints the source module.
prepare() {
	local kver=$1 scratch=$2 src signer
	src=$(modinfo -k "$kver" -n "$MOD")
	signer=$(sign_file "$kver")
	timeout 60 openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -batch -utf8 -sha256 \
		-subj "/CN=ceph-kmod throwaway test key/" -outform DER -out "$KEYDIR/cert.der" \
		-keyout "$KEYDIR/key.pem" 2>/dev/null
	case "$src" in
	*.xz) xz -dc "$src" >"$KEYDIR/mod.ko" ;;
	*.zst) zstd -qdc "$src" >"$KEYDIR/mod.ko" ;;
	*) cp "$src" "$KEYDIR/mod.ko" ;;
	esac
	# strip drops the appended signature (it rewrites the ELF), as dkms does.
	strip -g "$KEYDIR/mod.ko" -o "$scratch/unsigned.ko"
	cp "$scratch/unsigned.ko" "$scratch/badkey.ko"
	"$signer" sha256 "$KEYDIR/key.pem" "$KEYDIR/cert.der" "$scratch/badkey.ko"
	[[ "$(tail -c 28 "$scratch/badkey.ko")" == *"~Module signature appended~"* ]]
	cp "$CK_VM_LIB/guest-sig.sh" "$scratch/job.sh"
	{
		printf 'CK_MOD=%q\n' "$MOD"
		printf 'CK_INTREE_NBD=%q\n' "$(compgen -G "/lib/modules/$kver/kernel/drivers/block/nbd.ko*" | head -n 1)"
		printf 'CK_INTREE_LIBCEPH=%q\n' "$(compgen -G "/lib/modules/$kver/kernel/net/ceph/libceph.ko*" | head -n 1)"
	} >"$scratch/env.sh"
	echo "$src"
}

# boot ROLE KVER SCRATCH STEP [APPEND]: one guest running STEP, reported as "ROLE sig_enforce".
boot() {
	local role=$1 kver=$2 scratch=$3 step=$4 append=${5:-} art rc=0
	art="$CK_VM_ARTIFACTS/sig-$role-$step"
	rm -f "$scratch/results" "$scratch/dmesg.txt"
	sed -i '/^CK_STEPS=/d' "$scratch/env.sh"
	printf 'CK_STEPS=%q\n' "$step" >>"$scratch/env.sh"
	local -a opts=(-t 300)
	[[ -z "$append" ]] || opts+=(-a "$append")
	vm_boot "${opts[@]}" "$kver" "$scratch" "$art.console.log" || rc=$?
	cp "$scratch/results" "$art.results" 2>/dev/null || : >"$art.results"
	cp "$scratch/dmesg.txt" "$art.dmesg" 2>/dev/null || true
	if ((rc != 0)) || [[ "$(vm_job_rc "$scratch")" != 0 ]]; then
		t_fail "$role sig_enforce: $step guest ran (qemu status $rc, job status $(vm_job_rc "$scratch"); console $art.console.log)"
	fi
	e2e_report_guest "$role sig_enforce" "$art.results" "$step" "$CK_VM_LIB/guest-sig.sh"
}

main() {
	local role=${1:-newest61} kver scratch src prc=0
	if ((EUID != 0)); then
		t_skip "$role sig_enforce: needs root (9p export of /)"
		return 0
	fi
	KEYDIR=$(mktemp -d)
	trap cleanup EXIT
	kver=$(t_kernel "$role")
	if [[ -z "$kver" || ! -r "/boot/vmlinuz-$kver" ]]; then
		t_skip "$role sig_enforce: kernel ${kver:-?} not installed"
		return 0
	fi
	scratch=$(vm_scratch "sig-$role")
	# not `if ! prepare`: that would run it with set -e off (pitfall 8)
	prepare "$kver" "$scratch" >"$KEYDIR/src" 2>"$CK_VM_ARTIFACTS/sig-$role.prepare.log" &
	wait "$!" || prc=$?
	src=$(cat "$KEYDIR/src")
	if ((prc != 0)); then
		t_fail "$role sig_enforce: prepare re-signed module (see $CK_VM_ARTIFACTS/sig-$role.prepare.log)"
		return 0
	fi
	t_pass "$role sig_enforce: copies of $src re-signed by a throw-away key and unsigned"
	boot "$role" "$kver" "$scratch" enforce module.sig_enforce=1
	boot "$role" "$kver" "$scratch" control
	vm_scratch_done "$scratch"
}

main "$@"
