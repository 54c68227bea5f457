/* SPDX-License-Identifier: MIT */
/*
 * What pflinkd knows of a pod from the node itself (docs/design-notes.md
 * §19): the bounds of its names, the runtimes it reads, the rule a
 * container ID must pass before it becomes part of a path.  Shared by the
 * bundle and cgroup parsers, the index and the holders of a VF.
 */
#ifndef PFLINK_AGENT_PODS_POD_H
#define PFLINK_AGENT_PODS_POD_H

#include <stdbool.h>

/* Kubernetes' own limits, and one byte for the NUL: a namespace and a
 * container name are DNS labels (63), a pod name a DNS subdomain (253); a
 * UID is a UUID (36) or, for a static pod, a 32-digit hash.  A value
 * beyond its bound is not a Kubernetes pod's: the bundle is skipped. */
#define POD_NS_MAX 64
#define POD_NAME_MAX 254
#define POD_UID_MAX 64
#define POD_CTR_MAX 64
/* containerd's identifiers: at most 76 bytes. */
#define POD_ID_MAX 77

enum pod_runtime { POD_RT_CONTAINERD, POD_RT_CRIO, POD_RT_N };

/* "containerd", "cri-o". */
const char *pod_runtime_name(enum pod_runtime rt);

/* A container ID fit to be one path component: containerd's identifier
 * rule, [A-Za-z0-9]+([._-][A-Za-z0-9]+)*, 1..76 bytes (CRI's IDs, both
 * runtimes', are 64 hex digits).  Never ".", "..", a '/', a leading dot. */
bool pod_id_valid(const char *s);

#endif
