#!/usr/bin/env bash
# aes256k CephX keys (Ceph 20.2.4 Tentacle, issue 17) in QEMU guests against two Tentacle
# clusters on loopback: "aes256k" (monmap allows only aes256k, every key type 2, msgr1
# signatures required, auth_service_ticket_ttl $CK_AES_TTL) and "both" (aes and aes256k).
# One guest per role, all roles at once:
#   oldest61 newest61 newest612   in-tree modules must refuse the key (negative control: the
#                                 kernel's line is reported), then ours must pass the positive
#                                 test: krbd + CephFS with ms_mode legacy/crc/secure (sha256,
#                                 cross-checked from RADOS with Tentacle's tools), IO across
#                                 >= 2 ticket renewals and an OSD restart, a wrong key refused
#                                 with EACCES, an aes key on the "both" cluster
#   anchor                        Linux 7.x (sid-cache kernel: $CK_ANCHOR_KVER or the newest; sid, unpacked into the cache, not
#                                 installed): its in-tree client passes the same positive test
#   trixie trixie-bpo             Debian 13's kernel (6.12) and its backports kernel (7.x), image and
#                                 modules from tests/trixie/lib/trixie-cache, with the sets the trixie
#                                 suite built in its Debian 13 root ($CK_TEST_STATE/trixie/sets/KVER):
#                                 trixie's in-tree client must refuse the key, ours pass the positive
#                                 test on both (run the trixie suite first; SKIP without its sets)
# Usage: 10-guest.sh [ROLE...]   Environment: CK_AES_OURS (directory of our modules, "{kver}"
# expands, e.g. /work/x/out/{kver}; default: the installed ceph-kmod), CK_AES_TTL (20),
# CK_AES_DATA_MB (2), CK_AES_RENEW_MB (8), CK_AES_PARALLEL (6: every role at once), CK_VM_MEM (1536).
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../vm/lib/vm.sh
. "$(dirname "$0")/../vm/lib/vm.sh"
# shellcheck source=../vm/lib/e2e.sh
. "$(dirname "$0")/../vm/lib/e2e.sh"

AES_LIB=$(cd "$(dirname "$0")/lib" && pwd)
CK_AES_TTL=${CK_AES_TTL:-20}
CK_AES_DATA_MB=${CK_AES_DATA_MB:-2}
CK_AES_RENEW_MB=${CK_AES_RENEW_MB:-8}
export CK_VM_MEM=${CK_VM_MEM:-1536}
AES_A="" AES_B=""
ANCHOR_VMLINUZ="" ANCHOR_MODROOT="" ANCHOR_KVER=""

a_exec() { timeout 300 "$CK_VM_LIB/cluster" exec "$@"; }
# a_ceph DIR ARGS...: Tentacle's ceph CLI on cluster DIR (rbd, rados alike: a_tool DIR rbd ...).
a_tool() { local d=$1 t=$2; shift 2; a_exec "$d" "$t" -c "$d/ceph.conf" "$@"; }
key_type() { base64 -d <<<"$1" 2>/dev/null | head -c 2 | od -An -tu2 | tr -d ' '; }

aes_clusters_stop() {
	local d
	for d in "$AES_A" "$AES_B"; do
		[[ -n "$d" ]] || continue
		timeout 60 "$CK_VM_LIB/cluster" stop "$d" >/dev/null 2>&1 || true
		mkdir -p "$CK_VM_ARTIFACTS/aes-$(basename "$d")"
		cp -r "$d/log" "$CK_VM_ARTIFACTS/aes-$(basename "$d")/" 2>/dev/null || true
		rm -rf "$d"
	done
}

