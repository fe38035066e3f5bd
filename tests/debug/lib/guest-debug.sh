#!/bin/bash
# Guest job of the debug suite (copied to /run/ck/job.sh by tests/debug/10-guest.sh).
#   job.sh / job.sh step NAME / job.sh plan NAME   as tests/vm/lib/guest-e2e.sh
# Steps: onoff (on/off around rbd map, exact read-back), crash (tool killed during `on`),
# collect (report taken during IO, key material absent), notloaded.
# Environment from /run/ck/env.sh: CK_PORTS CK_MON1 CK_IMG CK_STEPS CK_STEP_TIMEOUT.
# The tool under test is /run/ck/ceph-kmod; the cephx key of client.admin /run/ck/admin.key.
set -euo pipefail
shopt -s inherit_errexit

T=/run/ck/ceph-kmod
CTL=/proc/dynamic_debug/control
STATE=/run/ceph-kmod/debug-state
MNT=/run/ck-mnt
PY=/usr/bin/python3

plan() {
	case "$1" in
	notloaded) echo "debug on a module that is not loaded fails with the reason" ;;
	onoff)
		echo "debug on rbd switches every rbd callsite on, nothing else"
		echo "rbd map logs rbd debug lines"
		echo "debug off restores the callsites exactly"
		echo "no rbd debug lines after debug off"
		echo "debug status reports modules and provenance" ;;
	crash)
		echo "debug on killed after its first write, off restores"
		echo "debug on killed at random moments, off restores" ;;
	collect)
		echo "collect during IO: archive is 0600 tar.gz"
		echo "collect: kernel log, rbd attributes, modinfo, kernel facts"
		echo "collect: osdc requests in flight"
		echo "collect: no key material (8-byte runs of base64, raw, hex)" ;;
	*) echo "plan: unknown step $1" >&2; return 2 ;;
	esac
}

# snap: the callsites of the Ceph modules with their flags, in a stable order.
snap() { grep -E ' \[(libceph|rbd|ceph)\]' "$CTL" | sort; }
# debug_lines MARK: kernel log records at level debug from rbd after the line MARK.
debug_lines() {
	dmesg -r | sed -n "/$1/,\$p" | grep -cE '^<7>\[[^]]*\] rbd: ' || true
}
mark() { echo "$1" >/dev/kmsg; }
# kmap: maps $CK_IMG through the kernel's own interface (fast: no librados start-up
# in the CLI) and prints the rbd id; kunmap ID.
kmap() {
	local before after id
	before=$(ls /sys/bus/rbd/devices)
	echo "$CK_MON1 name=admin,secret=$(cat /run/ck/admin.key) rbd $CK_IMG -" >/sys/bus/rbd/add_single_major
	after=$(ls /sys/bus/rbd/devices)
	for id in $after; do
		[[ " $(tr '\n' ' ' <<<"$before") " == *" $id "* ]] || { echo "$id"; return 0; }
	done
	return 1
}
kunmap() { echo "$1" >/sys/bus/rbd/remove_single_major; }

cleanup() {
	g_cleanup "$MNT"
	"$T" debug off >/dev/null 2>&1 || true
	return 0
}

step_notloaded() {
	local out rc=0
	g_begin "debug on a module that is not loaded fails with the reason"
	[[ ! -d /sys/module/nbd ]] || g_fail "nbd is loaded already"
	out=$("$T" debug on nbd 2>&1) || rc=$?
	((rc == 2)) || g_fail "exit $rc (want 2): $out"
	[[ "$out" == *"module nbd is not loaded"* ]] || g_fail "message: $out"
	[[ ! -e "$STATE" ]] || g_fail "state saved although nothing was done"
	g_ok "exit 2: ${out%%$'\n'*}"
}

