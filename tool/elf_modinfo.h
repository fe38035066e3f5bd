/* SPDX-License-Identifier: GPL-2.0 */
/* ELF reader for kernel modules: the .modinfo strings, the GNU build-id note and the
 * imports (undefined symbols of .symtab). */
#ifndef CK_ELF_MODINFO_H
#define CK_ELF_MODINFO_H

#include "ck.h"

struct ck_elf_info {
	const char *modinfo; /* points into the image; NOT NUL-terminated at the end */
	size_t modinfo_len;
	const unsigned char *build_id; /* NULL when there is no .note.gnu.build-id */
	size_t build_id_len;
	const unsigned char *image; /* the parsed image, for ck_elf_find_import() */
	size_t image_len;
	unsigned int symtab; /* section index of .symtab, 0 when there is none */
};

/* Checks the ELF header and section table of a relocatable object (a .ko body)
 * and finds .modinfo and .note.gnu.build-id. Returns 0 or -1 with e set. */
int ck_elf_parse(const unsigned char *d, size_t len, struct ck_elf_info *out, struct ck_err *e);

/* Value of KEY in .modinfo (first occurrence), as pointer + length, or NULL. */
const char *ck_modinfo_get(const struct ck_elf_info *info, const char *key, size_t *vlen);

/* The first import (an undefined symbol of .symtab) whose name starts with PREFIX:
 * 1 with the name in out, 0 when there is none, -1 with e set when the symbol table
 * is missing or malformed (the imports are then unknown). */
int ck_elf_find_import(const struct ck_elf_info *info, const char *prefix, char *out,
		       size_t outlen, struct ck_err *e);

/* Finds the NT_GNU_BUILD_ID descriptor in a note section (also the format of
 * /sys/module/M/notes/.note.gnu.build-id). Returns 0 found, 1 absent, -1 malformed. */
int ck_note_build_id(const unsigned char *d, size_t len, int big_endian,
		     const unsigned char **id, size_t *id_len, struct ck_err *e);

#endif
