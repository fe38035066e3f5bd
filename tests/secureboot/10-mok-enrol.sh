#!/usr/bin/env bash
# Secure Boot end to end, the way a user enrols ceph-kmod's key: OVMF with Microsoft's keys
# (OVMF_CODE_4M.secboot.fd + a copy of OVMF_VARS_4M.ms.fd, SMM, secure pflash) boots an ESP
# image with Debian's signed shim, GRUB, MokManager and Debian's signed kernel (host root over
# 9p). Nothing fakes the trust: no db edit, no sig_enforce parameter, no patched shim, no
# offline variable-store edit.
#   boot 1: Secure Boot, lockdown [integrity], sig_enforce=Y from the kernel itself; our dkms
#           modules are refused (Key was rejected by service / unavailable key); `ceph-kmod
#           enroll` queues the certificate (mokutil --import with a password)
#   boot 2: shim starts MokManager; the test drives it over the serial console (Enroll MOK,
#           Continue, Yes, password, Reboot); its reset ends QEMU (-no-reboot)
#   boot 3: same variable store: the certificate is in MokListRT and the .machine keyring,
#           `ceph-kmod status` says enrolled, modprobe loads our dkms modules (build-ids of the
#           installed files), krbd IO against a Ceph cluster on the host loopback (checked from
#           RADOS on the host), copies signed by another key or unsigned are refused, and
#           `ceph-kmod debug` works under lockdown when the tool has it.
# Serial transcripts, dmesg, guest results and the final variable store go to
# $CK_ARTIFACTS/secureboot/. Environment: CK_SB_CACHE (downloaded packages,
# /var/cache/ceph-kmod-tests/secureboot), CK_VM_TIMEOUT, CK_STEP_TIMEOUT (480 s per guest
# step), CK_DATA_MB.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../vm/lib/vm.sh
. "$CK_TOP/tests/vm/lib/vm.sh"
# shellcheck source=../vm/lib/e2e.sh
. "$CK_TOP/tests/vm/lib/e2e.sh"
# shellcheck source=lib-secureboot.sh
. "$CK_TOP/tests/secureboot/lib-secureboot.sh"
# shellcheck source=../../lib/ceph-kmod.sh
. "$CK_TOP/lib/ceph-kmod.sh"
# shellcheck source=../../sign/lib-sign.sh
. "$CK_TOP/sign/lib-sign.sh"

GUEST_JOB=$CK_TOP/tests/secureboot/guest-sb.sh
MODULES=(libceph rbd ceph nbd)
SB_CLUSTER_PID=""

# need: skips the suite (exit 0) when a prerequisite is missing.
need() {
	local c
	if ((EUID != 0)); then
		t_skip "Secure Boot end to end (needs root: 9p export of /, Ceph daemons)"
		exit 0
	fi
	for c in qemu-system-x86_64 mkfs.vfat mcopy mmd apt-get dpkg-deb openssl sbverify keyctl xxd mokutil \
		ceph-mon ceph-osd ceph-mgr ceph-mds rbd socat busybox debugfs; do
		command -v "$c" >/dev/null || { t_skip "Secure Boot end to end: $c not installed (tests/install-deps)"; exit 0; }
	done
	for c in "$CK_VM_SB_CODE" "$SB_VARS_TEMPLATE"; do
		[[ -r "$c" ]] || { t_skip "Secure Boot end to end: $c missing (apt-get install ovmf)"; exit 0; }
	done
}

cleanup() {
	if [[ -n "$SB_CLUSTER_PID" ]]; then
		kill "$SB_CLUSTER_PID" 2>/dev/null || true
		wait "$SB_CLUSTER_PID" 2>/dev/null || true
		SB_CLUSTER_PID=""
	fi
	e2e_cluster_stop
	[[ -z "${WORK:-}" ]] || rm -rf "$WORK/keys"
}

# snapshot KVER CERT SHARE [WHEN]: uncompressed copies of the four dkms-installed modules in
# SHARE/dkms, each verified against CERT (helpers of other suites may reinstall them while
# this runs; the guest's refusal and build-id checks use these copies).
snapshot() {
	local kver=$1 cert=$2 dir=$3/dkms when=${4:-} m f rc
	mkdir -p "$dir"
	for m in "${MODULES[@]}"; do
		f=$(compgen -G "/lib/modules/$kver/updates/dkms/$m.ko*" || compgen -G "/lib/modules/$kver/extra/$m.ko*" || true)
		f=${f%%$'\n'*}
		if [[ -z "$f" ]]; then
			t_fail "host$when: /lib/modules/$kver has no dkms $m.ko (run: tests/run build, or dkms install ceph-kmod/VERSION -k $kver)"
			return 1
		fi
		ck_sign_plain_module "$f" "$dir/$m.ko"
		rc=0
		ck_sign_openssl_verify "$dir/$m.ko" "$cert" || rc=$?
		t_eq "host$when: installed $f is signed by MOK_CERT $cert" 0 "$rc"
		((rc == 0)) || return 1
	done
}

