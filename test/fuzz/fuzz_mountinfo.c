/* SPDX-License-Identifier: MIT */
/*
 * discover_parse_mountinfo on one line (the input up to its first NUL, as
 * fgets would hand it over), with output buffers of several sizes.
 *
 * Properties: never writes past len; on success the mount point fits in
 * len with its NUL, holds no NUL, is no longer than the raw field, and is
 * the raw field verbatim when that has no '\' escape; a bigger buffer
 * never turns success into failure nor changes the answer; nsfs is only
 * said of a line whose filesystem type after " - " is "nsfs".
 */
#include "fuzz.h"

#include "discover.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Field 4, the mount point, raw (as the kernel escaped it). */
static const char *raw_field4(const char *s, size_t *n)
{
	int i;

	for (i = 0; i < 4; i++) {
		s = strchr(s, ' ');
		if (!s)
			return NULL;
		s++;
	}
	*n = strcspn(s, " \n");
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 1, 2, 16, 64, PATH_MAX };
	char *line = malloc(size + 1);
	char big[PATH_MAX + 1], prev[PATH_MAX + 1];
	bool prev_ok = false, prev_nsfs = false;
	size_t i;

	FUZZ_CHECK(line != NULL);
	memcpy(line, data, size);
	line[size] = '\0';

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		bool nsfs = false;
		size_t rawlen = 0;
		const char *raw;
		int r;

		memset(big, 'x', sizeof(big));
		r = discover_parse_mountinfo(line, big, lens[i], &nsfs);
		FUZZ_CHECK(big[lens[i]] == 'x');	/* nothing past len */
		FUZZ_CHECK(r == 0 || r == -EINVAL);
		if (r < 0) {
			FUZZ_CHECK(!prev_ok);	/* a smaller buffer succeeded */
			continue;
		}
		FUZZ_CHECK(memchr(big, '\0', lens[i]) != NULL);
		raw = raw_field4(line, &rawlen);
		FUZZ_CHECK(raw != NULL && rawlen > 0);
		FUZZ_CHECK(strlen(big) <= rawlen);
		if (!memchr(raw, '\\', rawlen))
			FUZZ_CHECK(strlen(big) == rawlen && !memcmp(big, raw, rawlen));
		if (nsfs) {
			const char *sep = strstr(line, " - ");

			FUZZ_CHECK(sep && !strncmp(sep + 3, "nsfs", 4) &&
				   (sep[7] == ' ' || sep[7] == '\n' || sep[7] == '\0'));
		}
		if (prev_ok)
			FUZZ_CHECK(!strcmp(prev, big) && prev_nsfs == nsfs);
		memcpy(prev, big, sizeof(prev));
		prev_ok = true;
		prev_nsfs = nsfs;
	}
	free(line);
	return 0;
}
