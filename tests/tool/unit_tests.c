// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ceph-kmod tool's parsers, mostly with hostile input: truncated
 * data, lengths past the end, wrong magic, absurd sizes, bad offsets. Built and run by
 * `make -C tool check` (and under ASan by `make -C tool asan`). Prints TAP-like lines
 * "ok N - what" / "not ok N - what"; exits 1 if anything failed.
 */
#include <lzma.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "certs.h"
#include "ck.h"
#include "config.h"
#include "decompress.h"
#include "efi.h"
#include "efi_siglist.h"
#include "elf_modinfo.h"
#include "json.h"
#include "modsig.h"
#include "module.h"
#include "pkcs7_verify.h"

struct t {
	int n, failed;
};

static void check(struct t *t, int cond, const char *what)
{
	t->n++;
	if (!cond)
		t->failed++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", t->n, what);
}

/* ---------- builders ---------- */

struct bytes {
	unsigned char *d;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->d = realloc(b->d, b->cap);
		if (!b->d)
			abort();
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void put_le(struct bytes *b, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(v >> (8 * i));

		put(b, &c, 1);
	}
}

static void set_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void pad_to(struct bytes *b, size_t align)
{
	static const unsigned char zero[16];

	while (b->len % align)
		put(b, zero, 1);
}

/* ELF64 LE relocatable object: [0] null, [1] .shstrtab, [2] .modinfo, [3] build-id note,
 * [4] .bss (NOBITS), [5] .symtab (imports printk and crypto_krb5_prepare_encryption,
 * defines local_sym), [6] .strtab. Offsets are returned for corruption tests. */
#define ELF_NSECT 7
struct elf_layout {
	size_t shoff, modinfo_off, symtab_off;
};

static const char modinfo_data[] = "license=GPL\0ceph_kmod_version=0.1.0\0"
				   "ceph_kmod_source=linux-source-6.1\0\0name=nbd";
static const unsigned char build_id[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
					    7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static const char sym_names[] = "\0printk\0crypto_krb5_prepare_encryption\0local_sym";

/* The symbols: null, printk (undefined), local_sym (in section 2), the krb5 import. */
static void put_symtab(struct bytes *b)
{
	static const struct {
		uint32_t name;
		uint16_t shndx;
	} syms[] = { { 0, 0 }, { 1, 0 }, { 39, 2 }, { 8, 0 } };
	unsigned char sym[24];
	size_t i;

	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		memset(sym, 0, sizeof(sym));
		set_le(sym, syms[i].name, 4);
		set_le(sym + 6, syms[i].shndx, 2);
		put(b, sym, sizeof(sym));
	}
}

static void build_elf(struct bytes *b, struct elf_layout *lay)
{
	static const char shstr[] =
		"\0.shstrtab\0.modinfo\0.note.gnu.build-id\0.bss\0.symtab\0.strtab";
	size_t off_str, off_mi, off_note, off_note_end, off_sym, off_symstr;
	unsigned char hdr[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	b->len = 0;
	set_le(hdr + 16, 1 /* ET_REL */, 2);
	set_le(hdr + 18, 62, 2);
	set_le(hdr + 20, 1, 4);
	set_le(hdr + 52, 64, 2);
	set_le(hdr + 58, 64, 2);
	set_le(hdr + 60, ELF_NSECT, 2);
	set_le(hdr + 62, 1, 2);
	put(b, hdr, sizeof(hdr));
	off_str = b->len;
	put(b, shstr, sizeof(shstr));
	off_mi = b->len;
	put(b, modinfo_data, sizeof(modinfo_data) - 1); /* last entry unterminated */
	pad_to(b, 4);
	off_note = b->len;
	put_le(b, 4, 4);
	put_le(b, sizeof(build_id), 4);
	put_le(b, 3 /* NT_GNU_BUILD_ID */, 4);
	put(b, "GNU", 4);
	put(b, build_id, sizeof(build_id));
	off_note_end = b->len;
	pad_to(b, 8);
	off_sym = b->len;
	put_symtab(b);
	off_symstr = b->len;
	put(b, sym_names, sizeof(sym_names));
	pad_to(b, 8);
	lay->shoff = b->len;
	lay->modinfo_off = off_mi;
	lay->symtab_off = off_sym;
	set_le(b->d + 40, b->len, 8);
	{
		unsigned char sh[64];
		struct {
			uint32_t name, type, link;
			size_t off, size, entsize;
		} s[ELF_NSECT] = {
			{ 0, 0, 0, 0, 0, 0 },
			{ 1, 3 /* STRTAB */, 0, off_str, sizeof(shstr), 0 },
			{ 11, 1 /* PROGBITS */, 0, off_mi, sizeof(modinfo_data) - 1, 0 },
			{ 20, 7 /* NOTE */, 0, off_note, off_note_end - off_note, 0 },
			{ 39, 8 /* NOBITS */, 0, 0xffffffffff, 0x100000, 0 },
			{ 44, 2 /* SYMTAB */, 6, off_sym, off_symstr - off_sym, 24 },
			{ 52, 3 /* STRTAB */, 0, off_symstr, sizeof(sym_names), 0 },
		};
		int i;

		for (i = 0; i < ELF_NSECT; i++) {
			memset(sh, 0, sizeof(sh));
			set_le(sh, s[i].name, 4);
			set_le(sh + 4, s[i].type, 4);
			set_le(sh + 24, s[i].off, 8);
			set_le(sh + 32, s[i].size, 8);
			set_le(sh + 40, s[i].link, 4);
			set_le(sh + 56, s[i].entsize, 8);
			put(b, sh, sizeof(sh));
		}
	}
}

static unsigned char *sh_field(struct bytes *b, const struct elf_layout *lay, int idx, int off)
{
	return b->d + lay->shoff + 64 * (size_t)idx + (size_t)off;
}

static int elf_fails(struct bytes *b)
{
	struct ck_elf_info info;
	struct ck_err e;

	e.msg[0] = '\0';
	return ck_elf_parse(b->d, b->len, &info, &e) == -1 && e.msg[0] != '\0';
}

/* ---------- crypto helpers ---------- */

static X509 *make_cert(EVP_PKEY **key_out, const char *cn)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	static long serial = 1000;

	if (!key || !x || !name)
		abort();
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
				   0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_NAME_free(name);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	if (!X509_sign(x, key, EVP_sha256()))
		abort();
	*key_out = key;
	return x;
}

