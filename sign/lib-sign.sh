# shellcheck shell=bash
# Functions shared by the sign/ scripts (key discovery, key checks, dkms framework
# evaluation, module signature parsing). Sourced after lib/ceph-kmod.sh, never run.
#
# Paths that the tests redirect (config keys, environment CEPH_KMOD_<KEY> wins):
#   DKMS_FRAMEWORK_DIR  /etc/dkms             dkms's framework.conf + framework.conf.d/
#   DKMS_MOK_DIR        /var/lib/dkms         dkms's default pair mok.key + mok.pub;
#                                             also where a new pair is generated
#   SHIM_MOK_DIR        /var/lib/shim-signed/mok   Ubuntu's MOK.priv + MOK.der
#   DKMS_TREE           /var/lib/dkms         dkms tree holding built modules

CK_SIGN_DROPIN_NAME=ceph-kmod.conf
# What the drop-in sets as key when a half of the pair is missing: dkms treats a
# "pkcs11:" key as present and so does not regenerate the pair over our files.
export CK_SIGN_DUMMY_PREFIX='pkcs11:ceph-kmod-refuses-incomplete-key-pair'

ck_sign_framework_dir() { ck_conf DKMS_FRAMEWORK_DIR /etc/dkms; }
ck_sign_dropin() { printf '%s/framework.conf.d/%s\n' "$(ck_sign_framework_dir)" "$CK_SIGN_DROPIN_NAME"; }
ck_sign_dkms_mok_dir() { ck_dkms_mok_dir; }
ck_sign_shim_mok_dir() { ck_conf SHIM_MOK_DIR /var/lib/shim-signed/mok; }

