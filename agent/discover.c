/* SPDX-License-Identifier: MIT */
#include "discover.h"
#include "pflink/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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
		const char *open_path = mp;
		bool nsfs;

		if (discover_parse_mountinfo(line, mp, sizeof(mp), &nsfs) < 0 || !nsfs)
			continue;
		/* nsfs also carries other namespace types (mnt, uts, ...):
		 * netns_open() in the callback tells a netns apart. */
		if (id_of(mp, &id) < 0) {
			/* Mounted in the host but not visible in our mount
			 * namespace: reach it through init's root. */
			if ((size_t)snprintf(alt, sizeof(alt), "%s/1/root%s", proc, mp) >= sizeof(alt) ||
			    id_of(alt, &id) < 0)
				continue;
			open_path = alt;
		}
		r = cb(&id, open_path, mp, true, arg);
	}
	fclose(f);
	return r;
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

int discover_walk(const char *proc, discover_cb cb, void *arg, unsigned *denied)
{
	char path[PATH_MAX], label[300];
	struct dirent *de;
	DIR *d;
	int r;

	*denied = 0;
	r = walk_mounts(proc, "self", cb, arg);
	if (r >= 0)
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
