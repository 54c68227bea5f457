/* SPDX-License-Identifier: MIT */
#include "pflink/resolve.h"
#include "pflink/classify.h"
#include "pflink/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *const resolve_default_netns_dirs[] = {
	"/run/netns", "/var/run/netns", "/var/run/docker/netns", NULL,
};

/* One trip into a netns for both sockets the chain needs. */
static int ns_sockets(int nsfd, int *nlfd, int *ethfd)
{
	struct netns_sock_req req[2] = {
		{ .domain = AF_NETLINK, .type = SOCK_RAW, .proto = NETLINK_ROUTE, .fd = -1 },
		{ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1 },
	};
	int r = netns_sockets(nsfd, req, 2);

	if (r < 0)
		return r;
	*nlfd = req[0].fd;
	*ethfd = req[1].fd;
	return 0;
}

/* The link by netlink, for addresses the ioctl cannot carry (IPoIB). */
static int link_by_netlink(int nsfd, const char *ifname, struct vf_info *out)
{
	_cleanup_nl_ struct nl_handle *nl = NULL;
	struct nl_link link;
	int fd, r = netns_socket(nsfd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, &fd);

	if (r < 0)
		return r;
	r = nl_handle_open(fd, &nl);
	if (r < 0)
		return r;
	r = nl_link_get(nl, ifname, &link);
	if (r < 0)
		return r;
	out->ifindex = link.ifindex;
	nl_fmt_mac(link.mac, link.maclen, out->mac, sizeof(out->mac));
	return 0;
}

int resolve_vf(int nsfd, int sysfd, const char *ifname, bool numa, struct vf_info *out,
	       enum resolve_step *step)
{
	_cleanup_close_ int ethfd = -1;
	unsigned char mac[ETHTOOL_HWADDR_MAX];
	unsigned maclen = 0;
	int r;

	memset(out, 0, sizeof(out[0]));
	out->vf_index = -1;
	*step = RS_LINK;
	if (pf_strscpy(out->ifname, ifname, sizeof(out->ifname)) < 0)
		return -ENODEV;
	/* One socket in the pod's netns does it all: two ioctls name the
	 * link, a third asks its driver.  No netlink socket, no RTM_NEWLINK
	 * (the kernel fills a whole one, IPv6 settings included, for the
	 * two fields wanted). */
	r = netns_socket(nsfd, AF_INET, SOCK_DGRAM, 0, &ethfd);
	if (r < 0)
		return r;
	r = ethtool_link(ethfd, ifname, &out->ifindex, mac, &maclen);
	if (r == -EMSGSIZE)
		r = link_by_netlink(nsfd, ifname, out);
	else if (r == 0)
		nl_fmt_mac(mac, maclen, out->mac, sizeof(out->mac));
	if (r < 0)
		return r;

	*step = RS_ETHTOOL;
	/* By name, with the ifindex checked around the call: a rename in
	 * between would answer for another link. */
	r = ethtool_drvinfo_of(ethfd, ifname, out->ifindex, &out->eth);
	if (r == -ESTALE) {
		*step = RS_LINK;
		return -EAGAIN;
	}
	if (r < 0)
		return r;

	*step = RS_NOT_PCI;
	if (pci_bdf_parse(out->eth.bus_info, out->bdf) < 0) {
		/* A virtio-net netdev on a vDPA device answers with the vDPA
		 * device's name; the VF is the PCI function it hangs off. */
		if (strncmp(out->eth.bus_info, "vdpa", 4) ||
		    pci_vdpa_function(sysfd, out->eth.bus_info, out->bdf) < 0)
			return -EINVAL;
		memcpy(out->vdpa, out->eth.bus_info, sizeof(out->vdpa) - 1);
	}
	return resolve_vf_pci(sysfd, out->bdf, numa, out, step);
}

