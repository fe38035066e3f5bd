#!/usr/bin/env bash
# The backports in a guest, in-tree modules against ours in the same guest (one per kernel):
#   newest61   SET_LAYOUT by a non-owner (patches/0003: in-tree applies it, ours refuses);
#              O_APPEND from two client sessions (0004: loss rates measured, see its header);
#              faults: krbd (O_DIRECT) and CephFS writes of host-made data while the host
#              restarts the OSD (bluestore: data survives), restarts the MDS and cuts the
#              guest's link for 30 s (QMP set_link); IO resumes, every sha256 matches, for
#              both module sets
#   newest612  SET_LAYOUT by a non-owner (patches/6.12/0001; 6.12.117 has the rest)
# The nbd index limit (patches/0014) is 20-nbd-index.sh, CephFS snapshots (0030) 30-snaps.sh.
# The other backports say in their patch header why no guest can show them.
# Usage: 10-guest.sh [ROLE:STEP[+STEP]...]   Environment: CK_BP_OURS (module dir, "{kver}"
# expands; default: the installed ceph-kmod), CK_BP_SETS ("intree ours"), CK_APPEND_RECORDS,
# CK_APPEND_ROUNDS, CK_FAULT_MB, CK_FAULT_EVENTS ("osd mds link"), CK_LINK_DOWN (30).
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
	bp_main newest61:setlayout+append+faults newest612:setlayout
fi
