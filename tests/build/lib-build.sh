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

# b_assert_manual KVER OUT LABEL: modprobe resolves each module to updates/ceph-kmod, a
# link into its own ceph-kmod-sets/current, of OUT's build, signed with our key.
b_assert_manual() {
	local kver=$1 out=$2 label=$3 m f real build dest
	dest=$(ck_links_dir "$kver" "$(ck_manual_dest)")
	build=$(b_env "$out" build)
	t_eq "$kver: $label left a verified set in $out" "verified=$build" "$(cat "$out/verified.env" 2>/dev/null)"
	for m in "${CK_MODULES[@]}"; do
		f=$(modinfo -k "$kver" -n "$m" 2>/dev/null || true)
		t_match "$kver: $label: modinfo -k -n $m resolves to updates/ceph-kmod ($f)" "^$(t_re "$dest")/$m\.ko" "$f"
		[[ -n "$f" && -e "$f" ]] || continue
		real=$(readlink -f "$f")
		t_match "$kver: $label: $m is a link into updates/ceph-kmod's own set ($real)" \
			"^$(t_re "$(readlink -f "$(ck_sets_dir "$kver" "$(ck_manual_dest)")")")/[^/]+/$m\.ko" "$real"
		t_eq "$kver: $label: $m is the build make modules made" "$build" "$(b_field "$f" ceph_kmod_build)"
		t_expect_exit "$kver: $label: $m is signed and verifies" 0 "$CK_TOOL" verify --cert "$(ck_sign_cert)" "$f"
	done
}

# b_old_manual_layout KVER: turn updates/ceph-kmod into what make install left before it
# used sets (real signed files, no ceph-kmod-sets), depmod.
b_old_manual_layout() {
	local kver=$1 dest f
	dest=$(ck_links_dir "$kver" "$(ck_manual_dest)")
	for f in "$dest"/*.ko*; do
		[[ -L "$f" ]] || continue
		cp "$(readlink -f "$f")" "$f.real"
		mv -f "$f.real" "$f"
	done
	rm -rf "$(ck_sets_dir "$kver" "$(ck_manual_dest)")"
	depmod -a "$kver"
}

# b_make_install KVER OUT: "make install KVER=K" on what "make modules" built in OUT, and
# "make uninstall": modprobe resolves to the signed set in updates/ceph-kmod (the build of
# OUT), dkms's set is untouched, real files of an older make install are taken over, a
# kmod package's kernel is refused, and uninstall leaves what modprobe resolved before.
b_make_install() {
	local kver=$1 out=$2 before dkms_before marker
	before=$(b_snapshot "$kver")
	dkms_before=$(readlink -f "$(ck_sets_dir "$kver")/current" 2>/dev/null || true)
	marker=$(ck_kmod_marker "$kver")
	if [[ ! -e "$marker" ]]; then
		mkdir -p "$(dirname "$marker")"
		printf 'ceph-kmod-modules-%s test\n' "$kver" >"$marker"
		t_expect_exit "$kver: make install's stage refuses a kernel a kmod package provides (exit 11)" 11 \
			"$CK_TOP/stages/install-manual" "$kver" "$out"
		t_match "$kver: ... naming the package" "error: kernel $(t_re "$kver"): the package ceph-kmod-modules-$(t_re "$kver") provides" "$T_LAST_OUTPUT"
		t_match "$kver: ... and the command that removes it" "fix: remove the package first \(apt remove ceph-kmod-modules-$(t_re "$kver")" "$T_LAST_OUTPUT"
		t_eq "$kver: ... before any signing" "" "$(grep -F 'signing and verifying' <<<"$T_LAST_OUTPUT" || true)"
		rm -f "$marker"
		rmdir "$(dirname "$marker")" 2>/dev/null || true
		t_eq "$kver: the refused make install changed nothing" "$before" "$(b_snapshot "$kver")"
	fi
	t_expect_exit "$kver: make install KVER=…" 0 make -s -C "$CK_TOP" install KVER="$kver"
	printf '%s\n' "$T_LAST_OUTPUT" >"$CK_ARTIFACTS/make-install-$kver.log"
	t_match "$kver: make install signed what make modules built (no rebuild)" 'signing and verifying what "make modules" built' "$T_LAST_OUTPUT"
	b_assert_manual "$kver" "$out" "make install"
	t_eq "$kver: dkms's set is untouched by make install" "$dkms_before" "$(readlink -f "$(ck_sets_dir "$kver")/current" 2>/dev/null || true)"
	# An install of the old by-hand layout (real files) is taken over by the next one.
	b_old_manual_layout "$kver"
	t_expect_exit "$kver: make install over real files of an older make install" 0 make -s -C "$CK_TOP" install KVER="$kver"
	b_assert_manual "$kver" "$out" "make install over the old layout"
	t_expect_exit "$kver: make uninstall KVER=…" 0 make -s -C "$CK_TOP" uninstall KVER="$kver"
	t_eq "$kver: make uninstall removed updates/ceph-kmod" "" "$(find "$(ck_modules_dir "$kver")/updates" -path '*ceph-kmod*' 2>/dev/null)"
	t_eq "$kver: after make uninstall modprobe resolves what it did before, same sha256" "$before" "$(b_snapshot "$kver")"
	# make uninstall also removes real files an older make install left.
	t_expect_exit "$kver: make install again" 0 make -s -C "$CK_TOP" install KVER="$kver"
	b_old_manual_layout "$kver"
	t_expect_exit "$kver: make uninstall of the old by-hand layout" 0 make -s -C "$CK_TOP" uninstall KVER="$kver"
	t_eq "$kver: ... removed its real files" "" "$(find "$(ck_modules_dir "$kver")/updates" -path '*ceph-kmod*' 2>/dev/null)"
	t_eq "$kver: ... and modprobe resolves what it did before" "$before" "$(b_snapshot "$kver")"
}
