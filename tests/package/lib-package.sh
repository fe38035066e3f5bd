# shellcheck shell=bash disable=SC2016
# Helpers of the package suite. Sourced after ../lib.sh and ../build/lib-build.sh.
#
# The install/upgrade/remove/purge cycles run real apt, dpkg, rpm and dkms of this host
# inside a chroot whose root is a copy-on-write overlay of this host's root filesystem
# (upper layer on a tmpfs, in a private mount namespace). The host's own dkms state and
# the test kernels' installed modules, which other suites' QEMU guests load, are never
# touched, and the "before install" / "after purge" listings are taken of that root.

P_WORK=${P_WORK:-$CK_TEST_STATE/package}

# p_overlay_run SCRIPT ARGS...: run SCRIPT (a path visible in the host's root) as root in
# a chroot over an overlay of /. Its stdout/stderr are ours; PASS/FAIL/SKIP lines it
# prints are appended to $CK_TEST_RESULTS by the caller (p_record_from).
p_overlay_run() {
	local mnt=$P_WORK/overlay
	mkdir -p "$mnt"
	unshare -m --propagation private bash -euo pipefail -c '
		mnt=$1; shift
		mkdir -p "$mnt/t" "$mnt/root"
		mount -t tmpfs -o size=12g,mode=0755 ck-package "$mnt/t"
		mkdir -p "$mnt/t/upper" "$mnt/t/work"
		mount -t overlay ck-package -o "lowerdir=/,upperdir=$mnt/t/upper,workdir=$mnt/t/work" "$mnt/root"
		mount --rbind /proc "$mnt/root/proc"
		mount --rbind /sys "$mnt/root/sys"
		mount --rbind /dev "$mnt/root/dev"
		mount -t tmpfs -o mode=0755 ck-run "$mnt/root/run"
		mkdir -p "$mnt/root/run/lock"
		mount -t tmpfs -o mode=1777 ck-tmp "$mnt/root/tmp"
		exec chroot "$mnt/root" /usr/bin/env CK_TEST_RESULTS=/dev/null "$@"
	' p_overlay_run "$mnt" "$@"
}

# p_snapshot FILE: every path on the root filesystem, except what changes on its own
# (logs, package manager state and caches, scratch, the test's own work trees).
p_snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
		-o -path /var/tmp -o -path /work -o -path /var/log -o -path /var/lib/dpkg \
		-o -path /var/lib/apt -o -path /var/cache/apt -o -path /var/cache/debconf \
		-o -path /var/cache/man -o -path /var/cache/ldconfig -o -path /root/.cache \
		-o -path /root/.rpmdb -o -path "$CK_TEST_STATE" -o -path /var/lib/rpm \) -prune \
		-o -print | LC_ALL=C sort >"$1"
}

# p_dkms_version KVER: the ceph-kmod version dkms has installed (active) for KVER.
p_dkms_version() {
	dkms status -m ceph-kmod -k "$1" 2>/dev/null | sed -n 's|^ceph-kmod/\([^,]*\), .*: installed.*|\1|p' | head -n1
}

# p_bump_tree VERSION DEST [BROKEN_FOR_SERIES]: a copy of this checkout at DEST with
# VERSION and a debian/changelog entry for it; with BROKEN_FOR_SERIES (e.g. 6.12), a
# patch that cannot apply is added for that source series only.
p_bump_tree() {
	local v=$1 dest=$2 broken=${3:-} tarball
	rm -rf "$dest"
	mkdir -p "$dest"
	tarball=$("$CK_TOP/packaging/dist" "$dest")
	tar -C "$dest" -xzf "$tarball" --strip-components=1
	rm -f "$tarball"
	printf '%s\n' "$v" >"$dest/VERSION"
	{
		printf 'ceph-kmod (%s) unstable; urgency=medium\n\n  * Test build %s.\n\n' "$v" "$v"
		printf ' -- ceph-kmod developers <dev@ceph-kmod.invalid>  %s\n\n' "$(date -R)"
		cat "$CK_TOP/debian/changelog"
	} >"$dest/debian/changelog"
	if [[ -n "$broken" ]]; then
		mkdir -p "$dest/patches/test"
		printf '%s\n' '--- a/net/ceph/ceph_common.c' '+++ b/net/ceph/ceph_common.c' '@@ -1,3 +1,3 @@' \
			'-this line is not in any kernel' '+so this patch never applies' ' context' ' context' \
			>"$dest/patches/test/0001-never-applies.patch"
		printf 'test/0001-never-applies.patch %s.0 %s.999 0000000000000000000000000000000000000000\n' "$broken" "$broken" >>"$dest/patches/series"
	fi
}
