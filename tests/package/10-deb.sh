#!/usr/bin/env bash
# make deb: the two packages build with debhelper from the dist tarball, lintian
# --fail-on warning is clean, and they hold what the issue asks for.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"

v=$CK_VERSION
debdir=$P_WORK/debs
rm -rf "${debdir:?}/$v"
mkdir -p "$debdir"
make -s -C "$CK_TOP" tool >/dev/null
t_check "make deb ($v)" make -s -C "$CK_TOP" deb PKGOUT="$debdir/$v"
t_check "lintian --fail-on warning is clean" lintian --fail-on warning "$debdir/$v/ceph-kmod_${v}_amd64.changes"
dkms_deb=$debdir/$v/ceph-kmod-dkms_${v}_all.deb
tool_deb=$(compgen -G "$debdir/$v/ceph-kmod_${v}_*.deb" | head -n1)
t_eq "ceph-kmod-dkms is Architecture: all" all "$(dpkg-deb -f "$dkms_deb" Architecture)"
dep=$(dpkg-deb -f "$dkms_deb" Depends)
for d in dkms gcc make openssl ceph-kmod; do
	t_match "ceph-kmod-dkms depends on $d" "(^|, )$(t_re "$d")( |,|$)" "$dep"
done
t_match "ceph-kmod-dkms recommends flavour headers, linux-source, mokutil" \
	'linux-headers-amd64 \| linux-headers-generic.*linux-source.*mokutil' "$(dpkg-deb -f "$dkms_deb" Recommends)"
files=$(dpkg-deb -c "$dkms_deb" | awk '{print $6}')
for f in "./usr/src/ceph-kmod-$v/dkms.conf" ./usr/sbin/ceph-kmod-install ./usr/lib/depmod.d/ceph-kmod.conf; do
	t_match "ceph-kmod-dkms ships $f" "^$(t_re "$f")\$" "$files"
done
t_match "the shipped dkms.conf has the literal version (dh_dkms layout)" "^PACKAGE_VERSION=\"$(t_re "$v")\"\$" \
	"$(dpkg-deb --fsys-tarfile "$dkms_deb" | tar -xOf - "./usr/src/ceph-kmod-$v/dkms.conf")"
t_match "the tool package ships /usr/sbin/ceph-kmod and its man page" 'usr/sbin/ceph-kmod$' "$(dpkg-deb -c "$tool_deb")"
ctl=$(mktemp -d)
dpkg-deb -e "$dkms_deb" "$ctl"
for s in preinst postinst prerm postrm; do
	t_check "the $s is POSIX sh (dash -n)" dash -n "$ctl/$s"
	t_eq "dh_dkms's own $s snippet was dropped" 0 "$(grep -c 'dkms remove\|common.postinst' "$ctl/$s" || true)"
done
t_match "the prerm removes modules only on remove/deconfigure, not on upgrade" '^remove \| deconfigure\)' "$(cat "$ctl/prerm")"
t_eq "ceph-kmod-dkms declares the dpkg trigger interest-noawait /usr/src" "interest-noawait /usr/src" \
	"$(grep -v '^#' "$ctl/triggers" 2>/dev/null)"
t_match "its postinst retries pending kernels when triggered" 'triggered\).*ceph-kmod-install --retry-pending --hook' "$(tr '\n' ' ' <"$ctl/postinst")"
t_eq "the .deb ships no apt Post-Invoke hook (the trigger does that)" "" "$(grep 'apt.conf.d' <<<"$files" || true)"
rm -rf "$ctl"
