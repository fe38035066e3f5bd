#!/usr/bin/env bash
# Debian 13 (trixie) as a user meets it, in a trixie root (tests/trixie/lib/trixie-cache,
# made once per machine with mmdebstrap; the host's apt sources are never touched) seen
# through a copy-on-write overlay, so each run starts from the same root:
# the README's ./setup on a copy of this checkout (trixie's dkms, gcc, debhelper/dh-dkms:
# the .deb built there and installed with apt, trixie's kernel built), an upgrade to a higher
# version, the trixie-backports Linux 7.x headers and source installed with apt (the kernel
# hook builds it), `ceph-kmod status` for both kernels (every module ours, of one build,
# verified), then purge (nothing of ours left). The verified sets are kept in
# $CK_TEST_STATE/trixie/sets/KVER for the aes256k suite's Debian 13 guests.
# shellcheck source=../lib.sh disable=SC2016
. "$(dirname "$0")/../lib.sh"
set -euo pipefail

T_DIR=$CK_TEST_STATE/trixie
CACHE_TOOL=$CK_TOP/tests/trixie/lib/trixie-cache

# overlay_run ROOT RUNDIR CMD...: CMD chrooted in an overlay of ROOT (upper layer in RUNDIR),
# with /proc /sys /dev bound, a fresh /run and /tmp, and $T_DIR at /run/ck-export.
overlay_run() {
	local root=$1 run=$2
	shift 2
	unshare -m --propagation private bash -euo pipefail -c '
		root=$1 run=$2 export=$3; shift 3
		mkdir -p "$run/upper" "$run/work" "$run/mnt"
		mount -t overlay ck-trixie -o "lowerdir=$root,upperdir=$run/upper,workdir=$run/work" "$run/mnt"
		cp /etc/resolv.conf "$run/mnt/etc/resolv.conf"
		mount --rbind /proc "$run/mnt/proc"
		mount --rbind /sys "$run/mnt/sys"
		mount --rbind /dev "$run/mnt/dev"
		mount -t tmpfs -o mode=0755 ck-run "$run/mnt/run"
		mkdir -p "$run/mnt/run/lock" "$run/mnt/run/ck-export"
		mount --bind "$export" "$run/mnt/run/ck-export"
		mount -t tmpfs -o mode=1777 ck-tmp "$run/mnt/tmp"
		exec chroot "$run/mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 CK_TEST_STATE=/var/tmp/ceph-kmod-tests "$@"
	' overlay_run "$root" "$run" "$T_DIR" "$@"
}

main() {
	local t0=$SECONDS out rc=0 root run k
	if ((EUID != 0)); then
		t_skip "trixie (needs root: mmdebstrap, overlay mounts, chroot)"
		return 0
	fi
	for k in mmdebstrap unshare git; do
		command -v "$k" >/dev/null || { t_skip "trixie ($k not installed: tests/install-deps)"; return 0; }
	done
	out=$("$CACHE_TOOL" root 2>&1) || rc=$?
	if ((rc != 0)); then
		t_fail "Debian 13 root (trixie-cache root exited $rc: $(tail -n 2 <<<"$out" | tr '\n' ' '))"
		return 0
	fi
	root=$(tail -n 1 <<<"$out")
	t_setup "Debian 13 root ready: $root ($((SECONDS - t0))s; kernels $(cat "$root/.kernel-trixie") and $(cat "$root/.kernel-backports"))"
	rm -rf "$T_DIR/sets" "$T_DIR/run" "$T_DIR/logs"
	mkdir -p "$T_DIR/sets" "$T_DIR/run"
	cp "$root/.kernel-trixie" "$T_DIR/kernel-trixie"
	cp "$root/.kernel-backports" "$T_DIR/kernel-backports"
	"$CACHE_TOOL" copy-checkout "$T_DIR/run/upper/root/ceph-kmod"
	rc=0
	overlay_run "$root" "$T_DIR/run" bash /root/ceph-kmod/tests/trixie/lib/in-root.sh \
		>"$CK_ARTIFACTS/trixie.log" 2>&1 || rc=$?
	grep -E '^(PASS|FAIL|SKIP|SETUP): ' "$CK_ARTIFACTS/trixie.log" | tee -a "$CK_TEST_RESULTS" >/dev/null || true
	grep -E '^(PASS|FAIL|SKIP|SETUP): |^trixie:' "$CK_ARTIFACTS/trixie.log" || true
	((rc == 0)) || t_fail "the Debian 13 run exited $rc (log: $CK_ARTIFACTS/trixie.log)"
	rm -rf "$T_DIR/run"
	echo "trixie suite: $((SECONDS - t0))s"
}

main "$@"
