#!/usr/bin/env bash
# Backports a guest can show, in-tree module against ours in one guest per kernel:
#   newest61   SET_LAYOUT by a non-owner (patches/0003), O_APPEND from two client sessions (0004)
#   newest612  SET_LAYOUT by a non-owner (patches/6.12/0001; 6.12.117 has the O_APPEND fix)
# Each check fails with the in-tree module and passes with ours; the other backports say in
# their patch header why no guest can show them.
# Usage: 10-fixes.sh [ROLE:STEP[+STEP]...]   Environment: CK_BP_OURS (module dir, "{kver}"
# expands; default: the installed ceph-kmod), CK_BP_SETS, CK_APPEND_RECORDS, CK_APPEND_ROUNDS.
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../vm/lib/vm.sh
. "$(dirname "$0")/../vm/lib/vm.sh"
# shellcheck source=../vm/lib/e2e.sh
. "$(dirname "$0")/../vm/lib/e2e.sh"
# shellcheck source=lib/host-bp.sh
. "$(dirname "$0")/lib/host-bp.sh"

if (($#)); then
	bp_main "$@"
else
	bp_main newest61:setlayout+append newest612:setlayout
fi
