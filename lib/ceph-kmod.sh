# shellcheck shell=bash
# Shared shell functions for the ceph-kmod pipeline. Sourced, never run.
#
# Exit codes used by every ceph-kmod script (also listed in README.md):
#   0  success, or a kernel skipped on purpose (no headers: autoinstall must not fail)
#   1  internal error / unexpected failure of a command we ran
#   2  usage error
#   3  no source found for the kernel
#   4  source does not match the kernel and no probe can adapt it
#   5  a patch of the series does not apply
#   6  no Module.symvers for the kernel
#   7  the module build failed
#   8  signing or signature verification failed
#   9  another ceph-kmod run holds the lock (only with --no-wait)
#  10  key problem (permissions, mismatched certificate, missing half of a pair)

CK_E_INTERNAL=1
CK_E_USAGE=2
CK_E_NOSOURCE=3
CK_E_MISMATCH=4
CK_E_PATCH=5
CK_E_SYMVERS=6
CK_E_BUILD=7
CK_E_SIGN=8
CK_E_LOCKED=9
CK_E_KEY=10
export CK_E_INTERNAL CK_E_USAGE CK_E_NOSOURCE CK_E_MISMATCH CK_E_PATCH CK_E_SYMVERS \
	CK_E_BUILD CK_E_SIGN CK_E_LOCKED CK_E_KEY

