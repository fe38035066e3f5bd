# shellcheck shell=bash
# Shared shell functions for the ceph-kmod pipeline. Sourced, never run.
#
# Exit codes used by every ceph-kmod script (also listed in README.md):
#   0  success, or a kernel skipped on purpose (no headers: autoinstall must not fail)
#   1  internal error / unexpected failure of a command we ran
#   3  no source found for the kernel
#   4  source does not match the kernel and no probe can adapt it
#   5  a patch of the series does not apply
#   6  no Module.symvers for the kernel
#   7  the module build failed
#   8  signing or signature verification failed
#   9  another ceph-kmod run holds the lock (only with --no-wait)
#  10  key problem (permissions, mismatched certificate, missing half of a pair)
#  11  a package owns what would change: ceph-kmod-install --remove on a packaged
#      install, make install/uninstall on a kernel a kmod package provides (apt/rpm)
#  12  not ready to run: not root, or a program or file it needs is missing
#  64  usage error (EX_USAGE): one line names what was wrong and where help is

CK_E_INTERNAL=1
CK_E_USAGE=64
CK_E_NOSOURCE=3
CK_E_MISMATCH=4
CK_E_PATCH=5
CK_E_SYMVERS=6
CK_E_BUILD=7
CK_E_SIGN=8
CK_E_LOCKED=9
CK_E_KEY=10
CK_E_PACKAGED=11
CK_E_NOTREADY=12
export CK_E_INTERNAL CK_E_USAGE CK_E_NOSOURCE CK_E_MISMATCH CK_E_PATCH CK_E_SYMVERS \
	CK_E_BUILD CK_E_SIGN CK_E_LOCKED CK_E_KEY CK_E_PACKAGED CK_E_NOTREADY

# The tree this file belongs to (never taken from the environment: only CEPH_KMOD_*
# variables are; an exported CK_TOP of a checkout must not redirect an installed copy).
CK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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

# ck_usage_error WHAT: a usage error, one line naming what was wrong and where help is;
# exits 64.
ck_usage_error() {
	printf '%s: %s (see: %s --help)\n' "$CK_PROG" "$1" "$0" >&2
	exit "$CK_E_USAGE"
}

# ck_help: the comment block at the top of the running script (from its second line up
# to "set -euo"), on stdout.
ck_help() {
	sed -n '2,/^set -euo/{/^set -euo/d;/^# shellcheck/d;s/^# \{0,1\}//;p}' "$0"
}

# Configuration: KEY=VALUE lines, parsed (never sourced) with the grammar of
# ceph-kmod(8) CONFIGURATION, the same as tool/config.c (both are tested against
# tests/tool/conf-cases.tsv): # comments; blanks around the line and around = are
# ignored; one matched pair of ' or " around the value is removed (inside, everything
# is literal; only blanks and a comment may follow); an unquoted value ends at a #
# that starts it or follows a blank, trailing blanks removed; malformed lines are
# ignored; the last line for a key wins; an empty value means unset.
# CEPH_KMOD_CONF points at another file (tests use that).
ck_conf_file() {
	printf '%s\n' "${CEPH_KMOD_CONF:-/etc/ceph-kmod/ceph-kmod.conf}"
}

