/* SPDX-License-Identifier: MIT */
#include "mounts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Debian 12's headers (6.1) have neither call: the numbers are the same
 * on every architecture since the syscall tables were unified. */
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif

/* struct mnt_id_req, its first version (MNT_ID_REQ_SIZE_VER0). */
struct mnt_req {
	uint32_t size;
	uint32_t spare;
	uint64_t mnt_id;
	uint64_t param;
};

#define REQ_SIZE_VER0 24
#define LSMT_ROOT 0xffffffffffffffffull	/* every mount of the namespace */
#define STATMOUNT_SB_BASIC 0x1u
#define STATMOUNT_MNT_POINT 0x10u
#define NSFS_MAGIC 0x6e736673ull

/* Offsets in struct statmount (uapi linux/mount.h). */
#define SM_SIZE 0
#define SM_MASK 8
#define SM_SB_MAGIC 24
#define SM_MNT_POINT 108

int mounts_list(uint64_t **ids, size_t *n, size_t *cap)
{
	struct mnt_req req = { .size = REQ_SIZE_VER0, .mnt_id = LSMT_ROOT };

	*n = 0;
	for (;;) {
		long got;

		if (*n == *cap) {
			size_t c = *cap ? 2 * *cap : 1024;
			uint64_t *v = realloc(*ids, c * sizeof(*v));

			if (!v)
				return -ENOMEM;
			*ids = v;
			*cap = c;
		}
		/* param: the last ID listed, to go on after it; the IDs come
		 * in increasing order. */
		req.param = *n ? (*ids)[*n - 1] : 0;
		got = syscall(__NR_listmount, &req, *ids + *n, *cap - *n, 0);
		if (got < 0)
			return -errno;
		*n += (size_t)got;
		if (*n < *cap)
			return 0;	/* it had fewer than we had room for: all */
	}
}

int mounts_stat(uint64_t id, void *buf, size_t len)
{
	struct mnt_req req = { .size = REQ_SIZE_VER0, .mnt_id = id,
			       .param = STATMOUNT_SB_BASIC | STATMOUNT_MNT_POINT };

	return syscall(__NR_statmount, &req, buf, len, 0) < 0 ? -errno : 0;
}

static uint32_t u32_at(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint64_t u64_at(const unsigned char *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

int mounts_parse_statmount(const void *buf, size_t blen, char *mountpoint, size_t len, bool *nsfs)
{
	const unsigned char *b = buf;
	const char *str, *end;
	uint32_t size, off;
	uint64_t mask;

	if (blen < MOUNTS_STATMOUNT_HDR)
		return -EINVAL;
	size = u32_at(b, SM_SIZE);
	mask = u64_at(b, SM_MASK);
	/* The kernel says how much it wrote: never read past it. */
	if (size < MOUNTS_STATMOUNT_HDR || size > blen)
		return -EINVAL;
	/* An older kernel answers only what it knows: without both, this
	 * answer cannot say what the mount is. */
	if ((mask & (STATMOUNT_SB_BASIC | STATMOUNT_MNT_POINT)) != (STATMOUNT_SB_BASIC | STATMOUNT_MNT_POINT))
		return -EINVAL;
	off = u32_at(b, SM_MNT_POINT);
	if (off >= size - MOUNTS_STATMOUNT_HDR)
		return -EINVAL;
	str = (const char *)b + MOUNTS_STATMOUNT_HDR + off;
	end = memchr(str, '\0', size - MOUNTS_STATMOUNT_HDR - off);
	if (!end || end == str || (size_t)(end - str) >= len)
		return -EINVAL;
	/* Unlike mountinfo's, this string is the path itself: no escapes. */
	memcpy(mountpoint, str, (size_t)(end - str) + 1);
	*nsfs = u64_at(b, SM_SB_MAGIC) == NSFS_MAGIC;
	return 0;
}
