/* SPDX-License-Identifier: MIT */
/* pflinkd's map: the structures map.c, answers.c and server.c share. */
#ifndef PFLINK_AGENT_MAP_H
#define PFLINK_AGENT_MAP_H

#include "agent.h"
#include "pflink/resolve.h"
#include "pflink/record.h"

struct nl_handle;
struct nl_vf;

struct ag_dev {			/* a link that is a PCI function */
	int ifindex;
	char name[IF_NAMESIZE];
	char mac[MAC_STR_MAX];
	char bdf[PCI_BDF_LEN];
	char port[NL_PORTNAME_MAX];
	char swid[2 * NL_SWITCHID_MAX + 1];
	bool is_pf, is_vf;
	struct nl_vf *vfc;		/* a PF's IFLA_VFINFO_LIST, as last dumped */
	unsigned n_vfc;
};

struct ag_ns {
	struct agent *a;
	struct netns_id id;
	char label[PF_NETNS_PATH_MAX];	/* "host", a bind-mount path, "pid:N" */
	bool bind, host;
	struct nl_handle *ev;		/* RTNLGRP_LINK events */
	struct nl_handle *req;		/* dumps and gets */
	int ethfd;			/* AF_INET for ethtool, in this netns */
	struct ag_dev *devs;
	unsigned n_devs, cap_devs;
	unsigned long long gen;		/* discovery generation last seen in */
};

/* One netdev of a PCI function, in the by-BDF index. */
struct ag_ref {
	const struct ag_ns *ns;
	const struct ag_dev *dev;
	unsigned nsi, devi;	/* positions, to keep the map's order per BDF */
};

struct agent {
	struct agent_opts o;
	int sysfd;
	int nsep;			/* epoll over every netns' event socket */
	struct netns_id host;
	struct ag_ns **ns;
	unsigned n_ns, cap_ns;
	unsigned long long gen;
	struct pf_record *att;
	unsigned n_att, cap_att;
	unsigned long long start_ns;
	struct {
		unsigned long long scans, events, last_scan_ns;
		unsigned ns_skipped, ns_denied;
		int skip_err;
	} stats;
	/* Every change that adds, drops or moves a netns or a device bumps
	 * map_gen; the by-BDF index (ag_ref pointers into the map) is rebuilt
	 * on the next request when it is older. */
	unsigned long long map_gen, idx_gen;
	struct ag_ref *idx;
	unsigned n_idx, cap_idx;
};

__attribute__((format(printf, 3, 4)))
void ag_log(const struct agent *a, enum pf_log_level lvl, const char *fmt, ...);
int ag_ns_events(struct agent *a, struct ag_ns *ns);
int ag_load_attachments(struct agent *a);
/* Bring the by-BDF index up to date; -ENOMEM leaves it empty. */
int ag_index(struct agent *a);
/* The index entries of bdf: *first and the count (0 if none). */
unsigned ag_index_find(const struct agent *a, const char *bdf, unsigned *first);

#endif
