/* SPDX-License-Identifier: MIT */
/* The runtimes' bundles, indexed (index.h). */
#include "index.h"
#include "inotify.h"
#include "pflink/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

enum { ST_WAIT, ST_READY };

/* What a bundle directory's watch wants: config.json written (both), its
 * userdata directory made (CRI-O's <id>/). */
#define WATCH_BUNDLE (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW)
#define WATCH_ROOT (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/* PCI functions kept per container: a few VFs, their IOMMU groups' peers. */
#define FNS_MAX 64

struct root {
	enum pod_runtime rt;
	char *path;
	int fd;				/* the root directory, -1 when not open */
	int wd;
	enum pods_root_state state;
	int err;
	unsigned long long reads, skipped[PODS_SKIP_N], unavailable;
};

struct wdmap {
	int wd;
	struct pods_entry *e;
};

struct nsref {
	struct netns_id id;
	const struct pods_entry *e;
};

struct fnref {
	char bdf[PCI_BDF_LEN];
	const struct pods_entry *e;
};

struct pods_index {
	struct pods_opts o;
	int ifd;
	struct root roots[POD_RT_N];
	struct pods_entry **v;		/* by (runtime, ID) */
	unsigned n, cap;
	struct pods_entry **q;		/* bundles to read, in order */
	unsigned qn, qcap;
	struct wdmap *w;
	unsigned wn, wcap;
	unsigned long long gen, ns_gen, fn_gen;	/* the lookups are rebuilt when older than gen */
	struct nsref *nsx;
	unsigned nsn, nscap;
	struct fnref *fnx;
	unsigned fnn, fncap;
	struct pods_stats st;
	bool building;
};

const char *pods_root_state_name(enum pods_root_state s)
{
	switch (s) {
	case PODS_ROOT_OK: return "ok";
	case PODS_ROOT_ABSENT: return "absent";
	case PODS_ROOT_UNREADABLE: return "unreadable";
	case PODS_ROOT_OFF: break;
	}
	return "off";
}

const char *pods_skip_name(enum pods_skip k)
{
	static const char *const names[PODS_SKIP_N] = {
		[PODS_SKIP_MALFORMED] = "malformed",
		[PODS_SKIP_TOO_BIG] = "too_big",
		[PODS_SKIP_BAD_ID] = "bad_id",
		[PODS_SKIP_SYMLINK] = "symlink",
	};

	return k < PODS_SKIP_N ? names[k] : "";
}

/* ---- entries, by (runtime, ID) ------------------------------------------ */

static int entry_cmp(enum pod_runtime rt, const char *id, const struct pods_entry *e)
{
	if (rt != e->rt)
		return rt < e->rt ? -1 : 1;
	return strcmp(id, e->id);
}

