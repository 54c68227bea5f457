/* SPDX-License-Identifier: MIT */
/* Strict JSON input for every parser of the project. */
#ifndef PFLINK_JSON_H
#define PFLINK_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Parse buf[0..len) as exactly one JSON value: no NUL byte, nothing but
 * white space after it, and no object repeating a key (cJSON would read the
 * first, Go's encoding/json -- libcni, every runtime -- the last, so such
 * input means different things to pflink and to its peers).
 * NULL on any of those. */
cJSON *json_parse_exact(const char *buf, size_t len);

/* o[key] = v, a whole number printed as its digits.  cJSON prints every
 * number with "%1.15g", reads it back with sscanf and may print it again
 * with "%1.17g" (a microsecond or two each: most of the CPU of an answer
 * with many numbers), and above 2^53 inexactly. */
cJSON *json_add_int(cJSON *o, const char *key, long long v);

#endif
