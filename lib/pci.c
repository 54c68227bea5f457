/* SPDX-License-Identifier: MIT */
#include "pflink/pci.h"
#include "pflink/numa.h"
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
	/* "%04x:%02x:%02x.%u" by hand: every sysfs path and every answer
	 * goes through here, and snprintf is most of its cost. */
	{
		static const char hx[] = "0123456789abcdef";
		char *o = out;
		int sh;

		for (sh = 28; sh > 12 && !(dom >> sh); sh -= 4)
			;
		for (; sh >= 0; sh -= 4)
			*o++ = hx[(dom >> sh) & 15];
		*o++ = ':';
		*o++ = hx[bus >> 4];
		*o++ = hx[bus & 15];
		*o++ = ':';
		*o++ = hx[dev >> 4];
		*o++ = hx[dev & 15];
		*o++ = '.';
		*o++ = (char)('0' + fn);
		*o = '\0';
	}
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

	/* With RESOLVE_IN_ROOT the kernel answers EAGAIN when any rename or
	 * mount change on the system races with a ".." it resolves (it cannot
	 * prove the walk stayed inside): sysfs links are full of "..", every
	 * CNI plugin renames state files into place, and every pod start and
	 * stop mounts or unmounts a netns.  Retrying is what the man page
	 * asks, but an unmount that propagates to a thousand netns mounts
	 * holds the lock longer than any number of quick retries (hack/scale.sh
	 * saw 64 in a row fail): after a few, this one open takes the walk by
	 * hand, which needs no such lock. */
	if (!use_walk) {
		do
			fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		while (fd < 0 && errno == EAGAIN && ++tries < 8);
		if (fd >= 0) {
			*fd_out = (int)fd;
			return 0;
		}
		if (errno != ENOSYS && errno != EAGAIN)
			return -errno;
		/* Linux < 5.6, or a seccomp profile that predates openat2
		 * (older container runtimes answer ENOSYS): walk by hand. */
		if (errno == ENOSYS)
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

int pci_sysfs_open_root(const char *root, int *rootfd_out)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*rootfd_out = fd;
	return 0;
}

int pci_sysfs_probe(int rootfd)
{
	_cleanup_close_ int probe = -1;

	return sysfs_open(rootfd, "bus/pci/devices", O_PATH | O_DIRECTORY, &probe);
}

int pci_sysfs_open(const char *root, int *rootfd_out)
{
	_cleanup_close_ int fd = -1;
	int r = pci_sysfs_open_root(root, &fd);

	if (r < 0 || (r = pci_sysfs_probe(fd)) < 0)
		return r;
	*rootfd_out = TAKE_FD(fd);
	return 0;
}

int pci_fn_exists(int rootfd, const char *bdf)
{
	_cleanup_close_ int fd = -1;

	return dev_open(rootfd, bdf, NULL, O_PATH | O_DIRECTORY, &fd);
}

int pci_fn_open(int rootfd, const char *bdf, int *fd_out)
{
	return dev_open(rootfd, bdf, NULL, O_PATH | O_DIRECTORY, fd_out);
}

/* pci_physfn() for a VF whose directory is open as devfd.  pfdir_out
 * (may be NULL): the PF's directory, the one bus/pci/devices names,
 * opened O_PATH, for the caller to read the PF through. */
static int physfn_at(int rootfd, int devfd, const char *vf, char pf_out[PCI_BDF_LEN], int *pfdir_out)
{
	_cleanup_close_ int pffd = -1, pfdir = -1;
	char base[NAME_MAX + 1], pf[PCI_BDF_LEN];
	int r;

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
	if (pci_fn_open(rootfd, pf, &pfdir) < 0)
		return -ENXIO;
	memcpy(pf_out, pf, PCI_BDF_LEN);
	if (pfdir_out)
		*pfdir_out = TAKE_FD(pfdir);
	return 0;
}

int pci_physfn(int rootfd, const char *vf, char pf_out[PCI_BDF_LEN])
{
	_cleanup_close_ int devfd = -1;
	int r = dev_open(rootfd, vf, NULL, O_PATH | O_DIRECTORY, &devfd);

	if (r < 0)
		return r;
	return physfn_at(rootfd, devfd, vf, pf_out, NULL);
}

/* N of a virtfnN entry name, or -1. */
static int virtfn_number(const char *name)
{
	unsigned long n;
	char *end;

	if (strncmp(name, "virtfn", 6) || !isdigit((unsigned char)name[6]))
		return -1;
	n = strtoul(name + 6, &end, 10);
	return *end || n > INT_MAX ? -1 : (int)n;
}