/* Detached, no certs, no attributes: what scripts/sign-file produces. */
static int sign_like_kernel(X509 *cert, EVP_PKEY *key, const unsigned char *body, size_t len,
			    unsigned char **der, int flags_extra)
{
	BIO *in = BIO_new_mem_buf(body, (int)len);
	CMS_ContentInfo *cms;
	int n;

	cms = CMS_sign(NULL, NULL, NULL, NULL,
		       CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED | CMS_STREAM);
	if (!cms ||
	    !CMS_add1_signer(cms, cert, key, EVP_sha256(),
			     CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP | CMS_NOATTR) ||
	    CMS_final(cms, in, NULL, CMS_NOCERTS | CMS_BINARY) != 1)
		abort();
	if (flags_extra) /* make it non-detached */
		CMS_set_detached(cms, 0);
	*der = NULL;
	n = i2d_CMS_ContentInfo(cms, der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return n;
}

static int write_file(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(d, 1, n, f) == n;

	if (f)
		fclose(f);
	return ok;
}

/* ---------- tests ---------- */

static void test_modsig(struct t *t)
{
	unsigned char buf[256];
	struct ck_modsig ms;
	struct ck_err e;
	size_t len;

#define TRAILER(body_len, sig_len_v, idt)                                                   \
	do {                                                                                \
		memset(buf, 'B', sizeof(buf));                                              \
		len = (body_len) + 5;                                                       \
		memset(buf + len, 0, 12);                                                   \
		buf[len + 2] = (idt);                                                       \
		buf[len + 8] = (unsigned char)((uint32_t)(sig_len_v) >> 24);                \
		buf[len + 9] = (unsigned char)((uint32_t)(sig_len_v) >> 16);                \
		buf[len + 10] = (unsigned char)((uint32_t)(sig_len_v) >> 8);                \
		buf[len + 11] = (unsigned char)(sig_len_v);                                 \
		memcpy(buf + len + 12, CK_MODSIG_MAGIC, CK_MODSIG_MAGIC_LEN);               \
		len += 12 + CK_MODSIG_MAGIC_LEN;                                            \
	} while (0)

	check(t, ck_modsig_parse(NULL, 0, &ms, &e) == CK_MODSIG_NONE, "modsig: NULL input is unsigned");
	check(t, ck_modsig_parse(buf, 0, &ms, &e) == CK_MODSIG_NONE, "modsig: empty input is unsigned");
	memcpy(buf, CK_MODSIG_MAGIC, 10);
	check(t, ck_modsig_parse(buf, 10, &ms, &e) == CK_MODSIG_NONE,
	      "modsig: input shorter than the magic is unsigned");
	TRAILER(10, 5, 2);
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_OK && ms.sig_len == 5 &&
			 ms.body_len == 10 && ms.sig == buf + 10,
	      "modsig: well-formed trailer parses (body 10, sig 5)");
	buf[len - 2] ^= 1;
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_NONE,
	      "modsig: one wrong magic byte means unsigned");
	memcpy(buf, CK_MODSIG_MAGIC, CK_MODSIG_MAGIC_LEN);
	check(t, ck_modsig_parse(buf, CK_MODSIG_MAGIC_LEN, &ms, &e) == CK_MODSIG_BAD,
	      "modsig: magic without module_signature is malformed");
	memset(buf, 0, 11);
	memcpy(buf + 11, CK_MODSIG_MAGIC, CK_MODSIG_MAGIC_LEN);
	check(t, ck_modsig_parse(buf, 11 + CK_MODSIG_MAGIC_LEN, &ms, &e) == CK_MODSIG_BAD,
	      "modsig: 11-byte module_signature is malformed");
	TRAILER(10, 0, 2);
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_BAD, "modsig: sig_len 0 is malformed");
	TRAILER(10, 0xffffffffu, 2);
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_BAD && strstr(e.msg, "exceeds"),
	      "modsig: absurd sig_len 0xffffffff is malformed");
	TRAILER(10, 16, 2);
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_BAD,
	      "modsig: sig_len one past the start of the file is malformed");
	TRAILER(10, 15, 2);
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_OK && ms.body_len == 0,
	      "modsig: sig_len covering everything leaves an empty body");
	TRAILER(10, 5, 1);
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_BAD, "modsig: id_type 1 (GPG) is rejected");
	TRAILER(10, 5, 2);
	buf[len - CK_MODSIG_MAGIC_LEN - 12 + 5] = 1;
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_BAD, "modsig: non-zero pad is rejected");
	TRAILER(10, 5, 2);
	buf[len - CK_MODSIG_MAGIC_LEN - 12 + 3] = 4;
	check(t, ck_modsig_parse(buf, len, &ms, &e) == CK_MODSIG_BAD,
	      "modsig: non-zero signer_len is rejected for PKCS#7");
