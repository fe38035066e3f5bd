#!/usr/bin/env bash
# ceph-kmod status against a fake tree (modules root, dkms tree, /sys/module, efivarfs)
# built from real modules, plus a read-only smoke run on this host.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

tool_build
require_real_module
kdir=${src%/kernel/drivers/block/nbd.ko}
K=${kdir##*/}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mk_key "$w" a "ceph-kmod status key A"
mk_key "$w" b "ceph-kmod status key B"

root=$w/lib/modules
mkdir -p "$root/$K/kernel/drivers/block" "$root/$K/kernel/net/ceph" "$root/$K/kernel/fs/ceph" \
	"$root/$K/updates/dkms" "$root/9.9.9-empty" "$w/dkms/ceph-kmod/0.1.0/$K/x86_64/module" \
	"$w/dkms/ceph-kmod/0.1.0/source" "$w/sys/module" "$w/efi/efivars"
cp "$kdir/kernel/drivers/block/nbd.ko" "$kdir/kernel/drivers/block/rbd.ko" "$root/$K/kernel/drivers/block/"
cp "$kdir/kernel/net/ceph/libceph.ko" "$root/$K/kernel/net/ceph/"
cp "$kdir/kernel/fs/ceph/ceph.ko" "$root/$K/kernel/fs/ceph/"

# "Our" nbd: unsigned copy + provenance in .modinfo, signed with A; "our" rbd signed with B.
unsign "$src" "$w/u.ko"
objcopy -O binary --only-section=.modinfo "$w/u.ko" "$w/mi.bin"
printf 'ceph_kmod_version=0.1.0\0ceph_kmod_source=linux-source-6.1 6.1.192\0ceph_kmod_patches=0001-x.patch\0ceph_kmod_compat=HAVE_SK_USE_TASK_FRAG=1\0' >>"$w/mi.bin"
objcopy --update-section .modinfo="$w/mi.bin" "$w/u.ko" "$w/nbd.ko"
"$SIGN_FILE" sha256 "$w/a.key" "$w/a.pem" "$w/nbd.ko"
unsign "$kdir/kernel/drivers/block/rbd.ko" "$w/rbd.ko"
"$SIGN_FILE" sha256 "$w/b.key" "$w/b.pem" "$w/rbd.ko"
for m in nbd rbd; do
	cp "$w/$m.ko" "$root/$K/updates/dkms/$m.ko"
	cp "$w/$m.ko" "$w/dkms/ceph-kmod/0.1.0/$K/x86_64/module/$m.ko"
done
depmod -b "$w" "$K" 2>/dev/null
# A kernel whose installed libceph says which CephX key types it accepts (no modules.dep).
K2=9.9.9-keys
mkdir -p "$root/$K2/updates/dkms"
unsign "$kdir/kernel/net/ceph/libceph.ko" "$w/l.ko"
objcopy -O binary --only-section=.modinfo "$w/l.ko" "$w/lmi.bin"
printf 'ceph_kmod_version=0.1.0\0ceph_kmod_key_types=aes,aes256k\0' >>"$w/lmi.bin"
objcopy --update-section .modinfo="$w/lmi.bin" "$w/l.ko" "$root/$K2/updates/dkms/libceph.ko"

# Loaded: our nbd (same build-id), the in-tree libceph (not ours).
note() {
	mkdir -p "$w/sys/module/$1/notes"
	objcopy -O binary --only-section=.note.gnu.build-id "$2" "$w/sys/module/$1/notes/.note.gnu.build-id"
}
note nbd "$w/nbd.ko"
note libceph "$kdir/kernel/net/ceph/libceph.ko"

# EFI: Secure Boot on, MokListRT holding certificate A.
printf '\x06\x00\x00\x00\x01' >"$w/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
efi_siglist "$w/efi/efivars/MokListRT-605dab50-e046-4300-abb6-3dd810dd8b23" "$w/a.der"

export CEPH_KMOD_MODULES_ROOT=$root CEPH_KMOD_DKMS_TREE=$w/dkms CEPH_KMOD_SYS_MODULE=$w/sys/module \
	CEPH_KMOD_RUNNING_KERNEL=$K CEPH_KMOD_EFI_DIR=$w/efi CEPH_KMOD_MOK_CERT=$w/a.pem
unset CEPH_KMOD_MOKLIST CEPH_KMOD_CONF

t_expect_exit "status exits 0" 0 "$CK_TOOL" status
human=$T_LAST_OUTPUT
t_match "human: Secure Boot on" '^Secure Boot: +on' "$human"
t_match "human: certificate enrolled (MokListRT)" '^enrolled: +yes \[efivarfs MokListRT\]' "$human"
t_match "human: one line for the running kernel, marked" \
	"^$(t_re "$K") \\(running\\) +0\\.1\\.0 +set unversioned +2/4 ours +SIGNATURE rbd: no-matching-cert +1 patch +keys aes +loaded 1/2 ours\$" "$human"
t_match "human: ... and what needs attention below it" "^  set unversioned: modules carry no ceph_kmod_build: rebuild with ceph-kmod-install --rebuild\$" "$human"
t_match "human: key types from ceph_kmod_key_types" "^$K2 +0\\.1\\.0 .* keys aes,aes256k\$" "$human"
t_match "human: a kernel without modules: no set, none to take, keys unknown" '^9\.9\.9-empty +- +no set \(in-tree modules\) +0/0 ours +keys unknown$' "$human"
t_eq "human: header (3 lines), blank, 3 kernels (two with a second line), blank, the -v hint" 11 "$(wc -l <<<"$human")"
t_expect_exit "status -v exits 0" 0 "$CK_TOOL" status -v
verbose=$T_LAST_OUTPUT
t_match "verbose: running kernel marked" "^kernel $K \\(running\\)" "$verbose"
t_match "verbose: provenance shown" 'version +0\.1\.0' "$verbose"
t_match "verbose: key types shown" '^  key types: +aes,aes256k \(from ceph_kmod_key_types\)$' "$verbose"
t_expect_exit "status -v KERNEL exits 0" 0 "$CK_TOOL" status -v "$K2"
t_eq "status -v KERNEL: only that kernel" "kernel $K2" "$(grep '^kernel ' <<<"$T_LAST_OUTPUT")"
t_expect_exit "status KERNEL: one kernel line" 0 "$CK_TOOL" status "$K2"
t_eq "status KERNEL: one kernel line" 1 "$(grep -c '^9\.9\.9-' <<<"$T_LAST_OUTPUT")"
t_expect_exit "status of a kernel not under the modules root -> 64" 64 "$CK_TOOL" status 0.0.0-none
t_match "... one line naming it and where help is" '^ceph-kmod status: no kernel .0\.0\.0-none. under .*see: ' "$T_LAST_OUTPUT"
t_expect_exit "status --json exits 0" 0 "$CK_TOOL" status --json
json=$T_LAST_OUTPUT
printf '%s\n' "$json" >"$CK_ARTIFACTS/tool-status-fake.json"
t_check "status --json is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$CK_ARTIFACTS/tool-status-fake.json"

if command -v jq >/dev/null; then
	q() { jq -r "$1" <<<"$json"; }
	mod() { q ".kernels[] | select(.kernel == \"$K\") | .modules[] | select(.name == \"$1\") | $2"; }
	t_eq "json: secure_boot" "on" "$(q .secure_boot)"
	t_eq "json: enrolled" "yes" "$(q .mok_cert.enrolled)"
	t_eq "json: three kernels listed" "$K 9.9.9-empty 9.9.9-keys" "$(q '[.kernels[].kernel] | sort | join(" ")')"
	t_eq "json: key_types of an in-tree libceph: aes" '["aes"]' "$(q ".kernels[] | select(.kernel == \"$K\") | .key_types | tojson")"
	t_eq "json: ... read from the module's imports" "module imports null" \
		"$(q ".kernels[] | select(.kernel == \"$K\") | \"\\(.key_types_from) \\(.key_types_import)\"")"
	t_eq "json: key_types from ceph_kmod_key_types" '["aes","aes256k"] ceph_kmod_key_types' \
		"$(q '.kernels[] | select(.kernel == "9.9.9-keys") | "\(.key_types | tojson) \(.key_types_from)"')"
	t_eq "json: key_types unknown without libceph" null "$(q '.kernels[] | select(.kernel == "9.9.9-empty") | .key_types')"
	t_eq "json: nbd built by dkms" "$w/dkms/ceph-kmod/0.1.0/$K/x86_64/module/nbd.ko" "$(mod nbd '.dkms_built[0]')"
	t_eq "json: nbd installed" "$root/$K/updates/dkms/nbd.ko" "$(mod nbd .installed)"
	t_eq "json: modprobe resolves nbd to ours" "ours" "$(mod nbd .modprobe_resolves)"
	t_eq "json: modprobe path of nbd" "$root/$K/updates/dkms/nbd.ko" "$(mod nbd .modprobe_path)"
	want_id=$(readelf -n "$w/nbd.ko" | sed -n 's/.*Build ID: *//p')
	t_eq "json: nbd build-id (readelf agrees)" "$want_id" "$(mod nbd .file.build_id)"
	t_eq "json: nbd ceph_kmod_version" "0.1.0" "$(mod nbd .file.ceph_kmod_version)"
	t_eq "json: nbd ceph_kmod_source" "linux-source-6.1 6.1.192" "$(mod nbd .file.ceph_kmod_source)"
	t_eq "json: nbd ceph_kmod_patches" "0001-x.patch" "$(mod nbd .file.ceph_kmod_patches)"
	t_eq "json: nbd ceph_kmod_compat" "HAVE_SK_USE_TASK_FRAG=1" "$(mod nbd .file.ceph_kmod_compat)"
	t_eq "json: nbd signer" "ceph-kmod status key A" "$(mod nbd .file.signer)"
	t_eq "json: nbd verifies with configured cert" "true" "$(mod nbd .file.verifies_with_configured_cert)"
	t_eq "json: nbd loaded and ours" "true yes" "$(mod nbd '"\(.loaded.loaded) \(.loaded.ours)"')"
	t_eq "json: rbd signed by another key" "no-matching-cert false" "$(mod rbd '"\(.file.signature) \(.file.verifies_with_configured_cert)"')"
	t_eq "json: rbd resolves to ours" "ours" "$(mod rbd .modprobe_resolves)"
	t_eq "json: rbd not loaded" "false" "$(mod rbd .loaded.loaded)"
	t_eq "json: libceph not built, not installed" "0 null" "$(mod libceph '"\(.dkms_built | length) \(.installed)"')"
	t_eq "json: libceph resolves in-tree" "in-tree" "$(mod libceph .modprobe_resolves)"
	t_eq "json: libceph in-tree has no provenance" "null" "$(mod libceph .file.ceph_kmod_version)"
	t_eq "json: loaded in-tree libceph is not ours" "true no" "$(mod libceph '"\(.loaded.loaded) \(.loaded.ours)"')"
	t_eq "json: ceph resolves in-tree" "in-tree" "$(mod ceph .modprobe_resolves)"
	t_eq "json: kernel without modules.dep: not found" "not-found" \
		"$(q '.kernels[] | select(.kernel == "9.9.9-empty") | .modules[0].modprobe_resolves')"
	t_eq "json: non-running kernel has no loaded info" "null" \
		"$(q '.kernels[] | select(.kernel == "9.9.9-empty") | .modules[0].loaded')"
else
	t_skip "jq not installed: JSON field checks"
fi

# Certificate B is not in MokListRT; no EFI at all; Secure Boot off.
out=$(CEPH_KMOD_MOK_CERT=$w/b.pem "$CK_TOOL" status --json)
t_match "json: cert B not enrolled" '"enrolled": "no"' "$out"
printf '\x06\x00\x00\x00\x00' >"$w/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
out=$("$CK_TOOL" status --json)
t_match "json: Secure Boot off" '"secure_boot": "off"' "$out"
out=$(CEPH_KMOD_EFI_DIR=$w/no-efi "$CK_TOOL" status --json)
t_match "json: no EFI -> secure_boot unknown (no EFI)" '"secure_boot": "unknown \(no EFI\)"' "$out"
t_match "json: no EFI -> enrolled unknown (no EFI)" '"enrolled": "unknown \(no EFI\)"' "$out"
efi_siglist "$w/moklist" "$w/b.der" "$w/a.der"
out=$(CEPH_KMOD_EFI_DIR=$w/no-efi CEPH_KMOD_MOKLIST=$w/moklist "$CK_TOOL" status --json)
t_match "json: CEPH_KMOD_MOKLIST override, second list entry found" '"enrolled": "yes"' "$out"
# EFI without MokListRT: mokutil --test-key answers (a fake one here).
mkdir -p "$w/efi2/efivars"
cat >"$w/fake-mokutil" <<'FAKE'
#!/bin/sh
[ "$1" = --test-key ] && od -An -tx1 "$2" >/dev/null && echo "$2 is already enrolled"
FAKE
chmod +x "$w/fake-mokutil"
out=$(CEPH_KMOD_EFI_DIR=$w/efi2 CEPH_KMOD_MOKUTIL=$w/fake-mokutil "$CK_TOOL" status --json)
t_match "json: no MokListRT -> mokutil --test-key consulted" '"enrolled_source": "mokutil --test-key"' "$out"
t_match "json: mokutil says enrolled" '"enrolled": "yes"' "$out"
head -c 40 "$w/moklist" >"$w/moklist.bad"
out=$(CEPH_KMOD_MOKLIST=$w/moklist.bad "$CK_TOOL" status)
t_match "human: malformed MokListRT reported, not fatal" '^enrolled: +unknown' "$out"
# A hostile module in the tree is reported, the report goes on.
head -c 3000 "$w/nbd.ko" >"$root/$K/updates/dkms/rbd.ko"
t_expect_exit "status with a truncated installed module still exits 0" 0 "$CK_TOOL" status -v
t_match "human: truncated module reported as error" 'error: +ELF section' "$T_LAST_OUTPUT"
# A mixed set, and a pending kernel: two more lines each, what is wrong and the fix.
K3=9.9.9-mixed
mkdir -p "$root/$K3/ceph-kmod-sets/current" "$root/$K3/updates/dkms" "$w/state/pending"
printf 'build=B1\nmodules=libceph rbd\n' >"$root/$K3/ceph-kmod-sets/current/set.env"
for m in libceph rbd; do
	objcopy -O binary --only-section=.modinfo "$w/l.ko" "$w/m.bin"
	printf 'ceph_kmod_version=0.1.0\0ceph_kmod_build=%s\0' "$([[ $m == libceph ]] && echo B1 || echo B2)" >>"$w/m.bin"
	objcopy --update-section .modinfo="$w/m.bin" "$w/l.ko" "$root/$K3/updates/dkms/$m.ko"
done
printf 'kernel=%s\ncode=3\nsince=2026-12-03T06:00:00Z\nreason=no source for 9.9.9\nfix=ceph-kmod-fetch-source 9.9.9-empty\n' \
	9.9.9-empty >"$w/state/pending/9.9.9-empty"
export CEPH_KMOD_STATE=$w/state
t_expect_exit "status with a mixed set -> 5" 5 "$CK_TOOL" status
t_match "mixed: the kernel line says so" "^$K3 +0\\.1\\.0 +set MIXED +0/2 ours " "$T_LAST_OUTPUT"
t_match "mixed: what is wrong" '^  set mixed: rbd is from build B2, the set is build B1$' "$T_LAST_OUTPUT"
t_match "mixed: the fix" "^  fix: +ceph-kmod-install --kernel $K3\$" "$T_LAST_OUTPUT"
t_match "pending: reason" '^  pending: not built \(exit 3\) since 2026-12-03T06:00:00Z: no source for 9\.9\.9$' "$T_LAST_OUTPUT"
t_match "pending: fix" '^  fix: +ceph-kmod-fetch-source 9\.9\.9-empty$' "$T_LAST_OUTPUT"
t_eq "human: at most three lines a kernel (header 3+1, kernels 2+3+2+3, 1+1)" 16 "$(wc -l <<<"$T_LAST_OUTPUT")"
t_expect_exit "status KERNEL of the mixed set -> 5" 5 "$CK_TOOL" status "$K3"
t_expect_exit "status KERNEL of another kernel -> 0" 0 "$CK_TOOL" status 9.9.9-empty
rm -rf "${root:?}/$K3"
unset CEPH_KMOD_STATE
t_expect_exit "status with unreadable modules root -> 4" 4 env CEPH_KMOD_MODULES_ROOT="$w/none" "$CK_TOOL" status
t_expect_exit "status bad argument -> 64" 64 "$CK_TOOL" status --bogus
t_eq "... one line naming it and where help is" "ceph-kmod status: unknown option '--bogus' (see: ceph-kmod help status)" "$T_LAST_OUTPUT"

# Complete means every module the kernel can take is ours, of one build. A second modules
# root; its kernels ship the real libceph, rbd, ceph and nbd in-tree.
r2=$w/r2/lib/modules
intree() {
	mkdir -p "$r2/$1/kernel/drivers/block" "$r2/$1/kernel/net/ceph" "$r2/$1/kernel/fs/ceph"
	cp "$kdir/kernel/drivers/block/nbd.ko" "$kdir/kernel/drivers/block/rbd.ko" "$r2/$1/kernel/drivers/block/"
	cp "$kdir/kernel/net/ceph/libceph.ko" "$r2/$1/kernel/net/ceph/"
	cp "$kdir/kernel/fs/ceph/ceph.ko" "$r2/$1/kernel/fs/ceph/"
}
# set_install KVER BUILD MODULE...: a set of BUILD holding the MODULEs (the in-tree ones
# with provenance, signed with A) as ceph-kmod-install lays it out: ceph-kmod-sets/,
# current, links in updates/dkms.
set_install() {
	local k=$1 build=$2 m dir=$r2/$1/ceph-kmod-sets/$2.1
	shift 2
	mkdir -p "$dir" "$r2/$k/updates/dkms"
	ln -sfn "$build.1" "$r2/$k/ceph-kmod-sets/current"
	printf 'kernel=%s\nbuild=%s\nversion=0.1.0\nmodules=%s\n' "$k" "$build" "$*" >"$dir/set.env"
	for m; do
		unsign "$(find "$kdir/kernel" -name "$m.ko")" "$w/s.ko"
		objcopy -O binary --only-section=.modinfo "$w/s.ko" "$w/s.bin"
		printf 'ceph_kmod_version=0.1.0\0ceph_kmod_build=%s\0' "$build" >>"$w/s.bin"
		objcopy --update-section .modinfo="$w/s.bin" "$w/s.ko" "$dir/$m.ko"
		"$SIGN_FILE" sha256 "$w/a.key" "$w/a.pem" "$dir/$m.ko"
		ln -s "../../ceph-kmod-sets/current/$m.ko" "$r2/$k/updates/dkms/$m.ko"
	done
}
intree 9.9.9-partial
set_install 9.9.9-partial B1 nbd
intree 9.9.9-full
set_install 9.9.9-full B2 libceph rbd ceph nbd
# A libceph like upstream's since 7.0: it imports the kernel's crypto/krb5 library.
cat >"$w/krb5.c" <<'C'
extern int crypto_krb5_prepare_encryption(void);
int init_module(void);
int init_module(void)
{
	return crypto_krb5_prepare_encryption();
}
static const char modinfo[] __attribute__((section(".modinfo"), used, aligned(1))) =
	"license=GPL\0depends=krb5\0name=libceph\0vermagic=7.0.0 SMP preempt mod_unload modversions ";
C
# ... and one whose imports cannot be read: no .symtab.
printf 'static const char mi[] __attribute__((section(".modinfo"), used)) = "name=libceph";\n' >"$w/nosym.c"
mkdir -p "$r2/9.9.9-krb5/kernel/net/ceph" "$r2/9.9.9-krb5xz/kernel/net/ceph" "$r2/9.9.9-nosym/kernel/net/ceph"
"${CC:-cc}" -c -O2 -o "$r2/9.9.9-krb5/kernel/net/ceph/libceph.ko" "$w/krb5.c"
xz --check=crc32 -c "$r2/9.9.9-krb5/kernel/net/ceph/libceph.ko" >"$r2/9.9.9-krb5xz/kernel/net/ceph/libceph.ko.xz"
"${CC:-cc}" -c -o "$w/nosym.o" "$w/nosym.c"
strip --strip-all -o "$r2/9.9.9-nosym/kernel/net/ceph/libceph.ko" "$w/nosym.o"
for k in "$r2"/*; do depmod -b "$w/r2" "${k##*/}" 2>/dev/null; done
t_eq "readelf: the in-tree 6.1 libceph imports no crypto_krb5_ symbol" 0 \
	"$(readelf -sW "$kdir/kernel/net/ceph/libceph.ko" | grep -c ' UND crypto_krb5_' || true)"
