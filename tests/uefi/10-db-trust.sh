#!/usr/bin/env bash
# The proof that a kernel trusts ceph-kmod's signature, through the firmware:
# OVMF in setup mode, ceph-kmod's certificate enrolled into UEFI db from inside a guest
# (efitools), next boot with module.sig_enforce=1: the kernel loads db into its platform
# keyring, our signed modules load, a copy signed by another key and an unsigned copy are
# refused. Before enrolment ours is refused too. Also `mokutil --import`/`--list-new`
# (`ceph-kmod enroll` when the tool is built) and MokListRT parsing (`ceph-kmod status`).
# When dkms has installed ceph-kmod for the kernel, the four dkms modules must load too.
# shellcheck source-path=SCRIPTDIR
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=lib-uefi.sh
. "$CK_TOP/tests/uefi/lib-uefi.sh"
# shellcheck source=../../sign/lib-sign.sh
. "$CK_TOP/lib/ceph-kmod.sh"
. "$CK_TOP/sign/lib-sign.sh"

SHIM_GUID=605dab50-e046-4300-abb6-3dd810dd8b23
OWNER_GUID=ceb9a1d2-5a1e-4c8e-9c0f-0c3b1f3e7a11

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || { t_skip "UEFI proof: $c not installed (apt-get install efitools ovmf qemu-system-x86)"; exit 0; }
	done
	[[ -r "$UEFI_CODE" && -r "$UEFI_VARS_TEMPLATE" ]] || { t_skip "UEFI proof: $UEFI_CODE / $UEFI_VARS_TEMPLATE missing (apt-get install ovmf)"; exit 0; }
}

# Results the guest job writes: "PASS|FAIL|SKIP<TAB>what" lines.
collect() {
	local f=$1 boot=$2 st what
	if [[ ! -s "$f" ]]; then
		t_fail "$boot: the guest wrote no results (console: $WORK/$boot.console, job log: $WORK/$boot-scratch/job.log)"
		return 0
	fi
	while IFS=$'\t' read -r st what; do
		case "$st" in
		PASS) t_pass "$boot: $what" ;;
		FAIL) t_fail "$boot: $what" ;;
		SKIP) t_skip "$boot: $what" ;;
		esac
	done <"$f"
}

# The in-guest helpers every job starts with.
guest_prelude() {
	cat <<'EOF'
set -uo pipefail
S=/run/ck-share/uefi
R=$S/results-$BOOT
: >"$R"
res() { printf '%s\t%s\n' "$1" "$2" >>"$R"; echo "RESULT $1: $2"; }
# try_insmod FILE: prints "ok" or the error insmod printed.
try_insmod() { local out; if out=$(insmod "$1" 2>&1); then echo ok; else echo "$out"; fi; }
efivar() { od -An -t u1 -j4 "/sys/firmware/efi/efivars/$1" 2>/dev/null | tr -s ' ' | sed 's/^ //'; }
[ -d /sys/firmware/efi ] && res PASS "booted through UEFI (OVMF): /sys/firmware/efi present" || res FAIL "no /sys/firmware/efi: not an EFI boot"
echo "SetupMode=$(efivar SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c) SecureBoot=$(efivar SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c)"
grep -o 'module.sig_enforce=[^ ]*' /proc/cmdline && echo "sig_enforce param: $(cat /sys/module/module/parameters/sig_enforce)"
EOF
}

