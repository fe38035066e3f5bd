# shellcheck shell=bash
# Helpers of the hurt suite. Sourced after ../lib.sh.
# shellcheck source=../build/lib-build.sh
. "$CK_TOP/tests/build/lib-build.sh"

# h_set_state KVER: ceph-kmod status --json's set.state for a kernel.
h_set_state() {
	"$CK_TOOL" status --json 2>/dev/null | jq -r --arg k "$1" '.kernels[] | select(.kernel == $k) | .set.state'
}

# h_pending KVER FIELD: a field of the kernel's pending record in status --json.
h_pending() {
	"$CK_TOOL" status --json 2>/dev/null | jq -r --arg k "$1" --arg f "$2" '.kernels[] | select(.kernel == $k) | .pending[$f] // empty'
}

# h_builds KVER: the ceph_kmod_build of the four resolved modules, space-separated.
h_builds() {
	local m
	for m in "${CK_MODULES[@]}"; do
		printf '%s ' "$(modinfo -k "$1" -F ceph_kmod_build "$m" 2>/dev/null)"
	done
}
