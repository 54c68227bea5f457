/* SPDX-License-Identifier: MIT */
#include "pflink/pci.h"
#include "pflink/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int hexrun(const char *s, unsigned min, unsigned max, unsigned *val)
{
	unsigned n = 0, v = 0;

	while (isxdigit((unsigned char)s[n])) {
		if (n == max)
			return -1;
		v = v * 16 + (unsigned)(isdigit((unsigned char)s[n]) ? s[n] - '0'
						: tolower((unsigned char)s[n]) - 'a' + 10);
		n++;
	}
	if (n < min)
		return -1;
	*val = v;
	return (int)n;
}

int pci_bdf_parse(const char *s, char out[PCI_BDF_LEN])
{
	unsigned dom, bus, dev, fn;
	int n, off = 0;

	if (!s)
		return -EINVAL;
	if ((n = hexrun(s, 4, 8, &dom)) < 0 || s[off += n] != ':')
		return -EINVAL;
	off++;
	if ((n = hexrun(s + off, 2, 2, &bus)) < 0 || s[off += n] != ':')
		return -EINVAL;
	off++;
	if ((n = hexrun(s + off, 2, 2, &dev)) < 0 || dev > 0x1f || s[off += n] != '.')
		return -EINVAL;
	off++;
	if (s[off] < '0' || s[off] > '7' || s[off + 1] != '\0')
		return -EINVAL;
	fn = (unsigned)(s[off] - '0');
	/* A 5+ digit domain with a leading zero is not something the kernel
	 * prints; refusing it keeps one canonical spelling per function. */
	if (off - 7 > 4 && s[0] == '0')	/* off - 7 == domain digits */
		return -EINVAL;
	snprintf(out, PCI_BDF_LEN, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
}

bool pci_bdf_eq(const char *a, const char *b)
{
	char ca[PCI_BDF_LEN], cb[PCI_BDF_LEN];

	return pci_bdf_parse(a, ca) == 0 && pci_bdf_parse(b, cb) == 0 && !strcmp(ca, cb);
}

/* 0: openat2 works; 1: walk by hand (ENOSYS seen, or forced). */
static int use_walk;

void pci_sysfs_force_walk(bool on)
{
	use_walk = on;
}

#define WALK_DEPTH 64
#define WALK_LINKS 40

/* RESOLVE_IN_ROOT by hand: every step is an O_PATH fd, never a string, so
 * ".." pops back to the previous directory and stops at the root, and an
 * absolute link target restarts at the root; a concurrent rename cannot
 * carry the walk outside.  Symlinks are read with readlinkat and spliced
 * into what is left of the path, at most WALK_LINKS of them (ELOOP). */
static int walk_open(int rootfd, const char *rel, int flags, int *fd_out)
{
	int dirs[WALK_DEPTH];
	unsigned depth = 0, links = 0;
	char rest[2 * PATH_MAX], tgt[PATH_MAX], name[NAME_MAX + 1];
	int r = 0, fd = -1;

	if (pf_strscpy(rest, rel, sizeof(rest)) < 0)
		return -ENAMETOOLONG;
	for (;;) {
		int cur = depth ? dirs[depth - 1] : rootfd;
		char *p = rest;
		size_t len;
		ssize_t n;
		bool last;

		while (*p == '/')
			p++;
		if (!*p) {	/* ended on "." or "..": the directory itself */
			fd = openat(cur, ".", flags | O_CLOEXEC);
			r = fd < 0 ? -errno : 0;
			break;
		}
		len = strcspn(p, "/");
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		memmove(rest, p + len, strlen(p + len) + 1);
		last = !rest[strspn(rest, "/")];
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			if (depth)
				close(dirs[--depth]);
			continue;
		}
		n = last && (flags & O_NOFOLLOW) ? (errno = EINVAL, -1)
						  : readlinkat(cur, name, tgt, sizeof(tgt) - 1);
		if (n >= 0) {
			size_t tl = (size_t)n;

			if (++links > WALK_LINKS) {
				r = -ELOOP;
				break;
			}
			if (tl + 1 + strlen(rest) + 1 > sizeof(rest)) {
				r = -ENAMETOOLONG;
				break;
			}
			tgt[tl] = '\0';
			if (tgt[0] == '/')
				while (depth)
					close(dirs[--depth]);
			memmove(rest + tl + 1, rest, strlen(rest) + 1);
			memcpy(rest, tgt, tl);
			rest[tl] = '/';
			if (!rest[tl + 1])
				rest[tl] = '\0';
			continue;
		}
		if (errno != EINVAL) {	/* EINVAL: there, and not a link */
			r = -errno;
			break;
		}
		if (last) {
			struct stat st;

			/* O_NOFOLLOW: had it become a link since readlinkat, an
			 * O_PATH open would return the link itself; say "retry". */
			fd = openat(cur, name, flags | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0)
				r = errno == ELOOP ? -EAGAIN : -errno;
			else if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
				r = -EAGAIN;
			break;
		}
		if (depth == WALK_DEPTH) {
			r = -ENAMETOOLONG;
			break;
		}
		fd = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			break;
		}
		dirs[depth++] = fd;
		fd = -1;
	}
	while (depth)
		close(dirs[--depth]);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	*fd_out = fd;
	return 0;
}

