// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal, bounds-checked ELF reader for kernel modules (ELF32/ELF64, either byte
 * order). Only what the tool needs: section headers, .modinfo, .note.gnu.build-id and
 * the undefined symbols (imports) of .symtab.
 * Every offset and size is checked against the image before it is used.
 */
#include "elf_modinfo.h"

#include <elf.h>
#include <string.h>

struct elf_view {
	const unsigned char *d;
	size_t len;
	int is64, be;
};

static uint64_t rd(const struct elf_view *v, size_t off, unsigned int n)
{
	uint64_t x = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned int shift = v->be ? 8 * (n - 1 - i) : 8 * i;

		x |= (uint64_t)v->d[off + i] << shift;
	}
	return x;
}

/* Is [off, off+size) inside the image? Overflow-safe. */
static int in_range(const struct elf_view *v, uint64_t off, uint64_t size)
{
	return off <= v->len && size <= v->len - off;
}

struct shdr {
	uint32_t name, type, link;
	uint64_t offset, size, entsize;
};

static void read_shdr(const struct elf_view *v, size_t off, struct shdr *s)
{
	s->name = (uint32_t)rd(v, off, 4);
	s->type = (uint32_t)rd(v, off + 4, 4);
	if (v->is64) {
		s->offset = rd(v, off + 24, 8);
		s->size = rd(v, off + 32, 8);
		s->link = (uint32_t)rd(v, off + 40, 4);
		s->entsize = rd(v, off + 56, 8);
	} else {
		s->offset = rd(v, off + 16, 4);
		s->size = rd(v, off + 20, 4);
		s->link = (uint32_t)rd(v, off + 24, 4);
		s->entsize = rd(v, off + 36, 4);
	}
}

static uint32_t align4(uint32_t x)
{
	return (x + 3u) & ~3u;
}

int ck_note_build_id(const unsigned char *d, size_t len, int big_endian,
		     const unsigned char **id, size_t *id_len, struct ck_err *e)
{
	struct elf_view v = { d, len, 0, big_endian };
	size_t off = 0;

	*id = NULL;
	*id_len = 0;
	while (off < len) {
		uint64_t namesz, descsz, type, name_pad, desc_pad;

		if (len - off < 12) {
			ck_seterr(e, "note header truncated at offset %zu", off);
			return -1;
		}
		namesz = rd(&v, off, 4);
		descsz = rd(&v, off + 4, 4);
		type = rd(&v, off + 8, 4);
		off += 12;
		name_pad = align4((uint32_t)namesz);
		desc_pad = align4((uint32_t)descsz);
		if (name_pad < namesz || desc_pad < descsz) {
			ck_seterr(e, "note sizes overflow (namesz %llu, descsz %llu)",
				  (unsigned long long)namesz, (unsigned long long)descsz);
			return -1;
		}
		if (!in_range(&v, off, namesz) || !in_range(&v, off + namesz, descsz)) {
			ck_seterr(e, "note at offset %zu runs past the end (namesz %llu, descsz %llu)",
				  off - 12, (unsigned long long)namesz, (unsigned long long)descsz);
			return -1;
		}
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(d + off, "GNU", 4) == 0) {
			if (descsz == 0) {
				ck_seterr(e, "empty build-id note");
				return -1;
			}
			*id = d + off + name_pad;
			if (!in_range(&v, off + name_pad, descsz)) {
				ck_seterr(e, "build-id note runs past the end");
				return -1;
			}
			*id_len = (size_t)descsz;
			return 0;
		}
		if (!in_range(&v, off, name_pad) || !in_range(&v, off + name_pad, desc_pad))
			break; /* last note without padding */
		off += (size_t)(name_pad + desc_pad);
	}
	return 1;
}

/* The section header table and its name table. */
struct sections {
	uint64_t off, entsize, num;
	struct shdr names;
};

