/* SPDX-License-Identifier: MIT */
/*
 * Discovery of every network namespace of a node: nsfs bind mounts found
 * in mountinfo (ip netns under /run/netns, CRI's cni-..., docker's) and
 * /proc/PID/ns/net and /proc/PID/task/TID/ns/net, deduplicated by the
 * caller on (st_dev, st_ino).
 */
#ifndef PFLINK_AGENT_DISCOVER_H
#define PFLINK_AGENT_DISCOVER_H

#include "pflink/netns.h"

#include <stdbool.h>
#include <stddef.h>

/* One mountinfo line: mount point (octal escapes decoded) and whether the
 * filesystem is nsfs.  Pure; -EINVAL on a malformed line. */
int discover_parse_mountinfo(const char *line, char *mountpoint, size_t len, bool *nsfs);

/* path: something open()able that is the netns; label: how to name it
 * ("/run/netns/x" or "pid:123").  Return <0 to stop the walk. */
typedef int (*discover_cb)(const struct netns_id *id, const char *path, const char *label,
			 bool bind_mount, void *arg);

/* What the last walk of our mount namespace found, by mount ID
 * (listmount/statmount, mounts.h): the next walk stat-s new mounts only.
 * mountinfo: never try listmount (pflinkd --mount-walk mountinfo, how the
 * tests keep the older kernels' path honest).  NULL is a valid argument
 * to free. */
struct discover_mounts;
int discover_mounts_new(bool mountinfo, struct discover_mounts **out);
void discover_mounts_free(struct discover_mounts *m);

/* Walk bind mounts (of our mount namespace, then of proc/1's when that is
 * another one: the host's init when the agent has the host's /proc) then
 * processes and tasks.  Our own mounts come from listmount where the
 * kernel has it and mounts allows it, else from mountinfo; mounts keeps
 * what one walk found for the next.
 * *denied counts the processes and tasks whose ns/net the kernel would not
 * let us see (EACCES/EPERM: its ptrace access check, without
 * CAP_SYS_PTRACE or under an LSM): netns that exist but are missing. */
int discover_walk(const char *proc, struct discover_mounts *mounts, discover_cb cb, void *arg,
		  unsigned *denied);

/* Whether m walks by listmount (false: mountinfo; known after one walk). */
bool discover_mounts_listed(const struct discover_mounts *m);

#endif