#undef TRAILER
}

/* ck_elf_find_import on the image in b: its result, the name in name. */
static int find_import(struct bytes *b, const char *prefix, char *name, size_t len)
{
	struct ck_elf_info info;
	struct ck_err e;

	if (ck_elf_parse(b->d, b->len, &info, &e) < 0)
		return -2;
	e.msg[0] = '\0';
	return ck_elf_find_import(&info, prefix, name, len, &e);
}

static void test_elf_imports(struct t *t, struct bytes *b, struct elf_layout *lay)
{
	char name[64];

	build_elf(b, lay);
	check(t, find_import(b, "crypto_krb5_", name, sizeof(name)) == 1 &&
			 strcmp(name, "crypto_krb5_prepare_encryption") == 0,
	      "elf imports: an undefined crypto_krb5_ symbol is found by prefix");
	check(t, find_import(b, "local_", name, sizeof(name)) == 0 && !name[0],
	      "elf imports: a defined symbol is not an import");
	check(t, find_import(b, "crypto_krb5_", name, 8) == 1 && strcmp(name, "crypto_") == 0,
	      "elf imports: the name is truncated to the buffer");
	set_le(sh_field(b, lay, 5, 4), 1, 4); /* .symtab now PROGBITS: no symbol table */
	check(t, find_import(b, "crypto_krb5_", name, sizeof(name)) == -1,
	      "elf imports: no .symtab -> unknown");
	build_elf(b, lay);
	set_le(sh_field(b, lay, 5, 40), 9, 4);
	check(t, find_import(b, "x", name, sizeof(name)) == -1,
	      "elf imports: string table index out of range rejected");
	build_elf(b, lay);
	set_le(sh_field(b, lay, 5, 40), 2, 4);
	check(t, find_import(b, "x", name, sizeof(name)) == -1,
	      "elf imports: string table that is not STRTAB rejected");
	build_elf(b, lay);
	set_le(sh_field(b, lay, 5, 56), 16, 8);
	check(t, find_import(b, "x", name, sizeof(name)) == -1,
	      "elf imports: wrong symbol entry size rejected");
	build_elf(b, lay);
	set_le(b->d + lay->symtab_off + 24, 5000, 4);
	check(t, find_import(b, "x", name, sizeof(name)) == -1,
	      "elf imports: symbol name offset past the string table rejected");
	build_elf(b, lay);
	set_le(sh_field(b, lay, 6, 32), 20, 8); /* cuts crypto_krb5_prepare_encryption */
	check(t, find_import(b, "printk", name, sizeof(name)) == 1 &&
			 find_import(b, "crypto_krb5_", name, sizeof(name)) == -1,
	      "elf imports: a name unterminated at the string table's end rejected");
}