/* Checks the identification and header; sets v's class and byte order. 0 or -1. */
static int elf_header(struct elf_view *v, struct ck_err *e)
{
	const unsigned char *d = v->d;
	size_t ehsize;

	if (!d || v->len < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG) != 0) {
		ck_seterr(e, "not an ELF file (bad magic)");
		return -1;
	}
	if (d[EI_CLASS] != ELFCLASS32 && d[EI_CLASS] != ELFCLASS64) {
		ck_seterr(e, "bad ELF class %u", d[EI_CLASS]);
		return -1;
	}
	if (d[EI_DATA] != ELFDATA2LSB && d[EI_DATA] != ELFDATA2MSB) {
		ck_seterr(e, "bad ELF data encoding %u", d[EI_DATA]);
		return -1;
	}
	v->is64 = d[EI_CLASS] == ELFCLASS64;
	v->be = d[EI_DATA] == ELFDATA2MSB;
	ehsize = v->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (v->len < ehsize) {
		ck_seterr(e, "ELF header truncated (%zu bytes)", v->len);
		return -1;
	}
	if (rd(v, 16, 2) != ET_REL) {
		ck_seterr(e, "ELF type %llu is not a relocatable object (kernel module)",
			  (unsigned long long)rd(v, 16, 2));
		return -1;
	}
	return 0;
}

/* Finds and checks the section header table and its name table. 0 or -1. */
static int elf_sections(const struct elf_view *v, struct sections *t, struct ck_err *e)
{
	uint64_t strndx;

	t->off = rd(v, v->is64 ? 40 : 32, v->is64 ? 8 : 4);
	t->entsize = rd(v, v->is64 ? 58 : 46, 2);
	t->num = rd(v, v->is64 ? 60 : 48, 2);
	strndx = rd(v, v->is64 ? 62 : 50, 2);
	if (t->entsize != (v->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr))) {
		ck_seterr(e, "bad ELF section header size %llu", (unsigned long long)t->entsize);
		return -1;
	}
	if (t->num == 0 || t->num >= SHN_LORESERVE) {
		ck_seterr(e, "unsupported ELF section count %llu", (unsigned long long)t->num);
		return -1;
	}
	if (!in_range(v, t->off, t->num * t->entsize)) {
		ck_seterr(e, "ELF section table (offset %llu, %llu entries) lies outside the "
			     "%zu-byte file",
			  (unsigned long long)t->off, (unsigned long long)t->num, v->len);
		return -1;
	}
	if (strndx == SHN_UNDEF || strndx >= t->num) {
		ck_seterr(e, "bad ELF section name table index %llu", (unsigned long long)strndx);
		return -1;
	}
	read_shdr(v, (size_t)(t->off + strndx * t->entsize), &t->names);
	if (t->names.type != SHT_STRTAB || !in_range(v, t->names.offset, t->names.size)) {
		ck_seterr(e, "bad ELF section name table (offset %llu, size %llu)",
			  (unsigned long long)t->names.offset, (unsigned long long)t->names.size);
		return -1;
	}
	return 0;
}

/* Section i's header into s and its name; NULL with e set when either is out of bounds. */
static const char *elf_section(const struct elf_view *v, const struct sections *t, uint64_t i,
			       struct shdr *s, struct ck_err *e)
{
	const unsigned char *names = v->d + t->names.offset;

	read_shdr(v, (size_t)(t->off + i * t->entsize), s);
	if (s->type != SHT_NOBITS && !in_range(v, s->offset, s->size)) {
		ck_seterr(e, "ELF section %llu (offset %llu, size %llu) lies outside the "
			     "%zu-byte file",
			  (unsigned long long)i, (unsigned long long)s->offset,
			  (unsigned long long)s->size, v->len);
		return NULL;
	}
	if (s->name >= t->names.size ||
	    !memchr(names + s->name, '\0', (size_t)(t->names.size - s->name))) {
		ck_seterr(e, "ELF section %llu has a bad name offset %u", (unsigned long long)i,
			  s->name);
		return NULL;
	}
	return (const char *)names + s->name;
}