/* The sysfs choke point: open a path beneath the root, never outside it. */
static int sysfs_open(int rootfd, const char *rel, int flags, int *fd_out)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	int tries = 0, r;

	/* With RESOLVE_IN_ROOT the kernel answers EAGAIN when any rename on
	 * the system races with a ".." it resolves (it cannot prove the walk
	 * stayed inside): sysfs links are full of "..", and every CNI plugin
	 * renames state files into place.  Retrying is what the man page asks. */
	if (!use_walk) {
		do
			fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		while (fd < 0 && errno == EAGAIN && ++tries < 64);
		if (fd >= 0) {
			*fd_out = (int)fd;
			return 0;
		}
		if (errno != ENOSYS)
			return -errno;
		/* Linux < 5.6, or a seccomp profile that predates openat2
		 * (older container runtimes answer ENOSYS): walk by hand. */
		use_walk = 1;
	}
	tries = 0;
	do
		r = walk_open(rootfd, rel, flags, fd_out);
	while (r == -EAGAIN && ++tries < 64);
	return r;
}

static int dev_open(int rootfd, const char *bdf, const char *sub, int flags, int *fd_out)
{
	char rel[PATH_MAX], canon[PCI_BDF_LEN];

	/* Only canonical BDFs are ever joined into a path. */
	if (pci_bdf_parse(bdf, canon) < 0)
		return -EINVAL;
	if ((size_t)snprintf(rel, sizeof(rel), "bus/pci/devices/%s%s%s", canon,
			     sub ? "/" : "", sub ? sub : "") >= sizeof(rel))
		return -ENAMETOOLONG;
	return sysfs_open(rootfd, rel, flags, fd_out);
}

/* Basename of a symlink under the device dir; the link itself is read, never
 * followed, so its target may be anything. */
static int dev_link_base(int devfd, const char *name, char *out, size_t len)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(devfd, name, buf, sizeof(buf) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	return pf_strscpy(out, base, len) < 0 ? -EINVAL : 0;
}

int pci_sysfs_open(const char *root, int *rootfd_out)
{
	_cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int probe = -1;
	int r;

	if (fd < 0)
		return -errno;
	r = sysfs_open(fd, "bus/pci/devices", O_PATH | O_DIRECTORY, &probe);
	if (r < 0)
		return r;
	*rootfd_out = TAKE_FD(fd);
	return 0;
}

int pci_fn_exists(int rootfd, const char *bdf)
{
	_cleanup_close_ int fd = -1;

	return dev_open(rootfd, bdf, NULL, O_PATH | O_DIRECTORY, &fd);
}

