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

cJSON *json_add_int(cJSON *o, const char *key, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return json_add_item(o, key, cJSON_CreateRaw(p));
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