int resolve_vf_pci(int sysfd, const char *bdf, bool numa, struct vf_info *out, enum resolve_step *step)
{
	struct pci_fn vf;
	struct pci_vf_extra x = { .numa = numa };
	bool fn_failed;
	int r;

	*step = RS_NO_FN;
	out->numa_node = -1;
	if (pci_bdf_parse(bdf, out->bdf) < 0)
		return -EINVAL;
	r = pci_describe_vf(sysfd, out->bdf, &vf, &x, &fn_failed);
	if (r < 0 && fn_failed)
		return r;
	if (r == 0)
		memcpy(out->pci_driver, vf.driver, sizeof(out->pci_driver));
	if (r < 0 || !vf.is_vf) {
		*step = r < 0 ? RS_PHYSFN : RS_NOT_VF;
		return r < 0 ? r : -ENOENT;
	}
	/* A VF is never its own PF: a physfn back to itself is a loop, and
	 * following it would report the VF's own netdev as the PF. */
	if (!strcmp(vf.pf, out->bdf)) {
		*step = RS_PHYSFN;
		return -ELOOP;
	}
	memcpy(out->pf, vf.pf, sizeof(out->pf));
	/* A VF the PF no longer lists (SR-IOV being torn down) still has a
	 * PF; the index is then unknown (-1) rather than an error. */
	out->vf_index = vf.vf_index;
	/* The PF's own facts, read through the directory the physfn check
	 * opened: the result and the record carry them, whoever names the
	 * PF's netdev. */
	if (x.pf.bdf[0]) {
		memcpy(out->pf_driver, x.pf.driver, sizeof(out->pf_driver));
		out->pf_numvfs = x.pf.numvfs;
		out->pf_totalvfs = x.pf.totalvfs;
		out->pf_sriov = x.pf.is_pf;
	}
	out->numa_node = x.numa_node;
	*step = RS_OK;
	return 0;
}

struct rep_cand {
	char name[IF_NAMESIZE];
	char port[NL_PORTNAME_MAX];
	char switch_id[2 * NL_SWITCHID_MAX + 1];
};

struct scan_ctx {
	int ethfd;
	struct pf_info *pf;
	int vf_index;
	struct rep_cand reps[16];
	unsigned n_reps;
	const char *netns;
	struct netns_id nsid;
	bool parents_seen;	/* this kernel names a netdev's parent device */
	struct nl_link *later;	/* links without a parent, probed at the end */
	unsigned n_later, cap_later;
};

static void add_netdev(struct scan_ctx *c, const struct nl_link *l)
{
	struct pf_netdev *nd;

	if (c->pf->n_netdevs == PF_NETDEV_MAX)
		return;
	nd = &c->pf->netdevs[c->pf->n_netdevs++];
	memset(nd, 0, sizeof(*nd));
	memcpy(nd->name, l->name, sizeof(nd->name));
	nd->ifindex = l->ifindex;
	nl_fmt_mac(l->mac, l->maclen, nd->mac, sizeof(nd->mac));
	pf_strscpy(nd->netns, c->netns, sizeof(nd->netns));
	nd->nsid = c->nsid;
	memcpy(nd->phys_port_name, l->phys_port_name, sizeof(nd->phys_port_name));
	nl_fmt_hex(l->switch_id, l->switch_id_len, nd->switch_id);
}

/* Is link l a netdev of PCI function fn?  The parent device the kernel
 * names in the message that names the link (Linux 5.16+: no ioctl, and no
 * rename can slip in); on another bus (virtio-net sits on a virtio
 * device) or with no parent named, only the driver can say
 * (ETHTOOL_GDRVINFO).  A link that vanished or has no driver info is
 * simply not fn's. */
static bool netdev_of_fn(int ethfd, const struct nl_link *l, const char *fn)
{
	struct ethtool_info eth;
	char bdf[PCI_BDF_LEN];

	if (!strcmp(l->parent_bus, "pci"))
		return pci_bdf_parse(l->parent_dev, bdf) == 0 && !strcmp(bdf, fn);
	return ethtool_drvinfo(ethfd, l->name, &eth) == 0 && pci_bdf_parse(eth.bus_info, bdf) == 0 &&
	       !strcmp(bdf, fn);
}

