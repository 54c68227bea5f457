/* SPDX-License-Identifier: MIT */
/*
 * agent/mounts.c: statmount answers taken apart (built here byte by byte
 * as the kernel lays them out: good, short, offsets and sizes out of the
 * buffer, no NUL, an older kernel's mask), and, where the kernel has
 * listmount (6.8+), the two ways of finding our nsfs mounts agree: every
 * nsfs mount point listmount/statmount name is one mountinfo names, and
 * the other way round, with listmount's IDs ascending.
 */
#include "t.h"
#include "discover.h"
#include "mounts.h"

#include <limits.h>
#include <stdint.h>

#define HDR MOUNTS_STATMOUNT_HDR

/* An answer: size, mask, sb_magic, and the mount point at str offset off. */
static size_t mk(unsigned char *b, size_t cap, uint64_t mask, uint64_t magic, uint32_t off, const char *mp)
{
	uint32_t size = (uint32_t)(HDR + off + strlen(mp) + 1);

	memset(b, 0, cap);
	memcpy(b + 0, &size, 4);
	memcpy(b + 8, &mask, 8);
	memcpy(b + 24, &magic, 8);
	memcpy(b + 108, &off, 4);
	memcpy(b + HDR + off, mp, strlen(mp) + 1);
	return size;
}

static void parser(void)
{
	unsigned char b[HDR + 256];
	char mp[64];
	bool nsfs = false;
	size_t n;
	uint32_t bad;

	T_SECTION("parse");
	n = mk(b, sizeof(b), 0x11, 0x6e736673, 0, "/run/netns/a b");
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, sizeof(mp), &nsfs), 0);
	CHECK_STR(mp, "/run/netns/a b");	/* no escapes, unlike mountinfo */
	CHECK(nsfs);
	n = mk(b, sizeof(b), 0x3f, 0x9fa0, 5, "/proc");	/* more in the mask: fine */
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, sizeof(mp), &nsfs), 0);
	CHECK_STR(mp, "/proc");
	CHECK(!nsfs);
	/* The buffer may be bigger than what the kernel wrote. */
	CHECK_EQ_INT(mounts_parse_statmount(b, sizeof(b), mp, sizeof(mp), &nsfs), 0);

	T_SECTION("refused");
	n = mk(b, sizeof(b), 0x11, 0x6e736673, 0, "/run/netns/x");
	CHECK_EQ_INT(mounts_parse_statmount(b, HDR - 1, mp, sizeof(mp), &nsfs), -EINVAL);	/* short */
	CHECK_EQ_INT(mounts_parse_statmount(b, n - 1, mp, sizeof(mp), &nsfs), -EINVAL);	/* size > buffer */
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, 12, &nsfs), -EINVAL);	/* mp too long for len */
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, 13, &nsfs), 0);		/* just fits */
	n = mk(b, sizeof(b), 0x10, 0x6e736673, 0, "/run/netns/x");	/* no SB_BASIC */
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, sizeof(mp), &nsfs), -EINVAL);
	n = mk(b, sizeof(b), 0x01, 0x6e736673, 0, "/run/netns/x");	/* no MNT_POINT */
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, sizeof(mp), &nsfs), -EINVAL);
	n = mk(b, sizeof(b), 0x11, 0x6e736673, 0, "/x");
	bad = (uint32_t)(n - HDR);	/* offset at the end of the strings */
	memcpy(b + 108, &bad, 4);
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, sizeof(mp), &nsfs), -EINVAL);
	n = mk(b, sizeof(b), 0x11, 0x6e736673, 0, "/x");
	b[n - 1] = 'y';	/* no NUL within size */
	CHECK_EQ_INT(mounts_parse_statmount(b, sizeof(b), mp, sizeof(mp), &nsfs), -EINVAL);
	n = mk(b, sizeof(b), 0x11, 0x6e736673, 0, "");	/* empty mount point */
	CHECK_EQ_INT(mounts_parse_statmount(b, n, mp, sizeof(mp), &nsfs), -EINVAL);
	bad = 100;	/* size below the header */
	memcpy(b, &bad, 4);
	CHECK_EQ_INT(mounts_parse_statmount(b, sizeof(b), mp, sizeof(mp), &nsfs), -EINVAL);
}

struct set {
	char **v;
	size_t n;
};

static void add(struct set *s, const char *mp)
{
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = strdup(mp);
}

static bool has(const struct set *s, const char *mp)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], mp))
			return true;
	return false;
}

static void live(void)
{
	struct set a = { 0 }, b = { 0 };
	uint64_t *ids = NULL;
	size_t n = 0, cap = 0, i, missing = 0;
	char line[8192], mp[PATH_MAX];
	static unsigned char buf[HDR + 2 * PATH_MAX];
	FILE *f;
	int r;

	T_SECTION("live");
	r = mounts_list(&ids, &n, &cap);
	if (r == -ENOSYS) {
		printf("  listmount: not on this kernel, the live checks skipped\n");
		return;
	}
	CHECK_EQ_INT(r, 0);
	CHECK(n > 0);
	for (i = 1; i < n; i++)
		if (ids[i] <= ids[i - 1])
			break;
	CHECK(i >= n);	/* ascending */
	for (i = 0; i < n; i++) {
		bool nsfs;

		if (mounts_stat(ids[i], buf, sizeof(buf)) < 0)
			continue;	/* unmounted meanwhile */
		CHECK_EQ_INT(mounts_parse_statmount(buf, sizeof(buf), mp, sizeof(mp), &nsfs), 0);
		if (nsfs)
			add(&a, mp);
	}
	f = fopen("/proc/self/mountinfo", "re");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		bool nsfs;

		if (discover_parse_mountinfo(line, mp, sizeof(mp), &nsfs) == 0 && nsfs)
			add(&b, mp);
	}
	if (f)
		fclose(f);
	for (i = 0; i < a.n; i++)
		missing += !has(&b, a.v[i]);
	for (i = 0; i < b.n; i++)
		missing += !has(&a, b.v[i]);
	printf("  %zu mounts, %zu nsfs by listmount, %zu by mountinfo\n", n, a.n, b.n);
	CHECK_EQ_INT((int)missing, 0);
	for (i = 0; i < a.n; i++)
		free(a.v[i]);
	for (i = 0; i < b.n; i++)
		free(b.v[i]);
	free(a.v);
	free(b.v);
	free(ids);
}

int main(void)
{
	parser();
	live();
	return t_done();
}
