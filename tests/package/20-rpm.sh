#!/usr/bin/env bash
# make rpm / make srpm, rpmlint, the packages' requires and scriptlets (POSIX sh: Debian's
# rpm runs them with dash).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../build/lib-build.sh"
. "$(dirname "$0")/lib-package.sh"

v=$CK_VERSION
rpmdir=$P_WORK/rpms
rm -rf "${rpmdir:?}/$v"
mkdir -p "$rpmdir"
arch=$(uname -m)

t_check "make rpm ($v)" make -s -C "$CK_TOP" rpm PKGOUT="$rpmdir/$v"
t_check "make srpm ($v)" make -s -C "$CK_TOP" srpm PKGOUT="$rpmdir/$v"
t_check "rpmlint is clean (binary and source packages; packaging/rpm/rpmlint.toml says why each filter)" \
	bash -c "rpmlint -c '$CK_TOP/packaging/rpm/rpmlint.toml' '$rpmdir/$v'/*.rpm 2>&1 | tee /dev/stderr | grep -q ' 0 errors, 0 warnings'"
dkms_rpm=$rpmdir/$v/ceph-kmod-dkms-$v-1.noarch.rpm
tool_rpm=$rpmdir/$v/ceph-kmod-$v-1.$arch.rpm
t_eq "ceph-kmod-dkms is noarch, the tool $arch" "noarch $arch" \
	"$(rpm -qp --qf '%{ARCH}' "$dkms_rpm") $(rpm -qp --qf '%{ARCH}' "$tool_rpm")"
req=$(rpm -qp --requires "$dkms_rpm" | awk '{print $1}' | sort -u | tr '\n' ' ')
for r in ceph-kmod dkms kernel-devel gcc make openssl mokutil; do
	t_match "ceph-kmod-dkms requires $r" "(^| )$(t_re "$r")( |$)" "$req"
done
scripts=$(rpm -qp --scripts "$dkms_rpm")
for s in preinstall postinstall preuninstall postuninstall; do
	t_match "ceph-kmod-dkms has a $s scriptlet run by /bin/sh" "^$s scriptlet \(using /bin/sh\)" "$scripts"
done
for tag in PREIN POSTIN PREUN POSTUN; do
	body=$(rpm -qp --qf "%{$tag}" "$dkms_rpm")
	t_check "the $tag scriptlet is POSIX sh (dash -n)" dash -n -c "$body"
done
t_match "%post calls pkg-hook configure, which runs ceph-kmod-install" "packaging/pkg-hook configure" "$scripts"
# shellcheck disable=SC2016 # a literal $1 of the scriptlet
t_match "%preun removes only on erase (\$1 = 0)" 'if \[ "\$1" -eq 0 \]; then' "$scripts"

ftrig=$(rpm -qp --filetriggers "$dkms_rpm")
t_match "ceph-kmod-dkms has a file trigger on /usr/src/kernels (kernel-devel) that builds that kernel" \
	'transfiletriggerin scriptlet \(using /bin/sh\) -- /usr/src/kernels.*ceph-kmod-install --hook --kernel' "$(tr '\n' ' ' <<<"$ftrig")"
t_match "... and one on /usr/src that retries pending kernels" \
	'transfiletriggerin scriptlet \(using /bin/sh\) -- /usr/src( |$).*ceph-kmod-install --retry-pending --hook' "$(tr '\n' ' ' <<<"$ftrig")"
t_check "the file triggers are POSIX sh (dash -n)" dash -n -c "$(sed '/^transfiletrigger/d' <<<"$ftrig")"
