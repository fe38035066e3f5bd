# shellcheck shell=bash
# Host side of the end-to-end test: cluster lifetime, per-kernel guest run, and the report
# (the guest's own checks, then the host's cross-checks from RADOS with userspace tools).
# Needs tests/lib.sh (t_pass/t_fail/t_skip/t_kernel) and vm.sh sourced first.

shopt -s inherit_errexit
E2E_STEPS_DEFAULT="modules krbd1 krbd2 cephfs nbd rmmod"
CK_DATA_MB=${CK_DATA_MB:-16}
CK_IMG_MB=${CK_IMG_MB:-128}
E2E_CLUSTER=""

e2e_cluster_start() {
	E2E_CLUSTER="$CK_VM_STATE/cluster-$$"
	rm -rf "$E2E_CLUSTER"
	timeout 300 "$CK_VM_LIB/cluster" start "$E2E_CLUSTER" >/dev/null
}
e2e_cluster_stop() {
	[[ -n "$E2E_CLUSTER" ]] || return 0
	timeout 60 "$CK_VM_LIB/cluster" stop "$E2E_CLUSTER" || true
	# Keep the logs as artifacts, drop the rest (the OSD's sparse block file included).
	mkdir -p "$CK_VM_ARTIFACTS/cluster-$$"
	cp -r "$E2E_CLUSTER/log" "$CK_VM_ARTIFACTS/cluster-$$/" 2>/dev/null || true
	rm -rf "$E2E_CLUSTER"
	E2E_CLUSTER=""
}
h_ceph() { timeout 120 ceph -c "$E2E_CLUSTER/ceph.conf" --connect-timeout 30 "$@"; }
h_rbd() { timeout 300 rbd -c "$E2E_CLUSTER/ceph.conf" "$@"; }
h_rados() { timeout 300 rados -c "$E2E_CLUSTER/ceph.conf" "$@"; }

# h_slug / h_broken: same deliberate-break switch as the guest's (CK_VM_BREAK).
h_slug() { printf '%s' "$1" | tr ' /+' '---'; }
h_broken() {
	local b
	for b in ${CK_VM_BREAK:-}; do
		[[ "$b" == "$(h_slug "$1")" ]] && return 0
	done
	return 1
}
# h_sum_check ROLE CHECK WANT FILE: PASS when FILE's sha256 is WANT.
h_sum_check() {
	local role=$1 check=$2 want=$3 file=$4 got
	if [[ -z "$want" ]]; then
		t_fail "$role: $check (no checksum of the data given to the guest)"
		return 0
	fi
	if [[ ! -f "$file" ]]; then
		t_fail "$role: $check (could not read the data back from RADOS)"
		return 0
	fi
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if h_broken "$check"; then
		got=0000000000000000000000000000000000000000000000000000000000000000
	fi
	t_eq "$role: $check" "$want" "$got"
}

# e2e_field FILE KIND NAME: the value of the first "KIND<TAB>NAME<TAB>value" record.
e2e_field() { awk -F'\t' -v k="$2" -v n="$3" '$1 == k && $2 == n { print $3; exit }' "$1" 2>/dev/null || true; }
# e2e_sum SUMS NAME: the host's sha256 of the data file NAME it gave the guest.
e2e_sum() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

e2e_expect_ours() {
	local kver=$1
	if compgen -G "/lib/modules/$kver/updates/dkms/libceph.ko*" >/dev/null ||
		compgen -G "/lib/modules/$kver/extra/libceph.ko*" >/dev/null; then
		echo 1
	elif command -v dkms >/dev/null && dkms status -m ceph-kmod -k "$kver" 2>/dev/null | grep -q ': installed'; then
		echo 1
	else
		echo 0
	fi
}

