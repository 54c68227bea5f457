/* SPDX-License-Identifier: MIT */
/*
 * Who holds a VF, and how pflinkd knows: the holders of one VF, each with
 * its source.  Plain data and pure functions: the snapshot keeps a list of
 * them per VF, and every finding that needs a VF's holders (leaks.c's
 * vf_double_allocated, and the ones to come) reads that list.
 *
 *   record   pflink's attachment record (pflink ran in the pod's chain);
 *            live while its sandbox netns exists
 *   runtime  the container runtime's bundle: the sandbox whose netns holds
 *            the VF's netdev, or a container given the VF's device node
 *   cgroup   the cgroup of a process in the VF's netns, or holding its
 *            device open: the pod's UID and the container's ID, no names
 */
#ifndef PFLINK_AGENT_PODS_HOLDER_H
#define PFLINK_AGENT_PODS_HOLDER_H

#include "pod.h"

#include <stdbool.h>

enum pod_source { POD_SRC_RECORD, POD_SRC_RUNTIME, POD_SRC_CGROUP, POD_SRC_N };
/* How the holder has the VF: its netdev is in the pod's netns, or the pod
 * was given (or holds open) its device node (vfio group, vfio cdev). */
enum pod_via { POD_VIA_NETNS, POD_VIA_DEVICE };

/* Holders kept per VF: a record, a sandbox, a few containers. */
#define POD_HOLDERS_MAX 8

struct pod_holder {
	enum pod_source src;
	enum pod_via via;
	enum pod_runtime rt;		/* runtime: which runtime's bundle */
	/* Bounded as a record's fields are (what pflink took from CNI_ARGS). */
	char ns[256], name[256], uid[128];
	/* record: CNI's container ID (the sandbox's); runtime: the sandbox's
	 * ID (netns) or the container's (device); cgroup: the container's */
	char container_id[128];
	char container[POD_CTR_MAX];	/* runtime, device: the container's name */
};

/* "record", "runtime", "cgroup". */
const char *pod_source_name(enum pod_source s);
/* "netns", "device". */
const char *pod_via_name(enum pod_via v);

/* Do a and b name different pods?  Only when both say enough to tell: by
 * UID when both have one, else by namespace and name when both have
 * those.  A holder that names no pod at all differs from none. */
bool pod_holders_differ(const struct pod_holder *a, const struct pod_holder *b);

/* The pods among n holders: how many name a pod that differs from every
 * one before them (holders that name no pod are not counted). */
unsigned pod_holders_pods(const struct pod_holder *h, unsigned n);

/* Append h unless the list has it already (same source, way, container
 * and pod).  false when the list is full (*n == max) and h not in it. */
bool pod_holders_add(struct pod_holder *list, unsigned *n, unsigned max, const struct pod_holder *h);

/* The holder a VF is shown with: a record's, else a runtime's, else a
 * cgroup's (the first of its source); NULL for none. */
const struct pod_holder *pod_holders_first(const struct pod_holder *h, unsigned n);

#endif