step_onoff() {
	local before after func id n out bad
	modprobe -a rbd ceph
	# a non-uniform starting point: one rbd callsite with flag f only (no printing)
	func=$(awk '/ \[rbd\]/ { sub(/.*\[rbd\]/, ""); print $1; exit }' "$CTL")
	echo "module rbd func $func =f" >"$CTL"
	before=$(snap)
	g_rec INFO "rbd callsites" "$(grep -c ' \[rbd\]' "$CTL")"

	g_begin "debug on rbd switches every rbd callsite on, nothing else"
	out=$("$T" debug on rbd)
	g_say "$out"
	bad=$(grep ' \[rbd\]' "$CTL" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^=/) { if ($i !~ /p/) print; break } }')
	[[ -z "$bad" ]] || g_fail "rbd callsites not printing: $(head -n 2 <<<"$bad")"
	# (no `grep | grep -q`: with pipefail the first grep's SIGPIPE would fail the check)
	grep -q " \[rbd\]$func =pf " "$CTL" || g_fail "$func lost its f flag"
	[[ "$(grep -E ' \[(libceph|ceph)\]' <<<"$before")" == "$(snap | grep -E ' \[(libceph|ceph)\]')" ]] ||
		g_fail "libceph/ceph callsites changed"
	[[ -s "$STATE" ]] || g_fail "no saved state $STATE"
	g_ok "${out%%$'\n'*}"

	g_begin "rbd map logs rbd debug lines"
	mark ck-debug-mark-on
	id=$(kmap)
	kunmap "$id"
	n=$(debug_lines ck-debug-mark-on)
	((n > 0)) || g_fail "no rbd debug record in the kernel log after the map"
	g_ok "$n rbd debug records"

	g_begin "debug off restores the callsites exactly"
	out=$("$T" debug off)
	g_say "$out"
	after=$(snap)
	if [[ "$before" != "$after" ]]; then
		diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -n 5 >&2 || true
		g_fail "control file differs from before \`debug on\`"
	fi
	[[ ! -e "$STATE" ]] || g_fail "state file left behind"
	g_ok "$(wc -l <<<"$after") callsites as before"

	g_begin "no rbd debug lines after debug off"
	mark ck-debug-mark-off
	id=$(kmap)
	kunmap "$id"
	n=$(debug_lines ck-debug-mark-off)
	((n == 0)) || g_fail "$n rbd debug records after off"
	g_ok

	g_begin "debug status reports modules and provenance"
	out=$("$T" debug status)
	g_say "$out"
	grep -q '^control file: *\/proc\/dynamic_debug\/control' <<<"$out" || g_fail "control file line"
	grep -q 'saved state: *none' <<<"$out" || g_fail "saved state line"
	grep -qE '^ +callsites: [0-9]+, printing: 0' <<<"$out" || g_fail "callsite counts"
	grep -qE '^ +ours: ' <<<"$out" || g_fail "no ours: line"
	g_ok "$(grep -E '^ +ours:' <<<"$out" | head -n 1 | tr -s ' ')"
}

step_crash() {
	local before after rc i pid
	modprobe -a rbd ceph
	before=$(snap)
	g_begin "debug on killed after its first write, off restores"
	rc=0
	CEPH_KMOD_DEBUG_KILL_AFTER=1 "$T" debug on >/dev/null 2>&1 || rc=$?
	((rc == 137)) || g_fail "the tool was not killed (exit $rc)"
	[[ -s "$STATE" ]] || g_fail "no saved state after the kill"
	[[ "$(snap)" != "$before" ]] || g_fail "nothing was switched on before the kill"
	"$T" debug off >/dev/null
	after=$(snap)
	[[ "$before" == "$after" ]] || g_fail "callsites differ after off"
	[[ ! -e "$STATE" ]] || g_fail "state file left behind"
	g_ok "killed with SIGKILL after libceph was switched on"

	g_begin "debug on killed at random moments, off restores"
	for i in 1 2 3; do
		"$T" debug on >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		"$T" debug off >/dev/null
		after=$(snap)
		[[ "$before" == "$after" ]] || g_fail "round $i: callsites differ after off"
	done
	[[ ! -e "$STATE" ]] || g_fail "state file left behind"
	g_ok "3 rounds"
}