# e2e_prepare ROLE KVER SCRATCH STEPS: images, guest config and env in SCRATCH.
e2e_prepare() {
	local role=$1 kver=$2 scratch=$3 steps=$4 img i file
	img="e2e-$role"
	for i in krbd-msgr1 krbd-msgr2 nbd; do
		h_rbd snap purge "rbd/$img-$i" >/dev/null 2>&1 || true
		h_rbd rm "rbd/$img-$i" >/dev/null 2>&1 || true
		h_rbd create --size "${CK_IMG_MB}M" --image-feature layering,exclusive-lock "rbd/$img-$i"
	done
	mkdir -p "$scratch/data"
	: >"$scratch/sums"
	for i in krbd-msgr1 krbd-msgr1-head krbd-msgr2 fs-big nbd; do
		head -c "$((CK_DATA_MB * 1024 * 1024))" /dev/urandom >"$scratch/data/$i"
		printf '%s %s\n' "$i" "$(sha256sum "$scratch/data/$i" | cut -d' ' -f1)" >>"$scratch/sums"
	done
	# What modprobe resolves on the host before the boot, with build-ids: dkms may reinstall a
	# module while the guest runs (other jobs on this host), the cross-check accepts either.
	: >"$scratch/host-modules"
	for i in libceph rbd ceph nbd; do
		file=$(modinfo -k "$kver" -n "$i")
		printf '%s %s %s\n' "$i" "$file" "$(h_build_id "$file")" >>"$scratch/host-modules"
	done
	cp "$CK_VM_LIB/guest-e2e.sh" "$scratch/job.sh"
	"$CK_VM_LIB/cluster" guest-conf "$E2E_CLUSTER" >"$scratch/ceph.conf"
	h_ceph auth get client.admin -o "$scratch/keyring" 2>/dev/null
	cp "$E2E_CLUSTER/admin.key" "$scratch/admin.key"
	{
		printf 'CK_ROLE=%q\nCK_IMG=%q\nCK_STEPS=%q\n' "$role" "$img" "$steps"
		printf 'CK_PORTS=%q\n' "$("$CK_VM_LIB/cluster" ports "$E2E_CLUSTER" | tr '\n' ' ')"
		printf 'CK_MON1=%q\n' "127.0.0.1:$(($(cat "$E2E_CLUSTER/port-base") + 1))"
		printf 'CK_DATA_MB=%q\nCK_IMG_MB=%q\n' "$CK_DATA_MB" "$CK_IMG_MB"
		printf 'CK_EXPECT_OURS=%q\nCK_VM_BREAK=%q\n' "$(e2e_expect_ours "$kver")" "${CK_VM_BREAK:-}"
		printf 'CK_STEP_TIMEOUT=%q\n' "${CK_STEP_TIMEOUT:-240}"
	} >"$scratch/env.sh"
}

# e2e_report_checks ROLE RESULTS [STEP] < CHECKS: one t_* line per check name read on stdin,
# from the guest's RESULTS ("PASS|FAIL|SKIP<TAB>check<TAB>detail"); a check with no result is
# a FAIL (naming STEP's own failure, when the guest recorded one).
e2e_report_checks() {
	local role=$1 res=$2 step=${3:-} check line status detail
	while read -r check; do
		line=$(awk -F'\t' -v c="$check" '($1 == "PASS" || $1 == "FAIL" || $1 == "SKIP") && $2 == c { print; exit }' "$res" 2>/dev/null || true)
		if [[ -z "$line" ]]; then
			detail=""
			[[ -z "$step" ]] || detail=$(awk -F'\t' -v c="step $step" '$1 == "FAIL" && $2 == c { print $3; exit }' "$res" 2>/dev/null || true)
			t_fail "$role: $check (no result from the guest${detail:+: step $step $detail})"
			continue
		fi
		IFS=$'\t' read -r status _ detail <<<"$line"
		case "$status" in
		PASS) t_pass "$role: $check${detail:+ ($detail)}" ;;
		SKIP) t_skip "$role: $check${detail:+ ($detail)}" ;;
		*) t_fail "$role: $check${detail:+ ($detail)}" ;;
		esac
	done
}

# e2e_report_guest ROLE RESULTS STEPS [JOB]: the checks the guest job (default guest-e2e.sh)
# plans for STEPS, reported from its results.
e2e_report_guest() {
	local role=$1 res=$2 steps=$3 job=${4:-$CK_VM_LIB/guest-e2e.sh} step
	for step in $steps; do
		{ bash "$job" plan "$step" || true; } | e2e_report_checks "$role" "$res" "$step"
	done
}

# h_build_id FILE: GNU build-id of a module file, decompressing first.
h_build_id() {
	local f=$1 tmp
	tmp=$(mktemp)
	case "$f" in
	*.xz) xz -dc "$f" >"$tmp" ;;
	*.zst) zstd -qdc "$f" >"$tmp" ;;
	*.gz) gzip -dc "$f" >"$tmp" ;;
	*) cp "$f" "$tmp" ;;
	esac
	readelf -n "$tmp" | awk '/Build ID:/ { print $3; exit }'
	rm -f "$tmp"
}

# h_rbd_file IMAGE[@SNAP] OUT: exports the image and dumps /data.bin of its ext4 into OUT.
h_rbd_file() {
	local spec=$1 out=$2 tmp
	tmp=$(mktemp -d "$CK_VM_STATE/export.XXXXXX")
	if h_rbd export --no-progress "rbd/$spec" "$tmp/img" >/dev/null 2>&1 &&
		timeout 120 debugfs -R "dump /data.bin $out" "$tmp/img" >/dev/null 2>&1; then
		:
	else
		rm -f "$out"
	fi
	rm -rf "$tmp"
}

