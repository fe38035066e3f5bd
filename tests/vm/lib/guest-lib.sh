# shellcheck shell=bash
# Helpers for scripts that run inside a test guest (sourced there from /run/ck).
# Results go to /run/ck/results, one tab-separated record a line, read by the host:
#   PASS|FAIL|SKIP <check> <detail>     one check
#   INFO <name> <value>                 anything else the host needs (inode, path, ...)
#   TIME <step> <seconds>
# A check starts with g_begin NAME and ends with g_ok/g_skip/g_fail; a command failing in
# between (set -e) records FAIL for it through the ERR trap, naming the line and command.

shopt -s inherit_errexit
G_RESULTS=${G_RESULTS:-/run/ck/results}
G_CUR=""
G_T0=0

g_uptime() { cut -d' ' -f1 /proc/uptime; }
g_say() { printf 'ck-guest [%s]: %s\n' "$(g_uptime)" "$*"; }
# g_elapsed: seconds since the current check began.
g_elapsed() { awk -v a="$G_T0" -v b="$(g_uptime)" 'BEGIN { printf "%.1f", b - a }'; }
g_rec() {
	local IFS=$'\t'
	printf '%s\n' "$*" >>"$G_RESULTS"
}
g_res() {
	g_rec "$1" "$2" "${3:-}"
	g_say "$1: $2${3:+ ($3)}"
}
# g_slug TEXT: TEXT with blanks and slashes as dashes (names for CK_VM_BREAK).
g_slug() { printf '%s' "$1" | tr ' /+' '---'; }
g_begin() { G_CUR=$1 G_T0=$(g_uptime); g_say "begin: $1"; }
g_end() {
	g_rec TIME "$G_CUR" "$(g_elapsed)"
	g_res "$1" "$G_CUR" "${2:-}"
	G_CUR=""
}
g_ok() { g_end PASS "${1:-}"; }
g_skip() { g_end SKIP "${1:-}"; }
g_fail() { g_end FAIL "${1:-}"; return 1; }
g_on_err() {
	local rc=$1 line=$2 cmd=$3
	if [[ -n "$G_CUR" ]]; then
		g_end FAIL "exit $rc at line $line: $cmd"
	fi
}
g_traps() {
	set -E
	trap 'g_on_err $? $LINENO "$BASH_COMMAND"' ERR
}

# g_broken: true when CK_VM_BREAK names the current check (the deliberate-failure switch).
g_broken() {
	local b
	for b in ${CK_VM_BREAK:-}; do
		[[ "$b" == "$(g_slug "$G_CUR")" ]] && return 0
	done
	return 1
}
g_sum() { sha256sum "$1" | cut -d' ' -f1; }
# g_same EXPECTED ACTUAL: fails the current check when the checksums differ.
g_same() {
	local want=$1 got=$2
	if g_broken; then
		g_say "CK_VM_BREAK: corrupting the checksum of '$G_CUR'"
		got=0000000000000000000000000000000000000000000000000000000000000000
	fi
	[[ "$want" == "$got" ]] || g_fail "sha256 mismatch: expected $want, got $got"
}
g_drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# g_forward_ports PORT...: the Ceph maps name 127.0.0.1:PORT; forward each to the host.
g_forward_ports() {
	local p missing listening end=$((SECONDS + 10 * $#))
	for p in "$@"; do
		socat "TCP-LISTEN:$p,bind=127.0.0.1,reuseaddr,fork" "TCP:10.0.2.2:$p" </dev/null \
			>>/run/ck-log/socat.log 2>&1 &
	done
	# one listing of the listening ports per round, for all of them
	while :; do
		listening=" $(ss -Htln | awk '{ sub(/.*:/, "", $4); print $4 }' | tr '\n' ' ') "
		missing=""
		for p in "$@"; do
			[[ "$listening" == *" $p "* ]] || missing+=" $p"
		done
		[[ -n "$missing" ]] || return 0
		((SECONDS < end)) || { g_say "ports not forwarded:$missing"; return 1; }
		sleep 0.2
	done
}

# g_build_id_file FILE: GNU build-id of a module file (.ko, .ko.xz, .ko.zst, .ko.gz).
g_build_id_file() {
	local f=$1 tmp
	tmp=$(mktemp /run/tmp/bid.XXXXXX)
	case "$f" in
	*.xz) xz -dc "$f" >"$tmp" ;;
	*.zst) zstd -qdc "$f" >"$tmp" ;;
	*.gz) gzip -dc "$f" >"$tmp" ;;
	*) cp "$f" "$tmp" ;;
	esac
	readelf -n "$tmp" | awk '/Build ID:/ { print $3; exit }'
	rm -f "$tmp"
}
# g_build_id_loaded MODULE: GNU build-id of the loaded module (ELF note: 12-byte header,
# "GNU\0", then the id).
g_build_id_loaded() {
	local f="/sys/module/$1/notes/.note.gnu.build-id"
	tail -c +17 "$f" | od -An -tx1 -v | tr -d ' \n'
}