# aes_setup: the sid root and anchor kernel (cached), both clusters, the client keys.
aes_setup() {
	local t0 out pa=0 pb=0 pida pidb k
	t0=$SECONDS
	if ! out=$("$CK_VM_LIB/sid-cache" root 2>&1); then
		t_fail "Tentacle root (sid-cache root: $(tail -n 2 <<<"$out" | tr '\n' ' '))"
		return 1
	fi
	t_setup "Tentacle root $(cut -d' ' -f3 "$(tail -n 1 <<<"$out")/.ceph-version") ready ($((SECONDS - t0))s)"
	t0=$SECONDS
	local rc=0
	out=$("$CK_VM_LIB/sid-cache" kernel 2>&1) || rc=$?
	if ((rc == 0)); then
		read -r ANCHOR_VMLINUZ ANCHOR_MODROOT ANCHOR_KVER <<<"$(tail -n 1 <<<"$out")"
		t_setup "anchor kernel $ANCHOR_KVER unpacked in the cache ($((SECONDS - t0))s)"
	else
		t_fail "anchor kernel (sid-cache kernel exited $rc: $(tail -n 2 <<<"$out" | tr '\n' ' '))"
	fi
	t0=$SECONDS
	AES_A="$CK_VM_STATE/aes-a-$$" AES_B="$CK_VM_STATE/aes-b-$$"
	rm -rf "$AES_A" "$AES_B"
	trap aes_clusters_stop EXIT
	trap 'exit 143' TERM INT
	timeout 400 "$CK_VM_LIB/cluster" start "$AES_A" --tentacle --ciphers aes256k --ticket-ttl "$CK_AES_TTL" \
		>/dev/null 2>"$CK_VM_ARTIFACTS/aes-cluster-a.log" &
	pida=$!
	timeout 400 "$CK_VM_LIB/cluster" start "$AES_B" --tentacle --ciphers both \
		>/dev/null 2>"$CK_VM_ARTIFACTS/aes-cluster-b.log" &
	pidb=$!
	wait "$pida" || pa=$?
	wait "$pidb" || pb=$?
	if ((pa != 0 || pb != 0)); then
		t_fail "Tentacle clusters on loopback started (aes256k: $pa, both: $pb; see $CK_VM_ARTIFACTS/aes-cluster-[ab].log)"
		return 1
	fi
	t_pass "Tentacle clusters on loopback started: aes256k-only (ticket ttl ${CK_AES_TTL}s), aes+aes256k ($((SECONDS - t0))s)"
	t_match "aes256k cluster monmap allows only aes256k" '^auth_allowed_ciphers aes256k$' \
		"$(a_tool "$AES_A" ceph mon dump 2>/dev/null)"
	k=$(cat "$AES_A/admin.key")
	t_eq "aes256k cluster client.admin key type" 2 "$(key_type "$k")"
	# a wrong key of the right type; an aes (type 1) client on the "both" cluster
	a_exec "$AES_A" ceph-authtool --gen-print-key >"$AES_A/wrong.key"
	a_exec "$AES_B" ceph-authtool --create-keyring "$AES_B/aes.keyring" --gen-key -n client.aes \
		--key-type aes --cap mon 'allow r' --cap osd 'allow rwx' --cap mds 'allow rw' >/dev/null
	a_tool "$AES_B" ceph auth import -i "$AES_B/aes.keyring" >/dev/null 2>&1
	a_tool "$AES_B" ceph auth get-key client.aes >"$AES_B/aes.key" 2>/dev/null
	t_eq "both cluster client.aes key type" 1 "$(key_type "$(cat "$AES_B/aes.key")")"
}

# aes_ours_dir KVER: CK_AES_OURS with {kver} expanded when it holds libceph.ko*, else empty.
aes_ours_dir() { e2e_ours_dir "${CK_AES_OURS:-}" "$1"; }

