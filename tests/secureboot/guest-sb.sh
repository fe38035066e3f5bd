#!/bin/bash
# Guest job of the Secure Boot suite (copied to /run/ck/job.sh by the host). The guest booted
# OVMF (Microsoft keys) -> Debian's signed shim -> signed GRUB -> Debian's signed kernel.
#   job.sh              run the steps in $CK_STEPS, each as its own process with a time limit
#   job.sh step NAME    run one step
#   job.sh plan NAME    print the checks step NAME reports (no side effects; also on the host)
# Steps: secure (Secure Boot, lockdown, sig_enforce), refuse (our dkms modules refused before
# enrolment), enroll (`ceph-kmod status`, `ceph-kmod enroll`), enrolled (MokListRT, keyring,
# `ceph-kmod status`), copies (a copy signed by another key and an unsigned copy refused),
# verified (our loaded modules not taint E), debug (`ceph-kmod debug` under lockdown);
# modules, krbd1 (and the other E2E_STEPS) are guest-e2e.sh's.
# Environment from /run/ck/env.sh: CK_STEPS, CK_SB (the share: dkms/ snapshot of our modules,
# nbd-other.ko, nbd-unsigned.ko, mok.der, ceph-kmod), CK_CERT_ID ("CN: key id" as the kernel
# prints it), CK_CERT_SHA1, CK_PW (MokManager password), CK_INTREE_NBD, and guest-e2e.sh's.
set -euo pipefail
shopt -s inherit_errexit

E2E_STEPS=" modules krbd1 krbd2 cephfs nbd rmmod "

plan() {
	case "$1" in
	secure)
		echo "Secure Boot enabled (mokutil --sb-state, EFI stub)"
		echo "sig_enforce is Y without a command line parameter"
		echo "lockdown is integrity" ;;
	refuse)
		echo "before enrolment: our nbd.ko (dkms) is refused"
		echo "before enrolment: modprobe rbd (dkms) is refused"
		echo "before enrolment: in-tree nbd loads" ;;
	enroll)
		echo "before enrolment: ceph-kmod status reports it not enrolled"
		echo "ceph-kmod enroll queues the certificate"
		echo "mokutil --list-new shows the certificate" ;;
	enrolled)
		echo "mokutil --test-key: certificate enrolled"
		echo "certificate in MokListRT (mok-variables)"
		echo "kernel loaded the certificate from MokListRT"
		echo "certificate in the .machine or .platform keyring"
		echo "ceph-kmod status reports it enrolled" ;;
	verified)
		echo "our modules loaded verified (no taint E)" ;;
	copies)
		echo "nbd.ko signed by another key is refused"
		echo "unsigned nbd.ko is refused" ;;
	debug)
		echo "ceph-kmod debug on nbd"
		echo "ceph-kmod debug status"
		echo "ceph-kmod debug off" ;;
	*)
		if [[ "$E2E_STEPS" == *" $1 "* ]]; then
			bash "$(e2e_job)" plan "$1"
		else
			echo "plan: unknown step $1" >&2
			return 2
		fi ;;
	esac
}

# e2e_job: guest-e2e.sh in the guest, or beside the VM harness on the host (plan only).
e2e_job() {
	local f
	for f in /run/ck/guest-e2e.sh "$(dirname "${BASH_SOURCE[0]}")/../vm/lib/guest-e2e.sh"; do
		[[ -r "$f" ]] && { printf '%s\n' "$f"; return 0; }
	done
	echo "guest-e2e.sh not found" >&2
	return 1
}

# rejected FILE WHAT DMESG_LINE: insmod FILE must fail with EKEYREJECTED, the kernel must log
# DMESG_LINE for it, and nbd must not be loaded.
rejected() {
	local f=$1 msg=$2 out rc=0 before after
	before=$(dmesg | grep -c -- "$msg" || true)
	out=$(insmod "$f" 2>&1) || rc=$?
	after=$(dmesg | grep -c -- "$msg" || true)
	((rc != 0)) || { rmmod nbd; g_fail "insmod $f succeeded"; }
	[[ "$out" == *"Key was rejected by service"* ]] || g_fail "insmod $f: $out"
	((after > before)) || g_fail "insmod refused ($out) but dmesg has no new '$msg'"
	[[ ! -d /sys/module/nbd ]] || g_fail "nbd is loaded"
	g_ok "insmod: $out; dmesg: $msg"
}