# copies SHARE KVER: nbd-other.ko (our nbd signed by a throw-away key) and nbd-unsigned.ko.
copies() {
	local sh=$1 kver=$2 sign_file hash
	sign_file=/usr/lib/linux-kbuild-${kver%.*}/scripts/sign-file
	[[ -x "$sign_file" ]] || sign_file=/lib/modules/$kver/build/scripts/sign-file
	hash=$(ck_kconfig "/lib/modules/$kver/build" CONFIG_MODULE_SIG_HASH 2>/dev/null || echo sha256)
	mkdir -p "$WORK/keys"
	chmod 0700 "$WORK/keys"
	openssl req -new -x509 -nodes -newkey rsa:2048 -sha256 -days 3650 -subj "/CN=ceph-kmod test OTHER key (not enrolled)" \
		-keyout "$WORK/keys/other.key" -outform DER -out "$WORK/keys/other.der" 2>/dev/null
	sb_strip_sig "$sh/dkms/nbd.ko" "$sh/nbd-unsigned.ko"
	cp "$sh/nbd-unsigned.ko" "$sh/nbd-other.ko"
	"$sign_file" "$hash" "$WORK/keys/other.key" "$WORK/keys/other.der" "$sh/nbd-other.ko"
	[[ -z "${WORK:-}" ]] || rm -rf "$WORK/keys"
	local rc=0
	ck_sign_openssl_verify "$sh/nbd-other.ko" "$CERT" || rc=$?
	t_eq "host: nbd-other.ko is signed, by a key other than MOK_CERT (openssl: exit 2)" 2 "$rc"
	rc=0
	ck_sign_openssl_verify "$sh/nbd-unsigned.ko" "$CERT" || rc=$?
	t_eq "host: nbd-unsigned.ko carries no signature (openssl: exit 3)" 3 "$rc"
}

# env_sh STEPS: the guest job's environment (appended to what e2e_prepare wrote, if anything).
env_sh() {
	printf 'CK_STEPS=%q\nCK_SB=/run/ck-share/sb\nCK_CERT_ID=%q\nCK_CERT_SHA1=%q\nCK_PW=%q\nCK_INTREE_NBD=%q\nCK_STEP_TIMEOUT=%q\n' \
		"$1" "$CERT_ID" "$CERT_SHA1" "$PW" "$INTREE_NBD" "${CK_STEP_TIMEOUT:-480}"
}

# report BOOT SCRATCH STEPS RC T0: the boot's own record, its guest checks, its artifacts.
report() {
	local boot=$1 s=$2 steps=$3 rc=$4 t0=$5 jrc
	jrc=$(vm_job_rc "$s")
	cp "$s/results" "$ART/$boot.results" 2>/dev/null || : >"$ART/$boot.results"
	cp "$s/dmesg.txt" "$ART/$boot.dmesg" 2>/dev/null || : >"$ART/$boot.dmesg"
	if ((rc == 0 && jrc == 0)); then
		t_pass "$boot: guest booted shim -> GRUB -> signed $KVER, ran its job and powered off ($((SECONDS - t0))s)"
	else
		t_fail "$boot: guest ran its job and powered off (qemu status $rc, job status $jrc; console $ART/$boot.console)"
	fi
	e2e_report_guest "$boot" "$ART/$boot.results" "$steps" "$GUEST_JOB"
}

boot1() {
	local s rc=0 t0=$SECONDS steps="secure refuse enroll"
	s=$(vm_scratch sb-boot1)
	cp "$GUEST_JOB" "$s/job.sh"
	env_sh "$steps" >"$s/env.sh"
	vm_boot -t "${CK_VM_TIMEOUT:-600}" -F "$WORK/vars.fd" -d "$WORK/esp.img" -s "sb=$WORK/share" \
		"$KVER" "$s" "$ART/boot1.console" || rc=$?
	report boot1 "$s" "$steps" "$rc" "$t0"
	TIMES+=("boot1 $((SECONDS - t0))s")
	vm_scratch_done "$s"
	grep -q $'^PASS\tceph-kmod enroll queues the certificate' "$ART/boot1.results"
}