/* The position of (rt, id), or where it would go; *found says which. */
static unsigned entry_pos(const struct pods_index *x, enum pod_runtime rt, const char *id, bool *found)
{
	unsigned lo = 0, hi = x->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (entry_cmp(rt, id, x->v[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < x->n && !entry_cmp(rt, id, x->v[lo]);
	return lo;
}

static struct pods_entry *entry_find(const struct pods_index *x, enum pod_runtime rt, const char *id)
{
	bool found;
	unsigned i = entry_pos(x, rt, id, &found);

	return found ? x->v[i] : NULL;
}

static struct pods_entry *entry_new(struct pods_index *x, enum pod_runtime rt, const char *id)
{
	struct pods_entry *e;
	bool found;
	unsigned i = entry_pos(x, rt, id, &found);

	if (found || pf_grow((void **)&x->v, &x->cap, x->n, sizeof(*x->v)) < 0 || !(e = calloc(1, sizeof(*e))))
		return NULL;
	e->rt = rt;
	memcpy(e->id, id, strlen(id) + 1);	/* pod_id_valid: it fits */
	e->wd[0] = e->wd[1] = -1;
	memmove(x->v + i + 1, x->v + i, (x->n - i) * sizeof(*x->v));
	x->v[i] = e;
	x->n++;
	return e;
}

static void unwatch(struct pods_index *x, struct pods_entry *e)
{
	unsigned s, i;

	for (s = 0; s < 2; s++) {
		if (e->wd[s] < 0)
			continue;
		inotify_rm_watch(x->ifd, e->wd[s]);
		for (i = 0; i < x->wn; i++)
			if (x->w[i].wd == e->wd[s] && x->w[i].e == e) {
				x->w[i] = x->w[--x->wn];
				break;
			}
		e->wd[s] = -1;
	}
}

static void entry_free(struct pods_index *x, struct pods_entry *e)
{
	bool found;
	unsigned i;

	unwatch(x, e);
	if (e->queued)
		for (i = 0; i < x->qn; i++)
			if (x->q[i] == e) {
				memmove(x->q + i, x->q + i + 1, (x->qn - i - 1) * sizeof(*x->q));
				x->qn--;
				break;
			}
	i = entry_pos(x, e->rt, e->id, &found);
	if (found && x->v[i] == e) {
		memmove(x->v + i, x->v + i + 1, (x->n - i - 1) * sizeof(*x->v));
		x->n--;
	}
	if (e->state == ST_READY)
		x->gen++;
	free(e->fns);
	free(e->netns_path);
	free(e);
}

static void enqueue(struct pods_index *x, struct pods_entry *e, bool final)
{
	e->final |= final;
	if (e->queued)
		return;
	if (pf_grow((void **)&x->q, &x->qcap, x->qn, sizeof(*x->q)) < 0)
		return;		/* read again at the next recheck */
	x->q[x->qn++] = e;
	e->queued = true;
}

/* ---- watches -------------------------------------------------------------- */

static void watch(struct pods_index *x, struct pods_entry *e, unsigned slot, const char *path)
{
	int wd;

	if (e->wd[slot] >= 0 || pf_grow((void **)&x->w, &x->wcap, x->wn, sizeof(*x->w)) < 0)
		return;
	wd = inotify_add_watch(x->ifd, path, WATCH_BUNDLE);
	if (wd < 0)
		return;		/* then only the root's events and the rechecks see it */
	x->w[x->wn++] = (struct wdmap){ wd, e };
	e->wd[slot] = wd;
}

/* The bundle directory (and CRI-O's userdata within it) watched while its
 * config.json is awaited. */
static void watch_bundle(struct pods_index *x, struct root *r, struct pods_entry *e)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", r->path, e->id) >= sizeof(path))
		return;
	watch(x, e, 0, path);
	if (r->rt == POD_RT_CRIO &&
	    (size_t)snprintf(path, sizeof(path), "%s/%s/userdata", r->path, e->id) < sizeof(path))
		watch(x, e, 1, path);
}

static struct pods_entry *entry_of_wd(const struct pods_index *x, int wd)
{
	unsigned i;

	for (i = 0; i < x->wn; i++)
		if (x->w[i].wd == wd)
			return x->w[i].e;
	return NULL;
}

/* ---- reading a bundle ------------------------------------------------------ */

/* errno of a failed O_NOFOLLOW open of name in dirfd, as -ELOOP when name is
 * a symlink (O_DIRECTORY may say ENOTDIR first). */
static int open_err(int dirfd, const char *name)
{
	int e = errno;
	struct stat st;

	if ((e == ELOOP || e == ENOTDIR) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	return -e;
}

/* config.json of bundle id, whole, NUL-terminated.  -ENOENT: not there
 * (yet); -ELOOP: a symlink on the way; -EFBIG: over POD_BUNDLE_MAX;
 * -EINVAL: not a regular file. */
static int read_config(const struct root *r, const char *id, char **out, size_t *len)
{
	_cleanup_close_ int dfd = -1, ufd = -1, cfd = -1;
	struct stat st;

	dfd = openat(r->fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return open_err(r->fd, id);
	if (r->rt == POD_RT_CRIO) {
		ufd = openat(dfd, "userdata", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (ufd < 0)
			return open_err(dfd, "userdata");
	}
	/* O_NONBLOCK: a FIFO put there cannot wedge the serving loop. */
	cfd = openat(ufd >= 0 ? ufd : dfd, "config.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (cfd < 0)
		return open_err(ufd >= 0 ? ufd : dfd, "config.json");
	if (fstat(cfd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > (off_t)POD_BUNDLE_MAX)
		return -EFBIG;
	/* Read to its end: one that grew past the bound since is too big. */
	return pf_read_fd(cfd, POD_BUNDLE_MAX, out, len);
}

/* A netns path from a bundle, as (st_dev, st_ino): /proc/... through the
 * host's procfs; a path not mounted in our mount namespace through init's
 * root (as discovery reaches bind mounts). */
static int netns_stat(const struct pods_index *x, const char *path, struct netns_id *id)
{
	char p[PATH_MAX];
	struct stat st;
	int r;

	if (path[0] != '/')
		return -EINVAL;
	if (!strncmp(path, "/proc/", 6))
		r = snprintf(p, sizeof(p), "%s/%s", x->o.proc, path + 6);
	else
		r = snprintf(p, sizeof(p), "%s", path);
	if (r < 0 || (size_t)r >= sizeof(p))
		return -ENAMETOOLONG;
	if (stat(p, &st) < 0) {
		if (!strncmp(path, "/proc/", 6) ||
		    (size_t)snprintf(p, sizeof(p), "%s/1/root%s", x->o.proc, path) >= sizeof(p) || stat(p, &st) < 0)
			return -ENOENT;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

struct fn_acc {
	char (*v)[PCI_BDF_LEN];
	unsigned n;
};

static int fn_add(const char *bdf, void *arg)
{
	struct fn_acc *a = arg;
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], bdf))
			return 0;
	if (a->n == FNS_MAX)
		return 1;
	memcpy(a->v[a->n++], bdf, PCI_BDF_LEN);
	return 0;
}

/* A container's devices, as PCI functions (sysfs, dev/char). */
static int resolve_devices(const struct pods_index *x, const struct pod_bundle *b, struct pods_entry *e)
{
	struct fn_acc a = { 0 };
	unsigned i;

	if (b->all_devices || !b->n_dev || x->o.sysfd < 0)
		return 0;
	a.v = calloc(FNS_MAX, sizeof(*a.v));
	if (!a.v)
		return -ENOMEM;
	for (i = 0; i < b->n_dev && a.n < FNS_MAX; i++)
		pci_chardev_functions(x->o.sysfd, b->dev[i].major, b->dev[i].minor, fn_add, &a);
	if (!a.n) {
		free(a.v);
		return 0;
	}
	e->fns = realloc(a.v, a.n * sizeof(*a.v)) ?: a.v;
	e->n_fns = a.n;
	return 0;
}

/* What a read bundle says, into e; false when nothing of it is kept. */
static bool take(struct pods_index *x, struct pods_entry *e, const struct pod_bundle *b)
{
	e->kind = b->kind;
	memcpy(e->ns, b->ns, sizeof(e->ns));
	memcpy(e->name, b->name, sizeof(e->name));
	memcpy(e->uid, b->uid, sizeof(e->uid));
	memcpy(e->sandbox_id, b->sandbox_id, sizeof(e->sandbox_id));
	memcpy(e->container, b->container, sizeof(e->container));
	if (b->kind == POD_KIND_SANDBOX) {
		/* A sandbox on the host's network holds no netns of its own. */
		if (!b->netns[0])
			return false;
		if (netns_stat(x, b->netns, &e->netns) == 0)
			e->has_netns = true;
		else
			e->netns_path = strdup(b->netns);	/* resolved at a recheck */
		return true;
	}
	return resolve_devices(x, b, e) == 0 && e->n_fns > 0;
}

static void skip(struct pods_index *x, struct root *r, struct pods_entry *e, enum pods_skip why)
{
	r->skipped[why]++;
	entry_free(x, e);
}

/* Read e's config.json.  A read made on a guess (its directory just
 * appeared) that finds nothing, or something half-written, waits for the
 * write's own event; a final one (config.json written, the start-up, a
 * recheck) decides. */
/* This thread's CPU time: what a bundle costs, apart from whatever else
 * the node was running meanwhile (the loop's slices are wall time). */
static unsigned long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void bundle_read(struct pods_index *x, struct pods_entry *e)
{
	struct root *r = &x->roots[e->rt];
	unsigned long long t0 = cpu_ns(), dt;
	bool final = e->final;
	_cleanup_free_ char *buf = NULL;
	struct pod_bundle b;
	size_t len = 0;
	int rc;

	e->final = false;
	if (r->fd < 0) {
		entry_free(x, e);
		return;
	}
	rc = read_config(r, e->id, &buf, &len);
	if (rc == 0)
		r->reads++;
	if (rc == -ELOOP) {
		skip(x, r, e, PODS_SKIP_SYMLINK);
	} else if (rc == -EFBIG) {
		skip(x, r, e, PODS_SKIP_TOO_BIG);
	} else if (rc == -EINVAL) {
		skip(x, r, e, PODS_SKIP_MALFORMED);
	} else if (rc < 0) {
		/* Not there (yet), or gone: the directory's events say which. */
		if (final && rc != -ENOENT && rc != -ENOTDIR)
			skip(x, r, e, PODS_SKIP_MALFORMED);
	} else if ((rc = pod_bundle_parse(e->rt, buf, len, &b)) == -ENODATA) {
		entry_free(x, e);	/* no pod's (podman's, ctr's): nothing to keep */
	} else if (rc < 0) {
		/* A guess may have met it half-written: its close says when. */
		if (final)
			skip(x, r, e, PODS_SKIP_MALFORMED);
	} else if (!take(x, e, &b)) {
		entry_free(x, e);
	} else {
		unwatch(x, e);
		e->state = ST_READY;
		x->gen++;
	}
	dt = cpu_ns() - t0;
	if (!x->building) {
		x->st.bundles++;
		x->st.bundle_ns += dt;
		if (dt > x->st.bundle_max_ns)
			x->st.bundle_max_ns = dt;
	}
}

/* ---- roots ------------------------------------------------------------------ */

static void root_drop_entries(struct pods_index *x, enum pod_runtime rt)
{
	unsigned i;

	for (i = x->n; i-- > 0;)
		if (x->v[i]->rt == rt)
			entry_free(x, x->v[i]);
}

static void root_down(struct pods_index *x, struct root *r, enum pods_root_state st, int err)
{
	root_drop_entries(x, r->rt);
	if (r->wd >= 0)
		inotify_rm_watch(x->ifd, r->wd);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = r->wd = -1;
	r->state = st;
	r->err = err;
	r->unavailable++;
}

/* A name in a root: a bundle directory to index (by its ID), or a
 * symlink or a bad name to count.  final: read it now (the start-up) or
 * queue a final read (a rescan); else queue a read on a guess. */
static void root_name(struct pods_index *x, struct root *r, const char *name, unsigned char type, bool final)
{
	struct pods_entry *e;
	struct stat st;

	if (type == DT_UNKNOWN && fstatat(r->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
	if (type == DT_LNK) {
		r->skipped[PODS_SKIP_SYMLINK]++;
		return;
	}
	if (type != DT_DIR)
		return;
	if (!pod_id_valid(name)) {
		r->skipped[PODS_SKIP_BAD_ID]++;
		return;
	}
	e = entry_find(x, r->rt, name);
	if (e) {
		e->seen = true;
		return;
	}
	e = entry_new(x, r->rt, name);
	if (!e)
		return;
	e->seen = true;
	/* Watched first: what is written after the read below is an event. */
	watch_bundle(x, r, e);
	if (x->building) {
		e->final = true;
		bundle_read(x, e);
		x->st.build_bundles++;
	} else {
		enqueue(x, e, final);
	}
}

/* Every name in the root; entries no longer there are dropped. */
static int root_scan(struct pods_index *x, struct root *r, bool final)
{
	struct dirent *de;
	unsigned i;
	int dfd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		int e = -errno;

		close(dfd);
		return e;
	}
	for (i = 0; i < x->n; i++)
		if (x->v[i]->rt == r->rt)
			x->v[i]->seen = false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			root_name(x, r, de->d_name, de->d_type, final);
	closedir(d);
	for (i = x->n; i-- > 0;)
		if (x->v[i]->rt == r->rt && !x->v[i]->seen)
			entry_free(x, x->v[i]);
	return 0;
}

/* Open, watch and read a root; its state says how it went. */
static void root_up(struct pods_index *x, struct root *r)
{
	int rc;

	r->fd = open(r->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0) {
		rc = errno;
		root_down(x, r, rc == ENOENT || rc == ENOTDIR ? PODS_ROOT_ABSENT : PODS_ROOT_UNREADABLE, rc);
		return;
	}
	/* Watched before it is read: a bundle made meanwhile is an event. */
	r->wd = inotify_add_watch(x->ifd, r->path, WATCH_ROOT);
	if (r->wd < 0) {
		rc = errno;
		root_down(x, r, PODS_ROOT_UNREADABLE, rc);
		return;
	}
	r->state = PODS_ROOT_OK;
	r->err = 0;
	rc = root_scan(x, r, true);
	if (rc < 0)
		root_down(x, r, PODS_ROOT_UNREADABLE, -rc);
}

/* ---- events ------------------------------------------------------------------ */

struct ev_ctx {
	struct pods_index *x;
	bool overflow;
};

static void root_event(struct pods_index *x, struct root *r, uint32_t mask, const char *name)
{
	struct pods_entry *e;

	if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
		if (r->fd >= 0) {
			r->wd = -1;	/* the kernel dropped it */
			root_down(x, r, PODS_ROOT_ABSENT, ENOENT);
		}
		return;
	}
	if (!name[0])
		return;
	if (mask & (IN_DELETE | IN_MOVED_FROM)) {
		if (pod_id_valid(name) && (e = entry_find(x, r->rt, name)))
			entry_free(x, e);
		return;
	}
	if (mask & (IN_CREATE | IN_MOVED_TO))
		root_name(x, r, name, mask & IN_ISDIR ? DT_DIR : DT_UNKNOWN, false);
}

static void bundle_event(struct pods_index *x, struct pods_entry *e, int wd, uint32_t mask, const char *name)
{
	unsigned s;

	if (mask & IN_IGNORED) {
		/* The directory went; its root's event drops the entry. */
		for (s = 0; s < 2; s++)
			if (e->wd[s] == wd) {
				unsigned i;

				for (i = 0; i < x->wn; i++)
					if (x->w[i].wd == wd) {
						x->w[i] = x->w[--x->wn];
						break;
					}
				e->wd[s] = -1;
			}
		return;
	}
	if (!strcmp(name, "config.json") && (mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
		enqueue(x, e, true);
	else if (e->rt == POD_RT_CRIO && !strcmp(name, "userdata") && (mask & (IN_CREATE | IN_MOVED_TO))) {
		watch_bundle(x, &x->roots[e->rt], e);
		enqueue(x, e, false);
	}
}

static void on_event(int wd, uint32_t mask, const char *name, void *arg)
{
	struct ev_ctx *c = arg;
	struct pods_index *x = c->x;
	struct pods_entry *e;
	unsigned i;

	x->st.events++;
	if (mask & IN_Q_OVERFLOW) {
		c->overflow = true;
		return;
	}
	for (i = 0; i < POD_RT_N; i++)
		if (x->roots[i].wd >= 0 && x->roots[i].wd == wd) {
			root_event(x, &x->roots[i], mask, name);
			return;
		}
	e = entry_of_wd(x, wd);
	if (e)
		bundle_event(x, e, wd, mask, name);
}

void pods_index_events(struct pods_index *x)
{
	/* Aligned as the kernel wants for struct inotify_event.  One read a
	 * call, a few events (a bundle's name is 64 bytes): what a burst of
	 * pod starts leaves queued is read on the next turns of the loop (the
	 * descriptor stays readable), so no turn is long. */
	char buf[1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct ev_ctx c = { .x = x };
	unsigned long long t0 = pf_now_ns(), dt;
	ssize_t n;
	unsigned i;

	if (x->ifd < 0)
		return;
	n = read(x->ifd, buf, sizeof(buf));
	if (n > 0 && pods_inotify_each(buf, (size_t)n, on_event, &c) < 0)
		c.overflow = true;
	dt = pf_now_ns() - t0;
	if (dt > x->st.slice_max_ns)
		x->st.slice_max_ns = dt;
	if (!c.overflow)
		return;
	/* Events were lost: each root read again, what changed read again. */
	x->st.overflows++;
	for (i = 0; i < POD_RT_N; i++) {
		int rc = x->roots[i].fd >= 0 ? root_scan(x, &x->roots[i], true) : 0;

		if (rc < 0)
			root_down(x, &x->roots[i], PODS_ROOT_UNREADABLE, -rc);
	}
}

bool pods_index_busy(const struct pods_index *x)
{
	return x->qn > 0;
}

void pods_index_work(struct pods_index *x, unsigned long long budget_ns)
{
	unsigned long long t0 = pf_now_ns(), dt;

	while (x->qn) {
		struct pods_entry *e = x->q[0];

		memmove(x->q, x->q + 1, (x->qn - 1) * sizeof(*x->q));
		x->qn--;
		e->queued = false;
		bundle_read(x, e);
		if (pf_now_ns() - t0 >= budget_ns)
			break;
	}
	dt = pf_now_ns() - t0;
	if (dt > x->st.slice_max_ns)
		x->st.slice_max_ns = dt;
}

bool pods_index_recheck(struct pods_index *x)
{
	bool changed = false;
	unsigned i;

	for (i = 0; i < POD_RT_N; i++) {
		struct root *r = &x->roots[i];

		if (r->state == PODS_ROOT_ABSENT || r->state == PODS_ROOT_UNREADABLE) {
			enum pods_root_state was = r->state;
			unsigned long long un = r->unavailable;

			root_up(x, r);
			/* Still down: counted once per change, not per recheck. */
			if (r->state == was)
				r->unavailable = un;
			changed |= r->state != was;
		}
	}
	for (i = 0; i < x->n; i++) {
		struct pods_entry *e = x->v[i];

		if (e->state == ST_READY && e->netns_path && netns_stat(x, e->netns_path, &e->netns) == 0) {
			e->has_netns = true;
			free(e->netns_path);
			e->netns_path = NULL;
			x->gen++;
		} else if (e->state == ST_WAIT && e->waits++) {
			/* Waiting since the recheck before: a config.json half
			 * written when its directory appeared, whose close came
			 * before the watch, is read for good now. */
			enqueue(x, e, true);
		}
	}
	return changed;
}

/* ---- lookups ------------------------------------------------------------------ */

static int nsref_cmp(const void *a, const void *b)
{
	const struct nsref *p = a, *q = b;

	if (p->id.dev != q->id.dev)
		return p->id.dev < q->id.dev ? -1 : 1;
	return (p->id.ino > q->id.ino) - (p->id.ino < q->id.ino);
}

static int fnref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fnref *)a)->bdf, ((const struct fnref *)b)->bdf);
}

static void ns_lookup_build(struct pods_index *x)
{
	unsigned i;

	if (x->ns_gen == x->gen)
		return;
	x->nsn = 0;
	for (i = 0; i < x->n; i++) {
		const struct pods_entry *e = x->v[i];

		if (e->state != ST_READY || !e->has_netns)
			continue;
		if (pf_grow((void **)&x->nsx, &x->nscap, x->nsn, sizeof(*x->nsx)) < 0)
			break;
		x->nsx[x->nsn++] = (struct nsref){ e->netns, e };
	}
	if (x->nsn)
		qsort(x->nsx, x->nsn, sizeof(*x->nsx), nsref_cmp);
	x->ns_gen = x->gen;
}

static void fn_lookup_build(struct pods_index *x)
{
	unsigned i, j;

	if (x->fn_gen == x->gen)
		return;
	x->fnn = 0;
	for (i = 0; i < x->n; i++) {
		const struct pods_entry *e = x->v[i];

		for (j = 0; e->state == ST_READY && j < e->n_fns; j++) {
			if (pf_grow((void **)&x->fnx, &x->fncap, x->fnn, sizeof(*x->fnx)) < 0)
				break;
			memcpy(x->fnx[x->fnn].bdf, e->fns[j], PCI_BDF_LEN);
			x->fnx[x->fnn++].e = e;
		}
	}
	if (x->fnn)
		qsort(x->fnx, x->fnn, sizeof(*x->fnx), fnref_cmp);
	x->fn_gen = x->gen;
}

const struct pods_entry *pods_index_by_netns(struct pods_index *x, const struct netns_id *id)
{
	struct nsref key = { *id, NULL }, *hit;

	ns_lookup_build(x);
	if (!x->nsn)
		return NULL;
	hit = bsearch(&key, x->nsx, x->nsn, sizeof(*x->nsx), nsref_cmp);
	return hit ? hit->e : NULL;
}

unsigned pods_index_by_function(struct pods_index *x, const char *bdf, const struct pods_entry **out, unsigned max)
{
	unsigned lo = 0, hi, n = 0;

	fn_lookup_build(x);
	hi = x->fnn;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (strcmp(x->fnx[mid].bdf, bdf) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < x->fnn && !strcmp(x->fnx[lo].bdf, bdf); lo++, n++)
		if (n < max)
			out[n] = x->fnx[lo].e;
	return n;
}

const struct pods_entry *const *pods_index_entries(const struct pods_index *x, unsigned *n)
{
	*n = x->n;
	return (const struct pods_entry *const *)x->v;
}

void pods_index_root(const struct pods_index *x, enum pod_runtime rt, struct pods_root_info *out)
{
	const struct root *r = &x->roots[rt];
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (rt >= POD_RT_N)
		return;
	out->path = r->path ? r->path : "";
	out->state = r->state;
	out->err = r->err;
	out->reads = r->reads;
	memcpy(out->skipped, r->skipped, sizeof(out->skipped));
	out->unavailable = r->unavailable;
	for (i = 0; i < x->n; i++)
		out->entries += x->v[i]->rt == rt && x->v[i]->state == ST_READY;
}

void pods_index_stats(const struct pods_index *x, struct pods_stats *out)
{
	*out = x->st;
}

bool pods_index_any_root(const struct pods_index *x)
{
	unsigned i;

	for (i = 0; i < POD_RT_N; i++)
		if (x->roots[i].state == PODS_ROOT_OK)
			return true;
	return false;
}

int pods_index_fd(const struct pods_index *x)
{
	return x->ifd;
}

/* ---- life ---------------------------------------------------------------------- */

int pods_index_new(const struct pods_opts *o, struct pods_index **out)
{
	struct pods_index *x = calloc(1, sizeof(*x));
	unsigned long long t0 = pf_now_ns();
	unsigned i;

	if (!x)
		return -ENOMEM;
	x->o = *o;
	x->ifd = -1;
	for (i = 0; i < POD_RT_N; i++) {
		x->roots[i].rt = (enum pod_runtime)i;
		x->roots[i].fd = x->roots[i].wd = -1;
		if (o->root[i] && o->root[i][0] && !(x->roots[i].path = strdup(o->root[i]))) {
			pods_index_free(x);
			return -ENOMEM;
		}
	}
	x->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (x->ifd < 0) {
		int e = -errno;

		pods_index_free(x);
		return e;
	}
	x->building = true;
	for (i = 0; i < POD_RT_N; i++)
		if (x->roots[i].path)
			root_up(x, &x->roots[i]);
	x->building = false;
	/* Counted from here on: a root found down at start is one. */
	x->st.build_ns = pf_now_ns() - t0;
	*out = x;
	return 0;
}

void pods_index_free(struct pods_index *x)
{
	unsigned i;

	if (!x)
		return;
	while (x->n)
		entry_free(x, x->v[x->n - 1]);
	for (i = 0; i < POD_RT_N; i++) {
		if (x->roots[i].fd >= 0)
			close(x->roots[i].fd);
		free(x->roots[i].path);
	}
	if (x->ifd >= 0)
		close(x->ifd);
	free(x->v);
	free(x->q);
	free(x->w);
	free(x->nsx);
	free(x->fnx);
	free(x);
}