# krbd_boot KVER VARS: boot 3, the db-enrolled variable store again with sig_enforce, running
# the VM harness's own end-to-end steps (tests/vm/lib/e2e.sh: cluster on the host loopback,
# modprobe of the dkms modules, krbd msgr1 write/sha256/snapshot/resize/unmap, cross-checked
# from RADOS on the host). UEFI_KRBD=0 skips it. This mirrors e2e_kernel (which has no way
# to pass QEMU firmware arguments); keep it in step with tests/vm/lib/e2e.sh.
krbd_boot() {
	local kver=$1 vars=$2 scratch log art rc=0 jrc steps="modules krbd1" tool t0=$SECONDS
	if [[ "${UEFI_KRBD:-1}" == 0 ]]; then
		t_skip "boot3 krbd IO under db trust: UEFI_KRBD=0"
		return 0
	fi
	for tool in ceph-mon ceph-osd ceph-mgr rbd socat; do
		command -v "$tool" >/dev/null || { t_skip "boot3 krbd IO under db trust: $tool not installed"; return 0; }
	done
	if [[ ! -r "$CK_VM_LIB/e2e.sh" || ! -r "$CK_VM_LIB/guest-e2e.sh" ]]; then
		t_skip "boot3 krbd IO under db trust: the VM harness (tests/vm/lib/e2e.sh) is not there yet"
		return 0
	fi
	# shellcheck source=../vm/lib/e2e.sh
	. "$CK_VM_LIB/e2e.sh"
	trap e2e_cluster_stop EXIT
	art=$WORK/boot3
	if ! e2e_cluster_start 2>"$art.cluster.log"; then
		t_fail "boot3: ceph cluster on loopback started (see $art.cluster.log)"
		return 0
	fi
	scratch=$(vm_scratch uefi-krbd)
	if ! e2e_prepare uefi-db "$kver" "$scratch" "$steps" >"$art.prepare.log" 2>&1; then
		t_fail "boot3: prepare images and guest config (see $art.prepare.log)"
		e2e_cluster_stop
		return 0
	fi
	log=$art.console
	vm_boot -t "${CK_VM_TIMEOUT:-900}" -M q35 -a "module.sig_enforce=1" "$kver" "$scratch" "$log" -- \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$UEFI_CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$vars" || rc=$?
	jrc=$(vm_job_rc "$scratch")
	cp "$scratch/results" "$art.results" 2>/dev/null || : >"$art.results"
	cp "$scratch/dmesg.txt" "$art.dmesg" 2>/dev/null || : >"$art.dmesg"
	t_eq "boot3 (OVMF, db enrolled, sig_enforce, harness e2e job) ran and powered off" "0 0" "$rc $jrc"
	if grep -q 'Command line:.*module.sig_enforce=1' "$art.dmesg" && grep -A1 'UEFI:db' "$art.dmesg" | grep -q 'Loaded X.509 cert'; then
		t_pass "boot3: EFI boot with module.sig_enforce=1 and certificates from UEFI:db"
	else
		t_fail "boot3: dmesg lacks sig_enforce on the command line or the UEFI:db certificates (see $art.dmesg)"
	fi
	# role "uefi-db": also the RBD image prefix (e2e-uefi-db-...), so no blanks
	e2e_report_guest uefi-db "$art.results" "$steps"
	cp "$scratch/sums" "$art.sums" 2>/dev/null || : >"$art.sums"
	rm -rf "$scratch/data"
	# RADOS cross-checks from the harness; the build-id cross-check against our own snapshot
	# (the build suite may be reinstalling the files in /lib/modules right now)
	cp "$scratch/host-modules" "$art.host-modules" 2>/dev/null || : >"$art.host-modules"
	e2e_cross_check uefi-db "$art.results" "${steps/modules /}" "$art.sums" "$art.host-modules"
	local m rec sid
	for m in libceph rbd ceph nbd; do
		rec=$(e2e_field "$art.results" INFO "module $m")
		sid=${rec##* }
		t_eq "boot3: loaded $m (${rec% *}) has the build-id of the dkms module verified at test start" \
			"$(readelf -n "$UEFI_SHARE/dkms/$m.ko" 2>/dev/null | awk '/Build ID/ { print $3 }')" "$sid"
	done
	if grep -qE 'module verification failed|Loading of .* is rejected' "$art.dmesg"; then
		t_fail "boot3: a module failed verification: $(grep -E 'module verification failed|is rejected' "$art.dmesg" | head -n2 | tr '\n' ' ')"
	else
		t_pass "boot3: no module verification failure in dmesg"
	fi
	e2e_cluster_stop
	trap - EXIT
	uefi_log "boot3 took $((SECONDS - t0))s"
}

# snapshot_dkms KVER DIR CERT: copies (uncompressed) of the four dkms-installed modules, each
# checked against CERT, and their in-tree dependencies in DIR/deps (the build suite may
# reinstall while this test runs).
snapshot_dkms() {
	local kver=$1 dir=$2 cert=$3 m f rc
	mkdir -p "$dir"
	: >"$dir/deps.all"
	for m in libceph rbd ceph nbd; do
		f=$(compgen -G "/lib/modules/$kver/updates/dkms/$m.ko*" || compgen -G "/lib/modules/$kver/extra/$m.ko*" || true)
		f=${f%%$'\n'*}
		if [[ -z "$f" ]]; then
			t_fail "dkms status said installed, but /lib/modules/$kver has no dkms $m.ko (reinstall in progress?)"
			return 1
		fi
		ck_sign_plain_module "$f" "$dir/$m.ko"
		rc=0
		ck_sign_openssl_verify "$dir/$m.ko" "$cert" || rc=$?
		t_eq "host: installed $f is signed by MOK_CERT $cert" 0 "$rc"
		modinfo -F depends "$dir/$m.ko" | tr ',' '\n' >>"$dir/deps.all"
	done
	grep -vxE 'libceph|rbd|ceph|nbd|' "$dir/deps.all" | sort -u >"$dir/deps" || true
}

main() {
	local kver cert_real="" dkms_installed=0 host_tool=""
	need qemu-system-x86_64 cert-to-efi-sig-list efi-updatevar openssl
	kver=$(t_kernel newest61 2>/dev/null || true)
	kver=${kver:-6.1.0-56-amd64}
	[[ -r /boot/vmlinuz-$kver ]] || { t_skip "UEFI proof: /boot/vmlinuz-$kver missing"; exit 0; }
	UEFI_KVER=$kver
	WORK=$UEFI_STATE/db-trust
	rm -rf "$WORK"
	mkdir -p "$WORK/share" "$WORK/keys"
	chmod 0700 "$WORK/keys"
	# shellcheck disable=SC2064 # WORK is fixed now
	trap "rm -f '$WORK/keys/ck/mok.key' '$WORK/keys/other.key' '$WORK/keys/mok3.key'" EXIT
	UEFI_SHARE=$WORK/share
	local sh=$WORK/share

	# --- keys: ceph-kmod's (generated by sign/setup-key, test paths), another, a third for MokListRT
	if ! CEPH_KMOD_CONF=$WORK/ck.conf CEPH_KMOD_DKMS_FRAMEWORK_DIR=$WORK/etc-dkms \
		CEPH_KMOD_DKMS_MOK_DIR=$WORK/keys/ck CEPH_KMOD_SHIM_MOK_DIR=$WORK/none \
		CEPH_KMOD_LOCK=$WORK/lock CEPH_KMOD_MOK_KEY='' CEPH_KMOD_MOK_CERT='' \
		"$CK_TOP/sign/setup-key" >"$WORK/setup-key.out" 2>&1; then
		t_fail "sign/setup-key could not generate the test MOK pair: $(tail -n3 "$WORK/setup-key.out" | tr '\n' ' ')"
		return 0
	fi
	local ckkey=$WORK/keys/ck/mok.key ckcert=$WORK/keys/ck/mok.pub
	openssl req -new -x509 -nodes -newkey rsa:2048 -sha256 -days 3650 -subj "/CN=ceph-kmod test OTHER key (not enrolled)" \
		-keyout "$WORK/keys/other.key" -outform DER -out "$WORK/keys/other.der" 2>/dev/null
	openssl req -new -x509 -nodes -newkey rsa:2048 -sha256 -days 3650 -subj "/CN=ceph-kmod test MokListRT cert" \
		-keyout "$WORK/keys/mok3.key" -outform DER -out "$sh/moklist.der" 2>/dev/null
	cp "$ckcert" "$sh/ck.der"
	openssl x509 -inform DER -in "$ckcert" -noout -subject -fingerprint -sha256 >"$WORK/ck-cert.txt"

	# --- modules: in-tree nbd.ko without Debian's signature, re-signed both ways
	local base=/lib/modules/$kver/kernel/drivers/block/nbd.ko sign_file hash
	sign_file=/usr/lib/linux-kbuild-${kver%.*}/scripts/sign-file
	[[ -x "$sign_file" ]] || sign_file=/lib/modules/$kver/build/scripts/sign-file
	hash=$(ck_kconfig "/lib/modules/$kver/build" CONFIG_MODULE_SIG_HASH 2>/dev/null || echo sha256)
	uefi_strip_sig "$base" "$sh/nbd-unsigned.ko"
	cp "$sh/nbd-unsigned.ko" "$sh/nbd-ours.ko"
	cp "$sh/nbd-unsigned.ko" "$sh/nbd-other.ko"
	"$sign_file" "$hash" "$ckkey" "$ckcert" "$sh/nbd-ours.ko"
	"$sign_file" "$hash" "$WORK/keys/other.key" "$WORK/keys/other.der" "$sh/nbd-other.ko"
	local rc=0
	ck_sign_openssl_verify "$sh/nbd-ours.ko" "$ckcert" || rc=$?
	t_eq "host: nbd-ours.ko verifies against ceph-kmod's certificate (openssl)" 0 "$rc"
	readelf -n "$sh/nbd-ours.ko" | awk '/Build ID/ { print $3 }' >"$sh/nbd-ours.buildid"
	# the throw-away private keys are not needed any more
	rm -f "$ckkey" "$WORK/keys/other.key" "$WORK/keys/mok3.key"

	# --- db content: ceph-kmod's certificate (+ the real MOK_CERT when dkms installed ours)
	if dkms status ceph-kmod -k "$kver" 2>/dev/null | grep -q ': installed'; then
		dkms_installed=1
		cert_real=$(ck_conf MOK_CERT)
		if [[ -z "$cert_real" || ! -r "$cert_real" ]]; then
			t_fail "dkms installed ceph-kmod for $kver but MOK_CERT ('$cert_real') in $(ck_conf_file) is unreadable"
			dkms_installed=0
		else
			ck_sign_cert_der "$cert_real" "$sh/real.der"
			snapshot_dkms "$kver" "$sh/dkms" "$cert_real" || dkms_installed=0
		fi
	fi
	local c
	: >"$sh/db.esl"
	for c in "$sh/ck.der" ${cert_real:+"$sh/real.der"}; do
		openssl x509 -inform DER -in "$c" -out "$WORK/c.pem"
		cert-to-efi-sig-list -g "$OWNER_GUID" "$WORK/c.pem" "$WORK/c.esl" >/dev/null
		cat "$WORK/c.esl" >>"$sh/db.esl"
	done
	# what the kernel prints for each enrolled certificate: "CN: subject key id"
	: >"$sh/expect-db"
	for c in "$sh/ck.der" ${cert_real:+"$sh/real.der"}; do
		printf '%s: %s\n' \
			"$(openssl x509 -inform DER -in "$c" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')" \
			"$(openssl x509 -inform DER -in "$c" -noout -ext subjectKeyIdentifier 2>/dev/null | sed -n '2s/[ :]//gp' | tr 'A-F' 'a-f')" \
			>>"$sh/expect-db"
	done
	# MokListRT test value: an EFI_SIGNATURE_LIST with the third certificate, shim's owner GUID
	openssl x509 -inform DER -in "$sh/moklist.der" -out "$WORK/m.pem"
	cert-to-efi-sig-list -g "$SHIM_GUID" "$WORK/m.pem" "$sh/moklist.esl" >/dev/null

	for host_tool in "${CEPH_KMOD_TOOL:-}" "$CK_TOP/tool/ceph-kmod" /usr/sbin/ceph-kmod; do
		[[ -n "$host_tool" && -x "$host_tool" ]] && break
		host_tool=""
	done
	# The guest reaches the tool through the share: the checkout may lie under /tmp,
	# which the guest covers with a tmpfs (CI clones into another folder).
	if [[ -n "$host_tool" ]]; then
		cp "$host_tool" "$sh/ceph-kmod"
		host_tool=/run/ck-share/uefi/ceph-kmod
	fi

	cp "$UEFI_VARS_TEMPLATE" "$WORK/vars.fd"

	# --- boot 1: setup mode; ours refused; enrol db; mokutil import
	local s1=$WORK/boot1-scratch
	mkdir -p "$s1"
	{
		echo "BOOT=boot1 TOOL='$host_tool' DKMS=$dkms_installed"
		guest_prelude
		cat <<'EOF'
[ "$(efivar SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c)" = 1 ] && res PASS "firmware in setup mode (SetupMode=1)" || res FAIL "firmware not in setup mode"
out=$(try_insmod $S/nbd-ours.ko)
echo "before enrolment, insmod nbd-ours.ko: $out"
case "$out" in *"Key was rejected by service"*) res PASS "before enrolment: our signed module is refused (Key was rejected by service)";;
	*) res FAIL "before enrolment: our signed module not refused: $out";; esac
[ "$out" = ok ] && rmmod nbd
if [ "$DKMS" = 1 ]; then
	out=$(modprobe libceph 2>&1) && out=ok
	echo "before enrolment, modprobe libceph (dkms): $out"
	case "$out" in *"Key was rejected by service"*) res PASS "before enrolment: the dkms-built libceph.ko is refused too (Key was rejected by service)";;
		*) res FAIL "before enrolment: dkms libceph not refused: $out";; esac
