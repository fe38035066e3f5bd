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
		mkdir -p "$mnt/root/run/lock" "$mnt/root/run/host"
		mount --bind / "$mnt/root/run/host"
		mount -t tmpfs -o mode=1777 ck-tmp "$mnt/root/tmp"
		exec chroot "$mnt/root" /usr/bin/env CK_TEST_RESULTS=/dev/null "$@"
	' p_overlay_run "$mnt" "$@"
}

# The host is shared: other suites change /lib/modules, /var/lib/dkms ... while this runs,
# and the overlay shows their changes. /run/host is the host's root itself (bind mount).
P_HOST=/run/host

# p_snapshot FILE: every path on the root filesystem, except what changes on its own
# (logs, package manager state and caches, scratch, the test's own work trees). Paths
# that vanish while find walks (other suites at work) are not errors.
p_snapshot() {
	date +%s >"$1.time"
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
		-o -path /var/tmp -o -path /work -o -path /var/log -o -path /var/lib/dpkg \
		-o -path /var/lib/apt -o -path /var/cache/apt -o -path /var/cache/debconf \
		-o -path /var/cache/man -o -path /var/cache/ldconfig -o -path /root/.cache \
		-o -path /root/.rpmdb -o -path "$CK_TEST_STATE" -o -path /var/lib/rpm -o -path /var/cache/ceph-kmod \) -prune \
		-o -print 2>/dev/null | LC_ALL=C sort >"$1" || true
}

# p_listing_diff BEFORE AFTER: paths listed in only one of the two snapshots ("-" gone,
# "+" new), except those the host itself shows the same way now (changed on the host by
# another suite during the run, seen through the overlay): a file we left behind is not
# on the host; one we wrongly deleted still is.
p_listing_diff() {
	local line p host_has
	diff "$1" "$2" | grep '^[<>] ' | while IFS= read -r line; do
		p=${line:2}
		host_has=0
		[[ -e "$P_HOST$p" || -L "$P_HOST$p" ]] && host_has=1
		if [[ "${line:0:1}" == '>' ]]; then
			((host_has)) || printf '+%s ' "$p"
		else
			((host_has)) && printf -- '-%s ' "$p"
		fi
	done
	return 0
}

