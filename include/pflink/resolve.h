/* SPDX-License-Identifier: MIT */
/*
 * The resolution chain: interface in a netns -> ethtool bus_info -> VF BDF
 * -> physfn -> PF BDF -> the PF's netdev(s), wherever they live.
 */
#ifndef PFLINK_RESOLVE_H
#define PFLINK_RESOLVE_H

#include "pflink/ethtool.h"
#include "pflink/netns.h"
#include "pflink/nl.h"
#include "pflink/pci.h"

#include <limits.h>
#include <stdbool.h>

#define PF_NETDEV_MAX 8
#define PF_NETNS_PATH_MAX 256
#define MAC_STR_MAX (3 * NL_ADDR_MAX)

/* Which step of resolve_vf() stopped, so the caller can say what to do. */
enum resolve_step {
	RS_OK = 0,
	RS_LINK,	/* interface not in the netns (or netlink failed) */
	RS_ETHTOOL,	/* GDRVINFO failed */
	RS_NOT_PCI,	/* bus_info is not a PCI address */
	RS_NO_FN,	/* bus_info is a PCI address sysfs does not know */
	RS_NOT_VF,	/* no physfn */
	RS_PHYSFN,	/* physfn broken: dangling, loop, not a BDF */
};

struct vf_info {
	char ifname[IF_NAMESIZE];
	int ifindex;
	char mac[MAC_STR_MAX];
	struct ethtool_info eth;	/* raw answer, for messages */
	char bdf[PCI_BDF_LEN];
	char pf[PCI_BDF_LEN];
	char pci_driver[64];
	int vf_index;			/* -1: the PF has no virtfnN for it */
	int numa_node;			/* the VF's if asked, -1 if none or unreadable */
	/* The PF's sysfs facts, read with the VF's (resolve_vf_pci). */
	char pf_driver[64];
	unsigned pf_numvfs, pf_totalvfs;
	bool pf_sriov;			/* the PF has sriov_totalvfs */
	char vdpa[16];			/* the vDPA device the netdev sits on, or "" */
	bool netdevless;		/* the pod holds the VF without a netdev */
};

struct pf_netdev {
	char name[IF_NAMESIZE];
	int ifindex;
	char mac[MAC_STR_MAX];
	char netns[PF_NETNS_PATH_MAX];	/* "" = the caller's (host) netns */
	struct netns_id nsid;
	char phys_port_name[NL_PORTNAME_MAX];
	char switch_id[2 * NL_SWITCHID_MAX + 1];	/* hex, "" if not switchdev */
};

struct pf_info {
	char bdf[PCI_BDF_LEN];
	char driver[64];
	unsigned numvfs, totalvfs;
	unsigned n_netdevs;
	struct pf_netdev netdevs[PF_NETDEV_MAX];
	char representor[IF_NAMESIZE];	/* this VF's switchdev representor */
};

/* Steps 1-5 in the pod netns nsfd.  On failure *step says where; out holds
 * what was learned up to there (an explicit exception to the rule that
 * outputs are written only on success: messages need it).  numa: read
 * the VF's numa_node too (else it is -1). */
int resolve_vf(int nsfd, int sysfd, const char *ifname, bool numa, struct vf_info *out,
	       enum resolve_step *step);

/* Steps 4-5 for a VF known by its PCI address (a VF with no netdev: its
 * address comes from the config or the device plugin): RS_NO_FN, RS_NOT_VF
 * or RS_PHYSFN on failure.  out's PCI fields are filled as far as known;
 * the caller has set the rest (memset, vf_index -1). */
int resolve_vf_pci(int sysfd, const char *bdf, bool numa, struct vf_info *out, enum resolve_step *step);

/* Step 6 in the caller's netns from the names sysfs lists under the PF
 * (pf->bdf), each checked with the kernel: 0 with pf's netdevs (and the
 * representor of VF vf_index) when every name is a netdev of the PF here;
 * -ENOENT when that does not hold (no name, too many, a name gone or not
 * the PF's here), and the caller asks the agent or scans. */
int resolve_pf_local(int sysfd, int vf_index, struct pf_info *pf);

/* Step 6 without the agent: find the netdevs whose ethtool bus_info is
 * pf->bdf, first in the caller's netns, then in the nsfs bind mounts under
 * each of dirs (NULL-terminated).  Stops at the first netns that has any.
 * vf_index >= 0 also looks for that VF's switchdev representor there.
 * -ENODEV when no netns has one. */
int resolve_pf_netdevs(const char *const *dirs, int vf_index, struct pf_info *pf);

/* Default bind-mount directories: /run/netns, /var/run/netns (if it is not
 * the same directory), /var/run/docker/netns. */
extern const char *const resolve_default_netns_dirs[];

#endif