# aes_prepare ROLE SCRATCH SETS OURS MODDIR: images, data, keys, env for the guest.
aes_prepare() {
	local role=$1 scratch=$2 sets=$3 ours=$4 moddir=$5 spec set n mb
	cp "$AES_LIB/guest-aes.sh" "$scratch/job.sh"
	cp "$AES_A/admin.key" "$scratch/key"
	cp "$AES_A/wrong.key" "$scratch/key-wrong"
	cp "$AES_B/aes.key" "$scratch/key-aes"
	mkdir -p "$scratch/data"
	: >"$scratch/sums"
	for n in legacy crc secure aeskey renew; do
		mb=$CK_AES_DATA_MB
		[[ "$n" != renew ]] || mb=$CK_AES_RENEW_MB
		head -c "$((mb << 20))" /dev/urandom >"$scratch/data/$n"
		printf '%s %s\n' "$n" "$(sha256sum "$scratch/data/$n" | cut -d' ' -f1)" >>"$scratch/sums"
	done
	a_tool "$AES_A" rbd create --size 16M "rbd/aes-$role-probe"
	for spec in $sets; do
		set=${spec%%:*}
		[[ "${spec#*:}" == work ]] || continue
		for n in legacy crc secure renew; do
			a_tool "$AES_A" rbd create --size 16M "rbd/aes-$role-$set-$n"
		done
		a_tool "$AES_B" rbd create --size 16M "rbd/aes-$role-$set-aeskey"
	done
	{
		printf 'CK_ROLE=%q\nCK_SETS=%q\n' "$role" "$sets"
		printf 'CK_PORTS=%q\n' "$({ "$CK_VM_LIB/cluster" ports "$AES_A"; "$CK_VM_LIB/cluster" ports "$AES_B"; } | tr '\n' ' ')"
		printf 'CK_MON=%q\nCK_MON2=%q\n' "127.0.0.1:$(cat "$AES_A/port-base")" "127.0.0.1:$(cat "$AES_B/port-base")"
		printf 'CK_OURS_DIR=%q\nCK_MODDIR=%q\n' "${ours:+/run/ck-share/ours}" "${moddir:+/run/ck-share/kmods}"
		printf 'CK_TTL=%q\nCK_RENEW_MB=%q\nCK_STEP_TIMEOUT=%q\n' "$CK_AES_TTL" "$CK_AES_RENEW_MB" "${CK_STEP_TIMEOUT:-400}"
	} >"$scratch/env.sh"
}

# aes_events SCRATCH SETS: the host's OSD restart for each positive set, when its writer is
# halfway (one restart at a time: the guests share the cluster).
aes_events() {
	local scratch=$1 sets=$2 spec set end rc t0
	for spec in $sets; do
		set=${spec%%:*}
		[[ "${spec#*:}" == work ]] || continue
		end=$((SECONDS + 900))
		until [[ -e "$scratch/ev-$set.ready" ]]; do
			if ((SECONDS > end)) || ! vm_alive; then
				vm_log "osd restart $set: the guest never got ready"
				return 0
			fi
			sleep 0.5
		done
		t0=$SECONDS rc=0
		# -o: the restarted daemon must not inherit (and hold) the lock
		timeout 600 flock -o "$AES_A/restart.lock" timeout 300 "$CK_VM_LIB/cluster" restart "$AES_A" osd 3 \
			>>"$CK_VM_ARTIFACTS/aes-restarts.log" 2>&1 || rc=$?
		printf '%s\t%s\t%s\n' "$set osd" "$rc" "$((SECONDS - t0))" >>"$scratch/host-events"
		# the restart's status: the guest's check fails unless it is 0
		printf '%s\n' "$rc" >"$scratch/ev-$set.done"
		vm_log "osd restart for $set: status $rc after $((SECONDS - t0))s"
	done
}

# aes_report ROLE RESULTS SETS: one t_* line per planned check (no result: FAIL).
aes_report() {
	local role=$1 res=$2 sets=$3 spec
	for spec in $sets; do
		{ bash "$AES_LIB/guest-aes.sh" plan "${spec%%:*}" "${spec#*:}" || true; } | e2e_report_checks "$role" "$res"
	done
}

