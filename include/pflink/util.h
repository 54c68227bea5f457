/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by every module: scope-bound cleanup, bounded string
 * copies, whole-file reads and atomic writes.  Nothing here prints.
 */
#ifndef PFLINK_UTIL_H
#define PFLINK_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_free_  __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Hand ownership out of a cleanup-bound variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

/* Copy with truncation; returns -ENAMETOOLONG (and copies nothing) if src
 * does not fit, so a caller never acts on a silently shortened name. */
int pf_strscpy(char *dst, const char *src, size_t size);

/* Read a whole small file relative to dirfd (AT_FDCWD for a path) into a
 * NUL-terminated heap buffer of at most max bytes.  -EFBIG if larger. */
int pf_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len);

/* The same from an open descriptor (read to its end; not closed). */
int pf_read_fd(int fd, size_t max, char **out, size_t *len);

/* A non-empty string of ASCII digits (a pid, an IOMMU group). */
bool pf_all_digits(const char *s);

/* Room for element n of the array *v of *cap elements of size bytes:
 * doubled (from 16) when full.  -ENOMEM leaves it as it was. */
int pf_grow(void **v, unsigned *cap, unsigned n, size_t size);

/* Write data to dir/name atomically: a temp file in the same directory, then
 * rename().  Readers see the old or the new content, never a torn one. */
int pf_write_file_atomic(const char *dir, const char *name, const char *data,
			 size_t len, unsigned mode);

/* The same, making dir (mkdir -p, dir_mode) first if it is missing. */
int pf_write_file_atomic_mkdir(const char *dir, unsigned dir_mode, const char *name,
			       const char *data, size_t len, unsigned mode);

/* mkdir -p with mode for the components it creates. */
int pf_mkdir_p(const char *path, unsigned mode);

/* Monotonic clock in nanoseconds, for log timings and deadlines. */
unsigned long long pf_now_ns(void);

/* [A-Za-z0-9_.-]: the bytes pflink lets into a file name. */
bool pf_safe_char(char c);

/* A name safe as one path component: [A-Za-z0-9_.-], not "." or "..",
 * 1..max bytes.  Container IDs and interface names pass through this before
 * they become file names. */
bool pf_safe_component(const char *s, size_t max);

/* A path pflink may be told to write at by a network config (its author is
 * not the node's admin): absolute, no "." or ".." component, not in
 * /proc, /sys or /dev. */
bool pf_path_clean(const char *path);

/* path, pf_path_clean(), as this node makes it: each existing component
 * a directory (the last may be a file), and a symlink on the way followed
 * only when no one but root could have made it (root's, in a directory
 * of root's that group and others may not write: /var/run -> /run);
 * what does not exist yet is taken as written (pflink makes it).  The
 * path without those symlinks into out (a canonical path to use), and it
 * must still be clean.  -EINVAL: not clean; -ELOOP: another symlink;
 * -EPERM: it leads into /proc, /sys or /dev; -ENOTDIR; -errno. */
int pf_path_trusted(const char *path, char *out, size_t len);

/* An interface name the kernel takes (dev_valid_name()): 1 to 15 bytes,
 * not "." or "..", no '/', ':' or white space.  "n@2" is one, and so are
 * bytes a file name must not carry as they are: escape them. */
bool pf_ifname_valid(const char *s);

/* s with every byte that is not pf_safe_char(), or is in also, written as
 * %XX (upper-case hex; '%' itself is never safe, so the mapping is
 * one-to-one and a file name built from escaped parts and a separator
 * from also cannot be read two ways).  -ENAMETOOLONG if out is too small. */
int pf_escape_name(const char *s, const char *also, char *out, size_t len);

/* Is s[0..len) well-formed UTF-8 (RFC 3629)? */
bool pf_utf8_valid(const char *s, size_t len);
/* Replace every byte that is not part of well-formed UTF-8 with '?', so
 * that text from the kernel or the environment can go into JSON. */
void pf_utf8_scrub(char *s);

#endif
