# shellcheck shell=bash
# Secure Boot guests: Debian's signed boot chain from the archive (never installed on the host),
# the ESP image, and MokManager driven over the serial console. Sourced after tests/lib.sh and
# tests/vm/lib/vm.sh.

SB_CACHE=${CK_SB_CACHE:-/var/cache/ceph-kmod-tests/secureboot}
export SB_VARS_TEMPLATE=${CK_SB_VARS:-/usr/share/OVMF/OVMF_VARS_4M.ms.fd}

sb_log() { printf '[%s] secureboot: %s\n' "$(date +%T)" "$*" >&2; }

# sb_pkg_dir PKG: a directory holding the files of PKG's candidate version (apt-get download +
# dpkg-deb -x, cached per version under SB_CACHE; nothing is installed).
sb_pkg_dir() {
	local pkg=$1 ver="" dir tmp i
	# apt-cache fails while another job runs apt-get update: retry, then use the cache
	for ((i = 0; i < 6; i++)); do
		ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ { print $2; exit }' || true)
		[[ -z "$ver" ]] || break
		sleep 5
	done
	if [[ -z "$ver" ]]; then
		dir=$(find "$SB_CACHE" -maxdepth 2 -path "$SB_CACHE/${pkg}_*/.complete" -printf '%h\n' 2>/dev/null | sort -V | tail -n 1)
		if [[ -n "$dir" ]]; then
			echo "sb_pkg_dir: apt-cache show $pkg failed; using the cached $dir" >&2
			printf '%s\n' "$dir"
			return 0
		fi
		echo "sb_pkg_dir: apt-cache knows no package $pkg (run: apt-get update)" >&2
		return 1
	fi
	dir=$SB_CACHE/${pkg}_${ver//:/%}
	if [[ ! -e "$dir/.complete" ]]; then
		mkdir -p "$SB_CACHE"
		tmp=$(mktemp -d "$SB_CACHE/download.XXXXXX")
		chmod 755 "$tmp"
		chown _apt "$tmp" 2>/dev/null || true
		(cd "$tmp" && timeout 600 apt-get download -q "$pkg=$ver") >&2 ||
			{ rm -rf "$tmp"; echo "sb_pkg_dir: apt-get download $pkg=$ver failed" >&2; return 1; }
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$tmp"/*.deb "$dir"
		# a kernel image package's modules are the -unsigned package's (same build): not needed
		rm -rf "$dir/lib/modules"
		printf '%s\n' "$ver" >"$dir/.complete"
		rm -rf "$tmp"
	fi
	printf '%s\n' "$dir"
}

# sb_esp KVER OUT: a FAT ESP image (mkfs.vfat -C and mtools, no loop device) with Debian's
# signed shim as the removable-media loader EFI/BOOT/BOOTX64.EFI, signed GRUB and MokManager
# beside it, a grub.cfg on the serial console, Debian's signed kernel KVER and the harness's
# initramfs for KVER (host root over 9p). Prints the files it used.
sb_esp() {
	local kver=$1 out=$2 shim grub mm kern initrd cfg dir f
	shim=$(sb_pkg_dir shim-signed)/usr/lib/shim/shimx64.efi.signed
	mm=$(sb_pkg_dir shim-helpers-amd64-signed)/usr/lib/shim/mmx64.efi.signed
	grub=$(sb_pkg_dir grub-efi-amd64-signed)/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed
	kern=$(sb_pkg_dir "linux-image-$kver")/boot/vmlinuz-$kver
	initrd=$(vm_initramfs "$kver")
	for f in "$shim" "$mm" "$grub" "$kern" "$initrd"; do
		[[ -s "$f" ]] || { echo "sb_esp: $f missing" >&2; return 1; }
	done
	cfg=$(mktemp)
	cat >"$cfg" <<'CFG'
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry 'ceph-kmod Secure Boot test' {
	linux /vmlinuz console=ttyS0,115200 loglevel=4 panic=-1 oops=panic rdinit=/init
	initrd /initrd.img
}
CFG
	rm -f "$out"
	mkfs.vfat -C -n CKESP "$out" 131072 >/dev/null
	export MTOOLS_SKIP_CHECK=1
	mmd -i "$out" ::/EFI ::/EFI/BOOT ::/EFI/debian ::/boot ::/boot/grub
	mcopy -i "$out" "$shim" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$out" "$grub" ::/EFI/BOOT/grubx64.efi
	mcopy -i "$out" "$mm" ::/EFI/BOOT/mmx64.efi
	mcopy -i "$out" "$kern" ::/vmlinuz
	mcopy -i "$out" "$initrd" ::/initrd.img
	# the signed GRUB's built-in prefix is /EFI/debian
	for dir in EFI/debian EFI/BOOT boot/grub; do
		mcopy -i "$out" "$cfg" "::/$dir/grub.cfg"
	done
	rm -f "$cfg"
	printf 'shim %s\ngrub %s\nmokmanager %s\nkernel %s\ninitrd %s\n' "$shim" "$grub" "$mm" "$kern" "$initrd"
}

# sb_screen SECONDS TEXT WHAT KEY...: one MokManager screen: waits for TEXT on the console,
# gives the screen a second to take keys (they are lost before that), sends the KEYs. Prints
# WHAT (the screen) and fails when TEXT did not come.
sb_screen() {
	local secs=$1 text=$2 what=$3
	shift 3
	vm_expect "$secs" "$text" || { echo "$what"; return 1; }
	sleep 1
	vm_send "$@"
}

# sb_mokmanager PASSWORD: drives MokManager (started by shim because of a pending MokNew) in
# the guest of the last `vm_start -c`: any key within its 10 s wait, Enroll MOK, Continue,
# Yes, the password, Reboot. Prints the screen it stopped at and fails when one did not come.
sb_mokmanager() {
	local pw=$1 i down='\e[B'
	local -a keys=()
	for ((i = 0; i < ${#pw}; i++)); do keys+=("${pw:i:1}"); done
	sb_screen "${CK_SB_FIRMWARE_WAIT:-300}" 'Press any key' "MokManager's 'Press any key' prompt" '\r' &&
		sb_screen 60 'Enroll MOK' "main menu (Enroll MOK)" "$down" '\r' &&
		sb_screen 60 'View key 0' "Enroll MOK screen (View key 0 / Continue)" "$down" '\r' &&
		sb_screen 60 'Enroll the key' "'Enroll the key(s)?' question" "$down" '\r' &&
		sb_screen 60 'Password' "password prompt" "${keys[@]}" '\r' &&
		sb_screen 60 'Reboot' "Reboot choice after the password" '\r' || return 1
	echo "done"
}

# sb_cert_id DER: the certificate as the kernel names it when loading it ("CN: subject key id").
sb_cert_id() {
	printf '%s: %s\n' \
		"$(openssl x509 -inform DER -in "$1" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')" \
		"$(openssl x509 -inform DER -in "$1" -noout -ext subjectKeyIdentifier 2>/dev/null | sed -n '2s/[ :]//gp' | tr 'A-F' 'a-f')"
}

# sb_strip_sig IN OUT: the module without its appended signature.
sb_strip_sig() {
	local in=$1 out=$2 size len
	size=$(stat -c %s "$in")
	if tail -c 28 "$in" | cmp -s - <(printf '~Module signature appended~\n'); then
		len=$(tail -c 40 "$in" | head -c 12 | od -An -t u1 | awk '{ print ($9*16777216) + ($10*65536) + ($11*256) + $12 }')
		head -c $((size - 40 - len)) "$in" >"$out"
	else
		cp "$in" "$out"
	fi
}