# forms KEY: the base64 key, its URL-safe form, and the hex of the decoded bytes.
step_collect() {
	local key dev id m="$MNT/fs" io1 io2 try out dir hex url n req
	key=$(cat /run/ck/admin.key)
	modprobe -a rbd ceph
	mkdir -p "$m"
	# the kernel's own map interface with secret= (the rbd CLI does not pass it through)
	id=$(kmap)
	dev=/dev/rbd$id
	[[ -b "$dev" ]] || g_fail "no $dev after the map through /sys/bus/rbd/add_single_major"
	mount -t ceph "$CK_MON1:/" "$m" -o "name=admin,secret=$key"
	mountpoint -q "$m"
	hex=$(base64 -d <<<"$key" | od -An -tx1 -v | tr -d ' \n')
	url=$(tr '+/' '-_' <<<"$key")
	(while :; do dd if=/dev/urandom of="$dev" bs=1M count=32 oflag=direct status=none || sleep 1; done) &
	io1=$!
	(while :; do dd if=/dev/zero of="$m/io" bs=1M count=16 conv=fsync status=none || sleep 1; done) &
	io2=$!
	sleep 2

	g_begin "collect during IO: archive is 0600 tar.gz"
	for try in 1 2 3 4 5 6; do
		# hostile copies of the key in the kernel log: whole, split in two records,
		# URL-safe without padding, hex of the decoded bytes
		mark "ck-hostile secret=$key"
		mark "ck-hostile part1 ${key:0:19}"
		mark "ck-hostile part2 ${key:19}"
		mark "ck-hostile url ${url%%=*}"
		mark "ck-hostile hex $hex ${hex^^}"
		out=/run/tmp/report-$try.tar.gz
		"$T" debug collect -o "$out" >/dev/null
		dir=/run/tmp/report-$try
		mkdir -p "$dir"
		tar -xzf "$out" -C "$dir"
		req=$(find "$dir" -path '*ceph-debugfs*' -name osdc -exec awk '/^REQUESTS/ { r = 1; next } /^[A-Z]/ { r = 0 } r { n++ } END { print n + 0 }' {} + | awk '{ s += $1 } END { print s + 0 }')
		((req > 0)) && break
		sleep 1
	done
	kill "$io1" "$io2" 2>/dev/null || true
	wait "$io1" "$io2" 2>/dev/null || true
	[[ "$(stat -c %a "$out")" == 600 ]] || g_fail "mode $(stat -c %a "$out")"
	gzip -t "$out" || g_fail "not gzip"
	g_ok "$out, $(stat -c %s "$out") bytes, try $try"

	g_begin "collect: kernel log, rbd attributes, modinfo, kernel facts"
	for n in kernel-log.txt kernel.txt dynamic-debug.txt modules/rbd.txt modules/libceph.txt MANIFEST.txt; do
		[[ -n "$(find "$dir" -path "*/$n")" ]] || g_fail "no $n"
	done
	[[ -n "$(find "$dir" -path '*/rbd/*/pool')" ]] || g_fail "no rbd device attributes"
	find "$dir" -path '*/rbd/*/config_info' -exec grep -q 'secret=\[REDACTED\]' {} + ||
		g_fail "rbd config_info without secret=[REDACTED]"
	grep -rq 'ck-hostile part1' "$dir" || g_fail "kernel log lacks the test records"
	grep -rqE 'rbd: ' "$dir"/*/kernel-log.txt || g_fail "kernel log lacks rbd records"
	g_ok "$(find "$dir" -type f | wc -l) files"

	g_begin "collect: osdc requests in flight"
	((req > 0)) || g_fail "no request in any osdc file in $try tries"
	g_ok "$req requests"

	g_begin "collect: no key material (8-byte runs of base64, raw, hex)"
	out=$("$PY" - "$key" /run/tmp/report-* <<'PY'
import base64, os, sys
key = sys.argv[1]
raw = base64.b64decode(key)
forms = {"base64": key.encode(), "base64url": key.replace("+", "-").replace("/", "_").encode(),
         "raw": raw, "hex": raw.hex().encode(), "HEX": raw.hex().upper().encode()}
grams = {}
for name, f in forms.items():
    for i in range(len(f) - 7):
        grams[f[i:i + 8]] = name
files = hits = 0
for top in sys.argv[2:]:
    for d, _, names in os.walk(top):
        for n in names:
            p = os.path.join(d, n)
            data = open(p, "rb").read()
            files += 1
            for i in range(len(data) - 7):
                g = data[i:i + 8]
                if g in grams:
                    hits += 1
                    print("LEAK %s at %s:%d (%s)" % (grams[g], p, i, data[max(0, i - 20):i + 28]))
                    break
print("checked %d files" % files)
sys.exit(1 if hits else 0)
PY
	) || g_fail "$(head -n 3 <<<"$out")"
	g_ok "$(tail -n 1 <<<"$out")"
	umount "$m"
	kunmap "$id"
}

run_step() {
	local rc=0
	g_traps
	trap 'rc=$?; ((rc == 0)) || cleanup; exit $rc' EXIT
	case "$1" in
	notloaded) step_notloaded ;;
	onoff) step_onoff ;;
	crash) step_crash ;;
	collect) step_collect ;;
	*) echo "unknown step $1" >&2; return 2 ;;
	esac
}

job_steps() {
	local step
	for step in $CK_STEPS; do
		g_step "$step" "${CK_STEP_TIMEOUT:-240}" bash /run/ck/job.sh step "$step"
	done
}

main() {
	if [[ "${1:-}" == plan ]]; then
		plan "$2"
		return
	fi
	# shellcheck source=/dev/null
	. /run/ck/env.sh
	# shellcheck source=../../vm/lib/guest-lib.sh
	. /run/ck/guest-lib.sh
	g_job_main job_steps "$@"
}

main "$@"
