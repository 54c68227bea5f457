/* SPDX-License-Identifier: MIT */
/*
 * A tiny test harness: each CHECK records file:line and what it saw on
 * failure and goes on; t_done() prints "N passed, N failed" and gives the
 * exit status (non-zero when anything failed, or when nothing was checked
 * at all, so a test that silently ran no checks cannot pass).
 *
 * Plus temp-dir helpers for the tests that touch the file system.
 */
#ifndef PFLINK_TEST_T_H
#define PFLINK_TEST_T_H

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned t_passed, t_failed;
static const char *t_section = "";

/* Name the group of checks that follows; failures print it. */
#define T_SECTION(name) (t_section = (name))

__attribute__((format(printf, 4, 5)))
static inline bool t_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		t_passed++;
		return true;
	}
	t_failed++;
	printf("FAIL %s:%d [%s]: ", file, line, t_section);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return false;
}

#define CHECK(cond) t_check(!!(cond), __FILE__, __LINE__, "%s", #cond)

#define CHECK_EQ_INT(got, want) ({						\
	long long t_g_ = (long long)(got), t_w_ = (long long)(want);		\
	t_check(t_g_ == t_w_, __FILE__, __LINE__, "%s == %s: got %lld, want %lld", \
		#got, #want, t_g_, t_w_);					\
})

/* Either side may be NULL; two NULLs are equal. */
#define CHECK_STR(got, want) ({							\
	const char *t_g_ = (got), *t_w_ = (want);				\
	bool t_ok_ = (!t_g_ && !t_w_) || (t_g_ && t_w_ && !strcmp(t_g_, t_w_)); \
	t_check(t_ok_, __FILE__, __LINE__, "%s == %s: got %s%s%s, want %s%s%s", \
		#got, #want, t_g_ ? "\"" : "", t_g_ ? t_g_ : "NULL", t_g_ ? "\"" : "", \
		t_w_ ? "\"" : "", t_w_ ? t_w_ : "NULL", t_w_ ? "\"" : "");	\
})

static inline int t_done(void)
{
	if (t_passed + t_failed == 0) {
		printf("no checks ran\n");
		return 1;
	}
	printf("%u passed, %u failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

/* A fresh private directory; aborts the test binary if it cannot make one
 * (nothing meaningful could be checked without it). */
static inline char *t_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];
	char *d;

	snprintf(tmpl, sizeof(tmpl), "%s/pflink-unit.XXXXXX", base && *base ? base : "/tmp");
	d = mkdtemp(tmpl);
	if (!d) {
		printf("FAIL: mkdtemp(%s): %s\n", tmpl, strerror(errno));
		exit(1);
	}
	d = strdup(d);
	if (!d)
		exit(1);
	return d;
}

static inline int t_rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p) < 0 ? -1 : 0;
}

/* rm -rf dir (never follows symlinks out of it). */
static inline int t_rmrf(const char *dir)
{
	return nftw(dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write a whole file (test setup; aborts on failure). */
static inline void t_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("FAIL: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Read a whole file into a heap string (test side, independent of the
 * core's reader); NULL if it cannot. */
static inline char *t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (n < cap)
			break;
		cap *= 2;
		char *nb = realloc(buf, cap + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

#endif
