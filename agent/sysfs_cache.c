/* SPDX-License-Identifier: MIT */
#include "sysfs_cache.h"
#include "uevent.h"
#include "pods/inotify.h"
#include "pflink/util.h"

#include <errno.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <unistd.h>

/* More PFs than a node has: past it, the cache starts over. */
#define SFC_PFS_MAX 256
/* The uevent socket's buffer: a PF enabling 128 VFs sends some 400 PCI
 * uevents, and every pod start a handful of net ones. */
#define SFC_UEVENT_RCVBUF (4 << 20)

struct sfc_pf {
	struct pci_fn fn;
	struct sfc_vf *vfs;
	unsigned n, cap;
};

struct sfc {
	int sysfd;
	int fd;
	enum sfc_signal signal;
	struct sfc_pf *pf;
	unsigned n_pf, cap_pf;
	struct sfc_pf scratch;		/* an answer not kept */
	int *wd;			/* inotify: the watches of the PFs held */
	unsigned n_wd, cap_wd;
	struct sfc_stats st;
};

static void pf_clear(struct sfc_pf *p)
{
	free(p->vfs);
	memset(p, 0, sizeof(*p));
}

static void drop_all(struct sfc *c)
{
	unsigned i;

	for (i = 0; i < c->n_pf; i++)
		pf_clear(&c->pf[i]);
	if (c->n_pf)
		c->st.drops++;
	c->n_pf = 0;
	/* Their IN_IGNORED events come back on the next read; no longer in
	 * wd[], they are not taken for changes. */
	for (i = 0; i < c->n_wd; i++)
		inotify_rm_watch(c->fd, c->wd[i]);
	c->n_wd = 0;
}

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT), sz = SFC_UEVENT_RCVBUF;

	if (fd < 0)
		return -errno;
	/* FORCE goes past rmem_max (root); else what rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int sfc_open(int sysfd, struct sfc **out)
{
	struct sfc *c = calloc(1, sizeof(*c));
	struct statfs sf;

	if (!c)
		return -ENOMEM;
	c->sysfd = sysfd;
	c->fd = -1;
	/* The real sysfs says what changed with uevents; a tree of plain
	 * files and links (the fixtures) only with inotify.  On sysfs inotify
	 * would say nothing: its links and attributes change without it. */
	if (fstatfs(sysfd, &sf) == 0 && sf.f_type == SYSFS_MAGIC) {
		if ((c->fd = uevent_open()) >= 0)
			c->signal = SFC_UEVENT;
	} else if ((c->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) >= 0) {
		c->signal = SFC_INOTIFY;
	}
	if (c->fd < 0)
		c->fd = -1;
	c->st.signal = c->signal;
	*out = c;
	return 0;
}

void sfc_free(struct sfc *c)
{
	if (!c)
		return;
	drop_all(c);
	free(c->pf);
	free(c->wd);
	pf_clear(&c->scratch);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int sfc_fd(const struct sfc *c)
{
	return c ? c->fd : -1;
}

static void uevent_drain(struct sfc *c)
{
	char buf[8192];

	for (;;) {
		struct sockaddr_nl sa;
		socklen_t sl = sizeof(sa);
		struct uevent ev;
		ssize_t n = recvfrom(c->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {	/* lost some: any may have been PCI */
			c->st.overflows++;
			drop_all(c);
			continue;
		}
		if (n < 0)
			return;		/* EAGAIN: all read */
		if (sl != sizeof(sa) || sa.nl_pid != 0)
			continue;	/* not the kernel's */
		/* A message cut at buf's size or not a uevent: it may have been
		 * about a PCI function. */
		if ((size_t)n == sizeof(buf) || uevent_parse(buf, (size_t)n, &ev) < 0 || uevent_is_pci(&ev))
			drop_all(c);
	}
}

struct ino_ctx {
	struct sfc *c;
	bool changed;
};

static void ino_event(int wd, uint32_t mask, const char *name, void *arg)
{
	struct ino_ctx *x = arg;
	unsigned i;

	(void)name;
	if (mask & IN_Q_OVERFLOW) {
		x->c->st.overflows++;
		x->changed = true;
		return;
	}
	for (i = 0; i < x->c->n_wd; i++)
		if (x->c->wd[i] == wd)
			x->changed = true;
}

static void inotify_drain(struct sfc *c)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct ino_ctx x = { .c = c };
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (pods_inotify_each(buf, (size_t)n, ino_event, &x) < 0 || x.changed)
			drop_all(c);
	}
}

void sfc_sync(struct sfc *c)
{
	if (!c || c->fd < 0)
		return;
	if (c->signal == SFC_UEVENT)
		uevent_drain(c);
	else
		inotify_drain(c);
}

static int row_add(int idx, const char *bdf, const char *drv, void *arg)
{
	struct sfc_pf *p = arg;
	struct sfc_vf *v;

	if (pf_grow((void **)&p->vfs, &p->cap, p->n, sizeof(*p->vfs)) < 0)
		return -ENOMEM;
	v = &p->vfs[p->n++];
	v->idx = idx;
	memcpy(v->bdf, bdf, PCI_BDF_LEN);
	/* Longer than pci_driver takes: none, as pci_driver says then. */
	if (pf_strscpy(v->drv, drv, sizeof(v->drv)) < 0)
		v->drv[0] = '\0';
	return 0;
}