# h_sum_of CLUSTER KIND NAME SIZE: sha256 of an rbd image's first SIZE bytes (KIND rbd) or of a
# CephFS file from its objects (KIND fs, NAME = "inohex size"), read with Tentacle's tools.
h_sum_of() {
	local d=$1 kind=$2 name=$3 size=$4 tmp i n ino rc=0
	tmp=$(mktemp -d "$CK_VM_STATE/aescheck.XXXXXX")
	if [[ "$kind" == rbd ]]; then
		a_tool "$d" rbd export --no-progress "rbd/$name" - >"$tmp/img" 2>/dev/null || rc=$?
		head -c "$size" "$tmp/img" >"$tmp/out"
	else
		ino=${name% *} size=${name#* }
		: >"$tmp/out"
		n=$(((size + 4194303) / 4194304))
		for ((i = 0; i < n; i++)); do
			a_tool "$d" rados -p cephfs_data get "$(printf '%s.%08x' "$ino" "$i")" - >>"$tmp/out" 2>/dev/null || rc=$?
		done
		truncate -s "$size" "$tmp/out"
	fi
	((rc == 0)) && sha256sum "$tmp/out" | cut -d' ' -f1
	rm -rf "$tmp"
}

# aes_cross_check ROLE RESULTS SETS SUMS: what RADOS holds, against the host's data.
aes_cross_check() {
	local role=$1 res=$2 sets=$3 sums=$4 spec set n d want size f
	for spec in $sets; do
		set=${spec%%:*}
		[[ "${spec#*:}" == work ]] || continue
		for n in legacy crc secure renew aeskey; do
			d=$AES_A
			[[ "$n" != aeskey ]] || d=$AES_B
			want=$(e2e_sum "$sums" "$n")
			size=$(($([[ "$n" == renew ]] && echo "$CK_AES_RENEW_MB" || echo "$CK_AES_DATA_MB") << 20))
			t_eq "$role: host rados $set krbd $n sha256" "$want" "$(h_sum_of "$d" rbd "aes-$role-$set-$n" "$size" || true)"
			f=$(e2e_field "$res" INFO "cephfs aes-$role-$set-$n")
			if [[ -z "$f" ]]; then
				t_fail "$role: host rados $set cephfs $n sha256 (the guest recorded no inode)"
			else
				t_eq "$role: host rados $set cephfs $n sha256" "$want" "$(h_sum_of "$d" fs "$f" 0 || true)"
			fi
		done
	done
}

# aes_build_ids ROLE RESULTS OURS: the modules the guest loaded as "ours" are the host's files
# (GNU build-id; the guest's /run/ck-share/ours is OURS on the host).
aes_build_ids() {
	local role=$1 res=$2 ours=$3 m rec file gid hid
	for m in libceph rbd ceph; do
		rec=$(e2e_field "$res" INFO "ours module $m")
		[[ -n "$rec" ]] || continue
		file=${rec% *} gid=${rec##* }
		[[ -z "$ours" ]] || file=${file/#\/run\/ck-share\/ours/$ours}
		hid=none
		[[ ! -f "$file" ]] || hid=$(h_build_id "$file")
		t_eq "$role: ours $m loaded is $file (build-id)" "$hid" "$gid"
	done
}

# trixie_role_opts ROLE: kver, sets, ours, moddir and opts (the caller's locals) for a Debian 13
# role: the kernel of the trixie suite's root, unpacked from its packages, and the set built there.
trixie_role_opts() {
	local role=$1 which=trixie out rc=0 vmlinuz modroot
	[[ "$role" == trixie ]] || which=backports
	kver=$(cat "$CK_TEST_STATE/trixie/kernel-$which" 2>/dev/null || true)
	ours=$CK_TEST_STATE/trixie/sets/$kver
	if [[ -z "$kver" || ! -e "$ours/set.env" ]]; then
		t_skip "$role: no Debian 13 set built (the trixie suite runs before this one: tests/run trixie aes256k)"
		return 1
	fi
	out=$("$CK_TOP/tests/trixie/lib/trixie-cache" image "$kver" 2>&1) || rc=$?
	if ((rc != 0)); then
		t_fail "$role: Debian 13 kernel $kver unpacked (trixie-cache image exited $rc: $(tail -n 2 <<<"$out" | tr '\n' ' '))"
		return 1
	fi
	read -r vmlinuz modroot _ <<<"$(tail -n 1 <<<"$out")"
	sets="intree:refuse ours:work"
	[[ "$which" == trixie ]] || sets="ours:work"
	moddir=$(readlink -f "$modroot/lib/modules")
	opts+=(-k "$vmlinuz" -i "$(CK_VM_MODROOT=$modroot vm_initramfs "$kver")" -s "kmods=$moddir" -s "ours=$ours")
}

# aes_role ROLE: one guest for the role, its events, the reports.
aes_role() {
	local role=$1 kver sets scratch art log ours="" moddir="" rc=0 prc=0 jrc t0
	local -a opts=(-t "${CK_VM_TIMEOUT:-900}")
	if [[ "$role" == trixie* ]]; then
		trixie_role_opts "$role" || return 0
	elif [[ "$role" == anchor ]]; then
		if [[ -z "$ANCHOR_VMLINUZ" ]]; then
			t_fail "anchor: no Linux 7.x from sid in the cache (sid-cache kernel failed)"
			return 0
		fi
		kver=$ANCHOR_KVER
		sets="intree:work"
		moddir=$(readlink -f "$ANCHOR_MODROOT/lib/modules")
		opts+=(-k "$ANCHOR_VMLINUZ" -i "$(CK_VM_MODROOT=$ANCHOR_MODROOT vm_initramfs "$kver")" -s "kmods=$moddir")
	else
		kver=$(e2e_role_kernel "$role") || return 0
		sets=${CK_AES_SETS:-intree:refuse ours:work}
		ours=$(aes_ours_dir "$kver")
		[[ -z "$ours" ]] || opts+=(-s "ours=$ours")
	fi
	art="$CK_VM_ARTIFACTS/aes-$role"
	log="$art.console.log"
	scratch=$(vm_scratch "aes-$role")
	t0=$SECONDS
	aes_prepare "$role" "$scratch" "$sets" "$ours" "$moddir" >"$art.prepare.log" 2>&1 &
	wait "$!" || prc=$?
	if ((prc != 0)); then
		t_fail "$role: prepare images and guest config (see $art.prepare.log)"
		vm_scratch_done "$scratch"
		return 0
	fi
	vm_start "${opts[@]}" "$kver" "$scratch" "$log"
	aes_events "$scratch" "$sets"
	vm_wait || rc=$?
	jrc=$(vm_job_rc "$scratch")
	cp "$scratch/results" "$art.results" 2>/dev/null || : >"$art.results"
	cp "$scratch/dmesg.txt" "$art.dmesg" 2>/dev/null || true
	cp "$scratch/sums" "$art.sums"
	if ((rc == 0 && jrc == 0)); then
		t_pass "$role: guest $kver ran the job and powered off ($((SECONDS - t0))s; ours: ${ours:-installed ceph-kmod})"
	else
		t_fail "$role: guest $kver ran the job and powered off (qemu status $rc, job status $jrc; console $log)"
	fi
	aes_report "$role" "$art.results" "$sets"
	aes_build_ids "$role" "$art.results" "$ours"
	vm_scratch_done "$scratch"
	aes_cross_check "$role" "$art.results" "$sets" "$art.sums"
	e2e_dmesg_check "$role" "$art.dmesg"
	printf '%s (%s) timings:' "$role" "$kver"
	awk -F'\t' '$1 == "TIME" && $2 ~ /^step / { printf " %s %ss", substr($2, 6), $3 }' "$art.results"
	printf ' total %ss\n' "$((SECONDS - t0))"
}

main() {
	local -a roles=("$@") pids=()
	local role i t0=$SECONDS
	((${#roles[@]})) || roles=(oldest61 newest61 newest612 anchor trixie trixie-bpo)
	if ((EUID != 0)); then
		t_skip "aes256k (needs root: 9p export of /, Ceph daemons, chroot)"
		return 0
	fi
	for i in qemu-system-x86_64 socat busybox mmdebstrap unshare; do
		command -v "$i" >/dev/null || { t_skip "aes256k ($i not installed: tests/install-deps)"; return 0; }
	done
	aes_setup || return 0
	# each role's lines go to its own file, printed in order once all are done
	for ((i = 0; i < ${#roles[@]}; i++)); do
		while (($(jobs -rp | wc -l) >= ${CK_AES_PARALLEL:-6})); do sleep 1; done
		aes_role "${roles[i]}" >"$CK_VM_ARTIFACTS/aes-${roles[i]}.out" 2>&1 &
		pids+=("$!")
	done
	for ((i = 0; i < ${#roles[@]}; i++)); do
		wait "${pids[i]}" || t_fail "${roles[i]}: role script exited $?"
		cat "$CK_VM_ARTIFACTS/aes-${roles[i]}.out"
	done
	echo "aes256k suite: $((SECONDS - t0))s"
}

main "$@"