static void probe(struct scan_ctx *c, const struct nl_link *l)
{
	if (netdev_of_fn(c->ethfd, l, c->pf->bdf))
		add_netdev(c, l);
}

/* true: l is a switchdev representor (kept as a candidate if it may be
 * this VF's), so not one of the PF's netdevs. */
static bool note_representor(struct scan_ctx *c, const struct nl_link *l)
{
	struct port_id port;
	enum port_kind k = classify_port(l->phys_port_name, &port);

	if (c->vf_index >= 0 && k == PORT_VF_REP && port.vf == c->vf_index && l->switch_id_len &&
	    c->n_reps < ARRAY_SIZE(c->reps)) {
		struct rep_cand *rc = &c->reps[c->n_reps++];

		memcpy(rc->name, l->name, sizeof(rc->name));
		memcpy(rc->port, l->phys_port_name, sizeof(rc->port));
		nl_fmt_hex(l->switch_id, l->switch_id_len, rc->switch_id);
	}
	return classify_is_representor(k);
}

static int scan_link(const struct nl_link *l, void *arg)
{
	struct scan_ctx *c = arg;

	if (l->flags & IFF_LOOPBACK)
		return 0;
	/* A representor answers ethtool with its PF's address: it is never
	 * one of the PF's netdevs (classify.h). */
	if (note_representor(c, l))
		return 0;
	if (l->parent_bus[0]) {
		c->parents_seen = true;
		probe(c, l);
		return 0;
	}
	/* No parent device: on Linux 5.16+ a virtual link (veth, bridge,
	 * every pod's host-side peer), which no ioctl needs to ask; on an
	 * older kernel any link.  Which one, the whole dump tells: keep it
	 * for the end. */
	if (c->n_later == c->cap_later) {
		unsigned cap = c->cap_later ? 2 * c->cap_later : 32;
		struct nl_link *nl = realloc(c->later, cap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		c->later = nl;
		c->cap_later = cap;
	}
	c->later[c->n_later] = *l;
	c->later[c->n_later].msg = NULL;
	c->later[c->n_later++].msg_len = 0;
	return 0;
}

static void pick_representor(struct scan_ctx *c)
{
	const char *sw = c->pf->netdevs[0].switch_id;
	unsigned i;

	for (i = 0; i < c->n_reps; i++)
		if (classify_is_vf_rep_of(c->reps[i].port, c->reps[i].switch_id, sw,
					  classify_pf_number(c->pf->bdf), c->vf_index)) {
			pf_strscpy(c->pf->representor, c->reps[i].name, sizeof(c->pf->representor));
			return;
		}
}

/* Scan one netns (nsfd < 0: the caller's own). */
static int scan_netns(int nsfd, const char *path, int vf_index, struct pf_info *pf)
{
	_cleanup_nl_ struct nl_handle *nl = NULL;
	_cleanup_close_ int ethfd = -1;
	struct scan_ctx c = { .pf = pf, .vf_index = vf_index, .netns = path };
	int nlfd, r, tries;

	r = netns_id(nsfd, &c.nsid);
	if (r < 0)
		return r;
	r = ns_sockets(nsfd, &nlfd, &ethfd);
	if (r < 0)
		return r;
	r = nl_handle_open(nlfd, &nl);
	if (r < 0)
		return r;
	c.ethfd = ethfd;
	/* A busy host changes links all the time: retry an interrupted dump
	 * from scratch (nl.h says how often). */
	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		unsigned i;

		pf->n_netdevs = 0;
		c.n_reps = c.n_later = 0;
		c.parents_seen = false;
		r = nl_link_dump(nl, 0, scan_link, &c);
		if (r == -EINTR)
			continue;
		/* A kernel that names parents named every PCI netdev's: the
		 * links without one are not PCI.  Before 5.16, ask each. */
		for (i = 0; !r && !c.parents_seen && i < c.n_later; i++)
			probe(&c, &c.later[i]);
		break;
	}
	free(c.later);
	if (r < 0)
		return r;
	if (pf->n_netdevs)
		pick_representor(&c);
	return 0;
}