boot2() {
	local s rc=0 t0=$SECONDS stage
	s=$(vm_scratch sb-boot2)
	cp "$GUEST_JOB" "$s/job.sh"
	env_sh "" >"$s/env.sh"
	vm_start -c -t 300 -F "$WORK/vars.fd" -d "$WORK/esp.img" -s "sb=$WORK/share" "$KVER" "$s" "$ART/boot2.console"
	if stage=$(sb_mokmanager "$PW"); then
		t_pass "boot2: MokManager driven over the serial console: Enroll MOK, Continue, Yes, password, Reboot ($((SECONDS - t0))s)"
		timeout 120 bash -c "while kill -0 $VM_PID 2>/dev/null; do sleep 0.5; done" || true
	else
		t_fail "boot2: MokManager dialogue stopped at: $stage (transcript $ART/boot2.console)"
		vm_qmp '{"execute":"quit"}' >/dev/null 2>&1 || kill "$VM_PID" 2>/dev/null || true
	fi
	vm_wait || rc=$?
	t_eq "boot2: MokManager's reset ended QEMU (-no-reboot): exit status" 0 "$rc"
	if grep -aqE 'ck-initramfs|ck-guest' "$ART/boot2.console"; then
		t_fail "boot2: a kernel booted instead of MokManager (see $ART/boot2.console)"
	else
		t_pass "boot2: no kernel started: the boot ended in MokManager"
	fi
	TIMES+=("boot2 $((SECONDS - t0))s")
	vm_scratch_done "$s"
}