CK_TOP=${CK_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CK_PROG=${CK_PROG:-$(basename "$0")}

ck_log() {
	printf '%s: %s\n' "$CK_PROG" "$*" >&2
}

# ck_die CODE WHAT [FIX]: WHAT says what was wrong (and for which kernel),
# FIX is the exact command or step that repairs it.
ck_die() {
	local code=$1 what=$2 fix=${3:-}
	printf '%s: error: %s\n' "$CK_PROG" "$what" >&2
	[[ -n "$fix" ]] && printf '%s: fix: %s\n' "$CK_PROG" "$fix" >&2
	exit "$code"
}

# Configuration: KEY=VALUE lines, '#' comments. Parsed, never sourced.
# CEPH_KMOD_CONF points at another file (tests use that).
ck_conf_file() {
	printf '%s\n' "${CEPH_KMOD_CONF:-/etc/ceph-kmod/ceph-kmod.conf}"
}

# ck_conf KEY [DEFAULT]: the environment variable CEPH_KMOD_<KEY> wins over the file.
ck_conf() {
	local key=$1 def=${2:-} env="CEPH_KMOD_$1" file line val=""
	if [[ -n "${!env:-}" ]]; then
		printf '%s\n' "${!env}"
		return 0
	fi
	file=$(ck_conf_file)
	if [[ -r "$file" ]]; then
		while IFS= read -r line || [[ -n "$line" ]]; do
			line=${line%%#*}
			[[ "$line" =~ ^[[:space:]]*${key}[[:space:]]*=[[:space:]]*(.*[^[:space:]])?[[:space:]]*$ ]] || continue
			val=${BASH_REMATCH[1]}
			val=${val#\"}
			val=${val%\"}
		done <"$file"
	fi
	printf '%s\n' "${val:-$def}"
}

ck_cache_dir() {
	ck_conf CACHE /var/cache/ceph-kmod
}

# Directory of a kernel's build tree (headers). KERNEL_DIR overrides for tests
# and for people building against a tree that is not under /lib/modules.
ck_kernel_build_dir() {
	local kver=$1
	if [[ -n "${KERNEL_DIR:-}" ]]; then
		printf '%s\n' "$KERNEL_DIR"
	else
		printf '%s\n' "/lib/modules/$kver/build"
	fi
}

# The kernel tree that holds the real top Makefile: the build tree itself, or
# (Debian) the -common tree its Makefile includes. Prints that Makefile's path.
ck_top_makefile() {
	local mk="$1/Makefile" i
	for i in 1 2 3; do
		[[ -r "$mk" ]] || return 1
		if grep -q '^PATCHLEVEL = ' "$mk"; then
			printf '%s\n' "$mk"
			return 0
		fi
		mk=$(sed -n 's/^include \(\/.*Makefile\)$/\1/p' "$mk" | head -n1)
		[[ -n "$mk" ]] || return 1
	done
	return 1
}

# Source tree of a kernel build tree (where include/linux/*.h live).
ck_kernel_srctree() {
	local mk
	mk=$(ck_top_makefile "$1") || return 1
	dirname "$mk"
}

# Upstream version (X.Y.Z) of a kernel tree, read from its top Makefile.
ck_tree_version() {
	local mk v p s
	mk=$(ck_top_makefile "$1") || return 1
	v=$(sed -n 's/^VERSION = \([0-9]*\)$/\1/p' "$mk" | head -n1)
	p=$(sed -n 's/^PATCHLEVEL = \([0-9]*\)$/\1/p' "$mk" | head -n1)
	s=$(sed -n 's/^SUBLEVEL = \([0-9]*\)$/\1/p' "$mk" | head -n1)
	[[ -n "$v" && -n "$p" ]] || return 1
	printf '%s.%s.%s\n' "$v" "$p" "${s:-0}"
}

# ck_version_cmp A B: prints -1, 0 or 1 comparing dotted versions numerically.
ck_version_cmp() {
	local a=$1 b=$2 i x y
	local -a av bv
	IFS=. read -r -a av <<<"$a"
	IFS=. read -r -a bv <<<"$b"
	for i in 0 1 2; do
		x=${av[i]:-0}
		y=${bv[i]:-0}
		if ((10#$x < 10#$y)); then echo -1; return 0; fi
		if ((10#$x > 10#$y)); then echo 1; return 0; fi
	done
	echo 0
}

# Kernel config value (y, m, a string, or empty) from the build tree.
ck_kconfig() {
	local dir=$1 sym=$2 f
	for f in "$dir/include/config/auto.conf" "$dir/.config"; do
		if [[ -r "$f" ]]; then
			sed -n "s/^${sym}=\(.*\)$/\1/p" "$f" | head -n1 | tr -d '"'
			return 0
		fi
	done
	return 1
}

# The ceph-kmod tool that verifies signatures: CEPH_KMOD_TOOL, the installed one,
# then the one built in this tree. CEPH_KMOD_TOOL=none means "no tool". Exit 1: none.
ck_tool_path() {
	local t
	[[ "${CEPH_KMOD_TOOL:-}" == none ]] && return 1
	for t in "${CEPH_KMOD_TOOL:-}" /usr/sbin/ceph-kmod "$CK_TOP/tool/ceph-kmod"; do
		if [[ -n "$t" && -x "$t" ]]; then
			printf '%s\n' "$t"
			return 0
		fi
	done
	return 1
}

# ck_with_lock CMD...: run CMD holding the global ceph-kmod lock. dkms shares one
# build directory across kernels, so every entry point of ours serialises here.
# CEPH_KMOD_LOCK_HELD=1 marks nested calls. CEPH_KMOD_NO_WAIT=1 fails at once (exit 9).
ck_lock_file() {
	ck_conf LOCK /run/lock/ceph-kmod.lock
}

ck_with_lock() {
	local lock
	if [[ "${CEPH_KMOD_LOCK_HELD:-0}" == 1 ]]; then
		"$@"
		return
	fi
	lock=$(ck_lock_file)
	mkdir -p "$(dirname "$lock")"
	exec {ck_lock_fd}>>"$lock"
	if ! flock -n "$ck_lock_fd"; then
		if [[ "${CEPH_KMOD_NO_WAIT:-0}" == 1 ]]; then
			ck_die "$CK_E_LOCKED" "another ceph-kmod run holds $lock" \
				"wait for it to finish (see: fuser -v $lock), or run without CEPH_KMOD_NO_WAIT=1 to wait"
		fi
		ck_log "waiting for another ceph-kmod run (lock $lock)"
		flock "$ck_lock_fd"
	fi
	# Children (dkms, its hooks, our stages) see the lock as held: no self-deadlock.
	# No "|| rc=$?" here: that would switch off set -e inside "$@". A failure under
	# set -e exits the script, and the kernel drops the lock with the process.
	export CEPH_KMOD_LOCK_HELD=1
	"$@"
	local rc=$?
	export CEPH_KMOD_LOCK_HELD=0
	flock -u "$ck_lock_fd"
	exec {ck_lock_fd}>&-
	return "$rc"
}