/* Step 6's shortcut.  sysfs lists a PCI function's netdevs under its
 * net/ directory, but only those in the netns that mounted that sysfs,
 * under the names they had a moment ago: so the names are candidates,
 * each asked of the kernel in the caller's netns, and each must be a
 * netdev of this PF here by the scan's own test (the parent device the
 * kernel names, else ethtool).  One readdir and a netlink get per name
 * instead of a dump of every link of the host (one veth per pod on a
 * node), and ethtool for none of them.  More than a few names is a
 * switchdev PF listing its representors: the agent, or the scan, is
 * cheaper than a get of each. */
#define PF_HINT_MAX 4

int resolve_pf_local(int sysfd, int vf_index, struct pf_info *pf)
{
	char names[PF_HINT_MAX][IF_NAMESIZE];
	struct scan_ctx c = { .pf = pf, .vf_index = vf_index, .netns = "" };
	_cleanup_nl_ struct nl_handle *nl = NULL;
	_cleanup_close_ int ethfd = -1;
	unsigned n, i;
	int fd, r;

	pf->n_netdevs = 0;
	pf->representor[0] = '\0';
	if (pci_netdev_names(sysfd, pf->bdf, names, PF_HINT_MAX, &n) < 0 || !n)
		return -ENOENT;
	/* c.nsid stays zero, as netns "" says: the caller's own. */
	r = ns_sockets(-1, &fd, &ethfd);
	if (r < 0)
		return r;
	r = nl_handle_open(fd, &nl);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		struct nl_link l;

		/* Gone or renamed since sysfs listed it, or listed by the
		 * sysfs of another netns: the hint does not hold here.  Nor
		 * does it for a link of that name here that is not the PF's
		 * (another netns' sysfs, or a rename onto the name). */
		if (nl_link_get(nl, names[i], &l) < 0 || !netdev_of_fn(ethfd, &l, pf->bdf))
			goto no;
		if (!note_representor(&c, &l))
			add_netdev(&c, &l);
	}
	if (!pf->n_netdevs)
		goto no;
	pick_representor(&c);
	return 0;
no:
	pf->n_netdevs = 0;
	pf->representor[0] = '\0';
	return -ENOENT;
}

struct seen {
	struct netns_id ids[64];
	unsigned n;
};

static bool seen_add(struct seen *s, const struct netns_id *id)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (netns_id_eq(&s->ids[i], id))
			return false;
	if (s->n < ARRAY_SIZE(s->ids))
		s->ids[s->n++] = *id;
	return true;
}

static int scan_dir(const char *dir, int vf_index, struct pf_info *pf, struct seen *seen)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return 0;	/* most nodes lack some of these directories */
	while (!pf->n_netdevs && (de = readdir(d))) {
		_cleanup_close_ int fd = -1;
		char path[PF_NETNS_PATH_MAX];
		struct netns_id id;

		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		/* Not every entry is a live mount: a runtime may leave the
		 * placeholder file of a netns that is gone. */
		if (netns_open(path, &fd) < 0 || netns_id(fd, &id) < 0 || !seen_add(seen, &id))
			continue;
		scan_netns(fd, path, vf_index, pf);
	}
	closedir(d);
	return 0;
}

int resolve_pf_netdevs(const char *const *dirs, int vf_index, struct pf_info *pf)
{
	struct seen seen = { 0 };
	struct netns_id self;
	int r;

	pf->n_netdevs = 0;
	pf->representor[0] = '\0';
	r = netns_id(-1, &self);
	if (r < 0)
		return r;
	seen_add(&seen, &self);
	r = scan_netns(-1, "", vf_index, pf);
	if (r < 0)
		return r;
	for (; dirs && *dirs && !pf->n_netdevs; dirs++)
		scan_dir(*dirs, vf_index, pf, &seen);
	return pf->n_netdevs ? 0 : -ENODEV;
}
