/* SPDX-License-Identifier: MIT */
/*
 * A container's OCI bundle config.json, as the Kubernetes runtimes write
 * it, read for the pod it belongs to.  Pure: a buffer in, a struct out;
 * fuzzed (test/fuzz/fuzz_bundle.c).  Everything in it is untrusted: whoever
 * may create a pod sets annotations the runtimes copy into it.
 *
 * containerd's CRI (runtime v2 bundles, <state>/io.containerd.runtime.v2.task/k8s.io/<id>/):
 *   io.kubernetes.cri.container-type    "sandbox" | "container"
 *   io.kubernetes.cri.sandbox-id, -sandbox-name, -sandbox-namespace,
 *   -sandbox-uid (1.6+; older ones: the UID from linux.cgroupsPath),
 *   io.kubernetes.cri.container-name    (containers)
 * CRI-O (containers/storage's run dir, <runroot>/overlay-containers/<id>/userdata/):
 *   io.kubernetes.cri-o.ContainerType   "sandbox" | "container"
 *   io.kubernetes.cri-o.SandboxID
 *   io.kubernetes.pod.name, .namespace, .uid   (kubelet's labels, copied in)
 *   io.kubernetes.container.name        (containers; "POD" for the sandbox)
 *   io.container.manager                "cri-o" ("libpod": podman's, skipped)
 * Both: linux.namespaces' network entry names the netns (a sandbox's
 * pinned /var/run/netns/..., a container's /proc/<pause>/ns/net), and
 * linux.devices the device nodes a container was given, by the host's
 * major:minor (the path is the one inside the container).
 */
#ifndef PFLINK_AGENT_PODS_BUNDLE_H
#define PFLINK_AGENT_PODS_BUNDLE_H

#include "pod.h"

#include <stddef.h>

/* The largest config.json read: a spec is 5-30 KiB; Kubernetes caps a
 * pod's annotations at 256 KiB, and CRI-O copies them all in. */
#define POD_BUNDLE_MAX (2u << 20)
#define POD_NETNS_MAX 256
/* Character devices of one container that are kept; a privileged
 * container's (every device of the host) are not collected at all. */
#define POD_DEVS_MAX 64

enum pod_kind { POD_KIND_SANDBOX, POD_KIND_CONTAINER };

struct pod_devnum {
	unsigned major, minor;
};

struct pod_bundle {
	enum pod_kind kind;
	char ns[POD_NS_MAX], name[POD_NAME_MAX], uid[POD_UID_MAX];
	char sandbox_id[POD_ID_MAX];
	char container[POD_CTR_MAX];	/* a container's name in its pod; "" for a sandbox */
	char netns[POD_NETNS_MAX];	/* the network namespace's path; "" without one (host network) */
	/* Character devices (linux.devices, type c or u), unless all_devices. */
	struct pod_devnum dev[POD_DEVS_MAX];
	unsigned n_dev;
	/* A device cgroup rule allows every device (privileged): its
	 * device list is the host's, not something it was given. */
	bool all_devices;
};

/* Parse buf[0..len) (need not be NUL-terminated).  0 and *out filled;
 * -EBADMSG: not one JSON object (json_parse_exact); -ENODATA: no pod of
 * this runtime's (no container type, no pod name or namespace, a podman
 * container); -EINVAL: a member of the wrong type, a container type
 * neither runtime writes, a sandbox ID that is no ID; -E2BIG: a value
 * beyond its bound, more than POD_DEVS_MAX devices. */
int pod_bundle_parse(enum pod_runtime rt, const char *buf, size_t len, struct pod_bundle *out);

#endif
