/* SPDX-License-Identifier: MIT */
/*
 * pods_inotify_each (agent/pods/inotify.c) on arbitrary bytes as an
 * inotify read, and ag_inotify_names on top of it (pflink's records).
 *
 * Properties: only 0 or -EINVAL; every name handed over is terminated and
 * at most 255 bytes; the names ag_inotify_names gives are the non-empty
 * ones pods_inotify_each gives, in order; nothing is read past size
 * (the guarded copy faults) and the buffer need not be aligned.
 */
#include "fuzz.h"

#include "map.h"
#include "pods/inotify.h"

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>

struct seen {
	unsigned n, named;
	unsigned char sum;
	bool overflow;
};

static void each(int wd, uint32_t mask, const char *name, void *arg)
{
	struct seen *s = arg;
	size_t n = strnlen(name, 256);

	(void)wd;
	FUZZ_CHECK(n < 256);
	s->n++;
	if (mask & IN_Q_OVERFLOW)
		s->overflow = true;
	if (n) {
		s->named++;
		s->sum = (unsigned char)(s->sum + (unsigned char)name[0] + n);
	}
}

static void named(const char *name, void *arg)
{
	struct seen *s = arg;
	size_t n = strnlen(name, 256);

	FUZZ_CHECK(n > 0 && n < 256);
	s->named++;
	s->sum = (unsigned char)(s->sum + (unsigned char)name[0] + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = fuzz_guarded(data, size);
	struct seen a = { 0 }, b = { 0 };
	int r = pods_inotify_each(buf, size, each, &a);
	int q = ag_inotify_names(buf, size, named, &b, &b.overflow);

	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK(q == r);
	FUZZ_CHECK(a.named == b.named && a.sum == b.sum && a.overflow == b.overflow);
	return 0;
}