int ck_elf_parse(const unsigned char *d, size_t len, struct ck_elf_info *out, struct ck_err *e)
{
	struct elf_view v = { d, len, 0, 0 };
	struct sections t;
	uint64_t i;

	memset(out, 0, sizeof(*out));
	if (elf_header(&v, e) < 0 || elf_sections(&v, &t, e) < 0)
		return -1;
	out->image = d;
	out->image_len = len;
	for (i = 1; i < t.num; i++) {
		struct shdr s;
		const char *name = elf_section(&v, &t, i, &s, e);

		if (!name)
			return -1;
		if (s.type == SHT_NOBITS)
			continue;
		if (s.type == SHT_SYMTAB && !out->symtab)
			out->symtab = (unsigned int)i;
		if (strcmp(name, ".modinfo") == 0 && !out->modinfo) {
			out->modinfo = (const char *)d + s.offset;
			out->modinfo_len = (size_t)s.size;
		} else if (strcmp(name, ".note.gnu.build-id") == 0 && !out->build_id &&
			   ck_note_build_id(d + s.offset, (size_t)s.size, v.be, &out->build_id,
					    &out->build_id_len, e) < 0) {
			char why[sizeof(e->msg)];

			memcpy(why, e->msg, sizeof(why));
			ck_seterr(e, "bad .note.gnu.build-id: %.400s", why);
			return -1;
		}
	}
	if (!out->modinfo) {
		ck_seterr(e, "no .modinfo section: not a kernel module");
		return -1;
	}
	return 0;
}

const char *ck_modinfo_get(const struct ck_elf_info *info, const char *key, size_t *vlen)
{
	size_t klen = strlen(key), off = 0;

	while (off < info->modinfo_len) {
		const char *p = info->modinfo + off;
		const char *end = memchr(p, '\0', info->modinfo_len - off);
		size_t n = end ? (size_t)(end - p) : info->modinfo_len - off;

		if (n > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			*vlen = n - klen - 1;
			return p + klen + 1;
		}
		off += n + 1;
	}
	*vlen = 0;
	return NULL;
}

/* The symbol table's section and its string table (sh_link), both checked. 0 or -1. */
static int symtab_sections(const struct elf_view *v, const struct sections *t, unsigned int idx,
			   struct shdr *sym, struct shdr *str, struct ck_err *e)
{
	uint64_t esz = v->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);

	if (idx == 0 || idx >= t->num) {
		ck_seterr(e, "no .symtab: the module's imports are unknown");
		return -1;
	}
	if (!elf_section(v, t, idx, sym, e))
		return -1;
	if (sym->type != SHT_SYMTAB || sym->entsize != esz) {
		ck_seterr(e, "bad .symtab (type %u, entry size %llu)", sym->type,
			  (unsigned long long)sym->entsize);
		return -1;
	}
	if (sym->link == SHN_UNDEF || sym->link >= t->num) {
		ck_seterr(e, "bad .symtab string table index %u", sym->link);
		return -1;
	}
	if (!elf_section(v, t, sym->link, str, e))
		return -1;
	if (str->type != SHT_STRTAB) {
		ck_seterr(e, "the .symtab string table (section %u) is not a STRTAB", sym->link);
		return -1;
	}
	return 0;
}

int ck_elf_find_import(const struct ck_elf_info *info, const char *prefix, char *out,
		       size_t outlen, struct ck_err *e)
{
	struct elf_view v = { info->image, info->image_len, 0, 0 };
	struct sections t;
	struct shdr sym, str;
	uint64_t i, esz;
	size_t plen = strlen(prefix);

	if (outlen)
		out[0] = '\0';
	if (elf_header(&v, e) < 0 || elf_sections(&v, &t, e) < 0 ||
	    symtab_sections(&v, &t, info->symtab, &sym, &str, e) < 0)
		return -1;
	esz = sym.entsize;
	for (i = 1; i < sym.size / esz; i++) {
		size_t off = (size_t)(sym.offset + i * esz);
		uint64_t name = rd(&v, off, 4), shndx = rd(&v, off + (v.is64 ? 6 : 14), 2);
		const char *s;

		if (shndx != SHN_UNDEF || name == 0)
			continue;
		if (name >= str.size ||
		    !memchr(v.d + str.offset + name, '\0', (size_t)(str.size - name))) {
			ck_seterr(e, "symbol %llu has a bad name offset %llu",
				  (unsigned long long)i, (unsigned long long)name);
			return -1;
		}
		s = (const char *)v.d + str.offset + name;
		if (strncmp(s, prefix, plen) == 0) {
			snprintf(out, outlen, "%s", s);
			return 1;
		}
	}
	return 0;
}