step_secure() {
	local st cmd
	g_begin "Secure Boot enabled (mokutil --sb-state, EFI stub)"
	st=$(mokutil --sb-state 2>&1 || true)
	[[ "$st" == *"SecureBoot enabled"* ]] || g_fail "mokutil --sb-state: $st"
	grep -q 'Secure boot enabled' <<<"$(dmesg)" || g_fail "dmesg lacks 'Secure boot enabled'"
	g_ok "$st"
	g_begin "sig_enforce is Y without a command line parameter"
	cmd=$(cat /proc/cmdline)
	[[ "$cmd" != *sig_enforce* ]] || g_fail "command line sets it: $cmd"
	[[ "$(cat /sys/module/module/parameters/sig_enforce)" == Y ]] || g_fail "sig_enforce is $(cat /sys/module/module/parameters/sig_enforce)"
	g_ok "cmdline: $cmd"
	g_begin "lockdown is integrity"
	grep -q '\[integrity\]' /sys/kernel/security/lockdown || g_fail "lockdown: $(cat /sys/kernel/security/lockdown)"
	g_ok "$(cat /sys/kernel/security/lockdown)"
}

step_refuse() {
	local out rc=0 f
	g_begin "before enrolment: our nbd.ko (dkms) is refused"
	rejected "$CK_SB/dkms/nbd.ko" "Loading of module with unavailable key is rejected"
	g_begin "before enrolment: modprobe rbd (dkms) is refused"
	f=$(modinfo -n rbd)
	case "$f" in */updates/* | */extra/*) ;; *) g_fail "modprobe resolves rbd to $f, not the dkms module" ;; esac
	out=$(modprobe rbd 2>&1) || rc=$?
	((rc != 0)) || g_fail "modprobe rbd succeeded"
	[[ "$out" == *"Key was rejected by service"* ]] || g_fail "modprobe rbd: $out"
	g_ok "$f: $out"
	g_begin "before enrolment: in-tree nbd loads"
	insmod "$CK_INTREE_NBD"
	[[ -d /sys/module/nbd ]] || g_fail "nbd not loaded"
	rmmod nbd
	g_ok "$CK_INTREE_NBD"
}

step_enroll() {
	local out rc=0
	g_begin "before enrolment: ceph-kmod status reports it not enrolled"
	out=$("$CK_SB/ceph-kmod" status 2>&1) || rc=$?
	printf '%s\n' "$out"
	grep -qE '^enrolled:[[:space:]]+no' <<<"$out" || g_fail "exit $rc: $(grep -E '^(MOK certificate|enrolled):' <<<"$out" | tr '\n' ' ')"
	g_ok "$(grep -E '^(enrolled|Secure Boot):' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
	rc=0
	g_begin "ceph-kmod enroll queues the certificate"
	# mokutil reads the one-time password twice from stdin when it is not a terminal
	out=$(printf '%s\n%s\n' "$CK_PW" "$CK_PW" | "$CK_SB/ceph-kmod" enroll 2>&1) || rc=$?
	printf '%s\n' "$out"
	((rc == 0)) || g_fail "exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
	[[ "$out" == *"is queued"* ]] || g_fail "no 'is queued' in: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
	g_ok "$(head -n 1 <<<"$out")"
	g_begin "mokutil --list-new shows the certificate"
	out=$(mokutil --list-new 2>&1 || true)
	tr -d ':' <<<"$out" | tr 'A-F' 'a-f' | grep -q "$CK_CERT_SHA1" || g_fail "SHA1 $CK_CERT_SHA1 not in: $(head -n 3 <<<"$out" | tr '\n' ' ')"
	g_ok "SHA1 $CK_CERT_SHA1"
}

step_enrolled() {
	local out rc=0 kr found=""
	g_begin "mokutil --test-key: certificate enrolled"
	out=$(mokutil --test-key "$CK_SB/mok.der" 2>&1) || rc=$?
	[[ "$out" == *"is already enrolled"* ]] || g_fail "exit $rc: $out"
	g_ok "$out"
	g_begin "certificate in MokListRT (mok-variables)"
	[[ -r /sys/firmware/efi/mok-variables/MokListRT ]] || g_fail "no /sys/firmware/efi/mok-variables/MokListRT"
	[[ "$(cat /sys/firmware/efi/mok-variables/MokListRT* | xxd -p | tr -d '\n')" == *"$(xxd -p "$CK_SB/mok.der" | tr -d '\n')"* ]] ||
		g_fail "the certificate's DER is not in MokListRT"
	g_ok "$(cd /sys/firmware/efi/mok-variables && echo MokList*)"
	g_begin "kernel loaded the certificate from MokListRT"
	grep -A3 'Loading X.509 certificate: UEFI:MokListRT' <<<"$(dmesg)" | grep -F "Loaded X.509 cert '$CK_CERT_ID'" >/dev/null ||
		g_fail "dmesg has no \"Loaded X.509 cert '$CK_CERT_ID'\" after UEFI:MokListRT"
	g_ok "$CK_CERT_ID"
	g_begin "certificate in the .machine or .platform keyring"
	for kr in .machine .platform; do
		out=$(keyctl list "%:$kr" 2>&1 || true)
		printf '%s:\n%s\n' "$kr" "$out"
		if grep -qF "$CK_CERT_ID" <<<"$out"; then
			found=$kr
			break
		fi
	done
	[[ -n "$found" ]] || g_fail "'$CK_CERT_ID' in neither keyring"
	g_ok "$found"
	g_begin "ceph-kmod status reports it enrolled"
	rc=0
	out=$("$CK_SB/ceph-kmod" status 2>&1) || rc=$?
	printf '%s\n' "$out"
	grep -qE '^enrolled:[[:space:]]+yes' <<<"$out" || g_fail "exit $rc: $(grep -E '^(MOK certificate|enrolled|Secure Boot):' <<<"$out" | tr '\n' ' ')"
	g_ok "$(grep -E '^(enrolled|Secure Boot):' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
}

step_verified() {
	local m t bad=""
	g_begin "our modules loaded verified (no taint E)"
	for m in libceph rbd ceph nbd; do
		[[ -d "/sys/module/$m" ]] || g_fail "$m is not loaded"
		t=$(cat "/sys/module/$m/taint")
		[[ "$t" != *E* ]] || bad="$bad $m($t)"
	done
	[[ -z "$bad" ]] || g_fail "E-tainted (loaded without a verified signature):$bad"
	(((($(cat /proc/sys/kernel/tainted)) & 8192) == 0)) || g_fail "kernel tainted E: $(cat /proc/sys/kernel/tainted)"
	g_ok "kernel tainted=$(cat /proc/sys/kernel/tainted)"
}

step_copies() {
	g_begin "nbd.ko signed by another key is refused"
	rejected "$CK_SB/nbd-other.ko" "Loading of module with unavailable key is rejected"
	g_begin "unsigned nbd.ko is refused"
	rejected "$CK_SB/nbd-unsigned.ko" "Loading of unsigned module is rejected"
}

# nbd_on: how many dynamic debug callsites of nbd print (flags =p...).
nbd_on() { awk '/\[nbd\]/ && $3 ~ /^=[a-z]*p/ { n++ } END { print n + 0 }' /proc/dynamic_debug/control; }

step_debug() {
	local out rc=0 n
	g_begin "ceph-kmod debug on nbd"
	[[ -d /sys/module/nbd ]] || modprobe nbd
	out=$("$CK_SB/ceph-kmod" debug on nbd 2>&1) || rc=$?
	printf '%s\n' "$out"
	((rc == 0)) || g_fail "exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
	n=$(nbd_on)
	((n > 0)) || g_fail "no nbd callsite is enabled (=p) in /proc/dynamic_debug/control"
	g_ok "$n nbd callsites on"
	g_begin "ceph-kmod debug status"
	rc=0
	out=$("$CK_SB/ceph-kmod" debug status 2>&1) || rc=$?
	printf '%s\n' "$out"
	((rc == 0)) || g_fail "exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
	grep -q nbd <<<"$out" || g_fail "status does not mention nbd: $(tr '\n' ' ' <<<"$out")"
	g_ok "$(grep nbd <<<"$out" | head -n 1)"
	g_begin "ceph-kmod debug off"
	rc=0
	out=$("$CK_SB/ceph-kmod" debug off 2>&1) || rc=$?
	printf '%s\n' "$out"
	((rc == 0)) || g_fail "exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
	n=$(nbd_on)
	((n == 0)) || g_fail "$n nbd callsites still enabled"
	g_ok
}

run_step() {
	g_traps
	case "$1" in
	secure) step_secure ;;
	refuse) step_refuse ;;
	enroll) step_enroll ;;
	enrolled) step_enrolled ;;
	verified) step_verified ;;
	copies) step_copies ;;
	debug) step_debug ;;
	*) echo "unknown step $1" >&2; return 2 ;;
	esac
}

job_steps() {
	local step
	# mokutil and ceph-kmod read EFI variables; efivarfs is a module on Debian
	modprobe efivarfs
	mountpoint -q /sys/firmware/efi/efivars || mount -t efivarfs efivarfs /sys/firmware/efi/efivars
	# /sys/kernel/security/lockdown
	mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
	for step in $CK_STEPS; do
		g_step "$step" "${CK_STEP_TIMEOUT:-240}" bash /run/ck/job.sh step "$step"
	done
}

main() {
	if [[ "${1:-}" == plan ]]; then
		plan "$2"
		return
	fi
	# shellcheck source=/dev/null
	. /run/ck/env.sh
	if [[ "${1:-}" == step && "$E2E_STEPS" == *" $2 "* ]]; then
		exec bash /run/ck/guest-e2e.sh "$@"
	fi
	# shellcheck source=../vm/lib/guest-lib.sh
	. /run/ck/guest-lib.sh
	g_job_main job_steps "$@"
}

main "$@"
