/* SPDX-License-Identifier: MIT */
#include "procs.h"
#include "pflink/numa.h"
#include "pflink/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* A process's cgroup file: a line per v1 hierarchy, a few hundred bytes. */
#define CGROUP_FILE_MAX (64u * 1024)

int pods_cgroup_of(const char *proc, int pid, struct pod_cgroup *out)
{
	_cleanup_free_ char *buf = NULL;
	char path[PATH_MAX];
	size_t len;
	int r;

	if (pid <= 0 || (size_t)snprintf(path, sizeof(path), "%s/%d/cgroup", proc, pid) >= sizeof(path))
		return -EINVAL;
	r = pf_read_file_at(AT_FDCWD, path, CGROUP_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	return pod_cgroup_parse(buf, len, out);
}

/* /proc/PID/status: some 1.5 KiB. */
#define STATUS_FILE_MAX (64u * 1024)

int pods_cpus_of(const char *proc, int pid, dev_t ns_dev, ino_t ns_ino, struct numa_cpus *out)
{
	_cleanup_free_ char *buf = NULL;
	char path[PATH_MAX];
	struct stat st;
	size_t len;
	int r;

	if (pid <= 0 || (size_t)snprintf(path, sizeof(path), "%s/%d/status", proc, pid) >= sizeof(path))
		return -EINVAL;
	/* A process that exits while this reads: ENOENT or ESRCH from the
	 * open or the read, or a status without the line (cut short). */
	r = pf_read_file_at(AT_FDCWD, path, STATUS_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	if ((r = numa_status_cpus(buf, len, out)) < 0)
		return r;
	/* After the read: the status was this netns' process's. */
	snprintf(path, sizeof(path), "%s/%d/ns/net", proc, pid);
	if (stat(path, &st) < 0)
		return -errno;
	return st.st_dev == ns_dev && st.st_ino == ns_ino ? 0 : -ESTALE;
}

/* The devices of devs that pid holds open. */
static void fds_of(const char *proc, const char *pid, const struct pod_devnum *devs, unsigned n,
		   void (*cb)(unsigned i, int pid, const struct pod_cgroup *cg, void *arg), void *arg,
		   const struct pod_cgroup *cg)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int dfd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/fd", proc, pid) >= sizeof(path))
		return;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		unsigned i;

		/* stat follows the fd's magic link to the open file itself
		 * (never opens it): a device node's st_rdev is its number. */
		if (!pf_all_digits(de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISCHR(st.st_mode))
			continue;
		for (i = 0; i < n; i++)
			if (major(st.st_rdev) == devs[i].major && minor(st.st_rdev) == devs[i].minor)
				cb(i, atoi(pid), cg, arg);
	}
	closedir(d);
}

int pods_fd_holders(const char *proc, const struct pod_devnum *devs, unsigned n,
		    void (*cb)(unsigned i, int pid, const struct pod_cgroup *cg, void *arg), void *arg,
		    unsigned *procs)
{
	struct dirent *de;
	DIR *d;

	*procs = 0;
	if (!n)
		return 0;
	d = opendir(proc);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct pod_cgroup cg;

		if (!pf_all_digits(de->d_name))
			continue;
		(*procs)++;
		if (pods_cgroup_of(proc, atoi(de->d_name), &cg) == 0)
			fds_of(proc, de->d_name, devs, n, cb, arg, &cg);
	}
	closedir(d);
	return 0;
}