# h_cephfs_file INODE SIZE OUT: reassembles a CephFS file from its RADOS objects.
h_cephfs_file() {
	local ino=$1 size=$2 out=$3 n i obj
	: >"$out"
	n=$(((size + 4194303) / 4194304))
	for ((i = 0; i < n; i++)); do
		obj=$(printf '%x.%08x' "$ino" "$i")
		if ! h_rados -p cephfs_data get "$obj" "$out.part" >/dev/null 2>&1; then
			rm -f "$out" "$out.part"
			return 0
		fi
		cat "$out.part" >>"$out"
	done
	rm -f "$out.part"
	truncate -s "$size" "$out"
}

# e2e_cross_check ROLE RESULTS STEPS SUMS HOSTMODS: the host's own reading of what the guest
# did, against the sums of the data the host gave the guest and the module build-ids the
# host read before the boot (HOSTMODS: "module file build-id" lines).
e2e_cross_check() {
	local role=$1 res=$2 steps=$3 sums=$4 hostmods=$5 m rec file sid hid pre tmp ino size
	tmp=$(mktemp -d "$CK_VM_STATE/check.XXXXXX")
	if [[ " $steps " == *" modules "* ]]; then
		for m in libceph rbd ceph nbd; do
			rec=$(e2e_field "$res" INFO "module $m")
			file=${rec% *} sid=${rec##* }
			if [[ -z "$rec" || ! -f "$file" ]]; then
				t_fail "$role: host build-id $m (guest recorded no module file)"
				continue
			fi
			hid=$(h_build_id "$file")
			pre=$(awk -v m="$m" -v f="$file" '$1 == m && $2 == f { print $3 }' "$hostmods")
			if h_broken "host build-id $m"; then hid=broken pre=broken; fi
			if [[ "$sid" == "$hid" ]]; then
				t_pass "$role: host build-id $m (loaded module is $file)"
			elif [[ -n "$pre" && "$sid" == "$pre" ]]; then
				t_pass "$role: host build-id $m (loaded module is $file as it was at boot; replaced during the run)"
			else
				t_fail "$role: host build-id $m (loaded $sid; $file had ${pre:-?} at boot, has $hid now)"
			fi
		done
	fi
	if [[ " $steps " == *" krbd1 "* ]]; then
		h_rbd_file "e2e-$role-krbd-msgr1" "$tmp/k1"
		h_sum_check "$role" "host rados krbd msgr1 sha256" "$(e2e_sum "$sums" krbd-msgr1-head)" "$tmp/k1"
		h_rbd_file "e2e-$role-krbd-msgr1@s1" "$tmp/k1s"
		h_sum_check "$role" "host rados krbd msgr1 snapshot sha256" "$(e2e_sum "$sums" krbd-msgr1)" "$tmp/k1s"
	fi
	if [[ " $steps " == *" krbd2 "* ]]; then
		h_rbd_file "e2e-$role-krbd-msgr2" "$tmp/k2"
		h_sum_check "$role" "host rados krbd msgr2 sha256" "$(e2e_sum "$sums" krbd-msgr2)" "$tmp/k2"
	fi
	if [[ " $steps " == *" cephfs "* ]]; then
		ino=$(e2e_field "$res" INFO "cephfs-big inode")
		size=$(e2e_field "$res" INFO "cephfs-big size")
		[[ -n "$ino" && -n "$size" ]] && h_cephfs_file "$ino" "$size" "$tmp/fs"
		h_sum_check "$role" "host rados cephfs sha256" "$(e2e_sum "$sums" fs-big)" "$tmp/fs"
	fi
	if [[ " $steps " == *" nbd "* ]]; then
		h_rbd_file "e2e-$role-nbd" "$tmp/nbd"
		h_sum_check "$role" "host rados rbd-nbd sha256" "$(e2e_sum "$sums" nbd)" "$tmp/nbd"
	fi
	rm -rf "$tmp"
}

# e2e_dmesg_check ROLE DMESG
e2e_dmesg_check() {
	local role=$1 f=$2 bad
	if [[ ! -s "$f" ]]; then
		t_fail "$role: guest dmesg clean (no dmesg saved)"
		return 0
	fi
	bad=$(grep -E 'BUG|WARNING|Oops|general protection|hung task' "$f" || true)
	if [[ -z "$bad" ]]; then
		t_pass "$role: guest dmesg clean"
	else
		t_fail "$role: guest dmesg clean ($(head -n 3 <<<"$bad" | tr '\n' ' '))"
	fi
}

# e2e_ours_dir PATTERN KVER: PATTERN ("{kver}" replaced by KVER) when it names a directory
# holding our built modules (a share for the guest), else nothing: the installed ceph-kmod.
e2e_ours_dir() {
	local d=$1
	[[ -n "$d" ]] || return 0
	d=${d//\{kver\}/$2}
	[[ -d "$d" ]] && find "$d" -name 'libceph.ko*' | grep -q . || return 0
	printf '%s\n' "$d"
}

# e2e_suite_start WHAT LOGNAME TOOL...: a guest suite's frame: root, the TOOLs, then the
# Ceph cluster on loopback (stopped on exit; its start log in $CK_VM_ARTIFACTS/LOGNAME).
# Records SKIP (no root, a tool missing) or FAIL (cluster) and returns 1 when it cannot run.
e2e_suite_start() {
	local what=$1 log=$2 tool t0
	shift 2
	if ((EUID != 0)); then
		t_skip "$what (needs root: 9p export of /, Ceph daemons)"
		return 1
	fi
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			t_skip "$what ($tool not installed)"
			return 1
		fi
	done
	t0=$SECONDS
	trap e2e_cluster_stop EXIT
	trap 'exit 143' TERM INT
	if ! e2e_cluster_start 2>"$CK_VM_ARTIFACTS/$log"; then
		t_fail "ceph cluster on loopback started (see $CK_VM_ARTIFACTS/$log)"
		return 1
	fi
	t_setup "ceph cluster on loopback started ($((SECONDS - t0))s)"
}

# e2e_role_kernel ROLE: prints the role's kernel (tests/pick-kernels). Records FAIL when
# there is none, SKIP when its image or modules are not installed, and returns 1 then (the
# records go to stderr and the results file: callers capture stdout).
e2e_role_kernel() {
	local role=$1 kver
	kver=$(t_kernel "$role")
	if [[ -z "$kver" ]]; then
		t_fail "$role: pick-kernels gave no kernel" >&2
		return 1
	fi
	if [[ ! -r "/boot/vmlinuz-$kver" || ! -d "/lib/modules/$kver/kernel" ]]; then
		t_skip "$role: kernel $kver is not installed (/boot/vmlinuz-$kver, /lib/modules/$kver)" >&2
		return 1
	fi
	printf '%s\n' "$kver"
}

# e2e_kernel ROLE: one guest of the role's kernel, all steps, all reports.
e2e_kernel() {
	local role=$1 steps=${CK_VM_STEPS:-$E2E_STEPS_DEFAULT} kver scratch log art rc=0 prc=0 jrc t0
	kver=$(e2e_role_kernel "$role") || return 0
	art="$CK_VM_ARTIFACTS/e2e-$role"
	log="$art.console.log"
	scratch=$(vm_scratch "e2e-$role")
	t0=$SECONDS
	# not `if ! e2e_prepare`: that would run it with set -e off (pitfall 8)
	e2e_prepare "$role" "$kver" "$scratch" "$steps" >"$art.prepare.log" 2>&1 &
	wait "$!" || prc=$?
	if ((prc != 0)); then
		t_fail "$role: prepare images and guest config (see $art.prepare.log)"
		vm_scratch_done "$scratch"
		return 0
	fi
	vm_boot -t "${CK_VM_TIMEOUT:-900}" "$kver" "$scratch" "$log" || rc=$?
	jrc=$(vm_job_rc "$scratch")
	cp "$scratch/results" "$art.results" 2>/dev/null || : >"$art.results"
	cp "$scratch/dmesg.txt" "$art.dmesg" 2>/dev/null || true
	if ((rc == 0 && jrc == 0)); then
		t_setup "$role: guest $kver ran the job and powered off ($((SECONDS - t0))s)"
	else
		t_fail "$role: guest $kver ran the job and powered off (qemu status $rc, job status $jrc; console $log)"
	fi
	e2e_report_guest "$role" "$art.results" "$steps"
	cp "$scratch/sums" "$art.sums"
	cp "$scratch/host-modules" "$art.host-modules"
	vm_scratch_done "$scratch"
	e2e_cross_check "$role" "$art.results" "$steps" "$art.sums" "$art.host-modules"
	e2e_dmesg_check "$role" "$art.dmesg"
	printf '%s (%s) timings:' "$role" "$kver"
	awk -F'\t' '$1 == "TIME" && $2 ~ /^step / { printf " %s %ss", substr($2, 6), $3 }' "$art.results"
	printf ' total %ss\n' "$((SECONDS - t0))"
}