static void test_elf(struct t *t)
{
	struct bytes b = { 0 };
	struct elf_layout lay;
	struct ck_elf_info info;
	struct ck_err e;
	size_t n;
	const char *v;

	build_elf(&b, &lay);
	check(t, ck_elf_parse(b.d, b.len, &info, &e) == 0, "elf: synthetic module parses");
	v = ck_modinfo_get(&info, "ceph_kmod_version", &n);
	check(t, v && n == 5 && memcmp(v, "0.1.0", 5) == 0, "elf: modinfo ceph_kmod_version found");
	v = ck_modinfo_get(&info, "name", &n);
	check(t, v && n == 3 && memcmp(v, "nbd", 3) == 0,
	      "elf: unterminated last modinfo entry is bounded by the section");
	check(t, ck_modinfo_get(&info, "ceph_kmod", &n) == NULL, "elf: key prefix does not match");
	check(t, ck_modinfo_get(&info, "missing", &n) == NULL, "elf: missing key is NULL");
	check(t, info.build_id && info.build_id_len == 20 &&
			 memcmp(info.build_id, build_id, 20) == 0,
	      "elf: build-id read from .note.gnu.build-id");

	check(t, ck_elf_parse(NULL, 0, &info, &e) == -1, "elf: NULL input rejected");
	check(t, ck_elf_parse(b.d, 10, &info, &e) == -1, "elf: 10-byte file rejected");
	check(t, ck_elf_parse(b.d, 40, &info, &e) == -1 && strstr(e.msg, "truncated"),
	      "elf: truncated ELF header rejected");
	build_elf(&b, &lay);
	b.d[1] = 'X';
	check(t, elf_fails(&b) && strstr(e.msg, "") != NULL, "elf: wrong magic rejected");
	build_elf(&b, &lay);
	b.d[4] = 7;
	check(t, elf_fails(&b), "elf: bad class rejected");
	build_elf(&b, &lay);
	b.d[5] = 0;
	check(t, elf_fails(&b), "elf: bad data encoding rejected");
	build_elf(&b, &lay);
	set_le(b.d + 16, 2, 2);
	check(t, elf_fails(&b), "elf: ET_EXEC rejected (not a module)");
	build_elf(&b, &lay);
	set_le(b.d + 40, b.len, 8);
	check(t, elf_fails(&b), "elf: section table at end of file rejected");
	build_elf(&b, &lay);
	set_le(b.d + 40, 0xffffffffffffff00ull, 8);
	check(t, elf_fails(&b), "elf: section table offset near 2^64 (overflow) rejected");
	build_elf(&b, &lay);
	set_le(b.d + 60, 0xfeff, 2);
	check(t, elf_fails(&b), "elf: section count past the end rejected");
	build_elf(&b, &lay);
	set_le(b.d + 60, 0, 2);
	check(t, elf_fails(&b), "elf: zero sections rejected");
	build_elf(&b, &lay);
	set_le(b.d + 58, 40, 2);
	check(t, elf_fails(&b), "elf: wrong section header size rejected");
	build_elf(&b, &lay);
	set_le(b.d + 62, 9, 2);
	check(t, elf_fails(&b), "elf: section name table index out of range rejected");
	build_elf(&b, &lay);
	set_le(b.d + 62, 2, 2);
	check(t, elf_fails(&b), "elf: section name table that is not STRTAB rejected");
	build_elf(&b, &lay);
	set_le(sh_field(&b, &lay, 2, 24), b.len + 1, 8);
	check(t, elf_fails(&b), "elf: .modinfo offset past the end rejected");
	build_elf(&b, &lay);
	set_le(sh_field(&b, &lay, 2, 32), 0xffffffffffffffffull, 8);
	check(t, elf_fails(&b), "elf: .modinfo size 2^64-1 rejected");
	build_elf(&b, &lay);
	set_le(sh_field(&b, &lay, 1, 32), 0x7fffffff, 8);
	check(t, elf_fails(&b), "elf: huge name table rejected");
	build_elf(&b, &lay);
	set_le(sh_field(&b, &lay, 2, 0), 5000, 4);
	check(t, elf_fails(&b), "elf: section name offset past the name table rejected");
	build_elf(&b, &lay);
	set_le(sh_field(&b, &lay, 2, 0), 1, 4); /* rename .modinfo to .shstrtab */
	check(t, elf_fails(&b), "elf: object without .modinfo rejected");
	build_elf(&b, &lay);
	set_le(sh_field(&b, &lay, 3, 32), 12, 8); /* note keeps only its header */
	check(t, elf_fails(&b), "elf: build-id note with name/desc past the section rejected");
	build_elf(&b, &lay);
	{
		unsigned char *note = b.d + (size_t)(sh_field(&b, &lay, 3, 24)[0] |
						    sh_field(&b, &lay, 3, 24)[1] << 8);

		set_le(note + 4, 0xfffffff0u, 4);
	}
	check(t, elf_fails(&b), "elf: build-id descsz near 2^32 rejected");
	build_elf(&b, &lay);
	check(t, ck_elf_parse(b.d, lay.shoff + 64 * ELF_NSECT - 1, &info, &e) == -1,
	      "elf: file cut one byte short of the section table rejected");
	test_elf_imports(t, &b, &lay);
	free(b.d);

	{
		unsigned char note[36];
		const unsigned char *id;
		size_t idlen;

		set_le(note, 4, 4);
		set_le(note + 4, 20, 4);
		set_le(note + 8, 3, 4);
		memcpy(note + 12, "GNU", 4);
		memcpy(note + 16, build_id, 20);
		check(t, ck_note_build_id(note, 36, 0, &id, &idlen, &e) == 0 && idlen == 20,
		      "note: sysfs-style build-id note parses");
		check(t, ck_note_build_id(note, 35, 0, &id, &idlen, &e) == -1,
		      "note: truncated build-id note rejected");
		check(t, ck_note_build_id(note, 7, 0, &id, &idlen, &e) == -1,
		      "note: truncated note header rejected");
		set_le(note + 8, 1, 4);
		check(t, ck_note_build_id(note, 36, 0, &id, &idlen, &e) == 1,
		      "note: other note types are skipped");
	}
}