t_eq "readelf: the made-up 7.x-like libceph imports crypto_krb5_prepare_encryption" 1 \
	"$(readelf -sW "$r2/9.9.9-krb5/kernel/net/ceph/libceph.ko" | grep -c ' UND crypto_krb5_prepare_encryption$' || true)"
t_eq "readelf: the stripped libceph has no symbol table" 0 \
	"$(readelf -SW "$r2/9.9.9-nosym/kernel/net/ceph/libceph.ko" | grep -c ' \.symtab ' || true)"

st() { CEPH_KMOD_MODULES_ROOT=$r2 "$CK_TOOL" status "$@"; }
t_expect_exit "set of nbd on a kernel shipping libceph, rbd, ceph: exit 5" 5 st
human=$T_LAST_OUTPUT
t_match "... the line: set INCOMPLETE, 1/4 ours (M = the modules the kernel can take)" \
	'^9\.9\.9-partial +0\.1\.0 +set INCOMPLETE +1/4 ours +signed ok +0 patches +keys aes$' "$human"
t_match "... what is wrong: the modules still in-tree" \
	"^  set incomplete: libceph, rbd, ceph are the kernel's in-tree modules: the set has only nbd\$" "$human"
t_match "... the fix rebuilds" '^  fix: +ceph-kmod-install --rebuild --kernel 9\.9\.9-partial$' "$human"
t_match "a set of all four: complete, 4/4 ours" \
	'^9\.9\.9-full +0\.1\.0 +set complete \(B2\) +4/4 ours +signed ok +0 patches +keys aes$' "$human"
