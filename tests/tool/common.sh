# shellcheck shell=bash
# Helpers for the tool suite, sourced after ../lib.sh. Independent of the tool itself:
# signature trailers are cut with head/tail/od so the tool is not grading itself.

CK_TOOL="$CK_TOP/tool/ceph-kmod"
export CK_TOOL
SIGN_FILE=${SIGN_FILE:-/usr/lib/linux-kbuild-6.1/scripts/sign-file}
MAGIC='~Module signature appended~'

# Builds the tool once per script (make is a no-op when up to date).
tool_build() {
	make -s -C "$CK_TOP/tool" >/dev/null
}

# asan_build: builds the tool under ASan+UBSan (make -C tool asan) and sets asan_tool;
# records a FAIL and exits the calling script when that build fails.
asan_build() {
	make -s -C "$CK_TOP/tool" asan >/dev/null 2>&1 || { t_fail "make -C tool asan failed"; exit 0; }
	# shellcheck disable=SC2034 # read by the calling script
	asan_tool=$CK_TOP/tool/build-asan/ceph-kmod
}

# fuzz_build TARGET WHAT: builds a libFuzzer make target of tool/; without clang it
# records a SKIP (no fuzzing of WHAT), on a failed build a FAIL, and exits the script.
fuzz_build() {
	if ! command -v clang >/dev/null; then
		t_skip "clang not installed: no fuzzing of $2"
		exit 0
	fi
	if ! make -s -C "$CK_TOP/tool" "$1" >/dev/null 2>&1; then
		t_fail "make -C tool $1 failed"
		exit 0
	fi
}

# A real in-tree module to work on: the newest uncompressed nbd.ko (6.1 kernels).
real_module() {
	local f best=""
	for f in /lib/modules/*/kernel/drivers/block/nbd.ko; do
		[[ -e "$f" ]] && best=$f
	done
	printf '%s\n' "$best"
}

# require_real_module: sets src to a real in-tree nbd.ko, or records a SKIP and exits
# the calling test script when there is none (or no sign-file to re-sign it with).
require_real_module() {
	src=$(real_module)
	if [[ -z "$src" || ! -x "$SIGN_FILE" ]]; then
		t_skip "no uncompressed in-tree nbd.ko or no sign-file"
		exit 0
	fi
}

# A Debian in-tree .ko.xz (6.12 kernels).
real_module_xz() {
	local f best=""
	for f in /lib/modules/*/kernel/drivers/block/nbd.ko.xz; do
		[[ -e "$f" ]] && best=$f
	done
	printf '%s\n' "$best"
}

# mk_key DIR NAME CN: throw-away signing pair DIR/NAME.key, DIR/NAME.pem, DIR/NAME.der.
mk_key() {
	local dir=$1 name=$2 cn=$3
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 2 -sha256 \
		-subj "/CN=$cn" -keyout "$dir/$name.key" -out "$dir/$name.pem" \
		-addext basicConstraints=critical,CA:FALSE -addext keyUsage=digitalSignature \
		-addext extendedKeyUsage=codeSigning 2>/dev/null
	openssl x509 -in "$dir/$name.pem" -outform DER -out "$dir/$name.der"
}

# sig_len FILE: the be32 sig_len of the trailer, or nothing when unsigned.
sig_len() {
	local f=$1 b
	tail -c 28 "$f" | cmp -s - <(printf '%s\n' "$MAGIC") || return 0
	read -r -a b < <(tail -c 40 "$f" | head -c 12 | od -An -tu1)
	printf '%s\n' $(((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]))
}

# unsign IN OUT: OUT is IN without its signature (all of them, if signed twice).
unsign() {
	local in=$1 out=$2 n size tmp
	tmp=$(mktemp)
	cp "$in" "$tmp"
	while n=$(sig_len "$tmp") && [[ -n "$n" ]]; do
		size=$(stat -c %s "$tmp")
		head -c $((size - 40 - n)) "$tmp" >"$tmp.cut"
		mv "$tmp.cut" "$tmp"
	done
	mv "$tmp" "$out"
}

# split_sig SIGNED BODY P7: the signed body and the PKCS#7 DER of the last signature.
split_sig() {
	local in=$1 body=$2 p7=$3 n size
	n=$(sig_len "$in")
	size=$(stat -c %s "$in")
	head -c $((size - 40 - n)) "$in" >"$body"
	tail -c $((40 + n)) "$in" | head -c "$n" >"$p7"
}

# flip_byte FILE OFFSET: xor one byte with 0x01 in place.
flip_byte() {
	local f=$1 off=$2 v
	v=$(od -An -tu1 -j "$off" -N 1 "$f" | tr -d ' ')
	printf '%b' "$(printf '\\%03o' $((v ^ 1)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# efi_siglist OUT DERFILE...: efivarfs-format file (4 attribute bytes) with one
# EFI_CERT_X509 list per certificate, owner = shim GUID.
efi_siglist() {
	local out=$1; shift
	python3 - "$out" "$@" <<'PY'
import struct, sys, uuid
out = open(sys.argv[1], "wb")
out.write(bytes([7, 0, 0, 0]))
x509 = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072").bytes_le
owner = uuid.UUID("605dab50-e046-4300-abb6-3dd810dd8b23").bytes_le
for path in sys.argv[2:]:
    der = open(path, "rb").read()
    out.write(x509 + struct.pack("<III", 28 + 16 + len(der), 0, 16 + len(der)) + owner + der)
PY
}
