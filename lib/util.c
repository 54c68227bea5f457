/* SPDX-License-Identifier: MIT */
#include "pflink/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int pf_strscpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0 || n >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

int pf_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return pf_read_fd(fd, max, out, len);
}

int pf_read_fd(int fd, size_t max, char **out, size_t *len)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, n = 0;

	for (;;) {
		ssize_t r;

		/* Room for max bytes, one more to detect "too big", and a NUL. */
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			char *nb;

			if (cap >= max + 1)
				return -EFBIG;
			if (ncap > max + 1)
				ncap = max + 1;
			nb = realloc(buf, ncap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		return -EFBIG;
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = TAKE_PTR(buf);
	return 0;
}

bool pf_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int pf_grow(void **v, unsigned *cap, unsigned n, size_t size)
{
	unsigned c;
	void *nv;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 16;
	nv = realloc(*v, (size_t)c * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

int pf_write_file_atomic(const char *dir, const char *name, const char *data,
			 size_t len, unsigned mode)
{
	char tmp[4096], dst[4096];
	_cleanup_close_ int fd = -1;
	size_t off = 0;
	int r;

	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, name, (int)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		off += (size_t)w;
	}
	/* No fsync: the files are runtime state of live attachments, and after
	 * a crash the pods they describe are gone too.  rename() alone still
	 * guarantees no reader ever sees a half-written file. */
	if (rename(tmp, dst) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	return r;
}

int pf_write_file_atomic_mkdir(const char *dir, unsigned dir_mode, const char *name,
			       const char *data, size_t len, unsigned mode)
{
	int r = pf_write_file_atomic(dir, name, data, len, mode);

	/* Every pod start but the node's first finds the directory there:
	 * make it only when the write says it is missing. */
	if (r != -ENOENT)
		return r;
	r = pf_mkdir_p(dir, dir_mode);
	if (r < 0)
		return r;
	return pf_write_file_atomic(dir, name, data, len, mode);
}

/* The directory itself; EEXIST must mean a directory. */
static int mkdir_one(const char *path, unsigned mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	/* EEXIST says nothing about what exists: it must be a dir. */
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int pf_mkdir_p(const char *path, unsigned mode)
{
	char buf[4096];
	char *p;
	int r;

	if (pf_strscpy(buf, path, sizeof(buf)) < 0)
		return -ENAMETOOLONG;
	/* Every pod start comes here with directories that exist: try the
	 * leaf first, walk from the root only when a parent is missing. */
	r = mkdir_one(buf, mode);
	if (r != -ENOENT)
		return r;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir_one(buf, mode);
}

unsigned long long pf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

bool pf_safe_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

bool pf_safe_component(const char *s, size_t max)
{
	size_t n = 0;

	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; s[n]; n++)
		if (n >= max || !pf_safe_char(s[n]))
			return false;
	return true;
}

/* The first component of p is top ("//proc/1" is in /proc too). */
static bool path_under(const char *p, const char *top)
{
	size_t n = strlen(top);

	while (*p == '/')
		p++;
	return !strncmp(p, top, n) && (p[n] == '\0' || p[n] == '/');
}

bool pf_path_clean(const char *path)
{
	const char *p = path;

	if (!path || path[0] != '/')
		return false;
	while (*p) {
		const char *e;

		while (*p == '/')
			p++;
		e = strchrnul(p, '/');
		if ((e - p == 1 && p[0] == '.') || (e - p == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = e;
	}
	return !path_under(path, "proc") && !path_under(path, "sys") && !path_under(path, "dev");
}

/* pf_path_trusted() of a path that exists with no symlink on it, in one
 * system call instead of an lstat() per component (a plugin on every pod
 * start pays each): openat2(RESOLVE_NO_SYMLINKS) refuses any symlink on
 * the way, the last component's included, and O_PATH opens even a FIFO
 * or a device node without touching it.  Then the answer is path itself,
 * its slashes as the walk joins them.  -EAGAIN when it does not apply (a
 * symlink, a component missing, no openat2): the walk decides. */
static int path_plain(const char *path, char *out, size_t len)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS,
	};
	const char *p = path;
	size_t o = 0;
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd < 0)
		return -EAGAIN;
	close((int)fd);
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		out[o++] = '/';
		for (; *p && *p != '/'; p++) {
			if (o + 1 >= len)
				return -ENAMETOOLONG;
			out[o++] = *p;
		}
	}
	if (!o) {
		if (len < 2)
			return -ENAMETOOLONG;
		out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}

int pf_path_trusted(const char *path, char *out, size_t len)
{
	char cur[PATH_MAX] = "", next[PATH_MAX], real[PATH_MAX];
	const char *p = path;
	unsigned links = 0;
	int r;

	if (!pf_path_clean(path))
		return -EINVAL;
	r = path_plain(path, out, len);
	if (r != -EAGAIN)
		return r;
	while (*p) {
		struct stat st, dir;
		const char *e;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		if ((size_t)snprintf(next, sizeof(next), "%s/%.*s", cur, (int)(e - p), p) >= sizeof(next))
			return -ENAMETOOLONG;
		if (lstat(next, &st) < 0) {
			if (errno != ENOENT)
				return -errno;
			/* The rest is pflink's to make (mkdir, or the file). */
			if ((size_t)snprintf(next, sizeof(next), "%s/%s", cur, p) >= sizeof(next))
				return -ENAMETOOLONG;
			pf_strscpy(cur, next, sizeof(cur));
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			/* Only root could have put it there, and only root can
			 * change where it points: root's, in a directory no one
			 * else may write. */
			if (stat(cur[0] ? cur : "/", &dir) < 0)
				return -errno;
			if (st.st_uid != 0 || dir.st_uid != 0 || (dir.st_mode & (S_IWGRP | S_IWOTH)) || ++links > 40)
				return -ELOOP;
			if (!realpath(next, real))
				return -errno;
			if (!pf_path_clean(real))
				return -EPERM;
			pf_strscpy(cur, strcmp(real, "/") ? real : "", sizeof(cur));
		} else if (S_ISDIR(st.st_mode) || !*e) {
			pf_strscpy(cur, next, sizeof(cur));
		} else {
			return -ENOTDIR;
		}
		p = e;
	}
	if (!cur[0])
		pf_strscpy(cur, "/", sizeof(cur));
	if (!pf_path_clean(cur))
		return -EPERM;
	return pf_strscpy(out, cur, len) < 0 ? -ENAMETOOLONG : 0;
}

bool pf_ifname_valid(const char *s)
{
	size_t n;

	if (!s || !*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (n = 0; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		/* The kernel's isspace(): \t..\r, ' ', and Latin-1's NBSP. */
		if (n >= IF_NAMESIZE - 1 || c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r') ||
		    c == 0xa0)
			return false;
	}
	return true;
}

int pf_escape_name(const char *s, const char *also, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (pf_safe_char(*s) && !strchr(also, *s)) {
			if (o + 1 >= len)
				return -ENAMETOOLONG;
			out[o++] = *s;
			continue;
		}
		if (o + 3 >= len)
			return -ENAMETOOLONG;
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	if (o >= len)
		return -ENAMETOOLONG;
	out[o] = '\0';
	return 0;
}

/* Length of the well-formed RFC 3629 UTF-8 sequence at s (no overlong
 * form, no surrogate, nothing past U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n, k;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, cp = c & 0x07;
	else
		return 0;
	if (len <= n)
		return 0;
	for (k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n + 1;
}

bool pf_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (!(n = utf8_seq(p + i, len - i)))
			return false;
		i += n;
	}
	return true;
}

void pf_utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(p + i, len - i))) {
			i += n;
			continue;
		}
		p[i++] = '?';
	}
}