t_match "no set: still no set (in-tree modules), not bad" \
	'^9\.9\.9-krb5 +- +no set \(in-tree modules\) +0/1 ours +keys aes,aes256k$' "$human"
t_match "a libceph importing crypto_krb5_*: keys aes,aes256k" '^9\.9\.9-krb5 .* keys aes,aes256k$' "$human"
t_match "... also as .ko.xz" '^9\.9\.9-krb5xz .* keys aes,aes256k$' "$human"
t_match "a libceph whose imports cannot be read: keys unknown" '^9\.9\.9-nosym .* keys unknown$' "$human"
t_expect_exit "status KERNEL of the complete set -> 0" 0 st 9.9.9-full
t_expect_exit "status -v KERNEL of the incomplete set -> 5" 5 st -v 9.9.9-partial
t_match "verbose: the repair" "^  set: +ERROR: incomplete: libceph, rbd, ceph are .* \\(repair: ceph-kmod-install --rebuild --kernel 9\\.9\\.9-partial\\)\$" "$T_LAST_OUTPUT"
t_match "verbose: what the kernel can take" '^  can take: +libceph, rbd, ceph, nbd \(1/4 ours\)$' "$T_LAST_OUTPUT"
t_match "verbose: in-tree 6.1 libceph: aes, from its imports" \
	'^  key types: +aes \(from module imports: no crypto_krb5_ symbol\)$' "$T_LAST_OUTPUT"
