// SPDX-License-Identifier: GPL-2.0
/* Decompression of compressed kernel modules, with an output size limit. */
#include "decompress.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static const unsigned char xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

enum ck_compression ck_detect_compression(const unsigned char *d, size_t len)
{
	if (len >= sizeof(xz_magic) && memcmp(d, xz_magic, sizeof(xz_magic)) == 0)
		return CK_COMP_XZ;
	if (len >= sizeof(zstd_magic) && memcmp(d, zstd_magic, sizeof(zstd_magic)) == 0)
		return CK_COMP_ZSTD;
	return CK_COMP_NONE;
}

const char *ck_compression_name(enum ck_compression c)
{
	switch (c) {
	case CK_COMP_XZ:
		return "xz";
	case CK_COMP_ZSTD:
		return "zstd";
	default:
		return "none";
	}
}

/* Grows the output buffer; returns -1 past max. */
static int grow(struct ck_buf *out, size_t *cap, size_t max, struct ck_err *e)
{
	size_t ncap = *cap ? *cap * 2 : 1 << 20;
	unsigned char *nd;

	if (*cap >= max) {
		ck_seterr(e, "decompressed module larger than %zu bytes", max);
		return -1;
	}
	if (ncap > max)
		ncap = max;
	nd = realloc(out->data, ncap);
	if (!nd) {
		ck_seterr(e, "out of memory");
		return -1;
	}
	out->data = nd;
	*cap = ncap;
	return 0;
}

static int unxz(const unsigned char *in, size_t len, size_t max, struct ck_buf *out,
		struct ck_err *e)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = 0;
	lzma_ret r;

	r = lzma_stream_decoder(&s, (uint64_t)256 << 20, LZMA_CONCATENATED);
	if (r != LZMA_OK) {
		ck_seterr(e, "xz: decoder init failed (%d)", (int)r);
		return -1;
	}
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		if (out->len == cap && grow(out, &cap, max, e) < 0)
			goto fail;
		s.next_out = out->data + out->len;
		s.avail_out = cap - out->len;
		r = lzma_code(&s, LZMA_FINISH);
		out->len = cap - s.avail_out;
		if (r == LZMA_STREAM_END)
			break;
		if (r != LZMA_OK) {
			const char *why = r == LZMA_DATA_ERROR	 ? "corrupt data" :
					  r == LZMA_BUF_ERROR	 ? "truncated input" :
					  r == LZMA_FORMAT_ERROR ? "bad format" :
					  r == LZMA_MEMLIMIT_ERROR ? "memory limit" :
					  r == LZMA_OPTIONS_ERROR ? "unsupported options" :
								     "decoder error";
			ck_seterr(e, "xz: %s (lzma error %d)", why, (int)r);
			goto fail;
		}
	}
	lzma_end(&s);
	return 0;
fail:
	lzma_end(&s);
	ck_buf_free(out);
	return -1;
}

static int unzstd(const unsigned char *in, size_t len, size_t max, struct ck_buf *out,
		  struct ck_err *e)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t cap = 0, r;

	if (!ds) {
		ck_seterr(e, "zstd: out of memory");
		return -1;
	}
	ZSTD_DCtx_setParameter(ds, ZSTD_d_windowLogMax, 27);
	for (;;) {
		ZSTD_outBuffer ob;

		if (out->len == cap && grow(out, &cap, max, e) < 0)
			goto fail;
		ob.dst = out->data;
		ob.size = cap;
		ob.pos = out->len;
		r = ZSTD_decompressStream(ds, &ob, &ib);
		out->len = ob.pos;
		if (ZSTD_isError(r)) {
			ck_seterr(e, "zstd: %s", ZSTD_getErrorName(r));
			goto fail;
		}
		if (ib.pos == ib.size && ob.pos < ob.size) {
			/* All input consumed and the decoder did not fill the output. */
			if (r != 0) {
				ck_seterr(e, "zstd: truncated input");
				goto fail;
			}
			break;
		}
	}
	ZSTD_freeDStream(ds);
	return 0;
fail:
	ZSTD_freeDStream(ds);
	ck_buf_free(out);
	return -1;
}

int ck_decompress(enum ck_compression c, const unsigned char *in, size_t len, size_t max,
		  struct ck_buf *out, struct ck_err *e)
{
	out->data = NULL;
	out->len = 0;
	switch (c) {
	case CK_COMP_XZ:
		return unxz(in, len, max, out, e);
	case CK_COMP_ZSTD:
		return unzstd(in, len, max, out, e);
	default:
		ck_seterr(e, "not compressed");
		return -1;
	}
}
