#!/usr/bin/env bash
# A kernel arriving through apt, with real apt/dpkg and a real Debian kernel
# package, racing a ceph-kmod-install run:
#  - its build fails for us (its pinned source is not installed): apt-get exits 0,
#    the kernel is pending with its reason and fix, dpkg --audit is clean;
#  - meanwhile "ceph-kmod-install --rebuild" of another kernel ran: both end with
#    one complete, verified set each;
#  - installing the missing source package (a local .deb with Debian's 6.1 source
#    content under /usr/src) builds and installs the pending kernel with no further
#    command: through the ceph-kmod-dkms package's dpkg trigger (interest-noawait
#    /usr/src), or apt's DPkg::Post-Invoke hook on a by-hand install;
#  - the kernel removal hook drops our modules and dkms's records.
# Afterwards the extra packages are purged and the fake source's entry leaves the source
# cache: the host ends as it was.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-hurt.sh"

k61=$(t_kernel newest61)
k170=$(t_kernel oldest61)
# A 6.1 ABI that tests/pick-kernels does not use and that is not installed.
kx=$(apt-cache search --names-only '^linux-headers-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' |
	sed 's/^linux-headers-//' | sort -V | grep -vxF -e "$k61" -e "$k170" | tail -n1)
if [[ -z "$kx" ]]; then
	t_skip "apt-cache lists no third 6.1 kernel ABI"
	exit 0
fi
if dpkg -s "linux-headers-$kx" >/dev/null 2>&1; then
	t_skip "linux-headers-$kx is already installed: not touching it"
	exit 0
