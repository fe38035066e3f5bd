// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness: module signature trailer parser, then the ELF reader on the body
 * (what `ceph-kmod verify` runs on untrusted files before any crypto) and its import
 * lookup (what `ceph-kmod status` runs on libceph). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elf_modinfo.h"
#include "modsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ck_modsig ms;
	struct ck_elf_info info;
	struct ck_err e;
	size_t n;

	if (ck_modsig_parse(data, size, &ms, &e) == CK_MODSIG_BAD)
		return 0;
	if (ms.sig && (ms.sig < data || ms.sig + ms.sig_len > data + size))
		__builtin_trap();
	if (ck_elf_parse(data, ms.body_len, &info, &e) == 0) {
		const char *v = ck_modinfo_get(&info, "name", &n);
		char name[64];

		if (v && (const uint8_t *)v + n > data + ms.body_len)
			__builtin_trap();
		if (info.build_id && info.build_id + info.build_id_len > data + ms.body_len)
			__builtin_trap();
		if (ck_elf_find_import(&info, "crypto_krb5_", name, sizeof(name), &e) == 1 &&
		    strncmp(name, "crypto_krb5_", 12) != 0)
			__builtin_trap();
	}
	return 0;
}