# p_host_new_since FILE PATH: PATH exists on the host too and was created or changed
# there after the snapshot FILE was taken (another suite's work, not ours).
p_host_new_since() {
	local t
	t=$(cat "$1.time")
	[[ -e "$P_HOST$2" || -L "$P_HOST$2" ]] && (($(stat -c %Y "$P_HOST$2" 2>/dev/null || echo 0) >= t))
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

# In the chroot: a machine without ceph-kmod. Whatever a package, an earlier run or a
# by-hand install (make install-package) left goes; the MOK key pair stays, and so does
# the source cache (extracting the kernel sources again would only cost time: the
# snapshots leave it out and the tests check that purge removes it).
p_clean_machine() {
	local k d
	if dpkg -s ceph-kmod-dkms >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get -y -q purge ceph-kmod-dkms ceph-kmod >/dev/null
	fi
	if [[ -x /usr/sbin/ceph-kmod-install ]]; then /usr/sbin/ceph-kmod-install --remove >/dev/null 2>&1 || true; fi
	rm -rf /etc/ceph-kmod /etc/dkms/framework.conf.d/ceph-kmod.conf /usr/src/ceph-kmod-* \
		/var/lib/dkms/ceph-kmod /var/lib/ceph-kmod /etc/depmod.d/ceph-kmod.conf /usr/sbin/ceph-kmod \
		/usr/share/man/man8/ceph-kmod.8 /etc/kernel/*.d/ceph-kmod /etc/kernel/install.d/50-ceph-kmod.install \
		/etc/apt/apt.conf.d/80ceph-kmod
	# Module files a by-hand install or an interrupted run may have left.
	for d in /lib/modules/*/; do
		rm -f "$d"updates/dkms/{libceph,rbd,ceph,nbd}.ko* "$d"extra/{libceph,rbd,ceph,nbd}.ko*
		rm -rf "$d"updates/ceph-kmod "$d"ceph-kmod-sets
		rmdir "$d"updates/dkms "$d"updates "$d"extra 2>/dev/null || true
	done
	for k in "$@"; do depmod -a "$k" 2>/dev/null || true; done
}

# p_assert_version_everywhere V KVER...: every kernel has our full, verified set of V.
p_assert_version_everywhere() {
	local v=$1 k st
	shift
	for k in "$@"; do
		b_assert_installed "$k"
		t_eq "$k: dkms has ceph-kmod $v installed" "$v" "$(p_dkms_version "$k")"
		st=$(ceph-kmod status -v 2>/dev/null | awk -v k="kernel $k" '$0 == k {on=1; next} /^kernel / {on=0} on')
		t_eq "$k: ceph-kmod status agrees with dkms (4 modules ours, version $v)" "4 4" \
			"$(grep -c 'modprobe: .*(ours)' <<<"$st") $(grep -cE "^ +version +$(t_re "$v")\$" <<<"$st")"
	done
}

# p_unowned BEFORE AFTER OWNER-CMD...: new files not owned by a package (OWNER-CMD FILE
# exits 0 when a package owns FILE), outside dkms's trees and our run-time state.
p_unowned() {
	local before=$1 after=$2 f
	shift 2
	while IFS= read -r f; do
		[[ -d "$f" && ! -L "$f" ]] && continue
		case "$f" in
		/var/lib/dkms/* | /lib/modules/*/updates/dkms/* | /lib/modules/*/modules.*) continue ;; # dkms's trees, depmod's indexes
		/usr/lib/modules/*/updates/dkms/* | /usr/lib/modules/*/modules.*) continue ;;     # the same, merged /usr
		/lib/modules/*/ceph-kmod-sets/* | /usr/lib/modules/*/ceph-kmod-sets/*) continue ;; # the installed sets dkms's files point to
		/etc/ceph-kmod/* | /var/cache/ceph-kmod/* | /var/lib/ceph-kmod/* | /etc/dkms/framework.conf.d/ceph-kmod.conf) continue ;; # run-time state
		esac
		p_host_new_since "$before" "$f" && continue
		"$@" "$f" >/dev/null 2>&1 || printf '%s ' "$f"
	done < <(comm -13 "$before" "$after")
}

# p_poll_start KVER...: a background loop polls "modinfo -k K -n rbd" for every kernel;
# p_poll_stop (not in a subshell: it waits for the loop) sets P_POLLS (polls done) and
# P_POLL_BAD (the first polls that did not resolve to an existing file of ours: a
# missing file, the in-tree module).
p_poll_start() {
	P_POLL_DIR=$(mktemp -d /var/tmp/ck-poll.XXXXXX)
	(
		while [[ ! -e $P_POLL_DIR/stop ]]; do
			for k in "$@"; do
				f=$(modinfo -k "$k" -n rbd 2>/dev/null || true)
				if [[ ! -f "$f" || ( "$f" != */updates/dkms/* && "$f" != */extra/* ) ]]; then
					printf '%s %s %s\n' "$(date +%T.%N)" "$k" "${f:-none}" >>"$P_POLL_DIR/bad"
				fi
			done
			echo >>"$P_POLL_DIR/n"
			sleep 0.2
		done
	) &
	P_POLL_PID=$!
}
# shellcheck disable=SC2034 # P_POLLS, P_POLL_BAD: read by the cycle scripts
p_poll_stop() {
	touch "$P_POLL_DIR/stop"
	wait "$P_POLL_PID" || true
	P_POLLS=0 P_POLL_BAD=""
	[[ -f "$P_POLL_DIR/n" ]] && P_POLLS=$(wc -l <"$P_POLL_DIR/n")
	[[ -f "$P_POLL_DIR/bad" ]] && P_POLL_BAD=$(head -n 3 "$P_POLL_DIR/bad" | tr '\n' ' ')
	rm -rf "$P_POLL_DIR"
}

# p_fake_devel_rpm KVER OUTDIR: a noarch rpm holding one file under /usr/src/kernels/KVER
# (where kernel-devel puts a kernel's build tree), to fire the file trigger on that path;
# prints its path.
p_fake_devel_rpm() {
	local kver=$1 out=$2 top
	top=$(mktemp -d)
	mkdir -p "$top/SPECS" "$out"
	cat >"$top/SPECS/ck-test-kernel-devel.spec" <<SPEC
Name: ck-test-kernel-devel
Version: 1.0
Release: 1
Summary: One file under /usr/src/kernels/$kver (ceph-kmod file-trigger test)
License: GPL-2.0-only
BuildArch: noarch
%description
Fires ceph-kmod-dkms's file trigger on /usr/src/kernels in the package tests.
%install
mkdir -p %{buildroot}/usr/src/kernels/$kver
echo ceph-kmod-test >%{buildroot}/usr/src/kernels/$kver/ck-trigger-test
%files
%dir /usr/src/kernels
%dir /usr/src/kernels/$kver
/usr/src/kernels/$kver/ck-trigger-test
SPEC
	rpmbuild -bb --quiet --define "_topdir $top" --define "_rpmdir $out" --define '_build_id_links none' \
		"$top/SPECS/ck-test-kernel-devel.spec" >/dev/null 2>&1 || { rm -rf "$top"; return 1; }
	rm -rf "$top"
	find "$out" -name 'ck-test-kernel-devel-1.0-1.noarch.rpm' | head -n1
}