/* The VF virtfnN of the PF whose directory is devfd names.  Only the link
 * text is read; a virtfn naming something that is not a PCI address is
 * -EINVAL, never followed; -ENOENT when there is no such virtfn. */
static int virtfn_at(int devfd, const char *name, char vf[PCI_BDF_LEN])
{
	char base[NAME_MAX + 1];
	int r = dev_link_base(devfd, name, base, sizeof(base));

	if (r < 0)
		return r;
	return pci_bdf_parse(base, vf) < 0 ? -EINVAL : 0;
}

/* cb(name, d_type, arg) for every entry of the directory dfd is open on (its
 * offset at the start), until cb answers non-zero: that answer, or
 * -errno.  getdents64 on the stack, not readdir: opendir's 32 KiB buffer
 * costs a fresh process more page faults than the directory holds
 * entries (a plugin is a fresh process on every pod start), and pflinkd's
 * malloc a consolidation of its free lists on every lookup. */
static int foreach_dirent(int dfd, int (*cb)(const char *name, unsigned char type, void *arg), void *arg)
{
	char buf[2048] __attribute__((aligned(8)));
	long got;

	while ((got = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (off < got) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			int r;

			off += de->d_reclen;
			if ((r = cb(de->d_name, de->d_type, arg)))
				return r;
		}
	}
	return got < 0 ? -errno : 0;
}

struct vf_walk {
	int devfd;
	pci_vf_cb cb;
	void *arg;
};

static int vf_entry(const char *name, unsigned char type, void *arg)
{
	const struct vf_walk *w = arg;
	char vf[PCI_BDF_LEN];
	int n = virtfn_number(name);

	(void)type;

	if (n >= 0 && virtfn_at(w->devfd, name, vf) == 0)
		return w->cb(n, vf, w->arg);
	return 0;
}

static int foreach_vf_at(int devfd, pci_vf_cb cb, void *arg)
{
	struct vf_walk w = { .cb = cb, .arg = arg };
	_cleanup_close_ int dfd = openat(devfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dfd < 0)
		return -errno;
	w.devfd = dfd;
	r = foreach_dirent(dfd, vf_entry, &w);
	return r < 0 ? r : 0;
}

int pci_foreach_vf(int rootfd, const char *pf, pci_vf_cb cb, void *arg)
{
	_cleanup_close_ int devfd = -1;
	int r = dev_open(rootfd, pf, NULL, O_PATH | O_DIRECTORY, &devfd);

	if (r < 0)
		return r;
	return foreach_vf_at(devfd, cb, arg);
}

struct netdev_names {
	char (*names)[IF_NAMESIZE];
	unsigned max, *n;
};

static int netdev_entry(const char *name, unsigned char type, void *arg)
{
	const struct netdev_names *l = arg;
	size_t len = strnlen(name, IF_NAMESIZE);

	(void)type;

	if (name[0] == '.')
		return 0;
	/* The kernel's names fit IFNAMSIZ; anything else is not one. */
	if (len >= IF_NAMESIZE)
		return -EINVAL;
	if (*l->n == l->max)
		return -E2BIG;
	memcpy(l->names[(*l->n)++], name, len + 1);
	return 0;
}

/* The directories (not links) of a PF's parent whose names are PCI
 * addresses, sorted: the only names a virtfn may lead to for its driver
 * to be read beside the PF. */
struct fn_dirs {
	char (*v)[PCI_BDF_LEN];
	unsigned n, cap;
};

static int fn_dir_entry(const char *name, unsigned char type, void *arg)
{
	struct fn_dirs *d = arg;
	char canon[PCI_BDF_LEN];

	if (type != DT_DIR || pci_bdf_parse(name, canon) < 0 || strcmp(canon, name))
		return 0;
	if (pf_grow((void **)&d->v, &d->cap, d->n, sizeof(*d->v)) < 0)
		return -ENOMEM;
	memcpy(d->v[d->n++], canon, PCI_BDF_LEN);
	return 0;
}

static int bdf_cmp(const void *x, const void *y)
{
	return strcmp(x, y);
}

struct vf_drv_walk {
	int rootfd, devfd, parentfd;
	struct fn_dirs dirs;
	pci_vf_driver_cb cb;
	void *arg;
};

