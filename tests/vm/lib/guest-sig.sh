#!/bin/bash
# Guest job of the signature-enforcement test (copied to /run/ck/job.sh by the host).
#   job.sh / job.sh step NAME / job.sh plan NAME   as guest-e2e.sh
# Steps: enforce (booted with module.sig_enforce=1), control (booted without).
# Environment from /run/ck/env.sh: CK_STEPS CK_MOD (module name of the test copies, in
# /run/ck/badkey.ko and /run/ck/unsigned.ko), CK_INTREE_NBD, CK_INTREE_LIBCEPH.
set -euo pipefail
shopt -s inherit_errexit

plan() {
	case "$1" in
	enforce)
		echo "sig_enforce is on"
		echo "module signed by an untrusted key is refused"
		echo "unsigned module is refused"
		echo "in-tree nbd loads"
		echo "in-tree libceph loads" ;;
	control) echo "same untrusted-key module loads without sig_enforce" ;;
	*) echo "plan: unknown step $1" >&2; return 2 ;;
	esac
}

# refused FILE: insmod must fail with EKEYREJECTED and leave the module unloaded.
refused() {
	local out rc=0
	out=$(insmod "$1" 2>&1) || rc=$?
	((rc != 0)) || g_fail "insmod $1 succeeded"
	[[ "$out" == *"Key was rejected by service"* ]] || g_fail "insmod $1: $out"
	[[ ! -d "/sys/module/$CK_MOD" ]] || g_fail "$CK_MOD is loaded"
	g_ok "$out"
}

step_enforce() {
	g_begin "sig_enforce is on"
	[[ "$(cat /sys/module/module/parameters/sig_enforce)" == Y ]] || g_fail "sig_enforce is $(cat /sys/module/module/parameters/sig_enforce)"
	g_ok
	g_begin "module signed by an untrusted key is refused"
	refused /run/ck/badkey.ko
	g_begin "unsigned module is refused"
	refused /run/ck/unsigned.ko
	g_begin "in-tree nbd loads"
	insmod "$CK_INTREE_NBD"
	[[ -d /sys/module/nbd ]] || g_fail "nbd not loaded"
	rmmod nbd
	g_ok "$CK_INTREE_NBD"
	g_begin "in-tree libceph loads"
	modprobe -a libcrc32c dns_resolver
	insmod "$CK_INTREE_LIBCEPH"
	[[ -d /sys/module/libceph ]] || g_fail "libceph not loaded"
	rmmod libceph
	g_ok "$CK_INTREE_LIBCEPH"
}

step_control() {
	local taint
	g_begin "same untrusted-key module loads without sig_enforce"
	[[ "$(cat /sys/module/module/parameters/sig_enforce)" == N ]] || g_fail "sig_enforce is on"
	insmod /run/ck/badkey.ko
	[[ -d "/sys/module/$CK_MOD" ]] || g_fail "$CK_MOD not loaded"
	taint=$(cat /proc/sys/kernel/tainted)
	((taint & 8192)) || g_fail "kernel not tainted E (tainted=$taint)"
	rmmod "$CK_MOD"
	g_ok "tainted=$taint"
}

run_step() {
	g_traps
	case "$1" in
	enforce) step_enforce ;;
	control) step_control ;;
	*) echo "unknown step $1" >&2; return 2 ;;
	esac
}

job_steps() {
	local step
	for step in $CK_STEPS; do
		g_step "$step" 120 bash /run/ck/job.sh step "$step"
	done
}

main() {
	if [[ "${1:-}" == plan ]]; then
		plan "$2"
		return
	fi
	# shellcheck source=/dev/null
	. /run/ck/env.sh
	# shellcheck source=guest-lib.sh
	. /run/ck/guest-lib.sh
	g_job_main job_steps "$@"
}

main "$@"
