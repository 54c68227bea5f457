/* SPDX-License-Identifier: MIT */
/* Strict JSON input for every parser of the project. */
#ifndef PFLINK_JSON_H
#define PFLINK_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Parse buf[0..len) as exactly one JSON value: no NUL byte, nothing but
 * white space after it, and no object repeating a key (cJSON would read the
 * first, Go's encoding/json -- libcni, every runtime -- the last, so such
 * input means different things to pflink and to its peers).
 * NULL on any of those. */
cJSON *json_parse_exact(const char *buf, size_t len);

/* Building objects for output.  key must outlive o (a string literal, a
 * static table's): it is not copied (cJSON's "CS" keys), which saves one
 * allocation in three of an answer with many members.  Each returns the
 * item added, NULL when out of memory. */

/* o[key] = v, a whole number printed as its digits.  cJSON prints every
 * number with "%1.15g", reads it back with sscanf and may print it again
 * with "%1.17g" (a microsecond or two each: most of the CPU of an answer
 * with many numbers), and above 2^53 inexactly. */
cJSON *json_add_int(cJSON *o, const char *key, long long v);
cJSON *json_add_str(cJSON *o, const char *key, const char *v);
cJSON *json_add_bool(cJSON *o, const char *key, int v);
cJSON *json_add_obj(cJSON *o, const char *key);
cJSON *json_add_arr(cJSON *o, const char *key);
/* o[key] = item, taking it (freed here when it cannot be added). */
cJSON *json_add_item(cJSON *o, const char *key, cJSON *item);

/* JSON text written directly, for the parts of an answer repeated a
 * thousand times (a 64-VF PF's netdevs at 1000 netns): a cJSON node per
 * member costs two allocations and their frees, a raw node one for all.
 * Strings are escaped byte for byte as cJSON prints them.  After an
 * allocation failed, every call does nothing and take answers NULL. */
struct json_text {
	char *s;
	size_t len, cap;
	bool oom;
};
void json_text_raw(struct json_text *t, const char *s);	/* s as it is */
void json_text_str(struct json_text *t, const char *s);	/* s quoted */
void json_text_int(struct json_text *t, long long v);
/* A cJSON raw node of the text (NULL when out of memory); t is emptied. */
cJSON *json_text_take(struct json_text *t);

#endif
