/* SPDX-License-Identifier: MIT */
#include "pflink/json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_dup_keys(const cJSON *o)
{
	const cJSON *it;
	const char **keys;
	int n = 0, i;
	bool dup = false;

	if (!cJSON_IsObject(o) && !cJSON_IsArray(o))
		return false;
	cJSON_ArrayForEach(it, o) {
		if (has_dup_keys(it))
			return true;
		n++;
	}
	if (!cJSON_IsObject(o) || n < 2)
		return false;
	/* Sorted, so a hostile object with many keys costs n log n. */
	keys = malloc((size_t)n * sizeof(*keys));
	if (!keys)
		return true;	/* cannot tell: refuse rather than guess */
	i = 0;
	cJSON_ArrayForEach(it, o)
		keys[i++] = it->string;
	qsort(keys, (size_t)n, sizeof(*keys), cmp_key);
	for (i = 1; i < n && !dup; i++)
		dup = !strcmp(keys[i - 1], keys[i]);
	free(keys);
	return dup;
}

cJSON *json_parse_exact(const char *buf, size_t len)
{
	const char *end = NULL;
	cJSON *j;

	if (!buf || memchr(buf, '\0', len))
		return NULL;
	j = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (!j)
		return NULL;
	for (; end < buf + len; end++)
		if (!strchr(" \t\r\n", *end))
			goto bad;
	if (has_dup_keys(j))
		goto bad;
	return j;
bad:
	cJSON_Delete(j);
	return NULL;
}

cJSON *json_add_item(cJSON *o, const char *key, cJSON *item)
{
	if (!item)
		return NULL;
	if (!cJSON_AddItemToObjectCS(o, key, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* v's digits, at the end of buf[24]: their start. */
static const char *int_digits(char buf[24], long long v)
{
	char *p = buf + 24;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return p;
}

cJSON *json_add_int(cJSON *o, const char *key, long long v)
{
	char buf[24];

	return json_add_item(o, key, cJSON_CreateRaw(int_digits(buf, v)));
}

/* ---- text written directly ---------------------------------------------- */

static char *text_room(struct json_text *t, size_t n)
{
	if (t->oom)
		return NULL;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *s;

		while (t->len + n + 1 > cap)
			cap *= 2;
		s = realloc(t->s, cap);
		if (!s) {
			t->oom = true;
			return NULL;
		}
		t->s = s;
		t->cap = cap;
	}
	return t->s + t->len;
}

void json_text_raw(struct json_text *t, const char *s)
{
	size_t n = strlen(s);
	char *p = text_room(t, n);

	if (!p)
		return;
	memcpy(p, s, n + 1);
	t->len += n;
}

void json_text_int(struct json_text *t, long long v)
{
	char buf[24];

	json_text_raw(t, int_digits(buf, v));
}

void json_text_str(struct json_text *t, const char *s)
{
	/* Escaped as cJSON's print_string_ptr escapes: the answers' bytes
	 * stay what they were when cJSON printed every string. */
	static const char hex[] = "0123456789abcdef";
	const unsigned char *c;
	size_t n = 2, plain;
	char *p;

	/* The run with nothing to escape (most strings: all of it) is copied. */
	for (c = (const unsigned char *)s; *c > 31 && *c != '"' && *c != '\\'; c++)
		;
	plain = (size_t)(c - (const unsigned char *)s);
	for (n += plain; *c; c++)
		n += *c == '"' || *c == '\\' ? 2 : *c < 32 ? (strchr("\b\f\n\r\t", *c) ? 2 : 6) : 1;
	if (!(p = text_room(t, n)))
		return;
	*p++ = '"';
	memcpy(p, s, plain);
	p += plain;
	for (c = (const unsigned char *)s + plain; *c; c++) {
		const char *e;

		if (*c > 31 && *c != '"' && *c != '\\') {
			*p++ = (char)*c;
			continue;
		}
		*p++ = '\\';
		if (*c == '"' || *c == '\\')
			*p++ = (char)*c;
		else if ((e = strchr("\b\f\n\r\t", *c)))
			*p++ = "bfnrt"[e - "\b\f\n\r\t"];
		else {
			memcpy(p, "u00", 3);
			p[3] = hex[*c >> 4];
			p[4] = hex[*c & 15];
			p += 5;
		}
	}
	*p++ = '"';
	*p = '\0';
	t->len += n;
}

cJSON *json_text_take(struct json_text *t)
{
	cJSON *o = t->oom || !t->s ? NULL : cJSON_CreateRaw(t->s);

	free(t->s);
	*t = (struct json_text){ 0 };
	return o;
}

cJSON *json_add_str(cJSON *o, const char *key, const char *v)
{
	return json_add_item(o, key, cJSON_CreateString(v));
}

cJSON *json_add_bool(cJSON *o, const char *key, int v)
{
	return json_add_item(o, key, cJSON_CreateBool(v));
}

cJSON *json_add_obj(cJSON *o, const char *key)
{
	return json_add_item(o, key, cJSON_CreateObject());
}

cJSON *json_add_arr(cJSON *o, const char *key)
{
	return json_add_item(o, key, cJSON_CreateArray());
}
