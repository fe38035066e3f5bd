# shellcheck shell=bash
# Guest job of tests/backports/aes256k-selftest.sh: load our libceph.ko (from the 9p share
# "ours") after its in-tree dependencies, and leave what the host checks in /run/ck:
# results (key=value lines) and, through guest-init.sh, dmesg.txt. With a cluster, also try
# an aes key and an aes256k key (see below).
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
((rc == 0)) || exit "$rc"

# With a cluster (CK_MON1 set in /run/ck/env.sh): map through /sys/bus/rbd/add_single_major once with the
# cluster's aes key and once with a made-up aes256k key (CK_AES256K_KEY). The image does not
# exist: what counts is how far authentication gets (the kernel log, checked by the host).
[[ -r /run/ck/env.sh ]] || exit 0
# shellcheck source=/dev/null
. /run/ck/env.sh
[[ -n "${CK_MON1:-}" ]] || exit 0
r=$(find /run/ck-share/ours -maxdepth 2 -name 'rbd.ko*' | head -n 1)
insmod "$r" || { echo "rbd_insmod=failed" >>"$out"; exit 1; }
for p in $CK_PORTS; do
	socat "TCP-LISTEN:$p,bind=127.0.0.1,reuseaddr,fork" "TCP:10.0.2.2:$p" </dev/null >/dev/null 2>&1 &
done
sleep 2
map() {
	local tag=$1 key=$2 rc=0
	echo "ck-aes256k: map with the $tag key" >/dev/kmsg
	timeout 60 sh -c "echo '$CK_MON1 name=admin,secret=$key,mount_timeout=20 rbd ck-aes256k-none -' >/sys/bus/rbd/add_single_major" 2>>/run/ck/map.err || rc=$?
	echo "map_$tag=$rc" >>"$out"
}
map aes "$(cat /run/ck/admin.key)"
map aes256k "$CK_AES256K_KEY"
exit 0
