#!/usr/bin/env bash
# The main job for the three test kernels, through our entry point and real dkms:
# an interrupted rebuild, two installs at once, the re-run, and what got installed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-build.sh"

k61=$(t_kernel newest61)
k170=$(t_kernel oldest61)
k612=$(t_kernel newest612)
# The oldest ABI is built from the newer 6.1 source through the API probes (the
# riskiest build, and the one the VM suite boots); 40-manual builds its exact source.
newer61=/usr/src/linux-source-6.1.tar.xz
logs=$CK_ARTIFACTS/build-install
mkdir -p "$logs"
new=$(b_work "$k170")/new

# 1. kill -9 in the middle of a rebuild's compile: whatever the kernel had before
#    (a set of ours, or its in-tree modules) is untouched, byte for byte; a re-run works.
before=$(b_snapshot "$k170")
CEPH_KMOD_SOURCE=$newer61 setsid ceph-kmod-install --kernel "$k170" --rebuild >"$logs/killed.log" 2>&1 &
pid=$!
deadline=$((SECONDS + 900))
until compgen -G "$new/libceph/*.o" >/dev/null || ((SECONDS > deadline)); do sleep 1; done
if compgen -G "$new/libceph/*.o" >/dev/null; then
	kill -9 -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	t_pass "killed ceph-kmod-install for $k170 with -9 mid-compile"
else
	t_fail "the build for $k170 never started compiling (see $logs/killed.log)"
	kill -9 -- "-$pid" 2>/dev/null || true
fi
t_eq "$k170: after the kill, modprobe resolves the same files with the same sha256" "$before" "$(b_snapshot "$k170")"

# 2. Two installs at once through our entry point: the second waits for the lock
#    and names its holder; a third with --no-wait fails at once with exit 9.
ceph-kmod-install --kernel "$k61" --rebuild >"$logs/$k61.log" 2>&1 &
pa=$!
sleep 3
ceph-kmod-install --kernel "$k612" --rebuild >"$logs/$k612.log" 2>&1 &
pb=$!
sleep 2
t_expect_exit "a third run with --no-wait while locked exits 9" 9 ceph-kmod-install --no-wait --kernel "$k61"
t_match "--no-wait names the holder (pid, command, since)" "held|holds .*pid=[0-9]+ command=ceph-kmod-install .* since=20" "$T_LAST_OUTPUT"
rca=0 rcb=0
wait "$pa" || rca=$?
wait "$pb" || rcb=$?
t_eq "concurrent install for $k61 exits 0" 0 "$rca"
t_eq "concurrent install for $k612 exits 0" 0 "$rcb"
t_match "the second run waited for the lock and said who holds it" "waiting for another ceph-kmod run: lock .* held by pid=$pa " "$(cat "$logs/$k612.log")"

# 3. The re-run after the kill, from the newer 6.1 source through the API probes.
#    --rebuild: the set installed before may come from the exact 6.1.170 source (once
#    fetched into the cache it wins the match) and would be "up to date".
t_expect_exit "re-run for $k170 after the kill succeeds" 0 env CEPH_KMOD_SOURCE="$newer61" ceph-kmod-install --kernel "$k170" --rebuild
printf '%s\n' "$T_LAST_OUTPUT" >"$logs/$k170.log"

for k in "$k61" "$k612" "$k170"; do
	b_assert_installed "$k"
done
src=$(modinfo -F ceph_kmod_source -k "$k170" rbd 2>/dev/null || true)
t_match "$k170 built from the newer 6.1 source: package, version, path, sha256 ($src)" \
	'^linux-source-6\.1\.tar\.xz 6\.1\.[0-9]+ \(newer match for 6\.1\.[0-9]+\); package linux-source-6\.1 [^;]+; path /usr/src/linux-source-6\.1\.tar\.xz; sha256 [0-9a-f]{64}$' "$src"
t_eq "$k170 libceph records both compat adaptations" '!HAVE_SOCK_USE_TASK_FRAG,!HAVE_CRYPTO_KRB5' "$(modinfo -F ceph_kmod_compat -k "$k170" libceph)"
t_eq "$k170 nbd records the compat adaptation" '!HAVE_SOCK_USE_TASK_FRAG' "$(modinfo -F ceph_kmod_compat -k "$k170" nbd)"
t_eq "$k170 rbd: no compat patch touched its files" none "$(modinfo -F ceph_kmod_compat -k "$k170" rbd)"
t_eq "$k61 libceph needs only the crypto/krb5 compat (aes256k)" '!HAVE_CRYPTO_KRB5' "$(modinfo -F ceph_kmod_compat -k "$k61" libceph)"
for k in "$k61" "$k612" "$k170"; do
	t_eq "$k libceph accepts aes and aes256k keys (ceph_kmod_key_types)" 'aes,aes256k' "$(modinfo -F ceph_kmod_key_types -k "$k" libceph)"
	t_eq "$k rbd has no key types field" '' "$(modinfo -F ceph_kmod_key_types -k "$k" rbd)"
done
t_match "$k61 nbd carries both nbd backports" '0001-nbd-factor-out-nbd_get_config_unlocked.*0002-nbd-fix-null-ptr-deref-accessing-config' "$(modinfo -F ceph_kmod_patches -k "$k61" nbd)"
for m in rbd libceph ceph; do
	p=$(modinfo -F ceph_kmod_patches -k "$k61" "$m")
	if grep -q nbd <<<"$p"; then t_fail "$k61 $m names an nbd patch ($p)"; else t_pass "$k61 $m names no nbd patch ($p)"; fi
done
t_match "$k612 modules follow the kernel's .ko.xz convention" '\.ko\.xz$' "$(modinfo -k "$k612" -n rbd)"

# 4. Everything up to date: the main job only checks (the benchmark times it).
t_expect_exit "re-running the main job with every kernel up to date exits 0" 0 ceph-kmod-install
for k in "$k61" "$k612" "$k170"; do
	t_match "$k reported up to date" "kernel $(t_re "$k"): ceph-kmod .* is up to date" "$T_LAST_OUTPUT"
done
