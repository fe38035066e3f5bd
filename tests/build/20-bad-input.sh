#!/usr/bin/env bash
# Bad input gets a clear error with the fix, and loses nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-build.sh"

k61=$(t_kernel newest61)
k170=$(t_kernel oldest61)
k612=$(t_kernel newest612)
work=$(mktemp -d /var/tmp/ck-bad.XXXXXX)
trap 'rm -rf "$work"' EXIT

# No headers: skipped with a message, exit 0 (autoinstall must not fail).
mkdir -p "/lib/modules/0.0.0-ck-noheaders"
t_expect_exit "kernel without headers is skipped with exit 0" 0 ceph-kmod-install --kernel 0.0.0-ck-noheaders
t_match "the skip message names the kernel and the fix" 'skipping kernel 0.0.0-ck-noheaders: no headers.*apt-get install linux-headers-0.0.0-ck-noheaders' "$T_LAST_OUTPUT"
rmdir "/lib/modules/0.0.0-ck-noheaders"
running=$(uname -r)
if [[ ! -e "/lib/modules/$running/build/Makefile" ]]; then
	t_expect_exit "the running kernel $running (no headers) is skipped" 0 ceph-kmod-install --kernel "$running"
	t_match "running kernel skip message" "skipping kernel $running: no headers" "$T_LAST_OUTPUT"
fi

# No source at all: a 5.10 kernel tree, an empty cache, nothing under /usr/src for 5.10.
mkdir -p "$work/k510"
printf 'VERSION = 5\nPATCHLEVEL = 10\nSUBLEVEL = 7\n' >"$work/k510/Makefile"
t_expect_exit "no source for the kernel: exit 3" 3 env CEPH_KMOD_KERNEL_DIR="$work/k510" CEPH_KMOD_CACHE="$work/cache" \
	"$CK_TOP/stages/locate-source" 5.10.0-fake
t_match "no-source message names the fetch command" 'ceph-kmod-fetch-source 5.10.0-fake.*apt-get download linux-source-5.10=5.10.7' "$T_LAST_OUTPUT"
t_expect_exit "explicit source that does not exist: exit 3" 3 env CEPH_KMOD_SOURCE=/nonexistent/linux.tar.xz \
	"$CK_TOP/stages/locate-source" "$k61"

# Mismatched source: older sublevel, or another series, with no probe to adapt it.
t_check "fetch the exact 6.1 source of $k170" ceph-kmod-fetch-source "$k170"
old=$(find "$(ck_cache_dir)/tarballs" -name "linux-source-6.1-*.tar.xz" | head -n1)
t_expect_exit "older source ($old) for $k61: exit 4" 4 env CEPH_KMOD_SOURCE="$old" "$CK_TOP/stages/locate-source" "$k61"
t_match "mismatch message names the exact source to fetch" "ceph-kmod-fetch-source $k61" "$T_LAST_OUTPUT"
t_expect_exit "6.1 source for $k612: exit 4" 4 env CEPH_KMOD_SOURCE=/usr/src/linux-source-6.1.tar.xz "$CK_TOP/stages/locate-source" "$k612"

# No Module.symvers and no /boot/symvers-K.gz.
b_headers_copy "$k61" "$work/hdr"
rm -f "$work/hdr/Module.symvers"
mkdir -p "$work/boot"
t_expect_exit "no Module.symvers: exit 6" 6 env CEPH_KMOD_KERNEL_DIR="$work/hdr" CEPH_KMOD_BOOT_DIR="$work/boot" \
	"$CK_TOP/stages/prepare" "$k61" "$work/out-nosymvers"
t_match "symvers message explains the load-time error" "no symbol version for module_layout" "$T_LAST_OUTPUT"
t_match "symvers message names the fix" "fix: .*symvers-$(t_re "$k61").gz" "$T_LAST_OUTPUT"

# A failing patch: names the patch, the kernel and the rejected hunk.
cp -a "$CK_TOP/patches" "$work/patches"
cat >"$work/patches/9999-broken.patch" <<'PATCH'
Subject: [PATCH] test: a hunk that cannot apply

--- a/drivers/block/rbd.c
+++ b/drivers/block/rbd.c
@@ -1,3 +1,3 @@
-this line is not in rbd.c
+neither is this one
 nor this
PATCH
printf '9999-broken.patch 6.12.0 6.12.999 0123456789abcdef0123456789abcdef01234567\n' >>"$work/patches/series"
t_expect_exit "failing patch: prepare exits 5" 5 env CEPH_KMOD_PATCHES_DIR="$work/patches" \
	"$CK_TOP/stages/prepare" "$k612" "$work/out-badpatch"
t_match "patch failure names patch and kernel" "patch 9999-broken.patch .* kernel $(t_re "$k612")" "$T_LAST_OUTPUT"
t_match "patch failure shows the rejected hunk" 'rejected hunk.*|this line is not in rbd.c' "$T_LAST_OUTPUT"
# Through the main job: a rebuild whose patch fails leaves the kernel's modules
# exactly as they were (a set of ours, or in-tree), the kernel is pending with
# the reason and fix, and the next kernel still goes on.
before=$(b_snapshot "$k612")
t_expect_exit "ceph-kmod-install: failing patch for $k612 exits 5" 5 env CEPH_KMOD_PATCHES_DIR="$work/patches" \
	ceph-kmod-install --rebuild --kernel "$k612" --kernel "$k61"
t_match "ceph-kmod-install reports the patch, then goes on with $k61" "9999-broken.patch.*kernel $(t_re "$k61"): (ceph-kmod .* is up to date|installed)" "$(tr '\n' ' ' <<<"$T_LAST_OUTPUT")"
t_eq "$k612: the failed rebuild changed nothing modprobe resolves (paths, sha256)" "$before" "$(b_snapshot "$k612")"
json=$("$CK_TOOL" status --json 2>/dev/null || true)
t_eq "$k612: ceph-kmod status --json: pending with exit 5" 5 "$(jq -r --arg k "$k612" '.kernels[] | select(.kernel == $k) | .pending.code' <<<"$json")"
t_match "$k612: the pending record names the patch and the fix" "9999-broken.patch.*ceph-kmod-install --kernel" \
	"$(jq -r --arg k "$k612" '.kernels[] | select(.kernel == $k) | .pending | .reason + " " + .fix' <<<"$json")"

# The stages' own usage errors (exit 64) and a --from without what ran before (exit 12).
t_expect_exit "swap --dest outside dkms's location and updates/ceph-kmod: exit 64" 64 \
	"$CK_TOP/stages/swap" --dest updates/other "$k61" "$work/none"
t_match "... naming both locations" "updates/ceph-kmod" "$T_LAST_OUTPUT"
t_expect_exit "pipeline --from after --until: exit 64" 64 "$CK_TOP/stages/pipeline" "$k61" "$work/none" --from verify --until sign
t_expect_exit "pipeline --from sign without OUTDIR: exit 12" 12 "$CK_TOP/stages/pipeline" "$k61" "$work/none" --from sign
t_match "... with the command that runs every step" "fix: stages/pipeline $(t_re "$k61") " "$T_LAST_OUTPUT"
