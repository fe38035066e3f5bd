/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny streaming JSON writer (for `status --json`). */
#ifndef CK_JSON_H
#define CK_JSON_H

#include <stdio.h>

#define CK_JSON_MAX_DEPTH 16

struct ck_json {
	FILE *f;
	int depth;
	int count[CK_JSON_MAX_DEPTH]; /* members written at each level */
};

void ck_json_init(struct ck_json *j, FILE *f);
/* key is NULL inside arrays and at the top level. */
void ck_json_obj_begin(struct ck_json *j, const char *key);
void ck_json_obj_end(struct ck_json *j);
void ck_json_arr_begin(struct ck_json *j, const char *key);
void ck_json_arr_end(struct ck_json *j);
/* val NULL writes null. */
void ck_json_str(struct ck_json *j, const char *key, const char *val);
void ck_json_strn(struct ck_json *j, const char *key, const char *val, size_t len);
void ck_json_bool(struct ck_json *j, const char *key, int val);
void ck_json_int(struct ck_json *j, const char *key, long val);

#endif