st -v 9.9.9-krb5xz >"$w/v.txt" || true
t_match "verbose: krb5 libceph.ko.xz: aes,aes256k, from its imports" \
	'^  key types: +aes,aes256k \(from module imports: crypto_krb5_prepare_encryption\)$' "$(cat "$w/v.txt")"
st -v 9.9.9-nosym >"$w/v.txt" || true
t_match "verbose: no .symtab: unknown, and why" '^  key types: +unknown \(imports of libceph unreadable: no \.symtab' "$(cat "$w/v.txt")"
t_expect_exit "status --json with the incomplete set -> 5" 5 st --json
printf '%s\n' "$T_LAST_OUTPUT" >"$CK_ARTIFACTS/tool-status-can-take.json"
if command -v jq >/dev/null; then
	kq() { jq -r --arg k "$1" ".kernels[] | select(.kernel == \$k) | $2" "$CK_ARTIFACTS/tool-status-can-take.json"; }
	t_eq "json: partial: state, modules, can_take, counts" 'incomplete ["nbd"] ["libceph","rbd","ceph","nbd"] 4 1' \
		"$(kq 9.9.9-partial '"\(.set.state) \(.set.modules | tojson) \(.set.can_take | tojson) \(.set.can_take_count) \(.set.ours_count)"')"
	t_eq "json: partial: problem" "libceph, rbd, ceph are the kernel's in-tree modules: the set has only nbd" \
		"$(kq 9.9.9-partial .set.problem)"
	t_eq "json: partial: fix" "ceph-kmod-install --rebuild --kernel 9.9.9-partial" "$(kq 9.9.9-partial .set.fix)"
	t_eq "json: partial: in-tree libceph: aes from module imports" '["aes"] module imports null' \
		"$(kq 9.9.9-partial '"\(.key_types | tojson) \(.key_types_from) \(.key_types_import)"')"
	t_eq "json: full: complete, 4 of 4 ours, no fix" 'complete 4 4 null' \
		"$(kq 9.9.9-full '"\(.set.state) \(.set.can_take_count) \(.set.ours_count) \(.set.fix)"')"
	t_eq "json: krb5: no set, can take libceph" 'none ["libceph"] 0' \
		"$(kq 9.9.9-krb5 '"\(.set.state) \(.set.can_take | tojson) \(.set.ours_count)"')"
	for k in 9.9.9-krb5 9.9.9-krb5xz; do
		t_eq "json: $k: aes,aes256k from module imports (crypto_krb5_prepare_encryption)" \
			'["aes","aes256k"] module imports crypto_krb5_prepare_encryption' \
			"$(kq "$k" '"\(.key_types | tojson) \(.key_types_from) \(.key_types_import)"')"
	done
	t_eq "json: nosym: key_types null, no source, an error" 'null null true' \
		"$(kq 9.9.9-nosym '"\(.key_types) \(.key_types_from) \(.key_types_error | test("no .symtab"))"')"