int pci_physfn(int rootfd, const char *vf, char pf_out[PCI_BDF_LEN])
{
	_cleanup_close_ int devfd = -1, pffd = -1;
	char base[NAME_MAX + 1], pf[PCI_BDF_LEN];
	int r;

	r = dev_open(rootfd, vf, NULL, O_PATH | O_DIRECTORY, &devfd);
	if (r < 0)
		return r;
	r = dev_link_base(devfd, "physfn", base, sizeof(base));
	if (r == -EINVAL || r == -ENAMETOOLONG)
		return -EINVAL;
	if (r < 0)
		return r == -ENOENT ? -ENOENT : r;
	r = dev_open(rootfd, vf, "physfn", O_PATH | O_DIRECTORY, &pffd);
	if (r == -ELOOP)
		return -ELOOP;
	if (r == -ENOENT || r == -ENOTDIR)
		return -ENXIO;
	if (r < 0)
		return r;
	if (pci_bdf_parse(base, pf) < 0)
		return -EINVAL;
	/* physfn resolved to some directory; it must also be the PF that
	 * bus/pci/devices knows under that name. */
	if (pci_fn_exists(rootfd, pf) < 0)
		return -ENXIO;
	memcpy(pf_out, pf, PCI_BDF_LEN);
	return 0;
}

int pci_foreach_vf(int rootfd, const char *pf, pci_vf_cb cb, void *arg)
{
	_cleanup_close_ int devfd = -1;
	struct dirent *de;
	DIR *d;
	int r, dfd;

	r = dev_open(rootfd, pf, NULL, O_RDONLY | O_DIRECTORY, &devfd);
	if (r < 0)
		return r;
	dfd = TAKE_FD(devfd);
	d = fdopendir(dfd);
	if (!d) {
		r = -errno;
		close(dfd);
		return r;
	}
	r = 0;
	while (!r && (de = readdir(d))) {
		char base[NAME_MAX + 1], vf[PCI_BDF_LEN], *end;
		unsigned long n;

		if (strncmp(de->d_name, "virtfn", 6) || !isdigit((unsigned char)de->d_name[6]))
			continue;
		n = strtoul(de->d_name + 6, &end, 10);
		if (*end || n > INT_MAX)
			continue;
		/* Only the link text is read; a virtfn naming something that
		 * is not a PCI address is skipped, never followed. */
		if (dev_link_base(dirfd(d), de->d_name, base, sizeof(base)) < 0 ||
		    pci_bdf_parse(base, vf) < 0)
			continue;
		r = cb((int)n, vf, arg);
	}
	closedir(d);
	return r < 0 ? r : 0;
}

struct find_vf {
	const char *want;
	int idx;
};

static int match_vf(int idx, const char *vf, void *arg)
{
	struct find_vf *f = arg;

	if (strcmp(vf, f->want))
		return 0;
	f->idx = idx;
	return 1;
}

int pci_vf_index(int rootfd, const char *pf, const char *vf, int *idx_out)
{
	char want[PCI_BDF_LEN];
	struct find_vf f = { .want = want, .idx = -1 };
	int r;

	if (pci_bdf_parse(vf, want) < 0)
		return -EINVAL;
	r = pci_foreach_vf(rootfd, pf, match_vf, &f);
	if (r < 0)
		return r;
	if (f.idx < 0)
		return -ENOENT;
	*idx_out = f.idx;
	return 0;
}

int pci_foreach_fn(int rootfd, int (*cb)(const char *bdf, void *arg), void *arg)
{
	_cleanup_close_ int dfd = -1;
	struct dirent *de;
	DIR *d;
	int r = sysfs_open(rootfd, "bus/pci/devices", O_RDONLY | O_DIRECTORY, &dfd);

	if (r < 0)
		return r;
	d = fdopendir(dfd);
	if (!d)
		return -errno;
	dfd = -1;
	r = 0;
	while (!r && (de = readdir(d))) {
		char bdf[PCI_BDF_LEN];

		if (pci_bdf_parse(de->d_name, bdf) == 0)
			r = cb(bdf, arg);
	}
	closedir(d);
	return r < 0 ? r : 0;
}

