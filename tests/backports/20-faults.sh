#!/usr/bin/env bash
# Faults on the newest 6.1 kernel, in-tree modules and ours in one guest: krbd (raw device,
# O_DIRECT) and CephFS writes of host-made data run while the host restarts the OSD (bluestore:
# its data survives), restarts the MDS, and cuts the guest's link for 30 s (QMP set_link); IO
# must resume and every sha256 match, with ours exactly as with the in-tree modules.
# Usage: 20-faults.sh [ROLE:faults...]   Environment: CK_BP_OURS, CK_BP_SETS, CK_FAULT_MB (16),
# CK_FAULT_EVENTS ("osd mds link"), CK_LINK_DOWN (30).
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
	bp_main newest61:faults
fi