else
	t_skip "jq not installed: can_take JSON checks"
fi
# Linux 7.x's own libceph, when the aes256k suite's sid cache holds one (never installed).
sid7=""
for d in "${CK_SID_CACHE:-$CK_TEST_STATE/cache/sid}" /var/tmp/ceph-kmod-tests/cache/sid; do
	for f in "$d"/linux-7.*/root/lib/modules/*/kernel/net/ceph/libceph.ko.xz; do
		[[ -e "$f" ]] && sid7=$f
	done
	[[ -n "$sid7" ]] && break
done
if [[ -n "$sid7" ]]; then
	k7=${sid7%/kernel/net/ceph/libceph.ko.xz}
	out=$(CEPH_KMOD_MODULES_ROOT=${k7%/*} "$CK_TOOL" status "${k7##*/}" || true)
	t_match "real ${k7##*/} in-tree libceph.ko.xz: keys aes,aes256k (from its imports)" \
		"^$(t_re "${k7##*/}") .* keys aes,aes256k\$" "$out"
else
	t_skip "no Linux 7.x libceph.ko.xz in the sid cache: the real upstream module not read"
fi

# This host, read only: real /lib/modules, /sys/module, no EFI.
unset CEPH_KMOD_MODULES_ROOT CEPH_KMOD_DKMS_TREE CEPH_KMOD_SYS_MODULE CEPH_KMOD_RUNNING_KERNEL \
	CEPH_KMOD_EFI_DIR CEPH_KMOD_MOK_CERT
t_expect_exit "host: status exits 0" 0 "$CK_TOOL" status
printf '%s\n' "$T_LAST_OUTPUT" >"$CK_ARTIFACTS/tool-status-host.txt"
t_check "host: status fits a screen (<= 3 lines a kernel + 6)" test "$(wc -l <<<"$T_LAST_OUTPUT")" -le $((3 * $(find /lib/modules -mindepth 1 -maxdepth 1 -type d | wc -l) + 6))
t_expect_exit "host: status -v exits 0" 0 "$CK_TOOL" status -v
"$CK_TOOL" status --json >"$CK_ARTIFACTS/tool-status-host.json"
t_check "host: status --json is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$CK_ARTIFACTS/tool-status-host.json"