int pci_vdpa_function(int rootfd, const char *name, char bdf_out[PCI_BDF_LEN])
{
	_cleanup_close_ int dirfd_ = -1;
	char buf[PATH_MAX], bdf[PCI_BDF_LEN] = "", *tok, *save = NULL;
	size_t i;
	ssize_t n;
	int r;

	/* Checked before it becomes part of a path, like every BDF. */
	if (strncmp(name, "vdpa", 4) || !name[4] || strlen(name) > 16)
		return -EINVAL;
	for (i = 4; name[i]; i++)
		if (!isdigit((unsigned char)name[i]))
			return -EINVAL;
	r = sysfs_open(rootfd, "bus/vdpa/devices", O_PATH | O_DIRECTORY, &dirfd_);
	if (r < 0)
		return r == -ENOTDIR ? -ENOENT : r;
	n = readlinkat(dirfd_, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == EINVAL ? -ENXIO : -errno;
	buf[n] = '\0';
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		char c[PCI_BDF_LEN];

		if (pci_bdf_parse(tok, c) == 0)
			memcpy(bdf, c, sizeof(bdf));
	}
	if (!bdf[0])
		return -ENXIO;
	memcpy(bdf_out, bdf, PCI_BDF_LEN);
	return 0;
}

int pci_driver(int rootfd, const char *bdf, char *name, unsigned len)
{
	_cleanup_close_ int devfd = -1;
	int r = dev_open(rootfd, bdf, NULL, O_PATH | O_DIRECTORY, &devfd);

	if (r < 0)
		return r;
	return dev_link_base(devfd, "driver", name, len);
}

/* A small attribute file, NUL-terminated. */
static int read_attr(int rootfd, const char *bdf, const char *attr, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r = dev_open(rootfd, bdf, attr, O_RDONLY, &fd);

	if (r < 0)
		return r;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int pci_read_uint(int rootfd, const char *bdf, const char *attr, unsigned *out)
{
	char buf[32], *end, *start;
	unsigned long v;
	int r = read_attr(rootfd, bdf, attr, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	/* Counts are decimal, "class" and "vendor" are 0x-hex; never octal. */
	start = strncmp(buf, "0x", 2) ? buf : buf + 2;
	v = strtoul(start, &end, start == buf ? 10 : 16);
	if (end == start || !isxdigit((unsigned char)*start) || (*end && *end != '\n') || errno || v > UINT_MAX)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

int pci_read_int(int rootfd, const char *bdf, const char *attr, int *out)
{
	char buf[32], *end;
	long v;
	int r = read_attr(rootfd, bdf, attr, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || !(isdigit((unsigned char)buf[0]) || (buf[0] == '-' && isdigit((unsigned char)buf[1]))) ||
	    (*end && *end != '\n') || errno || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int pci_describe(int rootfd, const char *bdf, struct pci_fn *out)
{
	struct pci_fn fn = { .vf_index = -1 };
	int r;

	if (pci_bdf_parse(bdf, fn.bdf) < 0)
		return -EINVAL;
	r = pci_fn_exists(rootfd, fn.bdf);
	if (r < 0)
		return r;
	if (pci_driver(rootfd, fn.bdf, fn.driver, sizeof(fn.driver)) < 0)
		fn.driver[0] = '\0';
	if (pci_read_uint(rootfd, fn.bdf, "sriov_totalvfs", &fn.totalvfs) == 0) {
		fn.is_pf = true;
		if (pci_read_uint(rootfd, fn.bdf, "sriov_numvfs", &fn.numvfs) < 0)
			fn.numvfs = 0;
	}
	r = pci_physfn(rootfd, fn.bdf, fn.pf);
	if (r == 0) {
		fn.is_vf = true;
		if (pci_vf_index(rootfd, fn.pf, fn.bdf, &fn.vf_index) < 0)
			fn.vf_index = -1;
	} else if (r != -ENOENT) {
		return r;
	}
	*out = fn;
	return 0;
}
