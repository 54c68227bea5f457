/* SPDX-License-Identifier: MIT */
/*
 * mounts_parse_statmount on a statmount(2) answer, with output buffers of
 * several sizes.
 *
 * Properties: never writes past len; on success the mount point is a
 * NUL-terminated string that fits in len, is not empty, and is the bytes
 * at the answer's mnt_point offset verbatim; nsfs only when sb_magic is
 * NSFS_MAGIC; a bigger buffer never turns success into failure nor
 * changes the answer.
 */
#include "fuzz.h"

#include "mounts.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 1, 2, 16, 64, PATH_MAX };
	char big[PATH_MAX + 1], prev[PATH_MAX + 1];
	bool prev_ok = false, prev_nsfs = false;
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	unsigned char *buf = malloc(size ? size : 1);
	size_t i;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, data, size);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		bool nsfs = false;
		uint32_t off;
		uint64_t magic;
		int r;

		memset(big, 'x', sizeof(big));
		r = mounts_parse_statmount(buf, size, big, lens[i], &nsfs);
		FUZZ_CHECK(big[lens[i]] == 'x');	/* nothing past len */
		FUZZ_CHECK(r == 0 || r == -EINVAL);
		if (r < 0) {
			FUZZ_CHECK(!prev_ok);	/* a smaller buffer succeeded */
			continue;
		}
		FUZZ_CHECK(size >= MOUNTS_STATMOUNT_HDR);
		FUZZ_CHECK(memchr(big, '\0', lens[i]) != NULL && big[0] != '\0');
		memcpy(&off, buf + 108, sizeof(off));
		memcpy(&magic, buf + 24, sizeof(magic));
		FUZZ_CHECK(MOUNTS_STATMOUNT_HDR + (size_t)off + strlen(big) < size);
		FUZZ_CHECK(!memcmp(big, buf + MOUNTS_STATMOUNT_HDR + off, strlen(big) + 1));
		FUZZ_CHECK(nsfs == (magic == 0x6e736673));
		if (prev_ok)
			FUZZ_CHECK(!strcmp(prev, big) && prev_nsfs == nsfs);
		memcpy(prev, big, sizeof(prev));
		prev_ok = true;
		prev_nsfs = nsfs;
	}
	free(buf);
	return 0;
}
