#!/usr/bin/env bash
# Hostile files through the real program under AddressSanitizer+UBSan (make -C tool asan)
# and under valgrind: the expected exit code, a clear error, no memory error, no leak.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

tool_build
asan_build
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mk_key "$w" a "ceph-kmod sanitizer key"

# Unit tests under ASan (leak checking on).
rc=0
out=$(ASAN_OPTIONS=detect_leaks=1:exitcode=99 "$CK_TOP/tool/build-asan/unit-tests" 2>&1) || rc=$?
t_eq "unit tests under ASan+UBSan exit 0" 0 "$rc"
t_match "unit tests under ASan: all passed" 'unit: [0-9]+ passed, 0 failed' "$out"
rc=0
out=$(ASAN_OPTIONS=detect_leaks=1:exitcode=99 "$CK_TOP/tool/build-asan/conf-tests" "$CK_TOP/tests/tool/conf-cases.tsv" 2>&1) || rc=$?
t_eq "configuration cases (config.c) under ASan+UBSan exit 0" 0 "$rc"

# The hostile set: name, expected exit code.
src=$(real_module)
declare -A want=()
head -c 8192 /dev/urandom >"$w/garbage.ko"; want[garbage.ko]=4
: >"$w/empty.ko"; want[empty.ko]=4
printf '\x7fELF' >"$w/elf-magic-only.ko"; want[elf-magic-only.ko]=4
printf '%s\n' "$MAGIC" >"$w/magic-only.ko"; want[magic-only.ko]=4
{ head -c 100 /dev/zero; printf '\xff\xff\xff\xff'; head -c 8 /dev/zero; printf '%s\n' "$MAGIC"; } >"$w/zero-idtype.ko"; want[zero-idtype.ko]=4
{ head -c 100 /dev/zero; printf '\x00\x00\x02\x00\x00\x00\x00\x00\xff\xff\xff\xff%s\n' "$MAGIC"; } >"$w/absurd-siglen.ko"; want[absurd-siglen.ko]=4
printf '\xfd7zXZ\x00garbage' >"$w/bad.ko.xz"; want[bad.ko.xz]=4
printf '\x28\xb5\x2f\xfdgarbage' >"$w/bad.ko.zst"; want[bad.ko.zst]=4
if [[ -n "$src" && -x "$SIGN_FILE" ]]; then
	unsign "$src" "$w/unsigned.ko"; want[unsigned.ko]=3
	cp "$w/unsigned.ko" "$w/good.ko"
	"$SIGN_FILE" sha256 "$w/a.key" "$w/a.pem" "$w/good.ko"; want[good.ko]=0
	xz --check=crc32 -c "$w/good.ko" >"$w/good.ko.xz"; want[good.ko.xz]=0
	zstd -q -c "$w/good.ko" >"$w/good.ko.zst"; want[good.ko.zst]=0
	cp "$w/good.ko" "$w/flipped.ko"; flip_byte "$w/flipped.ko" 5000; want[flipped.ko]=1
	want[debian-signed.ko]=2; cp "$src" "$w/debian-signed.ko"
	size=$(stat -c %s "$w/unsigned.ko")
	head -c $((size - 100)) "$w/unsigned.ko" >"$w/cut-shdrs.ko"; want[cut-shdrs.ko]=4
	# Section header table offset (e_shoff, byte 40) pointed past the end.
	cp "$w/unsigned.ko" "$w/bad-shoff.ko"
	printf '\x00\x00\x00\x7f' | dd of="$w/bad-shoff.ko" bs=1 seek=44 conv=notrunc status=none; want[bad-shoff.ko]=4
	# Section count (e_shnum, byte 60) far too large.
	cp "$w/unsigned.ko" "$w/bad-shnum.ko"
	printf '\xf0\xfe' | dd of="$w/bad-shnum.ko" bs=1 seek=60 conv=notrunc status=none; want[bad-shnum.ko]=4
	# Signature trailer with sig_len one past the start of the file.
	size=$(stat -c %s "$w/good.ko")
	cp "$w/good.ko" "$w/siglen-past.ko"
	v=$((size - 40 + 1))
	printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((v >> 24 & 255)) $((v >> 16 & 255)) $((v >> 8 & 255)) $((v & 255)))" |
		dd of="$w/siglen-past.ko" bs=1 seek=$((size - 32)) conv=notrunc status=none; want[siglen-past.ko]=4
fi

for f in "${!want[@]}"; do
	rc=0
	out=$(ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=98 \
		"$asan_tool" verify --cert "$w/a.pem" "$w/$f" 2>&1) || rc=$?
	if ((rc == want[$f])) && ! grep -q 'Sanitizer' <<<"$out"; then
		t_pass "ASan: $f -> ${want[$f]}"
	else
		t_fail "ASan: $f wanted ${want[$f]}, got $rc: $(tail -n 5 <<<"$out" | tr '\n' ' ')"
	fi
	if ((want[$f] == 4)); then
		t_match "clear error for $f" 'reason: +.{8,}' "$out"
	fi
done

# valgrind over the same set in one run (exit = highest code, errors -> 99).
if command -v valgrind >/dev/null; then
	files=()
	for f in "${!want[@]}"; do files+=("$w/$f"); done
	rc=0
	out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$CK_TOOL" verify --cert "$w/a.pem" "${files[@]}" 2>&1) || rc=$?
	t_eq "valgrind: ${#files[@]} hostile/real files, no memory errors or leaks (exit 4)" 4 "$rc"
	((rc == 99)) && printf '%s\n' "$out" | tail -n 30
	mkdir -p "$w/root/$(uname -r)"
	rc=0
	out=$(CEPH_KMOD_MODULES_ROOT=/lib/modules CEPH_KMOD_MOK_CERT=$w/a.pem \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$CK_TOOL" status --json 2>&1 >/dev/null) || rc=$?
	t_eq "valgrind: status --json on this host is clean" 0 "$rc"
	((rc == 99)) && printf '%s\n' "$out" | tail -n 30
	rc=0
	ASAN_OPTIONS=detect_leaks=1:exitcode=99 "$asan_tool" status --json >/dev/null 2>"$w/asan.err" || rc=$?
	t_eq "ASan: status --json on this host is clean" 0 "$rc"
	rc=0
	ASAN_OPTIONS=detect_leaks=1:exitcode=99 "$asan_tool" status >/dev/null 2>"$w/asan.err" || rc=$?
	t_eq "ASan: status (one line per kernel) on this host is clean" 0 "$rc"
else
	t_skip "valgrind not installed"
fi
