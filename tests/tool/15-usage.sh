#!/usr/bin/env bash
# Usage errors: one line on stderr naming what was wrong and where help is, exit 64
# (EX_USAGE), in the C tool and in every shell command we install; --help exits 0.
# The shell commands fail on their arguments before they need root or touch anything.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/common.sh"
set -euo pipefail

tool_build

# usage_error WHAT REGEX CMD...: exit 64, exactly one line of output, matching REGEX.
usage_error() {
	local what=$1 re=$2
	shift 2
	t_expect_exit "$what: exit 64" 64 "$@"
	t_eq "$what: one line" 1 "$(printf '%s\n' "$T_LAST_OUTPUT" | wc -l)"
	t_match "$what: names it and where help is" "$re" "$T_LAST_OUTPUT"
}

usage_error "ceph-kmod (no command)" '^ceph-kmod: no command given \(see: ceph-kmod help\)$' "$CK_TOOL"
usage_error "ceph-kmod bogus" "^ceph-kmod: unknown command 'bogus' \\(see: ceph-kmod help\\)\$" "$CK_TOOL" bogus
usage_error "ceph-kmod help bogus" "^ceph-kmod: help: unknown command 'bogus' \\(see: ceph-kmod help\\)\$" "$CK_TOOL" help bogus
usage_error "ceph-kmod verify --bogus" "^ceph-kmod verify: unknown option '--bogus' \\(see: ceph-kmod help verify\\)\$" "$CK_TOOL" verify --bogus x.ko
usage_error "ceph-kmod verify (no module)" '^ceph-kmod verify: no MODULE given \(see: ceph-kmod help verify\)$' "$CK_TOOL" verify
usage_error "ceph-kmod status --bogus" "^ceph-kmod status: unknown option '--bogus'" "$CK_TOOL" status --bogus
usage_error "ceph-kmod enroll --bogus" "^ceph-kmod enroll: unknown argument '--bogus'" "$CK_TOOL" enroll --bogus
usage_error "ceph-kmod debug (no subcommand)" '^ceph-kmod debug: no subcommand' "$CK_TOOL" debug
usage_error "ceph-kmod debug bogus" "^ceph-kmod debug: unknown subcommand 'bogus'" "$CK_TOOL" debug bogus
usage_error "ceph-kmod debug collect --bogus" "^ceph-kmod debug: collect: bad option or value '--bogus'" "$CK_TOOL" debug collect --bogus
for c in "" verify status enroll debug; do
	# shellcheck disable=SC2086 # "" is no argument: the general page
	t_expect_exit "ceph-kmod help $c: exit 0" 0 "$CK_TOOL" help $c
	t_match "ceph-kmod help $c: a usage page on stdout" '^usage: ceph-kmod' "$T_LAST_OUTPUT"
done
t_expect_exit "ceph-kmod --help: exit 0" 0 "$CK_TOOL" --help

# The shell commands, from this tree.
install=$CK_TOP/bin/ceph-kmod-install
usage_error "ceph-kmod-install --bogus" "^ceph-kmod-install: unknown argument '--bogus' \\(see: .*ceph-kmod-install --help\\)\$" "$install" --bogus
usage_error "ceph-kmod-install --kernel (no KVER)" '^ceph-kmod-install: --kernel needs a KVER' "$install" --kernel
usage_error "ceph-kmod-install --key without --retry-pending" '^ceph-kmod-install: --key goes only with --retry-pending' "$install" --key
usage_error "ceph-kmod-install --pin-source K (no PATH)" '^ceph-kmod-install: --pin-source needs a KVER and a PATH' "$install" --pin-source k
t_expect_exit "ceph-kmod-install --help: exit 0" 0 "$install" --help
t_match "ceph-kmod-install --help: the usage" '^Usage: ceph-kmod-install' "$T_LAST_OUTPUT"
fetch=$CK_TOP/bin/ceph-kmod-fetch-source
usage_error "ceph-kmod-fetch-source --bogus" "^ceph-kmod-fetch-source: unknown option '--bogus'" "$fetch" --bogus
usage_error "ceph-kmod-fetch-source (no KVER)" '^ceph-kmod-fetch-source: wants exactly one KVER, got 0' "$fetch"
t_expect_exit "ceph-kmod-fetch-source --help: exit 0" 0 "$fetch" --help
usage_error "sign/setup-key --bogus" "^ceph-kmod-setup-key: unknown argument '--bogus' \\(see: .*sign/setup-key --help\\)\$" "$CK_TOP/sign/setup-key" --bogus
t_expect_exit "sign/setup-key --help: exit 0" 0 "$CK_TOP/sign/setup-key" --help
usage_error "sign/pre-install-verify --bogus" "^ceph-kmod-pre-install-verify: unknown option '--bogus'" "$CK_TOP/sign/pre-install-verify" --bogus
usage_error "./setup --bogus" "^setup: unknown argument '--bogus'.*\\(see: .*setup --help\\)\$" "$CK_TOP/setup" --bogus
t_expect_exit "./setup --help: exit 0" 0 "$CK_TOP/setup" --help
t_match "./setup --help: the usage" '^Usage: ./setup' "$T_LAST_OUTPUT"
