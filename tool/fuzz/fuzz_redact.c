// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness: the redactor of `ceph-kmod debug collect`. Whatever the input, after
 * learning its secrets and redacting it, no 8-byte run of a learned secret may remain,
 * and a fixed cephx key planted in the input (whole, and split by a line break at an
 * input-chosen position) must be gone in all its forms. Also the control-file parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dyndbg.h"
#include "redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char key[] = "AQBKSGNlAAAAABAAoKGio6SlpqeoqaqrrK2urw==";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ck_redactor *r = ck_redactor_new(), *k = ck_redactor_new();
	struct ck_dd_sites s = { 0 };
	struct ck_buf out;
	unsigned char *in;
	size_t half = size / 2, split = size ? data[0] % 40 : 7, n = 0;

	if (!r || !k)
		abort();
	ck_dd_parse((const char *)data, size, NULL, &s);
	ck_dd_sites_free(&s);
	/* input halves around the key, and the key split by a newline */
	in = malloc(size + 2 * sizeof(key) + 2);
	memcpy(in, data, half);
	n = half;
	memcpy(in + n, key, sizeof(key) - 1);
	n += sizeof(key) - 1;
	in[n++] = ' ';
	memcpy(in + n, key, split);
	n += split;
	in[n++] = '\n';
	memcpy(in + n, key + split, sizeof(key) - 1 - split);
	n += sizeof(key) - 1 - split;
	memcpy(in + n, data + half, size - half);
	n += size - half;

	ck_redact_learn(r, in, n);
	if (ck_redact(r, in, n, &out) < 0)
		abort();
	if (ck_redact_leaks(r, out.data, out.len))
		__builtin_trap();
	ck_redact_add_secret(k, key, sizeof(key) - 1);
	if (ck_redact_leaks(k, out.data, out.len))
		__builtin_trap();
	ck_buf_free(&out);
	free(in);
	ck_redactor_free(r);
	ck_redactor_free(k);
	return 0;
}
