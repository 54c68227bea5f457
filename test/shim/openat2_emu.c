// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * openat2_emu.c - LD_PRELOAD shim for running pflink under valgrind.
 * TEST ONLY: never link this into pflink.
 *
 * pflink opens everything under sysfsRoot with openat2(RESOLVE_IN_ROOT),
 * called through syscall(2).  Valgrind before 3.22 does not know that
 * system call and fails it with ENOSYS, so under memcheck no verb could
 * reach sysfs.  This shim wraps syscall(): every call goes to the real one;
 * only an openat2 that came back ENOSYS is redone here, in user space, with
 * the semantics pflink relies on: the path is resolved component by
 * component below dirfd as if dirfd were "/" (".." stops there, absolute
 * symlinks restart there), at most 40 symlinks (ELOOP), then opened with
 * how->flags.  Good enough for a fixture tree nobody renames under us; it
 * is not a security boundary.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*syscall_fn)(long, ...);

static long emulate(int dirfd, const char *path, const struct open_how *how)
{
	char resolved[PATH_MAX] = "", rest[2 * PATH_MAX], target[PATH_MAX], cand[PATH_MAX];
	int links = 0;

	if (strlen(path) >= sizeof(rest)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(rest, path);
	for (;;) {
		char *p = rest, c[NAME_MAX + 1];
		size_t len;
		ssize_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		len = strcspn(p, "/");
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(c, p, len);
		c[len] = '\0';
		memmove(rest, p + len, strlen(p + len) + 1);
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			char *last = strrchr(resolved, '/');

			if (last)
				*last = '\0';
			else
				resolved[0] = '\0';
			continue;
		}
		if ((size_t)snprintf(cand, sizeof(cand), "%s%s%s", resolved, resolved[0] ? "/" : "",
				     c) >= sizeof(cand)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		n = readlinkat(dirfd, cand, target, sizeof(target) - 1);
		if (n >= 0) {
			char tmp[2 * PATH_MAX];

			if (++links > 40) {
				errno = ELOOP;
				return -1;
			}
			target[n] = '\0';
			if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", target, rest) >= sizeof(tmp)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			strcpy(rest, tmp);
			if (target[0] == '/')
				resolved[0] = '\0';
			continue;
		}
		if (errno != EINVAL)
			return -1;	/* ENOENT, ENOTDIR...: as the kernel says */
		strcpy(resolved, cand);
	}
	return openat(dirfd, resolved[0] ? resolved : ".", (int)how->flags | O_NOFOLLOW,
		      (mode_t)how->mode);
}

__attribute__((visibility("default")))
long syscall(long nr, ...)
{
	static syscall_fn real;
	long a[6], r;
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real) {
		void *sym = dlsym(RTLD_NEXT, "syscall");

		memcpy(&real, &sym, sizeof(real));
		if (!real) {
			errno = ENOSYS;
			return -1;
		}
	}
	r = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r < 0 && errno == ENOSYS && nr == SYS_openat2)
		r = emulate((int)a[0], (const char *)a[1], (const struct open_how *)a[2]);
	return r;
}