# ck_conf_line LINE: sets CK_CONF_KEY and CK_CONF_VAL; 1 when LINE sets nothing.
ck_conf_line() {
	local LC_ALL=C rest q out="" pre
	[[ $1 =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*(@[^=[:space:]]+)?)[[:space:]]*=[[:space:]]*(.*)$ ]] || return 1
	CK_CONF_KEY=${BASH_REMATCH[1]}
	rest=${BASH_REMATCH[3]}
	case $rest in
	\"* | \'*)
		q=${rest:0:1}
		rest=${rest:1}
		[[ $rest == *"$q"* ]] || return 1
		CK_CONF_VAL=${rest%%"$q"*}
		rest=${rest#*"$q"}
		[[ $rest =~ ^[[:space:]]*(#.*)?$ ]] || return 1
		return 0
		;;
	esac
	# A # at the start of the value or after a blank starts a comment.
	while [[ $rest == *"#"* ]]; do
		pre=${rest%%#*}
		if [[ -z "$out$pre" || $pre =~ [[:space:]]$ ]]; then
			rest=$pre
			break
		fi
		out+="$pre#"
		rest=${rest#*#}
	done
	[[ $out$rest =~ ^(.*[^[:space:]])?[[:space:]]*$ ]]
	CK_CONF_VAL=${BASH_REMATCH[1]}
	return 0
}

# ck_conf_get_file KEY: the value of the last KEY line of the file ("" when none).
ck_conf_get_file() {
	local key=$1 file line val="" CK_CONF_KEY CK_CONF_VAL
	file=$(ck_conf_file)
	[[ -r "$file" ]] || return 0
	while IFS= read -r line || [[ -n "$line" ]]; do
		ck_conf_line "$line" && [[ "$CK_CONF_KEY" == "$key" ]] && val=$CK_CONF_VAL
	done <"$file"
	printf '%s\n' "$val"
}

# ck_conf_assignment KEY VALUE: a line that reads back as KEY=VALUE (quoted when it
# must be); 1 when there is none (VALUE holds both quotes, or a newline).
ck_conf_assignment() {
	local key=$1 val=$2 line q CK_CONF_KEY CK_CONF_VAL
	[[ "$val" != *$'\n'* ]] || return 1
	for q in "" "'" '"'; do
		[[ -n "$q" && "$val" == *"$q"* ]] && continue
		line="$key=$q$val$q"
		if ck_conf_line "$line" && [[ "$CK_CONF_KEY" == "$key" && "$CK_CONF_VAL" == "$val" ]]; then
			printf '%s\n' "$line"
			return 0
		fi
	done
	return 1
}

# ck_conf KEY [DEFAULT]: the environment variable CEPH_KMOD_<KEY> wins over the file.
ck_conf() {
	local key=$1 def=${2:-} env="CEPH_KMOD_$1" val
	if [[ "$key" != *@* && -n "${!env:-}" ]]; then
		printf '%s\n' "${!env}"
		return 0
	fi
	val=$(ck_conf_get_file "$key")
	printf '%s\n' "${val:-$def}"
}

# ck_conf_pin KVER: the source pinned for one kernel (a "SOURCE@KVER=PATH" line).
ck_conf_pin() {
	ck_conf_get_file "SOURCE@$1"
}

ck_cache_dir() {
	ck_conf CACHE /var/cache/ceph-kmod
}

# ck_kmake ARGS...: make for the kernel's Kbuild with a clean environment, so a
# caller's CC, ARCH, CROSS_COMPILE, KCFLAGS, O, V... cannot change the build.
# CEPH_KMOD_CC (tests: a compiler wrapper) becomes CC=, CEPH_KMOD_V becomes V=.
ck_kmake() {
	local -a env=(PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" LC_ALL=C HOME=/root)
	local -a extra=()
	[[ -n "${KBUILD_SIGN_PIN:-}" ]] && env+=(KBUILD_SIGN_PIN="$KBUILD_SIGN_PIN")
	[[ -n "${CEPH_KMOD_CC:-}" ]] && extra+=(CC="$CEPH_KMOD_CC")
	[[ -n "${CEPH_KMOD_V:-}" ]] && extra+=(V="$CEPH_KMOD_V")
	env -i "${env[@]}" make "$@" "${extra[@]}"
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

# ck_inputs_id TOP: sha256 over the files that decide what the modules contain (the
# patch series, probes, Kbuild files), path and content, in a fixed order. A set
# records it (set.env inputs=), so an installed set built from another series is
# rebuilt even when the package version did not change.
ck_inputs_id() {
	local top=$1 d dirs
	dirs=$(ck_module_dirs)
	for d in patches configure kbuild $dirs; do
		[[ -d "$top/$d" ]] || continue
		(cd "$top" && find "$d" -type f -print0) | LC_ALL=C sort -z |
			(cd "$top" && xargs -0 -r sha256sum)
	done | sha256sum | cut -d' ' -f1
}

# --- the module map ----------------------------------------------------------
# lib/modules.map names the modules, their directories here and the kernel source
# paths they are compiled from (its header describes the format). Scripts never list
# the modules themselves: they ask these readers. Each fails (printing the file, line
# and fix) when the map is missing or malformed; call them as "x=$(ck_modules)" (an
# assignment, so a set -e script stops there) rather than in a for list or <(...).

# ck_module_map_file: where the map is (beside this file, in a checkout and installed).
ck_module_map_file() {
	printf '%s\n' "$CK_TOP/lib/modules.map"
}

# ck_module_map: the map's module lines, "NAME DIR CONFIG_X PATH..." one blank apart, in order.
ck_module_map() {
	local map line n=0 names=" " dirs=" " p
	local -a f
	map=$(ck_module_map_file)
	[[ -r "$map" ]] || ck_die "$CK_E_NOTREADY" "$map is missing: ceph-kmod cannot tell which modules it builds" \
		"reinstall ceph-kmod-dkms (apt-get install --reinstall ceph-kmod-dkms), or in a checkout: git checkout lib/modules.map"
	while IFS= read -r line || [[ -n "$line" ]]; do
		n=$((n + 1))
		read -r -a f <<<"$line"
		if ((${#f[@]} == 0)) || [[ "${f[0]}" == '#'* ]]; then continue; fi
		[[ ${#f[@]} -ge 4 && "${f[0]}" =~ ^[A-Za-z0-9_-]+$ && "${f[1]}" =~ ^[A-Za-z0-9_-]+$ &&
			"${f[2]}" =~ ^CONFIG_[A-Z0-9_]+$ && "$names" != *" ${f[0]} "* && "$dirs" != *" ${f[1]} "* ]] ||
			ck_die "$CK_E_INTERNAL" "$map line $n is not 'NAME DIR CONFIG_X PATH...' with a NAME and a DIR no other line has: $line" \
				"fix that line (the format is described at the top of $map)"
		for p in "${f[@]:3}"; do
			[[ "$p" =~ ^[A-Za-z0-9_][A-Za-z0-9_./-]*\??$ && "/$p/" != */../* ]] ||
				ck_die "$CK_E_INTERNAL" "$map line $n: '$p' is not a path relative to the top of a kernel tree" \
					"fix that line (the format is described at the top of $map)"
		done
		names+="${f[0]} " dirs+="${f[1]} "
		printf '%s\n' "${f[*]}"
	done <"$map"
	[[ "$names" != " " ]] || ck_die "$CK_E_INTERNAL" "$map names no module" "restore it: git checkout lib/modules.map"
}

# ck_modules: the module names (libceph rbd ceph nbd), one a line, in map order.
ck_modules() {
	local map
	map=$(ck_module_map) || return
	cut -d' ' -f1 <<<"$map"
}

# ck_module_dirs: the modules' directories (libceph rbd cephfs nbd), in map order.
ck_module_dirs() {
	local map
	map=$(ck_module_map) || return
	cut -d' ' -f2 <<<"$map"
}

# ck_module_line NAME: NAME's line of the map; dies when the map has no NAME.
ck_module_line() {
	local map line
	map=$(ck_module_map) || return
	while read -r line; do
		[[ "${line%% *}" == "$1" ]] && { printf '%s\n' "$line"; return 0; }
	done <<<"$map"
	ck_die "$CK_E_INTERNAL" "module '$1' is not in $(ck_module_map_file)" \
		"use one of: $(cut -d' ' -f1 <<<"$map" | tr '\n' ' ')(or add it to the map)"
}

# ck_module_fields NAME FIRST [COUNT]: fields FIRST.. (0 = NAME) of NAME's map line, one a line.
ck_module_fields() {
	local line
	local -a f
	line=$(ck_module_line "$1") || return
	read -r -a f <<<"$line"
	printf '%s\n' "${f[@]:$2:${3:-${#f[@]}}}"
}

# ck_module_dir NAME: NAME's directory (ceph -> cephfs).
ck_module_dir() { ck_module_fields "$1" 1 1; }

# ck_module_kconfig NAME: the kernel option that builds NAME (CONFIG_CEPH_LIB for libceph).
ck_module_kconfig() { ck_module_fields "$1" 2 1; }

# ck_module_paths NAME: NAME's kernel source paths, one a line, a trailing "?" on
# those some kernels lack.
ck_module_paths() { ck_module_fields "$1" 3; }

# ck_module_all_paths: every module's kernel source paths, each once, in map order.
ck_module_all_paths() {
	local map p seen=" "
	map=$(ck_module_map) || return
	local -a paths
	read -r -a paths <<<"$(cut -d' ' -f4- <<<"$map" | tr '\n' ' ')"
	for p in "${paths[@]}"; do
		[[ "$seen" == *" $p "* ]] && continue
		seen+="$p "
		printf '%s\n' "$p"
	done
}

# State kept between runs: pending kernels, per-kernel work directories.
ck_state_dir() {
	ck_conf STATE /var/lib/ceph-kmod
}

# --- stage files -------------------------------------------------------------
# The stages hand their results on in KEY=VALUE files (source.env, patches.env,
# ck-build.env, set.env, pending records; docs/DESIGN.md). One reader for them all:
# ck_env FILE KEY: the value of the first KEY= line of FILE ("-": standard input), or
# nothing when the file or the key is absent.
ck_env() {
	local file=$1 key=$2 line
	[[ "$file" != - ]] || file=/dev/stdin
	[[ -r "$file" ]] || return 0
	while IFS= read -r line || [[ -n "$line" ]]; do
		if [[ "$line" == "$key="* ]]; then
			printf '%s\n' "${line#"$key="}"
			return 0
		fi
	done <"$file"
	return 0
}

# ck_env_all FILE KEY: the values of every KEY= line of FILE, one a line.
ck_env_all() {
	local file=$1 key=$2 line
	[[ -r "$file" ]] || return 0
	while IFS= read -r line || [[ -n "$line" ]]; do
		[[ "$line" != "$key="* ]] || printf '%s\n' "${line#"$key="}"
	done <"$file"
	return 0
}

# --- pending kernels ---------------------------------------------------------
# A kernel whose build failed from an unattended path (kernel hook, package trigger)
# is recorded in STATE/pending/KVER (code=, reason=, fix=, since=) and retried
# by every ceph-kmod-install run, every kernel hook, the package triggers (or apt's
# DPkg::Post-Invoke hook) when something under /usr/src changed since, and, when it
# failed on the key, by sign/setup-key and "ceph-kmod enroll".
ck_pending_dir() {
	printf '%s/pending\n' "$(ck_state_dir)"
}

# ck_pending_set KVER CODE REASON FIX
ck_pending_set() {
	local kver=$1 code=$2 reason=$3 fix=$4 dir
	dir=$(ck_pending_dir)
	mkdir -p "$dir"
	{
		printf 'kernel=%s\ncode=%s\nsince=%s\n' "$kver" "$code" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		printf 'reason=%s\nfix=%s\n' "${reason//$'\n'/ }" "${fix//$'\n'/ }"
	} >"$dir/.$kver.tmp"
	mv -f "$dir/.$kver.tmp" "$dir/$kver"
}

ck_pending_clear() {
	rm -f "$(ck_pending_dir)/$1"
}

# Kernels currently pending, one per line.
ck_pending_list() {
	local f
	for f in "$(ck_pending_dir)"/*; do
		[[ -f "$f" ]] && basename "$f"
	done
	return 0
}

ck_pending_field() {
	ck_env "$(ck_pending_dir)/$1" "$2"
}

# --- the lock ----------------------------------------------------------------
# ck_with_lock CMD...: run CMD holding the global ceph-kmod lock. dkms shares one
# build directory across kernels, and the swap of a kernel's module set must not
# interleave with another, so every entry point of ours serialises here.
# The lock lives in a root-owned directory that nobody else can write
# (default /run/ceph-kmod/lock, 0600): an unprivileged user can neither create
# nor open it, so nobody but root can hold up a kernel install. The holder
# writes pid, command and start time next to it; a waiting run prints them.
# CEPH_KMOD_LOCK_HELD=1 marks nested calls. CEPH_KMOD_NO_WAIT=1 fails at once (exit 9).
ck_lock_file() {
	ck_conf LOCK /run/ceph-kmod/lock
}

# ck_lock_dir_safe DIR: DIR exists (created 0755 if not), is a real directory owned
# by root and writable by nobody else. Dies (exit 1) with the fix otherwise.
ck_lock_dir_safe() {
	local dir=$1 owner mode
	if [[ ! -e "$dir" ]]; then
		mkdir -p "$(dirname "$dir")"
		mkdir -m 0755 "$dir"
	fi
	[[ -d "$dir" && ! -L "$dir" ]] ||
		ck_die "$CK_E_INTERNAL" "lock directory $dir is not a directory" "rm -f $dir   (it is re-created, root-owned)"
	owner=$(stat -c %u "$dir")
	mode=$(stat -c %a "$dir")
	if [[ "$owner" != 0 ]] || ((8#$mode & 8#022)); then
		ck_die "$CK_E_INTERNAL" "lock directory $dir is owned by uid $owner with mode $mode: another user could create or hold the ceph-kmod lock" \
			"rm -rf $dir   (ceph-kmod re-creates it root-owned, mode 0755), or set LOCK= in $(ck_conf_file) to a file in a root-only directory"
	fi
}

ck_lock_holder() {
	local info=$1.holder
	if [[ -r "$info" ]]; then
		tr '\n' ' ' <"$info"
	else
		printf 'unknown holder'
	fi
}

ck_with_lock() {
	local lock dir
	if [[ "${CEPH_KMOD_LOCK_HELD:-0}" == 1 ]]; then
		"$@"
		return
	fi
	lock=$(ck_lock_file)
	dir=$(dirname "$lock")
	ck_lock_dir_safe "$dir"
	(umask 077 && : >>"$lock")
	exec {ck_lock_fd}>>"$lock"
	if ! flock -n "$ck_lock_fd"; then
		if [[ "${CEPH_KMOD_NO_WAIT:-0}" == 1 ]]; then
			ck_die "$CK_E_LOCKED" "another ceph-kmod run holds $lock ($(ck_lock_holder "$lock"))" \
				"wait for it to finish, or run without --no-wait (CEPH_KMOD_NO_WAIT=1) to wait"
		fi
		ck_log "waiting for another ceph-kmod run: lock $lock held by $(ck_lock_holder "$lock")"
		flock "$ck_lock_fd"
	fi
	printf 'pid=%s\ncommand=%s\nsince=%s\n' "$$" "$CK_PROG ${CK_ARGS:-}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$lock.holder.tmp"
	mv -f "$lock.holder.tmp" "$lock.holder"
	# Children (dkms, its hooks, our stages) see the lock as held: no self-deadlock.
	# No "|| rc=$?" here: that would switch off set -e inside "$@". A failure under
	# set -e exits the script, and the kernel drops the lock with the process.
	export CEPH_KMOD_LOCK_HELD=1
	"$@"
	local rc=$?
	export CEPH_KMOD_LOCK_HELD=0
	rm -f "$lock.holder"
	flock -u "$ck_lock_fd"
	exec {ck_lock_fd}>&-
	return "$rc"
}

# ck_test_point NAME [CODE]: test hooks (docs/DESIGN.md lists the names).
# CEPH_KMOD_TEST_KILL_AT=NAME: kill -9 the whole process group there (tests run
# the command under setsid); CEPH_KMOD_TEST_FAIL_AT=NAME: fail there with CODE.
ck_test_point() {
	if [[ "${CEPH_KMOD_TEST_KILL_AT:-}" == "$1" ]]; then
		ck_log "test hook: kill -9 at $1"
		kill -9 0
	fi
	if [[ "${CEPH_KMOD_TEST_FAIL_AT:-}" == "$1" ]]; then
		ck_die "${2:-$CK_E_INTERNAL}" "test hook: failing at $1 (CEPH_KMOD_TEST_FAIL_AT)" "unset CEPH_KMOD_TEST_FAIL_AT"
	fi
	return 0
}

# Compression suffix of the kernel's own modules ("" for plain .ko), as dkms sees it: from
# its modules.dep; a kernel with headers but no modules yet (Debian 13's backports kernel
# before its image) has none, and then its configuration says how its modules are installed.
ck_kernel_suffix() {
	local dep kdir
	dep=$(ck_modules_dir "$1")/modules.dep
	if [[ ! -s "$dep" ]]; then
		kdir=$(ck_kernel_build_dir "$1")
		if [[ "$(ck_kconfig "$kdir" CONFIG_MODULE_COMPRESS_XZ 2>/dev/null)" == y ]]; then echo .xz
		elif [[ "$(ck_kconfig "$kdir" CONFIG_MODULE_COMPRESS_ZSTD 2>/dev/null)" == y ]]; then echo .zst
		elif [[ "$(ck_kconfig "$kdir" CONFIG_MODULE_COMPRESS_GZIP 2>/dev/null)" == y ]]; then echo .gz
		else echo ""
		fi
	elif grep -q '\.ko\.xz:' "$dep"; then echo .xz
	elif grep -q '\.ko\.zst:' "$dep"; then echo .zst
	elif grep -q '\.ko\.gz:' "$dep"; then echo .gz
	else echo ""
	fi
}

# --- paths -------------------------------------------------------------------
# Every place ceph-kmod reads or writes is named by one function here; scripts call
# these, never spell the paths themselves.

# The kernels' module trees. Not redirected: depmod and modprobe only look here.
ck_modules_root() {
	printf '/lib/modules\n'
}

# ck_modules_dir KVER: one kernel's module tree.
ck_modules_dir() {
	printf '%s/%s\n' "$(ck_modules_root)" "$1"
}

# Directory of a kernel's build tree (headers). CEPH_KMOD_KERNEL_DIR overrides it
# (tests, and people building against a tree that is not under /lib/modules).
# Only CEPH_KMOD_* variables (and the kernel's own KBUILD_SIGN_PIN) are read from
# the environment: a KERNEL_DIR, CC or ARCH that happens to be set is ignored.
ck_kernel_build_dir() {
	local kver=$1
	if [[ -n "${CEPH_KMOD_KERNEL_DIR:-}" ]]; then
		printf '%s\n' "$CEPH_KMOD_KERNEL_DIR"
	else
		printf '%s\n' "$(ck_modules_dir "$kver")/build"
	fi
}

# ck_has_headers KVER: the kernel's build tree is there (a kernel without is skipped).
ck_has_headers() {
	[[ -f "$(ck_kernel_build_dir "$1")/Makefile" ]]
}

# dkms's tree (DKMS_TREE in the configuration, CEPH_KMOD_DKMS_TREE; the tool reads the
# same variable) and ceph-kmod's records in it (source link, per-version builds,
# kernel-K-ARCH links).
ck_dkms_tree() {
	ck_conf DKMS_TREE /var/lib/dkms
}

ck_dkms_dir() {
	printf '%s/ceph-kmod\n' "$(ck_dkms_tree)"
}

# Where dkms keeps its default signing pair mok.key + mok.pub (DKMS_MOK_DIR), and the
# certificate the modules are verified against: MOK_CERT (sign/setup-key records the
# pair it picked), else dkms's default.
ck_dkms_mok_dir() {
	ck_conf DKMS_MOK_DIR /var/lib/dkms
}

ck_mok_cert() {
	ck_conf MOK_CERT "$(ck_dkms_mok_dir)/mok.pub"
}

# Where dkms installs modules for a kernel: Debian/Ubuntu force updates/dkms,
# others use DEST_MODULE_LOCATION (/extra). Relative to /lib/modules/KVER.
ck_dkms_dest() {
	if [[ -f /etc/debian_version ]]; then echo updates/dkms; else echo extra; fi
}

# Where "make install" (by hand, without dkms) installs them, relative to
# /lib/modules/KVER. packaging/depmod.d puts all three locations ahead of the kernel's.
ck_manual_dest() {
	echo updates/ceph-kmod
}

# ck_links_dir KVER [DEST]: the directory depmod finds our modules in (DEST relative
# to the kernel's module tree; default dkms's location).
ck_links_dir() {
	printf '%s/%s\n' "$(ck_modules_dir "$1")" "${2:-$(ck_dkms_dest)}"
}

# ck_sets_dir KVER [DEST]: the directory holding the module sets of a kernel (one
# subdirectory per set, "current" -> the installed one). depmod.d excludes every
# directory of this name (packaging/depmod.d). dkms's sets live beside the kernel's
# modules; a by-hand install keeps its own inside its DEST, so "make uninstall" and
# the dkms flow never touch each other's sets.
ck_sets_dir() {
	local kver=$1 dest=${2:-$(ck_dkms_dest)}
	if [[ "$dest" == "$(ck_dkms_dest)" ]]; then
		printf '%s/ceph-kmod-sets\n' "$(ck_modules_dir "$kver")"
	else
		printf '%s/ceph-kmod-sets\n' "$(ck_links_dir "$kver" "$dest")"
	fi
}

# The depmod.d override a by-hand install puts in place (a package ships its own
# in /usr/lib/depmod.d).
ck_depmod_conf() {
	printf '/etc/depmod.d/ceph-kmod.conf\n'
}

# ck_kmod_marker KVER: the marker of a prebuilt kmod package (make kmod-deb/kmod-rpm)
# that owns the kernel's ceph-kmod modules; its first word names the package.
ck_kmod_marker() {
	printf '/usr/lib/ceph-kmod/kmod/%s\n' "$1"
}

# ck_kmod_package_for KVER: prints the package that owns KVER's modules; 1 when none.
ck_kmod_package_for() {
	local marker
	marker=$(ck_kmod_marker "$1")
	[[ -f "$marker" ]] && cut -d' ' -f1 "$marker"
}

# ck_refuse_kmod_package KVER: dies (exit 11) when a kmod package provides KVER's
# modules: they are real files in updates/ceph-kmod, which a by-hand install would change.
ck_refuse_kmod_package() {
	local pkg
	pkg=$(ck_kmod_package_for "$1") || return 0
	ck_die "$CK_E_PACKAGED" "kernel $1: the package $pkg provides its ceph-kmod modules in $(ck_links_dir "$1" "$(ck_manual_dest)"); a by-hand install would change that package's files" \
		"remove the package first (apt remove $pkg, or rpm -e $pkg), then run this again"
}

# ck_modinfo FILE FIELD: one modinfo field of a module file (.ko, .ko.xz...).
ck_modinfo() {
	modinfo -F "$2" "$1" 2>/dev/null | head -n1
}
