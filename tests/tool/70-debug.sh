#!/usr/bin/env bash
# `ceph-kmod debug` against a directory tree given as CEPH_KMOD_SYSROOT (path injection:
# the tool reads and writes ROOT/proc/..., ROOT/sys/..., ROOT/run/..., ROOT/etc/...), so
# nothing here touches this host's kernel knobs. A plain file stands in for the control
# file: the queries the tool writes are appended to it and checked here. What the kernel
# does with them is proven in the QEMU guest (tests/debug). Also: the debug unit tests
# under ASan+UBSan, and `collect` under ASan and valgrind with hostile key material.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

tool_build
asan_build
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
export ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=98
KEY=AQBKSGNlAAAAABAAoKGio6SlpqeoqaqrrK2urw==

rc=0
out=$("$CK_TOP/tool/build-asan/debug-tests" 2>&1) || rc=$?
t_eq "debug unit tests under ASan+UBSan exit 0" 0 "$rc"
t_match "debug unit tests under ASan: all passed" 'debug unit: [0-9]+ passed, 0 failed' "$out"

# mkroot DIR: a fake system: libceph and rbd loaded, nbd and ceph not.
mkroot() {
	local r=$1
	mkdir -p "$r/proc/dynamic_debug" "$r/proc/sys/kernel/random" "$r/sys/module/rbd" \
		"$r/sys/module/libceph" "$r/etc/modprobe.d" "$r/boot" "$r/dev" "$r/etc/ceph"
	cat >"$r/proc/dynamic_debug/control" <<-'EOF'
	# filename:lineno [module]function flags format
	drivers/block/rbd.c:100 [rbd]rbd_add =_ "rbd_add %s\012"
	drivers/block/rbd.c:200 [rbd]rbd_dev_create =_ "create %p\012"
	drivers/block/rbd.c:300 [rbd]rbd_img_request =pf "img %p\012"
	net/ceph/osd_client.c:55 [libceph]__submit_request =_ "req %p\012"
	EOF
	echo 7a1d-boot-1 >"$r/proc/sys/kernel/random/boot_id"
	printf '4\t4\t1\t7\n' >"$r/proc/sys/kernel/printk"
	echo "CONFIG_DYNAMIC_DEBUG=y" >"$r/boot/config-fake"
}
ck() { CEPH_KMOD_SYSROOT=$root CEPH_KMOD_RUNNING_KERNEL=fake CEPH_KMOD_MODULES_ROOT=$root/lib/modules "$asan_tool" debug "$@"; }

root=$w/r1
mkroot "$root"
ctl=$root/proc/dynamic_debug/control
state=$root/run/ceph-kmod/debug-state
t_expect_exit "debug on rbd: exit 0" 0 ck on rbd
t_eq "debug on rbd: one query, module rbd +p" "module rbd +p" "$(tail -n 1 "$ctl")"
t_check "debug on rbd: state saved 0600 with boot id before the write" \
	bash -c "[[ \$(stat -c %a '$state') == 600 ]] && grep -qx 'boot_id 7a1d-boot-1' '$state' && grep -q \$'^site rbd\\trbd_img_request\\t300\\tpf\$' '$state'"
t_eq "debug on without --level leaves the console level alone" $'4\t4\t1\t7' "$(cat "$root/proc/sys/kernel/printk")"
cp "$state" "$w/state.1"
t_expect_exit "debug on rbd --level 8 --func rbd_add: exit 0" 0 ck on rbd --level 8 --func rbd_add
t_eq "debug on --func: the query names the function" "module rbd func rbd_add +p" "$(tail -n 1 "$ctl")"
t_eq "debug on --level 8 writes the console level" "8" "$(tail -n 1 "$root/proc/sys/kernel/printk")"
t_check "second debug on keeps the first saved callsites (saved once per boot)" \
	bash -c "diff <(grep '^site' '$w/state.1') <(grep '^site' '$state') && grep -qx 'console_loglevel 4' '$state'"
t_expect_exit "debug on nbd (not loaded): exit 2" 2 ck on nbd
t_match "debug on nbd: says it is not loaded and how to fix" 'module nbd is not loaded.*modprobe nbd' "$T_LAST_OUTPUT"
t_expect_exit "debug on foo: usage error 64" 64 ck on foo
t_expect_exit "debug on --func 'a;module x +p': refused (64)" 64 ck on rbd --func 'a;module x +p'
t_expect_exit "debug on --level 9: refused (64)" 64 ck on rbd --level 9
t_expect_exit "debug status: exit 0" 0 ck status
t_match "debug status: rbd callsites and saved state" 'callsites: 3, printing: 1' "$T_LAST_OUTPUT"
t_expect_exit "debug off: exit 0" 0 ck off
t_eq "debug off: majority flags for the module, then the one differing callsite" \
	$'module rbd =_\nmodule rbd func rbd_img_request line 300 =pf' "$(tail -n 2 "$ctl")"
