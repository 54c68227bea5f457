/* SPDX-License-Identifier: MIT */
/*
 * Per-attachment state: one JSON file per (container ID, ifname) in the
 * state dir, written atomically.  CHECK, DEL and GC read it; the agent reads
 * it to name the pod that holds each VF.
 */
#ifndef PFLINK_STATE_H
#define PFLINK_STATE_H

#include "pflink/resolve.h"

#include <stdbool.h>
#include <stddef.h>

#define RECORD_MAX (64u * 1024)
#define RECORD_SUFFIX ".json"

struct pf_record {
	char network[256];
	char container_id[256];
	char ifname[IF_NAMESIZE];
	char netns[PATH_MAX];
	char cni_version[16];
	char vf[PCI_BDF_LEN];
	char vf_mac[MAC_STR_MAX];
	char vf_driver[64];
	int vf_index;
	/* The VF's sysfs numa_node at ADD ("vfNumaNode"; the meaning of
	 * KEP-6072's resource.kubernetes.io/numaNode): -1 none or unknown. */
	int vf_numa_node;
	char pf[PCI_BDF_LEN];
	char pf_netdev[IF_NAMESIZE];
	char pf_mac[MAC_STR_MAX];
	char pf_netns[PF_NETNS_PATH_MAX];
	char representor[IF_NAMESIZE];
	char pod_namespace[256];
	char pod_name[256];
	char pod_uid[128];
	char devinfo_path[PATH_MAX];
	bool devinfo_created;
	long long created;	/* unix seconds */
};

/* Serialise / parse (pure; parse is fuzzed).  -EINVAL on bad input. */
char *record_to_json(const struct pf_record *s);
int record_from_json(const char *buf, size_t len, struct pf_record *out);

/* "<containerID>_<ifname>.json", a '_' in the container ID written %5F so
 * that no two attachments share a name; -EINVAL if either is unsafe as a
 * name.  A record under the name earlier versions gave it (the '_' left
 * as is) is still read and removed when it names this attachment. */
int record_file_name(const char *container_id, const char *ifname, char *out, size_t len);

int record_write(const char *dir, const struct pf_record *s);
/* -ENOENT: no state for this attachment. */
int record_read(const char *dir, const char *container_id, const char *ifname, struct pf_record *out);
/* Idempotent: 0 when already gone. */
int record_remove(const char *dir, const char *container_id, const char *ifname);
/* One file of dir by name (as record_foreach or inotify named it).
 * -ENOENT, or record_from_json()'s -EINVAL. */
int record_read_file(const char *dir, const char *name, struct pf_record *out);
/* One file of dir by name (as record_foreach handed it over); idempotent. */
int record_remove_file(const char *dir, const char *name);

/* Every parseable state file in dir (unparseable ones are skipped and
 * counted in *bad when bad is non-NULL).  cb returns <0 to stop. */
typedef int (*record_cb)(const struct pf_record *s, const char *file, void *arg);
int record_foreach(const char *dir, record_cb cb, void *arg, unsigned *bad);

#endif