# boot3 DEBUG(0|1)
boot3() {
	local s rc=0 prc=0 t0=$SECONDS steps="secure enrolled copies modules verified krbd1" m rec sid want f i
	(($1)) && steps="$steps debug"
	if ! wait "$SB_CLUSTER_PID"; then
		SB_CLUSTER_PID=""
		t_fail "boot3: ceph cluster on loopback started (see $ART/cluster-start.log)"
		return 0
	fi
	SB_CLUSTER_PID=""
	t_setup "boot3: ceph cluster on loopback started (in the background during boots 1 and 2)"
	# the dkms modules must be installed for modprobe; wait for a reinstall by another run
	for ((i = 0; i < 60; i++)); do
		[[ "$(e2e_expect_ours "$KVER")" == 1 ]] && compgen -G "/lib/modules/$KVER/updates/dkms/nbd.ko*" >/dev/null && break
		sleep 3
	done
	snapshot "$KVER" "$CERT" "$WORK/boot3-dkms" " (before boot 3)" || true
	s=$(vm_scratch sb-boot3)
	e2e_prepare boot3 "$KVER" "$s" "modules krbd1" >"$ART/boot3.prepare.log" 2>&1 &
	wait "$!" || prc=$?
	if ((prc != 0)); then
		t_fail "boot3: prepare images and guest config (see $ART/boot3.prepare.log)"
		vm_scratch_done "$s"
		return 0
	fi
	cp "$CK_VM_LIB/guest-e2e.sh" "$s/guest-e2e.sh"
	cp "$GUEST_JOB" "$s/job.sh"
	env_sh "$steps" >>"$s/env.sh"
	vm_boot -t "${CK_VM_TIMEOUT:-900}" -F "$WORK/vars.fd" -d "$WORK/esp.img" -s "sb=$WORK/share" \
		"$KVER" "$s" "$ART/boot3.console" || rc=$?
	report boot3 "$s" "$steps" "$rc" "$t0"
	cp "$s/sums" "$ART/boot3.sums"
	cp "$s/host-modules" "$ART/boot3.host-modules"
	vm_scratch_done "$s"
	e2e_cross_check boot3 "$ART/boot3.results" "modules krbd1" "$ART/boot3.sums" "$ART/boot3.host-modules"
	# the loaded module is one of the dkms builds whose signature the host verified (at the
	# start, just before or just after boot 3: other jobs on this host may reinstall meanwhile)
	snapshot "$KVER" "$CERT" "$WORK/boot3-after" " (after boot 3)" || true
	for m in "${MODULES[@]}"; do
		rec=$(e2e_field "$ART/boot3.results" INFO "module $m")
		sid=${rec##* }
		want=""
		for f in "$WORK/share" "$WORK/boot3-dkms" "$WORK/boot3-after"; do
			want="$want $(readelf -n "$f/dkms/$m.ko" 2>/dev/null | awk '/Build ID/ { print $3 }')"
		done
		if [[ -n "$sid" && " $want " == *" $sid "* ]]; then
			t_pass "boot3: loaded $m ($sid) is a dkms build the host verified against MOK_CERT"
		else
			t_fail "boot3: loaded $m has build-id '$sid'; the dkms builds verified before, at and after boot 3 have:$want"
		fi
	done
	if grep -qE 'module verification failed|Loading of .* is rejected' "$ART/boot3.dmesg" &&
		! grep -E 'module verification failed|Loading of .* is rejected' "$ART/boot3.dmesg" | grep -qvE 'unavailable key|unsigned module'; then
		t_pass "boot3: the only module rejections in dmesg are the two deliberate copies"
	else
		t_fail "boot3: module rejections in dmesg: $(grep -E 'module verification failed|is rejected' "$ART/boot3.dmesg" | head -n 4 | tr '\n' ' ')"
	fi
	e2e_dmesg_check boot3 "$ART/boot3.dmesg"
	TIMES+=("boot3 $((SECONDS - t0))s")
}

main() {
	local t0=$SECONDS tool f kimg kpkg ver_signed ver_unsigned debug=0
	need
	KVER=$(t_kernel newest61)
	[[ -n "$KVER" && -d "/lib/modules/$KVER/kernel" ]] || { t_skip "Secure Boot: kernel '$KVER' (newest61) not installed"; return 0; }
	if [[ "$(e2e_expect_ours "$KVER")" != 1 ]]; then
		t_skip "Secure Boot: ceph-kmod is not dkms-installed for $KVER (run: tests/run build)"
		return 0
	fi
	WORK=$CK_TEST_STATE/secureboot
	ART=$CK_ARTIFACTS/secureboot
	rm -rf "$WORK" "$ART"
	mkdir -p "$WORK/share" "$ART"
	TIMES=()
	trap cleanup EXIT
	trap 'exit 143' TERM INT
	PW=ck$RANDOM$RANDOM

	# --- the Ceph cluster comes up while boots 1 and 2 run
	E2E_CLUSTER="$CK_VM_STATE/cluster-$$"
	rm -rf "$E2E_CLUSTER"
	timeout 300 "$CK_VM_LIB/cluster" start "$E2E_CLUSTER" >"$ART/cluster-start.log" 2>&1 &
	SB_CLUSTER_PID=$!

	# --- what the guest gets: our certificate, the dkms modules (snapshot), bad copies, the tool
	CERT=$(ck_conf MOK_CERT /var/lib/dkms/mok.pub)
	ck_sign_cert_der "$CERT" "$WORK/share/mok.der"
	CERT_ID=$(sb_cert_id "$WORK/share/mok.der")
	CERT_SHA1=$(openssl x509 -inform DER -in "$WORK/share/mok.der" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
	snapshot "$KVER" "$CERT" "$WORK/share" || return 0
	copies "$WORK/share" "$KVER"
	INTREE_NBD=$(compgen -G "/lib/modules/$KVER/kernel/drivers/block/nbd.ko*" | head -n 1)
	if ! tool=$(ck_tool_path); then
		t_fail "host: no ceph-kmod tool (run: make -C tool, or install ceph-kmod)"
		return 0
	fi
	# an installed tool older than this tree lacks `debug`: use the tree's build then
	if ! "$tool" debug --help >/dev/null 2>&1 && [[ -x "$CK_TOP/tool/ceph-kmod" ]] &&
		"$CK_TOP/tool/ceph-kmod" debug --help >/dev/null 2>&1; then
		tool=$CK_TOP/tool/ceph-kmod
	fi
	cp "$tool" "$WORK/share/ceph-kmod"
	"$tool" debug --help >/dev/null 2>&1 && debug=1
	sb_log "the guest runs the ceph-kmod tool $tool"

	# --- the ESP: Debian's signed boot chain, taken from the archive, never installed
	local t_esp=$SECONDS
	if ! sb_esp "$KVER" "$WORK/esp.img" >"$ART/esp-files" 2>"$ART/esp.log"; then
		t_fail "ESP image with Debian's signed shim, GRUB, MokManager and kernel (see $ART/esp.log)"
		return 0
	fi
	t_pass "ESP image: shim, GRUB, MokManager, signed $KVER, initramfs ($((SECONDS - t_esp))s; $(awk '{ print $2 }' "$ART/esp-files" | xargs -n1 dirname | xargs -n1 basename | sort -u | tr '\n' ' '))"
	kimg=$(awk '$1 == "kernel" { print $2 }' "$ART/esp-files")
	t_match "the kernel on the ESP is signed (sbverify --list)" 'signature 1' "$(sbverify --list "$kimg" 2>&1)"
	kpkg=${kimg%/boot/*}
	ver_signed=$(cat "$kpkg/.complete")
	ver_unsigned=$(dpkg-query -W -f '${Version}' "linux-image-$KVER-unsigned" 2>/dev/null || echo none)
	t_eq "signed linux-image-$KVER is the build of the installed -unsigned image (same version)" "$ver_unsigned" "$ver_signed"
	cp "$SB_VARS_TEMPLATE" "$WORK/vars.fd"

	if ! boot1; then
		t_fail "boot1 queued no enrolment: boots 2 and 3 not run (console $ART/boot1.console)"
		return 0
	fi
	boot2
	boot3 "$debug"
	((debug)) || t_skip "ceph-kmod debug under lockdown: the tool has no debug command yet (issue 10)"
	cp "$WORK/vars.fd" "$ART/OVMF_VARS-mok-enrolled.fd"
	cleanup
	printf 'secureboot timings: %s; total %ss\n' "${TIMES[*]}" "$((SECONDS - t0))"
}

main "$@"
