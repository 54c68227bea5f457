/* SPDX-License-Identifier: MIT */
/*
 * The fallback that needs no runtime files: a process's cgroup names its
 * pod (cgroup.h).  Which process: one in the VF's netns (discovery walks
 * them anyway), or one holding the VF's device node open (a walk of
 * /proc/PID/fd, done only when no runtime root can be read).
 */
#ifndef PFLINK_AGENT_PODS_PROCS_H
#define PFLINK_AGENT_PODS_PROCS_H

#include "bundle.h"
#include "cgroup.h"

#include <sys/types.h>

/* /proc/PID/cgroup's pod, read through proc (the host's procfs).
 * -ENOENT: the process names no pod (or is gone). */
int pods_cgroup_of(const char *proc, int pid, struct pod_cgroup *out);

/* The CPUs /proc/PID/status's Cpus_allowed_list lets pid run on, read
 * through proc, when pid is still in the netns (dev, ino) after the read
 * (a pid that exited and was reused names another process).  -ENOENT
 * or -ESRCH: the process is gone (or exited while its status was read);
 * -ESTALE: the pid is in another netns now. */
struct numa_cpus;
int pods_cpus_of(const char *proc, int pid, dev_t ns_dev, ino_t ns_ino, struct numa_cpus *out);

/* Every process in a pod's cgroup that holds one of devs[0..n) open:
 * cb(i, pid, cgroup) with i the device's position.  *procs: processes
 * looked at.  Only the fd table of a process whose cgroup names a pod is
 * read (one stat per descriptor). */
int pods_fd_holders(const char *proc, const struct pod_devnum *devs, unsigned n,
		    void (*cb)(unsigned i, int pid, const struct pod_cgroup *cg, void *arg), void *arg,
		    unsigned *procs);

#endif
