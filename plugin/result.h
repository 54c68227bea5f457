/* SPDX-License-Identifier: MIT */
/*
 * The CNI result pflink prints: prevResult, plus the PF association in spec
 * fields only (libcni drops anything else): pciID on the sandbox interface
 * and a host-side interface entry per PF netdev.
 */
#ifndef PFLINK_RESULT_H
#define PFLINK_RESULT_H

#include "pflink/resolve.h"

#include <cjson/cJSON.h>

/* pciID is an interface field from CNI 1.1.0 on; older results get the PF
 * association through the host-side entry (name, mac) and device-info. */
bool result_has_pci_id(const char *cni_version);

/* A new result: prev (may be NULL for CHECK-less callers) with cniVersion
 * set, the sandbox interface ifname annotated (added if prev lacks it) and
 * the PF's netdevs in the host netns appended as host-side interfaces
 * (once each; one in another netns is left out). */
cJSON *result_build(const cJSON *prev, const char *cni_version, const char *ifname,
		    const char *netns, const struct vf_info *vf, const struct pf_info *pf);

/* Does the sandbox path a previous plugin wrote name the attachment's
 * netns?  (The caller knows its identity; this module does no I/O.) */
typedef bool (*result_same_netns)(const char *sandbox, void *arg);

/* result_build, where an interface ifname whose sandbox is spelt another
 * way than netns but names the same netns (/proc/PID/ns/net for
 * /var/run/netns/x), as same() tells, is the sandbox interface too. */
cJSON *result_build_in(const cJSON *prev, const char *cni_version, const char *ifname,
		       const char *netns, result_same_netns same, void *arg, const struct vf_info *vf,
		       const struct pf_info *pf);

/* What a previous pflink result says: the sandbox interface's pciID (or ""
 * if absent) and the names of host-side interfaces. */
struct result_record {
	char vf_pci[PCI_BDF_LEN];
	char vf_mac[MAC_STR_MAX];
	bool has_sandbox_if;
};
int result_read(const cJSON *prev, const char *ifname, struct result_record *out);

/* true when prev lists a host-side interface named name. */
bool result_has_host_if(const cJSON *prev, const char *name);

#endif
