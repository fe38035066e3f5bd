# shellcheck shell=bash
# Helpers shared by the build suite. Sourced after ../lib.sh.
# shellcheck source=../../lib/ceph-kmod.sh
. "$CK_TOP/lib/ceph-kmod.sh"
CK_MODULES=(libceph rbd ceph nbd)
export CK_VERSION
CK_VERSION=$(cat "$CK_TOP/VERSION")
CK_TOOL=$CK_TOP/tool/ceph-kmod

# modinfo field of a module file (handles .ko.xz through kmod).
b_field() {
	modinfo -F "$2" "$1" 2>/dev/null | head -n1
}

# b_assert_module FILE KVER LABEL: vermagic, the four provenance fields, signature.
b_assert_module() {
	local f=$1 kver=$2 label=$3 vm field v
	vm=$(b_field "$f" vermagic)
	t_eq "$label: vermagic of $(basename "$f") is $kver" "$kver" "${vm%% *}"
	for field in ceph_kmod_version ceph_kmod_build ceph_kmod_source ceph_kmod_patches ceph_kmod_compat; do
		v=$(b_field "$f" "$field")
		if [[ -n "$v" ]]; then t_pass "$label: $(basename "$f") has $field=$v"; else t_fail "$label: $(basename "$f") lacks $field"; fi
	done
}

# b_assert_installed KVER: modprobe resolves to our dkms files, which verify, all
# four of one build; dkms status and ceph-kmod status agree.
b_assert_installed() {
	local kver=$1 m f cert builds=() json
	cert=$(ck_sign_cert)
	for m in "${CK_MODULES[@]}"; do
		f=$(modinfo -k "$kver" -n "$m" 2>/dev/null || true)
		t_match "$kver: modinfo -k -n $m resolves to ours ($f)" '/updates/dkms/|/extra/' "$f"
		[[ -n "$f" && -f "$f" ]] || continue
		b_assert_module "$f" "$kver" "$kver"
		builds+=("$(b_field "$f" ceph_kmod_build)")
		t_expect_exit "$kver: $m signature verifies against $cert" 0 "$CK_TOOL" verify --cert "$cert" "$f"
	done
	t_eq "$kver: one ceph_kmod_build in all four modules" 1 "$(printf '%s\n' "${builds[@]}" | sort -u | grep -c .)"
	t_match "$kver: dkms status says installed" "installed" "$(dkms status -m ceph-kmod -k "$kver" 2>/dev/null)"
	json=$("$CK_TOOL" status --json 2>/dev/null || true)
	t_eq "$kver: ceph-kmod status: set complete" complete \
		"$(jq -r --arg k "$kver" '.kernels[] | select(.kernel == $k) | .set.state' <<<"$json")"
}

# b_snapshot KVER: "module path sha256" of what modprobe resolves for the four.
b_snapshot() {
	local kver=$1 m f
	for m in "${CK_MODULES[@]}"; do
		f=$(modinfo -k "$kver" -n "$m" 2>/dev/null || true)
		printf '%s %s %s\n' "$m" "$f" "$( [[ -f "$f" ]] && sha256sum <"$f" | cut -d' ' -f1)"
	done
}

# b_assert_intree KVER: modprobe resolves to the kernel's own files again.
b_assert_intree() {
	local kver=$1 m f
	for m in "${CK_MODULES[@]}"; do
		f=$(modinfo -k "$kver" -n "$m" 2>/dev/null || true)
		t_match "$kver: modinfo -k -n $m back to in-tree ($f)" "^/lib/modules/$(t_re "$kver")/kernel/" "$f"
	done
}

# b_work KVER: where ceph-kmod-install builds a kernel's new set.
b_work() {
	printf '%s/build/%s\n' "$(ck_state_dir)" "$1"
}

ck_sign_cert() {
	local c
	c=$(ck_conf MOK_CERT)
	printf '%s\n' "${c:-/var/lib/dkms/mok.pub}"
}

# b_env DIR KEY: a value from an out/K/ck-build.env
b_env() {
	sed -n "s/^$2=//p" "$1/ck-build.env"
}

# b_headers_copy KVER DEST: a relocatable copy of a kernel's build tree. The
# relative scripts/tools links are made absolute; Debian's Makefile includes the
# -common tree by absolute path, which stays valid.
b_headers_copy() {
	local kver=$1 dest=$2 src l
	src=$(readlink -f "/lib/modules/$kver/build")
	rm -rf "$dest"
	cp -a "$src" "$dest"
	for l in scripts tools; do
		if [[ -L "$src/$l" ]]; then
			rm -f "$dest/$l"
			ln -s "$(readlink -f "$src/$l")" "$dest/$l"
		fi
	done
}

# b_config_off DIR SYMBOL: turn a config option off in .config, auto.conf, autoconf.h.
b_config_off() {
	local dir=$1 sym=$2
	sed -i "s/^$sym=.*/# $sym is not set/" "$dir/.config"
	sed -i "/^$sym=/d" "$dir/include/config/auto.conf"
	sed -i "/#define ${sym}\(_MODULE\)\{0,1\} /d" "$dir/include/generated/autoconf.h"
}