static void test_efi(struct t *t)
{
	EVP_PKEY *k1, *k2;
	X509 *c1 = make_cert(&k1, "efi one"), *c2 = make_cert(&k2, "efi two");
	unsigned char *der = NULL;
	int dlen = i2d_X509(c1, &der);
	struct bytes b = { 0 };
	struct ck_err e;
	char g[40];

	ck_efi_guid_str(&CK_EFI_CERT_X509_GUID, g, sizeof(g));
	check(t, strcmp(g, "a5c059a1-94e4-4aa7-87b5-ab155c2bf072") == 0, "efi: X509 GUID text");
	ck_efi_guid_str(&CK_SHIM_LOCK_GUID, g, sizeof(g));
	check(t, strcmp(g, "605dab50-e046-4300-abb6-3dd810dd8b23") == 0, "efi: shim GUID text");

	/* list 1: one SHA256 entry; list 2: our certificate. */
	put(&b, CK_EFI_CERT_SHA256_GUID.b, 16);
	put_le(&b, 28 + 16 + 32, 4);
	put_le(&b, 0, 4);
	put_le(&b, 16 + 32, 4);
	put(&b, CK_SHIM_LOCK_GUID.b, 16);
	{
		unsigned char h[32] = { 1 };

		put(&b, h, 32);
	}
	put(&b, CK_EFI_CERT_X509_GUID.b, 16);
	put_le(&b, 28 + 16 + (uint64_t)dlen, 4);
	put_le(&b, 0, 4);
	put_le(&b, 16 + (uint64_t)dlen, 4);
	put(&b, CK_SHIM_LOCK_GUID.b, 16);
	put(&b, der, (size_t)dlen);

	check(t, ck_efi_siglist_parse(b.d, b.len, NULL, NULL, &e) == 2, "efi: two lists, two signatures");
	check(t, ck_efi_siglist_has_cert(b.d, b.len, c1, &e) == 1, "efi: enrolled certificate found");
	check(t, ck_efi_siglist_has_cert(b.d, b.len, c2, &e) == 0, "efi: other certificate not found");
	check(t, ck_efi_siglist_parse(b.d, 0, NULL, NULL, &e) == 0, "efi: empty variable has no entries");
	check(t, ck_efi_siglist_parse(b.d, 27, NULL, NULL, &e) == -1, "efi: truncated list header rejected");
	check(t, ck_efi_siglist_parse(b.d, b.len - 1, NULL, NULL, &e) == -1,
	      "efi: last list cut by one byte rejected");
	check(t, ck_efi_siglist_has_cert(b.d, b.len - 1, c1, &e) == -1,
	      "efi: has_cert reports malformed lists");
	{
		unsigned char *m = malloc(b.len);

		memcpy(m, b.d, b.len);
		set_le(m + 16, 20, 4);
		check(t, ck_efi_siglist_parse(m, b.len, NULL, NULL, &e) == -1,
		      "efi: SignatureListSize below the header rejected");
		memcpy(m, b.d, b.len);
		set_le(m + 16, 0xffffffffu, 4);
		check(t, ck_efi_siglist_parse(m, b.len, NULL, NULL, &e) == -1,
		      "efi: SignatureListSize 0xffffffff rejected");
		memcpy(m, b.d, b.len);
		set_le(m + 20, 0xfffffff0u, 4);
		check(t, ck_efi_siglist_parse(m, b.len, NULL, NULL, &e) == -1,
		      "efi: SignatureHeaderSize past the list rejected");
		memcpy(m, b.d, b.len);
		set_le(m + 24, 0, 4);
		check(t, ck_efi_siglist_parse(m, b.len, NULL, NULL, &e) == -1,
		      "efi: SignatureSize 0 rejected (no division by zero)");
		memcpy(m, b.d, b.len);
		set_le(m + 24, 16, 4);
		check(t, ck_efi_siglist_parse(m, b.len, NULL, NULL, &e) == -1,
		      "efi: SignatureSize of only the owner GUID rejected");
		memcpy(m, b.d, b.len);
		set_le(m + 24, 47, 4);
		check(t, ck_efi_siglist_parse(m, b.len, NULL, NULL, &e) == -1,
		      "efi: signatures not a multiple of SignatureSize rejected");
		memcpy(m, b.d, b.len);
		set_le(m + 76 + 16, 0xffffffffu, 4);
		check(t, ck_efi_siglist_parse(m, b.len, NULL, NULL, &e) == -1,
		      "efi: broken second list rejected");
		free(m);
	}
	/* The efivarfs file form (4 attribute bytes) through ck_mok_enrolled. */
	{
		char path[] = "/tmp/ck-unit-moklist-XXXXXX";
		int fd = mkstemp(path);

		if (fd >= 0) {
			char how[256];
			unsigned char attr[4] = { 6, 0, 0, 0 };

			close(fd);
			FILE *f = fopen(path, "wb");

			fwrite(attr, 1, 4, f);
			fwrite(b.d, 1, b.len, f);
			fclose(f);
			setenv("CEPH_KMOD_MOKLIST", path, 1);
			check(t, ck_mok_enrolled(c1, NULL, how, sizeof(how), &e) == CK_ENR_YES,
			      "efi: MokListRT file (with attributes) says enrolled");
			check(t, ck_mok_enrolled(c2, NULL, how, sizeof(how), &e) == CK_ENR_NO,
			      "efi: MokListRT file says other cert not enrolled");
			write_file(path, attr, 3);
			check(t, ck_mok_enrolled(c1, NULL, how, sizeof(how), &e) == CK_ENR_UNKNOWN,
			      "efi: 3-byte MokListRT file is an error, not a crash");
			unsetenv("CEPH_KMOD_MOKLIST");
			unlink(path);
		}
	}
	check(t, ck_mokutil_test_key_parse("x.der is already enrolled\n", 1) == CK_ENR_YES &&
			 ck_mokutil_test_key_parse("x.der is not enrolled\n", 0) == CK_ENR_NO &&
			 ck_mokutil_test_key_parse(
				 "x.der is already in the enrollment request\n", 0) == CK_ENR_PENDING &&
			 ck_mokutil_test_key_parse("EFI variables are not supported", 255) ==
				 CK_ENR_UNKNOWN,
	      "efi: mokutil --test-key output classified");
	free(b.d);
	OPENSSL_free(der);
	X509_free(c1);
	X509_free(c2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

/* A zstd frame with a content checksum, as zstd(1) and the kernel's module compression
 * write it: a corrupted frame must then be rejected, not merely decoded differently. */
static size_t zstd_with_checksum(void *dst, size_t cap, const void *src, size_t len)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t n;

	if (!cctx)
		abort();
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(cctx, dst, cap, src, len);
	ZSTD_freeCCtx(cctx);
	return n;
}

static void test_decompress(struct t *t)
{
	static unsigned char plain[300000];
	unsigned char *xz = malloc(sizeof(plain) + 1024), *zs;
	size_t xz_len = 0, zs_len, i;
	struct ck_buf out;
	struct ck_err e;

	for (i = 0; i < sizeof(plain); i++)
		plain[i] = (unsigned char)(i * 7 + i / 1000);
	if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, plain, sizeof(plain), xz, &xz_len,
				    sizeof(plain) + 1024) != LZMA_OK)
		abort();
	zs_len = ZSTD_compressBound(sizeof(plain));
	zs = malloc(zs_len);
	zs_len = zstd_with_checksum(zs, zs_len, plain, sizeof(plain));
	if (ZSTD_isError(zs_len))
		abort();

	check(t, ck_detect_compression(xz, xz_len) == CK_COMP_XZ, "decompress: xz magic detected");
	check(t, ck_detect_compression(zs, zs_len) == CK_COMP_ZSTD, "decompress: zstd magic detected");
	check(t, ck_detect_compression(plain, 3) == CK_COMP_NONE, "decompress: 3 bytes are not compressed");
	check(t, ck_decompress(CK_COMP_XZ, xz, xz_len, 1 << 20, &out, &e) == 0 &&
			 out.len == sizeof(plain) && memcmp(out.data, plain, out.len) == 0,
	      "decompress: xz round trip");
	ck_buf_free(&out);
	check(t, ck_decompress(CK_COMP_ZSTD, zs, zs_len, 1 << 20, &out, &e) == 0 &&
			 out.len == sizeof(plain) && memcmp(out.data, plain, out.len) == 0,
	      "decompress: zstd round trip");
	ck_buf_free(&out);
	check(t, ck_decompress(CK_COMP_XZ, xz, xz_len / 2, 1 << 20, &out, &e) == -1 && !out.data,
	      "decompress: truncated xz rejected");
	check(t, ck_decompress(CK_COMP_ZSTD, zs, zs_len / 2, 1 << 20, &out, &e) == -1 && !out.data,
	      "decompress: truncated zstd rejected");
	check(t, ck_decompress(CK_COMP_XZ, xz, 6, 1 << 20, &out, &e) == -1,
	      "decompress: xz magic only rejected");
	check(t, ck_decompress(CK_COMP_ZSTD, zs, 4, 1 << 20, &out, &e) == -1,
	      "decompress: zstd magic only rejected");
	xz[xz_len / 2] ^= 0x55;
	check(t, ck_decompress(CK_COMP_XZ, xz, xz_len, 1 << 20, &out, &e) == -1,
	      "decompress: corrupted xz rejected");
	zs[zs_len / 2] ^= 0x55;
	zs[zs_len / 2 + 1] ^= 0x55;
	check(t, ck_decompress(CK_COMP_ZSTD, zs, zs_len, 1 << 20, &out, &e) == -1 && !out.data,
	      "decompress: corrupted zstd rejected (frame with a content checksum, as zstd(1) writes)");
	ck_buf_free(&out);
	xz[xz_len / 2] ^= 0x55;
	check(t, ck_decompress(CK_COMP_XZ, xz, xz_len, 100000, &out, &e) == -1 &&
			 strstr(e.msg, "larger"),
	      "decompress: output limit enforced (decompression bomb)");
	free(xz);
	free(zs);
}

