/* SPDX-License-Identifier: MIT */
/*
 * The pod a process belongs to, by its cgroup: kubelet puts every pod in a
 * cgroup named by its UID, and the runtime every container in one named by
 * its ID beneath.  Pure (fuzzed, test/fuzz/fuzz_cgroup.c): the text of
 * /proc/PID/cgroup in, the pod's UID and the container's ID out.
 *
 *   cgroupfs driver   .../kubepods[/besteffort|/burstable]/pod<uid>/<id>
 *                     (CRI-O: crio-<id>)
 *   systemd driver    .../kubepods[-<qos>].slice/kubepods[-<qos>]-pod<uid with _ for ->.slice/
 *                     cri-containerd-<id>.scope | crio-<id>.scope | docker-<id>.scope
 *   cgroup v1         one line per hierarchy ("4:memory:/kubepods/..."),
 *   cgroup v2         one line "0::/kubepods/...".
 *
 * Nothing before the pod's component is needed: read from inside a cgroup
 * namespace (pflinkd in its own container) the path is relative to it,
 * "/../../besteffort/pod<uid>/<id>", and "kubepods" may be out of sight.
 */
#ifndef PFLINK_AGENT_PODS_CGROUP_H
#define PFLINK_AGENT_PODS_CGROUP_H

#include "pod.h"

#include <stddef.h>

enum pod_qos { POD_QOS_UNKNOWN, POD_QOS_GUARANTEED, POD_QOS_BURSTABLE, POD_QOS_BESTEFFORT };

struct pod_cgroup {
	char uid[POD_UID_MAX];		/* the pod's UID, with its dashes */
	char container_id[POD_ID_MAX];	/* "" when the process is in the pod's own cgroup */
	enum pod_qos qos;
};

/* One cgroup path (len bytes, need not be NUL-terminated).  0, or
 * -ENOENT when it names no pod. */
int pod_cgroup_path(const char *path, size_t len, struct pod_cgroup *out);

/* The text of /proc/PID/cgroup: the first line, in file order, whose path
 * names a pod.  -ENOENT when none does. */
int pod_cgroup_parse(const char *buf, size_t len, struct pod_cgroup *out);

/* "guaranteed", "burstable", "besteffort", "". */
const char *pod_qos_name(enum pod_qos q);

#endif