# g_job_main STEPS_FN ARG...: the frame of every guest job, called by its main() once env.sh
# and guest-lib.sh are loaded ("job.sh plan ..." is answered before, on the host):
#   job.sh step ARG...  the job's run_step ARG... (a step, in its own bash under g_step);
#   job.sh              the "boot" result, /dev/fd (bash's <(...) needs it, a bare devtmpfs
#                       has none), the Ceph ports forwarded (CK_PORTS, when set), then
#                       STEPS_FN: the job's own sequence of g_step calls.
g_job_main() {
	local steps_fn=$1
	shift
	if [[ "${1:-}" == step ]]; then
		shift
		run_step "$@"
		return
	fi
	g_res PASS "boot" "$(uname -r)"
	[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
	# shellcheck disable=SC2086 # a list of ports
	[[ -z "${CK_PORTS:-}" ]] || g_forward_ports $CK_PORTS
	"$steps_fn"
}

# g_step NAME TIMEOUT CMD...: runs one step as its own process (its own set -e) with a
# time limit, records its duration; a timeout is recorded as a FAIL of the step.
g_step() {
	local name=$1 limit=$2 rc=0
	shift 2
	G_T0=$(g_uptime)
	g_say "step $name (limit ${limit}s)"
	timeout -k 5 "$limit" "$@" || rc=$?
	g_rec TIME "step $name" "$(g_elapsed)"
	if ((rc == 124 || rc == 137)); then
		g_res FAIL "step $name" "timed out after ${limit}s"
	elif ((rc != 0)); then
		g_say "step $name exited $rc"
	fi
	return 0
}

# g_modfile SET MODULE: the module file of that set for the running kernel. "intree": the
# kernel's own, by path (modprobe would pick ceph-kmod's from updates/, and a find over the 9p
# root is slow under TCG); "ours": from CK_OURS_DIR when set (a share of built modules), else
# what modprobe resolves under updates/ or extra/ (the installed ceph-kmod).
g_modfile() {
	local set=$1 m=$2 kver f=""
	kver=$(uname -r)
	case "$set" in
	intree)
		case "$m" in
		libceph) f=net/ceph ;; ceph) f=fs/ceph ;; *) f=drivers/block ;;
		esac
		f=$(compgen -G "/lib/modules/$kver/kernel/$f/$m.ko*" | head -n 1 || true) ;;
	ours)
		if [[ -n "${CK_OURS_DIR:-}" ]]; then
			f=$(find "$CK_OURS_DIR" -name "$m.ko*" | head -n 1)
		else
			f=$(modinfo -k "$kver" -n "$m")
			case "$f" in */updates/* | */extra/*) ;; *) f="" ;; esac
		fi ;;
	esac
	[[ -n "$f" ]] || { echo "no $set $m module for $kver" >&2; return 1; }
	printf '%s\n' "$f"
}

# g_umount_under DIR: unmounts everything mounted below DIR, deepest first.
g_umount_under() {
	local m
	while read -r m; do
		umount "$m" || umount -l "$m" || true
	done < <(awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r)
}

# g_cleanup DIR: leaves no mount below DIR and no rbd mapping behind, so that the steps
# after a failed one can still run.
g_cleanup() {
	local d
	g_umount_under "$1"
	for d in /sys/bus/rbd/devices/*; do
		[[ -e "$d" ]] && { echo "${d##*/} force" >/sys/bus/rbd/remove_single_major || true; }
	done
	return 0
}

# g_load_dep NAME: a module our set depends on: from CK_OURS_DIR when that holds it (a
# backport may bring its own), else the kernel's (modprobe).
g_load_dep() {
	local d=$1 f="" dd
	[[ -d "/sys/module/${d//-/_}" ]] && return 0
	[[ -z "${CK_OURS_DIR:-}" ]] || f=$(find "$CK_OURS_DIR" -name "$d.ko*" | head -n 1)
	if [[ -n "$f" ]]; then
		for dd in $(modinfo -F depends "$f" | tr ',' ' '); do g_load_dep "$dd"; done
		insmod "$f"
	else
		modprobe "$d"
	fi
}

# g_insmod_set SET MODULE...: loads the MODULEs of SET (g_modfile) in that order by path,
# each after its dependencies outside the list, and records each loaded module's build-id.
g_insmod_set() {
	local set=$1 m f d
	shift
	for m in "$@"; do
		f=$(g_modfile "$set" "$m")
		for d in $(modinfo -F depends "$f" | tr ',' ' '); do
			case " $* " in *" $d "*) ;; *) g_load_dep "$d" ;; esac
		done
		insmod "$f"
		g_rec INFO "$set module $m" "$f $(g_build_id_loaded "$m")"
	done
}