t_eq "debug off: console level restored" "4" "$(tail -n 1 "$root/proc/sys/kernel/printk")"
t_check "debug off: state removed" test ! -e "$state"
t_expect_exit "debug off again: nothing to restore, exit 0" 0 ck off

# killed after saving the state, before any write: off still restores
rc=0
CEPH_KMOD_DEBUG_KILL_AFTER=0 ck on >/dev/null 2>&1 || rc=$?
t_eq "debug on killed (SIGKILL) before its first write: exit 137" 137 "$rc"
t_check "killed debug on: state already saved" test -s "$state"
t_expect_exit "debug off after the kill: exit 0" 0 ck off
t_match "debug off after the kill: restore queries for libceph and rbd" 'module libceph =_' "$(tail -n 3 "$ctl")"

# --at-load and --persist: files created, removed by off (only ours)
mkdir -p "$root/usr/share/ceph-kmod/rsyslog" "$root/etc/rsyslog.d" "$root/etc/logrotate.d"
cp "$CK_TOP/packaging/rsyslog/ceph-kmod-debug.conf" "$CK_TOP/packaging/rsyslog/ceph-kmod-debug.logrotate" \
	"$root/usr/share/ceph-kmod/rsyslog/"
t_expect_exit "debug on rbd nbd --at-load --persist: exit 0 (nbd at its next load)" 0 ck on rbd nbd --at-load --persist
t_check "--at-load: modprobe.d file with dyndbg=+p for rbd and nbd" \
	grep -qx 'options nbd dyndbg=+p' "$root/etc/modprobe.d/ceph-kmod-debug.conf"
t_check "--persist: rsyslog drop-in enabled (symlink to the shipped file)" \
	test "$(readlink "$root/etc/rsyslog.d/60-ceph-kmod-debug.conf")" = /usr/share/ceph-kmod/rsyslog/ceph-kmod-debug.conf
t_check "--persist: logrotate file copied to /etc/logrotate.d" \
	cmp "$root/etc/logrotate.d/ceph-kmod-debug" "$CK_TOP/packaging/rsyslog/ceph-kmod-debug.logrotate"
t_expect_exit "debug off removes them" 0 ck off
t_check "debug off: modprobe.d file, rsyslog link and logrotate copy gone" \
	test ! -e "$root/etc/modprobe.d/ceph-kmod-debug.conf" -a ! -L "$root/etc/rsyslog.d/60-ceph-kmod-debug.conf" \
	-a ! -e "$root/etc/logrotate.d/ceph-kmod-debug"
echo "options rbd something" >"$root/etc/modprobe.d/ceph-kmod-debug.conf"
t_expect_exit "--at-load refuses to overwrite a file it did not write" 1 ck on rbd --at-load
ck off >/dev/null 2>&1 || true
t_check "debug off leaves a modprobe.d file it did not write" test -e "$root/etc/modprobe.d/ceph-kmod-debug.conf"

# no dynamic debug; debugfs only under lockdown; debugfs only without lockdown
root=$w/r2
mkroot "$root"
rm "$root/proc/dynamic_debug/control"
echo "# CONFIG_DYNAMIC_DEBUG is not set" >"$root/boot/config-fake"
t_expect_exit "kernel without CONFIG_DYNAMIC_DEBUG: exit 3" 3 ck on rbd
t_match "without CONFIG_DYNAMIC_DEBUG: the reason" 'built without CONFIG_DYNAMIC_DEBUG' "$T_LAST_OUTPUT"
mkdir -p "$root/sys/kernel/debug/dynamic_debug" "$root/sys/kernel/security"
echo "# control" >"$root/sys/kernel/debug/dynamic_debug/control"
echo "none [integrity] confidentiality" >"$root/sys/kernel/security/lockdown"
t_expect_exit "only debugfs control under lockdown: exit 3" 3 ck on rbd
t_match "under lockdown: says lockdown refuses debugfs writes" "lockdown is 'integrity'" "$T_LAST_OUTPUT"
echo "[none] integrity confidentiality" >"$root/sys/kernel/security/lockdown"
t_expect_exit "only debugfs control without lockdown: used (exit 0)" 0 ck on rbd
t_eq "debugfs control got the query" "module rbd +p" "$(tail -n 1 "$root/sys/kernel/debug/dynamic_debug/control")"
ck off >/dev/null

