/* SPDX-License-Identifier: MIT */
#include "discover.h"
#include "mounts.h"
#include "pflink/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Field n (0-based, space separated) of a mountinfo line. */
static const char *field(const char *s, unsigned n, size_t *flen)
{
	while (n--) {
		s = strchr(s, ' ');
		if (!s)
			return NULL;
		s++;
	}
	*flen = strcspn(s, " \n");
	return s;
}

int discover_parse_mountinfo(const char *line, char *mountpoint, size_t len, bool *nsfs)
{
	const char *mp, *sep, *fs;
	size_t mlen, flen, i, o = 0;

	/* "36 35 0:4 net:[4026532] /run/netns/x rw shared:5 - nsfs nsfs rw" */
	mp = field(line, 4, &mlen);
	sep = strstr(line, " - ");
	if (!mp || !sep || sep < mp + mlen || !mlen)
		return -EINVAL;
	fs = field(sep + 3, 0, &flen);
	if (!fs || !flen)
		return -EINVAL;
	/* The kernel escapes space, tab, newline and backslash as \ooo. */
	for (i = 0; i < mlen; i++) {
		char c = mp[i];

		if (c == '\\') {
			if (i + 3 >= mlen || mp[i + 1] < '0' || mp[i + 1] > '7' ||
			    mp[i + 2] < '0' || mp[i + 2] > '7' || mp[i + 3] < '0' || mp[i + 3] > '7')
				return -EINVAL;
			c = (char)((mp[i + 1] - '0') * 64 + (mp[i + 2] - '0') * 8 + (mp[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= len || c == '\0')
			return -EINVAL;
		mountpoint[o++] = c;
	}
	mountpoint[o] = '\0';
	*nsfs = flen == 4 && !memcmp(fs, "nsfs", 4);
	return 0;
}

static int id_of(const char *path, struct netns_id *id)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

/* The netns of an nsfs mount point, and the path to open it by: mp, or,
 * mounted in the host but not visible in our mount namespace, the same
 * through init's root (in alt). */
static int mount_id_of(const char *proc, const char *mp, char *alt, size_t altlen, struct netns_id *id,
		       const char **open_path)
{
	*open_path = mp;
	if (id_of(mp, id) == 0)
		return 0;
	if ((size_t)snprintf(alt, altlen, "%s/1/root%s", proc, mp) >= altlen || id_of(alt, id) < 0)
		return -ENOENT;
	*open_path = alt;
	return 0;
}

static int walk_mounts(const char *proc, const char *who, discover_cb cb, void *arg)
{
	char path[PATH_MAX], line[8192], mp[PATH_MAX], alt[PATH_MAX];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s/mountinfo", proc, who);
	f = fopen(path, "re");
	if (!f)
		/* No such view: nothing to add.  But out of descriptors or
		 * memory, "nothing" would make the caller drop every netns
		 * known by a bind mount: say so instead. */
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? -errno : 0;
	while (r >= 0 && fgets(line, sizeof(line), f)) {
		struct netns_id id;
		const char *open_path;
		bool nsfs;

		if (discover_parse_mountinfo(line, mp, sizeof(mp), &nsfs) < 0 || !nsfs)
			continue;
		/* nsfs also carries other namespace types (mnt, uts, ...):
		 * netns_open() in the callback tells a netns apart. */
		if (mount_id_of(proc, mp, alt, sizeof(alt), &id, &open_path) < 0)
			continue;
		r = cb(&id, open_path, mp, true, arg);
	}
	fclose(f);
	return r;
}

/* One mount of our namespace as the last walk found it.  A mount's root
 * never changes, so neither does the netns an nsfs mount pins: what was
 * stat-ed once holds for as long as the ID is listed. */
struct dm_ent {
	uint64_t id;
	bool nsfs_ok;		/* nsfs, and its (dev, ino) known */
	struct netns_id nsid;
	char *path;		/* what to open: the mount point, or through init's root */
	char *mp;		/* the mount point: the label */
};

struct discover_mounts {
	bool listed;		/* by listmount (until it fails as missing or refused) */
	struct dm_ent *v;	/* ascending by id, as listmount answers */
	size_t n;
	uint64_t *ids;
	size_t n_ids, cap_ids;
};

static void dm_ent_free(struct dm_ent *e)
{
	free(e->path);
	free(e->mp);
}

void discover_mounts_free(struct discover_mounts *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		dm_ent_free(&m->v[i]);
	free(m->v);
	free(m->ids);
	free(m);
}

bool discover_mounts_listed(const struct discover_mounts *m)
{
	return m && m->listed;
}

/* A new mount: statmount, and stat its mount point if it is nsfs.  0 with
 * e filled (nsfs_ok false for any other mount, or one we cannot reach);
 * -ENOENT: gone since listed, not kept; other <0: out of memory. */
static int dm_learn(const char *proc, uint64_t id, struct dm_ent *e)
{
	char buf[MOUNTS_STATMOUNT_HDR + 2 * PATH_MAX];
	char mp[PATH_MAX], alt[PATH_MAX];
	const char *open_path;
	bool nsfs;
	int r;

	memset(e, 0, sizeof(*e));
	e->id = id;
	r = mounts_stat(id, buf, sizeof(buf));
	if (r == -ENOENT)
		return r;
	/* A mount point too long to answer (EOVERFLOW), or any answer we
	 * cannot take apart: as mountinfo's path skips a line it cannot
	 * parse, the mount is kept as not a netns. */
	if (r < 0 || mounts_parse_statmount(buf, sizeof(buf), mp, sizeof(mp), &nsfs) < 0 || !nsfs)
		return 0;
	if (mount_id_of(proc, mp, alt, sizeof(alt), &e->nsid, &open_path) < 0)
		return 0;
	e->path = strdup(open_path);
	e->mp = strdup(mp);
	if (!e->path || !e->mp) {
		dm_ent_free(e);
		return -ENOMEM;
	}
	e->nsfs_ok = true;
	return 0;
}

/* Our mount namespace by listmount: the IDs listed are merged with the
 * last walk's (both ascending), only new ones are asked about.  -ENOSYS:
 * no listmount here; m is as it was. */
static int walk_listed(const char *proc, struct discover_mounts *m, discover_cb cb, void *arg)
{
	struct dm_ent *nv;
	size_t i, j = 0, k = 0;
	int r;

	r = mounts_list(&m->ids, &m->n_ids, &m->cap_ids);
	if (r < 0)
		return r;
	nv = malloc((m->n_ids ? m->n_ids : 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	for (i = 0; i < m->n_ids; i++) {
		uint64_t id = m->ids[i];

		while (j < m->n && m->v[j].id < id)
			dm_ent_free(&m->v[j++]);	/* unmounted */
		if (j < m->n && m->v[j].id == id) {
			nv[k++] = m->v[j++];
			continue;
		}
		r = dm_learn(proc, id, &nv[k]);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			break;
		k++;
	}
	while (j < m->n)
		dm_ent_free(&m->v[j++]);
	free(m->v);
	m->v = nv;
	m->n = k;
	if (r < 0 && r != -ENOENT)
		return r;
	r = 0;
	for (i = 0; r >= 0 && i < m->n; i++)
		if (m->v[i].nsfs_ok)
			r = cb(&m->v[i].nsid, m->v[i].path, m->v[i].mp, true, arg);
	return r;
}

int discover_mounts_new(bool mountinfo, struct discover_mounts **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->listed = !mountinfo;
	return 0;
}

/* Our own mount namespace, by listmount where it works, else mountinfo. */
static int walk_own(const char *proc, struct discover_mounts *m, discover_cb cb, void *arg)
{
	int r;

	if (m->listed) {
		r = walk_listed(proc, m, cb, arg);
		/* No such call (before 6.8), or one a seccomp filter or an
		 * LSM refuses: mountinfo from now on. */
		if (r != -ENOSYS && r != -EPERM && r != -EINVAL)
			return r;
		m->listed = false;
	}
	return walk_mounts(proc, "self", cb, arg);
}

/* Whether proc/1 is in our mount namespace: then its mountinfo lists what
 * ours does, and a second walk of a thousand lines finds nothing new. */
static bool init_shares_mounts(const char *proc)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat sa, sb;

	snprintf(a, sizeof(a), "%s/self/ns/mnt", proc);
	snprintf(b, sizeof(b), "%s/1/ns/mnt", proc);
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void count_denied(int r, unsigned *denied)
{
	if (r == -EACCES || r == -EPERM)
		(*denied)++;
}

static int walk_tasks(const char *proc, const char *pid, discover_cb cb, void *arg, unsigned *denied)
{
	char path[PATH_MAX], label[300];
	struct dirent *de;
	DIR *d;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s/task", proc, pid);
	d = opendir(path);
	if (!d)	/* the process exited meanwhile, unless we are out of fds */
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? -errno : 0;
	while (r >= 0 && (de = readdir(d))) {
		struct netns_id id;

		/* The main thread is the process itself, already seen. */
		if (!pf_all_digits(de->d_name) || !strcmp(de->d_name, pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s/task/%s/ns/net", proc, pid, de->d_name);
		r = id_of(path, &id);
		if (r < 0) {
			count_denied(r, denied);
			r = 0;
			continue;
		}
		snprintf(label, sizeof(label), "pid:%s", pid);
		r = cb(&id, path, label, false, arg);
	}
	closedir(d);
	return r;
}

int discover_walk(const char *proc, struct discover_mounts *mounts, discover_cb cb, void *arg,
		  unsigned *denied)
{
	char path[PATH_MAX], label[300];
	struct dirent *de;
	DIR *d;
	int r;

	*denied = 0;
	r = walk_own(proc, mounts, cb, arg);
	if (r >= 0 && !init_shares_mounts(proc))
		r = walk_mounts(proc, "1", cb, arg);
	if (r < 0)
		return r;
	d = opendir(proc);
	if (!d)
		return -errno;
	while (r >= 0 && (de = readdir(d))) {
		struct netns_id id;

		if (!pf_all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/ns/net", proc, de->d_name);
		/* Exited processes have no usable link; one we may not look
		 * at is counted: its netns is missing from the map. */
		r = id_of(path, &id);
		if (r < 0) {
			count_denied(r, denied);
			r = 0;
			continue;
		}
		snprintf(label, sizeof(label), "pid:%s", de->d_name);
		r = cb(&id, path, label, false, arg);
		if (r >= 0)
			r = walk_tasks(proc, de->d_name, cb, arg, denied);
	}
	closedir(d);
	return r < 0 ? r : 0;
}