# The files dkms sources for its signing variables, in dkms's order.
# ck_sign_framework_files [with-ours|without-ours]
ck_sign_framework_files() {
	local mode=${1:-with-ours} dir f
	dir=$(ck_sign_framework_dir)
	for f in "$dir/framework.conf" "$dir"/framework.conf.d/*.conf; do
		[[ -e "$f" ]] || continue
		if [[ "$mode" == without-ours && "$(basename "$f")" == "$CK_SIGN_DROPIN_NAME" ]]; then
			continue
		fi
		printf '%s\n' "$f"
	done
}

# ck_sign_dkms_pair [with-ours|without-ours]: prints three lines, the key, the
# certificate and the file that last set the key ("default" when none did), as
# dkms 3.0.10 prepare_signing resolves them: each file sourced as bash (stdout
# dropped), later files win, then the defaults.
ck_sign_dkms_pair() {
	local mode=${1:-with-ours} out files
	mapfile -t files < <(ck_sign_framework_files "$mode")
	# shellcheck disable=SC2016 # the script is for the inner bash
	out=$(env -i PATH="$PATH" bash -c '
		mok_signing_key= mok_certificate= from=default
		for f in "$@"; do
			k=$mok_signing_key
			. "$f" >/dev/null
			[[ "$mok_signing_key" != "$k" ]] && from=$f
		done
		printf "%s\n%s\n%s\n" "$mok_signing_key" "$mok_certificate" "$from"
	' ck-dkms-framework "${files[@]}") || ck_die "$CK_E_KEY" \
		"sourcing the dkms framework configuration failed (${files[*]})" \
		"bash -n on each of: ${files[*]}, and repair the file that fails"
	local key cert from
	{ read -r key; read -r cert; read -r from; } <<<"$out"
	[[ -n "$key" ]] || key="$(ck_sign_dkms_mok_dir)/mok.key"
	[[ -n "$cert" ]] || cert="$(ck_sign_dkms_mok_dir)/mok.pub"
	printf '%s\n%s\n%s\n' "$key" "$cert" "$from"
}

# openssl -passin argument for the private key: KBUILD_SIGN_PIN (what sign-file uses).
ck_sign_passin() {
	if [[ -n "${KBUILD_SIGN_PIN+set}" ]]; then
		printf '%s\n' "env:KBUILD_SIGN_PIN"
	else
		printf '%s\n' "pass:"
	fi
}

# Public key (PEM) of a certificate, DER or PEM.
ck_sign_cert_pubkey() {
	local cert=$1
	openssl x509 -inform DER -in "$cert" -noout -pubkey 2>/dev/null ||
		openssl x509 -inform PEM -in "$cert" -noout -pubkey 2>/dev/null
}

# ck_sign_cert_der CERT OUT: the certificate in DER (for mokutil, cert-to-efi-sig-list).
ck_sign_cert_der() {
	openssl x509 -inform DER -in "$1" -outform DER -out "$2" 2>/dev/null ||
		openssl x509 -inform PEM -in "$1" -outform DER -out "$2" 2>/dev/null
}

ck_sign_key_encrypted() {
	grep -q -e '^-----BEGIN ENCRYPTED PRIVATE KEY-----' -e '^Proc-Type: 4,ENCRYPTED' "$1" 2>/dev/null
}

# ck_sign_check_pair KEY CERT: refuses (exit CK_E_KEY) a pair that sign-file
# cannot use safely: missing half, key not 0600 root, key unreadable (or encrypted
# without KBUILD_SIGN_PIN), certificate not parseable or not matching the key.
ck_sign_check_pair() {
	local key=$1 cert=$2 mode owner kpub cpub
	if [[ ! -e "$key" && ! -e "$cert" ]]; then
		ck_die "$CK_E_KEY" "the MOK key pair $key + $cert does not exist" \
			"restore both files from your backup, or remove MOK_KEY/MOK_CERT from $(ck_conf_file) and run sign/setup-key to generate a new pair (then enrol it: ceph-kmod enroll)"
	fi
	if [[ "$key" != pkcs11:* && ! -e "$key" ]]; then
		ck_die "$CK_E_KEY" "private key $key is missing but its certificate $cert exists (half of a pair)" \
			"restore $key from your backup; to start over with a new pair instead: mv $cert $cert.orphan && sign/setup-key (the new certificate must then be enrolled: ceph-kmod enroll)"
	fi
	if [[ ! -e "$cert" ]]; then
		ck_die "$CK_E_KEY" "certificate $cert is missing but its private key $key exists (half of a pair)" \
			"restore $cert from your backup, or (same key, new certificate, which must be enrolled again) openssl req -new -x509 -key $key -subj '/CN=$(hostname) ceph-kmod module signing key' -days 36500 -outform DER -out $cert"
	fi
	cpub=$(ck_sign_cert_pubkey "$cert") ||
		ck_die "$CK_E_KEY" "certificate $cert is neither a DER nor a PEM X.509 certificate" \
			"openssl x509 -in $cert -noout -text  (to see what it is), then point MOK_CERT in $(ck_conf_file) at the certificate of $key"
	if [[ "$key" == pkcs11:* ]]; then
		ck_log "key $key is a PKCS#11 URI: permission and key/certificate match are not checkable here; pre-install-verify checks every signature against $cert"
		return 0
	fi
	[[ -f "$key" ]] || ck_die "$CK_E_KEY" "private key $key is not a regular file" \
		"point MOK_KEY in $(ck_conf_file) at the PEM private key file"
	mode=$(stat -c %a "$key")
	owner=$(stat -c %u "$key")
	if (((8#$mode & 8#077) != 0)); then
		ck_die "$CK_E_KEY" "private key $key is readable or writable by group/others (mode $mode); refusing to sign with an exposed key" \
			"chown root:root $key && chmod 0600 $key  (and consider the key compromised if other users could read it)"
	fi
	if [[ "$owner" != 0 ]]; then
		ck_die "$CK_E_KEY" "private key $key is owned by uid $owner, not root" \
			"chown root:root $key && chmod 0600 $key"
	fi
	if ! kpub=$(openssl pkey -in "$key" -passin "$(ck_sign_passin)" -pubout 2>/dev/null </dev/null); then
		if ck_sign_key_encrypted "$key"; then
			if [[ -n "${KBUILD_SIGN_PIN+set}" ]]; then
				ck_die "$CK_E_KEY" "private key $key is encrypted and KBUILD_SIGN_PIN does not decrypt it" \
					"export KBUILD_SIGN_PIN='<the passphrase of $key>' and run again"
			fi
			ck_die "$CK_E_KEY" "private key $key is encrypted and KBUILD_SIGN_PIN is not set" \
				"export KBUILD_SIGN_PIN='<the passphrase of $key>' and run again (dkms passes it on to sign-file)"
		fi
		ck_die "$CK_E_KEY" "private key $key is not a PEM private key openssl can read" \
			"openssl pkey -in $key -noout  (to see why), then point MOK_KEY in $(ck_conf_file) at the right file"
	fi
	if [[ "$kpub" != "$cpub" ]]; then
		ck_die "$CK_E_KEY" "certificate $cert does not belong to private key $key (their public keys differ); modules signed with it would be rejected" \
			"point MOK_CERT in $(ck_conf_file) at the certificate of $key (compare: openssl pkey -in $key -pubout; openssl x509 -inform DER -in $cert -noout -pubkey)"
	fi
	return 0
}

# --- module signatures ------------------------------------------------------
# A signed module ends with: PKCS#7 DER (sig_len bytes), struct module_signature
# (12 bytes, be32 sig_len at offset 8), then "~Module signature appended~\n" (28).
CK_SIGN_MAGIC='~Module signature appended~'

# ck_sign_plain_module FILE OUT: FILE decompressed (.xz/.gz/.zst) into OUT.
ck_sign_plain_module() {
	local f=$1 out=$2
	case "$f" in
	*.xz) xz -dc -- "$f" >"$out" ;;
	*.gz) gzip -dc -- "$f" >"$out" ;;
	*.zst) zstd -qdc -- "$f" >"$out" ;;
	*) cp -- "$f" "$out" ;;
	esac
}

# ck_sign_split MODULE BODY P7: writes the signed content and the PKCS#7 of an
# uncompressed signed module. Returns 3 when unsigned, 4 when malformed.
ck_sign_split() {
	local m=$1 body=$2 p7=$3 size len
	size=$(stat -c %s "$m")
	((size > 40)) || return 4
	tail -c 28 "$m" | cmp -s - <(printf '%s\n' "$CK_SIGN_MAGIC") || return 3
	len=$(tail -c 40 "$m" | head -c 12 | od -An -t u1 | awk '{ print ($9*16777216) + ($10*65536) + ($11*256) + $12 }')
	((len > 0 && len + 40 < size)) || return 4
	head -c $((size - 40 - len)) "$m" >"$body"
	tail -c $((40 + len)) "$m" | head -c "$len" >"$p7"
}

# ck_sign_p7_hash P7: digest algorithm of the signature (sha256, sha512, ...).
ck_sign_p7_hash() {
	openssl cms -cmsout -print -inform DER -in "$1" 2>/dev/null |
		awk '/digestAlgorithm:/ { f = 1; next } f && /algorithm:/ { print $2; exit }'
}

# ck_sign_openssl_verify MODULE CERT: the same verdicts as `ceph-kmod verify`
# (0 valid, 1 bad signature, 2 signed by another key, 3 unsigned, 4 malformed),
# with openssl only. Used while the C tool is not installed, and by tests.
ck_sign_openssl_verify() {
	local m=$1 cert=$2 tmp rc=0 certpem
	tmp=$(mktemp -d)
	ck_sign_plain_module "$m" "$tmp/m" 2>/dev/null || { rm -rf "$tmp"; return 4; }
	ck_sign_split "$tmp/m" "$tmp/body" "$tmp/p7" || rc=$?
	if ((rc == 0)); then
		certpem=$tmp/cert.pem
		if ! { openssl x509 -inform DER -in "$cert" -out "$certpem" 2>/dev/null ||
			openssl x509 -inform PEM -in "$cert" -out "$certpem" 2>/dev/null; }; then
			rc=4
		elif openssl cms -verify -binary -inform DER -in "$tmp/p7" -content "$tmp/body" \
			-certfile "$certpem" -nointern -noverify -purpose any -out /dev/null 2>"$tmp/err"; then
			rc=0
		elif grep -qi 'signer certificate not found' "$tmp/err"; then
			rc=2
		else
			rc=1
		fi
	fi
	rm -rf "$tmp"
	return "$rc"
}
