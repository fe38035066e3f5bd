# shellcheck shell=bash
# Guest job of tests/backports/30-aes256k-selftest.sh: load our libceph.ko (from the 9p share
# "ours") after its in-tree dependencies, and leave what the host checks in /run/ck:
# results (key=value lines) and, through guest-init.sh, dmesg.txt.
set -u
out=/run/ck/results
: >"$out"
f=$(find /run/ck-share/ours -maxdepth 2 -name 'libceph.ko*' | head -n 1)
if [[ -z "$f" ]]; then
	echo "libceph=none" >>"$out"
	exit 1
fi
echo "libceph=$f" >>"$out"
echo "key_types=$(modinfo -F ceph_kmod_key_types "$f")" >>"$out"
for d in $(modinfo -F depends "$f" | tr ',' ' '); do
	modprobe "$d" || echo "dep_failed=$d" >>"$out"
done
rc=0
insmod "$f" || rc=$?
{
	echo "insmod=$rc"
	echo "loaded=$(grep -c '^libceph ' /proc/modules)"
	# the crypto modules the self-test pulled in (hmac, sha512, cts, ...)
	echo "modules=$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
} >>"$out"
exit "$rc"