static int vf_drv_entry(const char *name, unsigned char type, void *arg)
{
	const struct vf_drv_walk *w = arg;
	char vf[PCI_BDF_LEN], text[PATH_MAX], drv[NAME_MAX + 1] = "";
	int n = virtfn_number(name), r;
	ssize_t len;

	(void)type;

	if (n < 0)
		return 0;
	len = readlinkat(w->devfd, name, text, sizeof(text) - 1);
	if (len < 0)
		return 0;
	text[len] = '\0';
	if (pci_bdf_parse(strrchr(text, '/') ? strrchr(text, '/') + 1 : text, vf) < 0)
		return 0;
	/* "../<vf>" and <vf> a directory beside the PF: its driver link read
	 * from there cannot lead outside the root.  Anything else: the walk
	 * from the root, as pci_driver takes it. */
	if (w->parentfd >= 0 && !strncmp(text, "../", 3) && !strcmp(text + 3, vf) &&
	    bsearch(vf, w->dirs.v, w->dirs.n, sizeof(*w->dirs.v), bdf_cmp))
		r = dev_link_base(w->parentfd, strcat(strcpy(text, vf), "/driver"), drv, sizeof(drv));
	else
		r = pci_driver(w->rootfd, vf, drv, sizeof(drv));
	if (r < 0)
		drv[0] = '\0';
	return w->cb(n, vf, drv, w->arg);
}

int pci_foreach_vf_driver(int rootfd, const char *pf, pci_vf_driver_cb cb, void *arg)
{
	struct vf_drv_walk w = { .rootfd = rootfd, .parentfd = -1, .cb = cb, .arg = arg };
	_cleanup_close_ int devfd = -1, parentfd = -1;
	int r = dev_open(rootfd, pf, NULL, O_RDONLY | O_DIRECTORY, &devfd);

	if (r < 0)
		return r;
	w.devfd = devfd;
	/* Without the parent's listing every VF takes the walk from the root. */
	if (dev_open(rootfd, pf, "..", O_RDONLY | O_DIRECTORY, &parentfd) == 0 &&
	    foreach_dirent(parentfd, fn_dir_entry, &w.dirs) == 0) {
		qsort(w.dirs.v, w.dirs.n, sizeof(*w.dirs.v), bdf_cmp);
		w.parentfd = parentfd;
	}
	r = foreach_dirent(devfd, vf_drv_entry, &w);
	free(w.dirs.v);
	return r < 0 ? r : 0;
}

int pci_netdev_names(int rootfd, const char *bdf, char (*names)[IF_NAMESIZE], unsigned max, unsigned *n)
{
	_cleanup_close_ int netfd = -1;
	struct netdev_names l = { names, max, n };
	int r = dev_open(rootfd, bdf, "net", O_RDONLY | O_DIRECTORY, &netfd);

	*n = 0;
	if (r < 0)
		return r;
	return foreach_dirent(netfd, netdev_entry, &l);
}

/* Routing ID (bus << 8 | devfn) and domain of a canonical BDF. */
static bool routing_id(const char *bdf, unsigned long *dom, unsigned *rid)
{
	unsigned bus, dev, fn;
	char *end;

	*dom = strtoul(bdf, &end, 16);
	if (*end != ':' || sscanf(end + 1, "%2x:%2x.%1u", &bus, &dev, &fn) != 3)
		return false;
	*rid = bus << 8 | dev << 3 | fn;
	return true;
}

int pci_virtfn(int rootfd, const char *pf, int idx, char vf_out[PCI_BDF_LEN])
{
	_cleanup_close_ int devfd = -1;
	char name[32];
	int r = dev_open(rootfd, pf, NULL, O_PATH | O_DIRECTORY, &devfd);

	if (r < 0)
		return r;
	if (idx < 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "virtfn%d", idx);
	return virtfn_at(devfd, name, vf_out);
}

static int read_uint_at(int devfd, const char *attr, unsigned *out);

/* The index the PF's SR-IOV capability gives VF vf: its routing ID is
 * the PF's plus First VF Offset plus index times VF Stride (PCIe SR-IOV
 * 3.3.9-10; sysfs sriov_offset, sriov_stride).  -ENOENT when it does not
 * (a fixture without the files, another domain, not on the grid). */