# collect: hostile key material everywhere, archive 0600, nothing of the key left
root=$w/r3
mkroot "$root"
d=$root/sys/kernel/debug/ceph/fsid-1.client4100
mkdir -p "$d" "$root/sys/bus/rbd/devices/0" "$root/sys/block/nbd0" "$root/sys/module/nbd/parameters"
printf 'REQUESTS 1 homeless 0\n1234\tosd0\t1.2\t[0]/0\te0\trbd_data.1\t0x400024\t1\twrite\nLINGER REQUESTS\nBACKOFFS\n' >"$d/osdc"
printf 'name=admin,secret=%s,ms_mode=crc\n' "$KEY" >"$d/client_options"
printf '127.0.0.1:6789 name=admin,secret=%s rbd img -\n' "$KEY" >"$root/sys/bus/rbd/devices/0/config_info"
echo rbd >"$root/sys/bus/rbd/devices/0/pool"
echo 1234 >"$root/sys/block/nbd0/pid"
echo 16 >"$root/sys/module/nbd/parameters/nbds_max"
hex=$(base64 -d <<<"$KEY" | od -An -tx1 -v | tr -d ' \n')
{
	printf '6,1,1000,-;libceph: mon0 (1)127.0.0.1:6789 session established\n'
	printf '4,2,2000,-;hostile ceph: mount -o secret=%s\n' "$KEY"
	printf '4,3,3000,-;hostile split %s\n' "${KEY:0:17}"
	printf '4,4,4000,-;%s and more\n' "${KEY:17}"
	printf '4,5,5000,-;hostile url %s\n' "$(tr '+/' '-_' <<<"${KEY%%=*}")"
	printf '4,6,6000,-;hostile hex %s %s\n' "$hex" "${hex^^}"
	printf '4,7,7000,-;%s\n' "$(head -c 300000 /dev/zero | tr '\0' 'A')AQ"
} >"$root/dev/kmsg"
printf '[client.other]\n\tkey = AQBLSGNlAAAAABAAsLGys7S1tre4ubq7vL2+vw==\n' >"$root/etc/ceph/ceph.client.other.keyring"
printf 'also the other key: AQBLSGNlAAAAABAAsLGys7S1tre4ubq7vL2+vw\n' >>"$root/proc/cmdline"
umask_old=$(umask)
umask 000
t_expect_exit "debug collect -o in a fake root: exit 0" 0 ck collect -o "$w/report.tar.gz"
umask "$umask_old"
t_eq "collect: archive mode 0600 (umask 000)" 600 "$(stat -c %a "$w/report.tar.gz")"
t_expect_exit "collect refuses to overwrite an existing file: exit 1" 1 ck collect -o "$w/report.tar.gz"
mkdir -p "$w/x"
t_check "collect: a valid tar.gz" tar -xzf "$w/report.tar.gz" -C "$w/x"
t_check "collect: osdc, client_options, rbd config_info, nbd state, kernel log, modinfo" bash -c "cd '$w/x'/report && \
	test -s ceph-debugfs/fsid-1.client4100/osdc -a -s rbd/0/config_info -a -s nbd/nbd0/pid -a -s kernel-log.txt \
	-a -s modules/rbd.txt -a -s kernel.txt -a -s MANIFEST.txt -a -s nbd/parameters/nbds_max"
t_check "collect: kernel log records formatted with their time" grep -q '^\[    0.001000\] libceph: mon0' "$w/x/report/kernel-log.txt"
t_check "collect: secret= in config_info shows [REDACTED]" grep -q 'secret=\[REDACTED\] rbd img' "$w/x/report/rbd/0/config_info"
t_check "collect: no 8-byte run of either key (base64, URL-safe, raw, hex, HEX) in the extracted files" \
	python3 - "$w/x" "$KEY" AQBLSGNlAAAAABAAsLGys7S1tre4ubq7vL2+vw== <<'PY'
import base64, os, sys
grams = set()
for key in sys.argv[2:]:
    raw = base64.b64decode(key)
    for f in (key.encode(), key.replace("+", "-").replace("/", "_").encode(), raw,
              raw.hex().encode(), raw.hex().upper().encode()):
        grams.update(f[i:i + 8] for i in range(len(f) - 7))
bad = 0
for d, _, names in os.walk(sys.argv[1]):
    for n in names:
        data = open(os.path.join(d, n), "rb").read()
        for i in range(len(data) - 7):
            if data[i:i + 8] in grams:
                print("leak in", n, data[max(0, i - 10):i + 18]); bad = 1; break
sys.exit(bad)
PY
if command -v valgrind >/dev/null; then
	rc=0
	out=$(CEPH_KMOD_SYSROOT=$root CEPH_KMOD_RUNNING_KERNEL=fake CEPH_KMOD_MODULES_ROOT=$root/lib/modules \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$CK_TOOL" debug collect -o "$w/report2.tar.gz" 2>&1) || rc=$?
	t_eq "valgrind: debug collect clean" 0 "$rc"
	if ((rc == 99)); then printf '%s\n' "$out" | tail -n 30; fi
else
	t_skip "valgrind not installed"
fi
