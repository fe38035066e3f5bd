#!/usr/bin/env bash
# Probes and caches you can trust: a probe whose compiler is killed fails with
# exit 7 and caches nothing (the next run defines HAVE_*); a truncated tarball
# is never cached, a complete one is, marker last.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-hurt.sh"

k61=$(t_kernel newest61)
work=$(mktemp -d /var/tmp/ck-hurt-probe.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A compiler wrapper that kills itself when it compiles the probe (as the OOM
# killer would kill cc1); everything else compiles normally.
cat >"$work/cc" <<'SH'
#!/bin/sh
case "$*" in *sock_use_task_frag*) kill -9 $$ ;; esac
exec gcc "$@"
SH
chmod +x "$work/cc"
t_expect_exit "probe with a killed compiler: exit 7" 7 env CEPH_KMOD_CACHE="$work/cache" CEPH_KMOD_CC="$work/cc" \
	"$CK_TOP/stages/probe-kernel" "$k61"
t_match "the message says the probe failed without its own compile error" "probe sock_use_task_frag for $(t_re "$k61") failed without a compile error of its own" "$T_LAST_OUTPUT"
t_eq "nothing was cached" "" "$(find "$work/cache/probes" -type f 2>/dev/null)"
t_expect_exit "the next run (real compiler) succeeds" 0 env CEPH_KMOD_CACHE="$work/cache" "$CK_TOP/stages/probe-kernel" "$k61"
t_match "and defines HAVE_SOCK_USE_TASK_FRAG for $k61 (the field exists there)" '^#define HAVE_SOCK_USE_TASK_FRAG 1$' "$T_LAST_OUTPUT"
t_eq "one cached result" 1 "$(find "$work/cache/probes" -type f -name '*.h' | wc -l)"
# The caller's environment does not reach the kernel build (only CEPH_KMOD_*).
t_expect_exit "CC=false and KERNEL_DIR=/nonexistent in the environment are ignored" 0 \
	env CC=false KERNEL_DIR=/nonexistent CEPH_KMOD_CACHE="$work/cache2" "$CK_TOP/stages/probe-kernel" "$k61"

# A kernel-source tarball made of Debian's 6.1 source (its Ceph paths, as cached).
src=$(grep -lx 'origin=/usr/src/linux-source-6.1.tar.xz' "$(ck_cache_dir)"/src/*/.ck-source 2>/dev/null | head -n1)
src=${src%/.ck-source}
if [[ -z "$src" ]]; then
	t_skip "no cached extraction of /usr/src/linux-source-6.1.tar.xz (run the build suite first)"
	exit 0
fi
mkdir -p "$work/t/linux-6.1.x"
cp -a "$src/." "$work/t/linux-6.1.x/"
rm -f "$work/t/linux-6.1.x/.ck-source"
tar -C "$work/t" -cJf "$work/full.tar.xz" linux-6.1.x
size=$(stat -c %s "$work/full.tar.xz")
head -c $((size / 2)) "$work/full.tar.xz" >"$work/trunc.tar.xz"
t_expect_exit "a truncated tarball: exit 3" 3 env CEPH_KMOD_CACHE="$work/cache" "$CK_TOP/stages/extract-source" "$work/trunc.tar.xz"
t_match "the message names tar's failure" "extracting .*trunc.tar.xz failed \(tar exit [0-9]+" "$T_LAST_OUTPUT"
t_eq "nothing of it was cached" "" "$(find "$work/cache/src" -mindepth 1 -maxdepth 1 2>/dev/null)"
t_expect_exit "the complete tarball is extracted" 0 env CEPH_KMOD_CACHE="$work/cache" "$CK_TOP/stages/extract-source" "$work/full.tar.xz"
dest=$T_LAST_OUTPUT
t_check "its marker is complete (format, version, sha256)" grep -qx "sha256=$(sha256sum "$work/full.tar.xz" | cut -d' ' -f1)" "$dest/.ck-source"
# A cache entry without the marker (a crash before it was written) is redone.
rm -f "$dest/.ck-source"
rm -rf "$dest/net/ceph"
t_expect_exit "an entry without its marker is extracted again" 0 env CEPH_KMOD_CACHE="$work/cache" "$CK_TOP/stages/extract-source" "$work/full.tar.xz"
t_check "and is complete again" test -f "$dest/net/ceph/messenger.c" -a -f "$dest/.ck-source"