static int vf_index_by_stride(int devfd, const char *pf, const char *vf)
{
	unsigned off, stride, rpf, rvf;
	unsigned long dpf, dvf;

	if (read_uint_at(devfd, "sriov_offset", &off) < 0 || read_uint_at(devfd, "sriov_stride", &stride) < 0 ||
	    !stride || !routing_id(pf, &dpf, &rpf) || !routing_id(vf, &dvf, &rvf) || dpf != dvf ||
	    rvf < rpf + off || (rvf - rpf - off) % stride)
		return -ENOENT;
	return (int)((rvf - rpf - off) / stride);
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

/* pci_vf_index() with the PF's directory open as devfd; want canonical. */
static int vf_index_at(int devfd, const char *pf, const char *want, int *idx_out)
{
	char got[PCI_BDF_LEN], name[32];
	struct find_vf f = { .want = want, .idx = -1 };
	int r, guess;

	/* virtfnN is the truth; the capability's arithmetic only says which
	 * N to read first.  A PF with 64 VFs would otherwise cost a readdir
	 * and, on average, 32 readlinks on every pod start. */
	guess = vf_index_by_stride(devfd, pf, want);
	if (guess >= 0) {
		snprintf(name, sizeof(name), "virtfn%d", guess);
		if (virtfn_at(devfd, name, got) == 0 && !strcmp(got, want)) {
			*idx_out = guess;
			return 0;
		}
	}
	r = foreach_vf_at(devfd, match_vf, &f);
	if (r < 0)
		return r;
	if (f.idx < 0)
		return -ENOENT;
	*idx_out = f.idx;
	return 0;
}

int pci_vf_index(int rootfd, const char *pf, const char *vf, int *idx_out)
{
	_cleanup_close_ int devfd = -1;
	char want[PCI_BDF_LEN];
	int r;

	if (pci_bdf_parse(vf, want) < 0)
		return -EINVAL;
	r = dev_open(rootfd, pf, NULL, O_PATH | O_DIRECTORY, &devfd);
	if (r < 0)
		return r;
	return vf_index_at(devfd, pf, want, idx_out);
}

static int foreach_listed_fn(int rootfd, const char *rel, int (*cb)(const char *bdf, void *arg), void *arg);

int pci_foreach_fn(int rootfd, int (*cb)(const char *bdf, void *arg), void *arg)
{
	return foreach_listed_fn(rootfd, "bus/pci/devices", cb, arg);
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

/* A small attribute file of the device whose directory is devfd,
 * NUL-terminated, through the same choke point: devfd is the root, so
 * nothing can lead outside it. */
static int read_attr_at(int devfd, const char *attr, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r = sysfs_open(devfd, attr, O_RDONLY, &fd);

	if (r < 0)
		return r;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int read_uint_at(int devfd, const char *attr, unsigned *out)
{
	char buf[32], *end, *start;
	unsigned long v;
	int r = read_attr_at(devfd, attr, buf, sizeof(buf));

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

/* The device directory of bdf, for one attribute: "sriov_numvfs", never a
 * path. */
static int open_for_attr(int rootfd, const char *bdf, const char *attr, int *devfd)
{
	if (!*attr || strchr(attr, '/') || !strcmp(attr, "..") || !strcmp(attr, "."))
		return -EINVAL;
	return dev_open(rootfd, bdf, NULL, O_PATH | O_DIRECTORY, devfd);
}

int pci_read_uint(int rootfd, const char *bdf, const char *attr, unsigned *out)
{
	_cleanup_close_ int devfd = -1;
	int r = open_for_attr(rootfd, bdf, attr, &devfd);

	if (r < 0)
		return r;
	return read_uint_at(devfd, attr, out);
}

static int read_int_at(int devfd, const char *attr, int *out)
{
	char buf[32], *end;
	long v;
	int r = read_attr_at(devfd, attr, buf, sizeof(buf));

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

int pci_read_int(int rootfd, const char *bdf, const char *attr, int *out)
{
	_cleanup_close_ int devfd = -1;
	int r = open_for_attr(rootfd, bdf, attr, &devfd);

	if (r < 0)
		return r;
	return read_int_at(devfd, attr, out);
}

/* One small sysfs file under the root, parsed as a cpulist. */
static int read_list(int rootfd, const char *rel, struct numa_cpus *out)
{
	_cleanup_close_ int fd = -1;
	char buf[4096];
	ssize_t len;
	int r = sysfs_open(rootfd, rel, O_RDONLY, &fd);

	if (r < 0)
		return r;
	len = read(fd, buf, sizeof(buf));
	if (len < 0)
		return -errno;
	return numa_cpulist_parse(buf, (size_t)len, out);
}

int pci_numa_nodes(int rootfd, struct numa_node *out, unsigned max, unsigned *n)
{
	struct numa_cpus online;
	unsigned i;

	*n = 0;
	/* node/online names the nodes (a list in cpulist format): no probing
	 * of absent ones.  Without it the kernel has no NUMA support. */
	if (read_list(rootfd, "devices/system/node/online", &online) < 0)
		return 0;
	for (i = 0; i < NUMA_NODES_MAX && *n < max; i++) {
		char rel[64];

		if (!((online.w[0] >> i) & 1))
			continue;
		snprintf(rel, sizeof(rel), "devices/system/node/node%u/cpulist", i);
		if (read_list(rootfd, rel, &out[*n].cpus) < 0)
			continue;	/* memory-only (empty list) or unreadable */
		out[*n].node = (int)i;
		(*n)++;
	}
	return 0;
}

/* The facts of the function whose directory devfd is (bdf canonical).
 * With extra, a VF's PF is described too, through the directory
 * physfn_at() opened for it (extra->pf.bdf "" when not a VF), and the VF's
 * numa_node read if asked: one open of each directory for everything a plugin
 * asks of sysfs on a pod start. */
static int describe_at(int rootfd, int devfd, const char *bdf, bool physfn, struct pci_fn *out,
		       struct pci_vf_extra *extra)
{
	_cleanup_close_ int pfdir = -1;
	struct pci_fn fn = { .vf_index = -1 };
	int r;

	memcpy(fn.bdf, bdf, PCI_BDF_LEN);
	if (dev_link_base(devfd, "driver", fn.driver, sizeof(fn.driver)) < 0)
		fn.driver[0] = '\0';
	r = physfn ? physfn_at(rootfd, devfd, fn.bdf, fn.pf, extra ? &pfdir : NULL) : -ENOENT;
	if (r != 0 && r != -ENOENT)
		return r;
	/* A VF has no SR-IOV capability of its own (the kernel shows
	 * sriov_* on PFs only): pci_describe_vf() does not look for it on
	 * one, a failed sysfs lookup on every pod start. */
	if (!(extra && r == 0) && read_uint_at(devfd, "sriov_totalvfs", &fn.totalvfs) == 0) {
		fn.is_pf = true;
		if (read_uint_at(devfd, "sriov_numvfs", &fn.numvfs) < 0)
			fn.numvfs = 0;
	}
	if (r == 0) {
		fn.is_vf = true;
		if ((pfdir >= 0 ? vf_index_at(pfdir, fn.pf, fn.bdf, &fn.vf_index) :
				  pci_vf_index(rootfd, fn.pf, fn.bdf, &fn.vf_index)) < 0)
			fn.vf_index = -1;
	}
	if (extra) {
		memset(&extra->pf, 0, sizeof(extra->pf));
		/* The PF's own physfn is not looked for: a PF has none. */
		if (pfdir >= 0 && describe_at(rootfd, pfdir, fn.pf, false, &extra->pf, NULL) < 0)
			memset(&extra->pf, 0, sizeof(extra->pf));
		if (!extra->numa || read_int_at(devfd, "numa_node", &extra->numa_node) < 0 ||
		    extra->numa_node < -1)
			extra->numa_node = -1;
	}
	*out = fn;
	return 0;
}

static int describe(int rootfd, const char *bdf, bool physfn, struct pci_fn *out, bool *fn_failed,
		    struct pci_vf_extra *extra)
{
	_cleanup_close_ int devfd = -1;
	char canon[PCI_BDF_LEN];
	int r;

	*fn_failed = true;
	if (pci_bdf_parse(bdf, canon) < 0)
		return -EINVAL;
	/* One open of the device directory for everything below. */
	r = dev_open(rootfd, canon, NULL, O_PATH | O_DIRECTORY, &devfd);
	if (r < 0)
		return r;
	*fn_failed = false;
	return describe_at(rootfd, devfd, canon, physfn, out, extra);
}

int pci_describe(int rootfd, const char *bdf, struct pci_fn *out)
{
	bool fn_failed;

	return describe(rootfd, bdf, true, out, &fn_failed, NULL);
}

int pci_describe_vf(int rootfd, const char *bdf, struct pci_fn *out, struct pci_vf_extra *extra,
		    bool *fn_failed)
{
	return describe(rootfd, bdf, true, out, fn_failed, extra);
}

int pci_describe_pf(int rootfd, const char *bdf, struct pci_fn *out)
{
	bool fn_failed;

	return describe(rootfd, bdf, false, out, &fn_failed, NULL);
}

/* "M:m" (a dev file, or the name of a dev/char entry) as two numbers. */
static int parse_devnum(const char *s, unsigned *major, unsigned *minor)
{
	unsigned long a, b;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	a = strtoul(s, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return -EINVAL;
	b = strtoul(end + 1, &end, 10);
	if ((*end && *end != '\n') || a > UINT_MAX || b > UINT_MAX)
		return -EINVAL;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return 0;
}

/* cb for each PCI address listed in the directory rel (bus/pci/devices,
 * kernel/iommu_groups/N/devices). */
static int foreach_listed_fn(int rootfd, const char *rel, int (*cb)(const char *bdf, void *arg), void *arg)
{
	_cleanup_close_ int dfd = -1;
	struct dirent *de;
	DIR *d;
	int r = sysfs_open(rootfd, rel, O_RDONLY | O_DIRECTORY, &dfd);

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

int pci_chardev_functions(int rootfd, unsigned major, unsigned minor, int (*cb)(const char *bdf, void *arg),
			  void *arg)
{
	_cleanup_close_ int chardir = -1, devfd = -1;
	char name[32], base[NAME_MAX + 1], bdf[PCI_BDF_LEN], rel[96];
	int r;

	snprintf(name, sizeof(name), "%u:%u", major, minor);
	snprintf(rel, sizeof(rel), "dev/char/%s", name);
	/* Resolved from the root: its link climbs out of dev/char. */
	r = sysfs_open(rootfd, rel, O_PATH | O_DIRECTORY, &devfd);
	if (r < 0)
		return r;
	r = sysfs_open(rootfd, "dev/char", O_PATH | O_DIRECTORY, &chardir);
	if (r < 0)
		return r;
	/* A class device of a PCI function: vfio-dev/vfioN, uverbsN. */
	if (dev_link_base(devfd, "device", base, sizeof(base)) == 0 && pci_bdf_parse(base, bdf) == 0) {
		r = cb(bdf, arg);
		return r < 0 ? r : 0;
	}
	/* A vfio group: a virtual device named by its IOMMU group.  The name
	 * is the dev/char link's last component (read, never followed). */
	if (dev_link_base(devfd, "subsystem", base, sizeof(base)) < 0 || strcmp(base, "vfio"))
		return 0;
	if (dev_link_base(chardir, name, base, sizeof(base)) < 0 || !pf_all_digits(base) || strlen(base) > 10)
		return 0;
	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%s/devices", base);
	r = foreach_listed_fn(rootfd, rel, cb, arg);
	return r == -ENOENT ? 0 : r;
}

static int foreach_vfio_class(int rootfd, const char *cls, bool cdev,
			      int (*cb)(unsigned major, unsigned minor, void *arg), void *arg)
{
	_cleanup_close_ int dfd = -1;
	struct dirent *de;
	DIR *d;
	int r = sysfs_open(rootfd, cls, O_RDONLY | O_DIRECTORY, &dfd);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	d = fdopendir(dfd);
	if (!d)
		return -errno;
	r = 0;
	while (!r && (de = readdir(d))) {
		char buf[32], rel[64];
		unsigned ma, mi;

		/* Groups are numbers; device cdevs vfioN.  Read from the root:
		 * the class entry is a link that climbs out of class/. */
		if (cdev ? strncmp(de->d_name, "vfio", 4) || !pf_all_digits(de->d_name + 4) : !pf_all_digits(de->d_name))
			continue;
		if (strlen(de->d_name) > 16)
			continue;
		snprintf(rel, sizeof(rel), "%s/%s/dev", cls, de->d_name);
		if (read_attr_at(rootfd, rel, buf, sizeof(buf)) < 0 || parse_devnum(buf, &ma, &mi) < 0)
			continue;
		r = cb(ma, mi, arg);
	}
	closedir(d);	/* closes dfd */
	dfd = -1;
	return r < 0 ? r : 0;
}

int pci_foreach_vfio(int rootfd, int (*cb)(unsigned major, unsigned minor, void *arg), void *arg)
{
	int r = foreach_vfio_class(rootfd, "class/vfio", false, cb, arg);

	return r ? r : foreach_vfio_class(rootfd, "class/vfio-dev", true, cb, arg);
}
