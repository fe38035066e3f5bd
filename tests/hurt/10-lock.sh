#!/usr/bin/env bash
# The lock: in a root-owned directory nobody else can write; an unprivileged user
# can neither create nor hold it; an unsafe lock directory is refused; a waiting
# run names the holder (pid, command, since).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-hurt.sh"

lock=$(ck_lock_file)
dir=$(dirname "$lock")
work=$(mktemp -d /var/tmp/ck-hurt-lock.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"

# Make sure the real lock exists (any entry point creates it).
ceph-kmod-install --no-wait --retry-pending >/dev/null 2>&1 || true
t_eq "lock directory $dir is root-owned, mode 755" "0 755" "$(stat -c '%u %a' "$dir")"
t_eq "lock file $lock is root-owned, mode 600" "0 600" "$(stat -c '%u %a' "$lock")"
fails() { ! "$@" >/dev/null 2>&1; }
t_check "user nobody cannot create a file in $dir" fails runuser -u nobody -- sh -c "echo x >'$dir/lock.nobody'"
t_check "user nobody cannot open (so cannot hold) $lock" fails runuser -u nobody -- flock -n "$lock" true
t_check "user nobody cannot move the lock directory away" fails runuser -u nobody -- mv "$dir" "$dir.x"
t_check "the lock directory is still there" test -d "$dir" -a ! -e "$dir/lock.nobody"

# A lock directory another user could write is refused before anything runs.
mkdir -m 1777 "$work/open"
t_expect_exit "a world-writable lock directory is refused (exit 1)" 1 env CEPH_KMOD_LOCK="$work/open/lock" ceph-kmod-install --retry-pending
t_match "the refusal says why and how to fix it" "another user could create or hold the ceph-kmod lock.*fix: rm -rf" "$(tr '\n' ' ' <<<"$T_LAST_OUTPUT")"
mkdir -m 0755 "$work/nobody"
chown nobody "$work/nobody"
t_expect_exit "a lock directory owned by another user is refused (exit 1)" 1 env CEPH_KMOD_LOCK="$work/nobody/lock" ceph-kmod-install --retry-pending

# A waiting run names the holder.
mkdir -m 0755 "$work/safe"
export CEPH_KMOD_LOCK=$work/safe/lock
# shellcheck disable=SC2016
CK_PROG=holder-test CK_ARGS="--pretend" setsid bash -c '. "$1/lib/ceph-kmod.sh"; ck_with_lock sleep 30' _ "$CK_TOP" &
holder=$!
for _ in $(seq 50); do [[ -s "$CEPH_KMOD_LOCK.holder" ]] && break; sleep 0.2; done
t_expect_exit "--no-wait while another run holds the lock exits 9" 9 ceph-kmod-install --no-wait --retry-pending
t_match "it names the holder: pid, command, since" "holds .*pid=$holder command=holder-test --pretend since=[0-9]{4}-" "$T_LAST_OUTPUT"
out=$(timeout 2 ceph-kmod-install --retry-pending 2>&1 || true)
t_match "a waiting run says who holds the lock" "waiting for another ceph-kmod run: lock .* held by pid=$holder command=holder-test" "$out"
kill -- "-$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
unset CEPH_KMOD_LOCK