static void test_pkcs7(struct t *t)
{
	EVP_PKEY *k1, *k2;
	X509 *c1 = make_cert(&k1, "signer one"), *c2 = make_cert(&k2, "signer two");
	STACK_OF(X509) *one = sk_X509_new_null(), *two = sk_X509_new_null(),
		       *none = sk_X509_new_null(), *both = sk_X509_new_null();
	unsigned char body[4096], *sig = NULL, *attached = NULL;
	struct ck_sig_report r;
	struct ck_err e;
	int n, na;

	memset(body, 0x5a, sizeof(body));
	sk_X509_push(one, c1);
	sk_X509_push(two, c2);
	sk_X509_push(both, c2);
	sk_X509_push(both, c1);
	n = sign_like_kernel(c1, k1, body, sizeof(body), &sig, 0);
	na = sign_like_kernel(c1, k1, body, sizeof(body), &attached, 1);

	check(t, ck_pkcs7_verify(body, sizeof(body), sig, (size_t)n, one, &r, &e) == CK_VALID &&
			 strcmp(r.signer, "signer one") == 0 && strcmp(r.hash, "sha256") == 0 &&
			 strtol(r.key_id, NULL, 16) == ASN1_INTEGER_get(X509_get0_serialNumber(c1)),
	      "pkcs7: valid signature, signer/serial/hash reported");
	check(t, ck_pkcs7_verify(body, sizeof(body), sig, (size_t)n, both, &r, &e) == CK_VALID,
	      "pkcs7: matching certificate found among several");
	body[100] ^= 1;
	check(t, ck_pkcs7_verify(body, sizeof(body), sig, (size_t)n, one, &r, &e) == CK_BADSIG,
	      "pkcs7: flipped body byte is a bad signature");
	body[100] ^= 1;
	check(t, ck_pkcs7_verify(body, sizeof(body) - 1, sig, (size_t)n, one, &r, &e) == CK_BADSIG,
	      "pkcs7: shortened body is a bad signature");
	check(t, ck_pkcs7_verify(body, sizeof(body), sig, (size_t)n, two, &r, &e) == CK_NOCERT &&
			 strcmp(r.signer, "signer one") == 0,
	      "pkcs7: other certificate gives no-matching-cert and still names the signer");
	check(t, ck_pkcs7_verify(body, sizeof(body), sig, (size_t)n, none, &r, &e) == CK_NOCERT,
	      "pkcs7: no certificates gives no-matching-cert");
	check(t, ck_pkcs7_verify(body, sizeof(body), sig, (size_t)n - 1, one, &r, &e) == CK_MALFORMED,
	      "pkcs7: DER cut by one byte is malformed");
	check(t, ck_pkcs7_verify(body, sizeof(body), sig, 10, one, &r, &e) == CK_MALFORMED,
	      "pkcs7: 10-byte signature is malformed");
	check(t, ck_pkcs7_verify(body, sizeof(body), body, 200, one, &r, &e) == CK_MALFORMED,
	      "pkcs7: garbage signature is malformed");
	{
		unsigned char *longer = malloc((size_t)n + 3);

		memcpy(longer, sig, (size_t)n);
		memset(longer + n, 0, 3);
		check(t, ck_pkcs7_verify(body, sizeof(body), longer, (size_t)n + 3, one, &r, &e) ==
				 CK_MALFORMED,
		      "pkcs7: trailing bytes after the DER are malformed");
		free(longer);
	}
	check(t, ck_pkcs7_verify(body, sizeof(body), attached, (size_t)na, one, &r, &e) ==
			 CK_MALFORMED,
	      "pkcs7: non-detached signedData is rejected");

	/* Whole module path: synthetic ELF + kernel-style trailer, plain and xz. */
	{
		struct bytes b = { 0 };
		struct elf_layout lay;
		struct ck_buf img;
		struct ck_module m;
		unsigned char *msig = NULL, info[12] = { 0 };
		int ml;
		uint8_t *xz;
		size_t xz_len = 0;

		build_elf(&b, &lay);
		ml = sign_like_kernel(c1, k1, b.d, b.len, &msig, 0);
		info[2] = 2;
		info[8] = (unsigned char)(ml >> 24);
		info[9] = (unsigned char)(ml >> 16);
		info[10] = (unsigned char)(ml >> 8);
		info[11] = (unsigned char)ml;
		put(&b, msig, (size_t)ml);
		put(&b, info, 12);
		put(&b, CK_MODSIG_MAGIC, CK_MODSIG_MAGIC_LEN);
		img.data = malloc(b.len);
		memcpy(img.data, b.d, b.len);
		img.len = b.len;
		check(t, ck_module_from_image(&img, &m, &e) == CK_VALID &&
				 ck_module_verify(&m, one, &r, &e) == CK_VALID,
		      "module: signed synthetic module verifies");
		ck_module_free(&m);
		xz = malloc(b.len + 1024);
		lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, b.d, b.len, xz, &xz_len,
					b.len + 1024);
		img.data = xz;
		img.len = xz_len;
		check(t, ck_module_from_image(&img, &m, &e) == CK_VALID &&
				 m.compression == CK_COMP_XZ &&
				 ck_module_verify(&m, one, &r, &e) == CK_VALID,
		      "module: xz-compressed signed synthetic module verifies");
		ck_module_free(&m);
		img.data = malloc(lay.shoff);
		memcpy(img.data, b.d, lay.shoff);
		img.len = lay.shoff;
		check(t, ck_module_from_image(&img, &m, &e) == CK_MALFORMED,
		      "module: body cut before the section table is malformed");
		ck_module_free(&m);
		img.data = malloc(b.len);
		memcpy(img.data, b.d, b.len);
		img.len = b.len;
		img.data[img.len - CK_MODSIG_MAGIC_LEN - 1] = 0xff; /* sig_len low byte */
		check(t, ck_module_from_image(&img, &m, &e) == CK_MALFORMED,
		      "module: wrong sig_len makes the body a non-ELF: malformed");
		ck_module_free(&m);
		OPENSSL_free(msig);
		free(b.d);
	}
	sk_X509_free(one);
	sk_X509_free(two);
	sk_X509_free(none);
	sk_X509_free(both);
	OPENSSL_free(sig);
	OPENSSL_free(attached);
	X509_free(c1);
	X509_free(c2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

static void test_certs(struct t *t)
{
	EVP_PKEY *k;
	X509 *c = make_cert(&k, "cert test");
	STACK_OF(X509) *s = sk_X509_new_null();
	char path[] = "/tmp/ck-unit-cert-XXXXXX";
	int fd = mkstemp(path);
	unsigned char *der = NULL;
	int n = i2d_X509(c, &der);
	struct ck_err e;
	FILE *f;

	close(fd);
	write_file(path, der, (size_t)n);
	check(t, ck_certs_load_file(path, s, &e) == 1, "certs: DER certificate loads");
	write_file(path, der, (size_t)n - 1);
	check(t, ck_certs_load_file(path, s, &e) == -1, "certs: truncated DER rejected");
	write_file(path, "", 0);
	check(t, ck_certs_load_file(path, s, &e) == -1, "certs: empty file rejected");
	f = fopen(path, "w");
	PEM_write_X509(f, c);
	PEM_write_X509(f, c);
	fclose(f);
	check(t, ck_certs_load_file(path, s, &e) == 2, "certs: PEM file with two certificates loads both");
	write_file(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 58);
	check(t, ck_certs_load_file(path, s, &e) == -1, "certs: broken PEM rejected");
	check(t, ck_certs_load_file("/nonexistent/cert", s, &e) == -1, "certs: missing file rejected");
	unlink(path);
	OPENSSL_free(der);
	sk_X509_pop_free(s, X509_free);
	X509_free(c);
	EVP_PKEY_free(k);
}

static void test_config(struct t *t)
{
	char path[] = "/tmp/ck-unit-conf-XXXXXX";
	int fd = mkstemp(path);
	char out[256];
	static const char conf[] = "# comment\n"
				   "MOK_CERT = /first.pem\n"
				   "  MOK_CERT=\"/second.pem\"   # trailing comment\n"
				   "MOK_CERTX=/wrong\n"
				   "MOK_KEY=/key\n";

	close(fd);
	write_file(path, conf, sizeof(conf) - 1);
	setenv("CEPH_KMOD_CONF", path, 1);
	unsetenv("CEPH_KMOD_MOK_CERT");
	check(t, ck_mok_cert_path(out, sizeof(out)) == 0 && strcmp(out, "/second.pem") == 0,
	      "config: last MOK_CERT line wins, quotes and comments stripped");
	setenv("CEPH_KMOD_MOK_CERT", "/env.pem", 1);
	check(t, ck_mok_cert_path(out, sizeof(out)) == 0 && strcmp(out, "/env.pem") == 0,
	      "config: CEPH_KMOD_MOK_CERT wins over the file");
	unsetenv("CEPH_KMOD_MOK_CERT");
	setenv("CEPH_KMOD_CONF", "/nonexistent/ceph-kmod.conf", 1);
	check(t, ck_mok_cert_path(out, sizeof(out)) == 0 && strcmp(out, CK_DEFAULT_MOK_CERT) == 0,
	      "config: missing file falls back to /var/lib/dkms/mok.pub");
	unsetenv("CEPH_KMOD_CONF");
	unlink(path);
}

static void test_json(struct t *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ck_json j;

	ck_json_init(&j, f);
	ck_json_obj_begin(&j, NULL);
	ck_json_str(&j, "a", "q\"\\\n\x01");
	ck_json_str(&j, "b", "\xff\xfe");
	ck_json_arr_begin(&j, "c");
	ck_json_arr_end(&j);
	ck_json_str(&j, "d", NULL);
	ck_json_obj_end(&j);
	fclose(f);
	check(t, strstr(buf, "\"q\\\"\\\\\\n\\u0001\"") != NULL, "json: control chars and quotes escaped");
	check(t, strstr(buf, "\"\\u00ff\\u00fe\"") != NULL, "json: invalid UTF-8 escaped");
	check(t, strstr(buf, "\"c\": []") && strstr(buf, "\"d\": null"), "json: empty array and null");
	free(buf);
}

int main(void)
{
	struct t t = { 0, 0 };

	test_modsig(&t);
	test_elf(&t);
	test_efi(&t);
	test_decompress(&t);
	test_pkcs7(&t);
	test_certs(&t);
	test_config(&t);
	test_json(&t);
	printf("unit: %d passed, %d failed\n", t.n - t.failed, t.failed);
	return t.failed ? 1 : 0;
}