static int row_cmp(const void *x, const void *y)
{
	const struct sfc_vf *a = x, *b = y;

	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Read pf into p; *keep: p is a consistent view, worth keeping. */
static int fill(struct sfc *c, const char *pf, struct sfc_pf *p, bool *keep)
{
	int r = pci_describe_pf(c->sysfd, pf, &p->fn);

	*keep = false;
	if (r < 0)
		return r;
	if (!p->fn.is_pf)
		return 0;
	r = pci_foreach_vf_driver(c->sysfd, p->fn.bdf, row_add, p);
	if (p->n > 1)
		qsort(p->vfs, p->n, sizeof(*p->vfs), row_cmp);
	/* A PF between two states (VFs being added or removed: the kernel
	 * sets sriov_numvfs and the virtfn links at different moments) is
	 * answered as read, not kept. */
	*keep = r == 0 && p->n == p->fn.numvfs;
	return 0;
}

static int watch(struct sfc *c, const char *bdf)
{
	char path[64];
	int fd = -1, r, wd;

	if (pf_grow((void **)&c->wd, &c->cap_wd, c->n_wd, sizeof(*c->wd)) < 0)
		return -ENOMEM;
	r = pci_fn_open(c->sysfd, bdf, &fd);
	if (r < 0)
		return r;
	/* The directory the choke point opened, not the path again. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(c->fd, path,
			       IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE |
				       IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
	r = wd < 0 ? -errno : 0;
	close(fd);
	if (r == 0)
		c->wd[c->n_wd++] = wd;
	return r;
}

/* Watches on the PF's directory (virtfn links, sriov_numvfs, its driver
 * link) and each VF's (its driver link). */
static int watch_pf(struct sfc *c, const struct sfc_pf *p)
{
	unsigned i;
	int r = watch(c, p->fn.bdf);

	for (i = 0; r == 0 && i < p->n; i++)
		r = watch(c, p->vfs[i].bdf);
	return r;
}

static bool same(const struct sfc_pf *a, const struct sfc_pf *b)
{
	unsigned i;

	if (strcmp(a->fn.bdf, b->fn.bdf) || strcmp(a->fn.driver, b->fn.driver) || a->fn.numvfs != b->fn.numvfs ||
	    a->fn.totalvfs != b->fn.totalvfs || a->fn.is_pf != b->fn.is_pf || a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->vfs[i].idx != b->vfs[i].idx || strcmp(a->vfs[i].bdf, b->vfs[i].bdf) ||
		    strcmp(a->vfs[i].drv, b->vfs[i].drv))
			return false;
	return true;
}

/* A change between a read and the watch made after it would go unseen:
 * watch what was read, read again, keep the second read when it found
 * what the first did (then every directory it read is watched). */
static bool watched_again(struct sfc *c, const char *canon, struct sfc_pf *p)
{
	struct sfc_pf again = { 0 };
	bool keep = false;

	if (watch_pf(c, p) == 0 && fill(c, canon, &again, &keep) == 0 && keep && same(p, &again)) {
		pf_clear(p);
		*p = again;
		return true;
	}
	pf_clear(&again);
	return false;
}

static struct sfc_pf *find(struct sfc *c, const char *canon)
{
	unsigned i;

	for (i = 0; i < c->n_pf; i++)
		if (!strcmp(c->pf[i].fn.bdf, canon))
			return &c->pf[i];
	return NULL;
}

static void out(const struct sfc_pf *p, const struct pci_fn **fn, const struct sfc_vf **vfs, unsigned *n)
{
	*fn = &p->fn;
	*vfs = p->vfs;
	*n = p->n;
}

int sfc_pf(struct sfc *c, const char *pf, const struct pci_fn **fn, const struct sfc_vf **vfs, unsigned *n)
{
	char canon[PCI_BDF_LEN];
	struct sfc_pf *p, fresh = { 0 };
	unsigned numvfs;
	bool keep;
	int r;

	if (pci_bdf_parse(pf, canon) < 0)
		return -EINVAL;
	p = find(c, canon);
	if (p) {
		/* sriov_numvfs is read every time: disabling VFs sends the
		 * VFs' remove uevents, then (6.1: a second later) sets it to
		 * 0 with no uevent of its own.  One small read. */
		if (pci_read_uint(c->sysfd, canon, "sriov_numvfs", &numvfs) == 0 && numvfs == p->fn.numvfs) {
			c->st.hits++;
			out(p, fn, vfs, n);
			return 0;
		}
		c->st.stale++;
		drop_all(c);
	}
	c->st.misses++;
	r = fill(c, canon, &fresh, &keep);
	if (r < 0) {
		pf_clear(&fresh);
		return r;
	}
	if (keep && c->signal != SFC_NONE) {
		if (c->n_pf == SFC_PFS_MAX)
			drop_all(c);
		if (pf_grow((void **)&c->pf, &c->cap_pf, c->n_pf, sizeof(*c->pf)) < 0)
			keep = false;
		if (keep && c->signal == SFC_INOTIFY)
			keep = watched_again(c, canon, &fresh);
		if (keep) {
			p = &c->pf[c->n_pf++];
			*p = fresh;
			out(p, fn, vfs, n);
			return 0;
		}
	}
	pf_clear(&c->scratch);
	c->scratch = fresh;
	out(&c->scratch, fn, vfs, n);
	return 0;
}

void sfc_get_stats(const struct sfc *c, struct sfc_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!c)
		return;
	*s = c->st;
	s->pfs = c->n_pf;
}

const char *sfc_signal_name(enum sfc_signal s)
{
	switch (s) {
	case SFC_UEVENT:
		return "uevent";
	case SFC_INOTIFY:
		return "inotify";
	case SFC_NONE:
		break;
	}
	return "none";
}