fi
work=$(mktemp -d /var/tmp/ck-hurt-apt.XXXXXX)
chmod 0755 "$work"
srcdir=/usr/src/ck-test-linux-source-6.1
pkg=ck-test-linux-source-6.1
logs=$CK_ARTIFACTS/hurt-apt
mkdir -p "$logs"
cleanup() {
	apt-get purge -y -q -o DPkg::Lock::Timeout=600 "linux-headers-$kx" "linux-headers-${kx%-amd64}-common" "$pkg" >"$logs/purge.log" 2>&1 || true
	ceph-kmod-install --forget-kernel "$kx" >/dev/null 2>&1 || true
	[[ -e "/lib/modules/$kx/build" ]] || rm -rf "/lib/modules/$kx"
	rm -rf "$work" "$srcdir"
	# the source cache's copy of the fake package's tree: a later build must never take it
	local m
	for m in $(grep -lx "origin=$srcdir" "$(ck_cache_dir)"/src/*/.ck-source 2>/dev/null || true); do
		rm -rf "${m%/.ck-source}"
	done
}
trap cleanup EXIT
apt_get() {
	env CEPH_KMOD_CONF="$work/ceph-kmod.conf" DEBIAN_FRONTEND=noninteractive \
		apt-get -y -q -o DPkg::Lock::Timeout=600 "$@"
}

# The kernel's source is pinned to a directory that no package has installed yet
# (the environment reaches the hooks through apt and dpkg).
cp "$(ck_conf_file)" "$work/ceph-kmod.conf" 2>/dev/null || : >"$work/ceph-kmod.conf"
printf 'SOURCE@%s=%s\n' "$kx" "$srcdir" >>"$work/ceph-kmod.conf"

# The race: a rebuild of $k61 runs while apt installs the new kernel's headers.
prev=$CK_TEST_STATE/hurt-prev-$k61
rm -rf "$prev"
[[ -d "$(b_work "$k61")/out/set" ]] && cp -a "$(b_work "$k61")/out" "$prev"
ceph-kmod-install --rebuild --kernel "$k61" >"$logs/race-$k61.log" 2>&1 &
race=$!
sleep 2
t_expect_exit "apt-get install linux-headers-$kx exits 0 although ceph-kmod cannot build it" 0 \
	apt_get install "linux-headers-$kx"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/install-headers.log"
t_match "the package manager's output says the kernel is not built, why, and the fix" \
	"kernel $(t_re "$kx"): NOT BUILT \(exit 3\).*kernel $(t_re "$kx"): fix: .*recorded as pending" "$(tr '\n' ' ' <<<"$T_LAST_OUTPUT")"
rc=0
wait "$race" || rc=$?
t_eq "the racing ceph-kmod-install --rebuild --kernel $k61 exits 0" 0 "$rc"
t_eq "dpkg --audit is clean" "" "$(dpkg --audit 2>&1)"
t_eq "linux-headers-$kx is configured" "install ok installed" "$(dpkg-query -W -f '${Status}' "linux-headers-$kx")"
t_eq "ceph-kmod status --json: $kx pending with exit 3" 3 "$(CEPH_KMOD_CONF=$work/ceph-kmod.conf h_pending "$kx" code)"
t_match "the pending reason names the missing source" "$srcdir" "$(CEPH_KMOD_CONF=$work/ceph-kmod.conf h_pending "$kx" reason)"
t_match "ceph-kmod status (human) shows the pending kernel and the fix" "pending: +not built \(exit 3\).*fix: " \
	"$(CEPH_KMOD_CONF=$work/ceph-kmod.conf "$CK_TOOL" status "$kx" 2>/dev/null | tr '\n' ' ')"
b_assert_installed "$k61"

# The missing source arrives as a package: Debian's 6.1 source content under /usr/src.
cache=$(grep -lx 'origin=/usr/src/linux-source-6.1.tar.xz' "$(ck_cache_dir)"/src/*/.ck-source | head -n1)
mkdir -p "$work/deb/DEBIAN" "$work/deb$srcdir"
cp -a "${cache%/.ck-source}/." "$work/deb$srcdir/"
rm -f "$work/deb$srcdir/.ck-source"
cat >"$work/deb/DEBIAN/control" <<CTL
Package: $pkg
Version: 1.0
Architecture: all
Maintainer: ceph-kmod tests <root@localhost>
Description: Ceph client paths of Debian's linux-source-6.1 (ceph-kmod test)
CTL
t_check "dpkg-deb builds $pkg" dpkg-deb -Znone --build "$work/deb" "$work/$pkg.deb"
t_expect_exit "apt-get install $pkg exits 0" 0 apt_get install "$work/$pkg.deb"
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/install-source.log"
t_eq "dpkg --audit is clean after the source install" "" "$(dpkg --audit 2>&1)"
t_eq "$pkg is configured (the noawait trigger never leaves it waiting)" "install ok installed" "$(dpkg-query -W -f '${Status}' "$pkg")"
if [[ "$(dpkg-query -W -f '${Status}' ceph-kmod-dkms 2>/dev/null)" == "install ok installed" ]]; then
	t_match "the ceph-kmod-dkms dpkg trigger ran the retry" \
		"Processing triggers for ceph-kmod-dkms .*kernel $(t_re "$kx"): building" "$(tr '\n' ' ' <<<"$T_LAST_OUTPUT")"
fi
t_eq "$kx is no longer pending" "" "$(CEPH_KMOD_CONF=$work/ceph-kmod.conf h_pending "$kx" code)"
b_assert_installed "$kx"
t_match "$kx was built from the pinned source" "path $srcdir; sha256 [0-9a-f]{64}" "$(modinfo -k "$kx" -F ceph_kmod_source rbd 2>/dev/null)"
b_assert_installed "$k61"

# Kernel removal: the prerm.d hook (as the kernel image's prerm runs it).
t_expect_exit "the prerm.d hook exits 0" 0 env DEB_MAINT_PARAMS=remove /etc/kernel/prerm.d/ceph-kmod "$kx"
t_eq "$kx: dkms has no build or install of ours for it any more" "" "$(dkms status -m ceph-kmod -k "$kx" 2>/dev/null | grep -F "$kx")"
t_eq "$kx: no module or set of ours left" "" "$(find "/lib/modules/$kx" \( -name 'ceph-kmod-sets' -o -name 'rbd.ko*' -o -name 'libceph.ko*' \) 2>/dev/null)"
t_expect_exit "the postinst.d hook exits 0 even for a kernel without headers" 0 /etc/kernel/postinst.d/ceph-kmod 0.0.0-ck-none
