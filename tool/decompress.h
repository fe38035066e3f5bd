/* SPDX-License-Identifier: GPL-2.0 */
/* Decompression of .ko.xz (liblzma) and .ko.zst (libzstd) module images. */
#ifndef CK_DECOMPRESS_H
#define CK_DECOMPRESS_H

#include "ck.h"

enum ck_compression { CK_COMP_NONE, CK_COMP_XZ, CK_COMP_ZSTD };

/* Detected from the magic bytes, not from the file name. */
enum ck_compression ck_detect_compression(const unsigned char *d, size_t len);
const char *ck_compression_name(enum ck_compression c);

/* Decompresses in into out (at most max bytes). Returns 0 or -1 with e set. */
int ck_decompress(enum ck_compression c, const unsigned char *in, size_t len, size_t max,
		  struct ck_buf *out, struct ck_err *e);

#endif