fi
# MOK enrolment request, as on a real shim host (nothing consumes it without shim);
# before db enrolment: mokutil skips a certificate that is already in db
if [ -n "$TOOL" ]; then
	out=$(printf 'ckpass\nckpass\n' | CEPH_KMOD_MOK_CERT=$S/ck.der "$TOOL" enroll 2>&1); rc=$?
	echo "$TOOL enroll: rc=$rc $out"
	[ $rc = 0 ] && res PASS "ceph-kmod enroll (mokutil --import) exit 0" || res FAIL "ceph-kmod enroll exit $rc: $(echo "$out" | tail -n2 | tr '\n' ' ')"
else
	res SKIP "ceph-kmod enroll: tool not built yet (make -C tool); using mokutil --import directly"
	mokutil --generate-hash=ckpass >/run/mok.hash
	out=$(mokutil --import $S/ck.der --hash-file /run/mok.hash 2>&1); rc=$?
	echo "mokutil --import: rc=$rc $out"
	[ $rc = 0 ] && res PASS "mokutil --import ck.der --hash-file: exit 0" || res FAIL "mokutil --import exit $rc: $out"
fi
ls /sys/firmware/efi/efivars | grep -E '^Mok(New|Auth)' | sed 's/^/efivar: /'
fp=$(openssl x509 -inform DER -in $S/ck.der -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
newlist=$(mokutil --list-new 2>&1)
echo "$newlist" | head -n 20
echo "$newlist" | tr -d ':' | tr 'A-F' 'a-f' | grep -q "$fp" && res PASS "mokutil --list-new shows ceph-kmod's certificate (SHA1 $fp)" || res FAIL "mokutil --list-new does not show ceph-kmod's certificate"
if efi-updatevar -e -f $S/db.esl db; then res PASS "efi-updatevar -e -f db.esl db (setup mode) succeeded"; else res FAIL "efi-updatevar db failed (exit $?)"; fi
ls -l /sys/firmware/efi/efivars/db-d719b2cb-3d3a-4596-a3bc-dad00e67656f && res PASS "db variable present after enrolment" || res FAIL "no db variable after enrolment"
dmesg >$S/boot1-dmesg.txt
EOF
	} >"$s1/job.sh"
	rc=$(uefi_boot "$WORK/vars.fd" "$s1" "$WORK/boot1.console" "module.sig_enforce=1")
	t_eq "boot1 (setup mode, enrol db) guest job finished" 0 "$rc"
	collect "$sh/results-boot1" boot1
	if [[ "$rc" != 0 ]] || ! grep -q '^PASS	efi-updatevar' "$sh/results-boot1"; then
		t_fail "boot1 did not enrol db (job status $rc): the trust boots are not run (console $WORK/boot1.console)"
		return 0
	fi

	# --- boot 2: same variable store; db loaded into .platform; enforce signatures
	local s2=$WORK/boot2-scratch
	mkdir -p "$s2"
	{
		echo "BOOT=boot2 TOOL='$host_tool' DKMS=$dkms_installed"
		guest_prelude
		cat <<'EOF'
cn=$(openssl x509 -inform DER -in $S/ck.der -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
dmesg | grep -E "integrity|X.509|platform" | sed 's/^/dmesg: /'
while read -r want; do
	dmesg | grep -A1 'integrity: Loading X.509 certificate: UEFI:db' | grep -qF "integrity: Loaded X.509 cert '$want'" \
		&& res PASS "kernel loaded '$want' from UEFI:db into its platform keyring" || res FAIL "no 'integrity: Loaded X.509 cert '$want'' after 'Loading X.509 certificate: UEFI:db' in dmesg"
done <$S/expect-db
grep -E 'asymmetri' /proc/keys | sed 's/^/keys: /'
grep -q "$cn" /proc/keys && res PASS "ceph-kmod's certificate is a key in /proc/keys" || res SKIP "ceph-kmod's key not visible in /proc/keys (platform keyring not viewable)"
[ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ] && res PASS "module.sig_enforce=1 in force" || res FAIL "sig_enforce is not Y"
out=$(try_insmod $S/nbd-ours.ko); echo "insmod nbd-ours.ko: $out"
if [ "$out" = ok ]; then
	bid=$(od -An -tx1 -j16 /sys/module/nbd/notes/.note.gnu.build-id | tr -d ' \n')
	[ "$bid" = "$(cat $S/nbd-ours.buildid)" ] && ! grep -q E /sys/module/nbd/taint && res PASS "our signed nbd.ko loads under sig_enforce (build-id $bid, taint '$(cat /sys/module/nbd/taint)')" || res FAIL "loaded nbd is not our file (build-id $bid)"
	rmmod nbd
else
	res FAIL "our signed nbd.ko refused after db enrolment: $out"
fi
out=$(try_insmod $S/nbd-other.ko); echo "insmod nbd-other.ko: $out"
case "$out" in *"Key was rejected by service"*) res PASS "nbd.ko signed by another key is refused (Key was rejected by service)";; *) res FAIL "other-key module not refused: $out";; esac
[ "$out" = ok ] && rmmod nbd
out=$(try_insmod $S/nbd-unsigned.ko); echo "insmod nbd-unsigned.ko: $out"
case "$out" in *"Key was rejected by service"*) res PASS "unsigned nbd.ko is refused (Key was rejected by service)";; *) res FAIL "unsigned module not refused: $out";; esac
[ "$out" = ok ] && rmmod nbd
dmesg | grep -E 'Loading of .* is rejected' | sed 's/^/dmesg: /'
dmesg | grep -q 'Loading of module with unavailable key is rejected' && res PASS "dmesg: Loading of module with unavailable key is rejected" || res FAIL "no 'unavailable key' rejection in dmesg"
dmesg | grep -q 'Loading of unsigned module is rejected' && res PASS "dmesg: Loading of unsigned module is rejected" || res FAIL "no 'unsigned module' rejection in dmesg"
if [ "$DKMS" = 1 ]; then
	# modprobe the installed dkms modules; if another run removed them from /lib/modules
	# meanwhile, insmod the copies the host took (and verified) at the start instead.
	if ls /lib/modules/$(uname -r)/updates/dkms/libceph.ko* /lib/modules/$(uname -r)/extra/libceph.ko* >/dev/null 2>&1; then
		how="modprobe -a libceph rbd ceph nbd"
		out=$(modprobe -a libceph rbd ceph nbd 2>&1); rc=$?
	else
		how="insmod of the dkms modules copied at test start (they left /lib/modules during the test)"
		out=$(modprobe -a $(cat $S/dkms/deps) 2>&1 && for m in libceph rbd ceph nbd; do insmod $S/dkms/$m.ko || exit 1; done 2>&1); rc=$?
	fi
	echo "$how: rc=$rc $out"
	if [ $rc = 0 ]; then
		res PASS "$how (dkms-built, signed with MOK_CERT) under sig_enforce"
		for m in libceph rbd ceph nbd; do
			f=$S/dkms/$m.ko
			if [ "${how%% *}" = modprobe ]; then
				f=$(modinfo -n $m)
				case "$f" in */updates/*|*/extra/*) ;; *) res FAIL "modprobe resolved $m to $f, not a dkms module"; continue;; esac
			fi
			case "$f" in *.xz) xz -dc "$f" >/run/m.ko;; *) cp "$f" /run/m.ko;; esac
			want=$(readelf -n /run/m.ko | awk '/Build ID/ { print $3 }')
			got=$(od -An -tx1 -j16 /sys/module/$m/notes/.note.gnu.build-id | tr -d ' \n')
			[ "$want" = "$got" ] && ! grep -q E /sys/module/$m/taint \
				&& res PASS "loaded $m is the dkms-built $f (build-id $got, taint '$(cat /sys/module/$m/taint)', no E)" \
				|| res FAIL "loaded $m (build-id $got, taint '$(cat /sys/module/$m/taint)') is not the dkms-built one ($want), or is E-tainted (unverified)"
		done
		[ -d /sys/bus/rbd ] && res PASS "rbd: /sys/bus/rbd present" || res FAIL "rbd: no /sys/bus/rbd"
		grep -qw ceph /proc/filesystems && res PASS "ceph: registered in /proc/filesystems" || res FAIL "ceph not in /proc/filesystems"
		[ -e /sys/block/nbd0 ] && res PASS "nbd: /sys/block/nbd0 present" || res FAIL "nbd: no /sys/block/nbd0"
	else
		res FAIL "$how refused: $out"
	fi
else
	res SKIP "dkms modules: ceph-kmod not installed for $(uname -r) yet (dkms status ceph-kmod), tested with a self-signed nbd.ko copy only"
fi
# MokListRT parser: a known certificate under shim's GUID, written through efivarfs
v=/sys/firmware/efi/efivars/MokListRT-605dab50-e046-4300-abb6-3dd810dd8b23
{ printf '\007\000\000\000'; cat $S/moklist.esl; } >/run/moklist.var
if cat /run/moklist.var >$v; then res PASS "wrote MokListRT ($(stat -c %s $v) bytes) under shim's GUID"; else res FAIL "could not write $v"; fi
cat $v >$S/moklist.readback
tail -c +5 $S/moklist.readback >/run/moklist.rb
cmp -s /run/moklist.rb $S/moklist.esl && res PASS "MokListRT reads back identical" || res FAIL "MokListRT reads back different"
if [ -n "$TOOL" ]; then
	out=$(CEPH_KMOD_MOK_CERT=$S/moklist.der "$TOOL" status 2>&1); rc=$?
	echo "ceph-kmod status (cert in MokListRT): rc=$rc"; echo "$out"
	echo "$out" | grep -qE '^enrolled:[[:space:]]+yes.*MokListRT' \
		&& res PASS "ceph-kmod status: certificate found enrolled via MokListRT ($(echo "$out" | grep '^enrolled:' | tr -s ' '))" || res FAIL "ceph-kmod status does not report the MokListRT certificate as enrolled"
	out=$(CEPH_KMOD_MOK_CERT=$S/ck.der "$TOOL" status 2>&1); rc=$?
	echo "ceph-kmod status (cert not in MokListRT): rc=$rc"; echo "$out"
	echo "$out" | grep -qE '^enrolled:[[:space:]]+(no|pending)' && res PASS "ceph-kmod status: a certificate absent from MokListRT is not reported enrolled" || res FAIL "ceph-kmod status: absent certificate not reported as such"
else
	res SKIP "ceph-kmod status / MokListRT parser: tool not built yet (make -C tool)"
fi
rm -f $v 2>/dev/null || { chattr -i $v 2>/dev/null; rm -f $v; }
dmesg >$S/boot2-dmesg.txt
EOF
	} >"$s2/job.sh"
	rc=$(uefi_boot "$WORK/vars.fd" "$s2" "$WORK/boot2.console" "module.sig_enforce=1")
	t_eq "boot2 (db enrolled, sig_enforce) guest job finished" 0 "$rc"
	collect "$sh/results-boot2" boot2
	if ((dkms_installed)); then
		cp "$WORK/vars.fd" "$WORK/vars-krbd.fd"
		krbd_boot "$kver" "$WORK/vars-krbd.fd"
	fi
	mkdir -p "$CK_ARTIFACTS/uefi"
	cp "$s1/job.log" "$CK_ARTIFACTS/uefi/boot1-job.log" 2>/dev/null || true
	cp "$s2/job.log" "$CK_ARTIFACTS/uefi/boot2-job.log" 2>/dev/null || true
	cp "$sh"/boot*-dmesg.txt "$CK_ARTIFACTS/uefi/" 2>/dev/null || true
	cp "$WORK/vars.fd" "$CK_ARTIFACTS/uefi/OVMF_VARS-db-enrolled.fd" 2>/dev/null || true
}

main "$@"
